"""HIPAA Safe Harbor lint for case texts (45 CFR 164.514(b)(2)).

Vignettes and items are fictional composites, but a composite drafted from
memory can carry a real identifier. This lint looks for the eighteen Safe
Harbor identifier types (A-R) in every text that describes a patient: item
stems and options, vignette scenes and choices, exercise cases and
transcripts. Patterns are deliberately broad; a reviewer can accept a false
alarm with ``suppress: {PHI-C: "reason"}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from curriculum._memo import Memo
from curriculum.content._diagnostics import RULES, Rule, Severity
from curriculum.content._models import Vignette
from curriculum.content._project import Curriculum
from curriculum.content._registry import Finding, check
from curriculum.content._texts import Scanner, TextField, text_scan

__all__: list[str] = []

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)


@dataclass(frozen=True)
class _Pattern:
    rule: Rule
    regex: re.Pattern[str]
    what: str
    fix: str
    digits: bool = False
    """Every match holds a digit (``\\d``, as the pattern reads it): a text without one is not searched."""


def _p(
    code: str,
    severity: Severity,
    summary: str,
    regex: str,
    what: str,
    fix: str,
    flags: int = 0,
    *,
    digits: bool = False,
) -> _Pattern:
    rule = RULES.add(
        code,
        severity,
        summary,
        "Safe Harbor identifier; vignettes must be unidentifiable.",
        suppressible=True,
    )
    return _Pattern(rule, re.compile(regex, flags), what, fix, digits)


_DIGIT = re.compile(r"\d")
"""A digit as the patterns read one (any Unicode decimal digit, not only 0-9)."""


E, W = Severity.error, Severity.warning
PATTERNS = [
    _p(
        "PHI-A",
        W,
        "A person is named with a title and surname.",
        r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][a-z]+",
        "a title and surname",
        "refer to people by role ('the patient', 'her sister') or a first name only",
    ),
    _p(
        "PHI-B",
        E,
        "A street address or ZIP code appears.",
        r"\b\d{1,5}\s++(?:[A-Z][a-z]++\s){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Court|Ct|Way)\b"
        r"|\b\d{5}-\d{4}\b|\bZIP\s*(?:code)?\s*:?\s*\d{5}\b",
        "an address or ZIP code",
        "use a generic setting such as 'a small town'",
        re.I,
        digits=True,
    ),
    _p(
        "PHI-C",
        E,
        "A date more precise than the year, or an age over 89, appears.",
        rf"\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
        r"|\b(?:9\d|1[0-2]\d)[- ]years?[- ]old\b|\baged?\s+(?:9\d|1[0-2]\d)\b",
        "a date or an age over 89",
        "use relative time ('three weeks later'); write ages over 89 as '90 or older'",
        digits=True,
    ),
    _p(
        "PHI-D",
        E,
        "A telephone or fax number appears.",
        r"(?<!\d)(?:\+?1[-.\s]?)?\(?\d{3}\)?[-.\s]\d{3}[-.\s]\d{4}(?!\d)",
        "a telephone number",
        "remove the number",
        digits=True,
    ),
    _p(
        "PHI-F",
        E,
        "An e-mail address appears.",
        r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)++",
        "an e-mail address",
        "remove the address",
    ),
    _p(
        "PHI-G",
        E,
        "A Social Security number appears.",
        r"\b\d{3}-\d{2}-\d{4}\b",
        "a Social Security number",
        "remove the number",
        digits=True,
    ),
    _p(
        "PHI-H",
        E,
        "A medical record or other long identifying number appears.",
        r"\b(?:MRN|medical\s+record\s+(?:number|no\.?|#))\s*+[:#]?\s*+\w+|(?<![\d.,])\d{7,}+(?![\d.,])",
        "a record number",
        "remove the number",
        re.I,
    ),
    _p(
        "PHI-I",
        E,
        "A health plan or account number appears.",
        r"\b(?:member|policy|beneficiary|subscriber|account)\s*+(?:ID|#|number|no\.?)\s*+[:#]?\s*+[A-Z0-9-]{4,}",
        "a plan or account number",
        "remove the number",
        re.I,
    ),
    _p(
        "PHI-K",
        E,
        "A licence, DEA or NPI number appears.",
        r"\b(?:licen[cs]e|DEA|NPI)\s*+(?:#|number|no\.?)?\s*+[:#]?\s*+[A-Z]{0,2}+\d{5,}",
        "a licence number",
        "remove the number",
        re.I,
        digits=True,
    ),
    _p(
        "PHI-L",
        E,
        "A vehicle or device identifier appears.",
        r"\b(?:VIN|serial|S/N|UDI|licen[cs]e\s+plate)\s*+(?:#|number|no\.?)?\s*+[:#]?\s*+[A-Z0-9-]{4,}",
        "a vehicle or device identifier",
        "remove it",
        re.I,
    ),
    _p(
        "PHI-N",
        E,
        "A web address appears in a case text.",
        r"\bhttps?://\S+|\bwww\.\S+",
        "a web address",
        "cite sources through references.bib, not in the case",
    ),
    _p(
        "PHI-O",
        E,
        "An IP address appears.",
        r"\b(?:\d{1,3}\.){3}\d{1,3}\b",
        "an IP address",
        "remove it",
        digits=True,
    ),
    _p(
        "PHI-P",
        W,
        "A biometric identifier is mentioned.",
        r"\b(?:fingerprints?|voice\s*prints?|retina(?:l)?\s+scans?|iris\s+scans?)\b",
        "a biometric identifier",
        "leave it out of the case",
        re.I,
    ),
    _p(
        "PHI-Q",
        E,
        "An image appears in a case text.",
        r"!\[[^\[\]]*+\]\([^()]*+\)",
        "an image",
        "cases carry no photographs or images of people",
    ),
    _p(
        "PHI-R",
        W,
        "A named institution or employer appears.",
        r"\b(?:St\.?|Saint|Mount|Mt\.?)\s+[A-Z][a-z]+(?:'s)?\s+(?:Hospital|Medical Center|Clinic)\b"
        r"|\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s+"
        r"(?:Hospital|Medical Center|Health System|Clinic|University|Inc\.|Corporation)\b",
        "a named institution",
        "use a generic setting ('a community hospital')",
    ),
]


_Match = tuple[int, int, str]
"""Where an identifier starts in a text, the index of its pattern in :data:`PATTERNS`, and what it says."""


def _scan(text: str) -> list[_Match]:
    """Return every possible identifier in ``text``, pattern by pattern.

    A pattern all of whose matches hold a digit is not tried on a text without
    one (most prose): a third less work, and the same matches.
    """
    digits = _DIGIT.search(text) is not None
    return [
        (match.start(), index, match.group().strip())
        for index, pattern in enumerate(PATTERNS)
        if digits or not pattern.digits
        for match in pattern.regex.finditer(text)
    ]


def _decode(data: Any) -> list[_Match]:
    """Return matches stored as JSON; raise for data of another shape (the memo then recomputes them)."""
    matches: list[_Match] = []
    for start, index, said in data:
        if not (isinstance(start, int) and isinstance(index, int) and isinstance(said, str)):
            raise ValueError("not a match")
        if not 0 <= index < len(PATTERNS):
            raise IndexError("no such pattern")
        matches.append((start, index, said))
    return matches


_IDENTIFIERS = Memo[list[list[_Match]]](
    "lint.privacy", 2, list, lambda data: [_decode(matches) for matches in data]
)
"""The identifiers in each text of a file."""


def _describes_a_patient(field: TextField) -> bool:
    return field.case and field.cell is None


def _report(field: TextField, found: list[_Match]) -> Iterator[Finding]:
    for start, index, said in found:
        pattern = PATTERNS[index]
        yield Finding(
            pattern.rule.at(
                field.doc.display,
                field.pos(start),
                f"possible identifier ({pattern.what}): '{said}'",
                pattern.fix,
            ),
            field.doc,
            field.owner,
        )


PRIVACY = text_scan(
    _IDENTIFIERS, lambda _cur: [], lambda _nothing: Scanner(_scan, _report), _describes_a_patient
)
"""Look for Safe Harbor identifiers in every text that describes a patient."""


@check
def privacy(cur: Curriculum) -> Iterator[Finding]:
    """Flag a vignette's patient over 89 (Safe Harbor's ages); the texts are scanned by :data:`PRIVACY`."""
    ages = PATTERNS[2]
    for doc in cur.vignettes.values():
        v: Vignette = doc.model
        if isinstance(v.patient.age, int) and v.patient.age > 89:
            yield Finding(
                ages.rule.at(
                    doc.display,
                    doc.at("patient", "age"),
                    f"age {v.patient.age} is over 89",
                    'write `age: "90 or older"`',
                ),
                doc,
                (),
            )
