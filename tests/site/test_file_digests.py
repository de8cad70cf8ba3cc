"""The build stamp hashes only the inputs whose size or time changed (``FileDigests``)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from curriculum.errors import ContentError
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


def test_the_files_changed_are_found_among_those_read_again_alone(tmp_path: Path) -> None:
    """A file touched but unchanged is read again and is no change; one not read again is none either."""
    paths = _files(tmp_path, 4)
    record = tmp_path / "cache" / "digests.json"
    FileDigests(tmp_path, record).digest(paths)
    paths[1].write_text("text 9\n")  # edited
    paths[2].touch()  # touched
    paths[3].unlink()  # gone
    again = FileDigests(tmp_path, record)
    again.digest(paths)
    assert again.hashed == ["file-1.txt", "file-2.txt"] and again.read == 2
    assert again.changed() == {"file-1.txt"}


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


def test_files_are_named_relative_to_the_root_or_by_their_own_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below the root as given (absolute, or the working folder), a file is named relative to it."""
    root = tmp_path / "project"
    inside = root / "quizzes" / "a.yml"
    inside.parent.mkdir(parents=True)
    outside = tmp_path / "elsewhere.yml"
    for path in (inside, outside):
        path.write_text("text\n")
    digests = FileDigests(root, root / "cache" / "digests.json")
    text = hashlib.sha256(b"text\n").hexdigest()
    named = f"{outside.as_posix()}\0unreadable\0quizzes/a.yml\0{text}\0"  # one outside is not read
    assert digests.digest([inside, outside]) == hashlib.sha256(named.encode()).hexdigest()
    assert digests.files == {"quizzes/a.yml": text}
    assert set(digests.stats) == {str(inside), str(outside)}
    monkeypatch.chdir(root)
    digests = FileDigests(Path("."), Path("cache") / "here.json")
    digests.digest([Path("quizzes/a.yml")])
    assert set(digests.files) == {"quizzes/a.yml"}


@pytest.mark.parametrize(
    "planted",
    [
        "{not json",
        "[" * 10_000 + "]" * 10_000,
        json.dumps({"made": {"machine": "another computer", "at": 1 << 62}, "files": {}, "generation": "g"}),
        json.dumps({"made": {"machine": None, "at": "later"}, "files": [], "generation": "g"}),
    ],
    ids=["damaged", "deep", "another-computer", "wrong-shape"],
)
def test_a_record_from_elsewhere_or_damaged_is_not_trusted(tmp_path: Path, planted: str) -> None:
    """A record that came with a repository cannot make an edited file look unchanged."""
    paths = _files(tmp_path)
    record = tmp_path / "cache" / "digests.json"
    honest = FileDigests(tmp_path, tmp_path / "honest.json").digest(paths)
    record.parent.mkdir()
    if "another computer" in planted:  # the right times and sizes, under another computer's key
        entries = {p.name: [p.stat().st_mtime_ns, p.stat().st_size, "0" * 64] for p in paths}
        planted = json.dumps({**json.loads(planted), "files": entries})
    record.write_text(planted)
    digests = FileDigests(tmp_path, record)
    assert digests.digest(paths) == honest and digests.read == 3


def test_a_file_made_a_link_is_read_through_it_every_time(tmp_path: Path) -> None:
    """A link keeps nothing of its file's time: it leads to a file read (and confined) each time."""
    root, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    root.mkdir(), elsewhere.mkdir()
    paths = _files(root)
    record = root / "cache" / "digests.json"
    digest = FileDigests(root, record).digest(paths)
    outside = elsewhere / paths[1].name
    shutil.copy2(paths[1], outside)  # the same text, time and size as the file recorded
    paths[1].unlink()
    paths[1].symlink_to(outside)
    linked = FileDigests(root, record)
    assert linked.digest(paths) != digest and linked.read == 1, "a link out of the project is refused"
    inside = root / "kept" / paths[1].name
    inside.parent.mkdir()
    shutil.copy2(outside, inside)
    paths[1].unlink()
    paths[1].symlink_to(inside)
    for _ in range(2):
        again = FileDigests(root, record)
        assert again.digest(paths) == digest and again.read == 1, "a link inside is read through"


def test_the_status_of_each_file_no_link_is_kept_for_the_content_load(tmp_path: Path) -> None:
    """What the content load takes instead of looking again; not a link's (it is looked at, and confined)."""
    paths = _files(tmp_path)
    paths[1].unlink()
    paths[1].symlink_to(paths[0].name)
    digests = FileDigests(tmp_path, tmp_path / "cache" / "digests.json")
    digests.digest(paths)
    assert set(digests.statuses) == {str(paths[0]), str(paths[2])}
    assert digests.statuses[str(paths[2])].st_mtime_ns == os.lstat(paths[2]).st_mtime_ns


def test_a_build_loads_its_content_with_the_status_its_stamp_took(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stamp looked at every input moments before: the check stage does not look at them again."""
    import curriculum.site._check as check_module
    from curriculum.content import load_curriculum, project_file_names

    given: list[set[str]] = []

    def load(root: Path, *, seen: Any = None) -> Any:
        given.append(set(seen or ()))
        return load_curriculum(root, seen=seen)

    monkeypatch.setattr(check_module, "load_curriculum", load)
    build_site(project, engine="pandoc", console=Console(quiet=True))
    content = {name for name in project_file_names(project) if not name.endswith(".bib")}
    assert given and content <= given[0]


def test_a_content_file_made_a_link_out_of_the_project_is_refused_by_the_next_build(
    project: Path, tmp_path: Path
) -> None:
    """Replaced by a link to a copy with the same time and size, it is no input unchanged (CUR106)."""
    build_site(project, engine="pandoc", console=Console(quiet=True))
    quiz = project / "quizzes" / "intro.yml"
    outside = tmp_path / "intro.yml"
    shutil.copy2(quiz, outside)
    quiz.unlink()
    quiz.symlink_to(outside)
    with pytest.raises(ContentError) as raised:
        build_site(project, engine="pandoc", console=Console(quiet=True))
    assert any(d.code == "CUR106" for d in raised.value.diagnostics), raised.value.diagnostics


def test_a_touched_but_unchanged_input_is_still_nothing_to_build(project: Path) -> None:
    build_site(project, engine="pandoc", console=Console(quiet=True))
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_bytes(quiz.read_bytes())  # a new time, the same text
    console = Console(record=True, width=200)
    build_site(project, engine="pandoc", console=console)
    assert "nothing changed since the last build" in console.export_text()


@pytest.mark.parametrize("out", ["/site/out", "/site/out/", "out", ""])
def test_one_path_a_folder_names_every_folder_the_paths_are_in(out: str) -> None:
    """The stamp names each folder once (from one of its paths), as it would from every path."""
    from curriculum.site._quick import one_a_folder

    names = ["a.html", "lessons/a.html", "lessons/b.html", "/abs/c.html", "/d.html", "x//y.html", "x/z.html"]
    names += [f"lessons/{n}.html" for n in range(50)]
    assert len(list(one_a_folder(names))) < len(names)
    for given in (names, [os.path.join(out, n) for n in names]):
        assert {os.path.dirname(p) for p in one_a_folder(given)} == {os.path.dirname(p) for p in given}
    joined = {os.path.dirname(os.path.join(out, n)) for n in names}
    assert {os.path.dirname(os.path.join(out, n)) for n in one_a_folder(names)} == joined


def test_an_edit_of_one_file_writes_its_entry_not_the_whole_record(tmp_path: Path) -> None:
    """The record is its base and the changes since: one file edited among many adds one entry."""
    paths = _files(tmp_path, 40)
    record = tmp_path / "cache" / "digests.json"
    FileDigests(tmp_path, record).digest(paths)
    base = record.read_bytes()
    paths[7].write_text("text 77\n")
    _age(paths[7], 30)
    edited = FileDigests(tmp_path, record)
    digest = edited.digest(paths)
    changes = record.with_name("digests.changes.json")
    assert record.read_bytes() == base and changes.stat().st_size * 10 < len(base)
    assert set(json.loads(changes.read_bytes())["set"]["files"]) == {paths[7].name}
    again = FileDigests(tmp_path, record)
    assert again.digest(paths) == digest and again.read == 0, "the base and its changes are the record"


def test_a_file_changed_after_the_digest_looked_is_not_as_found(tmp_path: Path) -> None:
    """Edited, removed, made a link with the same time and size, or given a new mode: each is seen."""
    paths = _files(tmp_path, 4)
    paths[3].unlink()
    paths[3].symlink_to(paths[0].name)  # a link, looked at as stat_of does
    texts = [str(p) for p in paths]
    digests = FileDigests(tmp_path, tmp_path / "cache" / "digests.json")
    digests.digest(paths)
    assert digests.as_found() and digests.as_found(texts[1:]) and digests.as_found([])
    assert not digests.as_found([str(tmp_path / "never-given.txt")])
    looks = os.lstat(paths[1])
    paths[1].write_text("text 9\n")  # the same size, a new time
    assert not digests.as_found() and not digests.as_found(texts[1:2]) and digests.as_found(texts[2:])
    os.utime(paths[1], ns=(looks.st_atime_ns, looks.st_mtime_ns))
    assert digests.as_found(), "its time and size put back: as found (as the recorded hash was taken)"
    mode = os.lstat(paths[2]).st_mode & 0o777
    paths[2].chmod(0o600 if mode != 0o600 else 0o644)
    assert not digests.as_found() and not digests.as_found(texts[2:3])
    paths[2].chmod(mode)
    assert digests.as_found()
    outside = tmp_path / "copy.txt"
    shutil.copy2(paths[1], outside)
    paths[1].unlink()
    paths[1].symlink_to(outside)  # what it leads to has the time and size the digest saw
    assert not digests.as_found() and not digests.as_found(texts[1:2])
    paths[1].unlink()
    assert not digests.as_found() and not digests.as_found(texts[1:2])
    paths[3].unlink()
    assert not digests.as_found(texts[3:]), "a link removed"


def test_the_folders_of_the_inputs_and_their_parents_are_named_as_normalised_ones_would_be(
    tmp_path: Path,
) -> None:
    """A folder's text in normal form below the project is its own absolute path; any other is made one."""
    from curriculum.site._stamp import _with_parents

    root = os.path.abspath(tmp_path)

    def normalised(folders: list[str]) -> set[str]:  # each folder looked at as an absolute path: as it was
        found: set[str] = set()
        for folder in folders:
            while folder not in found and os.path.abspath(folder) != root:
                found.add(folder)
                if not os.path.abspath(folder).startswith(root + os.sep):
                    break
                folder = os.path.dirname(folder) or "."
        return found

    folders = [f"{root}/{name}" for name in ["a/b/c", "a/d", "x//y", "x/./z", "e/../f", ".hidden/h", "a/b/"]]
    folders.append("/elsewhere/g")
    assert _with_parents(folders, root) == normalised(folders)
    assert f"{root}/a" in _with_parents(folders, root) and root not in _with_parents(folders, root)


def test_the_stats_of_paths_gone_or_links_are_as_stat_of_gives_them(tmp_path: Path) -> None:
    """All looked at by one pass; a path gone or a link (to a file, or to nothing) as :func:`stat_of` says."""
    from curriculum.site._quick import stat_of, stats

    plain = _files(tmp_path, 2)
    (tmp_path / "folder").mkdir()
    (tmp_path / "to-file").symlink_to(plain[0].name)
    (tmp_path / "to-nothing").symlink_to("nowhere")
    texts = [str(p) for p in plain] + [str(tmp_path / "folder")]
    assert stats(iter(texts)) == [[t, os.lstat(t).st_mtime_ns, os.lstat(t).st_size] for t in texts]
    odd = [*texts, str(tmp_path / "to-file"), str(tmp_path / "gone"), str(tmp_path / "to-nothing")]
    for given in (odd, texts + odd[-3:-2], texts + odd[-1:]):
        assert stats(given) == [stat_of(t) for t in given]
    assert stats(odd)[3][3:] == ["link", os.lstat(odd[3]).st_ino] and stats(odd)[4] == [odd[4], None, None]


def test_the_quick_record_lists_its_files_latest_first_then_those_gone_then_the_last_once() -> None:
    """Ties in time by name; a path given among the last is listed there, once, though it was seen too."""
    from curriculum.site._quick import watched

    seen = {name: [name, time, 0] for name, time in [("a", 1), ("b", 3), ("e", 3), ("d", 9), ("f", 2)]}
    seen |= {"c": ["c", None, None], "g": ["g", None, None], ".": [".", 2, 0]}
    assert [entry[0] for entry in watched([], ["d"], seen)] == ["b", "e", ".", "f", "a", "c", "g", "d"]
    assert [entry[0] for entry in watched([], [], seen)] == ["d", "b", "e", ".", "f", "a", "c", "g"]
    assert watched([], ["d"], seen)[-1] is seen["d"], "as it was seen, not looked at again"


def test_the_quick_stamp_watches_the_folders_of_the_files_the_build_says_it_wrote(project: Path) -> None:
    """Given what the build wrote, the output's manifest is not read again; without it, the manifest is."""
    from curriculum.project import Project
    from curriculum.site._quick import QUICK, written
    from curriculum.site._stamp import BuildStamp

    build_site(project, engine="pandoc", console=Console(quiet=True))
    root = Project(project)
    out = project / root.config("resident").output_dir
    record = root.cache / "resident" / "build.json"

    def folders(**wrote: Any) -> list[str]:
        stamp = BuildStamp(root, "resident", out, record)
        stamp.commit(0, engine="pandoc", pages=1, **wrote)
        quick = json.loads((record.parent / QUICK).read_bytes().partition(b"\n")[0])
        watched = {entry[0] for entry in quick["files"]}
        assert set(quick["folders"]) <= watched, "each folder is watched"
        return list(quick["folders"])

    manifest = written(out) or []
    expected = sorted({str(out), *(os.path.dirname(os.path.join(out, name)) for name in manifest)})
    assert len(expected) > 2 and folders() == expected == folders(wrote=manifest)
    assert folders(wrote=["x/y/a.html", "b.html"]) == [str(out), str(out / "x" / "y")]


def test_the_quick_stamp_takes_the_inputs_as_columns_and_sees_each_change(tmp_path: Path) -> None:
    """Times, sizes and paths as bytes: a file edited, removed or made a link among many is seen."""
    from curriculum.site._quick import as_listed, column

    paths = _files(tmp_path, 20)
    paths[19].unlink()
    paths[19].symlink_to(paths[0].name)  # a link is listed apart, as stat_of gives it
    digests = FileDigests(tmp_path, tmp_path / "cache" / "digests.json")
    digests.digest([*paths, tmp_path / "gone.txt"])
    texts, columns, listed = digests.listed(recent=2)
    assert texts == sorted(str(p) for p in paths[:19]) and columns is not None
    count, data = len(texts), columns[0] + columns[1] + "\0".join(texts).encode()
    assert as_listed(count, data)
    read = sorted(texts, key=lambda text: os.lstat(text).st_mtime_ns)[-2:]
    assert set(listed) == {str(paths[19]), str(tmp_path / "gone.txt"), *read}, "links, the gone, the recent"
    assert listed[str(paths[19])] == digests.stats[str(paths[19])]
    assert not as_listed(count + 1, data) and not as_listed(count, data[:-1]) and not as_listed(0, data)
    looks = os.lstat(paths[7])
    paths[7].write_text("text 9\n")  # the same size, a new time
    assert not as_listed(count, data) and not digests.as_found()
    os.utime(paths[7], ns=(looks.st_atime_ns, looks.st_mtime_ns))
    assert as_listed(count, data) and digests.as_found()
    paths[7].write_text("longer text 9\n")
    os.utime(paths[7], ns=(looks.st_atime_ns, looks.st_mtime_ns))  # the same time, another size
    assert not as_listed(count, data) and not digests.as_found()
    paths[7].unlink()
    paths[7].symlink_to(paths[8].name)
    assert not as_listed(count, data) and not digests.as_found(), "made a link"
    paths[7].unlink()
    assert not as_listed(count, data) and not digests.as_found(), "gone"
    assert column([1 << 63]) is None and as_listed(0, b"")


def test_a_time_no_column_holds_has_every_input_listed_apart(project: Path) -> None:
    """A file dated beyond 2262 (past a 64-bit count of nanoseconds) is listed as stat_of gives it."""
    from curriculum.project import Project
    from curriculum.site._stamp import BuildStamp

    build_site(project, engine="pandoc", console=Console(quiet=True))
    root = Project(project)
    out = project / root.config("resident").output_dir
    stamp = BuildStamp(root, "resident", out, root.cache / "resident" / "build.json")
    quiz = str(project / "quizzes" / "intro.yml")
    far = stamp.digests.statuses[quiz]
    stamp.digests.statuses[quiz] = os.stat_result(tuple(far), {"st_mtime_ns": 1 << 64})
    assert stamp.digests.listed()[1] is None and not stamp.digests.as_found()
    count, columns, listed = stamp._columns()
    assert (count, columns) == (0, b"") and listed[quiz] == [quiz, 1 << 64, far.st_size]
    assert str(project / "quizzes") in listed, "every input and folder"
