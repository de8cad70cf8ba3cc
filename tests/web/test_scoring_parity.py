"""The quiz score agrees in Python (curriculum.assess) and in the browser (web/scoring.js).

Both read the shared cases in ``tests/data/scoring.json``; the JavaScript runs under Node.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests import node

from curriculum.assess import item_correct, passed, score

SCORING = Path(__file__).resolve().parents[1] / "data" / "scoring.json"

SCRIPT = """
import { itemCorrect, passed, score } from "./src/curriculum/web/scoring.js";
console.log(JSON.stringify({
  items: DATA.items.map((c) => itemCorrect(c.answer, c.response)),
  quizzes: DATA.quizzes.map((c) => {
    const value = score(c.answers, c.responses);
    return { score: value, passed: passed(value, c.pass_mark) };
  }),
  empty: score({}, {}),
}));
"""


def test_scoring_parity_with_python():
    cases = json.loads(SCORING.read_text(encoding="utf-8"))
    js = node.run(SCRIPT, cases)
    assert len(js["items"]) == len(cases["items"]) > 0
    for case, correct in zip(cases["items"], js["items"], strict=True):
        assert correct == item_correct(case["answer"], case["response"]) == case["correct"], case["why"]
    for case, result in zip(cases["quizzes"], js["quizzes"], strict=True):
        py_score = score(case["answers"], case["responses"])
        assert result["score"] == pytest.approx(py_score, abs=1e-12), case["why"]
        assert py_score == pytest.approx(case["score"]), case["why"]
        assert result["passed"] == passed(py_score, case["pass_mark"]) == case["passed"], case["why"]
    assert js["empty"] == score({}, {}) == 0
