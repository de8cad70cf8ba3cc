r"""Pandoc's citation syntax: one definition, read by the checks and by the renderer.

A citation is ``@key`` alone (``@beck1979 shows...``) or inside a bracketed
group (``[@a; @b, p. 3]``, ``[-@key]`` for the year only). The check (every
key resolves in ``references.bib``) and the Markdown renderer (each key
becomes its formatted in-text form) must agree on what is a citation, so both
use the expressions and the masking here: code spans and blocks, link targets
and an escaped ``\@`` are never citations, so an e-mail address, a decorator
in code or a handle in a URL is never taken for one.
"""

from __future__ import annotations

import re

from curriculum._memo import Memo

__all__ = [
    "CITATION",
    "GROUP",
    "STARTS_CITATION",
    "UNRESOLVED_BY_FILE",
    "citation_keys",
    "cited_keys",
    "masked",
]

CITATION = re.compile(r"(?<![\w@\\])(-?)@([A-Za-z0-9_][\w:.#$%&\-+?<>~/]*[\w])")
"""One citation: group 1 is ``-`` for the year-only form, group 2 the key."""
STARTS_CITATION = re.compile(r"(?<![\w@\\])-?@[A-Za-z0-9_]")
"""Where a citation starts (to tell a citation group from other bracketed text)."""
GROUP = re.compile(r"\[([^\[\]]*+)\]")
"""A bracketed group; it is a citation group when it holds a citation (:data:`STARTS_CITATION`).

Matching the brackets first and looking for a key inside keeps the search linear: a lone ``[``
followed by thousands of ``@key`` is scanned once, not once per key."""
_CODE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`", re.DOTALL)
_LINK_TARGET = re.compile(r"\]\([^()]*+\)|<https?://[^<>]*+>|https?://\S+")


def masked(markdown: str) -> str:
    """Return ``markdown`` with code and link targets blanked out, every offset unchanged."""
    blank = _CODE.sub(lambda m: " " * len(m.group()), markdown)
    return _LINK_TARGET.sub(lambda m: " " * len(m.group()), blank)


def cited_keys(markdown: str) -> list[tuple[str, int]]:
    """Return every cited key in ``markdown`` with the offset of its ``@``, in order.

    Parameters
    ----------
    markdown : str
        Authored Markdown.

    Returns
    -------
    list[tuple[str, int]]
        ``(key, offset)`` pairs, repeats included.
    """
    return _CITED.get(
        markdown, lambda: [(m.group(2), m.start(2) - 1) for m in CITATION.finditer(masked(markdown))]
    )


def _pairs(data: object) -> list[tuple[str, int]]:
    if not isinstance(data, list):
        raise TypeError("cited keys are a list of [key, offset] pairs")
    return [(str(key), int(offset)) for key, offset in data]


_CITED = Memo[list[tuple[str, int]]]("content.cited", 1, lambda pairs: [list(p) for p in pairs], _pairs)
"""The citations of each text, across runs (the checks and the renderer ask for every text's)."""
UNRESOLVED_BY_FILE = Memo[list[list[tuple[str, int]]]](
    "lint.unresolved-citations",
    1,
    lambda found: [[list(p) for p in pairs] for pairs in found],
    lambda data: list(map(_pairs, data)),
)
"""The citations of each text of a file that the bibliography lacks, one entry per file, keyed also by the
bibliography's keys (the check's look-up per file; a file that cites only known keys needs no other)."""


def citation_keys(markdown: str) -> list[str]:
    """Return the keys cited in ``markdown``, each once, in order of first appearance."""
    return list(dict.fromkeys(key for key, _ in cited_keys(markdown)))
