"""A check after a one-file edit finds exactly what a cold check finds, and redoes only the changed texts."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from curriculum import _memo
from curriculum._cache import PROJECT_CACHE
from curriculum.content import (
    CHECK_RECORD,
    Diagnostic,
    _item_lint,
    _privacy,
    _project,
    _raw_html,
    check_curriculum,
    check_paths,
    load_curriculum,
)
from curriculum.content._texts import texts
from tests.conftest import INVALID, PROJECT, aged

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


def memo_asks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Return the list of the namespaces of every memo look-up (``Memo.get``) from now on."""
    asked: list[str] = []
    real = _memo.Memo.get

    def get(self: _memo.Memo[Any], text: str, compute: Any, *, context: str = "") -> Any:
        asked.append(self.namespace)
        return real(self, text, compute, context=context)

    monkeypatch.setattr(_memo.Memo, "get", get)
    return asked


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
    assert any((project / PROJECT_CACHE / "memo").glob("lint.item-writing.*.jsonl")), "its files or journal"
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


def test_a_check_after_a_quiz_edit_reads_no_other_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unchanged files come from the content index, and their findings from the memo: no cell is read."""
    mutate(project)
    warm(aged(project))
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("30-year-old woman", "31-year-old woman"))
    read: list[str] = []
    reread = _project._IndexedDocument._read
    monkeypatch.setattr(
        _project._IndexedDocument, "_read", lambda doc: read.append(doc.display) or reread(doc)
    )
    lessons = 0

    def counted(*args: object) -> object:
        nonlocal lessons
        lessons += 1
        return real_notebook(*args)  # type: ignore[arg-type]

    real_notebook = _project.read_notebook
    monkeypatch.setattr(_project, "read_notebook", counted)
    after = warm(project)
    assert (read, lessons) == ([], 0), "no lesson or notes file is read for its cells, none parsed again"
    monkeypatch.undo()
    assert after == cold(project)


def test_content_made_in_code_is_checked_each_time() -> None:
    """A document with no file (no digest) is never taken from the memo: its texts are checked as they are."""
    from dataclasses import replace

    cur = load_curriculum(PROJECT)
    quiz_id, quiz = next(iter(cur.quizzes.items()))
    stem = "A schizophrenic man asks a question written in code, with no file behind it."
    items = [quiz.model.items[0].model_copy(update={"stem": stem}), *quiz.model.items[1:]]
    model = quiz.model.model_copy(update={"items": items})
    cur.tables["quizzes"][quiz_id] = replace(quiz, model=model, digest="")
    with _memo.memo_session(PROJECT):
        found = check_curriculum(cur)
    assert any(d.code == "L24" and "schizophrenic" in d.message for d in found)


def test_every_text_scan_of_an_unchanged_file_is_one_look_up(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All scans' results for a file come together; a new bibliography key rescans the citations only."""
    from curriculum.content import _language

    mutate(project)
    warm(aged(project))
    asked = memo_asks(monkeypatch)
    assert warm(project) and set(asked) == {"lint.raw-html.markdown"}, "only the pages' lint (it always runs)"
    (project / PROJECT_CACHE / CHECK_RECORD).unlink()
    again = warm(project)
    documents = len(list(load_curriculum(project).documents()))
    assert asked.count("content.text-scans") == documents
    assert not {n for n in asked if n in ("lint.language", "lint.privacy", "lint.unresolved-citations")}

    bib = project / "references.bib"
    bib.write_text(bib.read_text() + "\n@misc{newkey2026, title = {A new entry}, year = {2026}}\n")
    monkeypatch.setattr(_language, "_scan", lambda text: pytest.fail("the language scan ran again"))
    monkeypatch.setattr(_privacy, "_scan", lambda text: pytest.fail("the privacy scan ran again"))
    asked.clear()
    after = warm(project)
    assert asked.count("lint.unresolved-citations") == documents, "the citations, with the new keys"
    monkeypatch.undo()
    assert after == cold(project) and again != [] and [d for d in again if d.code == "L24"]
