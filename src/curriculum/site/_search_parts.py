"""What each page gave the last search index, so that an edit reads the parts of the pages it changed only.

The index (:class:`~curriculum.site._search.SearchIndex`) is a function of its
pages, in order: each page's title, URL, kind, whether it is its components'
own page, and its part (:class:`~curriculum.site._search.PagePart`: its
sections' owners, anchors, headings and words). A page's part is a function
of what the page is made from (its rendered body's cache entry and its
payloads' memo keys). So the record keeps, for each page of the last index, by
URL: what it was made from (its part's name in the memo), a digest of its part,
the number of its text script and the components indexed on it; what named the
index those placements are in; and the index's heads (its pages' and sections'
headings and anchors, :class:`~curriculum.site._search.IndexHeads`). (A page's
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
is, to the package, this computer and the site (its ``shared`` digest), and
its first line holds a digest of the rest of it (of its bytes, hashed as they
are read, not of the record encoded again): one damaged in place is no record.
The heads have a line of their own, kept as text: an edit that leaves them
as they were (most do) neither decodes nor encodes them, only an edit that
patches the index reads them (:meth:`PartRecord.heads`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from curriculum._plain import RECORD_LIMIT, read_headed
from curriculum.content import write_atomic
from curriculum.site._output_record import KeyText
from curriculum.site._search import IndexHeads, SearchPage, keep_parts, part_digest

__all__ = ["PARTS_RECORD", "PartRecord", "Placement", "index_name", "index_text"]

PARTS_RECORD = "search-parts.json"
"""The record, in the profile's build cache."""

Placement = tuple[int, list[str]]
"""Where the index has a page: its number (-1: not in the index, it has no section) and the components
indexed on it."""


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
        data, heads = _read(path)  # damaged in place (or written by another version): no record
        pages = data.get("pages") if data.get("shared") == shared else None
        self._before: dict[str, Any] = pages if isinstance(pages, dict) else {}
        self._index_before = data.get("index") if pages is not None else None
        self._heads_before = heads if pages is not None and heads != _NO_HEADS else None  # as text
        self._index: str | None = None
        self._heads: str | None = None
        self._now: dict[str, list[Any]] = {}
        self._checked: dict[str, list[Any] | None] = {}

    def knows(self, page: SearchPage) -> bool:
        """Whether the record gives the part of ``page``: it was made from what the page is made from now."""
        then = self._entry(page.url)
        return then is not None and page.made_from is not None and then[0] == page.made_from_key

    def digests(self, pages: list[SearchPage]) -> list[str]:
        """Return the digest of each page's part: recorded, if the record knows the page; else of its part.

        The parts taken from the record stay in the memo unread, kept in one
        call for them all (:func:`~curriculum.site._search.keep_parts`).
        """
        known = [self.knows(page) for page in pages]
        keep_parts(page for page, kept in zip(pages, known, strict=True) if kept)
        return [
            str(self._before[page.url][1]) if kept else part_digest(page.part())
            for page, kept in zip(pages, known, strict=True)
        ]

    def recorded_digest(self, url: str) -> str | None:
        """Return the digest of the part the last index had of the page ``url``, if the record holds it."""
        then = self._entry(url)
        return None if then is None else str(then[1])

    def made_from(self, url: str) -> str | None:
        """Return what the page ``url`` was made from for the last index (its ``made_from_key``)."""
        then = self._entry(url)
        return None if then is None else str(then[0])

    def describes(self, index: Any) -> bool:
        """Whether the placements recorded are those of the index named ``index`` (see :func:`index_name`)."""
        return self._index_before is not None and self._index_before == index_name(index)

    @property
    def index_name(self) -> str | None:
        """The name of the index the record describes (a digest of what :meth:`describes` is given)."""
        return self._index_before if isinstance(self._index_before, str) else None

    @property
    def has_heads(self) -> bool:
        """Whether the record holds the heads of the index it describes (a record of this code does)."""
        return self._heads_before is not None

    def heads(self) -> IndexHeads | None:
        """Return the heads of the index the record describes (a copy), if it holds them in shape.

        Decoded from the record's text at each call: only an edit that patches the index needs them.
        """
        if self._heads_before is None:
            return None
        try:
            return IndexHeads.from_json(json.loads(self._heads_before))
        except (ValueError, RecursionError):  # a line no JSON: no heads
            return None

    def placement(self, url: str) -> Placement | None:
        """Return where the last index had the page ``url``, if the record holds it."""
        then = self._entry(url)
        return None if then is None else (int(then[2]), [str(owner) for owner in then[3]])

    def update(
        self,
        index: Any,
        pages: list[SearchPage],
        digests: list[str],
        placements: dict[str, Placement],
        heads: IndexHeads | None,
    ) -> None:
        """Record each page of the index named ``index`` with its part's digest and placement, and its heads.

        ``index`` is as :func:`index_name` takes it. Only pages known by what
        they are made from are recorded. ``placements`` gives each page's by URL
        (a page the index left out, with no section, has none or -1).
        ``heads`` None: the index is the one recorded, whose heads stay (as the text read, not encoded again).
        """
        self._index = index_name(index)
        self._heads = self._heads_before if heads is None else _heads_text(heads.as_json())
        for page, digest in zip(pages, digests, strict=True):
            if page.made_from is not None:
                n, homed = placements.get(page.url, (-1, []))
                self._now[page.url] = [page.made_from_key, digest, n, homed]

    def save(self) -> None:
        """Write the record, if it changed (known without reading the file back: it was read whole)."""
        now = (self._now, self._index, self._heads)
        if now != (self._before, self._index_before, self._heads_before):
            rest = {"shared": self._shared, "index": self._index, "pages": self._now}
            heads = _NO_HEADS if self._heads is None else self._heads
            text = _signed_text(heads, json.dumps(rest, sort_keys=True))
            write_atomic(self._path, text, within=self._path.parent, only_if_changed=False)

    def _entry(self, url: str) -> list[Any] | None:
        """Return the record's entry of ``url``, if it is one this code wrote (looked at once a page)."""
        if url not in self._checked:
            self._checked[url] = self._shaped(self._before.get(url))
        return self._checked[url]

    @staticmethod
    def _shaped(then: Any) -> list[Any] | None:
        """Return an entry if it has the shape this code writes, else None."""
        if not (isinstance(then, list) and len(then) == 4):
            return None
        made_from, digest, number, owners = then
        shaped = (
            isinstance(made_from, str)
            and isinstance(digest, str)
            and isinstance(number, int)
            and not isinstance(number, bool)
            and isinstance(owners, list)
            and all(isinstance(owner, str) for owner in owners)
        )
        return then if shaped else None


_NO_HEADS = "null"
"""The heads' line of a record that holds none."""


def _heads_text(heads: Any) -> str:
    """Return the line of a record that holds ``heads`` (JSON data): :func:`json.dumps` makes one line."""
    return json.dumps(heads, sort_keys=True)


def _signed_text(heads: str, rest: str) -> str:
    """Return the text of a record's file: a line naming the digest of what follows, the heads, the rest.

    Its heads go into the index as they are, and what each page was made from
    names its part of the last index: neither may be taken from a record
    changed since it was written (see :func:`_read`).
    """
    body = f"{heads}\n{rest}"
    return f"{json.dumps({'digest': hashlib.sha256(body.encode()).hexdigest()})}\n{body}"


def _read(path: Path) -> tuple[dict[str, Any], str]:
    """Return the record :func:`_signed_text` wrote in ``path``, without its heads, and its heads' line.

    An empty record and no heads (:data:`_NO_HEADS`) if what follows its first
    line is not what the line signs, or not a line of heads and then a JSON object.
    """
    found = read_headed(path, RECORD_LIMIT)
    if found is None:
        return {}, _NO_HEADS
    header, data, start = found
    body = bytes(data[start:])
    if header.get("digest") != hashlib.sha256(body).hexdigest():
        return {}, _NO_HEADS
    heads, newline, rest = body.partition(b"\n")
    try:
        record = json.loads(rest) if newline else None
        text = heads.decode()
    except (ValueError, RecursionError):  # ValueError covers bad UTF-8 and bad JSON
        return {}, _NO_HEADS
    return (record, text) if isinstance(record, dict) else ({}, _NO_HEADS)


def index_name(index: Any) -> str:
    """Return the name of the index named by ``index``: a digest of it as compact JSON.

    ``index`` is JSON data, or that encoded already (:func:`index_text`), hashed as it is.

    Examples
    --------
    >>> index_name(index_text([["Lesson", 1]])) == index_name([["Lesson", 1]])
    True
    """
    text = index if isinstance(index, KeyText) else index_text(index)
    return hashlib.sha256(text.encode()).hexdigest()


def index_text(index: Any) -> KeyText:
    """Return ``index`` (JSON data) as compact JSON: what :func:`index_name` hashes.

    For a caller that names the index to more than one record (see
    :class:`~curriculum.site._output_record.KeyText`): it is encoded once.
    """
    return KeyText(json.dumps(index, separators=(",", ":")))
