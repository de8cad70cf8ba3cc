"""The search index's vocabulary and postings, encoded again only where sections changed.

Postings are Golomb-Rice coded into one bit stream, six bits a character from
:data:`BITS`: for each word in vocabulary order, its number of sections ``k``
(Elias gamma), then the gap before each section (a quotient in unary, then
``rice(k)`` bits). Common words cost well under a character a section, rare
ones about two. Each word's bits are a block of their own, so a word whose
sections are unchanged keeps its block.

A lesson edit changes the words of a few sections of one page. Encoding every
word again costs a pass over every word of every section (about 260,000 at 64
lessons: 80 ms of pure Python); :func:`patch`, given the last build's
:class:`Postings` (kept in the build cache) and the changed sections' words
before and after, decodes and encodes again only the words those sections
gained or lost, and takes every other word's block as it was. The result is
the same as encoding everything (a test compares them). The kept postings hold
no section's words (those of the changed sections come from the pages' parts),
so what an edit reads is the index's size, not its text's.

They are kept as a base and the blocks changed since (:class:`KeptPostings`,
the idea of :class:`~curriculum.site._record_file.RecordFile`): an edit writes
the blocks of the words changed since the base, not every word's, until those
are large beside it, and then a new base (of a new generation: changes are
applied to the base they were made against only). Each file is written
atomically, a new base before the last one's changes are removed, and each is
checked by its digest: a save interrupted at any point leaves the old postings,
the new ones, or (changes that do not read back) none.

Checking a file by its digest hashes it whole, and the base grows with the
site. So each file kept or read and checked has a :data:`Stamp` (its size, inode
number, modification and change times): a caller that keeps the stamps in a
record only this computer's builds can have written (the search stage's parts
record, sealed) gives them back to :func:`read_kept`, and a file that still has
its stamp is the very file this code wrote or checked, read without hashing it
again or checking its shape word by word. A file changed since, even in
place with its time set back (the change time cannot be), or put there from
elsewhere (another inode), has another stamp, and is checked by its digest as
before.
"""

from __future__ import annotations

import binascii
import bisect
import contextlib
import functools
import hashlib
import itertools
import json
import operator
from array import array
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curriculum._memo import machine_key
from curriculum.content import changes_path, write_changes_or_base
from curriculum.site._record_file import Stamp, read_stamped, stamp_of

__all__ = [
    "BITS",
    "POSTINGS",
    "Block",
    "KeptPostings",
    "Postings",
    "Stamp",
    "encode",
    "keep_postings",
    "patch",
    "read_kept",
    "read_postings",
    "rice",
    "stream",
    "write_postings",
]

POSTINGS = "search-postings"
"""The last search index's postings, in the build cache (a JSON header line, then bytes)."""
_BASE, _CHANGES = "base", "changes"
"""What a file of the record is (its header says): the postings kept whole, or the blocks changed since."""
_FORMERLY = "search-postings.json"
"""Where an earlier version kept them, as JSON: removed when they are written."""
BITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
"""The stream's characters, six bits each: URL-safe base64's alphabet."""
_PREFIX = "!#$%&()*+./:;<=>?@[]^{|}~"
"""A front-coded word starts with the number of characters it shares with the word before, from
these (letters and digits never are one of them)."""
_FORMAT = 3
"""The kept record's layout (:meth:`Postings.as_record`); a record of another is not read."""
Block = tuple[int, int]
"""A word's block as its bits (the first the highest) and their number."""
_WIDTH = "I"
"""The :mod:`array` type a record keeps the blocks' widths as (unsigned; in this computer's byte order)."""


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


def stream(bits: str) -> str:
    """Return binary digits as a stream of :data:`BITS` characters (packed as URL-safe base64)."""
    return _streamed(_packed(int(bits, 2) if bits else 0, len(bits)), len(bits))


def _pad(width: int) -> int:
    """Return the zero bits after ``width`` bits that make whole groups of three bytes (:func:`_packed`)."""
    return -width % 24


def _packed(bits: int, width: int) -> bytes:
    """Return the ``width`` bits of ``bits`` (the first the highest) as bytes, then zeros to a group of three.

    Base64 turns a group of three bytes into four characters and needs no
    padding then: the bytes are the stream's (:func:`_streamed`), and a
    record's (:meth:`Postings.as_record`).
    """
    pad = _pad(width)
    return (bits << pad).to_bytes((width + pad) // 8, "big")


def _streamed(packed: bytes, width: int) -> str:
    """Return the stream of the ``width`` bits :func:`_packed` packed (:func:`stream`)."""
    return _stream_bytes(packed, width).decode("ascii")


def _stream_bytes(packed: bytes, width: int) -> bytes:
    """Return the stream of the ``width`` bits :func:`_packed` packed, as bytes (ASCII characters).

    URL-safe base64, as :func:`base64.urlsafe_b64encode` makes it, but with
    its two characters of its own put in by two replacements, each a search
    for one byte: not a translation of every byte, which costs several times more.
    """
    encoded = binascii.b2a_base64(packed, newline=False)[: -(-width // 6)]
    return encoded.replace(b"+", b"-").replace(b"/", b"_")


def _is_packed(packed: bytes, width: int) -> bool:
    """Return whether ``packed`` is as :func:`_packed` packs ``width`` bits (only its last bytes are read)."""
    pad = _pad(width)  # fewer than 24: the zeros are in the last three bytes
    return len(packed) == (width + pad) // 8 and not int.from_bytes(packed[-3:], "big") & ((1 << pad) - 1)


def _joined(pieces: list[Block]) -> int:
    """Return the bits of ``pieces`` (each bits and their number), one after the other, the first the highest.

    Put together two by two, then the pairs two by two, and so on: each bit is
    shifted once a round, not once for each piece after it.
    """
    while len(pieces) > 1:
        pairs = [(a << wb | b, wa + wb) for (a, wa), (b, wb) in zip(pieces[::2], pieces[1::2], strict=False)]
        pieces = pairs + pieces[len(pairs) * 2 :]
    return pieces[0][0] if pieces else 0


class _Packing:
    """Bits put one after another into bytes (the first the highest), as :func:`_packed` packs them.

    A run of another packing's bits is copied as bytes: a slice when it
    falls where it lay (at the same place in a byte), else shifted once, by
    fewer than eight bits; only the byte where two pieces meet is made of
    both. So splicing a few words into long postings costs a copy of the
    bits that did not change, not a pass of arithmetic for each piece.
    """

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._bits = 0  # the bits after the last whole byte (fewer than eight)
        self._count = 0
        self.width = 0

    def put(self, block: Block) -> None:
        """Put a block (bits and their number) after the bits put so far."""
        bits, width = block
        bits |= self._bits << width
        width += self._count
        if width >= 8:
            self._parts.append((bits >> (width % 8)).to_bytes(width // 8, "big"))
        self._bits, self._count = bits & ((1 << width % 8) - 1), width % 8
        self.width += block[1]

    def copy(self, packed: bytes, begin: int, end: int) -> None:
        """Put the bits ``[begin, end)`` of ``packed`` (:func:`_packed`'s bytes) after the bits put so far."""
        if end - begin < 64:  # a few bytes: as a block
            if end > begin:
                held = int.from_bytes(packed[begin // 8 : -(-end // 8)], "big")
                self.put(((held >> (-end % 8)) & ((1 << (end - begin)) - 1), end - begin))
            return
        skip, lead = begin % 8, self._count
        chunk = packed[begin // 8 : -(-end // 8)]
        shift = (skip - lead) % 8
        if shift:  # moved by fewer than eight bits: one byte more in front
            chunk = (int.from_bytes(chunk, "big") << shift).to_bytes(len(chunk) + 1, "big")
        at = skip + 8 - shift if shift else skip  # where the bits start in chunk, at ``lead`` in its byte
        stop = at + end - begin
        first = at // 8
        if lead:  # the bits put so far end in the byte the copied ones start in
            self._parts.append(bytes([(self._bits << (8 - lead)) | (chunk[first] & (0xFF >> lead))]))
            first += 1
        self._parts.append(chunk[first : stop // 8])
        self._count = stop % 8
        self._bits = chunk[stop // 8] >> (8 - self._count) if self._count else 0
        self.width += end - begin

    def packed(self) -> bytes:
        """Return the bits put, as :func:`_packed` packs them (then zeros to a group of three bytes)."""
        last = [bytes([self._bits << (8 - self._count)])] if self._count else []
        data = b"".join([*self._parts, *last])
        return data + bytes(-len(data) % 3)


def _front_coded(terms: list[str] | tuple[str, ...]) -> list[str]:
    """Return each word front-coded after the one before it."""
    out, previous = [], ""
    for term in terms:
        out.append(_coded(term, previous))
        previous = term
    return out


def _coded(term: str, previous: str) -> str:
    """Return ``term`` front-coded after ``previous``: the characters shared, then the rest."""
    shared = 0
    limit = min(len(term) - 1, len(previous), len(_PREFIX) - 1)
    while shared < limit and term[shared] == previous[shared]:
        shared += 1
    return _PREFIX[shared] + term[shared:]


@dataclass(frozen=True)
class Postings:
    """The index's words (sorted) with their blocks of bits, in one string.

    Attributes
    ----------
    sections : int
        The number of sections the words are found in.
    terms : tuple[str, ...]
        Every word, sorted.
    packed : bytes
        Each word's block, one after the other in the order of ``terms``, the
        first in the highest bits, as bytes, then zeros to a group of three
        (:func:`_packed`): the stream's bytes and the record's, from which a
        run of blocks is cut out by the bytes that hold it (:meth:`run`).
    widths : tuple[int, ...]
        Each block's number of bits.
    coded : tuple[str, ...]
        Each word front-coded after the one before (see :attr:`vocabulary`).
    """

    sections: int
    terms: tuple[str, ...]
    packed: bytes
    widths: tuple[int, ...]
    coded: tuple[str, ...]

    @property
    def vocabulary(self) -> str:
        """The words front-coded, each after the number of characters it shares with the one before.

        The index's ``words``; ``site.js`` decodes it.
        """
        return "".join(self.coded)

    @property
    def blocks(self) -> tuple[str, ...]:
        """Each word's block, as binary digits, in the order of :attr:`terms`."""
        return tuple(self.block(n) for n in range(len(self.terms)))

    def block(self, n: int) -> str:
        """Return the block of word ``n``, as binary digits."""
        return _digits(self.run(n, n + 1))

    def block_of(self, term: str) -> Block | None:
        """Return the block of the word ``term`` (None: it is not indexed)."""
        at = bisect.bisect_left(self.terms, term)
        return self.run(at, at + 1) if at < len(self.terms) and self.terms[at] == term else None

    def run(self, start: int, stop: int) -> tuple[int, int]:
        """Return the blocks of the words ``[start, stop)``, one after the other, and their number of bits.

        Cut out of :attr:`packed`: only the bytes that hold them are read.
        """
        begin, end = self.start(start), self.ends[stop - 1]
        held = int.from_bytes(self.packed[begin // 8 : -(-end // 8)], "big")
        return (held >> (-end % 8)) & ((1 << (end - begin)) - 1), end - begin

    @property
    def width(self) -> int:
        """The number of bits of all the blocks."""
        return self.ends[-1] if self.ends else 0

    @functools.cached_property
    def ends(self) -> list[int]:
        """Where each word's block ends in :attr:`packed`."""
        return list(itertools.accumulate(self.widths))

    def start(self, n: int) -> int:
        """Where the block of word ``n`` starts in :attr:`packed` (the end of the one before)."""
        return self.ends[n - 1] if n else 0

    @functools.cached_property
    def stream(self) -> str:
        """The bits as a stream of :data:`BITS` characters (:func:`stream`): the index's ``postings``."""
        return self.stream_bytes.decode("ascii")

    @functools.cached_property
    def stream_bytes(self) -> bytes:
        """:attr:`stream` as bytes: what an index script written as bytes holds (no text made of it)."""
        return _stream_bytes(self.packed, self.width)

    def as_record(self) -> tuple[dict[str, Any], bytes]:
        """Return the postings as a record: a JSON header and the bytes it describes (:func:`write_postings`).

        The bytes are the terms joined by newlines (a word holds no white
        space), their front codes joined the same way, the blocks' widths as
        an :mod:`array` of :data:`_WIDTH`, then the bits :attr:`packed`; the
        header gives the number of sections and each part's length. So a
        record is read back by a few splits and copies of long strings and
        bytes, without a step for each word (nor a number written in decimal).
        """
        parts = (
            "\n".join(self.terms).encode("utf-8", "surrogatepass"),
            "\n".join(self.coded).encode("utf-8", "surrogatepass"),
            array(_WIDTH, self.widths).tobytes(),
        )
        header = {"sections": self.sections, "sizes": [len(part) for part in parts]}
        return header, b"".join(parts) + self.packed

    @classmethod
    def from_record(cls, header: dict[str, Any], body: bytes, *, checked: bool = True) -> Postings | None:
        """Return postings from :meth:`as_record`'s header and bytes; None for a record of another shape.

        The shape is checked (counts, the words' order, the bits' length and
        padding), not that each front code and block says what its word's
        would: a record damaged in place, or planted, is refused by its digest,
        keyed by this computer's key (see :func:`read_kept`). Not ``checked``
        (a record known to be the one this code wrote: :data:`Stamp`), only the
        counts are, not each word's order and width, nor the bits' padding.
        """
        count, sizes = header.get("sections"), header.get("sizes")
        if not (
            type(count) is int
            and isinstance(sizes, list)
            and count >= 0
            and len(sizes) == 3
            and all(type(n) is int and n >= 0 for n in sizes)
        ):
            return None
        ends = list(itertools.accumulate(sizes))
        terms, coded, widths, packed = (
            body[a:b] for a, b in zip([0, *ends], [*ends, len(body)], strict=True)
        )
        width = array(_WIDTH)
        if len(widths) % width.itemsize:
            return None  # not whole widths
        width.frombytes(widths)
        try:
            names = tuple(terms.decode("utf-8", "surrogatepass").split("\n")) if width else ()
            codes = tuple(coded.decode("utf-8", "surrogatepass").split("\n")) if width else ()
        except UnicodeDecodeError:
            return None
        if len(names) != len(width) or len(codes) != len(names):
            return None  # words miscounted, or a word without its front code
        if not checked:
            return cls(count, names, packed, tuple(width), codes)
        if width and min(width) < 1:
            return None  # an empty block
        if not all(map(operator.lt, names, names[1:])):
            return None  # words out of order, or one twice
        if not _is_packed(packed, sum(width)):
            return None  # too short or too long, or bits set beyond the last block
        return cls(count, names, packed, tuple(width), codes)


def _digest(header: dict[str, Any], body: bytes) -> str:
    """Return a hash of a record's header (but its digest) and bytes, keyed by this computer's key.

    A record damaged in place is refused, and so is one changed and hashed
    again by hand or made on another computer (the key is
    :func:`~curriculum._memo.machine_key`'s): the record's postings are
    trusted as read, as a sealed record's entries are (see
    :mod:`curriculum.site._record_file`). The header's every field counts: what
    the postings are kept under, their form, and whether the file is a base or changes.
    """
    described = {name: value for name, value in header.items() if name != "digest"}
    found = hashlib.blake2b(digest_size=32, key=_digest_key(machine_key()))
    found.update(json.dumps(described, sort_keys=True).encode() + b"\0")
    found.update(body)
    return found.hexdigest()


@functools.cache
def _digest_key(key: str) -> bytes:
    """Return the key of :func:`_digest` made from the computer's key ``key`` (once for each key)."""
    return hashlib.sha256(f"search postings\0{key}".encode()).digest()


def encode(words: list[str]) -> Postings:
    """Return the postings of the sections' ``words``.

    Parameters
    ----------
    words : list[str]
        Each section's indexed words, joined by spaces (each word once in a section).
    """
    sections = len(words)
    lists: defaultdict[str, list[int]] = defaultdict(list)
    for n, found in enumerate(words):
        for word in found.split():
            lists[word].append(n)
    terms = sorted(lists)
    blocks = [_block(lists[t], sections) for t in terms]
    bits = "".join(blocks)
    return Postings(
        sections,
        tuple(terms),
        _packed(int(bits, 2) if bits else 0, len(bits)),
        tuple(map(len, blocks)),
        tuple(_front_coded(terms)),
    )


def patch(previous: Postings, before: Mapping[int, str], now: Mapping[int, str]) -> Postings:
    """Return the postings ``previous`` become when some sections' words change, as :func:`encode`'s.

    Only the words the changed sections gained or lost are decoded and encoded
    again (:func:`_moved`); the other words are copied in runs (:func:`_spliced`).

    Parameters
    ----------
    previous : Postings
        The postings of the sections before the change.
    before, now : Mapping[int, str]
        The words of each changed section (by number), before and after the
        change, joined by spaces; the same sections in both.

    Raises
    ------
    ValueError
        If the sections are not those of ``before``, or a block of ``previous``
        does not read back (a damaged record): encode every word instead.
    """
    return _spliced(previous, _moved(previous.sections, previous.block_of, before, now))


def _moved(
    sections: int, block_of: Callable[[str], Block | None], before: Mapping[int, str], now: Mapping[int, str]
) -> dict[str, Block | None]:
    """Return the block of each word the changed sections gained or lost, once changed (see :func:`patch`).

    ``block_of`` gives a word's block before the change (None: the word was
    not indexed); a word no longer indexed has None.
    """
    if before.keys() != now.keys() or any(not 0 <= n < sections for n in now):
        raise ValueError("the changed sections are not the same before and after, or not in the index")
    after = {n: set(words.split()) for n, words in now.items()}
    moved = set().union(*(after[n].symmetric_difference(before[n].split()) for n in now))
    blocks: dict[str, Block | None] = {}
    for term in moved:
        then = block_of(term)
        found = [] if then is None else _sections(_digits(then), sections)
        ids = sorted({n for n in found if n not in after} | {n for n in now if term in after[n]})
        blocks[term] = _as_block(_block(ids, sections)) if ids else None
    return blocks


def _spliced(previous: Postings, blocks: Mapping[str, Block | None]) -> Postings:
    """Return ``previous`` with the blocks of some words put in, in place of theirs (None: the word goes).

    The other words' terms, widths, bits and front codes are copied in runs
    (slices of the previous postings) between them; only the first word of a run
    is front-coded again (the word before it may differ).
    """
    old = previous.terms
    terms: list[str] = []
    widths: list[int] = []
    coded: list[str] = []
    bits = _Packing()

    def run(start: int, stop: int) -> None:
        """Copy the previous words ``[start, stop)``."""
        if start < stop:
            coded.append(_coded(old[start], terms[-1] if terms else ""))
            coded.extend(previous.coded[start + 1 : stop])
            terms.extend(old[start:stop])
            widths.extend(previous.widths[start:stop])
            bits.copy(previous.packed, previous.start(start), previous.ends[stop - 1])

    copied = 0  # the previous words before this one are copied or replaced
    for term in sorted(blocks):
        at = bisect.bisect_left(old, term, lo=copied)
        known = at < len(old) and old[at] == term
        run(copied, at)
        block = blocks[term]
        if block is not None:
            coded.append(_coded(term, terms[-1] if terms else ""))
            terms.append(term)
            widths.append(block[1])
            bits.put(block)
        copied = at + 1 if known else at
    run(copied, len(old))
    return Postings(previous.sections, tuple(terms), bits.packed(), tuple(widths), tuple(coded))


def _as_block(digits: str) -> Block:
    """Return a block given as binary digits (:func:`_block`) as its bits and their number."""
    return int(digits, 2), len(digits)


def _digits(block: Block) -> str:
    """Return a block as binary digits (:func:`_as_block` read back)."""
    bits, width = block
    return format(bits, f"0{width}b")


@dataclass(frozen=True)
class KeptPostings:
    """Postings kept as a base and the blocks changed since, so that keeping an edit's costs what it changed.

    Attributes
    ----------
    base : Postings
        The postings when they were last kept whole.
    changes : Mapping[str, Block | None]
        Each word whose block is not the base's, with its block (None: the word is not indexed).
    generation : str
        The base's name (random): changes are applied to the base they were made against only.
    size : int
        The number of bytes of the base's record.
    stamps : list[Stamp]
        The stamp of each file read (the base's first, then its changes' if
        any), as it was when read and checked: what :func:`read_kept` may be
        given back to trust them by.
    """

    base: Postings
    changes: Mapping[str, Block | None]
    generation: str
    size: int
    stamps: list[Stamp] = field(default_factory=list, compare=False)

    @functools.cached_property
    def postings(self) -> Postings:
        """The postings: the base with the changes."""
        return _spliced(self.base, self.changes) if self.changes else self.base

    def block_of(self, term: str) -> Block | None:
        """Return the block of the word ``term`` (None: it is not indexed)."""
        return self.changes[term] if term in self.changes else self.base.block_of(term)

    def patched(self, before: Mapping[int, str], now: Mapping[int, str]) -> KeptPostings:
        """Return the postings these become when some sections' words change (see :func:`patch`).

        A word whose block is the base's again is no change. When no section
        gained or lost a word (no word's block changes), these postings themselves.

        Raises
        ------
        ValueError
            As :func:`patch`.
        """
        moved = _moved(self.base.sections, self.block_of, before, now)
        if not moved:
            return self
        changes = {**self.changes, **moved}
        for term, block in moved.items():
            if block == self.base.block_of(term):
                del changes[term]
        return KeptPostings(self.base, changes, self.generation, self.size, self.stamps[:1])


def read_kept(path: Path, key: str, trusted: Sequence[Stamp] = ()) -> KeptPostings | None:
    """Return the postings kept under ``key`` (:func:`keep_postings`); None: missing, damaged or another's.

    The base, and its changes if there are changes of its generation (those
    of another are left by a new base written whole, and are not its): the
    changes name what the postings are kept under, else the base does. A file
    whose stamp is one of ``trusted`` (stamps this code gave,
    :attr:`KeptPostings.stamps` or :func:`keep_postings`'s, kept where only this
    computer's builds write) is taken as read; any other is checked by its digest.
    """
    found = _read_record(path, _BASE, trusted)
    if found is None:
        return None
    header, base, size, stamp = found
    generation = header.get("generation")
    if not isinstance(generation, str):
        return None
    changed = _read_record(changes_path(path), _CHANGES, trusted)
    if changed is None or changed[0].get("generation") != generation:
        return KeptPostings(base, {}, generation, size, [stamp]) if header.get("key") == key else None
    described, changes, _, also = changed
    gone = described.get("gone")
    if (
        described.get("key") != key
        or changes.sections != base.sections
        or not isinstance(gone, list)
        or not all(isinstance(term, str) for term in gone)
        or not set(gone).isdisjoint(changes.terms)
    ):
        return None
    blocks: dict[str, Block | None] = {term: changes.run(n, n + 1) for n, term in enumerate(changes.terms)}
    return KeptPostings(base, blocks | dict.fromkeys(gone), generation, size, [stamp, also])


def read_postings(path: Path, key: str) -> Postings | None:
    """Return the postings kept under ``key`` (:func:`read_kept`), the base with its changes."""
    kept = read_kept(path, key)
    return None if kept is None else kept.postings


def _read_record(
    path: Path, kind: str, trusted: Sequence[Stamp] = ()
) -> tuple[dict[str, Any], Postings, int, Stamp] | None:
    """Return the header, postings, size and stamp of a record of ``kind`` :func:`_record_text` made.

    None: no record, a damaged one, one this computer's builds did not write,
    or one of another kind (a base is never taken for changes, nor changes for a base).
    A file with one of the ``trusted`` stamps is the one that had it: it is
    neither hashed nor checked word by word (see :func:`read_kept`).
    """
    found = read_stamped(path)  # a plain file within a size limit, or no record
    if found is None:
        return None
    data, stamp = found
    end = data.find(b"\n")
    try:
        header = json.loads(data[:end]) if end >= 0 else None
    except (ValueError, RecursionError):  # ValueError covers bad UTF-8 and bad JSON
        return None
    if not isinstance(header, dict) or header.get("format") != _FORMAT or header.get("kind") != kind:
        return None
    body, checked = data[end + 1 :], stamp not in trusted
    if checked and header.get("digest") != _digest(header, body):
        return None
    postings = Postings.from_record(header, body, checked=checked)
    return None if postings is None else (header, postings, len(data), stamp)


def keep_postings(path: Path, postings: Postings | KeptPostings, key: str) -> list[Stamp]:
    """Keep ``postings`` for the next build, under ``key`` (what they hold for: this code, this computer).

    Kept postings are written as their changes since their base, while those
    are small beside it (:func:`~curriculum.content.write_changes_or_base`);
    others as a new base (:func:`write_postings`). Returns the stamps of the
    files that hold them now (see :func:`read_kept`): the base's (as read, if
    it stays), then the changes' if they are written.
    """
    if not isinstance(postings, KeptPostings):
        return write_postings(path, postings, key)
    blocks = {term: block for term, block in postings.changes.items() if block is not None}
    gone = sorted(postings.changes.keys() - blocks.keys())
    changes = _of_blocks(postings.base.sections, blocks)
    text = _record_text(
        changes, {"kind": _CHANGES, "key": key, "generation": postings.generation, "gone": gone}
    )
    if _keep(path, postings.postings, key, text, postings.size):
        return _stamps([path])
    return postings.stamps[:1] + _stamps([changes_path(path)]) if postings.stamps else []


def _of_blocks(sections: int, blocks: Mapping[str, Block]) -> Postings:
    """Return the postings of some words, given their blocks."""
    terms = sorted(blocks)
    return Postings(
        sections,
        tuple(terms),
        _packed(_joined([blocks[term] for term in terms]), sum(blocks[term][1] for term in terms)),
        tuple(blocks[term][1] for term in terms),
        tuple(_front_coded(terms)),
    )


def write_postings(path: Path, postings: Postings, key: str) -> list[Stamp]:
    """Keep ``postings`` for the next build as a new base (of a new generation), under ``key``.

    The base is written before the changes of the last one are removed: left
    behind, they are of another generation. Returns the base's stamp, as written (see :func:`read_kept`).
    """
    _keep(path, postings, key, None, 0)
    return _stamps([path])


def _stamps(paths: list[Path]) -> list[Stamp]:
    """Return the stamp of each file of ``paths`` just written (none if one is not there)."""
    found = [stamp_of(path) for path in paths]
    return [] if None in found else [stamp for stamp in found if stamp is not None]


def _keep(path: Path, postings: Postings, key: str, changes: bytes | None, size: int) -> bool:
    """Write the ``changes`` of ``postings`` since their base (of ``size`` bytes), or a new base.

    Returns whether a new base was written.
    """

    def base(generation: str) -> bytes:
        """Return the postings as a new base of ``generation``."""
        return _record_text(postings, {"kind": _BASE, "key": key, "generation": generation})

    if not write_changes_or_base(path, changes, base, size, within=path.parent):
        return False
    with contextlib.suppress(OSError):  # the record of an earlier form
        path.with_name(_FORMERLY).unlink(missing_ok=True)
    return True


def _record_text(postings: Postings, fields: dict[str, Any]) -> bytes:
    """Return a record of ``postings`` (:meth:`Postings.as_record`) with ``fields`` in its header."""
    described, body = postings.as_record()
    header = {**fields, "format": _FORMAT, **described}
    header["digest"] = _digest(header, body)
    return json.dumps(header, separators=(",", ":")).encode() + b"\n" + body
