"""Whether a build has nothing to do, answered from files' sizes and times, before anything is loaded.

A build with nothing to do must return at once, so this module imports
nothing beyond the standard library. After each successful build the full
stamp (:class:`~curriculum.site._stamp.BuildStamp`, a hash of every input's
contents) also records here the size and modification time of every file it
read (the content, the configuration, the pages, the notebooks' frozen outputs, the package's own files), of
their folders (a new file changes its folder's time), of the output's
manifest and of the folders of the files it wrote (a file removed changes its
folder's time), and the profile the output folder says made it (another
profile's build may write the same folder), and whether that folder was the configuration's (a
build given ``--out`` does not stand for one given none). When all of them are as recorded,
the output is all there and the build stops without loading the
configuration, the content or the engine: no output file but that mark is
looked at, however many the site has (on a file system that keeps coarse
times, where a folder's time may miss a file removed in the same second, each
file the output's manifest lists is looked for instead).
When any differs, the build takes the full path, which compares contents
(a file touched but unchanged costs one hashing pass, then is recorded again).

The record (:data:`QUICK`) is a line of JSON, then the times, sizes and
paths of the inputs and their folders as bytes: columns made and compared by
C code (:func:`as_listed`), so that neither writing the record after a build
nor reading it before one costs a Python call an input, as a list of every
input's entry in JSON did. Listed one by one in the JSON, the latest
modified first, and looked at first: the package's files and folders, the
output's folders, links, files that were gone, and the few inputs the last
build read last modified (those an author edits again next: an edit loop's
build looks at few files before it knows it has work to do; an edit of
another input is seen once every file of the columns is looked at).
"""

from __future__ import annotations

import os
import shutil
import stat
import struct
from collections.abc import Iterable, Mapping
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from curriculum._cache import PROJECT_CACHE
from curriculum._plain import RECORD_LIMIT, read_headed
from curriculum._plain import read_json as _record

__all__ = [
    "CHECK",
    "COARSE_NS",
    "MANIFEST",
    "PROFILE_MARK",
    "QUICK",
    "QUICK_FORMAT",
    "CheckOutput",
    "LastBuild",
    "all_there",
    "as_listed",
    "built_profile",
    "cached_check",
    "column",
    "entry_of",
    "last_build",
    "linked",
    "one_a_folder",
    "own_statuses",
    "stat_of",
    "stats",
    "status_columns",
    "unchanged",
    "watched",
    "written",
]

QUICK = "quick.stamp"
"""The record's name in the profile's build cache: a line of JSON, then the inputs' columns
(see :func:`as_listed`)."""
QUICK_FORMAT = 4
"""The record's form: one of another (which listed no output folder, did not say whether that
folder was the configuration's, or listed every input one by one) takes the full path."""
CHECK = "check.json"
"""The last clean ``curriculum check``'s record, in the build cache."""
MANIFEST = ".curriculum-manifest.json"
"""The files a build wrote, listed in the output folder (the next build removes those it does not write)."""
PROFILE_MARK = ".curriculum-profile"
"""The profile whose build made the site, named in the output folder (see :func:`built_profile`)."""
_MTIME, _SIZE, _MODE = attrgetter("st_mtime_ns"), attrgetter("st_size"), attrgetter("st_mode")
"""The parts of a status :func:`stats` takes (each read of all the statuses by one :func:`map`)."""


def stats(paths: Iterable[str], infos: list[os.stat_result | None] | None = None) -> list[list[Any]]:
    """Return each path with its modification time (ns) and size (None for a path that is gone).

    A symbolic link's entry also says it is one (see :func:`stat_of`). Each
    path costs one ``lstat``, all made by one :func:`map` (C code, not a
    Python call a path); only when one is gone or a link are they all looked
    at again, one by one (:func:`stat_of`). ``infos``: the paths' own statuses,
    as :func:`own_statuses` took them a moment ago (not taken again).
    """
    paths = list(paths)
    infos = own_statuses(paths) if infos is None else infos
    if None in infos or any(map(stat.S_ISLNK, map(_MODE, infos))):
        return list(map(stat_of, paths))
    return list(map(list, zip(paths, map(_MTIME, infos), map(_SIZE, infos), strict=True)))


def own_statuses(paths: list[str]) -> list[os.stat_result | None]:
    """Return each path's own status (a link's, not its target's; None: it could not be looked at).

    One ``lstat`` a path, all made by one :func:`map` (C code, not a Python
    call a path); only when one fails are they looked at one by one.
    """
    try:
        return list(map(os.lstat, paths))
    except OSError:
        return list(map(_own_status, paths))


def _own_status(path: str) -> os.stat_result | None:
    """Return the path's own status (a link's, not its target's), or None if it cannot be looked at."""
    try:
        return os.lstat(path)
    except OSError:
        return None


def stat_of(path: str) -> list[Any]:
    """Return ``[path, mtime, size]`` (see :func:`stats`), and for a symbolic link, that it is one.

    A path that is no link costs one ``lstat``. A link is followed for the
    time and size, and its entry also names it a link with its own inode
    (:func:`linked`): a folder moved away and replaced by a link to it keeps
    its times, but not its entry.
    """
    try:
        info = os.lstat(path)
    except OSError:
        return [path, None, None]
    return linked(path, info) if stat.S_ISLNK(info.st_mode) else [path, info.st_mtime_ns, info.st_size]


def linked(path: str, link: os.stat_result) -> list[Any]:
    """Return the entry of :func:`stat_of` for the symbolic link ``path``, whose own status is ``link``.

    ``[path, mtime, size, "link", inode]``: the time and size of what it leads to
    (None if it leads nowhere), and the link's own inode (a link made anew is another).
    """
    try:
        target: os.stat_result | None = os.stat(path)
    except OSError:
        target = None
    return entry_of(path, link, target)


def entry_of(path: str, own: os.stat_result, target: os.stat_result | None) -> list[Any]:
    """Return the entry of :func:`stat_of` of ``path`` as it looked (its ``own`` status, a link's ``target``).

    ``target`` is what a symbolic link led to then (None: nothing); it is not looked at for another file.
    """
    if not stat.S_ISLNK(own.st_mode):
        return [path, own.st_mtime_ns, own.st_size]
    if target is None:
        return [path, None, None, "link", own.st_ino]
    return [path, target.st_mtime_ns, target.st_size, "link", own.st_ino]


def one_a_folder(paths: Iterable[str]) -> Iterable[str]:
    """Return one of ``paths`` for each folder they are in, for :func:`os.path.dirname` to name once.

    Where ``/`` is the only separator, paths whose text is the same up to its
    last ``/`` are in the same folder (joined to the same folder first, too);
    elsewhere every path is given.

    Examples
    --------
    >>> sorted({os.path.dirname(p) for p in one_a_folder(["a/x", "a/y", "b/x", "/c", "d"])})
    ['', '/', 'a', 'b']
    """
    if os.sep != "/" or os.altsep is not None:
        return paths
    return {path[: path.rfind("/") + 1]: path for path in paths}.values()


def watched(
    files: Iterable[str], also: Iterable[str], seen: Mapping[str, list[Any]] | None = None
) -> list[list[Any]]:
    """Return the :func:`stats` of ``files`` and their folders (the latest modified first), then of ``also``.

    A new file changes its folder's time, so a record of the folders sees a
    file added beside the others. ``seen`` gives the stats of other files and
    of their folders, taken earlier (before the files were read): each is
    recorded as it is given, among the files, and neither it nor its folder is
    looked at again (a build's stamp took those of every input it hashed).

    :func:`unchanged` stops at the first difference, and the file an author
    edited last (and its folder, which an editor that saves by renaming
    changes too) is the likeliest to differ next: so the files and their
    folders come ordered by their time, the latest first (a path that is gone
    last), and an edit loop's build looks at few of them before it knows.
    ``also`` (the output, the project folder, which every build changes) comes after them.

    Examples
    --------
    >>> seen = {"a": ["a", 1, 0], "b": ["b", 3, 0], "c": ["c", None, None], "d": ["d", 9, 0]}
    >>> seen["."] = [".", 2, 0]  # the folder of a, b and c
    >>> [entry[0] for entry in watched([], ["d"], seen)]
    ['b', '.', 'a', 'c', 'd']
    """
    seen = seen or {}
    last = sorted(set(also))
    names = set(files)
    names |= {os.path.dirname(p) or "." for p in one_a_folder(names)}  # as Path.parent
    names.difference_update(seen, last)
    taken: Iterable[list[Any]] = seen.values()
    if not seen.keys().isdisjoint(last):  # (a build's project folder and output are not among the inputs)
        taken = {path: entry for path, entry in seen.items() if path not in last}.values()
    there: list[list[Any]] = []
    gone: list[list[Any]] = []
    for entry in sorted([*taken, *map(stat_of, names)], key=itemgetter(0)):  # ties in time: by name
        (there if entry[1] is not None else gone).append(entry)  # one pass, for both
    there.sort(key=itemgetter(1), reverse=True)  # the latest first; a sort in reverse keeps ties in order
    return [*there, *gone, *(seen.get(name) or stat_of(name) for name in last)]


def as_listed(count: int, columns: bytes) -> bool:
    """Whether each of ``count`` files still has the time and size its columns give.

    ``columns`` are the files' times, then their sizes (each a
    :func:`column`), then their paths, joined by NUL (as
    :meth:`~curriculum.site._stamp.FileDigests.listed` makes them). The files
    are looked at by one ``lstat`` each, all made by one :func:`map`, and
    their times and sizes compared as columns: C code, not a Python call a
    file. A file that is gone or has become a symbolic link is a change.
    """
    cut = 8 * count
    paths = columns[2 * cut :].split(b"\0") if count else []
    if len(paths) != count or not (count or columns == b""):  # none: no columns (all listed apart)
        return False
    try:
        infos = list(map(os.lstat, paths))
    except OSError:  # one is gone
        return False
    if any(map(stat.S_ISLNK, map(_MODE, infos))):
        return False
    return status_columns(infos) == (columns[:cut], columns[cut : 2 * cut])


def status_columns(infos: Iterable[os.stat_result]) -> tuple[bytes, bytes] | None:
    """Return the statuses' times and their sizes, each as a :func:`column` (None: a time no column holds)."""
    infos = list(infos)
    times, sizes = column(map(_MTIME, infos)), column(map(_SIZE, infos))
    return None if times is None or sizes is None else (times, sizes)


def column(values: Iterable[int]) -> bytes | None:
    """Return the integers as 64-bit ones in the machine's order, one after another (None: one is too large).

    Examples
    --------
    >>> len(column([1, -2, 3])), column([1 << 63])
    (24, None)
    """
    numbers = list(values)
    try:
        return struct.pack(f"={len(numbers)}q", *numbers)
    except struct.error:
        return None


def unchanged(files: Any) -> bool:
    """Whether every ``[path, mtime, size]`` of a record is still what :func:`stats` says.

    The first difference answers: after an edit, the files listed after it are not looked at.
    """
    if not isinstance(files, list) or not files:  # a record lists at least the configuration
        return False
    return all(isinstance(f, list) and f and stat_of(str(f[0])) == f for f in files)


class CheckOutput:
    """What ``curriculum check`` prints of a check; the last clean one is replayed while nothing changes.

    Attributes
    ----------
    output : dict[str, str]
        The diagnostics as printed, in each ``--format`` (``text``, ``json``, ``github``).
    errors : int
        Errors found (a check with errors is never recorded: it runs again).
    warnings : int
        Warnings found.
    found : str
        The counts as the summary line words them (``2 warnings``), empty when there were none.
    summary : str
        What was checked.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.output = {str(k): str(v) for k, v in data["output"].items()}
        self.errors = int(data["errors"])
        self.warnings = int(data["warnings"])
        self.found = str(data["found"])
        self.summary = str(data["summary"])

    def as_json(self) -> dict[str, Any]:
        """Return the data this was made from."""
        return {
            "output": self.output,
            "errors": self.errors,
            "warnings": self.warnings,
            "found": self.found,
            "summary": self.summary,
        }


def cached_check(cwd: Path) -> CheckOutput | None:
    """Return the last check of the project around ``cwd`` if nothing it read changed since, else None.

    What the check reads is everything the build reads for every profile, the
    frozen outputs and the package; the record is kept only for a check that
    found no error, run from the same folder (its paths are relative to it).
    """
    from curriculum._root import find_root

    root = find_root(cwd)
    if root is None:
        return None
    try:
        data = _record(root / PROJECT_CACHE / CHECK)
        if not isinstance(data, dict) or data["cwd"] != str(Path(os.path.abspath(cwd))):
            return None
        return CheckOutput(data) if unchanged(data["files"]) else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, OverflowError):
        return None


class LastBuild:
    """The record of the last successful build of a profile, as :func:`last_build` found it unchanged.

    Attributes
    ----------
    engine : str
        The engine's name and version.
    out : Path
        The output folder.
    pages : int
        Pages in the site.
    warnings : int
        Content warnings the check found.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.engine = str(data["engine"])
        self.out = Path(str(data["out"]))
        self.pages = int(data["pages"])
        self.warnings = int(data["warnings"])


COARSE_NS = 10_000_000
"""A folder's time that is a whole number of these (10 ms) may come from a file system that keeps
coarse times (FAT's two seconds, HFS+'s or ext3's one, exFAT's ten milliseconds): a file removed in
the same tick as the build's last write leaves it as it was, so its files are looked for one by one."""


def _trusted_folders(data: dict[str, Any]) -> bool:
    """Whether the record names the output's folders, each with a time finer than :data:`COARSE_NS`."""
    folders = data.get("folders")
    if not isinstance(folders, list) or not folders:
        return False
    times = {str(f[0]): f[1] for f in data["files"]}
    return all(isinstance(t := times.get(str(f)), int) and t % COARSE_NS for f in folders)


def built_profile(out: str | os.PathLike[str]) -> str | None:
    """Return the profile whose build made the site in ``out``, as its :data:`PROFILE_MARK` says (None: none).

    Two profiles may write the same folder (a project without a faculty output
    folder): a build of one profile that finds the other's site there builds
    again, even when nothing it reads changed.
    """
    try:
        with open(os.path.join(out, PROFILE_MARK), "rb") as file:
            return file.read(256).decode("utf-8", "replace").strip()
    except OSError:
        return None


def written(out: Path) -> list[str] | None:
    """Return the files the last build wrote in ``out``, as its manifest lists them (None: no manifest)."""
    try:
        names = _record(out / MANIFEST)
    except (OSError, ValueError):
        return None
    return list(map(str, names)) if isinstance(names, list) else None


def all_there(out: Path) -> bool:
    """Whether every file the last build wrote in ``out`` is there."""
    names = written(out)
    return names is not None and all(os.path.isfile(os.path.join(out, name)) for name in names)


def last_build(root: Path, profile: str, engine: str, out: Path | None) -> LastBuild | None:
    """Return the last build's record if nothing it read changed and its output is all there, else None.

    Parameters
    ----------
    root : Path
        The project folder.
    profile : str
        The profile built.
    engine : str
        The engine asked for: only the embedded one keeps this record (``auto``
        counts when Quarto is not installed).
    out : Path | None
        The ``--out`` folder, or None for the configuration's.
    """
    if engine not in ("auto", "pandoc") or (engine == "auto" and shutil.which("quarto")):
        return None
    try:
        headed = read_headed(root / PROJECT_CACHE / profile / QUICK, RECORD_LIMIT)
        if headed is None:
            return None
        data: dict[str, Any] = headed[0]
        if data.get("format") != QUICK_FORMAT:
            return None  # an earlier form (one which did not watch the output's folders, say)
        if data["root"] != str(root.resolve()):
            return None  # a copied or moved project: its record names the files of another
        if out is None and data["configured"] is not True:
            return None  # the last build wrote where --out said: the configuration's folder is not that site
        if out is not None and str(out.resolve()) != data["out"]:
            return None
        if built_profile(str(data["out"])) != profile:
            return None  # another profile's build made the output folder since
        if not unchanged(data["files"]) or not as_listed(data["columns"], headed[1][headed[2] :]):
            return None  # an input changed, or an output file was removed (its folder's time changed)
        if not _trusted_folders(data) and not all_there(Path(str(data["out"]))):
            return None
        return LastBuild(data)
    except (OSError, ValueError, KeyError, TypeError, OverflowError):
        return None
