"""One learner's mastery per objective and per ACGME subcompetency, from their progress file.

The learner's dashboard shows it: on the site (``web/mastery.js``) and in
JupyterLab (``curriculum.progress()``). Mastery of an objective is the share
of correct answers to the items mapped to it, in each quiz's latest attempt
that has results: the items of a formative attempt the learner has checked,
every item of a submitted pre- or post-test (unanswered counts as wrong). A
summative quiz has none: faculty grade it from its response file. An
ACGME subcompetency is reached through the objectives: an item counts towards
each subcompetency of its objectives, once, as in the faculty's report
(:mod:`curriculum.assess._analysis`).

The site has no answer key, so its quizzes record at submission, per item,
whether the answer was correct (an attempt's ``results``); here the items are
scored against the repository's key with :func:`item_correct`, the reference
the browser mirrors, so an attempt saved before quizzes recorded ``results``
counts too. :func:`tally_mastery` is the shared rule, checked against
``tests/data/mastery.json`` on both sides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from curriculum.assess._scoring import item_correct
from curriculum.content import Quiz

__all__ = ["Tally", "latest_results", "tally_mastery"]


@dataclass(frozen=True)
class Tally:
    """Correct answers out of answered items, for one objective or subcompetency.

    Attributes
    ----------
    correct, answered : int
        Items answered correctly; items answered (with results).
    """

    correct: int = 0
    answered: int = 0

    @property
    def share(self) -> float | None:
        """The share correct, or None when nothing was answered (not yet assessed)."""
        return self.correct / self.answered if self.answered else None


def latest_results(quiz: Quiz, state: Mapping[str, Any]) -> dict[str, bool] | None:
    """Return item id to correct for a quiz's latest attempt with results, or None.

    Parameters
    ----------
    quiz : Quiz
        The quiz, with its key.
    state : Mapping
        Its saved state (``{"attempts": [...]}``), as stored or imported.

    Returns
    -------
    dict[str, bool] | None
        The checked items of a formative attempt, or every item of a submitted pre- or
        post-test; None when no attempt has any, and always for a summative quiz.
    """
    if quiz.kind == "summative":
        return None
    attempts = state.get("attempts")
    if not isinstance(attempts, list):
        return None
    keys = {item.id: item.key_ids for item in quiz.items}
    for attempt in reversed(attempts):
        if not isinstance(attempt, Mapping):
            continue
        responses = attempt.get("responses")
        responses = responses if isinstance(responses, Mapping) else {}
        if quiz.kind == "formative":
            checked = attempt.get("checked")
            scored = [i for i in dict.fromkeys(checked) if i in keys] if isinstance(checked, list) else []
        else:
            scored = list(keys) if isinstance(attempt.get("submitted"), str) else []
        if scored:
            return {i: item_correct(keys[i], _ids(responses.get(i))) for i in scored}
    return None


def _ids(value: Any) -> list[str] | None:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else None


def tally_mastery(
    items: Mapping[str, Mapping[str, Sequence[str]]],
    competencies: Mapping[str, Sequence[str]],
    results: Mapping[str, Mapping[str, bool]],
) -> tuple[dict[str, Tally], dict[str, Tally]]:
    """Tally the answers per objective and per subcompetency (``tallyMastery`` in ``web/mastery.js``).

    Parameters
    ----------
    items : Mapping
        Quiz key (``quiz:intro``) to item id to the objective ids it measures.
    competencies : Mapping
        Objective id to its subcompetency codes.
    results : Mapping
        Quiz key to item id to whether it was answered correctly. Results for an item
        ``items`` does not know are left out.

    Returns
    -------
    tuple[dict[str, Tally], dict[str, Tally]]
        Per objective id, per subcompetency code; only those with answers.
    """
    objectives: dict[str, Tally] = {}
    codes: dict[str, Tally] = {}

    def add(table: dict[str, Tally], key: str, correct: bool) -> None:
        old = table.get(key, Tally())
        table[key] = Tally(old.correct + int(correct), old.answered + 1)

    for quiz, answers in results.items():
        mapped = items.get(quiz)
        if mapped is None:
            continue
        for item, correct in answers.items():
            measured = mapped.get(item)
            if measured is None:
                continue
            reached: dict[str, None] = {}
            for objective in dict.fromkeys(measured):
                add(objectives, objective, correct)
                reached.update(dict.fromkeys(competencies.get(objective, ())))
            for code in reached:
                add(codes, code, correct)
    return objectives, codes
