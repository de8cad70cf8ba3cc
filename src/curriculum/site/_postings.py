"""The search index's vocabulary and postings, encoded again only where sections changed.

Postings are Golomb-Rice coded into one bit stream, six bits a character from
:data:`BITS`: for each word in vocabulary order, its number of sections ``k``
(Elias gamma), then the gap before each section (a quotient in unary, then
``rice(k)`` bits). Common words cost well under a character a section, rare
ones about two. Each word's bits are a block of their own, so a word whose
sections are unchanged keeps its block.

A lesson edit changes the words of a few sections of one page. Encoding every
word again costs a pass over every word of every section (about 260,000 at 64
lessons: 80 ms of pure Python); :func:`encode`, given the last build's
:class:`Postings` (kept in the build cache), decodes and encodes again only the
words of the sections that changed, and takes every other word's block as it
was. The result is the same as encoding everything (a test compares them).
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import itertools
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from curriculum.content import write_atomic
from curriculum.site._quick import read_record

__all__ = [
    "BITS",
    "POSTINGS",
    "Postings",
    "encode",
    "read_postings",
    "rice",
    "stream",
    "vocabulary",
    "write_postings",
]

POSTINGS = "search-postings.json"
"""The last search index's postings, in the build cache."""
BITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
"""The stream's characters, six bits each: URL-safe base64's alphabet."""
_PREFIX = "!#$%&()*+./:;<=>?@[]^{|}~"
"""A front-coded word starts with the number of characters it shares with the word before, from
these (letters and digits never are one of them)."""
_BINARY = str.maketrans("", "", "01")
"""Deletes binary digits (what is left of a block is not one)."""
_FEW = 8
"""Encoded again in part only when at most one section in this many changed (else, whole)."""


def rice(k: int, n: int) -> int:
    """Return the number of remainder bits for a word in ``k`` of ``n`` sections (as site.js)."""
    b = 0
    while k << (b + 1) <= n:
        b += 1
    return max(b - 1, 0)


def _block(ids: list[int], sections: int) -> str:
    """Return one word's bits, as binary digits: its count (gamma), then each gap (unary, then remainder).

    The bits are gathered in one integer, then written out once.
    """
    count = len(ids)
    b = rice(count, sections)
    mask = (1 << b) - 1
    bits, width = count, 2 * count.bit_length() - 1  # gamma: as many zeros as bits, less one, then count
    previous = -1
    for i in ids:
        gap = i - previous - 1
        ones = gap >> b
        size = ones + 1 + b
        bits = (bits << size) | (((1 << ones) - 1) << (b + 1)) | (gap & mask)
        width += size
        previous = i
    return format(bits, f"0{width}b")


def _sections(block: str, sections: int) -> list[int]:
    """Return the sections one word's bits name (:func:`_block` read back).

    Raises
    ------
    ValueError
        If the bits are not one word's block for ``sections`` sections.
    """
    zeros = block.index("1")
    count = int(block[zeros : 2 * zeros + 1], 2)
    b = rice(count, sections)
    at, previous, found = 2 * zeros + 1, -1, []
    for _ in range(count):
        end = block.index("0", at)  # the quotient's ones end at a zero
        gap = (end - at) << b | (int(block[end + 1 : end + 1 + b], 2) if b else 0)
        previous += gap + 1
        found.append(previous)
        at = end + 1 + b
    if at != len(block) or count < 1 or previous >= sections:
        raise ValueError("not a word's block")
    return found


def stream(blocks: list[str] | tuple[str, ...]) -> str:
    """Return the blocks as one stream of :data:`BITS` characters (packed as URL-safe base64)."""
    bits = "".join(blocks)
    chars = -(-len(bits) // 6)
    bits += "0" * (-len(bits) % 24)  # whole groups of three bytes: base64 then adds no padding
    packed = int(bits, 2).to_bytes(len(bits) // 8, "big") if bits else b""
    return base64.urlsafe_b64encode(packed).decode("ascii")[:chars]


def vocabulary(terms: list[str] | tuple[str, ...]) -> str:
    """Return the words front-coded: each after the number of characters it shares with the one before."""
    out, previous = [], ""
    for term in terms:
        shared = 0
        limit = min(len(term) - 1, len(previous), len(_PREFIX) - 1)
        while shared < limit and term[shared] == previous[shared]:
            shared += 1
        out.append(_PREFIX[shared] + term[shared:])
        previous = term
    return "".join(out)


@dataclass(frozen=True)
class Postings:
    """Each section's words, and the index's words (sorted) with each one's block of bits.

    Attributes
    ----------
    words : tuple[str, ...]
        Each section's indexed words, joined by spaces (each word once).
    terms : tuple[str, ...]
        Every word, sorted.
    blocks : tuple[str, ...]
        Each word's bits (binary digits), in the order of ``terms``.
    """

    words: tuple[str, ...]
    terms: tuple[str, ...]
    blocks: tuple[str, ...]

    def digest(self) -> str:
        """Return a hash of every section's words, word and block (a record damaged in place is refused)."""
        hasher = hashlib.sha256()
        for part in (self.words, self.terms, self.blocks):
            hasher.update("\n".join(part).encode("utf-8", "surrogatepass") + b"\0")
        return hasher.hexdigest()

    def as_json(self) -> dict[str, Any]:
        """Return the postings as JSON data (:func:`write_postings`)."""
        return {"words": list(self.words), "terms": list(self.terms), "blocks": list(self.blocks)}

    @classmethod
    def from_json(cls, data: Any) -> Postings | None:
        """Return postings from :meth:`as_json`'s data, or None for data of another shape."""
        if not isinstance(data, dict):
            return None
        words, terms, blocks = (data.get(name) for name in ("words", "terms", "blocks"))
        if not (_strings(words) and _strings(terms) and _strings(blocks)) or len(terms) != len(blocks):
            return None
        if "".join(blocks).translate(_BINARY) or any(a >= b for a, b in itertools.pairwise(terms)):
            return None  # a block of other characters than binary digits, or words out of order
        return cls(tuple(words), tuple(terms), tuple(blocks))


def _strings(data: Any) -> TypeGuard[list[str]]:
    return isinstance(data, list) and all(isinstance(s, str) for s in data)


def encode(words: list[str], previous: Postings | None = None) -> Postings:
    """Return the postings of the sections' ``words``, with the blocks of ``previous`` that still hold.

    Parameters
    ----------
    words : list[str]
        Each section's indexed words, joined by spaces (each word once in a section).
    previous : Postings | None
        The last build's postings. Used when it has as many sections and few of
        them changed; a word in none of the changed sections keeps its block.

    Returns
    -------
    Postings
        The same postings as encoding every word anew.
    """
    sections = len(words)
    if previous is not None and len(previous.words) == sections:
        changed = [n for n, (new, old) in enumerate(zip(words, previous.words, strict=True)) if new != old]
        if len(changed) * _FEW <= sections:
            try:
                return _again(words, previous, changed)
            except ValueError:  # a block that does not read back (a damaged record): encode them all
                pass
    lists: defaultdict[str, list[int]] = defaultdict(list)
    for n, found in enumerate(words):
        for word in found.split():
            lists[word].append(n)
    terms = sorted(lists)
    return Postings(tuple(words), tuple(terms), tuple(_block(lists[t], sections) for t in terms))


def _again(words: list[str], previous: Postings, changed: list[int]) -> Postings:
    """Return :func:`encode`'s postings, encoding again only the words ``changed`` sections gained or lost."""
    sections = len(words)
    now = {n: set(words[n].split()) for n in changed}
    moved = set().union(*(now[n].symmetric_difference(previous.words[n].split()) for n in changed))
    blocks: dict[str, str | None] = {}
    for term in moved:
        at = bisect.bisect_left(previous.terms, term)
        known = at < len(previous.terms) and previous.terms[at] == term
        before = _sections(previous.blocks[at], sections) if known else []
        ids = sorted({n for n in before if n not in now} | {n for n in changed if term in now[n]})
        blocks[term] = _block(ids, sections) if ids else None  # None: the word is no longer indexed
    if not blocks:
        return Postings(tuple(words), previous.terms, previous.blocks)
    kept = [(t, b) for t, b in zip(previous.terms, previous.blocks, strict=True) if t not in blocks]
    pairs = sorted(kept + [(t, b) for t, b in blocks.items() if b is not None])  # kept is sorted already
    return Postings(tuple(words), tuple(t for t, _ in pairs), tuple(b for _, b in pairs))


def read_postings(path: Path, key: str) -> Postings | None:
    """Return the postings :func:`write_postings` kept under ``key``; None: missing, damaged or another's."""
    record = read_record(path)  # a plain file within a size limit, or no record
    if record.get("key") != key:
        return None
    postings = Postings.from_json(record.get("postings"))
    return postings if postings is not None and record.get("digest") == postings.digest() else None


def write_postings(path: Path, postings: Postings, key: str) -> None:
    """Keep ``postings`` for the next build, under ``key`` (what they hold for: this code, this computer)."""
    data = {"key": key, "digest": postings.digest(), "postings": postings.as_json()}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    write_atomic(path, text, within=path.parent)
