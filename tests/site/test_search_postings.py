"""The search index's postings: the packed bit stream equals the format ``site.js`` decodes."""

from __future__ import annotations

import random

from curriculum.site._search import BITS, _postings, rice


def _reference(lists: list[list[int]], sections: int) -> str:
    """The format written out bit by bit, as the comment above ``BITS`` and ``search.test.js`` state it."""
    bits = ""
    for ids in lists:
        k = len(ids)
        bits += "0" * (k.bit_length() - 1) + format(k, "b")
        b = rice(k, sections)
        previous = -1
        for i in ids:
            gap = i - previous - 1
            bits += "1" * (gap >> b) + "0" + (format(gap & ((1 << b) - 1), f"0{b}b") if b else "")
            previous = i
    bits += "0" * (-len(bits) % 6)
    return "".join(BITS[int(bits[n : n + 6], 2)] for n in range(0, len(bits), 6))


def test_the_stream_is_the_documented_format_for_any_lists() -> None:
    rng = random.Random(7)
    for sections in (1, 2, 7, 8, 64, 1000, 5000):
        for _ in range(20):
            lists = [
                sorted(rng.sample(range(sections), rng.randint(1, min(sections, 40))))
                for _ in range(rng.randint(0, 30))
            ]
            assert _postings(lists, sections) == _reference(lists, sections)


def test_edge_cases_and_the_worked_example_of_the_script_tests() -> None:
    assert _postings([], 10) == ""
    assert _postings([[0]], 1) == _reference([[0]], 1)
    assert _postings([[4999]], 5000) == _reference([[4999]], 5000)  # one long quotient
    # the bits search.test.js decodes: 010 01 101 00100 0000 (then zeros to six-bit chunks)
    bits = "010" + "01" + "101" + "00100" + "0000" + "0"
    assert _postings([[1, 5], [0, 1, 2, 3]], 8) == "".join(BITS[int(bits[n : n + 6], 2)] for n in (0, 6, 12))
