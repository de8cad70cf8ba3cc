"""The one writer every layer uses: atomic, only on change, contained, private when asked, never half done."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from curriculum.content import write_atomic
from curriculum.errors import ContentError, WriteError


def test_it_writes_only_when_the_text_changes(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b.txt"
    assert write_atomic(target, "one") and target.read_text() == "one"
    before = target.stat().st_mtime_ns
    assert not write_atomic(target, "one") and target.stat().st_mtime_ns == before
    assert write_atomic(target, b"two") and target.read_bytes() == b"two"
    assert write_atomic(target, "two", only_if_changed=False)
    assert [p.name for p in target.parent.iterdir()] == ["b.txt"]  # no temporary file left


def test_the_new_file_has_the_mode_asked_for(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    write_atomic(tmp_path / "public.html", "x")
    write_atomic(tmp_path / "private.json", "x", mode=0o600, durable=True)
    assert stat.S_IMODE((tmp_path / "public.html").stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE((tmp_path / "private.json").stat().st_mode) == 0o600


def test_a_link_is_replaced_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "page.html").symlink_to(outside)
    assert write_atomic(tmp_path / "out" / "page.html", "new", within=tmp_path / "out")
    assert outside.read_text() == "keep" and not (tmp_path / "out" / "page.html").is_symlink()


def test_a_folder_outside_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "sub").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ContentError) as refused:
        write_atomic(tmp_path / "out" / "sub" / "page.html", "x", within=tmp_path / "out")
    assert refused.value.diagnostics[0].code == "CUR106"
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_a_failed_write_says_which_and_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "page.html").mkdir()  # a folder where the file should be
    with pytest.raises(WriteError, match=r"cannot write .*page\.html: ") as failed:
        write_atomic(tmp_path / "page.html", "x")
    assert failed.value.reason and sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]
    (tmp_path / "file").write_text("")
    with pytest.raises(WriteError, match=r"cannot write"):
        write_atomic(tmp_path / "file" / "below.html", "x")  # a file where a folder should be
