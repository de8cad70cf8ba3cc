"""Content-blind strategies: can a test-wise learner beat chance without reading the stem.

Single cues are linted item by item (L07, the longest option; L10, a clang
cue). A bank can still leak its keys in aggregate: if authors shorten every
key just below the longest distractor, the *second-longest* option becomes the
cue. This lint plays the test-wise learner over whole sets of items. Each
strategy picks an option by its form alone (length, the words it shares with
the stem or with the other options, its position); ties are broken at random,
so a strategy earns ``1/k`` on an item where the key is one of ``k`` tied
choices. Under the null hypothesis that form says nothing about the key, the
expected score of any such strategy on an item with ``n`` options has mean
``1/n`` (see :meth:`Strategy.credit` for its variance); summed over items, the
mean and standard error of a strategy's score follow. A strategy that beats
that mean by more than three standard errors is reported.

A quiz alone is a small sample, so a quiz gets a warning (L22); the whole bank
is large enough to judge, so the bank gets an error (L23), reported on the
quiz that feeds the strategy most.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from curriculum._memo import Memo
from curriculum.content._diagnostics import RULES, Severity
from curriculum.content._item_lint import stem_words
from curriculum.content._models import Quiz, SingleItem
from curriculum.content._project import Curriculum, Document
from curriculum.content._registry import Finding, check

__all__ = ["STRATEGIES", "Outcome", "Strategy", "play"]

QUIZ_CUE = RULES.add(
    "L22",
    Severity.warning,
    "A content-blind strategy beats chance on a quiz.",
    "Choosing by form alone (length, shared words, position) should score no better than chance; "
    "a quiz is a small sample, so this is a warning.",
    suppressible=True,
)
BANK_CUE = RULES.add(
    "L23",
    Severity.error,
    "A content-blind strategy beats chance on the whole item bank.",
    "Across every single-best-answer item, choosing by form alone must not beat chance by more "
    "than three standard errors.",
)

THRESHOLD = 3.0
"""Standard errors above chance at which a strategy is reported."""
MIN_ITEMS = 5
"""Smallest set of items worth judging."""
_SHOWN = 6


def _by_length(rank: int, *, shortest: bool = False) -> Callable[[SingleItem], list[int]]:
    """Pick the option(s) at ``rank`` (0-based) in order of length, ties kept together."""

    def pick(item: SingleItem) -> list[int]:
        lengths = [len(o.text.strip()) for o in item.options]
        order = sorted(set(lengths), reverse=not shortest)
        if rank >= len(order):
            return []
        return [i for i, n in enumerate(lengths) if n == order[rank]]

    return pick


def _argmax(scores: Sequence[float]) -> list[int]:
    best = max(scores)
    return [i for i, s in enumerate(scores) if s == best]


def _most_like_stem(item: SingleItem) -> list[int]:
    stem = stem_words(item.stem)
    return _argmax([len(stem & stem_words(o.text)) for o in item.options])


def _most_like_others(item: SingleItem) -> list[int]:
    words = [stem_words(o.text) for o in item.options]
    return _argmax([sum(len(w & v) for j, v in enumerate(words) if j != i) for i, w in enumerate(words)])


def _ruling_out(pick: Callable[[SingleItem], list[int]]) -> Callable[[SingleItem], list[int]]:
    """Guess among the options that ``pick`` would not choose (elimination by form)."""

    def guess(item: SingleItem) -> list[int]:
        ruled_out = set(pick(item))
        rest = [i for i in range(len(item.options)) if i not in ruled_out]
        return rest or list(range(len(item.options)))

    return guess


def _position(index: int) -> Callable[[SingleItem], list[int]]:
    def pick(item: SingleItem) -> list[int]:
        return [min(index, len(item.options) - 1)]

    return pick


@dataclass(frozen=True)
class Strategy:
    """A way of choosing an option without reading the stem.

    Attributes
    ----------
    name : str
        What the learner does, e.g. "choose the longest option".
    pick : Callable[[SingleItem], list[int]]
        The indices of the options the strategy would choose; one is taken at random.
    """

    name: str
    pick: Callable[[SingleItem], list[int]]

    def credit(self, item: SingleItem) -> tuple[float, float]:
        """Return the expected score on ``item``, and its variance if the key's place were random.

        The strategy takes one of its ``k`` choices at random, so it scores ``1/k`` when the
        key is among them. If the key were any of the ``n`` options with equal chance, that
        score would be ``1/k`` with probability ``k/n``: mean ``1/n``, variance
        ``1/(k n) - 1/n**2``.
        """
        chosen = self.pick(item)
        n, k = len(item.options), len(chosen)
        ids = [o.id for o in item.options]
        key = ids.index(str(item.answer)) if item.answer in ids else -1
        return (1 / k if key in chosen else 0.0), 1 / (k * n) - 1 / n**2


STRATEGIES: tuple[Strategy, ...] = (
    Strategy("choose the longest option", _by_length(0)),
    Strategy("choose the second-longest option", _by_length(1)),
    Strategy("choose the shortest option", _by_length(0, shortest=True)),
    Strategy("choose the option sharing most words with the stem", _most_like_stem),
    Strategy("choose the option sharing most words with the other options", _most_like_others),
    Strategy("rule out the longest option and guess among the rest", _ruling_out(_by_length(0))),
    Strategy(
        "rule out the option sharing most words with the stem and guess among the rest",
        _ruling_out(_most_like_stem),
    ),
    *(Strategy(f"always choose option {chr(97 + p)}", _position(p)) for p in range(5)),
)
"""Every content-blind strategy the lint plays."""


@dataclass(frozen=True)
class Outcome:
    """How one strategy fared on a set of items.

    Attributes
    ----------
    strategy : Strategy
        The strategy played.
    score : float
        Expected number of items it answers correctly.
    chance : float
        Expected number under the null (the sum of ``1/n`` over items).
    se : float
        Standard error of the score under the null.
    n : int
        Number of items.
    hits : tuple[str, ...]
        Ids of the items that feed it most (those where it earns its largest credit), in order.
    """

    strategy: Strategy
    score: float
    chance: float
    se: float
    n: int
    hits: tuple[str, ...]

    @property
    def z(self) -> float:
        """Standard errors above chance."""
        return (self.score - self.chance) / self.se if self.se > 0 else 0.0

    def describe(self) -> str:
        """One sentence for a message: strategy, score, chance and margin."""
        return (
            f"'{self.strategy.name}' scores {100 * self.score / self.n:.0f}% "
            f"({self.score:.1f} of {self.n} items) where chance is {100 * self.chance / self.n:.0f}% "
            f"(+{self.z:.1f} standard errors)"
        )


def play(items: Sequence[SingleItem], strategy: Strategy) -> Outcome:
    """Play ``strategy`` on ``items`` and compare its score with chance.

    Parameters
    ----------
    items : Sequence[SingleItem]
        Single-best-answer items.
    strategy : Strategy
        The content-blind strategy.

    Returns
    -------
    Outcome
        The expected score, chance, its standard error and the items answered for sure.
    """
    return _outcome(items, strategy, [strategy.credit(it) for it in items])


def _outcome(
    items: Sequence[SingleItem], strategy: Strategy, credits: Sequence[tuple[float, float]]
) -> Outcome:
    """Compare the credits ``strategy`` earns on ``items`` with chance."""
    chance = sum(1 / len(it.options) for it in items)
    variance = sum(var for _, var in credits)
    best = max((score for score, _ in credits), default=0.0)
    hits = tuple(it.id for it, (score, _) in zip(items, credits, strict=True) if score and score == best)
    total = sum(score for score, _ in credits)
    return Outcome(strategy, total, chance, math.sqrt(variance), len(items), hits)


def _single(doc: Document[Quiz]) -> list[SingleItem]:
    return [it for it in doc.model.items if isinstance(it, SingleItem) and isinstance(it.answer, str)]


def _decode_credits(data: Any) -> list[tuple[float, float]]:
    """Return an item's credits stored as JSON; raise for data of another shape (then recomputed)."""
    if len(data) != len(STRATEGIES):
        raise ValueError("not one credit per strategy")
    return [(float(score), float(variance)) for score, variance in data]


_CREDITS = Memo[list[tuple[float, float]]]("lint.content-blind", 1, list, _decode_credits)
"""What every strategy earns on an item (:meth:`Strategy.credit`), keyed by the item's JSON."""


def _credits(item: SingleItem) -> list[tuple[float, float]]:
    """Return the credit of every strategy of :data:`STRATEGIES` on ``item``, in their order."""
    return _CREDITS.get(item.model_dump_json(), lambda: [s.credit(item) for s in STRATEGIES])


def _beaten(items: Sequence[SingleItem], table: Sequence[list[tuple[float, float]]]) -> Iterator[Outcome]:
    """Yield the outcome of each strategy that beats chance on ``items``, given their :func:`_credits`."""
    if len(items) < MIN_ITEMS:
        return
    for column, strategy in enumerate(STRATEGIES):
        outcome = _outcome(items, strategy, [row[column] for row in table])
        if outcome.z > THRESHOLD:
            yield outcome


def _listed(ids: Sequence[str]) -> str:
    shown = ", ".join(f"`{i}`" for i in ids[:_SHOWN])
    return shown + (f" and {len(ids) - _SHOWN} more" if len(ids) > _SHOWN else "")


_HINT = (
    "vary which option is longest (the key only as often as chance), make distractors as specific "
    "and as plausible as the key, and balance the words they share"
)


def _findings(outcomes: Sequence[Outcome]) -> str:
    """One message for every strategy that beats chance (diagnostics at one place are one)."""
    return "; ".join(f"{o.describe()}, answering {_listed(o.hits)}" for o in outcomes)


@check
def content_blind_strategies(cur: Curriculum) -> Iterator[Finding]:
    """Play every content-blind strategy on each quiz (L22) and on the whole bank (L23)."""
    quizzes = [(doc, _single(doc)) for doc in cur.quizzes.values()]
    tables = [[_credits(it) for it in items] for _, items in quizzes]
    for (doc, items), table in zip(quizzes, tables, strict=True):
        if beaten := list(_beaten(items, table)):
            yield Finding(QUIZ_CUE.at(doc.display, doc.key_at("items"), _findings(beaten), _HINT), doc, ())
    if len(quizzes) < 2:
        return
    bank = [it for _, items in quizzes for it in items]
    if not (beaten := list(_beaten(bank, [row for table in tables for row in table]))):
        return
    hits = {i for outcome in beaten for i in outcome.hits}
    feeding = sorted(((sum(i.id in hits for i in items), doc) for doc, items in quizzes), key=lambda p: -p[0])
    where = feeding[0][1]
    worst = ", ".join(f"{doc.id} ({n})" for n, doc in feeding[:3] if n)
    summary = "; ".join(o.describe() for o in beaten)
    yield Finding(
        BANK_CUE.at(
            where.display,
            where.key_at("items"),
            f"across the bank of {len(bank)} single-best-answer items, {summary}; "
            f"the quizzes that feed it most: {worst}",
            _HINT,
        ),
        where,
        (),
    )
