"""Scoring rules, the reference implementation the browser mirrors.

An item is correct when the set of options the learner selected equals the
set of keyed options (for a single-best-answer item, one option). There is
no partial credit: select-all-that-apply items are all or nothing, as in
NBME practice. ``web/scoring.js`` implements the same rules; the shared cases in
``tests/data/scoring.json`` keep the two in step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

__all__ = ["item_correct", "passed", "score"]


def item_correct(answer: Iterable[str], response: Iterable[str] | None) -> bool:
    """Return whether ``response`` (the selected option ids) matches ``answer``.

    Parameters
    ----------
    answer : Iterable[str]
        The keyed option ids.
    response : Iterable[str] | None
        The selected option ids, or None if unanswered.

    Returns
    -------
    bool
        True only for exactly the keyed set.
    """
    if response is None:
        return False
    chosen = set(response)
    return bool(chosen) and chosen == set(answer)


def score(answers: Mapping[str, Sequence[str]], responses: Mapping[str, Sequence[str]]) -> float:
    """Return the proportion of items answered correctly.

    Parameters
    ----------
    answers : Mapping[str, Sequence[str]]
        Item id to keyed option ids; every item of the quiz.
    responses : Mapping[str, Sequence[str]]
        Item id to selected option ids; unanswered items may be missing.

    Returns
    -------
    float
        Correct items divided by all items (0 for an empty quiz).
    """
    if not answers:
        return 0.0
    correct = sum(item_correct(key, responses.get(item)) for item, key in answers.items())
    return correct / len(answers)


def passed(value: float, pass_mark: float | None) -> bool | None:
    """Return whether ``value`` reaches ``pass_mark`` (None when there is no pass mark).

    A tiny tolerance keeps 7 of 10 at a 0.7 pass mark a pass despite floating point.
    """
    if pass_mark is None:
        return None
    return value + 1e-9 >= pass_mark
