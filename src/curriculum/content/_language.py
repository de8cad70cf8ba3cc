"""Person-first, non-stigmatising language (lint L24).

Labels such as "a schizophrenic" or "committed suicide" teach residents the
stigma we want them to unlearn. The lint reads every authored text, lessons
included. Words inside quotation marks or code are mentions, not uses (a
patient's own words, or a lesson explaining which words to avoid), and are
skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from curriculum._memo import Memo
from curriculum.content._diagnostics import RULES, Severity
from curriculum.content._registry import Finding
from curriculum.content._texts import Scanner, TextField, text_scan

__all__: list[str] = []

L24 = RULES.add(
    "L24",
    Severity.warning,
    "Stigmatising or not person-first language.",
    "Language shapes attitudes; clinicians model it for learners and patients.",
    suppressible=True,
)

_TERMS: list[tuple[str, tuple[str, ...], str]] = [
    (r"\bschizophrenics?\b", ("schizophrenic",), "a person with schizophrenia"),
    (
        r"\b(?:a|the)\s+borderline\b(?!\s+personality)|\bborderlines\b",
        ("borderline",),
        "a person with borderline personality disorder",
    ),
    (r"\baddicts?\b", ("addict",), "a person with a substance use disorder"),
    (r"\balcoholics?\b", ("alcoholic",), "a person with alcohol use disorder"),
    (
        r"\b(?:drug|substance)\s+abusers?\b|\bjunkies?\b",
        ("abuser", "junkie"),
        "a person who uses drugs / with a substance use disorder",
    ),
    (r"\bcommit(?:s|ted|ting)?\s+suicide\b", ("suicide",), "died by suicide / died by suicide"),
    (
        r"\b(?:successful|completed|failed|unsuccessful)\s+suicide\b",
        ("suicide",),
        "died by suicide / suicide attempt",
    ),
    (r"\bsuffer(?:s|ed|ing)?\s+from\b", ("suffer",), "has / lives with / experiences"),
    (r"\bthe\s+mentally\s+ill\b", ("mentally",), "people with mental illness"),
    (
        r"\b(?:a|the)\s+bipolar\b(?!\s+(?:disorder|I\b|II\b|depression|spectrum|illness|affective|episode))|\bbipolars\b",
        ("bipolar",),
        "a person with bipolar disorder",
    ),
    (r"\bpsychotics\b", ("psychotics",), "people with psychosis"),
    (
        r"\b(?:crazy|lunatics?|psychos?|nutcase)\b",
        ("crazy", "lunatic", "psycho", "nutcase"),
        "describe the experience or behaviour",
    ),
    (r"\bnon-?complian(?:t|ce)\b", ("complian",), "not taking the medication as prescribed / nonadherence"),
    (
        r"\bmanipulative\b|\battention[- ]seeking\b",
        ("manipulative", "attention"),
        "describe the behaviour and the need behind it",
    ),
    (
        r"\b(?:clean|dirty)\s+(?:urine|screen|tox)\b|\b(?:stay|stays|stayed|staying|got|get|getting)\s+clean\b",
        ("clean", "dirty"),
        "negative/positive test; in recovery, not using",
    ),
    (r"\bfrequent\s+flyers?\b", ("flyer",), "a person who comes often / high utiliser of care"),
]
"""Each stigmatising term: its pattern, the words (lower case) it cannot match without (its regex runs
only on a text that holds one), and a person-first alternative."""
_COMPILED = [(re.compile(p, re.I), words, alt) for p, words, alt in _TERMS]
_MENTION = re.compile(r'"[^"\n]*+"|“[^“”]*+”|`[^`]*+`|\'[^\'\n]{2,}+\'(?![a-z])', re.S)


_Use = tuple[int, int, int]
"""Where a stigmatising term starts and ends in a text, and the index of its entry in the list of terms."""


def _scan(text: str) -> list[_Use]:
    """Return the stigmatising terms used (not mentioned) in ``text``."""
    lower = text.lower()
    wanted = [n for n, (_, words, _) in enumerate(_COMPILED) if any(word in lower for word in words)]
    if not wanted:  # quotations only hide terms: a text without their words has none
        return []
    masked = _MENTION.sub(lambda m: " " * len(m.group()), text)
    return [(m.start(), m.end(), n) for n in wanted for m in _COMPILED[n][0].finditer(masked)]


def _decode(data: Any) -> list[_Use]:
    """Return uses stored as JSON; raise for data of another shape (the memo then recomputes them)."""
    uses: list[_Use] = []
    for start, end, n in data:
        if not (
            isinstance(start, int) and isinstance(end, int) and isinstance(n, int) and 0 <= n < len(_TERMS)
        ):
            raise ValueError("not a use")
        uses.append((start, end, n))
    return uses


_USES = Memo[list[list[_Use]]]("lint.language", 2, list, lambda data: [_decode(uses) for uses in data])
"""The stigmatising terms of each text of a file."""


def _report(field: TextField, uses: list[_Use]) -> Iterator[Finding]:
    for start, end, n in uses:
        yield Finding(
            L24.at(
                field.doc.display,
                field.pos(start),
                f"'{field.text[start:end]}' is stigmatising or not person-first",
                f"prefer: {_COMPILED[n][2]}",
            ),
            field.doc,
            field.owner,
        )


LANGUAGE = text_scan(_USES, lambda _cur: [], lambda _nothing: Scanner(_scan, _report))
"""Flag stigmatising terms outside quotations, with a person-first alternative."""
