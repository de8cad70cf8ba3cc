"""Lint L25 finds an objective id only where a text names it whole."""

from __future__ import annotations

from pathlib import Path

from curriculum.content import load_curriculum
from curriculum.content._objective_ids import _objectives, _scanner
from curriculum.content._texts import TextField
from tests.conftest import PROJECT


def test_an_id_is_found_only_as_a_whole_run_of_word_characters_and_hyphens() -> None:
    scanner = _scanner(_objectives(load_curriculum(PROJECT)) or {})
    assert scanner is not None
    text = "See intro-1 (and intro-2). Not intro-10, xintro-1, intro-1-b, intro-1_b, INTRO-1 or -intro-1."
    assert scanner.scan(text) == [(4, "intro-1"), (17, "intro-2")]


def test_the_scan_is_keyed_by_every_objective_id() -> None:
    scanner = _scanner(_objectives(load_curriculum(PROJECT)) or {})
    assert scanner is not None
    assert scanner.context.split("\n") == sorted(scanner.context.split("\n"))
    assert {"intro-1", "intro-2"} <= set(scanner.context.split("\n"))


def test_the_context_keeps_of_each_objective_only_the_words_a_finding_quotes(project: Path) -> None:
    """The check's record keeps every scan's context: of an objective, the words quoted, not all of it."""
    notebook = project / "lessons" / "intro.ipynb"
    long = "Describe the alliance as a common factor, " + "across every school of therapy, " * 4
    text = notebook.read_text(encoding="utf-8")
    assert "Describe the alliance as a common factor." in text
    notebook.write_text(text.replace("Describe the alliance as a common factor.", long, 1), encoding="utf-8")
    objectives = _objectives(load_curriculum(project)) or {}
    words = " ".join(long.split())
    assert len(words) > 80
    assert objectives["intro-1"] == words[:80] + "…"
    assert objectives["intro-2"] == "Place supportive work on the Y model."
    scanner = _scanner(objectives)
    field = TextField(load_curriculum(project).quizzes["intro"], ("instructions",), "See intro-1.", (), False)
    [finding] = scanner.report(field, scanner.scan(field.text))
    assert finding.diagnostic.hint == f"say what it asks in words: “{words[:80]}…”"
