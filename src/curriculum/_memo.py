"""A persistent, content-addressed memo for pure functions of text.

A build or ``curriculum check`` after a one-file edit should redo only the
work of the texts that changed. The expensive pure parts of the checks and of
the Markdown renderer therefore ask a :class:`Memo` first: its key is a
SHA-256 over the memo's namespace and version, a random key of this computer
(so a memo file from a repository or another computer matches nothing), a
fingerprint of the package's code and of what it runs on (any edit of a ``.py``
file of the package, a new version, or another version of Python or of a
library in :data:`_LIBRARIES` changes every key), the caller's context (say, a digest of
the renderer's references) and the text itself. Values are plain JSON, never pickles: a cache file must
never run code, and a damaged, foreign or oversized file is ignored and
rebuilt.

Memos persist only inside a :func:`memo_session`, which says where their
files live (``.curriculum-cache/memo/`` in the project, or the user cache
folder without one) and writes them when it ends. The outermost sessions are
the flush points: the whole of :func:`curriculum.site.build_site` and of
:func:`curriculum.site.run_prerender` (Quarto's pre-render hook), and
:func:`curriculum.site.check_site` (``curriculum check``; in a build it is
part of the build's session) and :func:`curriculum.content.check_paths`.
Nothing is written at exit (no ``atexit``): a process that ends outside a
session (a notebook kernel) has nothing to write, and one killed inside a
session leaves the files as they were. Outside a session a memo simply calls
the function, so library use behaves exactly as without it.

Each namespace keeps its entries in sixteen files per folder, split by the
first hex digit of the key. A file is a line of JSON naming its namespace,
then one line per entry, sorted by key: the key, a tab, and the value as
JSON. Each file is mapped into memory once per process the first time a key
in it is needed, and an entry is found by a binary search of its lines where
they lie (a build that asks for a few hundred of a hundred thousand entries
neither reads nor splits them all: only the pages the search touches are read
from disk); a value is parsed only when its key is asked for, and
one reused is written back as it was read. A file of an earlier version,
whose lines are not sorted, is split whole as it used to be.

Beside its files each namespace has a journal, ``<namespace>.journal.jsonl``:
a line of JSON naming the namespace and saying it is a journal, then one line
per entry in the order they were written: the key, a tab, the value, a tab,
and a CRC-32 of the key, tab and value, in hex. Its header line is read
first, and the rest only if it names this namespace and code; it is then split
into a dictionary the first time a key of the namespace is looked up (in
each later session, one ``lstat`` tells whether another process changed it:
if not, the entries read are reused, with those this process wrote to it
since; else it is read again), and a look-up
asks it before the files; of two lines of a key, the later counts. Lines are
appended to it in place, so a line whose check fails, or a last line without
its newline, is skipped: a write cut short, or two processes' writes run
together, lose the entries they damaged, never give a damaged value. Such a
journal counts as the entries it still holds whole; it is appended to, and
its damaged lines stay (skipped) until it is pruned or compacted. A journal that is a
link, foreign, of other code or larger than :data:`_journal.MAX_BYTES` (not read
at all) counts as empty: it is replaced the next time something is
journalled, and (unless it is a link) removed when the namespace is next
written with nothing to journal.

When a session in which something new was computed ends, each file is compared
with what the session used or kept unread (:meth:`Memo.keep`): an entry used
that a look-up (the journal, then the file) would not find as it is must be
written; an entry the file holds that the session neither used nor kept is
stale. A file whose entries differ is rewritten atomically with exactly those
the session used or kept (or removed when none is left) if it is of the
earlier form or of other code, or if its stale entries outnumber its others.
Any other keeps its stale entries for now, and its new ones are appended to
the journal, however small the file (or if there is none yet): appending a
line costs less than writing a file, and much less than replacing or removing
one (on ext4, a rename over a file writes the new one to the disk at once,
and freeing the old one's blocks may wait for the disk). So a build after a
one-quiz edit writes the few entries the edit made to the journals of the
namespaces it touched, and rewrites no file; a namespace too small ever to
outgrow the floor below lives in its journal alone.

When the journal would outgrow both a quarter (:data:`_JOURNAL_SHARE`) of its
namespace's files and :data:`_JOURNAL_FLOOR`, it is pruned if it can be: written
anew (atomically) with only the entries the session used or kept, the new ones
among them, and any stale one whose file holds another value of its key (which
would count once the line is gone), if these fill at most half that limit and
no other process changed the journal since it was read (checked once the new
one is written, so the window left is that of one rename). Repeated edits of
one file make mostly stale entries, the ones before: pruning them costs one
small file, not the namespace's. Else it is compacted: every file that does not hold exactly the
entries the session used or kept, those the journal held among them, is
rewritten, and so is every file in whose range the journal holds a key (it
may hold an older value of that key, which would count once the journal is
gone); then the journal is removed. The order makes both safe to cut short
anywhere (a process killed): a pruned journal is written before any file the
session rewrites, and in a compaction the new values of keys the journal
holds are journalled first, so that it never holds an older value of a key
than a file does; the files are rewritten next, and the journal removed last.
Killed before the journal goes, the journal's values are the newest; once it
is gone, no file holds an older value of a key it held. (Removing the journal
first would let the files' older values count; a generation of the journal
recorded in the files would do too, but cost every look-up a check.)

What this bounds, after a session that ended normally in a namespace not
kept whole: a file holds at most as many stale entries as entries used or
kept, by count (a kept key the journal lacks counts as held by its file
without a look-up, so each such key the file lacks lets up to two more stale
entries stay until the file is next rewritten: it counts once among those held,
and once less among those stale), and the journal is no larger than
16 KB or a quarter of the files as they were when it was last written (its
stale entries go when it is next pruned); for entries of like size, and
without such keys, the files hold at most about twice what the session used
or kept, plus the journal. After a session cut short by an error, or in a
namespace kept whole (see ``keeps``), nothing is stale: the files and the
journal keep what they held, besides the new entries (written to the
journal, or to files rewritten with all they held, and with the journal's
entries when it is compacted; such a journal is never pruned). Such sessions
only add: the entries they did not use stay until a session that ends
normally, in which the namespace is not kept whole, writes it. A session
that computed nothing new writes nothing.

Two processes that write one namespace at once (two builds of one project)
are not serialised; what is guarded: lines they append to the journal run
together at worst (and are skipped); a journal written whole because the one
read is gone or replaced is read again first, so one process never writes
back the journal entries it read after another compacted them away (their
older values would hide newer ones the other wrote in the files); and a
journal is pruned, or removed by a compaction, only if no other process
changed it since it was read (checked just before, so a narrow window
remains: lines appended in it are lost). Beyond that each
process rewrites a file from what it read and used, and the last to write it
wins: an entry the other wrote there may be lost (and computed again), and
a value put in place of another (a repair) that the other process wrote in
a file may be replaced by the older value this one used or kept from before.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import hashlib
import importlib.metadata
import json
import mmap
import os
import secrets
import stat
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

import curriculum._memo_journal as _journal
from curriculum._cache import PROJECT_CACHE, cache_dir
from curriculum._plain import read_headed, read_record
from curriculum._version import __version__

__all__ = [
    "MAX_BYTES",
    "Look",
    "Memo",
    "code_key",
    "in_session",
    "lf_digest",
    "machine_key",
    "memo_session",
    "package_digests",
    "package_files",
    "package_looks",
    "read_tied",
    "text_value",
    "tied_key",
]

_T = TypeVar("_T")

MAX_BYTES = 64 << 20
"""The largest memo file read; a bigger one is ignored (and replaced when something new is computed)."""
_FOLDER = "memo"
"""The memos' folder, in the project's build cache or in the user cache folder."""
_LIBRARIES = ("markdown-it-py", "nh3", "PyYAML")
"""The libraries whose results are memoised: a new release (of the sanitiser, say) voids their values."""


@functools.cache
def _secret() -> str:
    """Return this computer's memo key, a random one kept in the user cache folder (made the first time).

    Every memo key includes it, so a memo file that did not come from this
    computer (one committed to a repository, say) matches nothing: values
    from a memo file are never trusted, only reused. Without a writable
    cache folder the key lasts as long as the process.
    """
    from curriculum.content import write_atomic  # the content layer imports this module
    from curriculum.errors import CurriculumError

    path = cache_dir() / "memo-key"
    with contextlib.suppress(OSError, UnicodeDecodeError):
        key = path.read_text(encoding="ascii").strip()
        if len(key) == 64 and all(c in "0123456789abcdef" for c in key):
            return key
    key = secrets.token_hex(32)
    with contextlib.suppress(CurriculumError):
        write_atomic(path, key + "\n", mode=0o600)
    return key


def machine_key() -> str:
    """Return this computer's random key, for every cache whose files must not be trusted from elsewhere.

    A key computed from public inputs alone (the page's text, curriculum's
    version) could be matched by a file planted in a repository's cache
    folder; one that includes this key cannot.
    """
    return _secret()


_PACKAGE_SUFFIXES = (".py", ".js", ".css", ".lua", ".j2", ".html")


def tied_key(*parts: str) -> str:
    """Return what a record of the build cache is kept under: this computer's key, the code key and ``parts``.

    A record made on another computer (come with a repository) or by other
    code has another key, so it is taken for none.
    """
    return hashlib.sha256("\0".join([machine_key(), code_key(), *parts]).encode()).hexdigest()


def read_tied(path: Path, key: str, *, under: str = "key") -> dict[str, Any]:
    """Return the record ``path`` holds if it is kept under ``key`` (:func:`tied_key`, its field ``under``).

    Empty otherwise: no record, a damaged one (:func:`~curriculum._plain.read_record`),
    or one of another computer, code or form.
    """
    data = read_record(path)
    return data if data.get(under) == key else {}


@functools.cache
def package_files() -> tuple[Path, ...]:
    """Return every file of the package a build's output depends on (code, templates, scripts, styles)."""
    return _code_files(Path(__file__).resolve().parent, _PACKAGE_LOOKS)


Look = tuple[os.stat_result, os.stat_result | None]
"""A path's own status (no link followed), and for a symbolic link that of what it leads to (else None)."""

_PACKAGE_LOOKS: dict[str, Look] = {}
"""Each package folder's status as it was listed, and each file's as it was read (:func:`package_looks`)."""


def package_looks() -> dict[str, Look]:
    """Return how each package file and folder looked when the code key found it (once a process).

    Each folder is looked at before it is listed (:func:`package_files`) and
    each file before it is read (:func:`package_digests`), by their paths as
    texts (:data:`Look`: a link is followed then too): a record of the
    build's inputs that keeps these sees a package file edited since, even
    while the build that hashed it still runs.
    """
    package_digests()
    return dict(_PACKAGE_LOOKS)


def _look(path: str) -> Look:
    """Return how ``path`` looks now (:data:`Look`); raise :class:`OSError` if it is not there."""
    own = os.lstat(path)
    if not stat.S_ISLNK(own.st_mode):
        return own, None
    try:
        return own, os.stat(path)
    except OSError:
        return own, None


def _code_files(package: Path, looks: dict[str, Look] | None = None) -> tuple[Path, ...]:
    """Return the files of ``package`` with a suffix of :data:`_PACKAGE_SUFFIXES`, sorted.

    Without the byte-code folders (``__pycache__``) and, as a recursive glob,
    without following a link to a folder: a build lists the package once, for
    the code key and its stamps. ``looks``, if given, is given how each
    folder looks (:data:`Look`) before the folder is listed, by its path as a text.
    """
    found: list[Path] = []
    if looks is not None:
        looks[os.fspath(package)] = _look(os.fspath(package))
    for top, folders, files in os.walk(package):  # a link to a folder is listed, not entered
        folders[:] = [name for name in folders if name != "__pycache__"]
        if looks is not None:  # listed after this: os.walk lists a folder as it enters it
            looks.update((path, _look(path)) for path in (os.path.join(top, name) for name in folders))
        found += [p for name in files if (p := Path(top, name)).suffix in _PACKAGE_SUFFIXES and p.is_file()]
    return tuple(sorted(found))


def code_key() -> str:
    """Return a hash of what makes every value and page (computed once a process).

    It covers curriculum's version and files, and the versions of Python and of
    the libraries whose results are kept. The memo's keys and the build's
    caches are keyed by it: templates count as code, so a value made with one
    (a generated page) is made again when it changes.
    """
    return _code()


@functools.cache
def _code() -> str:
    hasher = hashlib.sha256(f"{__version__}\0{sys.version}\0".encode())
    for name in _LIBRARIES:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        hasher.update(f"{name}={version}\0".encode())
    for name, digest in package_digests().items():
        hasher.update(f"{name}\0{digest}\0".encode())
    return hasher.hexdigest()


@functools.cache
def package_digests() -> dict[str, str]:
    """Return the :func:`lf_digest` of each of :func:`package_files`, by its path (read once a process).

    The code key hashes them all; the API reference's key
    (:func:`curriculum.site._reference.reference_key`) those of the Python
    files. Each file is read and hashed once. The files are all text, so a
    checkout with CRLF line endings (Windows) has the digests of one with LF.
    """
    package = Path(__file__).resolve().parent
    digests: dict[str, str] = {}
    for path in package_files():
        with contextlib.suppress(OSError):  # gone: reading it says so
            _PACKAGE_LOOKS[os.fspath(path)] = _look(os.fspath(path))  # as it is read (see package_looks)
        digests[path.relative_to(package).as_posix()] = lf_digest(path.read_bytes())
    return digests


def lf_digest(data: bytes) -> str:
    """Return the SHA-256 of a text file's bytes with its line endings made LF (from CRLF or CR).

    What Git's ``autocrlf`` changes does not change it: a file has one digest on every computer.
    """
    return hashlib.sha256(data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")).hexdigest()


_SHARDS = "0123456789abcdef"
"""A namespace's entries are kept in one file per first hex digit of their key, so a session that
computed a few new values rewrites a few files, not all the namespace holds."""


class _Raw(bytes):
    """A value as its file holds it (JSON text), parsed when asked for and written back unparsed."""


class _Fresh(_Raw):
    """A value of a ``raw`` memo computed in this session: JSON text, like one read, but not yet stored."""


class _Shard:
    """The entries of one memo file, as the file holds them (keys and values are bytes).

    A file written sorted (its header says so, with the number of entries) is
    searched where it lies: :meth:`get` bisects the byte offsets of its lines.
    Any other file (an earlier version's) is split into a dictionary at once.

    Parameters
    ----------
    data : bytes | mmap.mmap
        The file's bytes (mapped, for a file read from disk), or nothing.
    start : int
        Where the entries' lines begin (after the header).
    count : int | None
        How many entries a sorted file holds; None for a file whose lines are not sorted.
    outdated : bool
        The file was written by other code: none of its keys can be asked for (see :func:`_read`).
    """

    def __init__(
        self,
        data: bytes | mmap.mmap = b"",
        start: int = 0,
        count: int | None = None,
        *,
        outdated: bool = False,
    ) -> None:
        self._data, self._start = data, start
        self.outdated = outdated
        """Whether the file holds entries of other code, to be dropped when it is next written."""
        self.size = len(data)
        """The file's length in bytes (none for a file that counts as empty)."""
        self.legacy = count is None and len(data) > start
        """Whether the file is of the earlier unsorted form (sorted when its namespace is next written)."""
        self._split: dict[bytes, bytes] | None = None if count is not None else _lines(data[start:])
        if self._split is not None:
            self.close()
        self.count = count if count is not None else len(self._split or ())
        """How many entries the file holds."""

    def get(self, key: bytes, *, value: bool = True) -> bytes | None:
        """Return the value stored for ``key``, or None; with ``value`` False, an empty value for any found.

        A caller that only asks whether the entry is there has no need of a copy of its value (a
        generated page's is a hundred kilobytes).
        """
        if self._split is None and self._intact():
            try:
                return _search(self._data, self._start, key, value=value)
            except _TooLong:
                self.entries()
        found = self.entries().get(key)
        return found if found is None or value else b""

    def entries(self) -> dict[bytes, bytes]:
        """Return every entry (the file split whole, the first time)."""
        if self._split is None:
            data = self._data if self._intact() else b""
            self._split = _lines(data[self._start :])  # still mapped: a thread may be searching it
        return self._split

    def _intact(self) -> bool:
        """Whether a mapped file is still as long as when it was mapped.

        Reading a mapped page that a file no longer has kills the process
        (SIGBUS). The build replaces its files whole, which leaves a mapping
        as it was; another program cutting one short in place (a copy over
        it, a sync client) is noticed here, before each search, and the file
        counts as empty: its values are computed again. The length is asked
        of the mapping's own file (``mmap.size``: one ``fstat``, a quarter of
        a ``stat`` of the path, on every look-up): a file another build
        replaced is not the mapped one, which stays whole.
        """
        if not isinstance(self._data, mmap.mmap):
            return True
        try:
            if self._data.size() >= len(self._data):
                return True
        except (OSError, ValueError):  # ValueError: the mapping was closed
            pass
        self._split = {}
        return False

    def close(self) -> None:
        """Let go of the file's bytes (unmap them: a mapped file cannot be replaced on Windows).

        Called only when no thread can be searching them: when the session that
        read the file ends, or before the file is replaced.
        """
        if isinstance(self._data, mmap.mmap):
            self._data.close()
        self._data = b""


def _lines(data: bytes) -> dict[bytes, bytes]:
    """Return the entries of a file's lines; a line that is not an entry is skipped."""
    entries: dict[bytes, bytes] = {}
    for line in data.split(b"\n"):
        key, tab, value = line.partition(b"\t")
        if tab and len(key) == _journal.KEY_LENGTH:
            entries[key] = value
    return entries


_NEAR = 4096
"""Where the binary search stops halving and reads lines in order."""
_LONGEST = 1 << 20
"""The longest line the binary search steps over; a file with a longer one is split whole instead."""


class _TooLong(Exception):
    """A memo file has a line longer than :data:`_LONGEST` (see :func:`_search`)."""


def _search(data: bytes | mmap.mmap, low: int, key: bytes, *, value: bool = True) -> bytes | None:
    """Return the value of ``key`` in sorted entry lines, or None (a file out of order only misses).

    Parameters
    ----------
    data : bytes | mmap.mmap
        A memo file.
    low : int
        Where its first entry line starts.
    key : bytes
        The key sought.
    value : bool
        Copy the value out; False: return an empty value for a key found.

    Returns
    -------
    bytes | None
        The value as the file holds it (empty, without ``value``), or None.

    Raises
    ------
    _TooLong
        A line is longer than :data:`_LONGEST`: the file is better split whole,
        once, than scanned at every look-up (a file planted to slow the build).

    Notes
    -----
    The line sought, if any, starts in ``[low, high)``, and ``low`` is the start
    of a line whose key is at most ``key`` (or of the first line). The search
    halves that window, then reads the lines that start in it.
    """
    high = len(data)
    while high - low > _NEAR:
        middle = (low + high) // 2
        reach = min(high - 1, middle + _LONGEST)
        start = data.find(b"\n", middle, reach) + 1  # the first line starting after middle, before high
        if start == 0 and reach < high - 1:
            raise _TooLong
        if start == 0:
            high = middle + 1
        elif data[start : start + _journal.KEY_LENGTH] <= key:
            low = start
        else:
            high = start
    while low < high:
        found = data[low : low + _journal.KEY_LENGTH]
        if found == key and data[low + _journal.KEY_LENGTH : low + _journal.KEY_LENGTH + 1] == b"\t":
            if not value:
                return b""
            end = data.find(b"\n", low)
            return data[low + _journal.KEY_LENGTH + 1 : end if end >= 0 else len(data)]
        if found > key:
            return None
        low = data.find(b"\n", low, high - 1) + 1
        if low == 0:
            return None
    return None


_JOURNAL_SHARE = 4
"""A journal is pruned or compacted once it outgrows a ``_JOURNAL_SHARE``-th of its namespace's files, and ...

A quarter leaves room for a pruned journal of one edit's entries in a namespace each edit
rewrites a large part of (a quiz's generated pages); a larger share would compact it after
every other build. The limit is never more than :data:`_journal.MAX_BYTES`, the largest journal
read (whole, by each process that looks up its namespace)."""
_JOURNAL_FLOOR = 16 << 10
"""... this many bytes (a small namespace's journal would otherwise be pruned at nearly every session).

Small, for a journal of short lines costs ten times as much a byte to read (a check and a dictionary
entry a line) as one of large values, and pruning one costs a small file."""


@dataclass
class _Store:
    """One namespace's entries in one folder: those read from its files, and those this session used."""

    folder: Path
    namespace: str
    shards: dict[str, _Shard] = field(default_factory=dict)
    """Each file's entries as read, keys and values as the file holds them."""
    used: dict[str, Any] = field(default_factory=dict)
    """The entries this session used: a value read (:class:`_Raw`) or computed (JSON data)."""
    wanted: set[str] = field(default_factory=set)
    """The keys of the entries this session kept unread (:meth:`Memo.keep_keys`), used or not since: looked
    up only if asked for, or if their file is rewritten."""
    dirty: bool = False
    kept: bool = False
    """Keep every entry read, used or not (a value of another memo computed from them was reused)."""
    log: _journal.Journal | None = None
    """The journal's entries as this session found them (the first time it looks up a key), or None before."""
    last: _journal.Journal | None = None
    """The journal's entries as last read (in this session or an earlier), with those this process wrote
    to it since (when no other process changed it meanwhile): reused while the file is unchanged."""

    def name(self, shard: str) -> str:
        """Return the name of the file of the entries whose key starts with ``shard``."""
        return f"{self.namespace}.{shard}.jsonl"

    def path(self, shard: str) -> Path:
        """Return the file of the entries whose key starts with ``shard``."""
        return self.folder / self.name(shard)

    def journal_path(self) -> Path:
        """Return the namespace's journal: the entries written since its files were last compacted."""
        return self.folder / f"{self.namespace}.journal.jsonl"

    def entries(self, shard: str) -> _Shard:
        """Return the entries of one file, reading it the first time (an unusable file counts as empty)."""
        found = self.shards.get(shard)
        if found is None:
            with _lock:  # one thread reads each file
                found = self.shards.get(shard)
                if found is None:
                    found = self.shards[shard] = _read(self.path(shard), self.namespace)
        return found

    def journal(self) -> _journal.Journal:
        """Return the journal's entries, found the first time a session asks (an unusable one is empty).

        Another process may have changed it since an earlier session: the one read
        then is reused if the file is unchanged (one ``lstat``: same device, inode,
        length and time), and the file is read again otherwise. A process that opens
        a session per look-up (the content index outside a build) reads it once.
        """
        found = self.log
        if found is None:
            with _lock:  # one thread reads it
                found = self.log
                if found is None:
                    path, found = self.journal_path(), self.last
                    if found is None or _journal.stamp(path) != found.stamp:
                        found = self.last = _journal.read_journal(path, self.namespace, _code())
                    self.log = found
        return found

    def find(self, key: str, *, value: bool = True) -> bytes | None:
        """Return the value stored under ``key``: the journal's, else its file's; None if neither has one.

        With ``value`` False, an empty value for any found (see :meth:`_Shard.get`).
        """
        found = self.journal().entries.get(key.encode())
        if found is not None:
            return found if value else b""
        return self.entries(key[:1]).get(key.encode(), value=value)

    def size(self, shard: str) -> int:
        """Return the length of one file: as read, or as it is on disk (0 if it is not a plain file)."""
        found = self.shards.get(shard)
        if found is not None:
            return found.size
        try:
            info = os.lstat(self.path(shard))
        except OSError:
            return 0
        return info.st_size if stat.S_ISREG(info.st_mode) else 0


def _read(path: Path, namespace: str) -> _Shard:
    """Return the entries of a memo file, unparsed, or none if it is missing, foreign or too big.

    A link or a special file counts as missing: a folder that came with a
    repository can make a build neither block on a pipe nor read elsewhere.
    A line that is not an entry is skipped; a value that is not JSON is
    found out when its key is asked for, and computed again. A file written by
    other code (another version of curriculum, of Python or of a memoised
    library) holds no key this code asks for: it counts as empty, and its
    entries go when it is next written, even in a namespace kept whole.
    """
    found = read_headed(path, MAX_BYTES, mapped=True)  # a build asks for a few of its entries
    if found is None or found[0].get("memo") != namespace:
        return _Shard()
    header, data, start = found
    if header.get("code") != _code():  # every key names the code: none of these can be asked for
        if isinstance(data, mmap.mmap):
            data.close()
        return _Shard(outdated=True)
    count = header.get("sorted")  # the number of entries, in a file whose lines are sorted by key
    return _Shard(data, start, count if isinstance(count, int) and not isinstance(count, bool) else None)


@dataclass
class _Session:
    folder: Path
    within: Path
    users: int = 0
    """The blocks inside it: its own, those nested in it, and those other threads opened meanwhile."""
    cut_short: bool = False
    """One of them raised."""


_sessions: list[_Session] = []
_stores: dict[tuple[Path, str], _Store] = {}
_lock = threading.Lock()
_session_lock = threading.Lock()
"""Held to open or close a session, and while the last block of one writes its memos."""
_REPLACED: dict[str, tuple[str, ...]] = {}
"""The namespaces each memo's namespace replaces (:class:`Memo`'s ``replaces``)."""
_MISSING = object()


def in_session(root: Path) -> bool:
    """Whether the memos of the project at ``root`` are kept now: the current session is that project's.

    A value computed outside such a session must not be stored by opening
    one: that session, the outermost, would write its memos with that one
    value only, dropping every entry its files held (see :func:`memo_session`).
    """
    current = _sessions[-1:]
    return bool(current) and current[0].folder == root / PROJECT_CACHE / _FOLDER


@contextlib.contextmanager
def memo_session(root: Path | None) -> Iterator[None]:
    """Keep memos in ``root``'s build cache (or the user cache folder) while the block runs.

    The outermost session of a folder writes, when it ends, each memo in
    which something new was computed: its new entries, to the journal or to
    the files rewritten with exactly the entries used since it began, if the
    block ended normally; if it raised, every entry the files and the journal
    had stays too (a run cut short has not used all it would have). See the
    module's notes for which files are rewritten and when the journal is pruned or compacted.
    A session inside another of the same folder is part of it (a build's
    check stage is part of the build), so a memo both use is written once,
    with what both used; so is one another thread opens meanwhile, and the
    last of them to end writes.

    Parameters
    ----------
    root : Path | None
        The project folder, or None for the user cache folder.
    """
    within = cache_dir() if root is None else root
    folder = within / _FOLDER if root is None else root / PROJECT_CACHE / _FOLDER
    with _session_lock:
        session = next((outer for outer in _sessions if outer.folder == folder), None)
        if session is None:  # the outermost: a use record starts with it (`curriculum serve` runs several)
            session = _Session(folder, within)
            with _lock:
                for store in _stores.values():
                    if store.folder == folder:
                        store.used, store.wanted, store.kept = {}, set(), False
            _sessions.append(session)
        session.users += 1
    try:
        yield
    except BaseException:
        session.cut_short = True
        raise
    finally:
        with _session_lock:  # the last block to leave writes, before any other session of the folder opens
            session.users -= 1
            if session.users == 0:
                _sessions.remove(session)
                _flush(session, keep=session.cut_short)


def _flush(session: _Session, *, keep: bool) -> None:
    """Write the memos of ``session``'s folder in which something new was computed.

    Parameters
    ----------
    session : _Session
        The session that ends.
    keep : bool
        Keep the entries the files had besides those used (the session was cut short).
    """
    from curriculum.content import FileRefused, inside  # the content layer imports this module
    from curriculum.errors import CurriculumError

    with _lock:
        stores = [store for (folder, _), store in _stores.items() if folder == session.folder]
    present: set[str] | None = None  # the folder's files, listed once: no other is looked at
    for store in stores:
        if store.dirty:
            with contextlib.suppress(CurriculumError, OSError, FileRefused):  # a memo only saves time
                if present is None:
                    # Every file is written in this folder: it is checked once (every link followed),
                    # not once a file, and nothing is written or removed if it leads elsewhere.
                    inside(
                        session.within,
                        session.folder,
                        what=f"the folder the build writes ({session.within.name})",
                    )
                    present = set(os.listdir(session.folder)) if session.folder.is_dir() else set()
                _write(store, keep=keep or store.kept, present=present)
            store.dirty = False
        store.used, store.wanted, store.kept = {}, set(), False
        with _lock:  # the journal too is looked at again next session: another process may change it
            shards, store.shards, store.log = list(store.shards.values()), {}, None
        for shard in shards:  # unmapped between sessions: another process may replace them
            shard.close()


@dataclass
class _Plan:
    """What one file of a namespace must hold after a session, and how much of it the file holds.

    Attributes
    ----------
    before : _Shard
        The file as read.
    entries : dict[bytes, bytes]
        The entries the session used (read or computed), their values as JSON text.
    wanted : list[bytes]
        The keys it kept unread (:meth:`Memo.keep`).
    pending : dict[bytes, bytes]
        Those of ``entries`` a look-up would not find as they are (it asks the journal, then the file).
    unheld : dict[bytes, bytes]
        The entries used or kept that the file itself lacks as they are (held by the journal, or new).
    held : int
        How many of the entries used or kept the file holds; a kept one the journal lacks counts as
        held without a look-up.
    """

    before: _Shard
    entries: dict[bytes, bytes]
    wanted: list[bytes]
    pending: dict[bytes, bytes] = field(default_factory=dict)
    unheld: dict[bytes, bytes] = field(default_factory=dict)
    held: int = 0

    @property
    def stale(self) -> int:
        """How many entries the file holds that the session neither used nor kept (an estimate, by count)."""
        return max(self.before.count - self.held, 0)

    def rewritten(self, *, keep: bool) -> bool:
        """Whether the file is rewritten, rather than its new entries journalled and its stale ones left.

        It is when it is of other code or, if its entries differ from those it
        must hold, when it is of the earlier unsorted form or its stale entries
        outnumber those it holds used or kept. With ``keep`` none is stale. A
        small file, or none, is no exception: appending to the journal costs
        less than writing a file, however small (a rename over a file, or its
        removal, is the dearest step of all on some file systems: ext4 writes
        the new file's data to the disk then, and frees the old one's blocks).
        """
        stale = 0 if keep else self.stale
        if self.before.outdated:
            return True
        if not self.pending and not stale:
            return False
        return self.before.legacy or stale > self.held

    def compacted(self, *, keep: bool, logged: bool) -> bool:
        """Whether the file is rewritten when the journal is compacted: unless it holds just its entries.

        It always is when the journal holds a key of its range (``logged``): the
        file may hold another, older value of that key, which would count once
        the journal is gone. (Its count of stale entries cannot tell: a kept
        entry the journal lacks counts as held without a look-up.)
        """
        return logged or self.before.outdated or bool(self.unheld) or (not keep and self.stale > 0)


def _plan(
    store: _Store, shard: str, entries: dict[bytes, bytes], wanted: list[bytes], read: set[bytes]
) -> _Plan:
    """Return how far one file of ``store`` holds what the session used (``entries``) and kept (``wanted``).

    ``read`` holds the keys of the values read: one the journal lacks was read
    from the file, and is held there as it is without a look-up. Every other is
    looked up in the file.
    """
    journal = store.journal().entries
    plan = _Plan(store.entries(shard), entries, wanted)
    for key, value in entries.items():
        logged = journal.get(key)
        if logged is None and key in read:
            plan.held += 1
            continue
        there = plan.before.get(key)
        if there == value:
            plan.held += 1
        else:
            plan.unheld[key] = value
        if (there if logged is None else logged) != value:
            plan.pending[key] = value
    logged_kept = sorted(journal.keys() & wanted)  # found at once: a site reused keeps thousands
    # unread, each counts as held: if the file lacks it, an unused entry stays
    plan.held += len(wanted) - len(logged_kept)
    for key in logged_kept:
        logged = journal[key]
        there = plan.before.get(key)
        plan.held += there is not None
        if there != logged:
            plan.unheld[key] = logged
    return plan


def _kept_by_shard(store: _Store) -> dict[str, list[bytes]]:
    """Return the keys ``store`` keeps unread (:meth:`Memo.keep_keys`), encoded, by the file they fall in.

    Those the session used since are not (they are among its entries). A
    session that reused a large site keeps thousands of values unread: their
    keys are sorted and split at each file's first key in one pass of the
    library's own loops, not grouped one by one.
    """
    kept = sorted(map(str.encode, store.wanted.difference(store.used)))
    grouped: dict[str, list[bytes]] = {}
    start = 0
    for shard in _SHARDS:  # a key's first hex digit names its file, and sorts it among the others
        end = bisect.bisect_left(kept, bytes([ord(shard) + 1]), start)
        grouped[shard], start = kept[start:end], end
    return grouped


def _write(store: _Store, *, keep: bool, present: set[str]) -> None:
    """Write what the session computed in ``store``: in its journal, or in the files it falls in.

    Each file whose entries differ from what the session used (and kept) is
    either rewritten (see :meth:`_Plan.rewritten`) or left with its stale
    entries, its new ones appended to the journal. When the journal would grow
    past a share of the namespace's files, it is pruned instead (written anew
    without its stale entries, see :func:`_pruned`) if what is left fills at most
    half of that; else it is compacted: every file that does not hold exactly its
    entries, or in whose range the journal holds a key, is rewritten, and the
    journal removed.
    ``present`` names the files of the memo folder, as it was listed before the session's
    first write: the namespace's files, and an earlier form of them, are looked for only among
    them (a file not listed is not looked at for its length, nor removed as stale).
    """
    from curriculum.errors import CurriculumError

    journal = store.journal()
    entries: dict[str, dict[bytes, bytes]] = {shard: {} for shard in _SHARDS}
    wanted = _kept_by_shard(store)  # kept unread: copied from where they are if their file is rewritten
    read: set[bytes] = set()
    for key, value in store.used.items():
        if isinstance(value, _Fresh):  # computed as JSON text
            entries[key[:1]][key.encode()] = value
        elif isinstance(value, _Raw):  # read as the journal or the file holds it
            entries[key[:1]][key.encode()] = value
            read.add(key.encode())
        else:  # JSON escapes every newline: an entry is one line
            entries[key[:1]][key.encode()] = json.dumps(value, separators=(",", ":")).encode()
    plans = {
        shard: _plan(store, shard, entries[shard], wanted[shard], read)
        for shard in _SHARDS
        if entries[shard] or wanted[shard]
    }
    rewritten = {shard for shard, plan in plans.items() if plan.rewritten(keep=keep)}
    journalled = {
        key: value
        for shard, plan in plans.items()
        for key, value in plan.pending.items()
        # one in a file rewritten is journalled too if the journal holds another value for it
        if shard not in rewritten or key in journal.entries
    }
    lines = b"".join(_journal.line(key, value) for key, value in journalled.items())
    listed = {shard for shard in _SHARDS if store.name(shard) in present}
    files = sum(store.size(shard) for shard in listed.union(store.shards))
    limit = min(_journal.MAX_BYTES, max(_JOURNAL_FLOOR, files // _JOURNAL_SHARE))
    compact = bool(lines) and journal.size + len(lines) > limit
    expected = journal.stamp  # the journal as this session left it: None once another process changed it
    if compact and not keep:  # most of what it holds may be stale: it is written anew without that
        held = _pruned(store, journal, journalled, limit // 2)
        compact = held is None or not _rewrite_journal(store, journal, held)
    elif lines and not compact:
        try:
            expected = _write_journal(store, journal, lines)
        except (CurriculumError, OSError):  # the journal cannot be written: compacted, the files hold it all
            compact = True
        else:  # written by this process alone since it was read: the next session need not read it again
            store.last = journal.extended(lines, expected) if expected is not None else None
    if compact:
        # The new values of keys the journal holds are journalled first: a process killed after some
        # files are rewritten, and before the journal is removed, leaves no older value in it than
        # in a file. If they cannot be, nothing is written (this raises).
        replacing = b"".join(
            _journal.line(key, value) for key, value in journalled.items() if key in journal.entries
        )
        if replacing:
            expected = _write_journal(store, journal, replacing)
        if keep:  # what the journal holds stays: in the files, now
            used = set(map(str.encode, store.wanted.union(store.used)))
            for logged, value in journal.entries.items():
                if logged not in used and chr(logged[0]) in entries:
                    entries[chr(logged[0])][logged] = value
                    read.add(logged)
        plans = {
            shard: _plan(store, shard, entries[shard], wanted[shard], read)
            for shard in _SHARDS
            if entries[shard] or wanted[shard]
        }
        ranges = {chr(key[0]) for key in journal.entries}  # the files that may hold a key it holds
        rewritten = {
            shard for shard, plan in plans.items() if plan.compacted(keep=keep, logged=shard in ranges)
        }
    for shard in _SHARDS:
        plan = plans.get(shard)
        if plan is None:
            if not keep and shard in listed:  # nothing of it used: every entry it holds is stale
                if (mapped := store.shards.get(shard)) is not None:
                    mapped.close()  # a prune may have mapped it: a mapped file cannot be removed on Windows
                _remove(store.path(shard))
        elif shard in rewritten:
            _write_shard(store, shard, _contents(store, plan, keep=keep))
    if compact and expected is not None:  # after the files that now hold its entries
        _remove_unless_changed(store.journal_path(), expected)  # another process's lines are not lost
    elif not lines and not journal.ours and journal.stamp is not None:  # foreign, of other code, too big
        _remove_unless_changed(store.journal_path(), journal.stamp)
    earlier = [f"{store.namespace}.json", *(f"{store.namespace}.{shard}.json" for shard in _SHARDS)]
    for old in _REPLACED.get(store.namespace, ()):
        earlier += [*(f"{old}.{shard}.jsonl" for shard in _SHARDS), f"{old}.journal.jsonl"]
    for name in present.intersection(earlier):  # earlier forms (one file, sixteen JSON documents), replaced
        _remove(store.folder / name)


def _contents(store: _Store, plan: _Plan, *, keep: bool) -> dict[bytes, bytes]:
    """Return what a file rewritten holds: the entries used, those kept found, and (``keep``) all it held."""
    contents = dict(plan.entries)
    for key in plan.wanted:
        if (found := store.find(key.decode())) is not None:
            contents[key] = found
    if keep:
        contents = {**plan.before.entries(), **contents}
    plan.before.close()  # a mapped file cannot be replaced on Windows (the session's files are dropped)
    return contents


def _write_shard(store: _Store, shard: str, entries: dict[bytes, bytes]) -> None:
    """Write one file of ``store`` with ``entries``, sorted and counted (remove it if there are none)."""
    from curriculum.content import write_atomic  # the content layer imports this module

    path = store.path(shard)
    if not entries:
        _remove(path)
        return
    header = json.dumps({"memo": store.namespace, "code": _code(), "sorted": len(entries)}).encode() + b"\n"
    data = header + b"\n".join(key + b"\t" + entries[key] for key in sorted(entries)) + b"\n"
    write_atomic(path, data, only_if_changed=False)  # it differs (see _Plan); its folder is checked


def _write_journal(store: _Store, journal: _journal.Journal, lines: bytes) -> _journal.Stamp | None:
    """Add journal ``lines`` to the journal: appended to the file read, or the journal written whole.

    When they cannot be appended to the file read (it is gone, replaced, too long), the
    journal is read again: another process may have compacted it since, writing newer
    values in the files than those read, which must not come back. The lines are
    appended to the journal as it is now if it is one, or it is written whole with
    its entries and the lines.

    Returns
    -------
    _journal.Stamp | None
        The journal's stamp after, if no other process changed it since it was read; else None.
    """
    from curriculum.content import write_atomic  # the content layer imports this module

    path = store.journal_path()
    appended = _journal.append(path, journal, lines)
    if appended is not None:
        return appended[1] if appended[0] == journal.stamp else None
    current = _journal.read_journal(path, store.namespace, _code())
    if current.stamp != journal.stamp and _journal.append(path, current, lines) is not None:
        return None
    header = json.dumps({"memo": store.namespace, "code": _code(), "journal": True}).encode() + b"\n"
    held = b"".join(_journal.line(key, value) for key, value in current.entries.items())
    whole = header + held + lines
    write_atomic(path, whole, only_if_changed=False)  # its folder is checked (see _flush)
    if current.stamp != journal.stamp:
        return None
    after = _journal.stamp(path)  # not ours if another process appended since: longer than written
    return after if after is not None and after[2] == len(whole) else None


def _pruned(
    store: _Store, journal: _journal.Journal, journalled: dict[bytes, bytes], most: int
) -> dict[bytes, bytes] | None:
    """Return what a journal pruned of its stale entries holds, with ``journalled``; None past ``most`` bytes.

    It keeps the entries the session used or kept, and a stale one whose file
    holds another value of its key (which would count once the line is gone);
    the other stale ones go. Past ``most`` bytes the live entries are too many
    for pruning to leave room for many more sessions: the journal is compacted.
    """
    held: dict[bytes, bytes] = {}
    for key, value in journal.entries.items():
        name = key.decode("latin-1")  # a key of a damaged line need not be text: then it matches none
        if key not in journalled and name not in store.used and name not in store.wanted:
            if name[:1] not in _SHARDS:  # no key can be asked for outside every file's range
                continue
            there = store.entries(name[:1]).get(key)
            if there is None or there == value:
                continue
        held[key] = value
    held.update(journalled)
    size = sum(len(key) + len(value) + _journal.CHECK + 3 for key, value in held.items())
    return held if size <= most else None


def _rewrite_journal(store: _Store, journal: _journal.Journal, entries: dict[bytes, bytes]) -> bool:
    """Write the journal anew with ``entries`` (in place of what it holds); False if it was not written.

    Only the journal read, unchanged since (it may be another process's
    newer lines, or a file it wrote in place of one it compacted away), is
    replaced: checked once the new journal is written beside it, just before
    it takes the old one's place, so the window left is that of one rename.
    Its folder is checked once a flush (see :func:`_flush`).
    """
    from curriculum.content import write_atomic  # the content layer imports this module
    from curriculum.errors import CurriculumError

    path = store.journal_path()
    if not journal.ours or journal.stamp is None or _journal.stamp(path) != journal.stamp:
        return False
    header = json.dumps({"memo": store.namespace, "code": _code(), "journal": True}).encode() + b"\n"
    data = header + b"".join(_journal.line(key, value) for key, value in entries.items())
    try:  # another process's lines, appended meanwhile, stay: the old journal is replaced only if unchanged
        written = write_atomic(
            path, data, only_if_changed=False, replace_if=lambda: _journal.stamp(path) == journal.stamp
        )
    except (CurriculumError, OSError):
        return False
    if not written:
        return False
    after = _journal.stamp(path)  # not ours if another process appended since: longer than written
    mine = after is not None and after[2] == len(data)
    store.last = _journal.Journal(entries, after, ours=True) if mine else None
    return True


def _remove_unless_changed(path: Path, stamp: _journal.Stamp) -> None:
    """Remove a memo file if it still has ``stamp``: not one another process wrote since it was read."""
    if _journal.stamp(path) == stamp:
        _remove(path)


def _remove(path: Path) -> None:
    """Remove a memo file, if it is a plain file (a link is left: it is never read)."""
    if not path.is_symlink() and path.is_file():
        path.unlink()


class Memo(Generic[_T]):
    """A memo of one pure function of text, persisted as JSON.

    Parameters
    ----------
    namespace : str
        Names the function; also the file's name. Must be unique.
    version : int
        Raise it when the stored form of the values changes.
    encode : Callable[[_T], Any]
        A value as JSON data (lists, dicts, strings, numbers, booleans, None).
    decode : Callable[[Any], _T]
        The value back from JSON data; raises TypeError, ValueError, KeyError
        or IndexError for data of the wrong shape, which is then recomputed.
    keeps : tuple[str, ...]
        The namespaces of the memos its values are computed from (a payload
        renders its Markdown through ``render.markdown``). A session that
        reuses one of its values cannot tell which of their entries that value
        rests on, so it keeps them all; the next session that computes every
        value again (after a lesson edit, say) keeps only those it used.
    raw : bool
        ``encode`` gives a value already as JSON text (bytes on one line), which
        is stored as it is, and ``decode`` is given that text unparsed: for a
        value its reader parses itself (a model that pydantic validates from
        JSON), which is then parsed once, not twice.
    replaces : tuple[str, ...]
        The namespaces of memos this one took the place of: their files are
        removed when this one's are written, so an upgrade leaves none behind.

    Examples
    --------
    >>> words = Memo("doc.words", 1, list, lambda data: [str(w) for w in data])
    >>> words.get("a b", lambda: "a b".split())  # outside a session: just calls
    ['a', 'b']
    """

    def __init__(
        self,
        namespace: str,
        version: int,
        encode: Callable[[_T], Any],
        decode: Callable[[Any], _T],
        *,
        keeps: tuple[str, ...] = (),
        raw: bool = False,
        replaces: tuple[str, ...] = (),
    ) -> None:
        self.namespace = namespace
        self.version = version
        self.encode = encode
        self.decode = decode
        self.keeps = keeps
        self.raw = raw
        if replaces:
            _REPLACED[namespace] = replaces
        self._prefixes: dict[str, Any] = {}

    @property
    def persistent(self) -> bool:
        """Whether values outlive the process (inside a :func:`memo_session`; outside, :meth:`get` calls)."""
        return bool(_sessions)

    def key(self, text: str, context: str = "") -> str:
        """Return the key of ``text`` in ``context``: a SHA-256 over them, the namespace and the code."""
        prefix = self._prefixes.get(context)
        if prefix is None:
            head = f"{self.namespace}\0{self.version}\0{_secret()}\0{_code()}\0{context}\0"
            prefix = self._prefixes[context] = hashlib.sha256(head.encode("utf-8", "surrogatepass"))
        hasher = prefix.copy()
        hasher.update(text.encode("utf-8", "surrogatepass"))
        return str(hasher.hexdigest())

    def get(self, text: str, compute: Callable[[], _T], *, context: str = "") -> _T:
        """Return the stored value for ``text``, or ``compute()`` (and store it).

        Parameters
        ----------
        text : str
            What the value is a pure function of (with ``context``).
        compute : Callable[[], _T]
            Computes the value when it is not stored.
        context : str
            Anything else the value depends on (a digest of settings).

        Returns
        -------
        _T
            The value, computed now or earlier.
        """
        store = self._store()
        if store is None:
            return compute()
        key = self.key(text, context)
        found = self._found(store, key)
        if found is not _MISSING:
            return cast(_T, found)
        value = compute()
        self._put(store, key, value)
        return value

    def by_digest(self, digest: str | None, compute: Callable[[], _T], *, context: str = "") -> _T:
        """Return :meth:`get` of a file's text by its ``digest``; ``compute()`` unremembered if it has none.

        A document made in code, read from no file, has no digest: what is
        made of it is not remembered.
        """
        return self.get(digest, compute, context=context) if digest else compute()

    def put(self, text: str, value: _T, *, context: str = "") -> None:
        """Store ``value`` for ``text``, in place of any value stored (nothing outside a session).

        For a value whose inputs are learnt as it is computed (what else a
        remembered page read): the record of them is replaced when they change.
        ``text`` and ``context`` are as for :meth:`get`.
        """
        store = self._store()
        if store is not None:
            self._put(store, self.key(text, context), value)

    def _put(self, store: _Store, key: str, value: _T) -> None:
        encoded = self.encode(value)
        if self.raw:
            if not isinstance(encoded, bytes) or b"\n" in encoded:
                return  # not one line of JSON text: not kept
            encoded = _Fresh(encoded)
        store.used[key] = encoded
        store.dirty = True

    def stored(self, text: str, *, context: str = "") -> _T | None:
        """Return the value stored for ``text`` (kept as used), or None if none is; nothing is computed.

        For a caller whose way of computing the value again is not a function of
        ``text`` alone (the content index reads a file again instead). ``text``
        and ``context`` are as for :meth:`get`.
        """
        store = self._store()
        if store is None:
            return None
        found = self._found(store, self.key(text, context))
        return None if found is _MISSING else cast(_T, found)

    def _found(self, store: _Store, key: str) -> object:
        """Return the value stored under ``key``, decoded and kept as used, or :data:`_MISSING`."""
        data = _entry(store, key)
        if data is _MISSING:
            return _MISSING
        try:
            value = self.decode(data if self.raw else json.loads(data) if isinstance(data, _Raw) else data)
        except (TypeError, ValueError, KeyError, IndexError, RecursionError):
            return _MISSING
        self._keep(store, key, data)
        return value

    def _keep(self, store: _Store, key: str, data: object) -> None:
        """Keep an entry as used, and what it rests on (:attr:`keeps`)."""
        store.used[key] = data
        self._rests_kept(store)

    def _rests_kept(self, store: _Store) -> None:
        """Keep whole the namespaces of :attr:`keeps` (a value of this memo is reused)."""
        for namespace in self.keeps:
            _store_in(store.folder, namespace).kept = True

    def held(self, text: str, *, context: str = "") -> str | None:
        """Return the key of the value stored for ``text``, kept as used but not read; None if none is.

        A caller that knows what the value made (a file written from it, unchanged
        since) has no need of the value itself, only of its staying stored.
        ``text`` and ``context`` are as for :meth:`get`.
        """
        store = self._store()
        if store is None:
            return None
        key = self.key(text, context)
        if key not in store.used and key not in store.wanted:
            if store.find(key, value=False) is None:
                return None
            store.wanted.add(key)  # kept unread: copied only if the session rewrites its file
        self._rests_kept(store)
        return key

    def keep(self, text: str, *, context: str = "") -> None:
        """Keep the value stored for ``text``, if any, without looking it up (nor saying if there is one).

        For a value a reused one rests on (the texts of a page whose part of the
        search index is reused): it costs a key, not a search of its file, and
        it is copied (from the journal or its file) only if the session rewrites that file.
        ``text`` and ``context`` are as for :meth:`get`.
        """
        self.keep_key(self.key(text, context))

    def keep_key(self, key: str) -> None:
        """Keep the value stored under ``key`` (:meth:`key`), if any, as :meth:`keep` does for its text."""
        self.keep_keys((key,))

    def keep_keys(self, keys: Iterable[str]) -> None:
        """Keep the values stored under ``keys`` (:meth:`key`), if any, as :meth:`keep_key` does for each.

        For a caller that reuses hundreds of values at once (the content index's
        documents): the session's store is found, and what the values rest on
        (:attr:`keeps`) kept, once for them all, not once a key.
        """
        store = self._store()
        if store is None:
            return
        before = len(store.wanted)
        store.wanted.update(keys)  # one that was kept before made its memo keep what it rests on then
        if len(store.wanted) > before:
            self._rests_kept(store)

    def _store(self) -> _Store | None:
        """Return this memo's store in the current session's folder, or None outside a session."""
        current = _sessions[-1:]  # one read of the list: another thread may end a session meanwhile
        return _store_in(current[0].folder, self.namespace) if current else None


def _entry(store: _Store, key: str) -> object:
    """Return the entry of ``key``: as used, as its file holds it (:class:`_Raw`), or :data:`_MISSING`."""
    data = store.used.get(key, _MISSING)
    if data is _MISSING:
        raw = store.find(key)
        data = _MISSING if raw is None else _Raw(raw)
    return data


def text_value(data: object) -> str:
    """Decode the value of a memo of strings (as stored: a JSON string).

    Raises
    ------
    TypeError
        If the value is not a string (the memo then computes it again).
    """
    if not isinstance(data, str):
        raise TypeError("the value is not a string")
    return data


def _store_in(folder: Path, namespace: str) -> _Store:
    """Return the store of ``namespace`` in ``folder``."""
    where = (folder, namespace)
    store = _stores.get(where)
    if store is None:
        with _lock:
            store = _stores.setdefault(where, _Store(folder, namespace))
    return store
