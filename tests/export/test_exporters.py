"""The exporter registry and ``curriculum export``: the handout, a new format in one class, bad input."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from curriculum.components import Mount
from curriculum.content import Document, Quiz, load_curriculum
from curriculum.export import EXPORTERS, ExportContext, Exporter, Handout
from curriculum.hosts.static import static_fragment
from curriculum.project import Project
from curriculum.render import PageWriter
from curriculum.site import payload_builder
from curriculum.site._prerender import prerender
from tests.browser import serve, wait_until
from tests.cli.test_cli import run


class ItemIds:
    """A toy format, registered the way a new format is: one class and one registration."""

    name = "ids"
    suffix = ".txt"
    description = "each item's id, one per line"

    def export(self, quiz: Document[Quiz], context: ExportContext) -> str:
        return "".join(f"{item.id}\n" for item in quiz.model.items)


@pytest.fixture
def item_ids() -> Iterator[ItemIds]:
    exporter = ItemIds()
    EXPORTERS.register(exporter)
    try:
        yield exporter
    finally:
        EXPORTERS.unregister("ids")


def test_the_handout_is_the_first_exporter_and_keeps_the_protocol() -> None:
    assert next(iter(EXPORTERS)) == "handout"
    assert isinstance(EXPORTERS["handout"], Handout) and isinstance(EXPORTERS["handout"], Exporter)
    with pytest.raises(ValueError, match="already registered"):
        EXPORTERS.register(Handout())
    bad = ItemIds()
    bad.suffix = "txt"
    with pytest.raises(ValueError, match="must start with a dot"):
        EXPORTERS.register(bad)
    assert "ids" not in EXPORTERS


def test_a_new_format_is_one_class_and_one_registration(
    item_ids: ItemIds, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.chdir(project)
    out = tmp_path / "out"
    status, printed, err = run(["export", "ids", "intro", "--out", str(out)], capsys)
    assert status == 0, err
    assert printed.split() == [str(out / "intro.txt")]
    quiz = load_curriculum(project).quizzes["intro"].model
    assert (out / "intro.txt").read_text() == "".join(f"{item.id}\n" for item in quiz.items)
    assert isinstance(item_ids, Exporter)


def test_export_writes_every_quiz_by_default_and_only_when_changed(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.chdir(project)
    out = tmp_path / "handouts"
    status, printed, err = run(["export", "handout", "--out", str(out)], capsys)
    assert status == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["intro-final.html", "intro.html"]
    assert printed.split() == [str(out / "intro.html"), str(out / "intro-final.html")]  # in id order
    before = (out / "intro.html").stat().st_mtime_ns
    status, _, _ = run(["export", "handout", "intro", "--out", str(out)], capsys)
    assert status == 0 and (out / "intro.html").stat().st_mtime_ns == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "gif", "--out", "x"], "'gif' is not one of 'handout', 'gift'"),
        (["export", "handout", "intr", "--out", "x"], "there is no quiz `intr` (did you mean `intro`?)"),
        (["export", "handout"], "Missing option '--out'"),
    ],
)
def test_export_refuses_what_it_cannot_do(
    args: list[str], message: str, project: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.chdir(project)
    status, _, err = run(args, capsys)
    assert status == 2 and message in err and "Traceback" not in err
    assert not (project / "x").exists()


def test_export_refuses_content_with_errors(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("kind: formative", "kind: formativ"))
    monkeypatch.chdir(project)
    status, _, err = run(["export", "handout", "--out", "out"], capsys)
    assert status == 1 and "quizzes/intro.yml:3:7" in err
    assert not (project / "out").exists()


def _context(project: Path, profile: str = "resident") -> ExportContext:
    cur = load_curriculum(project)
    builder = payload_builder(Project(project), cur, profile)
    return ExportContext(cur, builder.renderer, builder.profile)


def test_the_quiz_page_shows_the_exporters_handout(project: Path) -> None:
    context = _context(project)
    cur = context.curriculum
    builder = payload_builder(Project(project), cur, "resident")
    page = prerender(project, cur, builder, reference=False).pages["quiz/intro.qmd"].text
    section = "".join(
        p if isinstance(p, str) else p[0] for p in Handout().pieces(cur.quizzes["intro"], context)
    )
    assert section in page and section.startswith('<section class="cur-handout"')
    assert "feedback" not in section.lower() and "rationale" not in section.lower()


def test_a_handout_item_is_located_at_its_stem(project: Path) -> None:
    context = _context(project)
    doc = context.curriculum.quizzes["intro"]
    page = PageWriter("t")
    page.raw(*Handout().pieces(doc, context))
    generated = page.finish()
    lines = generated.text.split("\n")
    line = next(n for n, text in enumerate(lines, 1) if "handout-item" in text)
    col = lines[line - 1].index('<li class="handout-item"') + 1
    assert generated.locate(line, col) == (doc.display, doc.at("items", 0, "stem"))
    assert generated.locate(line, 1) is None  # the section's opening is the package's own words


@pytest.mark.browser
def test_the_handout_file_opens_in_chromium_with_its_own_policy(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any, open_page: Any
) -> None:
    monkeypatch.chdir(project)
    out = tmp_path / "handouts"
    assert run(["export", "handout", "intro", "--out", str(out)], capsys)[0] == 0
    with serve(out) as base:
        page = open_page()  # fails at teardown on any CSP violation (the style's hash) or other request
        page.goto(f"{base}/intro.html")
        wait_until(page, "document.querySelectorAll('.handout-item').length === 2")
        assert page.evaluate("getComputedStyle(document.querySelector('.option-letter')).fontWeight") == "700"
        letters = page.locator(".handout-item").first.locator(".option-letter").all_inner_texts()
        assert sorted(letters) == ["a.", "b.", "c.", "d."] and letters != ["a.", "b.", "c.", "d."]
        assert not re.search(r"[Cc]orrect|[Rr]ationale", page.inner_text("body"))


def test_a_component_block_on_a_generated_page_is_recorded(project: Path) -> None:
    cur = load_curriculum(project)
    builder = payload_builder(Project(project), cur, "resident")
    page = PageWriter("t")
    markup = static_fragment(Mount("quiz", ("intro",)).payload(builder))
    page.component("quiz", ("intro",), markup, ("quizzes/intro.yml", (1, 1)))
    generated = page.finish()
    ((block, kind, args),) = generated.components
    assert kind == "quiz" and args == ("intro",) and block in generated.text and markup in block


def test_a_place_is_looked_up_only_when_a_problem_asks_for_it() -> None:
    """A generated page records how to find each authored place; it looks one up only for a problem."""
    asked: list[str] = []

    def where(name: str) -> Callable[[], tuple[str, tuple[int, int]]]:
        return lambda: asked.append(name) or (f"{name}.yml", (3, 5))

    page = PageWriter("A title", where("title"))
    page.markdown(("First part.", where("first")))
    page.raw(("<p>Second part.</p>", where("second")))
    generated = page.finish()
    assert asked == []
    line = generated.text.split("\n").index("<p>Second part.</p>") + 1
    assert generated.locate(line, 4) == ("second.yml", (3, 5)) and asked == ["second"]
