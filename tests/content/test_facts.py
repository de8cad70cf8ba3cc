"""Facts about each document, kept by its text's digest in one file: reused while the text stands."""

from __future__ import annotations

from pathlib import Path

import pytest

from curriculum.content import DocumentFacts, load_curriculum
from tests.conftest import PROJECT


def test_facts_are_made_once_per_text_and_only_for_documents_asked_for(tmp_path: Path) -> None:
    cur = load_curriculum(PROJECT)
    quiz, case = cur.quizzes["intro"], cur.vignettes["first-visit"]
    path = tmp_path / "facts.json"
    first = DocumentFacts(path, tmp_path, "test 1")
    assert first.get(quiz, lambda: {"title": quiz.model.title}) == {"title": quiz.model.title}
    assert first.get(case, lambda: ("a", "tuple")) == ["a", "tuple"], "as the file gives it back"
    first.save()
    again = DocumentFacts(path, tmp_path, "test 1")
    assert again.get(quiz, lambda: pytest.fail("made again")) == {"title": quiz.model.title}
    again.save()  # only the quiz was asked for: the case's facts go
    third = DocumentFacts(path, tmp_path, "test 1")
    assert third.get(case, lambda: "made") == "made" and third.made == 1
    assert DocumentFacts(path, tmp_path, "test 2").get(quiz, lambda: "other") == "other", "another name"


@pytest.mark.parametrize("text", ["", "not json", '{"facts": "x"}\n{}', "[1, 2]\n"])
def test_a_damaged_or_foreign_file_is_no_file(tmp_path: Path, text: str) -> None:
    cur = load_curriculum(PROJECT)
    path = tmp_path / "facts.json"
    path.write_text(text)
    facts = DocumentFacts(path, tmp_path, "test 1")
    assert facts.get(cur.quizzes["intro"], lambda: "made") == "made" and facts.made == 1


def test_facts_kept_as_expected_are_taken_all_at_once_and_kept(tmp_path: Path) -> None:
    """``kept_as`` takes the documents whose facts are kept as the caller expects; the others are left."""
    cur = load_curriculum(PROJECT)
    quiz, case = cur.quizzes["intro"], cur.vignettes["first-visit"]
    path = tmp_path / "facts.json"
    first = DocumentFacts(path, tmp_path, "test 1")
    first.get(quiz, lambda: [])
    first.get(case, lambda: ["found"])
    first.save()
    again = DocumentFacts(path, tmp_path, "test 1")
    expected = [[quiz.digest, []], [case.digest, []]]  # the case's facts are not those expected
    assert again.kept_as([quiz.display, case.display], expected) == {quiz.display}
    assert again.kept_as([case.display], [["another text", ["found"]]]) == set()
    assert again.get(quiz, lambda: pytest.fail("made again")) == [] and again.made == 0
    again.save()  # the quiz counts as asked for; the case, not asked, goes
    third = DocumentFacts(path, tmp_path, "test 1")
    assert third.kept_as([quiz.display, case.display], expected) == {quiz.display}
    assert third.get(case, lambda: "made") == "made" and third.made == 1
