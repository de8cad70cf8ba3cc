"""A build replaces the site whole or not at all: killed, failing or interrupted mid-swap."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from curriculum.errors import BuildError
from curriculum.site import _staging as staging_module
from curriculum.site import build_site

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


def test_a_failing_build_leaves_the_site_byte_identical(
    project: Path, built: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, before = built
    stat_before = {name: (out / name).stat().st_mtime_ns for name in before}
    retitle(project)  # every page changes
    from curriculum.site import _stages

    real = _stages.write_atomic
    calls = {"pages": 0}

    def failing(path: Path, text: str, *, within: Path) -> bool:
        if path.suffix == ".html":
            calls["pages"] += 1
            if calls["pages"] > 3:
                raise OSError(28, "No space left on device")
        return real(path, text, within=within)

    monkeypatch.setattr(_stages, "write_atomic", failing)
    with pytest.raises(OSError, match="No space left"):
        build(project)
    assert calls["pages"] > 3, "some new pages were written before the failure"
    assert tree(out) == before
    assert {name: (out / name).stat().st_mtime_ns for name in before} == stat_before
    assert leftovers(project) == []


KILLED_BUILD = """
import sys
from pathlib import Path
from rich.console import Console
from curriculum.site import build_site
build_site(Path(sys.argv[1]), engine="pandoc", console=Console(quiet=True))
"""


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
