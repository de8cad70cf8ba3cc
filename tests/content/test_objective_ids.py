"""Lint L25 finds an objective id only where a text names it whole."""

from __future__ import annotations

from curriculum.content import load_curriculum
from curriculum.content._objective_ids import _objectives, _scanner
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
