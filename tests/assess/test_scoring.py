"""The reference scoring rules, on the cases the browser mirror is also tested against."""

from __future__ import annotations

import json

import pytest

from curriculum.assess import item_correct, passed, score
from tests.conftest import DATA

CASES = json.loads((DATA / "scoring.json").read_text())


@pytest.mark.parametrize("case", CASES["items"], ids=[c["why"] for c in CASES["items"]])
def test_item_cases(case: dict[str, object]) -> None:
    assert item_correct(case["answer"], case["response"]) is case["correct"]  # type: ignore[arg-type]


@pytest.mark.parametrize("case", CASES["quizzes"], ids=[c["why"] for c in CASES["quizzes"]])
def test_quiz_cases(case: dict[str, object]) -> None:
    value = score(case["answers"], case["responses"])  # type: ignore[arg-type]
    assert value == pytest.approx(case["score"])
    assert passed(value, case["pass_mark"]) is case["passed"]  # type: ignore[arg-type]


def test_empty_quiz_scores_zero() -> None:
    assert score({}, {}) == 0.0
