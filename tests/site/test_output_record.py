"""The output record's notes and keys: what keeps a file, and what never does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from curriculum.site._output_record import KeyText, OutputRecord, size_and_time


def _noted(tmp_path: Path, data: list[str]) -> tuple[Path, Path]:
    """Write a page and a record noting ``data`` as made from the inputs ``["in"]``; return both."""
    out, record = tmp_path / "out", tmp_path / "record.json"
    out.mkdir(parents=True)
    (out / "page.html").write_text("page")
    first = OutputRecord(record, out, ["site"])
    first.wrote("page.html", key=["page"])
    first.note("page.html", ["in"], data)
    first.save()
    return record, out


def test_a_note_stands_while_its_inputs_do(tmp_path: Path) -> None:
    """A note made from the inputs the caller has gives its data and keeps its entries; another none."""
    record, out = _noted(tmp_path, ["a", "b"])
    kept: list[str] = []
    again = OutputRecord(record, out, ["site"], kept.extend)
    assert again.standing("page.html", ["in"], ["page.html"]) == ["a", "b"] and kept == ["page.html"]
    assert OutputRecord(record, out, ["site"]).standing("page.html", ["other"], ["page.html"]) is None
    assert OutputRecord(record, out, ["another site"]).standing("page.html", ["in"], ["page.html"]) is None


def test_a_note_whose_strings_are_joined_otherwise_is_no_note(tmp_path: Path) -> None:
    """Data changed in place to the same characters, split elsewhere or holding the separator, keeps nothing.

    (A note is named by its strings joined: a string holding the NUL that
    joins them would otherwise name the note its parts name.)
    """
    record, out = _noted(tmp_path, ["a", "b"])
    for damaged in (["a\0b"], ["a", "b", ""], ["in", "a", "b"], [1, "b"]):
        data = json.loads(record.read_text())
        data["notes"]["page.html"][1] = damaged
        record.write_text(json.dumps(data))
        assert OutputRecord(record, out, ["site"]).standing("page.html", ["in"], ["page.html"]) is None, (
            damaged
        )
    _noted(tmp_path / "nul", ["a\0b"])  # noted with a NUL: never stands
    nul = tmp_path / "nul"
    assert OutputRecord(nul / "record.json", nul / "out", ["site"]).standing("page.html", ["in"], []) is None


def test_a_key_given_as_text_is_not_the_same_string_given_as_data(tmp_path: Path) -> None:
    """A :class:`KeyText` is hashed as it is: the JSON text of a key names it, the string itself another."""
    out, path = tmp_path / "out", tmp_path / "record.json"
    out.mkdir()
    (out / "a.js").write_text("a")
    record = OutputRecord(path, out, [])
    record.wrote("a.js", key=["x", []])
    record.save()
    assert OutputRecord(path, out, []).kept("a.js", KeyText('["x", []]'))
    assert not OutputRecord(path, out, []).kept("a.js", '["x", []]')


def test_an_entry_naming_a_file_outside_the_folder_or_damaged_keeps_nothing(tmp_path: Path) -> None:
    """A record's file name is the folder's: a whole path, even of a file as recorded, is not looked at there.

    Nor is an entry kept whose list of files holds something that is not a file's.
    """
    record, out = _noted(tmp_path, ["a"])
    outside = tmp_path / "outside.html"
    outside.write_text("elsewhere")
    info = outside.stat()
    for damaged in (
        [str(outside), info.st_size, info.st_mtime_ns],  # as it is, but not in the folder
        ["page\u0000.html", 4, 0],  # a name no file can have: os.stat raises ValueError
        "page.html",
        [],
    ):
        data = json.loads(record.read_text())
        data["entries"]["page.html"] = [data["entries"]["page.html"][0], damaged]
        record.write_text(json.dumps(data))
        assert OutputRecord(record, out, ["site"]).standing("page.html", ["in"], ["page.html"]) is None, (
            damaged
        )
    assert OutputRecord(record, out, ["site"]).standing("page.html", ["in"], ["page.html"]) is None


def test_entries_kept_in_one_pass_are_those_a_look_at_each_keeps(tmp_path: Path) -> None:
    """``to_make`` keeps what ``kept`` keeps, tells ``on_kept`` once, and returns the rest in order.

    A file edited by hand, one removed, one of another key and one never
    recorded are returned; each is recorded under the key given once written.
    """
    out, path = tmp_path / "out", tmp_path / "record.json"
    out.mkdir()
    names = ["a.js", "b.js", "c.js", "d.js"]
    first = OutputRecord(path, out, [])
    for name in names:
        (out / name).write_text(name)
        first.wrote(name, key=[name])
    first.save()
    (out / "b.js").write_text("edited by hand")
    (out / "c.js").unlink()
    told: list[list[str]] = []
    record = OutputRecord(path, out, [], told.append)
    keys = {
        "d.js": ["other"],
        "a.js": KeyText('["a.js"]'),
        "b.js": ["b.js"],
        "c.js": ["c.js"],
        "e.js": ["e.js"],
    }
    assert record.to_make(keys) == ["d.js", "b.js", "c.js", "e.js"] and told == [["a.js"]]
    for name in ("d.js", "b.js", "c.js", "e.js"):
        (out / name).write_text(f"{name} again")
        record.wrote(name)
    record.save()
    again: list[list[str]] = []
    assert OutputRecord(path, out, [], again.append).to_make(keys) == [] and again == [list(keys)]


def test_a_path_no_file_can_have_is_no_file() -> None:
    """A NUL in a name (a damaged record's) is a file not there, not an error (see ``size_and_time``)."""
    assert size_and_time("page\0.html") == [-1, -1]


def test_an_entry_kept_is_the_record_s_own_not_one_made_again(tmp_path: Path, monkeypatch: Any) -> None:
    """An entry whose files stand is saved as the very entry read (nothing of it is made again).

    What :meth:`RecordFile.save` is given for an entry kept by ``standing``,
    ``to_make`` or ``kept`` is the object the record read: comparing it
    with the base costs no look at its parts.
    """
    from curriculum.site import _record_file

    record, out = _noted(tmp_path, ["a"])
    first = OutputRecord(record, out, ["site"])
    for name in ("other.html", "third.html", "edited.html"):
        (out / name).write_text(name)
        first.wrote(name, key=[name])
    first.wrote("page.html", key=["page"])
    first.note("page.html", ["in"], ["a"])
    first.save()
    (out / "edited.html").write_text("edited by hand")  # an entry not kept: the record is saved
    saved: list[dict[str, Any]] = []
    monkeypatch.setattr(_record_file.RecordFile, "save", lambda self, data: saved.append(dict(data)))
    again = OutputRecord(record, out, ["site"])
    read = _record_file.RecordFile(record, ("entries", "notes")).read()["entries"]
    assert again.standing("page.html", ["in"], ["page.html"]) == ["a"]
    assert again.to_make({"other.html": ["other.html"], "edited.html": ["edited.html"]}) == ["edited.html"]
    assert again.kept("third.html", ["third.html"])
    again.wrote("edited.html")
    again.save()
    entries = saved[0]["entries"]
    for name in ("page.html", "other.html", "third.html"):
        assert entries[name] == read[name] and entries[name] is again._before[name]
    assert entries["edited.html"] != read["edited.html"]


def test_an_entry_is_kept_only_for_the_files_it_records_in_their_order(tmp_path: Path) -> None:
    """``kept`` given the files an entry makes keeps it only when the record names those, in that order.

    Each file's record is checked in one step with the file as it is: the
    same files in another order, fewer or more of them, are not what the entry recorded.
    """
    out, path = tmp_path / "out", tmp_path / "record.json"
    out.mkdir()
    for name in ("a.js", "b.js"):
        (out / name).write_text(name)
    first = OutputRecord(path, out, [])
    first.wrote("index", ["a.js", "b.js"], key=["k"])
    first.save()
    for files in (["b.js", "a.js"], ["a.js"], ["a.js", "b.js", "b.js"], []):
        assert not OutputRecord(path, out, []).kept("index", ["k"], files), files
    told: list[list[str]] = []
    assert OutputRecord(path, out, [], told.append).kept("index", ["k"], ["a.js", "b.js"])
    assert told == [["a.js", "b.js"]]
    assert OutputRecord(path, out, []).kept("index", ["k"], as_recorded=True)
