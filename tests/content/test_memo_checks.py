"""A check after a one-file edit finds exactly what a cold check finds, and redoes only the changed texts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from curriculum import _memo
from curriculum._cache import PROJECT_CACHE
from curriculum.content import (
    Diagnostic,
    _item_lint,
    _privacy,
    _raw_html,
    check_curriculum,
    check_paths,
    load_curriculum,
)
from curriculum.content._texts import texts
from tests.conftest import INVALID, PROJECT

FLAWED_ITEM = """
  - id: intro-q03
    type: single
    objectives: [intro-1]
    stem: |
      A schizophrenic man calls from 555-123-4567 about intro-1.
      Which of the following is NOT true?
    options:
      - {id: a, text: None of the above, feedback: "Too short."}
      - {id: b, text: The alliance always predicts outcome, feedback: "Absolute terms are a cue to rule out."}
      - {id: c, text: The alliance always predicts outcome., feedback: "Nearly the same as option b, a flaw."}
      - {id: d, text: Therapist experience may matter, feedback: "Vague terms mean different things."}
    answer: a
    rationale: Too short to teach [@krupnick1996].
    references: [krupnick1996]
"""


def cold(root: Path) -> list[Diagnostic]:
    """Check with no memo at all (outside a memo session every function runs)."""
    return check_curriculum(load_curriculum(root))


def warm(root: Path) -> list[Diagnostic]:
    """Check as ``curriculum check`` does, through the memo files, as a new process would."""
    _memo._stores.clear()
    return check_paths([], root).diagnostics


def mutate(root: Path) -> None:
    """Give the test project problems for every memoised check."""
    for overlay in ("l23", "l25", "cur705"):
        shutil.copytree(INVALID / "project" / overlay, root, dirs_exist_ok=True)
    with (root / "quizzes" / "intro.yml").open("a", encoding="utf-8") as quiz:
        quiz.write(FLAWED_ITEM)


@pytest.mark.parametrize("mutated", [False, True], ids=["clean", "mutated"])
def test_a_check_after_a_one_file_edit_is_a_cold_check(
    project: Path, mutated: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if mutated:
        mutate(project)
    before = cold(project)
    assert warm(project) == before, "the first check, filling the memo"
    assert any((project / PROJECT_CACHE / "memo").glob("lint.item-writing.?.jsonl"))
    if mutated:
        codes = {d.code for d in before}
        assert {"L02", "L04", "L05", "L15", "L21", "L23", "L24", "L25", "PHI-D", "CUR705"} <= codes, codes

    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("30-year-old woman", "30-year-old woman (tel. 555-987-6543)"))
    flawed: list[str] = []
    scanned: list[str] = []
    flaws, scan, identifiers = _item_lint._flaws, _raw_html.scan_markdown, _privacy._scan
    monkeypatch.setattr(_item_lint, "_flaws", lambda item: flawed.append(item.id) or flaws(item))
    monkeypatch.setattr(_raw_html, "scan_markdown", lambda text: scanned.append(text) or scan(text))
    monkeypatch.setattr(_privacy, "_scan", lambda text: scanned.append(text) or identifiers(text))

    after = warm(project)
    assert flawed == ["intro-q01"], "only the edited item is linted again"
    edited = [f.text for f in texts(load_curriculum(project)) if f.doc.path == quiz]
    assert any("555-987" in text for text in scanned), "the edited text"
    assert set(scanned) <= set(edited), "only the texts of the edited file"
    assert after == cold(project)
    assert after != before and any(d.code == "PHI-D" and "555-987-6543" in d.message for d in after)

    shutil.rmtree(project / PROJECT_CACHE / "memo")
    assert warm(project) == after, "an emptied memo"


def test_the_texts_are_grouped_once_while_the_files_are_the_same(tmp_path: Path) -> None:
    """The checks that read every text share one grouping; a replaced file or code-made content regroups."""
    from dataclasses import replace

    from curriculum.content._texts import _by_file

    cur = load_curriculum(PROJECT)
    first = _by_file(cur)
    assert first and _by_file(cur) is first
    assert [f.text for group in first for f in group] == [f.text for f in texts(cur)]
    quiz_id, quiz = next(iter(cur.quizzes.items()))
    stem = "A stem written in code, with no file behind it."
    items = [quiz.model.items[0].model_copy(update={"stem": stem}), *quiz.model.items[1:]]
    model = quiz.model.model_copy(update={"items": items})
    cur.tables["quizzes"][quiz_id] = replace(quiz, model=model, digest="")
    again = _by_file(cur)
    assert again is not first and stem in [f.text for group in again for f in group]
    assert _by_file(cur) is not again  # content made in code is read each time
