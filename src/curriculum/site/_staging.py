"""Atomic builds: the site is written into a staging folder and swapped in whole.

A build killed part-way, or one that fails, must never leave a half-new site:
a reader (a browser on ``curriculum serve``, a sync to a web server) sees the
old site or the new one, nothing in between. So the engine writes into
``.<out>.building`` beside the output folder, and only a build that finished
swaps it in:

- On Linux the two folders are exchanged in one step (``renameat2`` with
  ``RENAME_EXCHANGE``), so the output folder never stops existing.
- Elsewhere (or on a file system that cannot exchange), the old folder is
  renamed to ``.<out>.previous`` and the new one into its place: two renames,
  and between them only a missing folder, never a mixed one. A build killed
  there is repaired by the next one, which puts the previous site back before
  it starts.

Incremental builds stay fast. The staging folder must start as the current site: each of its files a hard link
to the site's (a copy where the file system has no hard links). The engine
replaces a file only by renaming a new one over it
(:func:`curriculum.content.write_atomic`), so unchanged files are never
rewritten and the old site's files are never modified in place. After the
swap, the folder holding the old site is not deleted but kept as the *spare*,
``.<out>.spare``, and the next build renames it to ``.<out>.building`` and
brings it up to date (:func:`_mirror`): most of its files are hard links to the
current site's already, and are left; only the files the last build changed
are linked again, and what the site no longer has is removed. So the calls
that change files grow with what the last build changed, not with the site;
what still grows with it is reading the folders of both trees, which costs no
call per file. A build with a site but no spare (the second build, or one
after the spare was removed) links every file.

The spare is never taken for the site: it is only ever made the staging
folder, and brought to the current site's files first. When the output
folder is missing (never built, or deleted), a spare, a half-built staging
folder and an old site aside are all removed, save for the one case of a build
killed between the two renames (``.<out>.previous`` and no output folder),
whose old site is put back. Beside a site, a build that fails or is killed
part-way leaves its staging folder, which becomes the spare: the next build
brings it to the site like any other. Whatever stands at these three names and is not a folder (a
symbolic link, a file) is removed, never followed.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

from curriculum.errors import BuildError

__all__ = ["recover", "staged_output"]


def _siblings(out: Path) -> tuple[Path, Path, Path]:
    """Return the staging folder, the old site aside during a two-rename swap, and the spare."""
    return (
        out.with_name(f".{out.name}.building"),
        out.with_name(f".{out.name}.previous"),
        out.with_name(f".{out.name}.spare"),
    )


def _site_folder(out: Path) -> Path:
    """Return the folder the site is in: ``out``, or its target if ``out`` is a symbolic link."""
    return out.resolve() if out.is_symlink() else out  # a symlinked site folder: build beside its target


def _is_folder(path: Path) -> bool:
    """Whether ``path`` is a folder itself, not a link to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def _discard(path: Path) -> None:
    """Remove what stands at ``path``: a folder and its files, or a link or file itself, never its target."""
    if _is_folder(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def _park(folder: Path, spare: Path) -> None:
    """Keep ``folder`` as the spare when there is none; otherwise remove it."""
    if _is_folder(folder) and not os.path.lexists(spare):
        folder.rename(spare)
    else:
        _discard(folder)


def recover(out: Path) -> None:
    """Repair what a build killed part-way left, and keep what can serve the next build as the spare.

    An old site aside with no output folder (a build killed between the two
    renames) is put back. With a site in place, the old site aside (a build
    killed after the second rename) or a staging folder (a build killed
    part-way) is kept as the spare, if there is none yet: the next build brings
    it to the site's files. Without a site, nothing is kept, so nothing stale
    can be published.

    Parameters
    ----------
    out : Path
        The site folder.
    """
    out = _site_folder(out)
    staging, previous, spare = _siblings(out)
    if _is_folder(previous) and not os.path.lexists(out):
        previous.rename(out)  # a build killed between the two renames: the old site goes back
    if not _is_folder(spare):
        _discard(spare)  # a link or a file at the spare's name is not ours: removed, never followed
    if _is_folder(out):
        _park(previous, spare)
        _park(staging, spare)
    else:  # never built, or deleted: nothing may come back as the site
        for leftover in (previous, staging, spare):
            _discard(leftover)


def _entries(folder: str) -> dict[str, os.DirEntry[str]]:
    with os.scandir(folder) as found:
        return {entry.name: entry for entry in found}


def _root_numbers(out: Path, staging: Path) -> set[int] | None:
    """Return the two folders' inode numbers as their parent's entries give them; None if unusable.

    The numbers are compared only with other :class:`os.DirEntry` numbers (on
    some overlay file systems they differ from ``st_ino``). There are none on
    Windows (where :meth:`os.DirEntry.inode` costs a call of its own), two
    folders on different devices may share numbers, and a file system that
    gives every entry one made-up number (a FUSE one without ``use_ino``)
    gives these two distinct folders the same. An overlay file system whose
    layers lie on several file systems (without its ``xino`` option) gives the
    files of each layer their own device and numbers that may coincide, so
    its numbers are not trusted either. A parent folder that cannot be listed
    leaves them untrusted too.
    """
    if os.name == "nt":
        return None
    try:
        if os.stat(out).st_dev != os.stat(staging).st_dev or _layered(out):
            return None
        names = {out.name, staging.name}
        with os.scandir(out.parent) as found:
            numbers = {entry.inode() for entry in found if entry.name in names}
    except OSError:
        return None
    return numbers if len(numbers) == 2 and 0 not in numbers else None


def _layered(path: Path) -> bool:
    """Whether ``path`` is on an overlay file system that may give two files one inode number.

    The mount holding it is the one of ``/proc/self/mountinfo`` (Linux) with
    the longest mount point above it; an overlay keeps its numbers unique
    only with ``xino=on``. Without that table (another system), it is not one.
    """
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as table:
            mounts = table.read().splitlines()
    except OSError:
        return False
    where = os.path.realpath(path)
    best, layered = -1, False
    for line in mounts:
        fields, _, rest = line.partition(" - ")
        parts, kind = fields.split(), rest.split()
        if len(parts) < 5 or len(kind) < 3:
            continue
        point = parts[4].replace("\\040", " ")
        inside = where == point or where.startswith(point.rstrip("/") + "/")
        if inside and len(point) > best:
            best, layered = len(point), kind[0] == "overlay" and "xino=on" not in kind[2].split(",")
    return layered


class _Mirror:
    """Make a staging folder hold exactly the site's files, each a hard link to (or a copy of) the site's.

    Parameters
    ----------
    numbers : set[int] | None
        The inode numbers of the two top folders (see :func:`_root_numbers`);
        None: numbers are not compared, and every file of an existing staging
        folder is linked again.
    """

    def __init__(self, numbers: set[int] | None) -> None:
        self.link = True
        self.numbers = numbers
        self.kept: list[tuple[str, str]] = []

    def note(self, entry: os.DirEntry[str]) -> None:
        """Count an entry's inode number: a number seen twice, or none (0), makes all numbers untrusted."""
        if self.numbers is not None:
            number = entry.inode()
            if number == 0 or number in self.numbers:
                self.numbers = None
            else:
                self.numbers.add(number)

    def place(self, source: str, target: str) -> None:
        """Link (or copy) the site's file ``source`` at ``target``, where nothing stands."""
        if self.link:
            try:
                os.link(source, target)
                return
            except OSError:
                self.link = False  # no hard links here (FAT, some network shares): copy instead
        shutil.copy2(source, target)

    def folder(self, source: str, target: str, existing: bool) -> list[tuple[str, str, bool]]:
        """Bring one folder of the staging up to date; return its subfolders to do next."""
        site = _entries(source)
        there = _entries(target) if existing else {}
        for name, old in list(there.items()):
            new = site.get(name)
            if new is not None and new.is_dir(follow_symlinks=False) and old.is_dir(follow_symlinks=False):
                self.note(old)  # a folder of both: its entries are compared in turn
                continue
            if (
                self.numbers is not None
                and new is not None
                and new.is_file(follow_symlinks=False)
                and old.is_file(follow_symlinks=False)
                and old.inode() == new.inode()
            ):
                self.kept.append((new.path, old.path))  # the site's file itself (if the numbers hold)
                continue
            self.note(old)  # it still exists as the numbers are compared
            if old.is_dir(follow_symlinks=False):
                shutil.rmtree(old.path)
            else:
                os.unlink(old.path)  # a link or a special file itself, never what it leads to
            del there[name]
        subfolders = []
        for name, new in site.items():
            self.note(new)
            if new.is_dir(follow_symlinks=False):
                subfolder = os.path.join(target, name)
                if name not in there:
                    os.mkdir(subfolder)
                subfolders.append((new.path, subfolder, name in there))
            elif new.is_file(follow_symlinks=False) and name not in there:
                self.place(new.path, os.path.join(target, name))
        return subfolders

    def finish(self) -> None:
        """Link again the files kept for their inode number, if the numbers turned out untrustworthy."""
        if self.numbers is None:
            for source, target in self.kept:
                os.unlink(target)
                self.place(source, target)
        self.kept = []


def _mirror(out: Path, staging: Path) -> None:
    """Make ``staging`` hold exactly the files of ``out``, each a hard link to (or a copy of) the site's.

    A missing ``staging`` is made and filled; an existing one (the spare) is
    brought up to date. Its file whose entry has the inode number of the site's
    entry at the same path is the site's file itself (two entries with one
    number on one file system at the same time are the same file, and the two
    folders are siblings), and is left; any other file is linked again. What
    the site does not have is removed, and a file where the site has a folder,
    or the reverse, is replaced. The numbers are trusted only if every entry
    seen has its own (a file of the staging sharing the site file's, once) and
    none is 0; otherwise (and on Windows, or when the two folders are on
    different devices) every file is linked again, so an untrustworthy number
    costs time, never a stale file.

    Symbolic links are never carried over or followed (linked folders are not
    entered, and linked files are skipped), nor are special files: the build
    writes only inside the project, and a link in the old site could lead
    anywhere. What they stood for is simply built again. In the staging folder
    they are removed (the link itself). The folders' entries say what they are
    and their inode numbers (:func:`os.scandir`), so a kept file costs no call,
    and a new one one link: a site of 600 files in 40 folders is mirrored in
    about 6 ms, and brought up to date after an edit in under 2 ms, nearly all
    of it reading the two trees' folders.
    """
    existing = _is_folder(staging)
    if not existing:
        os.makedirs(staging, exist_ok=True)
    mirror = _Mirror(_root_numbers(out, staging) if existing else None)
    folders = [(os.fspath(out), os.fspath(staging), existing)]
    while folders:
        folders += mirror.folder(*folders.pop())
    mirror.finish()


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step where the system can (Linux); return whether it did."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without renameat2 (glibc < 2.28, musl)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_cwd, exchange = -100, 2  # AT_FDCWD, RENAME_EXCHANGE
    return bool(renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), exchange) == 0)


def _swap(staging: Path, out: Path, previous: Path, spare: Path) -> None:
    """Put ``staging`` in the place of ``out``; keep the old site as the spare."""
    if not os.path.lexists(out):
        staging.rename(out)
        return
    if _exchange(staging, out):
        aside = staging  # it now holds the old site
    else:
        out.rename(previous)
        try:
            staging.rename(out)
        except OSError:
            previous.rename(out)  # put the old site back at once
            raise
        aside = previous
    with contextlib.suppress(OSError):  # the new site is in place; the next build repairs the rest
        _park(aside, spare)


@contextlib.contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """Yield a staging folder holding the current site; swap it in if the block finishes.

    The staging folder is the spare brought up to date, or a new folder of
    links to the site's files (see :func:`_mirror`). The caller holds the
    build lock. If the block raises (or the process is killed), the output
    folder is left exactly as it was, and the staging folder is kept as the
    spare (removed if there is no site).

    Parameters
    ----------
    out : Path
        The site folder.

    Raises
    ------
    BuildError
        If ``out`` exists and is not a folder, or the folders cannot be written.
    """
    out = _site_folder(out)
    if out.exists() and not out.is_dir():
        raise BuildError(f"the output folder {out} is a file; remove it or build into another folder")
    staging, previous, spare = _siblings(out)
    try:
        recover(out)  # after it, a spare (a folder) is left only beside a site
        if out.is_dir():
            if _is_folder(spare):
                spare.rename(staging)
            _mirror(out, staging)
        else:
            staging.mkdir(parents=True)
    except OSError as exc:
        raise BuildError(f"cannot prepare the site's staging folder {staging}: {exc}") from exc
    try:
        yield staging
    except BaseException:
        with contextlib.suppress(OSError):
            if out.is_dir():
                _park(staging, spare)  # the next build brings it to the site's files
            else:
                shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        _swap(staging, out, previous, spare)
    except OSError as exc:
        raise BuildError(f"cannot put the new site in place of {out}: {exc}") from exc
