"""A memo namespace's journal: the entries a session added, appended to one small file beside its files.

The file is a line of JSON naming the namespace, saying it is a journal and
naming the code that wrote it, then one line per entry in the order they were
written: the key, a tab, the value (JSON text), a tab, and a CRC-32 of the key,
tab and value, in hex. Of two lines of a key, the later counts. A line whose
check fails, or a last line without its newline, is skipped: a write cut short
or two processes' lines run together lose the entries they damaged, never give
a damaged value. When it is written, merged back and dropped is the memo's
business (:mod:`curriculum._memo`); this module reads it, appends to it, and
says whether a file is still the one read.
"""

from __future__ import annotations

import json
import os
import stat
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from curriculum._plain import open_plain

__all__ = [
    "CHECK",
    "HEAD",
    "KEY_LENGTH",
    "MAX_BYTES",
    "Journal",
    "Stamp",
    "append",
    "line",
    "read_journal",
    "stamp",
]

KEY_LENGTH = 64
"""A key's length: a SHA-256 in hex."""

MAX_BYTES = 8 << 20
"""The largest journal read (read whole); a bigger one is not read, and goes when the namespace is written."""
CHECK = 8
"""The length of a journal line's check: a CRC-32 of the entry, in hex."""
_TAB = ord("\t")
"""A tab, as an item of ``bytes`` is: what ends a line's key and its value."""


def line(key: bytes, value: bytes) -> bytes:
    """Return the journal line of an entry: the key, a tab, the value, a tab, a check of all before it."""
    check = zlib.crc32(value, zlib.crc32(key + b"\t"))
    return b"%s\t%s\t%08x\n" % (key, value, check)


def entries_of(data: bytes) -> dict[bytes, bytes]:
    """Return the entries of a journal's lines, a later line of a key overriding an earlier one.

    A line that is not an entry whose check holds is skipped, as is the last
    one if no newline ends it: a write cut short, or two writers' lines run
    together, lose the entries they damaged, never give a damaged value. The
    lines are checked where they lie in ``data``; only each key and value is
    copied (a journal of large values, such as parsed documents, is not
    copied line by line).
    """
    entries: dict[bytes, bytes] = {}
    view = memoryview(data)
    start, end = 0, data.find(b"\n")
    while end >= 0:
        body_end = end - CHECK - 1
        if (
            end - start > KEY_LENGTH + CHECK + 1
            and data[start + KEY_LENGTH] == _TAB
            and data[body_end] == _TAB
            and b"%08x" % zlib.crc32(view[start:body_end]) == data[body_end + 1 : end]
        ):
            entries[data[start : start + KEY_LENGTH]] = data[start + KEY_LENGTH + 1 : body_end]
        start, end = end + 1, data.find(b"\n", end + 1)
    return entries


Stamp = tuple[int, int, int, int]
"""A file's device, inode, length and time (in nanoseconds): the same file, unchanged, while they are."""
HEAD = 4096
"""How much of a journal is read first, for its header: the rest is read only if it is this namespace's."""


def stamp_of(info: os.stat_result) -> Stamp:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def stamp(path: Path) -> Stamp | None:
    """Return the stamp of a plain file at ``path`` (one ``lstat``), or None (missing, a link, special)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return stamp_of(info) if stat.S_ISREG(info.st_mode) else None


@dataclass
class Journal:
    """The entries of a namespace's journal, as its file holds them, and which file that is.

    Attributes
    ----------
    entries : dict[bytes, bytes]
        Keys and values (JSON text), as a memo file's.
    stamp : Stamp | None
        The stamp of the plain file read (:func:`stamp`), ours or not; None if there was none. It is
        read again only once the file at its path no longer has it, and appended to only while it
        is that file; one that is not ours is removed when the namespace is next written, if it
        still has it.
    ours : bool
        The file is a journal of this namespace and code (its entries are those it holds whole).
    whole : bool
        A newline ends its last line (True for one not ours: none of its lines counts). Lines
        appended to a journal that is not whole come after a newline added to end that line, which
        may then count: only a journal that is whole is known to hold its entries and those appended.
    """

    entries: dict[bytes, bytes] = field(default_factory=dict)
    stamp: Stamp | None = None
    ours: bool = False
    whole: bool = True

    @property
    def size(self) -> int:
        """The file's length, when it is a journal of this namespace and code (0 otherwise)."""
        return self.stamp[2] if self.ours and self.stamp is not None else 0

    def extended(self, lines: bytes, stamp: Stamp) -> Journal | None:
        """Return the journal its file is once ``lines`` follow what it held, the file then at ``stamp``.

        For the process that wrote them (appended, or the journal written whole
        with them): it need not read the file again while the file keeps that
        stamp. None if this journal is not :attr:`whole` (the file is then read again).
        """
        if not self.whole:
            return None
        return Journal({**self.entries, **entries_of(lines)}, stamp, ours=True)


def _read_upto(fd: int, size: int) -> bytes:
    """Return up to ``size`` bytes of an open file (fewer only at its end)."""
    parts: list[bytes] = []
    while size > 0 and (part := os.read(fd, size)):
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def read_journal(path: Path, namespace: str, code: str) -> Journal:
    """Return the entries of a journal, or none if it is missing, foreign, of other code or too big.

    It is read as a memo file is (a link or a special file counts as missing),
    whole: :func:`curriculum._memo` keeps it within a small share of the namespace's files.
    Its header line is read first (:data:`HEAD` bytes): a journal of another
    namespace or of other code (an upgrade's) costs a small read, not a whole one.
    """
    opened = open_plain(path)
    if opened is None:
        return Journal()
    fd, info = opened
    try:
        if info.st_size > MAX_BYTES:  # not read at all
            return Journal(stamp=stamp_of(info))
        data = _read_upto(fd, min(info.st_size, HEAD))
        end = data.find(b"\n")
        if end < 0 or not _our_header(data[:end], namespace, code):
            return Journal(stamp=stamp_of(info))
        data += _read_upto(fd, info.st_size - len(data))  # the length stamped: a line added since is not read
    except OSError:  # not known to be foreign: read again next time, and left
        return Journal()
    finally:
        os.close(fd)
    return Journal(entries_of(data[end + 1 :]), stamp_of(info), ours=True, whole=data.endswith(b"\n"))


def _our_header(first: bytes, namespace: str, code: str) -> bool:
    """Whether a journal's first line names this namespace and code (one of other code holds no key)."""
    try:
        header = json.loads(first)
    except (ValueError, RecursionError):
        return False
    return (
        isinstance(header, dict)
        and header.get("memo") == namespace
        and header.get("journal") is True
        and header.get("code") == code
    )


def append(path: Path, journal: Journal, data: bytes) -> tuple[Stamp, Stamp | None] | None:
    """Append journal lines to the file ``journal`` was read from; None if it is not that file, or fails.

    The file must be the one read (same device and inode, not linked elsewhere
    too), and stay within :data:`MAX_BYTES`; the caller has checked that its
    folder is where the build writes (a link is never followed to the file
    itself: it is opened without following one). A file whose last line
    is cut short gets a newline first, so that line stays apart (and skipped).
    Returns the file's stamps before and after (another process may have appended
    to it since it was read); the stamp after is None if the file grew by more
    than these lines (another process appended to it while they were written).
    """
    if not journal.ours or journal.stamp is None:
        return None
    flags = os.O_RDWR | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if (
            (info.st_dev, info.st_ino) != journal.stamp[:2]
            or not stat.S_ISREG(info.st_mode)
            or info.st_nlink != 1
            or info.st_size + len(data) + 1 > MAX_BYTES
        ):
            return None
        os.lseek(fd, -1, os.SEEK_END)
        if os.read(fd, 1) != b"\n":
            data = b"\n" + data
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        after = os.fstat(fd)
        return stamp_of(info), stamp_of(after) if after.st_size == info.st_size + len(data) else None
    except OSError:  # the lines written so far are whole or skipped; the journal is then written whole
        return None
    finally:
        os.close(fd)
