"""The build stamp hashes only the inputs whose size or time changed (``FileDigests``)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from rich.console import Console

from curriculum.site import build_site
from curriculum.site._stamp import RACY_NS, FileDigests


def _files(root: Path, n: int = 3) -> list[Path]:
    paths = []
    for i in range(n):
        path = root / f"file-{i}.txt"
        path.write_text(f"text {i}\n")
        _age(path)
        paths.append(path)
    return paths


def _age(path: Path, seconds: float = 60) -> None:
    """Set the file's time well before now, as a file edited a while ago has."""
    then = time.time_ns() - int(seconds * 1e9)
    os.utime(path, ns=(then, then))


def test_an_old_unchanged_file_is_not_read_again(tmp_path: Path) -> None:
    paths = _files(tmp_path)
    record = tmp_path / "cache" / "digests.json"
    first = FileDigests(tmp_path, record)
    digest = first.digest(paths)
    assert first.read == 3
    again = FileDigests(tmp_path, record)
    assert again.digest(paths) == digest and again.read == 0


def test_an_edited_file_is_read_and_changes_the_digest(tmp_path: Path) -> None:
    paths = _files(tmp_path)
    record = tmp_path / "cache" / "digests.json"
    digest = FileDigests(tmp_path, record).digest(paths)
    paths[1].write_text("text 9\n")  # same size, new time
    edited = FileDigests(tmp_path, record)
    assert edited.digest(paths) != digest and edited.read == 1


def test_an_edit_that_keeps_size_and_time_is_seen_while_the_file_is_racy(tmp_path: Path) -> None:
    """A file changed just before it was recorded is read every time until it is old enough."""
    paths = _files(tmp_path)
    record = tmp_path / "cache" / "digests.json"
    recent = time.time_ns() - RACY_NS // 4
    os.utime(paths[0], ns=(recent, recent))
    digest = FileDigests(tmp_path, record).digest(paths)
    paths[0].write_text("text 8\n")  # the same size; the time put back as if in the same clock tick
    os.utime(paths[0], ns=(recent, recent))
    again = FileDigests(tmp_path, record)
    assert again.digest(paths) != digest and again.read == 1


def test_a_file_added_removed_or_unreadable_changes_the_digest(tmp_path: Path) -> None:
    paths = _files(tmp_path)
    record = tmp_path / "cache" / "digests.json"
    digest = FileDigests(tmp_path, record).digest(paths)
    assert FileDigests(tmp_path, record).digest(paths[:2]) != digest
    extra = tmp_path / "extra.txt"
    extra.write_text("new\n")
    assert FileDigests(tmp_path, record).digest([*paths, extra]) != digest
    paths[2].unlink()
    paths[2].mkdir()  # cannot be read as a file
    assert FileDigests(tmp_path, record).digest(paths) not in {digest, ""}


@pytest.mark.parametrize(
    "planted",
    [
        "{not json",
        "[" * 10_000 + "]" * 10_000,
        json.dumps({"machine": "another computer", "at": 1 << 62, "files": {}}),
        json.dumps({"machine": None, "at": "later", "files": []}),
    ],
    ids=["damaged", "deep", "another-computer", "wrong-shape"],
)
def test_a_record_from_elsewhere_or_damaged_is_not_trusted(tmp_path: Path, planted: str) -> None:
    """A record that came with a repository cannot make an edited file look unchanged."""
    paths = _files(tmp_path)
    record = tmp_path / "cache" / "digests.json"
    honest = FileDigests(tmp_path, tmp_path / "honest.json").digest(paths)
    record.parent.mkdir()
    if planted.startswith('{"machine": "another'):  # the right hashes, under another computer's key
        entries = {p.name: [p.stat().st_mtime_ns, p.stat().st_size, "0" * 64] for p in paths}
        planted = json.dumps({**json.loads(planted), "files": entries})
    record.write_text(planted)
    digests = FileDigests(tmp_path, record)
    assert digests.digest(paths) == honest and digests.read == 3


def test_a_touched_but_unchanged_input_is_still_nothing_to_build(project: Path) -> None:
    build_site(project, engine="pandoc", console=Console(quiet=True))
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_bytes(quiz.read_bytes())  # a new time, the same text
    console = Console(record=True, width=200)
    build_site(project, engine="pandoc", console=console)
    assert "nothing changed since the last build" in console.export_text()
