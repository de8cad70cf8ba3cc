"""The project's files: what a build may read and write, and how it reads and writes them.

A course repository is often someone else's pull request, so building it must
never read or write the builder's other files. One rule covers every reader
and writer: a path is used only when its real path (every symbolic link
followed) is inside the folder it belongs to, the project for sources and the
output folder for the site. :func:`inside` is that rule.

Reading is bounded too: only regular files are opened (a named pipe would
block for ever, ``/dev/zero`` never ends). The type is checked before the
file is opened and again on the open file before a byte is read, and at most
``limit + 1`` bytes are read, whatever the file claims its size is.

Writing is atomic (:func:`write_atomic`, the one writer every layer uses): the
text goes to a temporary file beside the target, which then replaces it, so a
reader sees the old file or the new one, never half of one, and a build
killed part-way leaves nothing broken.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import itertools
import os
import secrets
import stat
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Generic, TypeVar

from curriculum._cache import RACY_NS
from curriculum._plain import read_existing
from curriculum.content._diagnostics import RULES, Diagnostic, Rule, Severity
from curriculum.errors import ContentError, WriteError

__all__ = [
    "E_OUTSIDE",
    "E_READ",
    "FileRefused",
    "FolderStamp",
    "Listings",
    "changed_while_read",
    "display_path",
    "folder_entries",
    "folder_names",
    "folder_stamp",
    "inside",
    "read_bytes",
    "read_existing",
    "relative_namer",
    "relative_posix",
    "text_digest",
    "write_atomic",
]

E_READ = RULES.add("CUR101", Severity.error, "The file cannot be read.")

E_OUTSIDE = RULES.add(
    "CUR106",
    Severity.error,
    "A path leads outside the project.",
    "A course repository is often someone else's pull request: building it must never read or write "
    "the builder's other files, so a build reads only inside the project and writes only inside "
    "its output folder.",
)
E_SPECIAL = RULES.add(
    "CUR107",
    Severity.error,
    "A path is not a regular file (a folder, named pipe, device or socket).",
    "Reading a pipe waits for ever and a device such as /dev/zero never ends.",
)
E_LOOP = RULES.add("CUR108", Severity.error, "A symbolic link loops or cannot be followed.")

_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


class FileRefused(Exception):
    """A path the project may not use, with the rule it breaks.

    Parameters
    ----------
    rule : Rule
        The rule (CUR106 outside, CUR107 not a regular file, CUR108 link loop, CUR101 unreadable).
    message : str
        What is wrong with the path.
    hint : str
        How to fix it.
    """

    def __init__(self, rule: Rule, message: str, hint: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.hint = hint

    def at(self, display: str, pos: tuple[int, int] = (1, 1)) -> Diagnostic:
        """Return the problem as a diagnostic located at ``display:pos``."""
        return self.rule.at(display, pos, self.message, self.hint)


def inside(root: Path, path: Path, *, what: str = "the project") -> Path:
    """Return the real path of ``path``, which must lie inside the real path of ``root``.

    Every symbolic link is followed first, so a link inside the project that
    points elsewhere is caught; ``..`` segments and absolute paths are caught
    the same way. The path itself need not exist.

    Parameters
    ----------
    root : Path
        The folder the path must stay in (the project, or the site's output folder).
    path : Path
        The path to check, absolute or relative to the working folder.
    what : str
        How messages name ``root``.

    Returns
    -------
    Path
        The resolved path.

    Raises
    ------
    FileRefused
        If the path leads outside ``root`` (CUR106).
    """
    real_root = Path(os.path.realpath(root))
    real = Path(os.path.realpath(path))  # a loop resolves to some path; reading it then says it loops
    if real != real_root and real_root not in real.parents:
        raise FileRefused(
            E_OUTSIDE,
            f"`{path.name}` leads to {real}, outside {what}",
            f"keep every file inside {what}; replace a symbolic link by the file itself, "
            "and write paths relative to the project without `..`",
        )
    return real


class Confined:
    """A folder that many files read in one go must stay in, each of their folders resolved once.

    :func:`inside` follows every link of a path, component by component. For
    a batch of files (the content of a project, read once), a file that is no
    link is inside the folder exactly when its folder is, so each folder is
    resolved once and each file costs one look at whether it is a link. Use one
    for one batch only: a folder swapped for a link later is not seen by it.

    Parameters
    ----------
    root : Path
        The folder the files must stay in.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._folders: dict[str, bool] = {}

    def check(self, path: str | os.PathLike[str], *, link: bool | None = None) -> None:
        """Raise :class:`FileRefused` unless ``path`` leads inside the folder, as :func:`inside` does.

        The refusal names the file, as :func:`inside` would. ``link`` says
        whether the path is a symbolic link, when the caller has just looked
        (None: it is looked at here). The path may be given as a string: a
        caller that names hundreds of files makes no path object for each.
        """
        text = os.fspath(path)
        folder, name = os.path.split(text)
        self.check_in(folder, name, link=os.path.islink(text) if link is None else link)

    def check_in(self, folder: str, name: str, *, link: bool) -> None:
        """Raise :class:`FileRefused` unless the file ``name`` of ``folder`` leads inside (see :meth:`check`).

        For a caller that lists a folder's files: the path is not split again
        for each. ``link`` says whether the file is a symbolic link.
        """
        if name in ("", ".", "..") or link or not self.leads_inside(folder):
            inside(self.root, Path(folder, name))

    def leads_inside(self, folder: str) -> bool:
        """Whether ``folder`` leads inside (resolved once): then each of its files that is no link does."""
        found = self._folders.get(folder)
        if found is None:
            try:
                inside(self.root, Path(folder or "."))
            except FileRefused:
                found = False
            else:
                found = True
            self._folders[folder] = found
        return found


def read_bytes(path: Path, limit: int, *, root: Path | Confined | None = None) -> bytes:
    """Read at most ``limit + 1`` bytes of a regular file.

    Parameters
    ----------
    path : Path
        The file.
    limit : int
        The largest size the caller accepts; reading stops one byte beyond it,
        so a caller sees ``len(data) > limit`` and reports the file as too large.
    root : Path | Confined | None
        When given, the file's real path must be inside this folder.

    Returns
    -------
    bytes
        The file's first ``limit + 1`` bytes at most.

    Raises
    ------
    FileRefused
        If the path is outside ``root``, is not a regular file, loops, or cannot be read.
    """
    if isinstance(root, Confined):
        root.check(path)
    elif root is not None:
        inside(root, path)
    try:
        _regular(path, os.stat(path).st_mode)  # a device is refused before it is even opened
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise _refused(path, exc) from exc
    try:
        _regular(path, os.fstat(fd).st_mode)  # and again on the open file, in case it was swapped
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise _refused(path, exc) from exc
    finally:
        os.close(fd)


def write_atomic(
    path: Path,
    data: str | bytes,
    *,
    within: Path | None = None,
    only_if_changed: bool = True,
    durable: bool = False,
    mode: int = 0o666,
    replace_if: Callable[[], bool] | None = None,
) -> bool:
    """Write ``data`` to ``path`` atomically; return whether the file was written.

    Parameters
    ----------
    path : Path
        The file to write; its folder is created if needed.
    data : str | bytes
        The new content (text is written as UTF-8).
    within : Path | None
        The folder the write belongs in (the output folder, the cache, the
        project): the file's folder, every symbolic link followed, must be
        inside it, so no link can send a write elsewhere. A link at ``path``
        itself is replaced, never followed.
    only_if_changed : bool
        Leave a file that already holds ``data`` alone (its time stays, and a
        build that changed nothing writes nothing).
    durable : bool
        Flush the data to the disk before the file replaces the old one (a
        learner's progress); a file that can be rebuilt does without.
    mode : int
        The new file's permissions, before the umask (``0o600`` for private files).
    replace_if : Callable[[], bool] | None
        Asked once the new file is written beside the old, just before it takes
        the old one's place: if it says no, nothing is replaced (the check's
        window is one rename), as when a file another process may have changed
        since it was read is written anew.

    Returns
    -------
    bool
        False when ``only_if_changed`` found the file already up to date, or ``replace_if`` said no.

    Raises
    ------
    ContentError
        If the file's folder leads outside ``within`` (CUR106).
    WriteError
        If the file cannot be written (a file where a folder should be, a
        read-only folder, a full disk); nothing is left behind.
    """
    if within is not None:
        try:
            inside(within, path.parent, what=f"the folder the build writes ({within.name})")
        except FileRefused as refused:
            raise ContentError([refused.at(display_path(path))]) from refused
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if only_if_changed and read_existing(path, len(raw)) == raw:
        return False
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    except OSError as exc:
        raise WriteError(display_path(path), exc.strerror or str(exc)) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if replace_if is not None and not replace_if():
            os.unlink(tmp)
            return False
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise WriteError(display_path(path), exc.strerror or str(exc)) from exc
    return True


def text_digest(text: str) -> str:
    """Return the digest of a content file's text: a document's ``digest``, which caches are keyed by."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def changed_while_read(display: str) -> ContentError:
    """Return the error of a file that changed while the command ran (CUR101).

    What it holds now is not the text that was checked, or whose outputs were
    chosen: the command stops, and the next run reads it as it is.
    """
    return ContentError(
        [
            E_READ.at(
                display,
                (1, 1),
                "the file changed while it was being read",
                "run the command again once the file is saved",
            )
        ]
    )


def relative_posix(path: Path, root: Path) -> str | None:
    """Return ``path`` relative to ``root``, with forward slashes, or None if it is not below it.

    Lexical, as :meth:`pathlib.PurePath.relative_to` is, but a string operation
    for the usual case (``path`` made as ``root / name``): the loader and the
    configuration name hundreds of files this way each build.

    Examples
    --------
    >>> relative_posix(Path("/p/lessons/a.ipynb"), Path("/p"))
    'lessons/a.ipynb'
    >>> relative_posix(Path("/elsewhere/a.yml"), Path("/p")) is None
    True
    """
    text, base = os.fspath(path), os.fspath(root)
    if base not in (".", "") and text.startswith(base.rstrip(os.sep) + os.sep):
        return text[len(base.rstrip(os.sep)) + 1 :].replace(os.sep, "/")
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else None


def relative_namer(root: Path) -> Callable[[str], str | None]:
    """Return :func:`relative_posix` for paths given as strings, with what it needs of ``root`` taken once.

    A path below the root as a string, the usual case, costs a comparison and
    a slice: for a caller that names hundreds of files each build. The strings
    must be normal paths, as :func:`os.fspath` gives a :class:`~pathlib.Path`
    (no ``//`` or ``/./`` in them): what :class:`~pathlib.Path` would make of
    another is not made here.

    Examples
    --------
    >>> named = relative_namer(Path("/p"))
    >>> named("/p/lessons/a.ipynb"), named("/elsewhere/a.yml")
    ('lessons/a.ipynb', None)
    """
    below, prefix = _below(root)
    cut, sep = len(prefix), os.sep

    def name(text: str) -> str | None:
        if below and text.startswith(prefix):
            return text[cut:] if sep == "/" else text[cut:].replace(sep, "/")
        return relative_posix(Path(text), root)

    return name


def relative_names(root: Path, texts: list[str]) -> list[str]:
    """Return each path's name below ``root`` (:func:`relative_namer`), or its own in POSIX form if not below.

    When every path is below the root as a string, and ``/`` is the only
    separator (the usual case: the inputs of a build), the names are the
    texts after it, cut in one pass with no call a path.

    Examples
    --------
    >>> relative_names(Path("/p"), ["/p/a.yml", "/p/b/c.yml"]), relative_names(Path("/p"), ["/q/d.yml"])
    (['a.yml', 'b/c.yml'], ['/q/d.yml'])
    """
    below, prefix = _below(root)
    if below and os.sep == "/" and all(map(str.startswith, texts, itertools.repeat(prefix))):
        cut = len(prefix)
        return [text[cut:] for text in texts]
    name_of = relative_namer(root)
    return [name_of(text) or Path(text).as_posix() for text in texts]


def _below(root: Path) -> tuple[bool, str]:
    """Return whether paths can be named below ``root`` by their text, and the text they then start with."""
    base = os.fspath(root)
    return base not in (".", ""), base.rstrip(os.sep) + os.sep


def folder_names(folder: str | os.PathLike[str]) -> list[str]:
    """Return the names of a folder's entries, as :meth:`pathlib.Path.glob` lists a folder, unsorted.

    Strings, not path objects (a build lists hundreds of files). A folder that
    is missing, is no folder, loops or may not be listed holds none.
    """
    return [entry.name for entry in folder_entries(folder)]


def folder_entries(folder: str | os.PathLike[str]) -> list[os.DirEntry[str]]:
    """Return a folder's entries, as :func:`folder_names` lists them (none if it cannot be listed).

    Each entry tells, from the listing itself, whether it is a symbolic link
    (:meth:`os.DirEntry.is_symlink`): a caller that must know it of hundreds
    of files asks the system nothing more for each.
    """
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return []
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return []
        raise


FolderStamp = tuple[int, ...]
"""Folders' device, inode, modification and change times (ns), four numbers a folder: a file added
to a folder, removed from it, renamed in it or swapped for a link changes its times."""


def folder_stamp(*folders: str, follow: bool = True) -> FolderStamp | None:
    """Return the stamp of ``folders``, one look at each; None if one is no folder or cannot be looked at.

    With ``follow`` False, a symbolic link is not followed: a folder that is one
    has no stamp either.
    """
    look = os.stat if follow else os.lstat
    found: list[int] = []
    try:
        for folder in folders:
            info = look(folder)
            if not stat.S_ISDIR(info.st_mode):
                return None
            found += (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_ctime_ns)
    except OSError:
        return None
    return tuple(found)


_T = TypeVar("_T")


class Listings(Generic[_T]):
    """What was made of folders' listings, each value kept while its folders have the stamp they had.

    A process that builds again and again (``curriculum serve``) then looks at
    each folder (:func:`folder_stamp`), not at each file it lists. A value is
    kept only if its folders had not changed less than
    :data:`~curriculum._cache.RACY_NS` before they were listed: a file added in
    the same clock tick as the listing would leave their times as they were.
    (As git does, this trusts the file system's clock to be no more than that
    behind this machine's.)
    """

    def __init__(self) -> None:
        self._kept: dict[Hashable, tuple[FolderStamp, _T]] = {}

    def get(self, key: Hashable, stamp: FolderStamp | None) -> _T | None:
        """Return the value kept under ``key`` if its folders had the stamp they have now, ``stamp``."""
        kept = self._kept.get(key)
        return kept[1] if kept is not None and stamp is not None and kept[0] == stamp else None

    def keep(self, key: Hashable, stamp: FolderStamp | None, at: int, value: _T) -> None:
        """Keep ``value`` under ``key``, made of folders that had ``stamp`` at ``at`` (ns), listed since."""
        if stamp and max(stamp[2::4] + stamp[3::4]) + RACY_NS < at:
            self._kept[key] = (stamp, value)
        else:
            self._kept.pop(key, None)


def display_path(path: Path) -> str:
    """Return the path as an author would type it: relative to the working folder if possible."""
    absolute = os.path.abspath(path)  # as written: a symbolic link is shown, not its target
    try:
        rel = os.path.relpath(absolute, os.getcwd()).replace(os.sep, "/")
    except ValueError:  # another drive on Windows
        return path.as_posix()
    return rel if not rel.startswith("..") else absolute.replace(os.sep, "/")


def _regular(path: Path, mode: int) -> None:
    kind = stat.S_IFMT(mode)
    if kind != stat.S_IFREG:
        raise FileRefused(
            E_SPECIAL,
            f"`{path.name}` is {_KINDS.get(kind, 'not a regular file')}, not a file",
            "content folders hold only regular files; remove it or replace it by a file",
        )


def _refused(path: Path, exc: OSError) -> FileRefused:
    if exc.errno == errno.ELOOP:
        return FileRefused(
            E_LOOP,
            f"the symbolic link `{path.name}` loops and never reaches a file",
            "replace the link by the file itself",
        )
    return FileRefused(
        E_READ,
        f"cannot read the file: {exc.strerror or exc}",
        "check that it exists and that you may read it",
    )
