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
quiz that feeds the strategy most. What a strategy earns on an item follows
from two small numbers, how many options it chooses among (negated when the
key is not one of them) and how many the item has; those of each quiz are kept
by its text's digest, so after an edit of one quiz the bank is judged again
from the edited quiz's items and the others' numbers (see :func:`bank_cues`).
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, compress, repeat
from typing import Any, NamedTuple

from curriculum._memo import Memo
from curriculum.content._diagnostics import RULES, Severity
from curriculum.content._facts import document_fact, known_fact
from curriculum.content._item_lint import stem_words
from curriculum.content._models import Quiz, SingleItem
from curriculum.content._project import Curriculum, Document
from curriculum.content._registry import Finding, check, document_check, no_context, quizzes

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
    """Pick the option(s) at ``rank`` (0-based) in order of length, ties kept together.

    With fewer lengths than that (options all of a length, say), length tells
    nothing: the strategy guesses among every option.
    """

    def pick(item: SingleItem) -> list[int]:
        lengths = [len(o.text.strip()) for o in item.options]
        order = sorted(set(lengths), reverse=not shortest)
        if rank >= len(order):
            return list(range(len(lengths)))
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

    def choices(self, item: SingleItem) -> int:
        """Return how many options the strategy chooses among on ``item``, negated if the key is not one.

        What it earns on the item follows from that and the number of options
        (see :meth:`credit`).
        """
        chosen = self.pick(item)
        ids = [o.id for o in item.options]
        key = ids.index(str(item.answer)) if item.answer in ids else -1
        return len(chosen) if key in chosen else -len(chosen)

    def credit(self, item: SingleItem) -> tuple[float, float]:
        """Return the expected score on ``item``, and its variance if the key's place were random.

        The strategy takes one of its ``k`` choices at random, so it scores ``1/k`` when the
        key is among them. If the key were any of the ``n`` options with equal chance, that
        score would be ``1/k`` with probability ``k/n``: mean ``1/n``, variance
        ``1/(k n) - 1/n**2``.
        """
        choices = self.choices(item)
        return _score(choices), _variance(choices, len(item.options))


@functools.cache
def _score(choices: int) -> float:
    """Return what a strategy scores on an item where it makes ``choices`` (:meth:`Strategy.choices`)."""
    return 1 / choices if choices > 0 else 0.0


@functools.cache
def _variance(choices: int, options: int) -> float:
    """Return the variance of that score if the key were any of the ``options`` with equal chance."""
    k = abs(choices)
    return 1 / (k * options) - 1 / options**2


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
    played = _Credits([it.id for it in items], [len(it.options) for it in items], [])
    return _outcome(played, strategy, [strategy.choices(it) for it in items], _chance(played))


class _Credits(NamedTuple):
    """What every strategy chooses on a set of single-best-answer items: a quiz's, or the whole bank's.

    What a strategy earns on an item follows from its choices there and the
    item's number of options (see :meth:`Strategy.credit`): two small numbers,
    kept of each quiz by its text's digest (:func:`_credits_of`).

    Attributes
    ----------
    ids : list[str]
        The items' ids, in order.
    sizes : list[int]
        How many options each item has.
    choices : list[list[int]]
        For each strategy of :data:`STRATEGIES`, in their order, its choices on
        each item (:meth:`Strategy.choices`).
    """

    ids: list[str]
    sizes: list[int]
    choices: list[list[int]]


def _chance(credits: _Credits) -> float:
    """Return the expected number of items any strategy answers if form told nothing: the sum of ``1/n``."""
    return sum(1 / n for n in credits.sizes)


def _outcome(credits: _Credits, strategy: Strategy, choices: Sequence[int], chance: float) -> Outcome:
    """Compare the credits ``strategy`` earns on the items of ``credits``, by its ``choices``, with chance."""
    scores = list(map(_score, choices))
    variance = sum(map(_variance, choices, credits.sizes))
    best = max(scores, default=0.0)
    hits = tuple(compress(credits.ids, map(best.__eq__, scores))) if best else ()
    return Outcome(strategy, sum(scores), chance, math.sqrt(variance), len(credits.ids), hits)


def _beaten(credits: _Credits) -> Iterator[Outcome]:
    """Yield the outcome of each strategy that beats chance on the items of ``credits``."""
    if len(credits.ids) < MIN_ITEMS:
        return
    chance = _chance(credits)
    for strategy, choices in zip(STRATEGIES, credits.choices, strict=True):
        outcome = _outcome(credits, strategy, choices, chance)
        if outcome.z > THRESHOLD:
            yield outcome


def _single(doc: Document[Quiz]) -> list[SingleItem]:
    return [it for it in doc.model.items if isinstance(it, SingleItem) and isinstance(it.answer, str)]


def _decode_choices(data: Any) -> list[int]:
    """Return an item's choices stored as JSON; raise for data of another shape (then made again)."""
    if not _column(data, len(STRATEGIES)):
        raise ValueError("not one choice per strategy")
    return list(data)


def _column(data: Any, length: int) -> bool:
    """Whether ``data`` is ``length`` numbers of options, none zero (tested in C: one a quiz's item)."""
    return (
        isinstance(data, list)
        and len(data) == length
        and all(map(isinstance, data, repeat(int)))
        and 0 not in data
    )


_CHOICES = Memo[list[int]]("lint.content-blind", 2, list, _decode_choices)
"""What every strategy chooses on an item (:meth:`Strategy.choices`), keyed by the item's JSON."""


def _choices(item: SingleItem) -> list[int]:
    """Return the choices of every strategy of :data:`STRATEGIES` on ``item``, in their order."""
    return _CHOICES.get(item.model_dump_json(), lambda: [s.choices(item) for s in STRATEGIES])


def _quiz_credits(doc: Document[Quiz]) -> list[Any]:
    """Return what every strategy chooses on each single-best-answer item of a quiz (a :class:`_Credits`)."""
    items = _single(doc)
    rows = list(map(_choices, items))
    columns = [[row[n] for row in rows] for n in range(len(STRATEGIES))]
    return [[it.id for it in items], [len(it.options) for it in items], columns]


def _credits_shape(facts: Any) -> bool:
    """Whether kept facts have the shape :func:`_quiz_credits` gives."""
    if not (isinstance(facts, list) and len(facts) == 3):
        return False
    ids, sizes, columns = facts
    return (
        isinstance(ids, list)
        and all(map(isinstance, ids, repeat(str)))
        and _column(sizes, len(ids))
        and min(sizes, default=1) > 0
        and isinstance(columns, list)
        and len(columns) == len(STRATEGIES)
        and all(
            _column(column, len(ids)) and all(map(operator.le, map(abs, column), sizes)) for column in columns
        )
    )


def _credits_of(doc: Document[Quiz]) -> _Credits:
    """Return what every strategy chooses on a quiz's items, kept by the quiz's text digest (a fact)."""
    return _Credits(*document_fact(doc, "cue-choices-1", _quiz_credits, _credits_shape))


def _joined(parts: Sequence[_Credits]) -> _Credits:
    """Return the credits of the items of every part, in order."""
    return _Credits(
        list(chain.from_iterable(part.ids for part in parts)),
        list(chain.from_iterable(part.sizes for part in parts)),
        [list(chain.from_iterable(column)) for column in zip(*(part.choices for part in parts), strict=True)],
    )


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


@document_check(no_context, quizzes)
def quiz_cues(doc: Document[Quiz], _context: Any) -> Iterator[Finding]:
    """Play every content-blind strategy on a quiz (L22): after an edit, on the edited quiz alone."""
    if beaten := list(_beaten(_credits_of(doc))):
        yield Finding(QUIZ_CUE.at(doc.display, doc.key_at("items"), _findings(beaten), _HINT), doc, ())


@check
def bank_cues(cur: Curriculum) -> Iterator[Finding]:
    """Play every content-blind strategy on the whole bank (L23), reported on the quiz that feeds it most.

    It reads what every strategy chooses on each quiz's items, kept by the
    quiz's text digest (:func:`_credits_of`): after an edit, an unchanged
    quiz's model is not loaded, and only its choices are counted again.
    """
    parts = [(doc, _credits_of(doc)) for doc in cur.quizzes.values()]
    if len(parts) < 2:
        return
    bank = _joined([credits for _, credits in parts])
    if not (beaten := list(_beaten(bank))):
        return
    hits = {i for outcome in beaten for i in outcome.hits}
    feeding = sorted(
        ((sum(i in hits for i in credits.ids), doc) for doc, credits in parts), key=lambda p: -p[0]
    )
    where = feeding[0][1]
    worst = ", ".join(f"{doc.id} ({n})" for n, doc in feeding[:3] if n)
    summary = "; ".join(o.describe() for o in beaten)
    yield Finding(
        BANK_CUE.at(
            where.display,
            where.key_at("items"),
            f"across the bank of {len(bank.ids)} single-best-answer items, {summary}; "
            f"the quizzes that feed it most: {worst}",
            _HINT,
        ),
        where,
        (),
    )


known_fact("cue-choices-1", _quiz_credits, _credits_shape)  # made again from a changed quiz by a check record
