"""Nothing outside the project: the folders a build writes, the files it replaces, the bytes it reads.

A repository can ship its output folder, its build cache or a generated
folder as a symbolic link to the builder's own files. Every read and write
goes through one rule (:func:`curriculum.content._files.inside`), and these
tests try each door with a copy of the built test project next to an
``outside`` folder that must stay as it was.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import shutil
import threading
from pathlib import Path

import pytest
from rich.console import Console

from curriculum._plain import MAP_FROM, read_headed
from curriculum.content import write_atomic as write_if_changed
from curriculum.content._files import FileRefused, inside, read_bytes, read_existing
from curriculum.errors import BuildError, ContentError
from curriculum.site import build_site
from tests.conftest import PROJECT


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("built") / "project"
    shutil.copytree(
        PROJECT, root, ignore=shutil.ignore_patterns("_site*", ".curriculum-cache", "quiz", "cases")
    )
    build_site(root, engine="pandoc", console=Console(quiet=True))
    return root


@pytest.fixture
def setup(built: Path, tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "project"
    shutil.copytree(built, root, symlinks=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.qmd").write_text("the builder's own notes\n")
    (outside / "index.html").write_text("the builder's own page\n")
    return root, outside


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build_refused(root: Path) -> str:
    with pytest.raises(ContentError) as refused:
        build_site(root, engine="pandoc", console=Console(quiet=True))
    return refused.value.diagnostics[0].format()


@pytest.mark.parametrize(
    ("folder", "where"),
    [
        ("_site", "_quarto.yml:3:15"),  # the output folder itself: the configuration's output-dir
        ("quiz", "_quarto.yml:20:13"),  # a generated folder: the sidebar page inside it
        (".curriculum-cache", ".curriculum-cache:1:1"),  # the cache, before anything is written
        (".curriculum-cache/resident", ".curriculum-cache/resident:1:1"),  # the profile's part of it
        (".curriculum-cache/resident/executed", ".curriculum-cache/resident/executed:1:1"),  # one in that
    ],
)
def test_a_folder_the_build_writes_that_links_outside_is_refused(
    folder: str, where: str, setup: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, outside = setup
    before = snapshot(outside)
    shutil.rmtree(root / folder)
    os.symlink(outside, root / folder)
    (root / "index.qmd").write_text((root / "index.qmd").read_text() + "\nChanged, so the build renders.\n")
    monkeypatch.chdir(root)
    message = build_refused(root)
    assert message.startswith(f"{where}: error CUR106: "), message
    assert f"leads to {outside}" in message
    assert snapshot(outside) == before


def test_a_file_the_build_replaces_is_never_followed(setup: tuple[Path, Path]) -> None:
    root, outside = setup
    before = snapshot(outside)
    page = root / "_site" / "index.html"
    page.unlink()
    os.symlink(outside / "index.html", page)
    (root / "index.qmd").write_text((root / "index.qmd").read_text() + "\nChanged, so the build renders.\n")
    build_site(root, engine="pandoc", console=Console(quiet=True))
    assert not page.is_symlink() and "Changed, so the build renders." in page.read_text()
    assert snapshot(outside) == before


def test_writes_check_their_own_folder(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", tmp_path / "out" / "sub")
    assert write_if_changed(tmp_path / "out" / "a.html", "x", within=tmp_path / "out")
    assert not write_if_changed(tmp_path / "out" / "a.html", "x", within=tmp_path / "out")
    with pytest.raises(ContentError) as refused:
        write_if_changed(tmp_path / "out" / "sub" / "b.html", "x", within=tmp_path / "out")
    assert refused.value.diagnostics[0].code == "CUR106"
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_inside_resolves_links_and_refuses_what_leads_out(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    os.symlink("/etc", tmp_path / "p" / "etc")
    assert inside(tmp_path / "p", tmp_path / "p" / "a" / ".." / "b") == (tmp_path / "p" / "b")
    for escape in (tmp_path / "p" / ".." / "x", Path("/etc/hostname"), tmp_path / "p" / "etc" / "hostname"):
        with pytest.raises(FileRefused) as refused:
            inside(tmp_path / "p", escape)
        assert refused.value.rule.code == "CUR106"


def test_reads_stop_at_the_limit_whatever_the_file_claims(tmp_path: Path) -> None:
    big = tmp_path / "big.yml"
    big.write_bytes(b"x" * 5000)
    assert len(read_bytes(big, 100)) == 101
    assert read_existing(big, 10) == b"x" * 11


def test_a_small_file_read_under_a_large_limit_asks_for_its_size_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records are read under a 64 MB limit: a read must not ask for (and allocate) 64 MB each time."""
    small = tmp_path / "record.json"
    small.write_bytes(b"{}")
    asked: list[int] = []
    real = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: asked.append(n) or real(fd, n))
    assert read_existing(small, 64 << 20) == b"{}" and asked == [3]


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_special_files_are_refused_by_type_before_a_byte_is_read(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "adv.yml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        os.symlink("/dev/zero", path)
    else:
        path.mkdir()
    outcome: list[object] = []
    reader = threading.Thread(target=lambda: outcome.append(_refusal(path)), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert outcome, "reading a special file blocked"
    assert outcome[0] == "CUR107"
    assert read_existing(path, 10) is None
    assert read_headed(path, 10, mapped=True) is None  # a memo file is mapped, never through a link or a pipe


def test_a_mapped_cache_file_is_read_as_a_read_one(tmp_path: Path) -> None:
    path = tmp_path / "memo.0.jsonl"
    path.write_bytes(b'{"memo": "m"}\nabc\tdef\n')
    mapped, read = read_headed(path, 100, mapped=True), read_headed(path, 100)
    assert mapped is not None and read is not None
    assert (mapped[0], mapped[1][:], mapped[2]) == (read[0], read[1], read[2]) == ({"memo": "m"}, read[1], 14)
    assert isinstance(mapped[1], bytes)  # smaller than MAP_FROM: read, not mapped
    path.write_bytes(b'{"memo": "m"}\n' + b"abc\tdef\n" * (MAP_FROM // 8))
    mapped, read = read_headed(path, 2 * MAP_FROM, mapped=True), read_headed(path, 2 * MAP_FROM)
    assert mapped is not None and read is not None and isinstance(mapped[1], mmap.mmap)
    assert (mapped[0], mapped[1][:], mapped[2]) == (read[0], read[1], read[2])
    mapped[1].close()
    path.write_bytes(b"")
    assert read_headed(path, 100, mapped=True) is None  # empty: nothing to map, no header
    path.write_bytes(b'{"memo": "m"}\n' + b"x" * 200)
    assert read_headed(path, 100, mapped=True) is None  # too big: not mapped at all
    (tmp_path / "link.jsonl").symlink_to(path)
    assert read_headed(tmp_path / "link.jsonl", 1000, mapped=True) is None


def _refusal(path: Path) -> str:
    try:
        read_bytes(path, 1 << 20)
    except FileRefused as refused:
        return refused.rule.code
    return "read"


def test_a_symlink_loop_is_a_clean_refusal(tmp_path: Path) -> None:
    os.symlink("b.yml", tmp_path / "a.yml")
    os.symlink("a.yml", tmp_path / "b.yml")
    with pytest.raises(FileRefused) as refused:
        read_bytes(tmp_path / "a.yml", 100)
    assert refused.value.rule.code == "CUR108"
    with pytest.raises(FileRefused) as refused:
        read_bytes(tmp_path / "a.yml", 100, root=tmp_path)
    assert refused.value.rule.code == "CUR108"


def test_a_file_where_the_output_folder_should_be_is_a_clean_error(setup: tuple[Path, Path]) -> None:
    root, _ = setup
    shutil.rmtree(root / "_site")
    (root / "_site").write_text("not a folder")
    (root / "index.qmd").write_text((root / "index.qmd").read_text() + "\nChanged, so the build renders.\n")
    with pytest.raises(BuildError, match=r"output folder .*_site is a file"):
        build_site(root, engine="pandoc", console=Console(quiet=True))


@pytest.mark.parametrize("link", ["lessons", "index.html"])
def test_links_inside_the_old_site_are_neither_followed_nor_kept(
    link: str, setup: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new site is staged from the old one without following its links (nothing outside is read)."""
    root, outside = setup
    (outside / "secret.html").write_text("SECRET FROM OUTSIDE")
    before = snapshot(outside)
    target = root / "_site" / link
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    os.symlink(outside if link == "lessons" else outside / "secret.html", target)
    (root / "index.qmd").write_text((root / "index.qmd").read_text() + "\nChanged, so the build renders.\n")
    monkeypatch.chdir(root)
    build_site(root, engine="pandoc", console=Console(quiet=True))
    site = root / "_site"
    assert not any(p.is_symlink() for p in site.rglob("*"))
    assert (site / "lessons" / "intro.html").is_file() and (site / "index.html").is_file()
    assert "SECRET FROM OUTSIDE" not in "".join(p.read_text(errors="replace") for p in site.rglob("*.html"))
    assert snapshot(outside) == before


_READ_BACK = """
import resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # reading /dev/zero fails fast, not the machine
from curriculum.site._quick import cached_check, last_build
from curriculum.site._reader import _read
root = Path(sys.argv[1])
notebook = root / "_notebooks" / "intro.ipynb"
print(last_build(root, "resident", "pandoc", None), cached_check(root), _read(notebook))
"""


def test_records_a_repository_ships_as_links_to_devices_are_not_read(setup: tuple[Path, Path]) -> None:
    """A build's records and reader notebooks are read only as plain files: a link to /dev/zero is none."""
    import subprocess
    import sys

    root, _ = setup
    planted = [
        root / ".curriculum-cache" / "resident" / "quick.stamp",
        root / ".curriculum-cache" / "check.json",
        root / "_notebooks" / "intro.ipynb",
    ]
    for path in planted:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        path.symlink_to("/dev/zero")
    ran = subprocess.run(
        [sys.executable, "-c", _READ_BACK, str(root)], capture_output=True, text=True, timeout=60, check=False
    )
    assert (ran.returncode, ran.stdout.strip()) == (0, "None None {}"), ran.stderr[-500:]
    result = build_site(
        root, engine="pandoc", console=Console(quiet=True)
    )  # a full build, which replaces them
    assert result.stats is not None and result.stats.pages > 0
    assert not planted[0].is_symlink() and os.path.realpath("/dev/zero") == "/dev/zero"


@pytest.mark.parametrize("folder", ["vignettes", "faculty/notes", "faculty"])
def test_a_content_folder_swapped_for_a_link_out_of_the_project_is_refused(
    folder: str, setup: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder moved out keeps its inode and times: the next build refuses it as a build from scratch does.

    The folder it was in keeps its time too (a swap within the tick that time
    was taken): the quick stamp and the full one each see the folder's kind.
    """
    from curriculum.site._quick import last_build

    root, outside = setup
    monkeypatch.chdir(root)
    build_site(root, engine="pandoc", console=Console(quiet=True))  # the stamps of this copy
    assert last_build(root, "resident", "pandoc", None) is not None
    parent = (root / folder).parent
    times = (os.stat(parent).st_atime_ns, os.stat(parent).st_mtime_ns)
    moved = outside / "moved"
    os.rename(root / folder, moved)
    os.symlink(moved, root / folder)
    os.utime(parent, ns=times)
    assert last_build(root, "resident", "pandoc", None) is None
    with pytest.raises(ContentError) as refused:
        build_site(root, engine="pandoc", console=Console(quiet=True))
    refusals = [d.format() for d in refused.value.diagnostics if d.code == "CUR106"]
    assert refusals and all(f"leads to {moved}" in m for m in refusals), refused.value.diagnostics
