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
(:meth:`PartRecord.sections`). (A page's part depends on its URL too: a page
found by its names only holds no words.)

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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from curriculum._plain import RECORD_LIMIT, read_existing
from curriculum.content import write_atomic
from curriculum.site._output_record import KeyText
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

__all__ = ["HEADS_FILE", "PARTS_RECORD", "IndexName", "PartRecord", "Placement", "index_name", "index_text"]

PARTS_RECORD = "search-parts.json"
"""The record, in the profile's build cache (with its changes beside it: see :class:`RecordFile`)."""

HEADS_FILE = "search-heads.json"
"""The heads of the index the record describes, beside it (as JSON, named in the record by their digest)."""

Placement = tuple[int, list[str]]
"""Where the index has a page: its number (-1: not in the index, it has no section) and the components
indexed on it."""

_UNPLACED: Placement = (-1, [])
"""Where a page the index left out is (it has no section)."""


def _gives(then: list[Any] | None, page: SearchPage) -> bool:
    """Whether a record's entry ``then`` gives the part of ``page``: made from what the page is now.

    What it was made from is kept as the data itself (see :func:`_made_from`):
    compared as decoded, the page's is not encoded (:attr:`SearchPage.made_from_key`).
    """
    return then is not None and page.made_from is not None and then[0] == page.made_from


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
        self._given: tuple[list[SearchPage], list[list[Any] | None]] = ([], [])  # see _known_each

    def knows(self, page: SearchPage) -> bool:
        """Whether the record gives the part of ``page``: it was made from what the page is made from now.

        Asked of each page by the wrap stage: one look-up, no list made
        (:meth:`_known_each` asks it of every page at once).
        """
        return _gives(self._before.get(page.url), page)

    def digests(self, pages: list[SearchPage]) -> list[str]:
        """Return the digest of each page's part: recorded, if the record knows the page; else of its part.

        One pass over the pages for the record's entries; the parts taken from
        the record stay in the memo unread, kept by the keys it names, in one
        call for them all (:func:`~curriculum.site._search.keep_parts`); then
        the other pages' parts are read.
        """
        recorded = self._known_each(pages)
        keep_parts([then[5] for then in recorded if then is not None])
        return [
            then[1] if then is not None else part_digest(page.part())
            for page, then in zip(pages, recorded, strict=True)
        ]

    def gives_all(self, pages: list[SearchPage]) -> bool:
        """Whether the record gives the part of every page of ``pages`` (see :meth:`knows`), in one pass."""
        return None not in self._known_each(pages)

    def _known_each(self, pages: list[SearchPage]) -> list[list[Any] | None]:
        """Return the record's entry of each page whose part it gives (see :meth:`knows`), in one pass.

        Found once for a list of pages (the last one asked about is remembered):
        the search stage asks about the site's pages, one list, for their
        digests, their text scripts' keys and their new entries.
        """
        if self._given[0] is not pages:
            found = looked_up(self._before, [page.url for page in pages])
            known = [then if _gives(then, page) else None for page, then in zip(pages, found, strict=True)]
            self._given = (pages, known)
        return self._given[1]

    def script_keys(self, pages: list[SearchPage]) -> list[str]:
        """Return what the search stage's record names each page's text script's key by (``""``: not known).

        Known when the record gives the page's part (:meth:`knows`) and its
        placement (:meth:`placement`) has a text script: the key is then the
        one named so (:func:`~curriculum.site._search.text_name`). One pass over the pages.
        """
        return [then[4] if then is not None else "" for then in self._known_each(pages)]

    def recorded_digests(self, urls: list[str]) -> list[str | None]:
        """Return the digest of the part the last index had of each page ``urls`` names (None: not held).

        One pass over the record's entries.
        """
        found = looked_up(self._before, urls)
        return [None if then is None else str(then[1]) for then in found]

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
        """Return where the last index had each page, by URL (None: a page the record does not hold)."""
        urls = [page.url for page in pages]
        found = list(looked_up(self._before, urls))
        if None in found:
            return None
        return {url: (then[2], then[3]) for url, then in zip(urls, found, strict=True)}

    def update(
        self,
        index: Any,
        pages: list[SearchPage],
        digests: list[str],
        placements: dict[str, Placement],
        heads: IndexHeads | None,
        scripts: Mapping[int, str] | None = None,
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
        unchanged by identity, not by comparing its fields).
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
        }
        placed = list(looked_up(placements, [page.url for page in pages], _UNPLACED))
        script = looked_up(scripts or {}, [n for n, _ in placed], "")
        entries = zip(pages, digests, placed, script, self._known_each(pages), strict=True)
        made = (
            (
                page.url,
                [
                    then[0] if then else _made_from(page),
                    digest,
                    n,
                    homed,
                    name,
                    then[5] if then else part_key(page),
                ],
                then,
            )
            for page, digest, (n, homed), name, then in entries
            if page.made_from is not None
        )
        self._now.update({url: then if then == entry else entry for url, entry, then in made})

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


def index_text(index: Any) -> KeyText:
    """Return ``index`` (JSON data) as compact JSON: what :func:`index_name` hashes.

    For a caller that names the index to more than one record (see
    :class:`~curriculum.site._output_record.KeyText`): it is encoded once.
    """
    return KeyText(json.dumps(index, separators=(",", ":")))
