"""Reading a file a project folder holds only if it is a plain file: never through a link, never a device.

A repository can ship anything in the folders a build keeps its records in
(``.curriculum-cache/``, the site's output): a link to ``/dev/zero`` or to a
file elsewhere, a named pipe. What the build reads there it reads with
:func:`read_existing`, which opens neither and reads no more than a limit, so
such a file can neither block a build, exhaust its memory nor leak. Standard
library only: a build with nothing to do reads its records before it loads
anything else.

A large file searched where it lies (a memo file, of which a build asks for a
few entries) is mapped instead of read (:func:`read_headed` with ``mapped``):
only the pages the search touches are read from disk. One smaller than
:data:`MAP_FROM` is read whole all the same: reading it costs less than
mapping it, and its bytes need no watching (see
``curriculum._memo._Shard._intact``). Every file the build writes in these
folders is replaced whole, never changed in place, so a mapped file's bytes
stay as they were mapped.
"""

from __future__ import annotations

import json
import mmap
import os
import stat
from pathlib import Path
from typing import Any

__all__ = [
    "MAP_FROM",
    "RECORD_LIMIT",
    "decoded_record",
    "open_plain",
    "read_existing",
    "read_headed",
    "read_json",
    "read_record",
]

MAP_FROM = 64 << 10
"""The smallest file :func:`read_headed` maps when asked to; a smaller one is read."""


def read_existing(path: Path, limit: int) -> bytes | None:
    """Return the bytes of a file a build reads back or replaces, or None if it is not a plain file.

    Symbolic links are not followed (the build replaces the link, never its
    target) and special files are not opened, so reading a record or
    comparing old and new output can neither block nor leak.

    Parameters
    ----------
    path : Path
        A file in the output folder or the build cache.
    limit : int
        Read at most this many bytes plus one.

    Returns
    -------
    bytes | None
        The content, or None when the path is missing, a link or not a regular file.
    """
    opened = open_plain(path)
    if opened is None:
        return None
    fd, info = opened
    try:  # no more than the file holds, and one byte to see it grew: not a buffer of ``limit`` bytes
        return os.read(fd, min(limit, info.st_size) + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


def open_plain(path: Path) -> tuple[int, os.stat_result] | None:
    """Return a file opened for reading, and its status, if it is a plain file (the caller closes it)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
    except OSError:
        info = None
    if info is None or not stat.S_ISREG(info.st_mode):
        os.close(fd)
        return None
    return fd, info


def _map_existing(path: Path, limit: int) -> mmap.mmap | bytes | None:
    """Return a plain file mapped read-only (as :func:`read_existing` opens it), or None.

    A file smaller than :data:`MAP_FROM` is read instead (an empty one is ``b""``:
    nothing can be mapped); one larger than ``limit`` is None.
    """
    opened = open_plain(path)
    if opened is None:
        return None
    fd, info = opened
    try:
        if info.st_size > limit:
            return None
        if info.st_size < MAP_FROM:
            return os.read(fd, MAP_FROM)
        # the mapping keeps a file descriptor of its own (trackfd): the memo asks it the file's length
        return mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)


def read_headed(
    path: Path, limit: int, *, mapped: bool = False
) -> tuple[dict[str, object], bytes | mmap.mmap, int] | None:
    """Return a cache file whose first line is a JSON object: that object, the bytes, and where line 2 starts.

    The file is read as :func:`read_existing` reads it; a file larger than
    ``limit``, or whose first line is not a JSON object, counts as missing.

    Parameters
    ----------
    path : Path
        A file of the build cache.
    limit : int
        The largest size read.
    mapped : bool
        Map the file instead of reading it (for a file searched where it lies),
        unless it is smaller than :data:`MAP_FROM`: its bytes are then an
        :class:`mmap.mmap`, read from disk as they are touched.

    Returns
    -------
    tuple[dict[str, object], bytes | mmap.mmap, int] | None
        The header, the whole file and the offset of its second line, or None.
    """
    data = _map_existing(path, limit) if mapped else read_existing(path, limit)
    if data is None or len(data) > limit:
        return None
    end = data.find(b"\n")
    if end < 0:
        return None
    try:
        header = json.loads(data[:end])
    except (ValueError, RecursionError):  # ValueError covers bad UTF-8 and bad JSON
        return None
    return (header, data, end + 1) if isinstance(header, dict) else None


RECORD_LIMIT = 64 << 20
"""The largest record read back (a site of a thousand pages writes a few hundred kilobytes)."""


def read_json(path: Path, limit: int = RECORD_LIMIT) -> Any:
    """Return the JSON of a record the last build wrote; raise ValueError if it is not a plain file.

    A record lives in a folder a repository can ship: a link (to ``/dev/zero``,
    say) or a special file in its place is no record (see :func:`read_existing`).
    """
    data = read_existing(path, limit)
    if data is None or len(data) > limit:
        raise ValueError(f"{path} is not a record")
    return json.loads(data)


def read_record(path: Path, limit: int = RECORD_LIMIT) -> dict[str, Any]:
    """Return a record of the build cache (a JSON object); an empty one if it is missing or damaged.

    A link, a special file or a file too large to be a record counts as missing (see :func:`read_existing`).
    """
    return decoded_record(read_existing(path, limit), limit) or {}


def decoded_record(data: bytes | None, limit: int = RECORD_LIMIT) -> dict[str, Any] | None:
    """Return the JSON object a record's bytes hold, or None (no file, too large, damaged, not an object).

    For a reader that tells a missing record from a damaged one itself
    (:func:`read_record` counts both as empty).
    """
    if data is None or len(data) > limit:
        return None
    try:
        found = json.loads(data)
    except (ValueError, RecursionError):  # a damaged record is no record
        return None
    return found if isinstance(found, dict) else None
