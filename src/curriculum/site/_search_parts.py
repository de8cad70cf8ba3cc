"""What each page gave the last search index, so that an edit reads the parts of the pages it changed only.

The index (:class:`~curriculum.site._search.SearchIndex`) is a function of its
pages, in order: each page's title, URL, kind, whether it is its components'
own page, and its part (:class:`~curriculum.site._search.PagePart`: its
sections' owners, anchors, headings and words). A page's part is a function
of what the page is made from (its rendered body's cache entry and its
payloads' memo keys). So the record keeps, for each page of the last index, by
URL: what it was made from (as the page says it, JSON data, so that a page
is known by comparing it with the data decoded, without encoding the page's;
None for a page whose inputs have another shape, which is then never known),
a digest of its part, the number of its text script and the components
indexed on it, and what its text script's key and its part are kept under
(the digest the search stage's record names that key by, the part's memo
key: a page made from the same finds both without hashing anything again);
what named the index those placements are in; and a digest of the index's heads (its pages'
and sections' headings and anchors, :class:`~curriculum.site._search.IndexHeads`),
which are kept in a file of their own (:data:`HEADS_FILE`), with what of them
places the sections: each page's URL and number of sections, in index order
(:meth:`PartRecord.sections`); and the stamps of the files that keep the
index's postings, as this code wrote or checked them
(:attr:`PartRecord.postings_stamps`: the postings are then read without
hashing them again, see :func:`~curriculum.site._postings.read_kept`). (A page's
part depends on its URL too: a page found by its names only holds no words.)

A build in which some pages are made from something new digests their parts
only; a page made from what the record says gives the recorded digest, and its
part is neither looked up nor read. When every page's digest and the rest are
as they were, so is the index, and so is where each component is indexed: only
the text scripts of the changed pages are made again, from their own parts.
When a changed page's part differs, its part of the last index is found by
what the page was made from (:meth:`PartRecord.made_from`), and the index is
made again from the heads and postings kept and the changed sections only.

The record is tied, as the search stage's :class:`~curriculum.site._output_record.OutputRecord`
is, to the package, this computer and the site (its ``shared`` digest). It
is kept as its changes since a base (a :class:`~curriculum.site._record_file.RecordFile`):
an edit that changes a few pages writes their entries, not every page's. Each
of its files is sealed, its first line a digest of the rest (of its bytes, hashed
as they are read, not of the record encoded again): one damaged in place is no
record, and one of this package, computer and site is trusted as read (no entry
is checked one by one: the pages' entries are looked up in one pass). The
heads are a file of their own, checked against the digest the
record names: an edit that leaves them as they were (most do) neither reads,
hashes nor writes them (an edit of a few words patches the index from where
the record places the sections, and from the last index script's own heads);
only an edit that changes a heading or an anchor reads them
(:meth:`PartRecord.heads`), and one that changes them writes them before the record that names them.
"""

from __future__ import annotations

import hashlib
import json
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import compress, repeat
from pathlib import Path
from typing import Any

from curriculum._plain import RECORD_LIMIT, read_existing
from curriculum.content import write_atomic
from curriculum.site._output_record import KeyText
from curriculum.site._postings import Stamp
from curriculum.site._record_file import RecordFile, looked_up
from curriculum.site._search import (
    IndexHeads,
    SearchPage,
    entry_and_keys,
    keep_parts,
    made_from_text,
    part_digest,
    part_key,
)

__all__ = [
    "HEADS_FILE",
    "PARTS_RECORD",
    "IndexName",
    "PartRecord",
    "Placement",
    "index_name",
    "index_namer",
    "index_text",
]

PARTS_RECORD = "search-parts.json"
"""The record, in the profile's build cache (with its changes beside it: see :class:`RecordFile`)."""

HEADS_FILE = "search-heads.json"
"""The heads of the index the record describes, beside it (as JSON, named in the record by their digest)."""

Placement = tuple[int, list[str]]
"""Where the index has a page: its number (-1: not in the index, it has no section) and the components
indexed on it."""

_UNPLACED: Placement = (-1, [])
"""Where a page the index left out is (it has no section)."""

_NONE: list[Any] = [None] * 6
"""The entry a page the record does not hold is taken to have (each field None): looked up by :func:`map`."""
_URL, _MADE_FROM = operator.attrgetter("url"), operator.attrgetter("made_from")
_FIELDS = [operator.itemgetter(n) for n in range(6)]
"""Each field of an entry: what it was made from, its part's digest, its number, its components indexed,
its text script's name, its part's memo key."""
_FIRST, _SECOND = operator.itemgetter(0), operator.itemgetter(1)
_PLACED = operator.itemgetter(2, 3)
"""An entry's placement (its number and its components indexed)."""
_MADE = operator.itemgetter(1, 2, 3, 4)
"""An entry's fields made by the last index (its part's digest, placement and text script's name)."""


def _gives(then: list[Any] | None, page: SearchPage) -> bool:
    """Whether a record's entry ``then`` gives the part of ``page``: made from what the page is now.

    What it was made from is kept as the data itself (see :func:`_made_from`):
    compared as decoded, the page's is not encoded (:attr:`SearchPage.made_from_key`).
    """
    return then is not None and page.made_from is not None and then[0] == page.made_from


def _unknown(known: list[bool]) -> Iterator[int]:
    """Return the number of each page ``known`` says is not (the few a Python step is taken for)."""
    return compress(range(len(known)), map(operator.not_, known))


def _made_from(page: SearchPage) -> Any:
    """Return what the record keeps of what ``page`` is made from: the data, or None (never given).

    The data of the shape the build gives (:func:`~curriculum.site._search.entry_and_keys`),
    which equals the page's, as decoded, only if its JSON is the same.
    """
    return page.made_from if entry_and_keys(page.made_from) else None


class PartRecord:
    """What each page gave the last index (see the module's description).

    Parameters
    ----------
    path : Path
        The record (:data:`PARTS_RECORD` in the profile's build cache).
    shared : str
        What every entry depends on: the search stage's record's digest of the
        package, this computer's key and the site (a record of another is ignored).
    """

    def __init__(self, path: Path, shared: str) -> None:
        self._path = path
        self._shared = shared
        self._file = RecordFile(path, ("index", "pages"), sealed=True)
        record = self._file.read()  # damaged in place (or written by another version): no record
        index = record["index"]
        ours = index.get("shared") == shared
        self._before: dict[str, Any] = record["pages"] if ours else {}
        # what names every entry (shared), the index's name and its heads' digest
        self._index_before: dict[str, Any] = index if ours else {}
        self._index: dict[str, Any] = {}
        self._heads: str | None = None  # heads to write (None: the recorded ones stay)
        self._now: dict[str, list[Any]] = {}
        self._given: tuple[list[SearchPage], list[list[Any]], list[bool]] = ([], [], [])  # see _looked

    def knows(self, page: SearchPage) -> bool:
        """Whether the record gives the part of ``page``: it was made from what the page is made from now.

        Asked of each page by the wrap stage: one look-up, no list made
        (:meth:`_looked` asks it of every page at once).
        """
        return _gives(self._before.get(page.url), page)

    def digests(self, pages: list[SearchPage]) -> list[str]:
        """Return the digest of each page's part: recorded, if the record knows the page; else of its part.

        The record's entries are taken by maps over the pages; the parts taken
        from the record stay in the memo unread, kept by the keys it names, in
        one call for them all (:func:`~curriculum.site._search.keep_parts`); then
        the other pages' parts are read (a Python step for each of those only).
        """
        found, known = self._looked(pages)
        keep_parts(map(_FIELDS[5], compress(found, known)))
        digests = list(map(_FIELDS[1], found))
        for n in _unknown(known):
            digests[n] = part_digest(pages[n].part())
        return digests

    def gives_all(self, pages: list[SearchPage]) -> bool:
        """Whether the record gives the part of every page of ``pages`` (see :meth:`knows`), in one pass."""
        return False not in self._looked(pages)[1]

    def _looked(self, pages: list[SearchPage]) -> tuple[list[list[Any]], list[bool]]:
        """Return the record's entry of each page (:data:`_NONE`: none), and whether it gives its part.

        Whether it gives its part: as :meth:`knows` says, but for every page at
        once, by maps (a page's entry is looked up, and what it was made from
        compared with the page's, with no Python step a page). Found once for a
        list of pages (the last one asked about is remembered): the search
        stage asks about the site's pages, one list, for their digests, their
        text scripts' keys and their new entries.
        """
        if self._given[0] is not pages:
            made_from = list(map(_MADE_FROM, pages))
            found = list(looked_up(self._before, map(_URL, pages), _NONE))
            known = list(map(operator.eq, map(_FIELDS[0], found), made_from))
            if None in made_from:  # a page not known by what it is made from is never given
                known = [was and now is not None for was, now in zip(known, made_from, strict=True)]
            self._given = (pages, found, known)
        return self._given[1], self._given[2]

    def script_keys(self, pages: list[SearchPage]) -> list[str]:
        """Return what the search stage's record names each page's text script's key by (``""``: not known).

        Known when the record gives the page's part (:meth:`knows`) and its
        placement (:meth:`placement`) has a text script: the key is then the
        one named so (:func:`~curriculum.site._search.text_name`). By maps over the pages.
        """
        found, known = self._looked(pages)
        keys = list(map(_FIELDS[4], found))
        for n in _unknown(known):
            keys[n] = ""
        return keys

    def recorded_digests(self, urls: list[str]) -> list[str | None]:
        """Return the digest of the part the last index had of each page ``urls`` names (None: not held).

        One :func:`map` over the record's entries.
        """
        return list(map(_FIELDS[1], looked_up(self._before, urls, _NONE)))

    def made_from(self, url: str) -> str | None:
        """Return what the page ``url`` was made from for the last index (as its ``made_from_key``)."""
        then = self._before.get(url)
        return None if then is None or then[0] is None else made_from_text(then[0])

    def describes(self, index: Any) -> bool:
        """Whether the placements recorded are those of the index named ``index`` (see :func:`index_name`)."""
        name = self.index_name
        return name is not None and name == index_name(index)

    @property
    def index_name(self) -> str | None:
        """The name of the index the record describes (a digest of what :meth:`describes` is given)."""
        name = self._index_before.get("name")
        return name if isinstance(name, str) else None

    def sections(self) -> tuple[list[str], list[int]] | None:
        """Return the URL (without ``.html``) and number of sections of each page of the index described.

        In index order, as its heads have them (:meth:`IndexHeads.sections`),
        kept in the record beside their digest: an edit that changes no
        heading patches the index without reading the heads. None: a record
        that does not hold them.
        """
        urls, counts = self._index_before.get("urls"), self._index_before.get("counts")
        if type(urls) is list and type(counts) is list and len(urls) == len(counts):
            return urls, counts
        return None

    @property
    def postings_stamps(self) -> list[Stamp]:
        """The stamps of the files of the postings kept for the index described (see :meth:`update`).

        Those this code wrote or checked: one of them that a file still has
        makes it the file then, read as it is (:func:`~curriculum.site._postings.read_kept`).
        The record is sealed with this computer's key, so only this computer's
        builds can have named them. None of the shape a stamp has: none.
        """
        stamps = self._index_before.get("postings")
        if type(stamps) is list and all(
            type(stamp) is list and len(stamp) == 4 and all(type(n) is int for n in stamp) for stamp in stamps
        ):
            return stamps
        return []

    @property
    def has_heads(self) -> bool:
        """Whether the record names the heads of the index it describes (a record of this code does)."""
        return isinstance(self._index_before.get("heads"), str)

    def heads(self) -> IndexHeads | None:
        """Return the heads of the index the record describes (a copy), if their file is the one it names.

        Read, checked against the digest the record names and decoded at each
        call: only an edit that patches the index needs them. Their file is
        then the one this code wrote with the record, trusted as read (as the
        record is): nothing of it is checked one by one.
        """
        named = self._index_before.get("heads")
        if not isinstance(named, str):
            return None
        raw = read_existing(self._path.with_name(HEADS_FILE), RECORD_LIMIT)
        if raw is None or _digest(raw) != named:  # none, or changed since the record named them
            return None
        return IndexHeads.from_text(raw.decode("utf-8"))

    def placement(self, url: str) -> Placement | None:
        """Return where the last index had the page ``url``, if the record holds it (not to be changed)."""
        then = self._before.get(url)
        return None if then is None else (then[2], then[3])

    def placements(self, pages: list[SearchPage]) -> dict[str, Placement] | None:
        """Return where the last index had each page, by URL (None: a page the record does not hold).

        By maps over the pages' entries (:meth:`_looked`).
        """
        found, _ = self._looked(pages)
        if any(map(operator.is_, found, repeat(_NONE))):
            return None
        return dict(zip(map(_URL, pages), map(_PLACED, found), strict=True))

    def update(
        self,
        index: Any,
        pages: list[SearchPage],
        digests: list[str],
        placements: dict[str, Placement],
        heads: IndexHeads | None,
        scripts: Mapping[int, str] | None = None,
        postings: list[Stamp] | None = None,
    ) -> None:
        """Record each page of the index named ``index`` with its part's digest and placement, and its heads.

        ``index`` is as :func:`index_name` takes it. Only pages known by what
        they are made from are recorded. ``placements`` gives each page's by URL
        (a page the index left out, with no section, has none or -1).
        ``heads`` None: the index is the one recorded, whose heads stay (their file neither read nor written),
        and so does where its sections are (:meth:`sections`); else that is taken from ``heads``.
        ``scripts`` gives the digest the search stage's record names each text
        script's key by, by its number (:meth:`script_keys`; none: not known).
        A page the record gave keeps its part's memo key; another's is made. An
        entry as recorded is kept as the very value read (saving then finds it
        unchanged by identity, not by comparing its fields). ``postings``: the
        stamps of the files of the index's postings, as this build kept or
        checked them (:attr:`postings_stamps`; none: none is trusted).
        """
        if heads is None:
            self._heads = None
            named, (urls, counts) = self._index_before.get("heads"), self.sections() or (None, None)
        else:
            self._heads = _heads_text(heads)
            named, (urls, counts) = _digest(self._heads.encode()), heads.sections()
        self._index = {
            "shared": self._shared,
            "name": index_name(index),
            "heads": named,
            "urls": urls,
            "counts": counts,
            "postings": postings or [],
        }
        at = list(map(_URL, pages))
        placed = list(looked_up(placements, at, _UNPLACED))
        script = list(looked_up(scripts or {}, map(_FIRST, placed), ""))
        found, known = self._looked(pages)
        # an entry the record gives, made by the last index as now, stays: found by maps, no Python step
        made = zip(digests, map(_FIRST, placed), map(_SECOND, placed), script, strict=True)
        stays = list(map(operator.and_, known, map(operator.eq, made, map(_MADE, found))))
        self._now.update(compress(zip(at, found, strict=True), stays))
        for n in _unknown(stays):
            page, then = pages[n], found[n] if known[n] else None
            if page.made_from is not None:
                n_placed, homed = placed[n]
                self._now[page.url] = [
                    then[0] if then else _made_from(page),
                    digests[n],
                    n_placed,
                    homed,
                    script[n],
                    then[5] if then else part_key(page),
                ]

    def save(self) -> None:
        """Write the record, if it changed: its changes (see :class:`RecordFile`), after any new heads.

        Known to have changed without reading a file back: the record was read whole.
        """
        if self._heads is not None:  # first: the record names them by their digest
            write_atomic(self._path.with_name(HEADS_FILE), self._heads, within=self._path.parent)
        if (self._index, self._now) != (self._index_before, self._before):
            self._file.save({"index": self._index, "pages": self._now})


def _heads_text(heads: IndexHeads) -> str:
    """Return the text of the heads' file holding ``heads``: as the index script has them.

    So heads read from it and not changed since give the script their text as it is
    (:meth:`~curriculum.site._search.IndexHeads.as_text`).
    """
    return heads.as_text()


def _digest(data: bytes) -> str:
    """Return what names the heads whose file holds ``data``: its SHA-256."""
    return hashlib.sha256(data).hexdigest()


class IndexName(str):
    """The name of an index, made (:func:`index_name`): taken as it is, not hashed again.

    For a caller that names the index to both records and to its postings: hashed once.
    """


def index_name(index: Any) -> IndexName:
    """Return the name of the index named by ``index``: a digest of it as compact JSON (BLAKE2b).

    It names every page and its part's digest, so it is hashed by the hash
    that reads a byte in about half the instructions SHA-256 takes.

    ``index`` is JSON data, or that encoded already (:func:`index_text`), hashed
    as it is, or its name already (an :class:`IndexName`), returned as it is.

    Examples
    --------
    >>> index_name(index_text([["Lesson", 1]])) == index_name([["Lesson", 1]])
    True
    >>> name = index_name([["Lesson", 1]])
    >>> index_name(name) is name
    True
    """
    if isinstance(index, IndexName):
        return index
    text = index if isinstance(index, KeyText) else index_text(index)
    return IndexName(hashlib.blake2b(text.encode(), digest_size=32).hexdigest())


def index_namer(frame: bytes) -> Callable[[Sequence[str | None]], IndexName]:
    """Return what names the index of the pages ``frame`` names, given their parts' digests.

    ``frame`` names the pages' titles, URLs and kinds, its own length among
    them (the search stage's ``_frame``); the name is a BLAKE2b digest of it,
    then of the digests, each a line (hexadecimal, or ``None``: a page the
    record does not hold). The frame is hashed once, however many lists of
    digests are named: the search stage names the index as it is, and as
    the records say it was. Nothing is encoded as JSON (each character of
    the titles would be looked at): the pages' texts are joined as they are.

    Examples
    --------
    >>> name = index_namer(b"frame")
    >>> name(["d1", None]) == name(["d1", None]) != name(["d1", "d2"])
    True
    >>> index_name(name(["d1"])) == name(["d1"])
    True
    """
    start = hashlib.blake2b(frame, digest_size=32)

    def name(digests: Sequence[str | None]) -> IndexName:
        found = start.copy()
        found.update("\n".join(map(str, digests)).encode())
        return IndexName(found.hexdigest())

    return name


def index_text(index: Any) -> KeyText:
    """Return ``index`` (JSON data) as compact JSON: what :func:`index_name` hashes.

    For a caller that names the index to more than one record (see
    :class:`~curriculum.site._output_record.KeyText`): it is encoded once.
    """
    return KeyText(json.dumps(index, separators=(",", ":")))
