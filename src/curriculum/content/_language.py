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

from curriculum.content._diagnostics import RULES, Severity
from curriculum.content._project import Curriculum
from curriculum.content._registry import Finding, check
from curriculum.content._texts import texts

__all__: list[str] = []

L24 = RULES.add(
    "L24",
    Severity.warning,
    "Stigmatising or not person-first language.",
    "Language shapes attitudes; clinicians model it for learners and patients.",
    suppressible=True,
)

_TERMS: list[tuple[str, str]] = [
    (r"\bschizophrenics?\b", "a person with schizophrenia"),
    (
        r"\b(?:a|the)\s+borderline\b(?!\s+personality)|\bborderlines\b",
        "a person with borderline personality disorder",
    ),
    (r"\baddicts?\b", "a person with a substance use disorder"),
    (r"\balcoholics?\b", "a person with alcohol use disorder"),
    (
        r"\b(?:drug|substance)\s+abusers?\b|\bjunkies?\b",
        "a person who uses drugs / with a substance use disorder",
    ),
    (r"\bcommit(?:s|ted|ting)?\s+suicide\b", "died by suicide / died by suicide"),
    (
        r"\b(?:successful|completed|failed|unsuccessful)\s+suicide\b",
        "died by suicide / suicide attempt",
    ),
    (r"\bsuffer(?:s|ed|ing)?\s+from\b", "has / lives with / experiences"),
    (r"\bthe\s+mentally\s+ill\b", "people with mental illness"),
    (
        r"\b(?:a|the)\s+bipolar\b(?!\s+(?:disorder|I\b|II\b|depression|spectrum|illness|affective|episode))|\bbipolars\b",
        "a person with bipolar disorder",
    ),
    (r"\bpsychotics\b", "people with psychosis"),
    (r"\b(?:crazy|lunatics?|psychos?|nutcase)\b", "describe the experience or behaviour"),
    (r"\bnon-?complian(?:t|ce)\b", "not taking the medication as prescribed / nonadherence"),
    (r"\bmanipulative\b|\battention[- ]seeking\b", "describe the behaviour and the need behind it"),
    (
        r"\b(?:clean|dirty)\s+(?:urine|screen|tox)\b|\b(?:stay|stays|stayed|staying|got|get|getting)\s+clean\b",
        "negative/positive test; in recovery, not using",
    ),
    (r"\bfrequent\s+flyers?\b", "a person who comes often / high utiliser of care"),
]
_COMPILED = [(re.compile(p, re.I), alt) for p, alt in _TERMS]
_WORDS = [
    ("schizophrenic",),
    ("borderline",),
    ("addict",),
    ("alcoholic",),
    ("abuser", "junkie"),
    ("suicide",),
    ("suicide",),
    ("suffer",),
    ("mentally",),
    ("bipolar",),
    ("psychotics",),
    ("crazy", "lunatic", "psycho", "nutcase"),
    ("complian",),
    ("manipulative", "attention"),
    ("clean", "dirty"),
    ("flyer",),
]
"""A word each term cannot match without (lower case): a regex runs only on a text that holds one."""
_MENTION = re.compile(r'"[^"\n]*+"|“[^“”]*+”|`[^`]*+`|\'[^\'\n]{2,}+\'(?![a-z])', re.S)


@check
def language(cur: Curriculum) -> Iterator[Finding]:
    """Flag stigmatising terms outside quotations, with a person-first alternative."""
    for field in texts(cur):
        lower = field.text.lower()
        pairs = zip(_COMPILED, _WORDS, strict=True)
        wanted = [term for term, words in pairs if any(word in lower for word in words)]
        if not wanted:  # quotations only hide terms: a text without their words has none
            continue
        masked = _MENTION.sub(lambda m: " " * len(m.group()), field.text)
        for regex, alternative in wanted:
            for match in regex.finditer(masked):
                yield Finding(
                    L24.at(
                        field.doc.display,
                        field.pos(match.start()),
                        f"'{field.text[match.start() : match.end()]}' is stigmatising or not person-first",
                        f"prefer: {alternative}",
                    ),
                    field.doc,
                    field.owner,
                )
