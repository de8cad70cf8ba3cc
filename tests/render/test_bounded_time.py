"""No authored text makes a regular expression, a renderer or a check slow: time stays linear in its size.

The adversarial review found two regular expressions that took minutes on a
single 200 KB field (``1-1-1-...`` and ``[@key @key ...``). These tests feed
random and adversarial text through every regular expression of the package,
the Markdown renderer, the citation scanner, the nesting guard, the code-cell
parser, the checks and Pandoc, and bound the time of each run by its input
size. The bounds are generous (several times what a loaded two-core machine
needs for linear work) and the sizes large enough that quadratic work takes
seconds to minutes, so a regression fails and a busy machine does not.
Figures for a report come from ``benchmarks/``, not from here.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import pkgutil
import re
import string
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import curriculum
from curriculum.content import check_curriculum, load_files
from curriculum.content import cited_keys as citations_in
from curriculum.content._calls import parse_cells
from curriculum.content._nesting import nesting_problem
from curriculum.errors import ContentError
from curriculum.render import Renderer

SIZE = 50_000
"""Characters of each adversarial text for the regular expressions."""
LONG = 200_000
"""Characters of each long field for the renderers: beyond any file's field limit, as a margin."""


def budget(chars: int, base: float, per_char: float) -> float:
    """The most a run over ``chars`` characters may take, in seconds."""
    return base + per_char * chars


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _patterns() -> dict[str, re.Pattern[str]]:
    """Every compiled regular expression of the package, found in its modules' globals."""
    found: dict[str, re.Pattern[str]] = {}

    def collect(value: object, name: str, depth: int = 0) -> None:
        if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
            found[name] = value
        elif depth < 3 and isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                collect(item, f"{name}[{i}]", depth + 1)
        elif depth < 3 and isinstance(value, dict):
            for key, item in value.items():
                collect(item, f"{name}[{key!r}]", depth + 1)
        elif depth < 3 and dataclasses.is_dataclass(value) and not isinstance(value, type):
            for field in dataclasses.fields(value):
                collect(getattr(value, field.name), f"{name}.{field.name}", depth + 1)

    for module in pkgutil.walk_packages(curriculum.__path__, "curriculum."):
        if module.name.endswith("__main__"):
            continue
        for name, value in vars(importlib.import_module(module.name)).items():
            collect(value, f"{module.name}.{name}")
    return found


PATTERNS = _patterns()
WORDS = sorted({w for p in PATTERNS.values() for w in re.findall(r"[A-Za-z]{2,}", p.pattern)})
"""The words the patterns look for: a prefix that leads a pattern into its slow path."""
CHARS = string.ascii_letters[:8] + string.digits[:4] + " \t\n-.,:;@#*_`'\"“”[](){}<>!/\\&=|~+%$^?"


def test_the_audit_sees_the_patterns_the_review_named() -> None:
    names = set(PATTERNS)
    assert "curriculum.content._citations.GROUP" in names  # the citation group the renderer and check share
    assert any(n.startswith("curriculum.content._privacy.PATTERNS") for n in names)
    assert len(PATTERNS) > 50


REVIEW_SHAPES = {
    "phi-f-dashes": "1-" * (SIZE // 2),
    "citation-group-unclosed": "[" + "@bordin1979 " * (SIZE // 12),
    "mrn-spaces": "MRN" + " " * SIZE + "!",
    "licence-spaces": "licence" + " " * SIZE + "#",
    "combination-list": "A, " * (SIZE // 3),
    "mention-quotes": "“" * SIZE,
    "image-openers": "![" * (SIZE // 2),
    "link-targets": "](" * (SIZE // 2),
    "heading-spaces": "# x" + " " * SIZE + "y",
    "colgroups": "<colgroup>" * (SIZE // 10),
}


@pytest.mark.parametrize("shape", sorted(REVIEW_SHAPES))
def test_every_regular_expression_is_linear_on_the_review_shapes(shape: str) -> None:
    text = REVIEW_SHAPES[shape]
    for name, pattern in PATTERNS.items():
        seconds = timed(lambda p=pattern: sum(1 for _ in p.finditer(text)))
        assert seconds < budget(len(text), 0.5, 10e-6), f"{name} took {seconds:.2f} s on {shape}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.lists(st.sampled_from(WORDS), max_size=2).map(" ".join),
    token=st.text(alphabet=CHARS, min_size=1, max_size=4),
    suffix=st.text(alphabet=CHARS, max_size=4),
)
@example(prefix="", token="1-", suffix="")
@example(prefix="[", token="@k ", suffix="")
def test_every_regular_expression_is_linear_on_repeated_tokens(prefix: str, token: str, suffix: str) -> None:
    """The classic catastrophic shape: a prefix, then one short token thousands of times."""
    text = prefix + token * (SIZE // len(token)) + suffix
    for name, pattern in PATTERNS.items():
        seconds = timed(lambda p=pattern: sum(1 for _ in p.finditer(text)))
        assert seconds < budget(len(text), 0.5, 10e-6), f"{name} took {seconds:.2f} s on {text[:40]!r}..."


# --------------------------------------------------------------------------- Markdown


words = st.text(alphabet=string.ascii_letters + string.digits + " ,.;:!?'\"-", min_size=1, max_size=24)
inline = st.one_of(
    words,
    words.map(lambda w: f"*{w}*"),
    words.map(lambda w: f"**{w}**"),
    words.map(lambda w: f"`{w}`"),
    st.tuples(words, words).map(lambda t: f"[{t[0]}](https://example.org/{t[1].strip()})"),
    st.sampled_from(["[@krupnick1996]", "@plakun2009", "[@a; @b, p. 3]", "[-@a]", "a@b.org", "^[a note]"]),
    st.text(max_size=12),  # anything at all, brackets and control characters included
)
paragraph = st.lists(inline, min_size=1, max_size=16).map(" ".join)
block = st.one_of(
    paragraph,
    st.tuples(st.integers(1, 6), words).map(lambda t: "#" * t[0] + " " + t[1]),
    st.lists(paragraph, min_size=1, max_size=5).map(lambda items: "\n".join(f"- {i}" for i in items)),
    st.tuples(st.integers(1, 3), paragraph).map(lambda t: "> " * t[0] + t[1]),
    words.map(lambda w: f"```\n{w}\n```"),
    paragraph.map(lambda p: f"::: {{.callout-note}}\n{p}\n:::"),
    st.lists(words, min_size=2, max_size=4).map(lambda c: "| " + " | ".join(c) + " |\n|" + "---|" * len(c)),
)
markdown = st.lists(block, min_size=3, max_size=40).map("\n\n".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=markdown)
def test_random_markdown_renders_and_scans_in_time(text: str) -> None:
    renderer = Renderer(None)
    for step in (renderer.block, renderer.inline, renderer.keys, citations_in, nesting_problem):
        seconds = timed(lambda s=step: s(text))
        assert seconds < budget(len(text), 1.0, 100e-6), f"{step} took {seconds:.2f} s"


@pytest.mark.parametrize("shape", sorted(REVIEW_SHAPES))
def test_long_fields_render_and_scan_in_time(shape: str) -> None:
    text = (REVIEW_SHAPES[shape] * (LONG // SIZE + 1))[:LONG]
    renderer = Renderer(None)
    for step in (renderer.block, renderer.inline, renderer.keys, citations_in, nesting_problem):
        seconds = timed(lambda s=step: s(text))
        assert seconds < budget(len(text), 2.0, 100e-6), f"{step} took {seconds:.2f} s on {shape}"


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.lists(st.sampled_from(WORDS), max_size=2).map(" ".join),
    token=st.text(alphabet=CHARS, min_size=1, max_size=4),
)
def test_random_long_fields_render_and_scan_in_time(prefix: str, token: str) -> None:
    """Hundreds of kilobytes of one repeated token, through the renderer and every scanner."""
    text = prefix + token * (LONG // len(token))
    renderer = Renderer(None)
    for step in (renderer.block, renderer.inline, renderer.keys, citations_in, nesting_problem):
        seconds = timed(lambda s=step: s(text))
        assert seconds < budget(len(text), 2.0, 100e-6), f"{step} took {seconds:.2f} s on {text[:40]!r}"


def _lesson(folder: Path, cells: list[dict[str, object]]) -> Path:
    front = (
        "---\ntitle: A\nlesson-id: a\nduration: 30\n"
        "objectives:\n  - {id: a-1, text: Do., competencies: [PC4]}\n---"
    )
    raw = {"cell_type": "raw", "id": "front", "metadata": {}, "source": front}
    nb = {"cells": [raw, *cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = folder / "lessons" / "a.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def _cells(text: str) -> Iterator[dict[str, object]]:
    yield {"cell_type": "markdown", "id": "md", "metadata": {}, "source": text}
    code = f"import curriculum\ncurriculum.quiz({text[:2000]!r})\nx = {text[:5000]!r}"
    yield {
        "cell_type": "code",
        "id": "code",
        "metadata": {},
        "outputs": [],
        "execution_count": None,
        "source": code,
    }


@pytest.mark.parametrize("shape", sorted(REVIEW_SHAPES))
def test_a_long_lesson_cell_is_checked_in_time(shape: str, tmp_path: Path) -> None:
    """Lesson cells have no field limit (a notebook may hold 32 MiB): every check reads them."""
    text = (REVIEW_SHAPES[shape] * (LONG // SIZE + 1))[:LONG]
    path = _lesson(tmp_path, list(_cells(text)))
    seconds = timed(lambda: check_curriculum(load_files([path])))
    assert seconds < budget(len(text), 2.0, 50e-6), f"check took {seconds:.2f} s on {shape}"
    assert timed(lambda: parse_cells([text[:5000]])) < 2.0


# --------------------------------------------------------------------------- Pandoc


def _pandoc(text: str, tmp_path: Path) -> None:
    import pypandoc

    from curriculum.site._pandoc import run_pandoc
    from curriculum.site._sources import markdown_page

    (tmp_path / "page.qmd").write_text(text, encoding="utf-8")
    try:
        body, _ = markdown_page(tmp_path, "page.qmd")
    except ContentError:
        return  # refused before Pandoc, with its location
    run_pandoc(pypandoc.get_pandoc_path(), body, "page.qmd", None, "resident")


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=markdown)
def test_random_markdown_pages_render_with_pandoc_in_time(text: str, tmp_path: Path) -> None:
    seconds = timed(lambda: _pandoc(text, tmp_path))
    assert seconds < budget(len(text), 10.0, 200e-6), f"Pandoc took {seconds:.2f} s"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        pytest.param("> " * 20_000 + "deep\n", "page.qmd:1:1", id="blockquote-20000"),
        pytest.param("Text.\n\n" + "[" * 30 + "x\n", "page.qmd:3:5", id="brackets-30"),
        pytest.param("- " * 40 + "x\n", "page.qmd:1:1", id="list-40"),
        pytest.param("::: {.a}\n" * 20 + "x\n", "page.qmd:17:1", id="divs-20"),
    ],
)
def test_markdown_pandoc_cannot_bear_is_refused_before_pandoc(text: str, where: str, tmp_path: Path) -> None:
    """Shapes measured to take Pandoc minutes or hours are refused at once, with their place."""
    from curriculum.site._sources import markdown_page

    (tmp_path / "page.qmd").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as refused:
        markdown_page(tmp_path, "page.qmd")
    assert refused.value.diagnostics[0].format().startswith(f"{where}: error CUR122: the page ")


def test_a_page_pandoc_takes_too_long_on_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shapes no guard knows still end: Pandoc's time is bounded by the page's size."""
    monkeypatch.setattr("curriculum.site._pandoc.PANDOC_SECONDS", (1.0, 0.0))
    text = "<a " * 20_000  # superlinear in Pandoc's reader: minutes without the limit
    start = time.perf_counter()
    with pytest.raises(ContentError) as slow:
        _pandoc(text, tmp_path)
    assert time.perf_counter() - start < 15
    assert (
        slow.value.diagnostics[0]
        .format()
        .startswith("page.qmd:1:1: error CUR604: Pandoc did not finish this page within 1.0 s")
    )


@pytest.mark.parametrize(
    ("text", "too_deep"),
    [
        ("[[[ opened\n" + "plain line\n" * 3 + "[[ more", True),  # brackets stay open across lines
        ("[[[ opened\n" + "closed ]]]\nplain line\n" + "[[ more", False),  # closed on a line without `[`
        ("[[[ opened\nplain ] and ]\n[[ more", False),
        ("`[[[[[[` in code\nplain\n", False),
        ("plain line\n" * 50, False),
    ],
)
def test_open_brackets_are_counted_across_lines(text: str, too_deep: bool) -> None:
    assert (nesting_problem(text) is not None) == too_deep
