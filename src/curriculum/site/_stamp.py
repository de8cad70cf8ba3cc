"""The build stamp: whether anything a build reads changed since the last build that succeeded.

When the sources, the configuration, the package and the output are exactly
as the last successful build left them, the build has nothing to do and
stops at once (it does not even load the content). The stamp is committed
only after a build succeeds, so a failed build is never taken for a finished one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import time
from collections.abc import Iterable, Mapping
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from curriculum._cache import RACY_NS
from curriculum._memo import machine_key, package_looks
from curriculum.content import (
    FileRefused,
    read_bytes,
    read_existing,
    relative_names,
    size_limit,
    write_atomic,
)
from curriculum.errors import ContentError
from curriculum.project import Project, package_fingerprint
from curriculum.site._quick import (
    MANIFEST,
    QUICK,
    QUICK_FORMAT,
    all_there,
    built_profile,
    column,
    entry_of,
    linked,
    one_a_folder,
    own_statuses,
    stat_of,
    stats,
    status_columns,
    watched,
    written,
)
from curriculum.site._record_file import RecordFile
from curriculum.site._reference import KEY_FILE

__all__ = ["RACY_NS", "BuildStamp", "FileDigests", "hashed_beside"]

_LOOKS = attrgetter("st_mtime_ns", "st_size", "st_mode")
"""What :meth:`FileDigests.as_found` compares of a file's own status: its time, size and mode (a file
made a link or a folder, or given other permissions, is not as found)."""
_PATH = itemgetter(0)
"""The path of an entry of :func:`~curriculum.site._quick.stat_of`."""
_MODE = attrgetter("st_mode")
"""The mode of a status, which :meth:`FileDigests.as_found` takes of every input by one :func:`map`."""
_TIME, _LENGTH = itemgetter(1), itemgetter(2)
"""The time and size of an entry of :func:`~curriculum.site._quick.stat_of`."""


class FileDigests:
    """The hash of each input's contents, reused while the file keeps the size and time it had.

    Hashing every input is what tells a file touched but unchanged from one
    edited, but reading them all would make every build's cost grow with the
    site. The record keeps each file's modification time, size and hash; a
    file whose time and size are as recorded, and whose time is older than the
    recording by more than :data:`RACY_NS`, is not read again (as ``make`` and
    Git's index trust a file's time). The record is tied to this computer's
    key, so a record that came with a repository is ignored. It is kept as
    its changes (:class:`~curriculum.site._record_file.RecordFile`): an edit
    of one file writes that file's entry, not the record of every input.

    Parameters
    ----------
    root : Path
        The project folder (paths are recorded relative to it).
    path : Path
        The record, in the build cache.
    """

    def __init__(self, root: Path, path: Path) -> None:
        self.root = root
        self.path = path
        self._record = RecordFile(path, ("files", "made"), within=root)  # a cache linked out: refused
        data = self._record.read()
        made = data["made"]
        ours = made.get("machine") == machine_key()
        at = made.get("at")
        self._at = at if ours and isinstance(at, int) else 0
        self._before: dict[str, Any] = data["files"] if ours else {}
        self.given: list[str] = []
        """The paths the last :meth:`digest` was given, as strings, sorted."""
        self.hashed: list[str] = []
        """The files read and hashed by the last :meth:`digest` (the others kept their recorded hash),
        by their paths relative to the root."""
        self._hashed_as_given: list[str] = []
        """The files of :attr:`hashed`, by their paths as given."""
        self.files: dict[str, str] = {}
        """The hash of each file the last :meth:`digest` could read, by its path relative to the root."""
        self.statuses: dict[str, os.stat_result] = {}
        """The status of each file the last :meth:`digest` was given that was no symbolic link, by its path
        as given: what a load of the content made moments later takes instead of looking again
        (see :func:`~curriculum.content.load_curriculum`)."""
        self._others: dict[str, list[Any]] = {}
        """The :func:`~curriculum.site._quick.stat_of` entry of each other file given (a link, or a file
        it could not look at), by its path as given."""
        self._columns: tuple[bytes, bytes] | None = None
        """The times and sizes of :attr:`statuses`, as :func:`~curriculum.site._quick.column` gives them
        (made once asked, see :meth:`_own_columns`)."""

    @property
    def stats(self) -> dict[str, list[Any]]:
        """``[path, mtime, size]`` of each file the last :meth:`digest` was given, by its path as given.

        As :func:`~curriculum.site._quick.stats` gives them (a link's naming it
        one; None for a file it could not look at), as the digest looked:
        made when asked, from :attr:`statuses` (a Python call a file: the quick
        stamp takes them as columns instead, see :meth:`listed`).
        """
        found = {text: [text, info.st_mtime_ns, info.st_size] for text, info in self.statuses.items()}
        found.update(self._others)
        return found

    def digest(self, paths: Iterable[str | Path], *, record: bool = True) -> str:
        """Return one hash of the files' paths and contents (a file that cannot be read only changes it).

        The record is written again when it changed, unless ``record`` is False.
        Each path is made a string once (the strings of paths cost nothing
        more); a file whose size and time are as recorded (and old enough)
        costs its ``lstat`` (made for all the files by one call of C code) and
        a few comparisons, made here in one loop.
        """
        at = time.time_ns()
        old_enough = self._at - RACY_NS  # a recorded time before this was not in the recording's clock tick
        before = self._before
        self.given = sorted(map(str, paths))
        self.hashed, self.files, self.statuses, self._others = [], {}, {}, {}
        self._hashed_as_given, self._columns = [], None
        files, statuses = self.files, self.statuses
        now: dict[str, list[Any]] = {}
        named: list[str] = []
        infos = own_statuses(self.given)  # one look a file: whether it is a link, else its status
        for text, name, info in zip(self.given, relative_names(self.root, self.given), infos, strict=True):
            if info is None or stat.S_ISLNK(info.st_mode):
                entry = self._unusual(text, name, info)
            else:
                statuses[text] = info
                entry = before.get(name)  # [time, size, hash], kept while its time and size are
                if not (
                    type(entry) is list
                    and len(entry) == 3
                    and entry[0] == info.st_mtime_ns
                    and entry[1] == info.st_size
                    and entry[0] < old_enough
                    and type(entry[2]) is str
                ):
                    entry = self._hashed(text, name, info.st_mtime_ns, info.st_size)
            if entry is not None:
                now[name] = entry
                files[name] = entry[2]
            named.append(f"{name}\0{entry[2] if entry else 'unreadable'}\0")
        # each entry not read again is the record's own: the record is the same if it holds as many
        if record and (self.read or len(now) != len(self._before)):
            self._record.save({"files": now, "made": {"machine": machine_key(), "at": at}})  # what changed
        return hashlib.sha256("".join(named).encode()).hexdigest()

    @property
    def read(self) -> int:
        """How many files the last :meth:`digest` read and hashed (:attr:`hashed`)."""
        return len(self.hashed)

    def as_found(self, paths: Iterable[str] | None = None) -> bool:
        """Whether each file is still as the last :meth:`digest` found it (all it was given, by default).

        One ``lstat`` a file, whose time, size and mode (its type and
        permissions: a ``chmod`` while the build ran leaves it not as found)
        are compared with those the digest saw (:attr:`statuses`; a link, or a file it could not look
        at, is looked at as :func:`~curriculum.site._quick.stat_of` does).
        ``paths`` are named as the digest was given them; a file it was not given is not as found.
        All at once, the times and sizes are compared as the columns the
        quick record takes of them (:meth:`listed`, which takes them as made here).
        """
        if paths is None:  # all at once: the comparison is made by C code, not a Python call a file
            return self._all_as_found()
        for text in paths:
            info = self.statuses.get(text)
            if info is not None:
                if _looks([text]) != [_LOOKS(info)]:
                    return False
            elif text not in self._others or stat_of(text) != self._others[text]:
                return False
        return True

    def _all_as_found(self) -> bool:
        """Whether every file the last :meth:`digest` was given is still as it found it (:meth:`as_found`)."""
        statuses = self.statuses
        try:
            infos = list(map(os.lstat, statuses))
        except OSError:  # one is gone
            return False
        own = self._own_columns()
        if own is None:  # a time no column holds: compared one by one
            found = list(map(_LOOKS, infos)) == list(map(_LOOKS, statuses.values()))
        else:
            modes = list(map(_MODE, infos)) == list(map(_MODE, statuses.values()))
            found = modes and status_columns(infos) == own
        return found and all(stat_of(text) == entry for text, entry in self._others.items())

    def _own_columns(self) -> tuple[bytes, bytes] | None:
        """Return the times and sizes of :attr:`statuses` as columns (None: a time no column holds)."""
        if self._columns is None:
            self._columns = status_columns(self.statuses.values())
        return self._columns

    def listed(self, recent: int = 8) -> tuple[list[str], tuple[bytes, bytes] | None, dict[str, list[Any]]]:
        """Return the paths, times and sizes of the files no link the last :meth:`digest` saw, and the rest.

        The paths of :attr:`statuses`, and their times and sizes as
        :func:`~curriculum.site._quick.column` gives them (None: a time no
        column holds), as a quick record takes them
        (:func:`~curriculum.site._quick.as_listed`): made by C code (a
        :func:`map`), not a Python call a file, and read and compared so too.
        Given apart, as :attr:`stats` gives them by their paths: the other
        files (links, and those it could not look at), and the ``recent``
        files it read last modified, which an author is the likeliest to edit
        next (a quick record lists them first, so that an edit loop's next
        build looks at few files before it knows).
        """
        statuses = self.statuses
        listed = dict(self._others)
        read = sorted(self._hashed_as_given, key=lambda text: _mtime(statuses.get(text)))
        for text in read[len(read) - recent :]:  # the latest modified (a link's is listed already)
            info = statuses.get(text)
            if info is not None:
                listed[text] = [text, info.st_mtime_ns, info.st_size]
        return list(statuses), self._own_columns(), listed

    def changed(self) -> set[str]:
        """Return the files whose hash the last :meth:`digest` found other than the record's.

        Empty without a record. The record is written by every build as it
        begins, so this is what changed since the last build began, whether it
        succeeded or not. Only the files it read can have: any other kept its recorded hash.
        """
        if not self._before:
            return set()
        files, before = self.files, self._before
        return {name for name in self.hashed if name in files and _hash(before.get(name)) != files[name]}

    def _unusual(self, text: str, name: str, info: os.stat_result | None) -> list[Any] | None:
        """Return ``[time, size, hash]`` of a file that is a link (``info``, its own status), or None.

        None also for a file that could not be looked at (``info`` None). A link
        is read through each time (and refused if it leads out of the root): a
        file made a link to a copy with the same time and size is no file unchanged.
        """
        if info is None:
            self._others[text] = [text, None, None]
            return None
        entry = self._others[text] = linked(text, info)  # as stat_of gives it
        mtime, size = entry[1], entry[2]
        return None if mtime is None else self._hashed(text, name, mtime, size)

    def _hashed(self, text: str, name: str, mtime: int, size: int) -> list[Any] | None:
        """Return ``[time, size, hash]`` of a file read and hashed now; None if it cannot be read."""
        self.hashed.append(name)
        self._hashed_as_given.append(text)
        path = Path(text)
        try:
            data = read_bytes(path, size_limit(path), root=self.root)
        except FileRefused:
            return None
        return [mtime, size, hashlib.sha256(data).hexdigest()]


def hashed_beside(
    root: Path, record: Path, unknown: list[str], hashed: Mapping[str, str], *, write: bool = True
) -> Mapping[str, str]:
    """Return ``hashed`` and the hash of each of the files ``unknown`` it lacks, by name.

    ``hashed`` holds what the build's stamp took this build; the ``unknown``
    files (path texts) are hashed through a :class:`FileDigests` record of
    their own at ``record`` (only read without ``write``). ``hashed`` itself
    is returned when nothing is unknown: the record is then not touched.
    """
    if not unknown:
        return hashed
    digests = FileDigests(root, record)
    digests.digest(unknown, record=write)
    return {**hashed, **digests.files}


def _looks(paths: Iterable[str]) -> list[tuple[int, int, int]] | None:
    """Return the :data:`_LOOKS` of each file's own status (a link's, not its target's); None: one is gone."""
    try:
        return list(map(_LOOKS, map(os.lstat, paths)))
    except OSError:
        return None


def _mtime(info: os.stat_result | None) -> int:
    """Return a status's modification time (0: none, a link's or a file's it could not look at)."""
    return 0 if info is None else info.st_mtime_ns


def _hash(entry: Any) -> str | None:
    """Return the hash of a record's entry (``[time, size, hash]``), or None for one of another shape."""
    return entry[2] if isinstance(entry, list) and len(entry) == 3 and isinstance(entry[2], str) else None


def _with_parents(folders: Iterable[str], root: str) -> set[str]:
    """Return ``folders`` and each folder they are in, up to the project folder ``root`` (not it).

    ``root`` is absolute; a folder not below it is given alone. Each folder
    of the inputs is looked at (:func:`_links`, and the quick stamp): one
    replaced by a link, however deep, changes the stamp.
    """
    found: set[str] = set()
    below = root + os.sep
    for folder in folders:
        if _normal_below(folder, below):  # so is each folder it is in, up to root: named by its text
            while folder not in found:  # before its last "/" (as os.path.dirname names it then)
                found.add(folder)
                folder = folder[: folder.rfind("/")]
                if folder == root:
                    break
            continue
        while folder not in found:
            absolute = folder if _normal_below(folder, below) else os.path.abspath(folder)  # once a folder
            if absolute == root:
                break
            found.add(folder)
            if not absolute.startswith(below):
                break
            folder = os.path.dirname(folder) or "."
    return found


def _normal_below(path: str, below: str) -> bool:
    """Whether ``path`` is its own :func:`os.path.abspath`, below the folder ``below`` (which ends in ``/``).

    Told from its text: it begins with ``below`` and has no empty, ``.`` or
    ``..`` part after it, nor a ``/`` at its end (``below`` is normal). So the
    folders of a build's inputs (the project's folder and clean names, joined)
    are named without a normalisation each; where ``/`` is not the only separator, none is told so.

    Examples
    --------
    >>> [_normal_below(p, "/p/") for p in ["/p/a/b", "/p/a//b", "/p/a/./b", "/p/../b", "/p/a/", "/q/a"]]
    [True, False, False, False, False, False]
    """
    if os.sep != "/" or os.altsep is not None or not path.startswith(below):
        return False
    framed = f"/{path[len(below) :]}/"
    return "//" not in framed and "/./" not in framed and "/../" not in framed


def _links(entries: Iterable[list[Any]]) -> str:
    """Return which of the folders' ``entries`` (:func:`~curriculum.site._quick.stats`) are symbolic links.

    The inputs' hashes are kept while their times and sizes are
    (:class:`FileDigests`), and a folder moved out of the project and replaced
    by a link to it keeps its files' times: the stamp's key names each folder
    that is a link (its entry says so, with the link's own inode), so that the
    build after such a swap reads the content again (and refuses what leads
    out of the project) rather than finding nothing changed.
    """
    return json.dumps([entry for entry in entries if len(entry) > 3])


def _package_entries() -> dict[str, list[Any]]:
    """Return the :func:`~curriculum.site._quick.stat_of` entry of each package file and folder, as read.

    Taken from :func:`~curriculum._memo.package_looks` (what a link led to
    too), not looked at again: a package file edited while the build ran,
    after the code key hashed it, is then seen by the next build's quick stamp.
    """
    return {path: entry_of(path, *look) for path, look in package_looks().items()}


def _frozen_inputs(project: Project, profile: str) -> list[str]:
    """Return the files of the site's notebooks' frozen outputs (:func:`._execute.frozen_files`)."""
    from curriculum.site._execute import frozen_files  # which names its files with this module's FileDigests

    try:
        pages = project.config(profile, reread=False).pages()
    except ContentError:  # as input_names: the build reports it
        return []
    return frozen_files(project.root, pages)


class BuildStamp:
    """The fingerprint of everything one profile's build reads, and of where it writes.

    Parameters
    ----------
    project : Project
        The project, whose configuration of ``profile`` the build read as it began.
    profile : str
        The profile built.
    out : Path
        The output folder.
    path : Path
        Where the stamp of the last successful build is kept (in the build cache).
    sources : tuple[str, ...]
        The Python files of another package the API reference documents
        (:attr:`~curriculum.site._reference.ReferenceJob.sources`).
    configured : bool
        Whether ``out`` is the configuration's output folder (no ``--out`` given):
        only then may a later build given no ``--out`` find the site it wrote
        unchanged (see :func:`~curriculum.site._quick.last_build`).
    """

    def __init__(
        self,
        project: Project,
        profile: str,
        out: Path,
        path: Path,
        sources: tuple[str, ...] = (),
        *,
        configured: bool = True,
    ) -> None:
        self.project = project
        self.profile = profile
        self.path = path
        self.out = out
        self.configured = configured
        # the build read its configuration as it began: not read again
        self.inputs = [*project.input_names(profile, reread=False), *_frozen_inputs(project, profile)]
        """The path of every file the build reads (:meth:`~curriculum.project.Project.input_names`),
        and the notebooks' frozen outputs (a file changed in ``_freeze/``, say by a pull, changes a page)."""
        self.digests = FileDigests(project.root, path.parent / "digests.json")
        inputs = self.digests.digest(self.inputs)
        # The inputs and their folders as they were before the build read them (a file added or
        # edited meanwhile is then seen by the next build), but the project's own folder, where the
        # build writes (the site's swap, the cache): that one is looked at once the build is done.
        root = os.path.abspath(project.root)
        folders = {os.path.dirname(name) or "." for name in one_a_folder(self.digests.given)}  # as `watched`
        folders = _with_parents(folders, root)
        self.sources = sources
        folders |= {os.path.dirname(name) for name in one_a_folder(self.sources)}
        names = sorted(folders)
        own = own_statuses(names)  # one lstat a folder: a link's entry says it is one
        self.folders = dict(zip(names, own, strict=True))
        """Each folder of the inputs (and every folder they are in, up to the project's), by its path as a
        string, with its own status as the build began (None: gone): the execute stage's prune takes
        ``_freeze/``'s from here rather than look again (see :meth:`._execute.NotebookCache.prune`)."""
        looked = stats(names, own)
        self._looked = [*looked, *stats(self.sources)]  # the inputs' own are the digests' (`_columns`)
        self.key = hashlib.sha256(
            f"{package_fingerprint()}\0{profile}\0{out.resolve()}\0{inputs}\0{_links(looked)}".encode()
        ).hexdigest()
        self.warnings = 0

    def _columns(self) -> tuple[int, bytes, dict[str, list[Any]]]:
        """Return the inputs, sources and folders a quick record takes as columns, and those it lists.

        How many files the columns hold, and their bytes (see
        :func:`~curriculum.site._quick.as_listed`): every input, source and
        folder that was no link and was there (:meth:`FileDigests.listed`).
        Listed, by their paths: the package's files and folders, and the
        others (or every one, if a time is one no column holds).
        """
        paths, columns, listed = self.digests.listed()
        plain = [entry for entry in self._looked if len(entry) == 3 and entry[1] is not None]
        times, sizes = column(map(_TIME, plain)), column(map(_LENGTH, plain))
        read = _package_entries()
        if columns is None or times is None or sizes is None:  # a time beyond 2262: all listed
            read.update(zip(map(_PATH, self._looked), self._looked, strict=True))
            read.update(self.digests.stats)
            return 0, b"", read
        read.update((entry[0], entry) for entry in self._looked if len(entry) != 3 or entry[1] is None)
        read.update(listed)
        paths += map(_PATH, plain)
        count = len(paths)
        return count, columns[0] + times + columns[1] + sizes + os.fsencode("\0".join(paths)), read

    def unchanged(self) -> bool:
        """Whether the last successful build read exactly this, and its output is all still there."""
        try:
            data = json.loads(read_existing(self.path, 1 << 16) or b"")
        except ValueError:
            return False
        if not isinstance(data, dict) or data.get("key") != self.key or not all_there(self.out):
            return False
        if built_profile(self.out) != self.profile:
            return False  # another profile's build made the output folder since
        self.warnings = int(data.get("warnings", 0))
        return True

    def commit(self, warnings: int, *, engine: str, pages: int, wrote: Iterable[str] | None = None) -> None:
        """Record a successful build (with the number of content warnings it reported), and its quick stamp.

        Parameters
        ----------
        warnings : int
            Content warnings the check found.
        engine : str
            The engine's name and version, which a build with nothing to do prints.
        pages : int
            Pages in the site.
        wrote : Iterable[str] | None
            The files the build wrote in the output folder, as its manifest lists
            them (:attr:`~curriculum.site._report.RenderStats.files`); None: the manifest is read.

        An input saved while the build ran (after the stamp hashed it) may be
        in the site as saved, while the key names the text hashed: the build is
        then not recorded (the record of the last one is removed), so that the
        next build compares every page's inputs again, even if the file was put back.
        """
        if not self.digests.as_found():
            with contextlib.suppress(OSError):
                self.path.unlink()
            return
        record = json.dumps({"key": self.key, "warnings": warnings}) + "\n"
        write_atomic(self.path, record, within=self.project.root)
        # the folders of the files the build wrote (prune listed them): a file gone changes its folder
        names = written(self.out) if wrote is None else wrote
        folders = {os.path.dirname(os.path.join(self.out, name)) for name in one_a_folder(names or [])}
        count, columns, listed = self._columns()  # the inputs' and folders' times and sizes, but a few
        quick = {
            "format": QUICK_FORMAT,
            "root": str(self.project.root.resolve()),
            "out": str(self.out.resolve()),
            "configured": self.configured,
            "engine": engine,
            "pages": pages,
            "warnings": warnings,
            "files": watched(  # the package's files, links, the inputs read last: as the build read them
                [str(self.project.root / KEY_FILE)],  # the package's files and folders are among those read
                [str(self.project.root), str(self.out / MANIFEST), str(self.out), *sorted(folders)],
                listed,
            ),
            "columns": count,  # every other input, source and folder
            "folders": sorted({str(self.out), *folders}),
        }
        text = json.dumps(quick, separators=(",", ":"), check_circular=False)  # plain values: no cycle
        # one line of JSON (no newline in it), then the inputs' columns, as bytes
        write_atomic(self.path.parent / QUICK, f"{text}\n".encode() + columns, within=self.project.root)
