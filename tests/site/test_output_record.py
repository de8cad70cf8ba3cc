"""The output record's notes and keys: what keeps a file, and what never does."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from curriculum.site._output_record import KeyText, OutputRecord, size_and_time
from curriculum.site._record_file import seal, unsealed

_SHOWN = {"quizzes/q": "q1"}
"""The inputs the test note names (a document's name and digest), besides its key ``"in"``."""


def _noted(tmp_path: Path, data: list[str]) -> tuple[Path, Path]:
    """Write a page and a record noting ``data`` as made from the key ``"in"`` and :data:`_SHOWN`."""
    out, record = tmp_path / "out", tmp_path / "record.json"
    out.mkdir(parents=True)
    (out / "page.html").write_text("page")
    first = OutputRecord(record, out, ["site"], notes=True)
    first.wrote("page.html", key=["page"])
    first.note("page.html", "in", _SHOWN, data)
    first.save()
    return record, out


def _standing(record: Path, out: Path, key: str = "in", digest: str = "q1", site: str = "site") -> Any:
    """Return what the note ``page.html`` gives when its key and its document's digest are these now."""
    again = OutputRecord(record, out, [site], notes=True)
    changed = again.changed_inputs({"quizzes/q": digest}.__getitem__)
    return again.standing({"page.html": (key, ["page.html"])}, changed).get("page.html")


def _resealed(record: Path, change: Any) -> None:
    """Change the record's base in place with ``change`` (given its data), and seal it again."""
    data = json.loads(unsealed(record.read_bytes()) or b"")
    change(data)
    record.write_text(seal(json.dumps(data, sort_keys=True)))


def test_a_note_stands_while_its_inputs_do(tmp_path: Path) -> None:
    """A note made from the key and document digests the caller has gives its data and keeps its entries.

    Another key, a changed document or another site keeps nothing.
    """
    record, out = _noted(tmp_path, ["a", "b"])
    kept: list[str] = []
    again = OutputRecord(record, out, ["site"], kept.extend, notes=True)
    assert again.changed_inputs({"quizzes/q": "q1"}.__getitem__) == set()
    assert again.standing({"page.html": ("in", ["page.html"])}, set()) == {"page.html": ["a", "b"]}
    assert kept == ["page.html"]
    assert _standing(record, out, key="other") is None
    assert _standing(record, out, digest="q2") is None
    assert _standing(record, out, site="another site") is None
    assert _standing(record, out) == ["a", "b"]


def test_the_documents_that_changed_are_found_once_for_every_note(tmp_path: Path) -> None:
    """Each document's digest is asked for once, whatever the notes naming it; a changed one is kept no more.

    Saved without a note made again that names it, the record does not name it
    (and a note naming it never stands); noted again, it names its new digest.
    """
    out, path = tmp_path / "out", tmp_path / "record.json"
    out.mkdir()
    first = OutputRecord(path, out, ["site"], notes=True)
    for n in range(3):
        (out / f"p{n}.html").write_text("page")
        first.wrote(f"p{n}.html", key=[n])
        first.note(f"p{n}.html", str(n), {"quizzes/q": "q1", f"cases/c{n}": "c"}, [])
    first.save()
    asked: list[str] = []

    def digest(name: str) -> str:
        asked.append(name)
        return "q2" if name == "quizzes/q" else "c"

    again = OutputRecord(path, out, ["site"], notes=True)
    changed = again.changed_inputs(digest)
    assert changed == {"quizzes/q"} and sorted(asked) == ["cases/c0", "cases/c1", "cases/c2", "quizzes/q"]
    assert again.standing({f"p{n}.html": (str(n), [f"p{n}.html"]) for n in range(3)}, changed) == {}
    again.wrote("p0.html", key=[0])  # made again
    again.note("p0.html", "0", {"quizzes/q": "q2"}, [])
    again.save()
    last = OutputRecord(path, out, ["site"], notes=True)
    assert last.changed_inputs(lambda name: "q2" if name == "quizzes/q" else "c") == set()
    assert last.standing({"p0.html": ("0", ["p0.html"])}, set()).get("p0.html") == []
    assert last.standing({"p1.html": ("1", ["p1.html"])}, set()) == {}  # not noted again: no note


def test_a_record_with_notes_changed_in_place_is_no_record(tmp_path: Path) -> None:
    """A record with notes is sealed: one changed in place (a note's data, a digest) keeps nothing.

    Nor does a record of the same form written without notes (which keeps none).
    """
    record, out = _noted(tmp_path, ["a", "b"])
    base = record.read_text()
    assert '"a b"' in base and '"q1"' in base
    for damaged in (base.replace('"a b"', '"c b"'), base.replace('"q1"', '"q2"'), base.split("\n", 1)[1]):
        record.write_text(damaged)
        assert _standing(record, out) is None
        assert not OutputRecord(record, out, ["site"], notes=True).kept("page.html", ["page"])
    plain = OutputRecord(record, out, ["site"])
    plain.wrote("page.html", key=["page"])
    plain.note("page.html", "in", _SHOWN, ["a"])  # a record without notes keeps none
    plain.save()
    assert _standing(record, out) is None


def test_a_sealed_record_is_trusted_as_read_while_it_names_this_site(tmp_path: Path) -> None:
    """A record sealed again as only this code could is read as it is; one naming another site is none."""
    record, out = _noted(tmp_path, ["a", "b"])
    _resealed(record, lambda data: data["notes"].__setitem__("page.html", ["in", "quizzes/q", "a c"]))
    assert _standing(record, out) == ["a", "c"]
    assert OutputRecord(record, out, ["site"], notes=True).kept("page.html", ["page"])
    _resealed(record, lambda data: data["inputs"].__setitem__("", "another site's"))
    assert _standing(record, out) is None
    assert not OutputRecord(record, out, ["site"], notes=True).kept("page.html", ["page"])


def test_a_record_without_notes_changed_in_place_is_no_record(tmp_path: Path) -> None:
    """Every record is sealed: one changed in place, even by a space its JSON allows, keeps nothing."""
    out, path = tmp_path / "out", tmp_path / "record.json"
    out.mkdir()
    (out / "a.js").write_text("a")
    first = OutputRecord(path, out, [])
    first.wrote("a.js", key=["a"])
    first.save()
    assert OutputRecord(path, out, []).kept("a.js", ["a"])
    path.write_text(path.read_text().replace('": ', '":  ', 1))
    assert not OutputRecord(path, out, []).kept("a.js", ["a"])


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


def test_an_entry_naming_a_file_outside_the_folder_or_no_file_keeps_nothing(tmp_path: Path) -> None:
    """A record's file name is the folder's: a whole path, even of a file as recorded, is not looked at there.

    Nor is an entry kept that names a file no path can name.
    """
    record, out = _noted(tmp_path, ["a"])
    outside = tmp_path / "outside.html"
    outside.write_text("elsewhere")
    info = outside.stat()
    for damaged in (
        [str(outside), info.st_size, info.st_mtime_ns],  # as it is, but not in the folder
        ["page\u0000.html", 4, 0],  # a name no file can have: os.stat raises ValueError
    ):

        def change(data: Any, damaged: Any = damaged) -> None:
            data["entries"]["page.html"] = [data["entries"]["page.html"][0], damaged]

        _resealed(record, change)  # sealed again: the entry itself is looked at
        assert _standing(record, out) is None, damaged
        assert not OutputRecord(record, out, ["site"], notes=True).kept("page.html", ["page"]), damaged


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
    first = OutputRecord(record, out, ["site"], notes=True)
    for name in ("other.html", "third.html", "edited.html"):
        (out / name).write_text(name)
        first.wrote(name, key=[name])
    first.wrote("page.html", key=["page"])
    first.note("page.html", "in", _SHOWN, ["a"])
    first.save()
    (out / "edited.html").write_text("edited by hand")  # an entry not kept: the record is saved
    saved: list[dict[str, Any]] = []
    monkeypatch.setattr(_record_file.RecordFile, "save", lambda self, data: saved.append(dict(data)))
    again = OutputRecord(record, out, ["site"], notes=True)
    read = _record_file.RecordFile(record, ("entries", "notes"), sealed=True).read()["entries"]
    assert again.standing({"page.html": ("in", ["page.html"])}, set()).get("page.html") == ["a"]
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
    assert not OutputRecord(path, out, []).kept("index", ["k"])  # by default, the one file named as the entry


def test_the_rest_is_kept_only_while_every_file_is_as_recorded(tmp_path: Path) -> None:
    """``rest_as_recorded`` keeps the entries not asked about, telling ``on_kept`` once, or none at all."""
    out, path = tmp_path / "out", tmp_path / "record.json"
    out.mkdir()
    first = OutputRecord(path, out, [])
    for name in ("a.js", "b.js", "c.js"):
        (out / name).write_text(name)
        first.wrote(name, key=[name])
    first.wrote("list", [], key=["all"])
    first.save()
    told: list[list[str]] = []
    again = OutputRecord(path, out, [], told.append)
    assert again.kept("list", ["all"], []) and again.kept("a.js", ["a.js"])
    assert again.rest_as_recorded() and told == [[], ["a.js"], ["b.js", "c.js"]]
    again.save()
    (out / "c.js").write_text("edited by hand")
    told.clear()
    last = OutputRecord(path, out, [], told.append)
    assert last.kept("list", ["all"], []) and not last.rest_as_recorded() and told == [[]]
    assert last.to_make({name: [name] for name in ("a.js", "b.js", "c.js")}) == ["c.js"]


def test_a_key_given_as_its_digest_is_compared_as_it_is(tmp_path: Path) -> None:
    """A :class:`KeyDigest` (a copy of :meth:`digest_of` another record kept) keeps what its key keeps."""
    from curriculum.site._output_record import KeyDigest

    out, path = tmp_path / "out", tmp_path / "record.json"
    out.mkdir()
    (out / "a.js").write_text("a")
    record = OutputRecord(path, out, ["site"])
    record.wrote("a.js", key=["x"])
    digest = record.digest_of("a.js")
    record.save()
    again = OutputRecord(path, out, ["site"])
    assert again.kept("a.js", KeyDigest(digest)) and again.digest_of("a.js") == digest
    assert not OutputRecord(path, out, ["site"]).kept("a.js", KeyDigest(digest[::-1]))
    assert not OutputRecord(path, out, ["site"]).kept("a.js", digest)  # a string is a key, hashed


def test_a_note_with_a_string_a_space_would_split_is_not_kept(tmp_path: Path) -> None:
    """A note's names and data are kept joined by spaces: one whose strings would not split back is none."""
    out, path = tmp_path / "out", tmp_path / "record.json"
    out.mkdir()
    (out / "page.html").write_text("page")
    for inputs, data in (({"quizzes/q": "q1"}, ["a b"]), ({"quizzes/a q": "q1"}, ["a"]), ({}, [""])):
        first = OutputRecord(path, out, ["site"], notes=True)
        first.wrote("page.html", key=["page"])
        first.note("page.html", "in", inputs, data)
        first.save()
        again = OutputRecord(path, out, ["site"], notes=True)
        assert again.standing({"page.html": ("in", ["page.html"])}, set()) == {}, (inputs, data)
    first = OutputRecord(path, out, ["site"], notes=True)
    first.wrote("page.html", key=["page"])
    first.note("page.html", "in", {}, [])
    first.save()
    again = OutputRecord(path, out, ["site"], notes=True)
    assert again.standing({"page.html": ("in", ["page.html"])}, set()).get("page.html") == []


def test_files_are_stamped_at_once_and_one_not_there_is_none(tmp_path: Path) -> None:
    """``file_stamps`` gives each file's name, size and time; one not there is None, the others as they are.

    A file not there is never as a record has it, not even one recorded as not there (``-1``).
    """
    from curriculum.site._output_record import file_stamps

    for name in ("a.js", "b.js"):
        (tmp_path / name).write_text(name * 2)
    folder = str(tmp_path) + "/"
    both = file_stamps(folder, ["a.js", "b.js"])
    info = (tmp_path / "b.js").stat()
    assert both[1] == ["b.js", 8, info.st_mtime_ns] and both[0] is not None and both[0][:2] == ["a.js", 8]
    assert file_stamps(folder, ["a.js", "gone.js", "b.js"]) == [both[0], None, both[1]]
    assert file_stamps(folder, []) == []
    out, path = tmp_path / "out", tmp_path / "record.json"
    out.mkdir()
    first = OutputRecord(path, out, [])
    first.wrote("gone.js", key=["g"])  # recorded as not there
    first.save()
    assert not OutputRecord(path, out, []).kept("gone.js", ["g"])
    assert OutputRecord(path, out, []).to_make({"gone.js": ["g"]}) == ["gone.js"]


def test_notes_are_decided_at_once_and_a_changed_file_leaves_only_its_own_not_standing(
    tmp_path: Path,
) -> None:
    """Every note's files are looked at in one pass; one edited or removed keeps its note's entries out only.

    A note with an entry the record has not, or one of another key, stands
    no more; the others keep their entries, and ``on_kept`` is told of their files once.
    """
    out, path = tmp_path / "out", tmp_path / "record.json"
    out.mkdir()
    first = OutputRecord(path, out, ["site"], notes=True)
    pages = [f"p{n}.html" for n in range(6)]
    for page in pages:
        files = [page, page.replace(".html", ".data.js")]
        for name in files:
            (out / name).write_text(name)
            first.wrote(name, key=[name])
        first.note(page, "in", {}, [page])
    first.save()
    (out / "p1.data.js").write_text("edited by hand")
    (out / "p2.html").unlink()
    told: list[list[str]] = []
    again = OutputRecord(path, out, ["site"], told.append, notes=True)
    notes = {page: ("in", [page, page.replace(".html", ".data.js")]) for page in pages}
    notes["p3.html"] = ("another key", notes["p3.html"][1])
    notes["p4.html"] = ("in", ["p4.html", "p4.other.js"])  # an entry the record has not
    standing = again.standing(notes, set())
    assert standing == {"p0.html": ["p0.html"], "p5.html": ["p5.html"]}
    assert told == [["p0.html", "p0.data.js", "p5.html", "p5.data.js"]]
    again.save()
    last = OutputRecord(path, out, ["site"], notes=True)
    assert last.standing({page: notes[page] for page in ("p0.html", "p5.html")}, set()) == standing


def test_a_changed_file_of_an_entry_of_several_files_leaves_only_its_own_note_not_standing(
    tmp_path: Path,
) -> None:
    """Each entry's files are found after the previous entry's, however many each has."""
    out, path = tmp_path / "out", tmp_path / "record.json"
    out.mkdir()
    first = OutputRecord(path, out, ["site"], notes=True)
    pages = [f"p{n}.html" for n in range(4)]
    for n, page in enumerate(pages):
        files = [page, *(page.replace(".html", f".{k}.js") for k in range(n))]  # 1, 2, 3 and 4 files
        for name in files:
            (out / name).write_text(name)
        first.wrote(page, files, key=[page])
        first.note(page, "in", {}, [page])
    first.save()
    (out / "p2.1.js").write_text("edited by hand")  # the last file of the third entry
    again = OutputRecord(path, out, ["site"], notes=True)
    standing = again.standing({page: ("in", [page]) for page in pages}, set())
    assert standing == {"p0.html": ["p0.html"], "p1.html": ["p1.html"], "p3.html": ["p3.html"]}


def test_the_documents_known_at_once_are_not_asked_for(tmp_path: Path) -> None:
    """Digests given at once (``known``) are compared as they are; only an input they lack is asked for.

    The inputs found changed are those found asking for each one.
    """
    out, path = tmp_path / "out", tmp_path / "record.json"
    out.mkdir()
    first = OutputRecord(path, out, ["site"], notes=True)
    inputs = {"quizzes/q": "q1", "cases/c": "c1", "cases/*": "all", "quizzes/gone": "-"}
    (out / "p.html").write_text("page")
    first.wrote("p.html", key=[0])
    first.note("p.html", "0", inputs, [])
    first.save()
    now = {"quizzes/q": "q2", "cases/c": "c1", "cases/*": "all2", "quizzes/gone": "-"}
    asked: list[str] = []

    def digest(name: str) -> str:
        asked.append(name)
        return now[name]

    expected = OutputRecord(path, out, ["site"], notes=True).changed_inputs(now.__getitem__)
    again = OutputRecord(path, out, ["site"], notes=True)
    known = {"quizzes/q": "q2", "cases/c": "c1", "cases/other": "o"}
    assert again.changed_inputs(digest, known) == expected == {"quizzes/q", "cases/*"}
    assert sorted(asked) == ["cases/*", "quizzes/gone"]


def test_an_entry_of_one_file_named_as_it_holds_its_size_and_time_only(tmp_path: Path) -> None:
    """An entry whose one file is named as it is ``[digest, size, time]``; any other names its files.

    Either form is kept while its files are as recorded, and not once one is
    changed by hand (the same size, another time) or gone.
    """
    out, path = tmp_path / "out", tmp_path / "record.json"
    out.mkdir()
    for name in ("page.html", "a.js", "b.js"):
        (out / name).write_text(name)
    first = OutputRecord(path, out, ["site"])
    first.wrote("page.html", key=["page"])
    first.wrote("index", ["a.js", "b.js"], key=["index"])
    first.save()
    entries = json.loads(unsealed(path.read_bytes()) or b"")["entries"]
    assert entries["page.html"][1:] == size_and_time(str(out / "page.html"))
    assert [file[0] for file in entries["index"][1:]] == ["a.js", "b.js"]
    kept: list[str] = []
    again = OutputRecord(path, out, ["site"], kept.extend)
    assert again.kept("page.html", ["page"]) and again.kept("index", ["index"], ["a.js", "b.js"])
    assert again.rest_as_recorded() and kept == ["page.html", "a.js", "b.js"]
    os.utime(out / "page.html", ns=(1, 1))
    (out / "b.js").unlink()
    later = OutputRecord(path, out, ["site"])
    assert not later.kept("page.html", ["page"])
    assert not later.kept("index", ["index"], ["a.js", "b.js"])
