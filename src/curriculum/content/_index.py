"""The content index: each content file's stamp and what it loaded into, reused while the stamp holds.

Loading a file means reading it, parsing its YAML or notebook JSON and
validating the result; for a curriculum of sixty-four lessons that is a tenth
of a second of every build, though an author edits one file at a time. The
index keeps, for each file that loaded without a problem, its stamp (its
modification time and size), the digest of its text, its kind and the key of
its memo entry: a line of under three hundred bytes, so reading it costs
what reading stamps costs. A load writes the changes since the index's
base (every line not as the base holds it, and the names of the files gone),
not the whole index, until they grow large: then it writes a new base
(:mod:`curriculum.content._record_changes`). What the file loaded into is kept by its
digest in the memo (:mod:`curriculum._memo`, see
:mod:`curriculum.content._project`), in one entry: its model as JSON, and its
locations; the entry's key is in the line, so a load keeps every unchanged
file's entry without computing a key for each (the index is tied to the same
computer's key and code as the memo's keys). A later load takes a file whose
stamp is as recorded from there, with one look-up: the model is validated back
from its JSON (in pydantic's compiled core), the locations are kept as JSON
and parsed only when a problem asks where something is, and a lesson's cells
are read from the file only when something asks for them.

The index is tied to this computer's key and to the package's code (a record
that came with a repository, or one written by another version, is ignored),
read only as a plain file within a size limit, and trusted only for files
older than the record by :data:`~curriculum._cache.RACY_NS` (an edit in the
clock tick of the recording would leave the time and size as recorded). Each
entry carries a check of its fields, and the header one of all the entries as
written: while the latter holds, no entry's own check is computed (one CRC-32
of a few kilobytes a load, not a digest a file); an index damaged anywhere falls
back to each entry's check, and only a damaged entry's file is read again. A
file with problems is never indexed: it is loaded, and its problems reported,
every time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
import zlib
from collections.abc import Sequence
from itertools import compress, repeat
from operator import attrgetter, eq, lt, ne
from pathlib import Path
from typing import NamedTuple, cast

from curriculum._cache import PROJECT_CACHE, RACY_NS
from curriculum._memo import MAX_BYTES, tied_key
from curriculum._plain import read_headed
from curriculum.content._record_changes import changes_path, write_changes_or_base
from curriculum.errors import CurriculumError

__all__ = ["ContentIndex", "HeldEntries", "IndexEntry"]

VERSION = 6
"""Raise it when the form of an entry, or of the header's check of them all, changes."""
INDEX_FILE = "content-index.tsv"
"""The index, in the project's build cache."""
_FIELDS = 7
"""A line's fields: name, time, size, digest, kind, memo key, their check (:meth:`ContentIndex._sealed`)."""
_DIGEST = re.compile(r"[0-9a-f]{64}", re.ASCII)
"""A digest or a memo key as the index holds it: a SHA-256 in lowercase hex."""


_ENCODING = ("utf-8", "surrogateescape")
"""The index's encoding (decoded once a load): any name the file system allows, undecodable bytes too."""
_MTIME = attrgetter("st_mtime_ns")
_SIZE = attrgetter("st_size")


class IndexEntry(NamedTuple):
    """What loading one file gave, as the index keeps it (a tuple: one is made for each file a load takes).

    Attributes
    ----------
    kind : str
        ``lesson``, ``notes``, ``techniques`` or the folder of a YAML format.
    digest : str
        The SHA-256 of the file's text (what it loaded into is kept by it, in the memo).
    key : str
        The key of the memo entry that holds what it loaded into (for the memo's ``keep_keys``).
    """

    kind: str
    digest: str
    key: str


class HeldEntries(NamedTuple):
    """The entries of a folder's files as the index holds them (:meth:`ContentIndex.held_all`), by field.

    Attributes
    ----------
    kinds, digests, keys : list[str]
        Each file's :class:`IndexEntry` fields, in the files' order.
    held : list[bool]
        Whether the index holds each file as it is now: the fields of one it
        does not are not to be used (the file is looked up alone).
    """

    kinds: list[str]
    digests: list[str]
    keys: list[str]
    held: list[bool]

    def part(self, span: slice) -> HeldEntries:
        """Return the entries of the files in ``span`` (a slice of each field)."""
        return HeldEntries(self.kinds[span], self.digests[span], self.keys[span], self.held[span])


class ContentIndex:
    """The index of one project's content files (see the module's description).

    Parameters
    ----------
    root : Path
        The project folder.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / PROJECT_CACHE / INDEX_FILE
        self._started = time.time_ns()
        self._key = tied_key(str(VERSION))
        self._seal = hashlib.sha256(self._key.encode() + b"\0")  # each entry's check starts so
        self._body_start = zlib.crc32(self._key.encode() + b"\0\1")  # the check of all entries starts so
        self._before: dict[str, str] = {}
        """The entries read, each line as read by its file name: all decoded at once (no name is encoded)."""
        self._lines: list[str] = []
        self._row: dict[str, int] = {}
        """Each file's line, by its place in :attr:`_lines` (the last, for a name written twice)."""
        self._columns: list[list[str]] = [[] for _ in range(_FIELDS)]
        """Each field of the lines, in their order: all split at once (no line is split alone). The
        names' column holds each name only at its :attr:`_row` (a line left behind holds none), so a
        folder whose names the column holds in a row is looked up by one slice (:meth:`held_all`)."""
        self._at = 0
        self._intact = False
        """Whether the entries are as written (the header's check of them holds): none is checked alone."""
        self._ascii = False
        """Whether every entry is ASCII text (one look at them all): no field is looked at alone."""
        self._base: dict[str, str] = {}
        """The base's entries, each line by its file name (its changes are made against them)."""
        self._base_size = 0
        self._generation: str | None = None
        """The base's generation (None: no base to write changes of, see :meth:`save`)."""
        self._read()
        self._now: dict[str, str] = {}
        self._recorded = False
        self.reused = 0
        """How many files the last load took from the index."""

    def _read(self) -> None:
        """Read the entries of the index, if it is this computer's and this code's; else start empty.

        While the entries are as written (the header's check holds), every line
        is split into its fields in one step, the fields of each kind in one
        column: a folder's files are then looked up all at once
        (:meth:`held_all`). Otherwise only the lines of exactly their fields are
        kept, each counted alone: lines of too few and of too many fields could
        balance out, and shift another file's digest into a line's columns.
        Then the changes since the base are applied (:meth:`_read_changes`).
        """
        found = self._headed(self.path)
        if found is None:
            return
        header, body, size = found
        self._at = cast("int", header["at"])
        self._intact = header.get("entries") == self._body_seal(body)
        self._ascii = body.isascii()
        lines = body.decode(*_ENCODING).split("\n")[:-1]  # each line ends with a newline
        if not self._intact:  # a damaged line: only those of all their fields are read
            lines = [line for line in lines if line.count("\t") == _FIELDS - 1]
        fields = "\t".join(lines).split("\t") if lines else []
        if len(fields) != _FIELDS * len(lines):  # as written, by other code: none is trusted
            lines, fields = [], []
        self._lines = lines
        self._columns = [fields[n::_FIELDS] for n in range(_FIELDS)]
        names = self._columns[0]
        self._row = dict(zip(names, range(len(lines)), strict=True))
        self._before = dict(zip(names, lines, strict=True))
        if len(self._row) < len(lines):  # a name written twice: only its last line holds it
            self._columns[0] = [name if self._row[name] == n else "" for n, name in enumerate(names)]
        generation = header.get("generation")
        if self._intact and isinstance(generation, str):  # a damaged base is written anew, not changed
            self._base, self._base_size, self._generation = dict(self._before), size, generation
            self._read_changes()

    def _headed(self, path: Path) -> tuple[dict[str, object], bytes, int] | None:
        """Return a file of the index if it is this computer's and this code's: its header, body and size."""
        found = read_headed(path, MAX_BYTES)
        if found is None:
            return None
        header, data, start = found
        if header.get("key") != self._key or not isinstance(header.get("at"), int):
            return None
        return header, bytes(data[start:]), len(data)

    def _read_changes(self) -> None:
        """Apply the changes since the base, if they are of its generation: set lines, and names gone.

        Changes not as written (their check fails, or a line is not an entry
        nor a name) make the index none: every file is read again. The
        index's time is then theirs: a line the base holds that they leave as
        it was was found to hold, or recorded, by the load that wrote them.
        """
        found = self._headed(changes_path(self.path))
        if found is None or found[0].get("generation") != self._generation:
            return  # none, or an interrupted compaction's: the base alone is the index
        header, body, _ = found
        lines = body.decode(*_ENCODING).split("\n")[:-1]
        rows = [line.split("\t") for line in lines]
        if header.get("entries") != self._body_seal(body) or not all(len(r) in (1, _FIELDS) for r in rows):
            self._row, self._before, self._generation = {}, {}, None  # no entry is found, and all are written
            return
        self._at = cast("int", header["at"])
        self._ascii = self._ascii and body.isascii()
        for line, fields in zip(lines, rows, strict=True):
            self._set(fields[0], line if len(fields) == _FIELDS else None, fields)

    def _set(self, name: str, line: str | None, fields: list[str]) -> None:
        """Set the entry of ``name`` to ``line`` (of the ``fields``), or remove it (``line`` None)."""
        row = self._row.get(name)
        if line is None:
            if row is not None:
                self._columns[0][row] = ""  # its line left behind holds no name (see :attr:`_columns`)
            self._row.pop(name, None)
            self._before.pop(name, None)
            return
        if row is None:
            row = self._row[name] = len(self._lines)
            self._lines.append(line)
            for column, field in zip(self._columns, fields, strict=True):
                column.append(field)
        else:
            self._lines[row] = line
            for column, field in zip(self._columns, fields, strict=True):
                column[row] = field
        self._before[name] = line

    def entry(
        self, path: str | os.PathLike[str], name: str, info: os.stat_result | None = None
    ) -> tuple[os.stat_result | None, IndexEntry | None]:
        """Return the file's status and its entry, if the index holds one for the file as it is now.

        Parameters
        ----------
        path : str | os.PathLike[str]
            The content file.
        name : str
            Its path relative to the project.
        info : os.stat_result | None
            Its status, if the caller has just taken it (None: it is taken here,
            following a link to the file it leads to).

        Returns
        -------
        tuple[os.stat_result | None, IndexEntry | None]
            The status, taken before the file is read (None if it cannot be), and the entry.
        """
        if info is None:
            try:
                info = os.stat(path)
            except OSError:
                return None, None
        return info, self.held(name, info)

    def held(self, name: str, info: os.stat_result) -> IndexEntry | None:
        """Return the entry of the file ``name``, if the index holds it with the status ``info`` (else None).

        A folder's files are looked up so, each with the status its caller
        took (see :meth:`entry`): one call a file, no status taken here.

        Parameters
        ----------
        name : str
            The file's path relative to the project.
        info : os.stat_result
            Its status, taken before the file would be read.
        """
        row = self._row.get(name)
        if row is None or info.st_mtime_ns + RACY_NS >= self._at:
            return None
        times, sizes, digests, kinds, keys, seals = self._columns[1:]
        if times[row] != str(info.st_mtime_ns) or sizes[row] != str(info.st_size):
            return None
        # damaged: read (the digest, a SHA-256 when recorded); while the index is as written, none is
        if not self._intact and seals[row] != self._sealed(self._lines[row].split("\t")[:6]):
            return None
        digest, kind, key = digests[row], kinds[row], keys[row]
        if not (self._ascii or (digest.isascii() and kind.isascii() and key.isascii())):
            return None
        self._now[name] = self._lines[row]
        self.reused += 1
        return IndexEntry(kind, digest, key)

    def held_all(self, names: list[str], infos: Sequence[os.stat_result | None]) -> HeldEntries | None:
        """Return the entries of the files ``names``, and which of them the index holds with their status.

        The files of a folder, looked up in one step: their statuses ``infos``
        (as :meth:`held` takes them; None: the file was not looked at, or is a
        link) are compared with the entries' all at once, none alone. A file
        is held as :meth:`held` would hold it: as it is now, changed at least
        :data:`~curriculum._cache.RACY_NS` before the recording; the lines of
        those held are kept as read. Any doubt about the whole gives None and
        records nothing (the caller then looks each file up with
        :meth:`held`): a file the index holds no entry of, or not looked at,
        an index not as written or not all ASCII.
        """
        if not (names and self._intact and self._ascii) or None in infos:
            return None
        found = self._lines_of(names)
        if found is None:
            return None
        lines, columns = found
        statuses = cast("list[os.stat_result]", infos)
        times, sizes, digests, kinds, keys = columns
        mtimes = list(map(_MTIME, statuses))
        now_times = list(map(str, mtimes))
        now_sizes = list(map(str, map(_SIZE, statuses)))
        settled_before = self._at - RACY_NS  # as :meth:`held`: mtime + RACY_NS < at
        if times == now_times and sizes == now_sizes and max(mtimes) < settled_before:
            held = [True] * len(names)  # the usual folder: all held, told by three comparisons of lists
            self._now.update(zip(names, lines, strict=True))
        else:
            same_times, same_sizes = map(eq, times, now_times), map(eq, sizes, now_sizes)
            settled = map(lt, mtimes, repeat(settled_before))
            held = list(map(all, zip(same_times, same_sizes, settled, strict=True)))
            self._now.update(compress(zip(names, lines, strict=True), held))
        self.reused += held.count(True)
        return HeldEntries(kinds, digests, keys, held)

    def _lines_of(self, names: list[str]) -> tuple[list[str], list[list[str]]] | None:
        """Return the lines of the files ``names``, and their time, size, digest, kind and key by column.

        A folder the index holds in a row, in the names' order (as a load
        writes it), is taken by one slice of each column; any other is
        gathered line by line. None: the index lacks one of the names.
        """
        start = self._row.get(names[0])
        if start is not None and self._columns[0][start : start + len(names)] == names:
            span = slice(start, start + len(names))
            return self._lines[span], [column[span] for column in self._columns[1:6]]
        found = list(map(self._row.get, names))
        if None in found:
            return None
        rows = cast("list[int]", found)
        columns = [list(map(column.__getitem__, rows)) for column in self._columns[1:6]]
        return list(map(self._lines.__getitem__, rows)), columns

    def _sealed(self, fields: list[str]) -> str:
        """Return the check of an entry's fields, with the index's key.

        An entry is the only witness of which file a digest, a kind and a memo
        key are taken for: the file is not read again, and the memo is not
        searched, before its content is asked for. An entry damaged in place
        (another digest, kind or key) fails its check, and its file is read as any other.
        """
        hasher = self._seal.copy()  # the key, then the fields, each after a NUL
        hasher.update("\0".join(fields).encode(*_ENCODING))
        return hasher.hexdigest()[:32]

    def _body_seal(self, body: bytes) -> str:
        """Return the check of every entry as written (the lines after the header), with the index's key.

        It vouches for each entry as the entries' own checks do: while it
        holds, no entry's check is computed. A CRC-32, as the memo's journal
        checks its records: what it guards against is damage (a torn or
        garbled write), which it tells as surely as a digest would, while a
        record of another computer or code is told by the header's key. A
        SHA-256 of every line cost each load more than all else the index does
        with an unchanged file's entry (about 6 k instructions a file).
        """
        return f"{zlib.crc32(body, self._body_start):08x}"

    def forget(self, name: str) -> None:
        """Drop the entry :meth:`entry` just gave, found unusable (the file is read and recorded anew)."""
        if self._now.pop(name, None) is not None:
            self.reused -= 1

    def remember(self, name: str, info: os.stat_result, entry: IndexEntry) -> None:
        """Record what loading a file gave, with its status from before it was read.

        Parameters
        ----------
        name : str
            The file's path relative to the project.
        info : os.stat_result
            Its status, from :meth:`entry`.
        entry : IndexEntry
            What it loaded into.
        """
        fields = [name, str(info.st_mtime_ns), str(info.st_size), entry.digest, entry.kind, entry.key]
        if any("\t" in f or "\n" in f for f in fields):
            return  # a file name holding one is left out of the index
        if not (_DIGEST.fullmatch(fields[3]) and _DIGEST.fullmatch(fields[5])):
            return  # only a SHA-256 keys the memo: an entry is trusted, once its check holds, without a look
        self._now[fields[0]] = "\t".join([*fields, self._sealed(fields)])
        self._recorded = True

    def save(self) -> None:
        """Write the index if it differs from the one read or a file was read again.

        A file read again is recorded again, with the time of this load, so
        one read because it changed just before the last record is trusted
        next time (as :class:`~curriculum.site._stamp.FileDigests` does). What
        is written is the entries changed since the base, and the names gone,
        while they are few (see :mod:`curriculum.content._record_changes`),
        else the whole index. The index is a cache: a failure to write it is ignored.
        """
        if self._now == self._before and not self._recorded:
            return
        with contextlib.suppress(CurriculumError, OSError):
            write_changes_or_base(self.path, self._changes(), self._whole, self._base_size, within=self.root)

    def _changes(self) -> bytes | None:
        """Return the changes file: the lines not as the base holds them, the names it holds that are gone.

        None if there is no base to change (none was read, or it was damaged).
        """
        if self._generation is None:
            return None
        now, base = self._now, self._base
        changed = list(compress(now.values(), map(ne, now.values(), map(base.get, now))))  # in one pass
        gone = sorted(base.keys() - now.keys())  # a name alone on its line: no entry
        return self._file(changed + gone, self._generation)

    def _whole(self, generation: str) -> bytes:
        """Return the whole index, a base of the generation ``generation``."""
        return self._file(list(self._now.values()), generation)

    def _file(self, lines: list[str], generation: str) -> bytes:
        """Return a file of the index holding ``lines``, its header naming ``generation`` and the time."""
        body = "\n".join([*lines, ""]).encode(*_ENCODING)  # a newline after each
        header = {
            "index": VERSION,
            "key": self._key,
            "at": self._started,
            "generation": generation,
            "entries": self._body_seal(body),
        }
        return json.dumps(header).encode() + b"\n" + body
