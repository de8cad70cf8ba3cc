"""The Safe Harbor scan finds the same identifiers when it skips the digit patterns on digitless texts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from curriculum.content import load_curriculum
from curriculum.content._privacy import PATTERNS, _scan
from curriculum.content._texts import texts as authored_texts
from tests.conftest import REPO


def _every_pattern(text: str) -> list[tuple[int, int, str]]:
    """The scan as it was: every pattern on every text."""
    return [
        (match.start(), index, match.group().strip())
        for index, pattern in enumerate(PATTERNS)
        for match in pattern.regex.finditer(text)
    ]


def test_the_digit_patterns_are_those_whose_every_match_holds_a_digit() -> None:
    digits = {pattern.rule.code for pattern in PATTERNS if pattern.digits}
    assert digits == {"PHI-B", "PHI-C", "PHI-D", "PHI-G", "PHI-K", "PHI-O"}
    samples = {  # each matched, digits written with Arabic-Indic ones too (\\d reads any decimal digit)
        "PHI-B": "12 Elm Street",
        "PHI-C": "March 3",
        "PHI-D": "(555) 123-4567",
        "PHI-G": "123-45-6789",
        "PHI-K": "DEA 12345",
        "PHI-O": "10.0.0.1",
    }
    arabic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    for pattern in PATTERNS:
        if pattern.digits:
            text = samples[pattern.rule.code]
            assert pattern.regex.search(text) and pattern.regex.search(text.translate(arabic))
            assert _scan(text.translate(arabic)) == _every_pattern(text.translate(arabic))


_NEAR = [  # the words and signs around the digits of the digit patterns, and other text
    "March ",
    "Sept. ",
    "ZIP code: ",
    "DEA ",
    "licence no. ",
    "NPI #",
    "years old",
    "year-old ",
    "aged ",
    " Street",
    " Ave",
    "Elm ",
    "(",
    ")",
    "-",
    "/",
    ".",
    ":",
    "#",
    "+",
    " ",
    "x",
    "ninety",
    "\u0663",  # an Arabic-Indic three: a digit, as \\d reads it (the scan must then try every pattern)
]


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(st.sampled_from(_NEAR), max_size=12).map("".join)))
def test_no_digit_pattern_matches_a_text_without_a_digit(text: str) -> None:
    if not any(c.isdecimal() for c in text):
        for pattern in PATTERNS:
            if pattern.digits:
                assert pattern.regex.search(text) is None
    assert _scan(text) == _every_pattern(text)


def test_every_text_of_the_repository_scans_as_before() -> None:
    cur = load_curriculum(REPO)
    texts = [field.text for field in authored_texts(cur)]
    assert len(texts) > 1000
    assert [_scan(text) for text in texts] == [_every_pattern(text) for text in texts]
