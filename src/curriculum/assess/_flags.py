"""The automated psychometric flags of ``clinical-standards.md`` §5.4, as data.

Each flag has a code, a severity (``error``: look now, the key may be wrong;
``warning``: revise; ``info``: worth knowing) and a sentence that says what
to look at. The thresholds are the standard's:

- item: p < 0.30 or p > 0.90 (warning); r_pb < 0.20 (warning); r_pb < 0
  (error, check the key); a distractor chosen by < 5% (info) or with a
  positive correlation with the total score (warning); the key not the most
  frequent answer in the upper 27% (error);
- quiz: KR-20 < 0.70 for a credit-bearing post-test (warning: kinds
  ``posttest`` and ``summative``); the SEM is always reported, and pass/fail
  decision consistency whenever the quiz has a pass mark.

Flags are computed below 30 respondents too, but the report marks them
provisional there, as the item statistics themselves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from curriculum.assess._statistics import OPTION_LETTERS, ItemStatistics

__all__ = [
    "CREDIT_BEARING",
    "FLAGS",
    "NFD_SHARE",
    "PROVISIONAL_BELOW",
    "Flag",
    "FlagRule",
    "item_flags",
    "quiz_flags",
]

Severity = Literal["error", "warning", "info"]

PROVISIONAL_BELOW = 30
"""Item and test statistics of fewer respondents are shown as provisional."""
NFD_SHARE = 0.05
"""A distractor chosen by fewer learners than this is non-functioning."""
P_LOW, P_HIGH = 0.30, 0.90
RPB_LOW = 0.20
KR20_LOW = 0.70
CREDIT_BEARING = ("posttest", "summative")
"""Quiz kinds whose scores carry credit (the KR-20 flag applies to these)."""


@dataclass(frozen=True)
class FlagRule:
    """One kind of flag.

    Attributes
    ----------
    code : str
        Short id, used in ``items.csv`` and ``quizzes.csv``.
    severity : str
        ``error``, ``warning`` or ``info``.
    summary : str
        What it means and what to do.
    """

    code: str
    severity: Severity
    summary: str


FLAGS = {
    rule.code: rule
    for rule in (
        FlagRule("hard", "warning", "p < 0.30: a possible miskey, an ambiguous item or content not taught"),
        FlagRule("easy", "warning", "p > 0.90: fine for a mastery item, but it adds little to reliability"),
        FlagRule(
            "low-rpb", "warning", "corrected r_pb < 0.20: the item barely separates stronger learners; revise"
        ),
        FlagRule("negative-rpb", "error", "corrected r_pb < 0: weaker learners do better; check the key"),
        FlagRule("nfd", "info", "a distractor chosen by fewer than 5%: non-functioning; replace or drop it"),
        FlagRule(
            "distractor-rpb",
            "warning",
            "a distractor correlates positively with the total score: it attracts stronger learners",
        ),
        FlagRule(
            "key-not-modal",
            "error",
            "the key is not the most frequent answer in the upper 27%: check the key",
        ),
        FlagRule(
            "low-kr20",
            "warning",
            "KR-20 < 0.70 on a credit-bearing test: do not make decisions about individuals on it alone",
        ),
    )
}
"""Every flag, by code."""


@dataclass(frozen=True)
class Flag:
    """A flag raised on an item or a quiz.

    Attributes
    ----------
    code : str
        The :data:`FLAGS` code.
    detail : str
        The figure behind it, e.g. ``p = 0.12`` or ``option d: 2%``.
    option : str | None
        The option a distractor flag is about.
    """

    code: str
    detail: str
    option: str | None = None

    @property
    def severity(self) -> Severity:
        """The flag's severity."""
        return FLAGS[self.code].severity


def item_flags(stats: ItemStatistics, keys: np.ndarray, valid: np.ndarray) -> list[list[Flag]]:
    """Return the flags of every item.

    Parameters
    ----------
    stats : ItemStatistics
        The quiz's item statistics.
    keys, valid : ndarray of shape (k,)
        Each item's key and offered options, as masks.
    """
    out: list[list[Flag]] = []
    for j in range(len(stats.p)):
        flags: list[Flag] = []
        p, rpb = float(stats.p[j]), float(stats.rpb[j])
        if p < P_LOW:
            flags.append(Flag("hard", f"p = {p:.2f}"))
        elif p > P_HIGH:
            flags.append(Flag("easy", f"p = {p:.2f}"))
        if rpb < 0:
            flags.append(Flag("negative-rpb", f"r_pb = {rpb:.2f}"))
        elif rpb < RPB_LOW:
            flags.append(Flag("low-rpb", f"r_pb = {rpb:.2f}"))
        for bit, letter in enumerate(OPTION_LETTERS):
            if not (int(valid[j]) >> bit) & 1 or (int(keys[j]) >> bit) & 1:
                continue  # not offered, or keyed: not a distractor
            share, r = float(stats.shares[j, bit]), float(stats.option_rpb[j, bit])
            if share < NFD_SHARE:
                flags.append(Flag("nfd", f"option {letter}: {share:.0%}", letter))
            if not math.isnan(r) and r > 0:
                flags.append(Flag("distractor-rpb", f"option {letter}: r = {r:.2f}", letter))
        if not stats.key_is_modal_in_upper[j]:
            flags.append(Flag("key-not-modal", "another answer is more frequent in the upper group"))
        out.append(flags)
    return out


def quiz_flags(kind: str, reliability: float) -> list[Flag]:
    """Return the quiz-level flags of a quiz of ``kind`` with KR-20 ``reliability``."""
    if kind in CREDIT_BEARING and not math.isnan(reliability) and reliability < KR20_LOW:
        return [Flag("low-kr20", f"KR-20 = {reliability:.2f}")]
    return []
