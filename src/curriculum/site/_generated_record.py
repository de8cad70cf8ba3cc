"""What each file the pre-render wrote was made from, so that a file whose inputs did not change stands.

A generated page is made from its document's text and from what every page
shares (what :attr:`~curriculum.render.PayloadBuilder.shared_digest` names,
the code and this computer's key); the memo key it is remembered by names
them all. The record keeps, for each file, the key it was made from, its
size and modification time as written and the hash of its contents (so that
the build, which names each page's source by that hash, need not read nor
hash a file that stands: :meth:`GeneratedRecord.hashes`), and, for a page made from its document
alone, the digest of that document's text. While what every page shares is
as recorded, such a page whose document's digest is as recorded, and whose
file is as written, stands for a look-up and one ``stat``: no key is computed.
Any other file stands when the key it would be made from now is the one
recorded and its file is as written.

The files are in the project, where other programs write too: one changed
less than :data:`~curriculum._cache.RACY_NS` before the record was written is
not taken as unchanged (an edit in the same clock tick would leave its size
and time as recorded); it is recorded again, and trusted by a later build.

The record is kept as its changes (:class:`~curriculum.site._record_file.RecordFile`):
an edit of one quiz writes the entries of the pages it changed (and the time the
record was written), not the entry of every page; an entry that stands is the
one read, found unchanged by a comparison in C.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any, TypeGuard

from curriculum._cache import RACY_NS
from curriculum._memo import tied_key
from curriculum.content import text_digest
from curriculum.site._output_record import size_and_time
from curriculum.site._record_file import RecordFile

__all__ = ["GeneratedRecord"]


class GeneratedRecord:
    """What the files the pre-render wrote were made from, kept in a file of the build cache.

    Parameters
    ----------
    path : Path
        The record (in the profile's build cache).
    root : Path
        The project (the files' names are relative to it).
    shared : str
        What every generated page is made from besides its own document (the
        memo's namespace and the payloads' shared digest): a page is taken as
        made from its document alone only under the same.
    """

    def __init__(self, path: Path, root: Path, shared: str) -> None:
        self._file = RecordFile(path, _SECTIONS)
        self._folder = os.path.join(root, "")  # with its separator: a file's path is one concatenation
        self._key = tied_key(_FORM)
        self._shared = shared
        data = self._file.read()
        about = data["about"]
        ours = about.get("key") == self._key  # else of another computer or code: no record
        at = about.get("at")
        self._before: dict[str, Any] = data["entries"] if ours else {}
        self._since = (at if ours and isinstance(at, int) else 0) - RACY_NS
        self._alone_before: dict[str, Any] = data["alone"] if ours and about.get("shared") == shared else {}
        """The digest of the document each page was made from alone, by the page's name (none if what every
        page shares changed)."""
        self._racy = False
        self._now: dict[str, list[Any]] = {}
        self._alone_now: dict[str, str] = {}

    def standing_alone(self, digests: Mapping[str, str]) -> dict[str, str]:
        """Return the key of each page of ``digests`` that stands as made from its document alone.

        ``digests`` holds the digest of each page's document's text, by the
        page's name. A page stands when it was made from that document alone,
        whose text's digest was the one ``digests`` holds, under what every page
        shares now, and its file is as written. The pages are compared with the
        record at once, as sets of their names and digests: only a page found
        so costs more, the ``stat`` of its file.
        """
        try:
            found = list(filter(_SECOND, digests.items() & self._alone_before.items()))  # a digest names it
        except TypeError:  # a damaged record: a digest that is no text
            return {}
        names = list(map(_FIRST, found))
        entries: list[Any] = list(map(self._before.get, names))
        if self._all_as_written(names, entries):  # the usual case, all at once: no Python step a page
            self._now.update(zip(names, entries, strict=True))
            self._alone_now.update(found)
            return dict(zip(names, map(_FIRST, entries), strict=True))
        standing: dict[str, str] = {}
        before, as_written = self._before, self._as_written
        for name, digest in found:
            then = before.get(name)
            if digest and _entry(then) and as_written(name, then):
                standing[name] = then[0]
                self._alone_now[name] = digest
        return standing

    def kept(self, name: str, key: str, alone: str = "") -> bool:
        """Return whether the file ``name`` stands as made from ``key``.

        ``alone`` is the digest of its document's text if ``key`` names it made from that document alone.
        """
        then = self._before.get(name)
        if not _entry(then) or then[0] != key or not self._as_written(name, then):
            return False
        if alone:
            self._alone_now[name] = alone
        return True

    def wrote(self, name: str, text: str, key: str, alone: str = "") -> None:
        """Record the file ``name`` as written now (``text``), made from ``key`` (and its document ``alone``).

        ``text`` is what the file holds (it is not read back): its hash is recorded
        (:func:`~curriculum.content.text_digest`, the SHA-256 the build's stamp takes of a file's bytes;
        see :meth:`hashes`).
        """
        self._now[name] = [key, *self._stat(name), text_digest(text)]
        if alone:
            self._alone_now[name] = alone

    def hashes(self) -> dict[str, str]:
        """Return the hash of the contents of each file that stood or was written (SHA-256, hexadecimal).

        A file that stood is as it was written (its size and time say so), so
        its contents are those whose hash was recorded then: they are neither
        read nor hashed. By the file's name, all at once (no Python step a file).
        """
        now = self._now
        return dict(zip(now, map(_HASH, now.values()), strict=True))

    def save(self) -> None:
        """Write the record, if it changed (or named a file changed just before it was written).

        Written with the time it is written, so never as it was: the old one is
        not read to compare. What is written is its changes since its base (see
        :class:`~curriculum.site._record_file.RecordFile`): the entries not
        those read, and that time.
        """
        if self._now != self._before or self._alone_now != self._alone_before or self._racy:
            about = {"key": self._key, "shared": self._shared, "at": time.time_ns()}
            self._file.save({"about": about, "entries": self._now, "alone": self._alone_now})

    def _all_as_written(self, names: list[str], entries: list[Any]) -> bool:
        """Whether each file of ``names`` is as its entry says (:meth:`_as_written`), all found at once.

        Each entry a record's (:func:`_entry`), each file there, with the size and
        time recorded, older than the record: compared by :func:`map`, one ``stat``
        a file. False if any is not (each is then asked about in turn, which records what it finds).
        """
        if not entries:
            return True
        if (
            set(map(type, entries)) != {list}
            or set(map(len, entries)) != {4}
            or set(map(type, map(_FIRST, entries))) != {str}
            or set(map(type, map(_HASH, entries))) != {str}
        ):
            return False
        try:
            infos = list(map(os.stat, map(self._folder.__add__, names)))
        except (OSError, ValueError):
            return False
        times = list(map(_MTIME, infos))
        written = list(zip(map(_SIZE, infos), times, strict=True))
        return written == list(map(_SIZE_AND_TIME, entries)) and max(times) < self._since

    def _as_written(self, name: str, entry: list[Any]) -> bool:
        """Whether the file ``name`` has the size and time ``entry`` records, older than the record.

        One that has is recorded by ``entry`` again. One ``stat``, looked at in this one call.
        """
        try:
            info = os.stat(self._folder + name)
        except (OSError, ValueError):  # gone (or a name no file has: a NUL in a damaged record's)
            return False
        if entry[1] != info.st_size or entry[2] != info.st_mtime_ns:
            return False
        if info.st_mtime_ns >= self._since:
            self._racy = True  # recorded again once made, with a later time: trusted next time
            return False
        self._now[name] = entry
        return True

    def _stat(self, name: str) -> list[int]:
        return size_and_time(self._folder + name)


_FIRST, _SECOND = itemgetter(0), itemgetter(1)
"""The first and second of a pair (a page's name and digest), or an entry's key."""
_SIZE_AND_TIME = itemgetter(1, 2)
"""The size and time an entry records of its file."""
_HASH = itemgetter(3)
"""The hash of its file's contents an entry records."""
_SIZE, _MTIME = attrgetter("st_size"), attrgetter("st_mtime_ns")
"""A file's size and time, of its status."""

_SECTIONS = ("about", "entries", "alone")
"""The record's sections: what it is kept under (``key``, ``shared``, ``at``), its entries, and the pages
made from their document alone (each its document's digest)."""


_FORM = "generated-record 2"
"""The form of the record's entries (in the key it is kept under: a record of another form is none)."""


def _entry(then: Any) -> TypeGuard[list[Any]]:
    """Whether ``then`` is a record's entry of a file: the key it was made from, its size, time and hash."""
    return isinstance(then, list) and len(then) == 4 and isinstance(then[0], str) and isinstance(then[3], str)
