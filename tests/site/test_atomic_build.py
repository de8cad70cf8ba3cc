"""A build replaces the site whole or not at all: killed, failing or interrupted mid-swap."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from curriculum.errors import BuildError
from curriculum.site import _staging as staging_module
from curriculum.site import build_site
from curriculum.site._record_file import seal
from tests.site.conftest import same_as_a_fresh_build

NEW_TITLE = "Test curriculum, second edition"
SPARE = "._site.spare"


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and a hash of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build(project: Path) -> Any:
    return build_site(project, engine="pandoc", console=Console(quiet=True))


def retitle(project: Path) -> None:
    config = project / "_quarto.yml"
    config.write_text(config.read_text().replace("title: Test curriculum", f"title: {NEW_TITLE}"))


def leftovers(project: Path) -> list[str]:
    """The folders a build left beside the site, but the spare it keeps for the next."""
    return sorted(p.name for p in project.iterdir() if p.name.startswith("._site") and p.name != SPARE)


@pytest.fixture
def built(project: Path) -> tuple[Path, dict[str, str]]:
    out = build(project).out
    return out, tree(out)


def fail_after_three_pages(project: Path) -> None:
    """Build with every page changed, the disk full once three new pages are written: the build fails."""
    retitle(project)
    from curriculum.site import _stages

    real = _stages.write_atomic
    calls = {"pages": 0}

    def failing(path: Path, text: str, *, within: Path, **options: bool) -> bool:
        if path.suffix == ".html":
            calls["pages"] += 1
            if calls["pages"] > 3:
                raise OSError(28, "No space left on device")
        return real(path, text, within=within, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_stages, "write_atomic", failing)
        with pytest.raises(OSError, match="No space left"):
            build(project)
    assert calls["pages"] > 3, "some new pages were written before the failure"


def test_a_failing_build_leaves_the_site_byte_identical(
    project: Path, built: tuple[Path, dict[str, str]]
) -> None:
    out, before = built
    stat_before = {name: (out / name).stat().st_mtime_ns for name in before}
    fail_after_three_pages(project)
    assert tree(out) == before
    assert {name: (out / name).stat().st_mtime_ns for name in before} == stat_before
    assert leftovers(project) == []


KILLED_BUILD = """
import sys
import time
from pathlib import Path
from rich.console import Console
from curriculum.site import _stages, build_site
real = _stages.write_atomic
def slowly(path, text, *, within, **options):  # a page written, then a wait: the kill lands before the swap
    written = real(path, text, within=within, **options)
    if path.suffix == ".html":
        time.sleep(0.2)
    return written
_stages.write_atomic = slowly
build_site(Path(sys.argv[1]), engine="pandoc", console=Console(quiet=True))
"""
"""A build that writes its pages slowly (a build of a small site writes them all, and swaps, within the
few milliseconds the test takes to look at both trees once)."""


def test_a_build_killed_part_way_leaves_the_old_site_and_the_next_build_the_new(
    project: Path, built: tuple[Path, dict[str, str]]
) -> None:
    """The review killed a build once 20 of 76 pages had the new title: 20 new, 56 old."""
    out, before = built
    retitle(project)
    staging = project / "._site.building"
    process = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, str(project)], start_new_session=True)
    killed_with_new_pages = False
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            # Kill as soon as any new page exists, wherever the build writes it.
            pages = [p for folder in (staging, out) if folder.is_dir() for p in folder.rglob("*.html")]
            if any(NEW_TITLE in _text(page) for page in pages):
                os.killpg(process.pid, signal.SIGKILL)
                killed_with_new_pages = True
                break
            time.sleep(0.005)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert killed_with_new_pages, "the build finished before it could be killed part-way"
    assert tree(out) == before, "a build killed part-way left the old site, whole"
    result = build(project)
    after = tree(result.out)
    assert set(after) == set(before) and after != before
    pages = [p for p in result.out.rglob("*.html")]
    assert all(NEW_TITLE in p.read_text(encoding="utf-8") for p in pages), "the next build is entirely new"
    assert leftovers(project) == []


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


@pytest.mark.parametrize("exchange", [True, False])
def test_a_rebuild_swaps_the_site_in_and_keeps_unchanged_files(
    exchange: bool, project: Path, built: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, before = built
    if not exchange:  # the two-rename swap other systems use
        monkeypatch.setattr(staging_module, "_exchange", lambda first, second: False)
    inode = (out / "assets" / "site.js").stat().st_ino
    retitle(project)
    build(project)
    assert (out / "assets" / "site.js").stat().st_ino == inode, "an unchanged file is linked, not rewritten"
    assert NEW_TITLE in (out / "index.html").read_text(encoding="utf-8")
    assert set(tree(out)) == set(before) and leftovers(project) == []


def test_a_build_killed_between_the_two_renames_is_repaired(
    project: Path, built: tuple[Path, dict[str, str]]
) -> None:
    """Without an atomic exchange, a kill between the renames leaves the old site aside: it comes back."""
    out, before = built
    out.rename(project / "._site.previous")
    (project / "._site.building").mkdir()
    (project / "._site.building" / "index.html").write_text("half-built")
    result = build(project)  # nothing changed since the last build: the previous site is simply put back
    assert tree(result.out) == before and leftovers(project) == []


def test_a_failed_swap_puts_the_old_site_back(
    project: Path, built: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, before = built
    monkeypatch.setattr(staging_module, "_exchange", lambda first, second: False)
    real = Path.rename

    def rename(self: Path, target: Any) -> Any:
        if self.name == "._site.building":
            raise OSError(13, "Permission denied")
        return real(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    retitle(project)
    with pytest.raises(BuildError, match="cannot put the new site in place"):
        build(project)
    assert tree(out) == before


def test_an_output_path_that_is_a_file_is_refused(project: Path) -> None:
    (project / "_site").write_text("not a folder")
    with pytest.raises(BuildError, match="is a file"):
        build(project)
    assert (project / "_site").read_text() == "not a folder"


def test_the_staging_folder_mirrors_files_only_as_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nested files are linked; links, linked folders and special files of the old site are left behind."""
    out, outside = tmp_path / "_site", tmp_path / "outside"
    (out / "quiz" / "deep").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text("not ours")
    (out / "index.html").write_text("home")
    (out / "quiz" / "deep" / "a.js").write_text("a")
    (out / "linked.txt").symlink_to(outside / "secret.txt")
    (out / "linked-folder").symlink_to(outside)
    os.mkfifo(out / "pipe")
    staging_module._mirror(out, tmp_path / "one")
    assert tree(tmp_path / "one") == {
        "index.html": tree(out)["index.html"],
        "quiz/deep/a.js": tree(out)["quiz/deep/a.js"],
    }
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["index.html", "quiz"]
    assert (tmp_path / "one" / "index.html").stat().st_ino == (out / "index.html").stat().st_ino

    def no_links(*_: object) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)  # a file system without hard links: copies
    staging_module._mirror(out, tmp_path / "two")
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    assert (tmp_path / "two" / "index.html").stat().st_ino != (out / "index.html").stat().st_ino


# The spare: the old site, kept after a swap and brought up to date by the next build.


def listing(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` (links and special files too, not followed): its kind or its hash."""
    found = {}
    for top, folders, files in os.walk(folder):
        for name in folders + files:
            path = Path(top) / name
            info = path.lstat()
            if stat.S_ISREG(info.st_mode):
                found[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[path.relative_to(folder).as_posix()] = stat.filemode(info.st_mode)[0]
    return found


def numbers(folder: Path) -> dict[str, int]:
    """The inode number of every file under ``folder``."""
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def edit_quiz(project: Path, old: str, new: str) -> None:
    quiz = project / "quizzes" / "intro.yml"
    text = quiz.read_text()
    assert old in text
    quiz.write_text(text.replace(old, new))


def count_links(monkeypatch: pytest.MonkeyPatch, staging: Path) -> list[str]:
    """Record, from now on, each hard link made in ``staging`` (by its path there)."""
    made: list[str] = []
    real = os.link

    def link(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
        made.append(Path(target).relative_to(staging).as_posix())
        real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "link", link)
    return made


@pytest.mark.parametrize("exchange", [True, False])
def test_a_rebuild_links_again_only_the_files_the_last_build_changed(
    exchange: bool,
    project: Path,
    built: tuple[Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The spare holds the site before the last build: only the files that build replaced are linked again."""
    out, _ = built
    if not exchange:  # the two-rename swap other systems use: the old site aside becomes the spare
        monkeypatch.setattr(staging_module, "_exchange", lambda first, second: False)
    first = numbers(out)
    edit_quiz(project, "doubts that treatment", "doubts that any treatment")
    build(project)
    second = numbers(out)
    assert (project / SPARE).is_dir() and leftovers(project) == []
    assert numbers(project / SPARE) == first, "the spare is the site before the build"
    edit_quiz(project, "doubts that any treatment", "doubts that every treatment")
    links = count_links(monkeypatch, project / "._site.building")
    build(project)
    changed = {name for name, number in second.items() if first.get(name) != number}
    assert 0 < len(changed) < len(second) / 4
    assert sorted(links) == sorted(changed)
    assert "doubts that every treatment" in (out / "quiz" / "intro.html").read_text(encoding="utf-8")
    assert (project / SPARE).is_dir() and leftovers(project) == []
    same_as_a_fresh_build(project, out, tmp_path)


def small_site(out: Path) -> dict[str, str]:
    """Write a small site with nested folders, a link and a special file; return its files."""
    files = {
        "index.html": "home",
        "about.html": "about",
        "c.html": "c",
        "d.html": "d",
        "quiz/a.html": "a",
        "quiz/deep/b.js": "b",
        "assets/site.css": "css",
        "media/x.png": "x",
    }
    for name, text in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    return files


def outside_folder(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not ours")
    return outside


def stale_staging(tmp_path: Path, *stale: str) -> tuple[Path, Path, dict[str, str]]:
    """Return a small site, a staging folder that mirrors it but for the ``stale`` files, and its files."""
    out, staging = tmp_path / "_site", tmp_path / "._site.building"
    files = small_site(out)
    staging_module._mirror(out, staging)
    for name in stale:
        (staging / name).unlink()
        (staging / name).write_text("stale")
    return out, staging, files


def assert_mirrors(staging: Path, out: Path, files: dict[str, str]) -> None:
    """``staging`` holds exactly the site's files, each a hard link to the site's, and nothing else."""
    assert listing(staging) == {name: kind for name, kind in listing(out).items() if kind not in ("l", "p")}
    assert {name for name, kind in listing(staging).items() if kind != "d"} == set(files)
    for name in files:
        assert (staging / name).stat().st_ino == (out / name).stat().st_ino, name


def test_the_spare_damaged_in_every_way_is_brought_exactly_to_the_site(tmp_path: Path) -> None:
    out, staging = tmp_path / "_site", tmp_path / "._site.building"
    files = small_site(out)
    outside = outside_folder(tmp_path)
    (out / "linked.txt").symlink_to(outside / "secret.txt")  # the site's own link and FIFO: not carried over
    os.mkfifo(out / "pipe")
    staging_module._mirror(out, staging)
    (staging / "index.html").unlink()
    (staging / "index.html").write_text("stale home")  # replaced by another file
    (staging / "about.html").unlink()
    (staging / "about.html").write_text("about")  # another file with the same bytes
    (staging / "old.html").write_text("old")  # an extra file, and an extra folder
    (staging / "gone" / "deeper").mkdir(parents=True)
    (staging / "gone" / "deeper" / "x.html").write_text("x")
    (staging / "quiz" / "a.html").unlink()  # a missing file and a missing folder
    shutil.rmtree(staging / "assets")
    (staging / "quiz" / "deep" / "b.js").unlink()  # a link at a file's name, and extra ones
    (staging / "quiz" / "deep" / "b.js").symlink_to(outside / "secret.txt")
    (staging / "linked").symlink_to(outside)
    (staging / "linked.txt").write_text("a file where the site has a link")
    (staging / "c.html").unlink()  # a folder where a file should be, and a file where a folder should be
    (staging / "c.html").mkdir()
    (staging / "c.html" / "inside.html").write_text("inside")
    shutil.rmtree(staging / "quiz" / "deep")
    (staging / "quiz" / "deep").write_text("a file")
    shutil.rmtree(staging / "media")  # a link where a folder should be
    (staging / "media").symlink_to(outside)
    (staging / "d.html").unlink()  # FIFOs, at a file's name and extra
    os.mkfifo(staging / "d.html")
    os.mkfifo(staging / "fifo")
    staging_module._mirror(out, staging)
    assert_mirrors(staging, out, files)
    assert listing(outside) == {"secret.txt": hashlib.sha256(b"not ours").hexdigest()}


class _Entry:
    """A directory entry whose inode number is made up."""

    def __init__(self, entry: os.DirEntry[str], number: Any) -> None:
        self._entry, self._number = entry, number
        self.name, self.path = entry.name, entry.path

    def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        return self._entry.is_dir(follow_symlinks=follow_symlinks)

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        return self._entry.is_file(follow_symlinks=follow_symlinks)

    def inode(self) -> int:
        return int(self._number(self._entry))


class _MadeUpNumbers:
    """The :mod:`os` module, but its directory entries' inode numbers are ``number(entry)``."""

    def __init__(self, number: Any) -> None:
        self._number = number
        self.name = os.name

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    @contextlib.contextmanager
    def scandir(self, path: str) -> Iterator[list[_Entry]]:
        with os.scandir(path) as found:
            yield [_Entry(entry, self._number) for entry in found]


@pytest.mark.parametrize(
    "number",
    [
        lambda entry: 0xFFFFFFFF,  # FUSE without use_ino: one number for all, the two top folders too
        lambda entry: 0,  # no numbers
        lambda entry: 7 if entry.is_file(follow_symlinks=False) else entry.inode(),  # found out only later
        lambda entry: 0 if entry.is_file(follow_symlinks=False) else entry.inode(),
    ],
    ids=["one-for-all", "none", "files-share-one", "files-have-none"],
)
def test_inode_numbers_that_cannot_be_trusted_link_every_file_again(
    number: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never a file kept for a number it shares with another: an untrustworthy number costs time only."""
    out, staging, files = stale_staging(tmp_path, "index.html", "quiz/deep/b.js")  # first and last compared
    monkeypatch.setattr(staging_module, "os", _MadeUpNumbers(number))
    staging_module._mirror(out, staging)
    assert_mirrors(staging, out, files)


def test_a_folder_whose_files_are_the_sites_own_is_taken_at_once_not_entry_by_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its entries are compared by map, none noted one by one; a folder with a stale file is, and mended."""
    out, staging, files = stale_staging(tmp_path)
    noted: list[str] = []
    real = staging_module._Mirror.note
    monkeypatch.setattr(
        staging_module._Mirror, "note", lambda self, entry: noted.append(entry.name) or real(self, entry)
    )
    staging_module._mirror(out, staging)
    assert noted == []
    assert_mirrors(staging, out, files)
    (staging / "quiz" / "a.html").unlink()
    (staging / "quiz" / "a.html").write_text("stale")
    staging_module._mirror(out, staging)
    assert "a.html" in noted and "site.css" not in noted, "only the folder with a stale file, one by one"
    assert_mirrors(staging, out, files)


# The record of how the two trees' folders looked once alike: a folder unchanged on both sides is not read.


def aged(*tops: Path) -> None:
    """Give every folder under ``tops`` a time a minute ago (older than the record by more than RACY_NS)."""
    then = time.time_ns() - 60_000_000_000
    for top in tops:
        for folder, _, _ in os.walk(top):
            os.utime(folder, ns=(then, then))


def swapped(out: Path, staging: Path) -> None:
    """Exchange the two folders, as a build that finished does (the staging becomes the site)."""
    aside = out.with_name("aside")
    out.rename(aside)
    staging.rename(out)
    aside.rename(staging)


def folders_read(monkeypatch: pytest.MonkeyPatch, staging: Path) -> list[str]:
    """Record, from now on, each folder of ``staging`` whose entries are read (by its path there)."""
    read: list[str] = []
    real = staging_module._entries

    def entries(folder: str) -> dict[str, os.DirEntry[str]]:
        if Path(folder).is_relative_to(staging):
            read.append(Path(folder).relative_to(staging).as_posix())
        return real(folder)

    monkeypatch.setattr(staging_module, "_entries", entries)
    return read


def recorded_mirror(tmp_path: Path, *, old: bool = True) -> tuple[Path, Path, Path, dict[str, str]]:
    """Return a small site, its staging made alike (long ago) and recorded so, then swapped; and its files."""
    out, staging, record = tmp_path / "_site", tmp_path / "._site.building", tmp_path / "mirror.json"
    files = small_site(out)
    staging_module._mirror(out, staging)
    if old:
        aged(out, staging)
    staging_module._mirror(out, staging, record)
    swapped(out, staging)
    return out, staging, record, files


def test_a_folder_neither_side_of_which_changed_since_they_were_made_alike_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, staging, record, files = recorded_mirror(tmp_path)
    read = folders_read(monkeypatch, staging)
    staging_module._mirror(out, staging, record)
    assert read == []
    assert_mirrors(staging, out, files)


@pytest.mark.parametrize(
    "change", ["spare's file replaced", "site's file replaced", "spare's file removed", "site's file added"]
)
def test_a_folder_changed_on_either_side_since_the_record_is_read_and_brought_to_the_site(
    change: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, staging, record, files = recorded_mirror(tmp_path)
    side, _, how = change.partition("'s file ")
    path = (staging if side == "spare" else out) / "quiz" / "deep" / "b.js"
    if how != "added":
        path.unlink()
    if how != "removed":
        (path.parent / ("new.js" if how == "added" else path.name)).write_text("other")
    if side == "site":
        files = {name: "" for name in tree(out)}
    read = folders_read(monkeypatch, staging)
    staging_module._mirror(out, staging, record)
    assert read == ["quiz/deep"]
    assert_mirrors(staging, out, files)


def edited_record(record: Path, edit: Callable[[dict[str, Any]], None], *, sealed: bool) -> None:
    """Edit the mirror's record by hand (``edit`` changes its folders), sealing it again or not."""
    header, _, body = record.read_text().partition("\n")
    data = json.loads(body)
    edit(data["folders"])
    text = json.dumps(data)
    record.write_text(seal(text) if sealed else f"{header}\n{text}")


@pytest.mark.parametrize(
    "how", ["not swapped", "recent", "damaged", "edited in place", "another computer's", "none"]
)
def test_without_a_record_that_holds_every_folder_is_read(
    how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed build swapped nothing; a folder changed this close to the record may have changed since."""
    out, staging, record, files = recorded_mirror(tmp_path, old=how != "recent")
    if how == "not swapped":
        swapped(out, staging)
    elif how == "damaged":
        record.write_text(record.read_text()[:-20])
    elif how == "edited in place":  # a subfolder dropped from the top's: it would never be mirrored again
        edited_record(record, lambda folders: folders[""][6].remove("quiz"), sealed=False)
    elif how == "another computer's":
        monkeypatch.setattr("curriculum._memo._secret", lambda: "0" * 64)
    elif how == "none":
        record.unlink()
    read = folders_read(monkeypatch, staging)
    staging_module._mirror(out, staging, record)
    assert sorted(read) == [".", "assets", "media", "quiz", "quiz/deep"]
    assert_mirrors(staging, out, files)


def test_a_record_naming_a_folder_that_is_not_there_is_dropped_and_every_folder_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Edited and sealed again by hand: the staging is still made the site's; the record is removed."""
    out, staging, record, files = recorded_mirror(tmp_path)
    edited_record(record, lambda folders: folders[""][6].append("zzz"), sealed=True)
    read = folders_read(monkeypatch, staging)
    staging_module._mirror(out, staging, record)
    assert "." in read, "mirrored again without the record"
    assert_mirrors(staging, out, files)
    assert not record.exists()


def test_a_spare_damaged_in_a_folder_the_last_build_did_not_write_is_brought_to_the_site(
    project: Path, built: tuple[Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folders of a site built long ago: the next builds read only those changed on either side."""
    out, _ = built
    spare = project / SPARE
    edit_quiz(project, "doubts that treatment", "doubts that any treatment")
    build(project)
    aged(out, spare)
    edit_quiz(project, "doubts that any treatment", "doubts that every treatment")
    build(project)  # it records the folders it did not write in as alike, and long unchanged
    page = next(name for name in tree(out) if name.startswith("lessons/"))
    (spare / page).unlink()  # the spare's file replaced by another, and the site's removed in another folder
    (spare / page).write_text("stale")
    removed = next(name for name in tree(out) if name.startswith("cases/"))
    (out / removed).unlink()
    read = folders_read(monkeypatch, project / "._site.building")
    edit_quiz(project, "doubts that every treatment", "doubts that no treatment")
    build(project)
    assert {"lessons", "cases"} <= set(read) and "assets" not in read, read
    same_as_a_fresh_build(project, out, tmp_path)


@pytest.fixture
def with_spare(project: Path, built: tuple[Path, dict[str, str]]) -> tuple[Path, dict[str, str]]:
    """A site built twice: the spare holds the first build's site; return the site and its files."""
    out, _ = built
    edit_quiz(project, "doubts that treatment", "doubts that any treatment")
    build(project)
    assert (project / SPARE).is_dir()
    return out, tree(out)


def test_a_damaged_spare_is_never_published(
    project: Path, with_spare: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    out, before = with_spare
    spare, outside = project / SPARE, outside_folder(tmp_path)
    shared = sorted(name for name in before if (spare / name).stat().st_ino == (out / name).stat().st_ino)
    folder = next(name.split("/")[0] for name in shared if "/" in name and not name.startswith("quiz/"))
    shared = [name for name in shared if not name.startswith(f"{folder}/")]
    assert len(shared) > 10
    with (spare / "quiz" / "intro.html").open("a") as old:  # the old page, edited in place (not the site's)
        old.write("<p>edited in the spare</p>")
    (spare / shared[0]).unlink()  # a file of the site replaced by another
    (spare / shared[0]).write_text("stale")
    (spare / shared[1]).unlink()  # a missing file
    (spare / "stale.html").write_text("stale")  # extra files and folders
    (spare / "stale" / "deeper").mkdir(parents=True)
    (spare / "stale" / "deeper" / "page.html").write_text("stale")
    (spare / shared[2]).unlink()  # links: at a file's name, extra, and where a folder should be
    (spare / shared[2]).symlink_to(outside / "secret.txt")
    (spare / "linked").symlink_to(outside)
    shutil.rmtree(spare / folder)
    (spare / folder).symlink_to(outside)
    (spare / shared[3]).unlink()  # a folder where a file should be
    (spare / shared[3]).mkdir()
    (spare / shared[3] / "inside.html").write_text("stale")
    os.mkfifo(spare / "fifo")  # FIFOs, extra and at a file's name
    (spare / shared[4]).unlink()
    os.mkfifo(spare / shared[4])
    edit_quiz(project, "doubts that any treatment", "doubts that every treatment")
    build(project)
    assert listing(outside) == {"secret.txt": hashlib.sha256(b"not ours").hexdigest()}
    assert all(len(kind) > 1 or kind == "d" for kind in listing(out).values()), "only files and folders"
    assert tree(spare) == before and leftovers(project) == [], "the spare is the site before, and clean"
    same_as_a_fresh_build(project, out, tmp_path)


def test_a_file_where_a_folder_of_the_spare_should_be_is_replaced(
    project: Path, with_spare: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    out, _ = with_spare
    spare = project / SPARE
    shutil.rmtree(spare / "assets")
    (spare / "assets").write_text("a file")
    edit_quiz(project, "doubts that any treatment", "doubts that every treatment")
    build(project)
    assert (out / "assets").is_dir()
    same_as_a_fresh_build(project, out, tmp_path)


def test_a_failing_build_with_a_spare_leaves_the_site_and_keeps_the_spare(
    project: Path, with_spare: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    out, before = with_spare
    stat_before = {name: (out / name).stat().st_mtime_ns for name in before}
    fail_after_three_pages(project)
    assert tree(out) == before
    assert {name: (out / name).stat().st_mtime_ns for name in before} == stat_before
    assert (project / SPARE).is_dir() and leftovers(project) == [], "the half-built site is the spare"
    build(project)
    assert all(NEW_TITLE in p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    same_as_a_fresh_build(project, out, tmp_path)


def test_a_site_deleted_by_hand_does_not_come_back_from_the_spare(
    project: Path, with_spare: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    out, _ = with_spare
    shutil.rmtree(out)
    spare = project / SPARE
    spare.mkdir(exist_ok=True)
    (spare / "stale.html").write_text("stale")
    (spare / "index.html").unlink(missing_ok=True)
    (spare / "index.html").write_text("stale home")
    build(project)
    assert not (out / "stale.html").exists() and "stale home" not in (out / "index.html").read_text()
    assert not os.path.lexists(spare) and leftovers(project) == []
    same_as_a_fresh_build(project, out, tmp_path)


@pytest.mark.parametrize("name", ["spare", "building", "previous"])
def test_a_link_at_a_name_beside_the_site_is_removed_never_followed(name: str, tmp_path: Path) -> None:
    """A repository may ship ``._site.spare`` as a link to elsewhere: the build removes the link alone."""
    out, outside = tmp_path / "_site", outside_folder(tmp_path)
    files = small_site(out)
    (tmp_path / f"._site.{name}").symlink_to(outside)
    with staging_module.staged_output(out) as staging:
        assert not staging.is_symlink()
        (staging / "new.html").write_text("new")
    assert listing(outside) == {"secret.txt": hashlib.sha256(b"not ours").hexdigest()}
    assert tree(out) == {**tree(tmp_path / SPARE), "new.html": hashlib.sha256(b"new").hexdigest()}
    assert set(tree(tmp_path / SPARE)) == set(files) and not (tmp_path / SPARE).is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == [SPARE, "_site", "outside"]


def test_on_windows_no_inode_number_is_asked_and_every_file_is_linked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """There :meth:`os.DirEntry.inode` costs a call of its own: the numbers are not compared."""
    out, staging, files = stale_staging(tmp_path, "index.html")

    def unasked(entry: os.DirEntry[str]) -> int:
        raise AssertionError(f"the inode number of {entry.path} was asked")

    windows = _MadeUpNumbers(unasked)
    windows.name = "nt"
    monkeypatch.setattr(staging_module, "os", windows)
    links = count_links(monkeypatch, staging)
    staging_module._mirror(out, staging)
    assert_mirrors(staging, out, files)
    assert sorted(links) == sorted(files)


class _Elsewhere:
    """The :mod:`os` module, but the staging folder is on another device, or its parent cannot be listed."""

    def __init__(self, staging: Path, how: str) -> None:
        self._staging, self._how = os.fspath(staging), how
        self.name = os.name

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def stat(self, path: Any, *args: Any, **kwargs: Any) -> Any:
        found = os.stat(path, *args, **kwargs)
        if self._how == "another device" and os.fspath(path) == self._staging:
            return os.stat_result((*found[:2], found.st_dev + 1, *found[3:]))
        return found

    def scandir(self, path: Any) -> Any:
        if self._how == "parent unlisted" and os.fspath(path) == os.path.dirname(self._staging):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return os.scandir(path)


@pytest.mark.parametrize("how", ["another device", "parent unlisted", "overlay without xino"])
def test_numbers_of_another_device_an_unlisted_parent_or_a_layered_overlay_are_not_trusted(
    how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file is linked again (a parent that cannot be listed no longer stops every build)."""
    out, staging, files = stale_staging(tmp_path, "index.html")
    if how == "overlay without xino":
        monkeypatch.setattr(staging_module, "_layered", lambda path: True)
    else:
        monkeypatch.setattr(staging_module, "os", _Elsewhere(staging, how))
    links = count_links(monkeypatch, staging)
    staging_module._mirror(out, staging)
    assert_mirrors(staging, out, files)
    assert sorted(links) == sorted(files)


@pytest.mark.parametrize(
    ("table", "layered"),
    [
        ("27 1 254:0 / / rw - ext4 /dev/vda rw\n", False),
        ("27 1 0:5 / / rw - overlay overlay rw,lowerdir=/a:/b,upperdir=/u,workdir=/w\n", True),
        ("27 1 0:5 / / rw - overlay overlay rw,lowerdir=/a,upperdir=/u,workdir=/w,xino=on\n", False),
        ("27 1 0:5 / / rw - overlay o rw,lowerdir=/a\n30 27 254:0 / {at} rw - ext4 vda rw\n", False),
        ("27 1 254:0 / / rw - ext4 vda rw\n30 27 0:5 / {at} rw - overlay o rw,lowerdir=/a\n", True),
    ],
    ids=["ext4", "overlay", "overlay with xino", "ext4 mounted on an overlay", "overlay mounted on ext4"],
)
def test_the_mount_holding_the_site_says_whether_it_is_a_layered_overlay(
    table: str, layered: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = os.path.realpath(tmp_path)
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(table.format(at=at))
    real_open = open
    monkeypatch.setattr(
        staging_module, "open", lambda path, *a, **k: real_open(mountinfo, *a, **k), raising=False
    )
    assert staging_module._layered(tmp_path / "_site") is layered
