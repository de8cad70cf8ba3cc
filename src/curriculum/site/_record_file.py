"""A record of the build cache kept as a base and the changes since, so that saving it costs what changed.

A record whose entries a one-page edit mostly leaves as they were (the wrap's,
the search stage's, the page plan's) would otherwise be encoded and written
whole by every build. A :class:`RecordFile` keeps it as two files: the base (``name.json``,
the whole record when it was last written so) and its changes
(``name.changes.json``: the entries set and removed since). Reading it is one
decode of each and one merge of each section with its changes; saving it
writes the changes since the base only, while they stay small beside it
(:data:`~curriculum.content.COMPACT_AT`), and otherwise the whole record as a new base.

Each base has a generation, a random name written in it and in its changes
(random, not a digest: reading the base hashes nothing): changes are applied
to the base they were made against only. The changes are all those since the
base (an entry changed back is none), so each save replaces them. Every write is
atomic, and a new base is written before the changes of the old one are
removed, so a build stopped at any point leaves either the old record, the
new one, or none: changes of another generation are those an interrupted
compaction left, and the base alone is the record then; changes that cannot
be read make the record none (it only costs a rebuild). The record's own
rules of what stands (its keys, its files' stamps) are its caller's.

A record whose entries are trusted as they are (what each page gave the
search index: :class:`~curriculum.site._search_parts.PartRecord`; what the
wrapped and search files were made from:
:class:`~curriculum.site._output_record.OutputRecord`; the page plan's
:class:`~curriculum.site._page_plan.PagePlan`; and, written whole with
:func:`seal`, the notebooks' and the staging mirror's records) is *sealed*: each of
its files begins with a line naming a digest of the rest
(:func:`seal`), of its bytes as read, so one damaged in place is none, as a
base or changes that cannot be read are. The digest is keyed by this
computer's key (:func:`~curriculum._memo.machine_key`: a keyed BLAKE2b, a
MAC that hashes a record, read whole by every build, in half the
instructions HMAC-SHA-256 took; a file sealed by an earlier version is none,
and made again once): a file
changed and sealed again by hand, or one that came from another computer,
is none too, so only what this computer's builds wrote is trusted as read. The changes, tied to their base by
its generation, are sealed on their own: saving a sealed record hashes what
it writes, the changes only, not the whole record.

Nor is the base, which grows with the site, hashed whole at every build:
once a build has checked its seal, the base's stamp (size, inode number,
modification and change times) is noted beside it in a small sealed file of
its own (:func:`stamps_path`), and a base that still has that stamp is the
very file checked then, read without checking its seal again (as the search
stage's kept postings are, :func:`~curriculum.site._postings.read_kept`). A
base changed since, even in place with its time set back (the change time
cannot be: a stamp is noted only of a file whose status last changed longer
ago than the file clock's tick, so any change since moves it), or put there
from elsewhere (another inode), has another stamp, and its seal is checked as
before; so is every base when the stamp is missing, damaged or of another
computer. The changes, small, are always checked.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import operator
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from itertools import compress, repeat
from operator import ne
from pathlib import Path
from typing import Any

from curriculum._memo import machine_key
from curriculum._plain import RECORD_LIMIT, decoded_record, open_plain, read_existing
from curriculum.content import changes_path, write_atomic, write_changes_or_base
from curriculum.errors import CurriculumError

__all__ = [
    "RecordFile",
    "Stamp",
    "looked_up",
    "read_sealed",
    "read_stamped",
    "seal",
    "stamp_of",
    "stamps_path",
    "unsealed",
]

_GENERATION = "generation"
"""The key of the base's generation, in the base beside its sections and in its changes."""

_ABSENT = object()
"""What an entry the base has not is (an entry's value may be JSON ``null``)."""

Stamp = list[int]
"""A cache file's size, inode number, modification and change times (ns), as :func:`os.stat` gives them."""
_STAMP = operator.attrgetter("st_size", "st_ino", "st_mtime_ns", "st_ctime_ns")
"""What a :data:`Stamp` takes of a file's status (the change time is one no hand can set back)."""
_SETTLED = 50_000_000
"""How long ago (ns) a base's status last changed for its stamp to be noted: longer than a tick of the
clock that times files, so that any change since gives it another change time."""


class RecordFile:
    """A record of named sections (each a JSON object of entries), kept as a base and its changes.

    Parameters
    ----------
    path : Path
        The base (its changes are in the same folder, ``.changes`` before its suffix).
    sections : tuple[str, ...]
        The names of the record's sections (what is not one of them is not kept).
    sealed : bool
        Each file begins with a digest of the rest (see the module's description).
    within : Path | None
        The folder its files must be written inside, links followed (None: the
        base's own folder, which the build checked leads inside the project).
    """

    def __init__(
        self, path: Path, sections: tuple[str, ...], *, sealed: bool = False, within: Path | None = None
    ) -> None:
        self.path = path
        self._within = within or path.parent
        self.changes = changes_path(path)
        self._sections = sections
        self._sealed = sealed
        self._base: dict[str, dict[str, Any]] = {name: {} for name in sections}
        self._generation: str | None = None
        self._size = 0

    def read(self) -> dict[str, dict[str, Any]]:
        """Return the record: each section of the base with its changes (empty if there is none).

        Returns
        -------
        dict[str, dict[str, Any]]
            Each section's entries. The entries' values are shared with this
            object (what :meth:`save` compares with): they are not to be changed in place.
        """
        raw, stamp = read_stamped(self.path) or (None, None)
        base = decoded_record(self._base_text(raw, stamp))
        if raw is None or base is None:
            return {name: {} for name in self._sections}
        self._base = {name: _section(base.get(name)) for name in self._sections}
        generation = base.get(_GENERATION)
        self._generation = generation if isinstance(generation, str) else None
        self._size = len(raw)
        changes = read_existing(self.changes, RECORD_LIMIT)
        if changes is None:  # none since the base
            return dict(self._base)
        merged = self._applied(self._decoded(changes))
        if merged is None:  # damaged: the record is none, and the next save a new base
            self._base = {name: {} for name in self._sections}
            self._generation = None
            return {name: {} for name in self._sections}
        return merged

    def save(self, record: Mapping[str, dict[str, Any]]) -> None:
        """Write ``record`` (each section's entries): its changes since the base, or a new base.

        The changes are written while they stay small beside the base
        (see :func:`~curriculum.content.write_changes_or_base`), else the whole
        record as a new base, of a new generation.

        Parameters
        ----------
        record : Mapping[str, dict[str, Any]]
            Each section's entries now (a section not given has none).
        """
        changes = None
        if self._generation is not None:
            changes = self._text({_GENERATION: self._generation, **self._changes(record)}).encode()
        written: list[tuple[str, int, dict[str, dict[str, Any]]]] = []

        def base(generation: str) -> bytes:
            """Return the record as a new base of ``generation`` (noted, to be taken once it is written)."""
            sections = {name: dict(record.get(name, {})) for name in self._sections}  # copied: a base only
            data = self._text({**sections, _GENERATION: generation}).encode()
            written.append((generation, len(data), sections))
            return data

        if write_changes_or_base(self.path, changes, base, self._size, within=self._within):
            self._generation, self._size, self._base = written[0]

    def _base_text(self, raw: bytes | None, stamp: Stamp | None) -> bytes | None:
        """Return the JSON of the base read as ``raw`` with ``stamp`` (None: none, or not as its seal says).

        A base that still has the stamp noted beside it (:func:`stamps_path`)
        is the very file whose seal a build checked: it is read without hashing
        it again. Else its seal is checked, and, if it holds and the file is
        settled (:data:`_SETTLED`), its stamp noted for the next build.
        """
        if not self._sealed:
            return raw
        if raw is None or stamp is None:
            return None
        noted = stamps_path(self.path)
        if stamp == read_sealed(noted).get("base"):
            return _after_seal(raw)
        body = unsealed(raw)
        if body is not None and time.time_ns() - stamp[3] >= _SETTLED:
            with contextlib.suppress(CurriculumError, OSError):  # kept only to save time
                write_atomic(
                    noted, seal(json.dumps({"base": stamp})), within=self._within, only_if_changed=False
                )
        return body

    def _text(self, data: dict[str, Any]) -> str:
        """Return the text of a file of the record holding ``data`` (sealed, if the record is)."""
        text = json.dumps(data, sort_keys=True)
        return seal(text) if self._sealed else text

    def _decoded(self, raw: bytes | None) -> dict[str, Any] | None:
        """Return what a file of the record holds (None: none, damaged, or not as its seal says)."""
        return decoded_record(unsealed(raw) if self._sealed else raw)

    def _changes(self, record: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
        """Return the entries of ``record`` set since the base (``set``), and those removed (``gone``).

        An entry is set if its value is not the base's (or the base has none):
        each is compared with the base's in one pass of :func:`map`, and those
        that differ are taken by :func:`~itertools.compress`, not one Python
        call an entry (an unchanged entry is most often the base's own value:
        comparing it costs nothing).
        """
        changed: dict[str, dict[str, Any]] = {}
        gone: dict[str, list[str]] = {}
        for name in self._sections:
            now, base = record.get(name, {}), self._base[name]
            changed[name] = dict(compress(now.items(), map(ne, looked_up(base, now, _ABSENT), now.values())))
            gone[name] = sorted(base.keys() - now.keys())
        return {"set": changed, "gone": gone}

    def _applied(self, changes: dict[str, Any] | None) -> dict[str, dict[str, Any]] | None:
        """Return the base with ``changes`` (the base alone: of another generation; None: damaged)."""
        if changes is None:
            return None
        if self._generation is None or changes.get(_GENERATION) != self._generation:
            return dict(self._base)  # an interrupted compaction's: the base is newer
        changed, gone = changes.get("set"), changes.get("gone")
        if not (isinstance(changed, dict) and isinstance(gone, dict)):
            return None
        merged: dict[str, dict[str, Any]] = {}
        for name in self._sections:
            now, removed = changed.get(name, {}), gone.get(name, [])
            if not (isinstance(now, dict) and isinstance(removed, list)):
                return None
            section = {**self._base[name], **now}
            for entry in removed:
                if not isinstance(entry, str):
                    return None
                section.pop(entry, None)
            merged[name] = section
        return merged


def looked_up(mapping: Mapping[Any, Any], keys: Iterable[Any], default: Any = None) -> Iterator[Any]:
    """Return the value ``mapping`` has for each of ``keys`` (``default``: none), looked up in one pass.

    For a record's entries looked up by the hundred: the look-ups are made by
    :func:`map`, not one Python call an entry.

    Examples
    --------
    >>> list(looked_up({"a": 1, "b": 2}, ["b", "c", "a"], 0))
    [2, 0, 1]
    """
    return map(mapping.get, keys, repeat(default))


def _section(value: Any) -> dict[str, Any]:
    """Return a section of the base as read (a damaged one has no entries)."""
    return value if isinstance(value, dict) else {}


def seal(text: str) -> str:
    """Return ``text`` after a line naming its digest, keyed by this computer's key (see :func:`unsealed`).

    Examples
    --------
    >>> unsealed(seal('{"a": 1}').encode())
    b'{"a": 1}'
    """
    return f'{{"digest": "{_digest(text.encode())}"}}\n{text}'


def unsealed(raw: bytes | None) -> bytes | None:
    """Return what follows the first line of ``raw`` if that line names its digest (see :func:`seal`).

    None if it does not (the file was changed since it was written, sealed
    on another computer or by hand, or is not sealed), or if there is no
    file (``raw`` None).
    """
    if raw is None:
        return None
    header, newline, body = raw.partition(b"\n")
    if not newline or header != f'{{"digest": "{_digest(body)}"}}'.encode():
        return None
    return body


def stamps_path(path: Path) -> Path:
    """Return where the stamps of the files of the record of base ``path`` are kept (``name.stamps.ext``).

    Examples
    --------
    >>> stamps_path(Path("cache/pages.json")).as_posix()
    'cache/pages.stamps.json'
    """
    return path.with_name(f"{path.stem}.stamps{path.suffix}")


def _after_seal(raw: bytes) -> bytes | None:
    """Return what follows the first line of a sealed file, its seal unchecked (None: no first line)."""
    header, newline, body = raw.partition(b"\n")
    return body if newline and header.startswith(b'{"digest": "') else None


def read_stamped(path: Path) -> tuple[bytes, Stamp] | None:
    """Return the bytes of a plain file of a record, and its stamp as opened (None: none, or too large).

    Read as :func:`~curriculum._plain.read_existing` reads (no link followed),
    the stamp taken of the file opened, so that it is the stamp of the bytes read.
    """
    opened = open_plain(path)
    if opened is None:
        return None
    fd, info = opened
    try:  # no more than the file holds, and one byte to see it grew
        data = os.read(fd, min(RECORD_LIMIT, info.st_size) + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return None if len(data) > RECORD_LIMIT else (data, list(_STAMP(info)))


def stamp_of(path: Path) -> Stamp | None:
    """Return the stamp of the file at ``path`` (a link is not followed; None: none there)."""
    try:
        return list(_STAMP(os.lstat(path)))
    except OSError:
        return None


def read_sealed(path: Path) -> dict[str, Any]:
    """Return the record a file written whole by :func:`seal` holds (empty: none, damaged or edited)."""
    return decoded_record(unsealed(read_existing(path, RECORD_LIMIT))) or {}


def _digest(data: bytes) -> str:
    """Return the BLAKE2b digest of ``data`` (32 bytes) keyed by this computer's key, in hexadecimal."""
    keyed = _sealing(machine_key()).copy()
    keyed.update(data)
    digest: str = keyed.hexdigest()
    return digest


@functools.cache
def _sealing(key: str) -> hashlib.blake2b:
    """Return the keyed hash that seals records with the computer's key ``key`` (made once for each key).

    BLAKE2b in its keyed mode is a MAC of its own (no HMAC around it); its
    key, at most 64 bytes, is a SHA-256 digest of the computer's key and what
    it seals, so that no other keyed hash of the computer's key is this one.
    """
    secret = hashlib.sha256(f"record seal\0{key}".encode()).digest()
    return hashlib.blake2b(key=secret, digest_size=32, person=b"record seal")
