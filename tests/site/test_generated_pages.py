"""Pages generated from YAML: authored text cannot change their Markdown; errors name its file."""

from __future__ import annotations

import subprocess
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console

from curriculum.content import load_curriculum
from curriculum.errors import ContentError
from curriculum.project import Project
from curriculum.site import build_site, payload_builder
from curriculum.site._page_worker import PageWorker
from curriculum.site._prerender import Prerendered, prerender
from curriculum.site._sources import read_front_matter
from tests.site.hostile import FENCE_BREAKOUT


def _edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _generated(project: Path, profile: str = "resident") -> Any:
    cur = load_curriculum(project)
    return prerender(project, cur, payload_builder(Project(project), cur, profile), reference=False).pages


@pytest.mark.parametrize(
    "title", ["Fence title\n---\n\n```{=html}\n<p>x</p>\n```\n", "...", "yes", "a: b # c"]
)
def test_a_title_is_front_matter_data_whatever_it_says(title: str, project: Path) -> None:
    _edit(project / "vignettes" / "first-visit.yml", lambda d: d.update(title=title))
    page = _generated(project)["cases/first-visit.qmd"]
    assert title.strip() == load_curriculum(project).vignettes["first-visit"].model.title
    assert read_front_matter(page.text) == {"title": title.strip()}


@pytest.mark.parametrize("profile", ["resident", "faculty"])
def test_no_authored_text_closes_its_raw_block(profile: str, project: Path) -> None:
    """Every line of authored text stays inside the raw HTML block that holds it."""

    def poison(quiz: dict[str, Any]) -> None:
        for item in quiz["items"]:
            item["stem"] = FENCE_BREAKOUT
            item["rationale"] = FENCE_BREAKOUT.replace("```", "``````")

    _edit(project / "quizzes" / "intro.yml", poison)
    _edit(project / "vignettes" / "first-visit.yml", lambda d: d["patient"].update(summary=FENCE_BREAKOUT))
    pages = _generated(project, profile)
    for name in ("quiz/intro.qmd", "cases/index.qmd"):
        text = pages[name].text
        markdown = [line for line in _outside_raw_blocks(text) if line.strip()]
        assert not [line for line in markdown if "javascript" in line or "cur-widget" in line], name


def _outside_raw_blocks(text: str) -> list[str]:
    """The lines Pandoc reads as Markdown: those outside every ```{=html} block."""
    outside, fence = [], ""
    for line in text.split("\n"):
        if fence:
            stripped = line.strip()
            if stripped.startswith(fence) and set(stripped) == {"`"}:
                fence = ""
        elif line.startswith("```") and line.rstrip().endswith("{=html}"):
            fence = line[: len(line) - len(line.lstrip("`"))]
        else:
            outside.append(line)
    return outside


@pytest.mark.parametrize(
    ("file", "where", "setter"),
    [
        ("quizzes/intro.yml", ("items", 1, "stem"), lambda d: d["items"][1]),
        ("quizzes/intro.yml", ("items", 0, "rationale"), lambda d: d["items"][0]),
        ("quizzes/intro.yml", ("title",), None),
        ("vignettes/first-visit.yml", ("patient", "summary"), lambda d: d["patient"]),
        ("vignettes/first-visit.yml", ("title",), None),
    ],
)
def test_a_pandoc_error_on_a_generated_page_names_the_authors_file_and_line(
    file: str, where: tuple[Any, ...], setter: Any, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pandoc is made to fail where an authored field's text lands in a generated page."""
    marker = "PANDOC-FAILS-HERE"

    def mark(data: dict[str, Any]) -> None:
        target = setter(data) if setter else data
        target[where[-1]] = f"{marker} {target[where[-1]]}"

    _edit(project / file, mark)
    real = subprocess.run

    def run(args: list[str], input: str = "", **options: Any) -> Any:
        if marker in input:
            before = input[: input.index(marker)]
            line, col = before.count("\n") + 1, len(before) - before.rfind("\n")
            return subprocess.CompletedProcess(args, 64, "", f"Error at (line {line}, column {col}): failed")
        return real(args, input=input, **options)

    monkeypatch.setattr(
        "curriculum.site._pandoc.subprocess",
        types.SimpleNamespace(run=run, TimeoutExpired=subprocess.TimeoutExpired),
    )
    worker_render = PageWorker.render

    def render(self: PageWorker, text: str, *args: Any) -> str | None:  # a worker hands a failed page on
        return None if marker in text else worker_render(self, text, *args)

    monkeypatch.setattr(PageWorker, "render", render)
    with pytest.raises(ContentError) as raised:
        build_site(project, engine="pandoc", profile="faculty", console=Console(quiet=True))
    [problem] = raised.value.diagnostics
    doc = next(d for d in load_curriculum(project).documents() if d.display.endswith(file))
    assert (problem.path, problem.line) == (doc.display, doc.at(*where)[0]), problem.format()
    assert problem.code == "CUR604" and ".qmd" in problem.hint


def test_front_matter_is_remembered_as_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Front matter comes from the memo in the next session, a copy each time; a date is read anew."""
    import datetime

    from curriculum import _memo
    from curriculum.site import _sources

    page = "---\ntitle: A page\nauthors: [A, B]\n---\n\nText.\n"
    dated = "---\ntitle: Dated\ndate: 2026-12-05\n---\n\nText.\n"
    with _memo.memo_session(tmp_path):
        assert read_front_matter(page) == {"title": "A page", "authors": ["A", "B"]}
        assert read_front_matter(dated)["date"] == datetime.date(2026, 12, 5)
    _memo._stores.clear()
    parsed: list[str] = []
    real = _sources.load_yaml
    monkeypatch.setattr(_sources, "load_yaml", lambda text: parsed.append(text) or real(text))
    with _memo.memo_session(tmp_path):
        first = read_front_matter(page)
        first["title"] = "changed by a caller"
        assert read_front_matter(page) == {"title": "A page", "authors": ["A", "B"]}
        assert read_front_matter(dated)["date"] == datetime.date(2026, 12, 5)
    assert parsed == ["title: Dated\ndate: 2026-12-05"]  # the page's came from the memo
    assert read_front_matter("---\n[not, a mapping]\n---\n") == {}
    assert read_front_matter("---\ntitle: [unclosed\n---\n") == {}


def test_the_assets_include_is_made_again_only_when_the_manifest_or_the_file_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its record names the manifest's digest: while the file is as written, it is neither made nor read."""
    from curriculum.site import _generated_record, _prerender

    monkeypatch.setattr(_generated_record, "RACY_NS", 0)  # files just written are trusted too
    made: list[str] = []
    real = _prerender._assets_include
    monkeypatch.setattr(
        _prerender, "_assets_include", lambda manifest: made.append(manifest) or real(manifest)
    )
    include = project / _prerender.ASSETS_INCLUDE

    def run() -> str:
        made.clear()
        _prerendered(project)
        return include.read_text(encoding="utf-8")

    first = run()
    assert made and run() == first and not made
    include.write_text("edited by hand", encoding="utf-8")
    assert run() == first and made
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(
        quiz.read_text(encoding="utf-8").replace("Introduction quiz", "Opening quiz", 1), encoding="utf-8"
    )
    assert "Opening quiz" in run() and made
    assert run() and not made


def _prerendered(project: Path) -> Prerendered:
    """Pre-render ``project`` as a new build process does (no memo held), with a record of its own."""
    from curriculum import _memo

    _memo._stores.clear()
    with _memo.memo_session(project):
        cur = load_curriculum(project)
        builder = payload_builder(Project(project), cur, "resident")
        return prerender(
            project, cur, builder, reference=False, record=project / ".curriculum-cache" / "g.json"
        )


def test_the_hash_of_each_page_is_known_as_written_whether_made_or_standing(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each generated page's hash is the hash of its file's contents, whether it was made or stood."""
    import hashlib

    from curriculum.site import _generated_record

    monkeypatch.setattr(_generated_record, "RACY_NS", 0)  # files just written are trusted too

    def as_read(names: Mapping[str, str]) -> dict[str, str]:
        return {name: hashlib.sha256((project / name).read_bytes()).hexdigest() for name in names}

    made = _prerendered(project).hashes
    assert "quiz/intro.qmd" in made and made == as_read(made)
    assert _prerendered(project).hashes == made  # each stood
    (project / "quiz" / "intro.qmd").write_text("edited by hand", encoding="utf-8")
    assert _prerendered(project).hashes == made  # made again
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(
        quiz.read_text(encoding="utf-8").replace("Introduction quiz", "Opening quiz", 1), encoding="utf-8"
    )
    edited = _prerendered(project).hashes
    assert edited["quiz/intro.qmd"] != made["quiz/intro.qmd"] and edited == as_read(edited)


def test_the_rules_page_is_made_again_only_when_its_file_or_the_rules_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its text is the code's: while its file is as written and no rule is added, it is not even made."""
    from curriculum.content import RULES, Rule, Severity
    from curriculum.site import _generated_record, _prerender

    monkeypatch.setattr(_generated_record, "RACY_NS", 0)  # files just written are trusted too
    made: list[str] = []
    real = _prerender.rules_markdown
    monkeypatch.setattr(_prerender, "rules_markdown", lambda: made.append("rules") or real())
    page = project / "rules" / "index.qmd"

    def run() -> str:
        made.clear()
        _prerendered(project)
        return page.read_text(encoding="utf-8")

    first = run()
    assert made and run() == first and not made
    page.write_text("edited by hand", encoding="utf-8")
    assert run() == first and made
    monkeypatch.setitem(RULES, "CUR699", Rule("CUR699", Severity.warning, "A rule registered later."))
    assert "CUR699" in run() and made
    assert run() and not made


def test_only_the_pages_no_longer_generated_are_stale(tmp_path: Path) -> None:
    """A page folder's ``.qmd`` files the build does not generate are stale; its other files stay."""
    from curriculum.site._prerender import _stale_pages

    (tmp_path / "quiz").mkdir()
    for name in ("a.qmd", "gone.qmd", "notes.txt", "gone.qmd.bak"):
        (tmp_path / "quiz" / name).write_text(name, encoding="utf-8")
    generated = {"quiz/a.qmd": None, "cases/b.qmd": None}  # no cases/ folder yet: nothing stale there
    assert _stale_pages(tmp_path, generated) == [tmp_path / "quiz" / "gone.qmd"]  # type: ignore[arg-type]
