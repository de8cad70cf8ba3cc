"""A record kept as a base and its changes: saving writes what changed, and no crash state is read wrongly."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from curriculum.content import _record_changes
from curriculum.site import _record_file
from curriculum.site._output_record import OutputRecord
from curriculum.site._page_plan import PagePlan, PlannedPage, shows_of
from curriculum.site._record_file import RecordFile, unsealed

_SECTIONS = ("entries", "notes")


def _record(n: int, value: str = "v") -> dict[str, dict[str, Any]]:
    """Return a record of ``n`` entries (each a list, as records hold) and one note."""
    return {
        "entries": {f"page{i}.html": [f"{value}{i}", ["page.html", 10, i]] for i in range(n)},
        "notes": {"a": 1},
    }


def _saved(path: Path, record: dict[str, dict[str, Any]]) -> RecordFile:
    """Read the record at ``path`` and save ``record``; return the file object."""
    file = RecordFile(path, _SECTIONS)
    file.read()
    file.save(record)
    return file


def _written(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Spy on the record's writes; return the names of the files written, in order."""
    names: list[str] = []
    write = _record_changes.write_atomic

    def spy(path: Path, data: str | bytes, **options: Any) -> bool:
        names.append(path.name)
        return write(path, data, **options)

    monkeypatch.setattr(_record_changes, "write_atomic", spy)
    return names


def test_a_one_entry_change_writes_only_the_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "wrapped.json"
    _saved(path, _record(100))
    base = path.read_bytes()
    written = _written(monkeypatch)
    changed = _record(100)
    changed["entries"]["page3.html"] = ["new", ["page.html", 11, 3]]
    del changed["entries"]["page7.html"]
    _saved(path, changed)
    assert written == ["wrapped.changes.json"] and path.read_bytes() == base
    changes = json.loads((tmp_path / "wrapped.changes.json").read_text())
    assert changes["set"] == {"entries": {"page3.html": ["new", ["page.html", 11, 3]]}, "notes": {}}
    assert changes["gone"] == {"entries": ["page7.html"], "notes": []}
    assert RecordFile(path, _SECTIONS).read() == changed


def test_changes_are_counted_from_the_base_and_read_back_whole(tmp_path: Path) -> None:
    """Changes saved over changes name everything since the base: an entry changed back is none."""
    path = tmp_path / "wrapped.json"
    _saved(path, _record(100))
    first = _record(100)
    first["entries"]["page1.html"] = ["one", []]
    first["notes"]["b"] = 2
    _saved(path, first)
    second = _record(100)
    second["entries"]["page2.html"] = ["two", []]
    _saved(path, second)
    assert RecordFile(path, _SECTIONS).read() == second
    changes = json.loads((tmp_path / "wrapped.changes.json").read_text())
    assert changes["set"] == {"entries": {"page2.html": ["two", []]}, "notes": {}}


def test_changes_name_an_entry_set_to_null_or_to_an_equal_value_as_they_are(tmp_path: Path) -> None:
    """An entry the base has not is set, even to JSON ``null``; one equal to the base's, a copy, is not."""
    path = tmp_path / "wrapped.json"
    _saved(path, _record(10))
    now = _record(10)
    now["entries"] = {name: list(value) for name, value in now["entries"].items()}  # equal, not the same
    now["entries"]["page3.html"] = ["v3", ["page.html", 10, 4]]  # changed inside
    now["entries"]["new.html"] = None
    _saved(path, now)
    changes = json.loads((tmp_path / "wrapped.changes.json").read_text())
    assert changes["set"]["entries"] == {"page3.html": ["v3", ["page.html", 10, 4]], "new.html": None}
    assert RecordFile(path, _SECTIONS).read() == now


def test_changes_too_large_are_written_as_a_new_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "wrapped.json"
    _saved(path, _record(100))
    _saved(path, {**_record(100), "notes": {"a": 2}})
    generation = json.loads(path.read_text())["generation"]
    written = _written(monkeypatch)
    everything = _record(100, "w")
    _saved(path, everything)
    assert written == ["wrapped.json"] and not (tmp_path / "wrapped.changes.json").exists()
    assert json.loads(path.read_text())["generation"] != generation
    assert RecordFile(path, _SECTIONS).read() == everything


def test_changes_of_another_base_are_not_applied(tmp_path: Path) -> None:
    """A compaction stopped before it removed the old changes: the new base alone is the record."""
    path, changes = tmp_path / "wrapped.json", tmp_path / "wrapped.changes.json"
    _saved(path, _record(100))
    old = _record(100)
    old["entries"]["page1.html"] = ["old", []]
    _saved(path, old)
    left = changes.read_bytes()
    everything = _record(100, "w")
    _saved(path, everything)
    changes.write_bytes(left)
    assert RecordFile(path, _SECTIONS).read() == everything


@pytest.mark.parametrize(
    "damage",
    [
        b"{not json",
        b"[]",
        b'{"generation": "%s", "set": [], "gone": {}}',
        b'{"generation": "%s", "set": {}, "gone": {"entries": [1]}}',
    ],
)
def test_damaged_changes_leave_no_record(tmp_path: Path, damage: bytes) -> None:
    path = tmp_path / "wrapped.json"
    _saved(path, _record(10))
    generation = json.loads(path.read_text())["generation"]
    (tmp_path / "wrapped.changes.json").write_bytes(damage.replace(b"%s", generation.encode()))
    file = RecordFile(path, _SECTIONS)
    assert file.read() == {"entries": {}, "notes": {}}
    file.save(_record(10))  # written whole again
    assert not (tmp_path / "wrapped.changes.json").exists()
    assert RecordFile(path, _SECTIONS).read() == _record(10)


def test_a_damaged_base_is_no_record_whatever_its_changes(tmp_path: Path) -> None:
    path = tmp_path / "wrapped.json"
    _saved(path, _record(100))
    changed = _record(100)
    changed["entries"]["page1.html"] = ["one", []]
    _saved(path, changed)
    path.write_text(path.read_text()[:-10])
    assert RecordFile(path, _SECTIONS).read() == {"entries": {}, "notes": {}}


def test_an_output_record_saves_a_page_made_again_as_a_change(tmp_path: Path) -> None:
    out, path = tmp_path / "out", tmp_path / "wrapped.json"
    out.mkdir()
    pages = [f"page{i}.html" for i in range(40)]
    first = OutputRecord(path, out, ["site"])
    for page in pages:
        (out / page).write_text(page)
        first.wrote(page, key=[page])
    first.save()
    base = path.read_bytes()
    again = OutputRecord(path, out, ["site"])
    for page in pages[1:]:
        assert again.kept(page, [page])
    (out / pages[0]).write_text("made again")
    again.wrote(pages[0], key=[pages[0], "edited"])
    again.save()
    assert path.read_bytes() == base
    changes = json.loads(unsealed((tmp_path / "wrapped.changes.json").read_bytes()) or b"")
    assert list(changes["set"]["entries"]) == [pages[0]]
    last = OutputRecord(path, out, ["site"])
    assert last.kept(pages[0], [pages[0], "edited"]) and last.kept(pages[1], [pages[1]])


def _pages(tmp_path: Path, n: int) -> tuple[Path, Path, list[str]]:
    """Return a project of ``n`` pages (each its name as its text), its build cache, and its pages."""
    root = tmp_path / "project"
    root.mkdir()
    sources = [f"page{i}.qmd" for i in range(n)]
    for source in sources:
        (root / source).write_text(source)
    return root, root / ".curriculum-cache", sources


def test_a_page_plan_saves_a_page_made_again_as_a_change(tmp_path: Path) -> None:
    root, cache, sources = _pages(tmp_path, 40)

    def planned(title: str) -> PlannedPage:
        return PlannedPage(title, "0" * 32 + ".page", [], False, False)

    first = PagePlan(root, cache, sources, ["site"], {})
    for source in sources:
        first.made(source, planned(source))
    first.save()
    base = (cache / "pages.json").read_bytes()
    (root / sources[0]).write_text("edited, longer")
    again = PagePlan(root, cache, sources, ["site"], {})
    assert again.kept(sources[0]) is None
    again.made(sources[0], planned("edited"))
    for source in sources[1:]:
        assert again.kept(source) == planned(source)
    assert again.kept_pages(sources) == {source: planned(source) for source in sources[1:]}  # at once
    again.keep(sources[1:])
    again.save()
    assert (cache / "pages.json").read_bytes() == base
    changes = unsealed((cache / "pages.changes.json").read_bytes())  # sealed, as the base is
    assert changes is not None and list(json.loads(changes)["set"]["pages"]) == [sources[0]]
    last = PagePlan(root, cache, sources, ["site"], {})
    assert last.kept(sources[0]) == planned("edited") and last.kept(sources[1]) == planned(sources[1])


def test_a_page_plan_keeps_each_page_s_components_as_one_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry names its components in one text, ``[component, args]`` pairs as JSON, as they were.

    A page of none has the empty text. An entry of an earlier version (its
    components as objects, or as pairs the record decodes) is of another
    key, and never taken: its page is made again.
    """
    from curriculum.components import Mount
    from curriculum.site import _page_plan

    root, cache, sources = _pages(tmp_path, 2)
    mounts = (Mount("quiz", ("intro",)), Mount("worksheet", ("reflection", "w1")))
    page = PlannedPage("Title", "0" * 32 + ".page", shows_of(mounts), True, False)
    plain = PlannedPage("Plain", "1" * 32 + ".page", shows_of(()), False, False)
    first = PagePlan(root, cache, sources, ["site"], {})
    first.made(sources[0], page)
    first.made(sources[1], plain)
    first.save()
    record = RecordFile(cache / "pages.json", ("pages", "inputs"), sealed=True)
    pages = record.read()["pages"]
    assert json.loads(pages[sources[0]][3]) == [["quiz", ["intro"]], ["worksheet", ["reflection", "w1"]]]
    assert pages[sources[1]][3] == ""
    again = PagePlan(root, cache, sources, ["site"], {})
    taken, none = again.kept(sources[0]), again.kept(sources[1])
    assert taken == page and taken is not None and taken.mounts == mounts
    assert none == plain and none is not None and none.mounts == ()

    for version, shows in ((1, [m.as_json() for m in mounts]), (2, [["quiz", ["intro"]]])):
        with monkeypatch.context() as patch:  # a record of an earlier version
            patch.setattr(_page_plan, "PLAN_VERSION", version)
            (cache / "pages.json").unlink()
            older = PagePlan(root, cache, sources, ["site"], {})
            older.made(sources[0], page)
            older.save()
        record = RecordFile(cache / "pages.json", ("pages", "inputs"), sealed=True)
        written = record.read()
        entry = written["pages"][sources[0]]
        record.save({**written, "pages": {sources[0]: [*entry[:3], shows, *entry[4:]]}})
        assert PagePlan(root, cache, sources, ["site"], {}).kept(sources[0]) is None


def test_a_page_plan_makes_the_key_only_of_a_page_whose_inputs_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages whose inputs are those their entries were made from are found at once, with their keys.

    A record without the inputs (of another shape, or none) only costs every
    page's key made and compared: a page is kept as before, by its key.
    """
    from curriculum.site import _page_plan

    root, cache, sources = _pages(tmp_path, 5)
    first = PagePlan(root, cache, sources, ["site"], {"page1.qmd": "outputs"})
    for source in sources:
        first.made(source, PlannedPage(source, "0" * 32 + ".page", [], False, False))
    first.save()
    keys = {source: first.key(source) for source in sources}
    made: list[str] = []
    real = _page_plan._part
    monkeypatch.setattr(_page_plan, "_part", lambda value: made.append(value) or real(value))
    (root / sources[0]).write_text("edited")
    again = PagePlan(root, cache, sources, ["site"], {"page1.qmd": "other outputs"})
    assert [source for source in sources if again.kept(source) is None] == sources[:2]
    assert {source: again.key(source) for source in sources[2:]} == {s: keys[s] for s in sources[2:]}
    assert len(made) == 4  # two pages' keys (each of a hash and what else it depends on)
    assert again.key(sources[1]) != keys[sources[1]]
    assert PagePlan(root, cache, sources, ["other site"], {"page1.qmd": "outputs"}).kept(sources[2]) is None

    record = RecordFile(cache / "pages.json", ("pages", "inputs"), sealed=True)
    pages = record.read()["pages"]
    record.save({"pages": pages, "inputs": {source: ["no text"] for source in sources}})
    made.clear()
    last = PagePlan(root, cache, sources, ["site"], {"page1.qmd": "outputs"})
    assert last.kept(sources[0]) is None and last.kept(sources[3]) is not None  # by its key, made
    assert len(made) == 4 and last.key(sources[3]) == keys[sources[3]]


@pytest.mark.parametrize("damaged", ["wrapped.json", "wrapped.changes.json"])
def test_a_sealed_record_changed_in_place_is_no_record(tmp_path: Path, damaged: str) -> None:
    """Each file of a sealed record names a digest of the rest: a byte changed in either, and there is none.

    (Still JSON, and still of the shape the record has: only the seal tells.)
    The changes are sealed on their own: a save of a few entries hashes those.
    """
    path = tmp_path / "wrapped.json"
    RecordFile(path, _SECTIONS, sealed=True).save(_record(100))
    changed = _record(100)
    changed["entries"]["page1.html"] = ["one", []]
    sealed = RecordFile(path, _SECTIONS, sealed=True)
    assert sealed.read() == _record(100)
    sealed.save(changed)
    changes = (tmp_path / "wrapped.changes.json").read_text()
    assert changes.startswith('{"digest": ') and '"page2.html"' not in changes, "the changes alone"
    assert RecordFile(path, _SECTIONS, sealed=True).read() == changed
    assert RecordFile(path, _SECTIONS).read() == {"entries": {}, "notes": {}}, "sealed: not plain JSON"
    file = tmp_path / damaged
    file.write_text(file.read_text().replace('"v3"' if damaged == "wrapped.json" else '"one"', '"v4"'))
    assert RecordFile(path, _SECTIONS, sealed=True).read() == {"entries": {}, "notes": {}}


def test_a_sealed_record_sealed_again_by_hand_is_no_record(tmp_path: Path) -> None:
    """A seal is keyed by this computer's key: a file edited and its digest made again by hand is none."""
    path = tmp_path / "wrapped.json"
    RecordFile(path, _SECTIONS, sealed=True).save(_record(100))
    body = path.read_bytes().partition(b"\n")[2].replace(b'"v3"', b'"v4"')
    path.write_bytes(b'{"digest": "%s"}\n' % hashlib.sha256(body).hexdigest().encode() + body)
    assert RecordFile(path, _SECTIONS, sealed=True).read() == {"entries": {}, "notes": {}}
    assert _record_file.unsealed(_record_file.seal(body.decode()).encode()) == body, "sealed here: read"


def test_a_record_sealed_on_another_computer_is_no_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record that came with a repository from another computer was sealed with another key."""
    from curriculum import _memo

    path = tmp_path / "wrapped.json"
    with monkeypatch.context() as elsewhere:
        elsewhere.setattr(_memo, "_secret", lambda: "another computer's key")
        RecordFile(path, _SECTIONS, sealed=True).save(_record(100))
        assert RecordFile(path, _SECTIONS, sealed=True).read() == _record(100), "read where it was sealed"
    assert RecordFile(path, _SECTIONS, sealed=True).read() == {"entries": {}, "notes": {}}


def test_a_new_base_not_written_leaves_the_record_saving_against_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk as a new base is written: the next save of the record is not taken for its changes."""
    path = tmp_path / "wrapped.json"
    file = _saved(path, _record(100))
    write = _record_changes.write_atomic

    def full(target: Path, data: str | bytes, **options: Any) -> bool:
        if target == path:
            raise OSError("no space left")
        return write(target, data, **options)

    monkeypatch.setattr(_record_changes, "write_atomic", full)
    with pytest.raises(OSError):
        file.save(_record(100, "w"))  # every entry changed: a new base is due
    monkeypatch.undo()
    latest = _record(101, "w")
    file.save(latest)
    assert RecordFile(path, _SECTIONS).read() == latest


def test_a_page_plan_with_a_components_text_damaged_in_place_is_no_record(tmp_path: Path) -> None:
    """A components text is decoded only when asked for, so the record's seal is what refuses a damaged one.

    Changed in place (a bracket lost), the record is none: the page is made
    again, and no text is ever decoded to find it damaged.
    """
    from curriculum.components import Mount

    root, cache, sources = _pages(tmp_path, 1)
    page = PlannedPage("Title", "0" * 32 + ".page", shows_of([Mount("quiz", ("intro",))]), True, False)
    first = PagePlan(root, cache, sources, ["site"], {})
    first.made(sources[0], page)
    first.save()
    path = cache / "pages.json"
    damaged = path.read_bytes().replace(b'[[\\"quiz\\"', b'[\\"quiz\\"', 1)
    assert damaged != path.read_bytes()
    path.write_bytes(damaged)
    assert PagePlan(root, cache, sources, ["site"], {}).kept(sources[0]) is None


def _settled(path: Path) -> None:
    """Wait until ``path``'s status last changed long enough ago for its stamp to be noted."""
    while time.time_ns() - path.stat().st_ctime_ns < _record_file._SETTLED:
        time.sleep(0.01)


def _hashes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Spy on the seals checked (each a file hashed whole); return the size of each file checked."""
    checked: list[int] = []
    check = _record_file.unsealed

    def spy(raw: bytes | None) -> bytes | None:
        if raw is not None:
            checked.append(len(raw))
        return check(raw)

    monkeypatch.setattr(_record_file, "unsealed", spy)
    return checked


def test_a_sealed_base_checked_once_is_read_by_its_stamp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a build checked a base's seal, its stamp is noted beside it: the next reads hash its changes.

    (And the small file of its stamp.)
    """
    path = tmp_path / "wrapped.json"
    RecordFile(path, _SECTIONS, sealed=True).save(_record(100))
    changed = _record(100)
    changed["entries"]["page1.html"] = ["one", []]
    first = RecordFile(path, _SECTIONS, sealed=True)
    first.read()
    first.save(changed)
    _settled(path)
    checked = _hashes(monkeypatch)
    assert RecordFile(path, _SECTIONS, sealed=True).read() == changed
    size, stamps = path.stat().st_size, _record_file.stamps_path(path)
    assert size in checked and stamps.exists(), "checked, then noted"
    checked.clear()
    assert RecordFile(path, _SECTIONS, sealed=True).read() == changed
    changes = (tmp_path / "wrapped.changes.json").stat().st_size
    assert sorted(checked) == sorted([stamps.stat().st_size, changes]), "the base is not hashed"


@pytest.mark.parametrize(
    "how", ["in place, its time set back", "replaced", "stamps damaged", "stamps elsewhere"]
)
def test_a_base_changed_since_its_stamp_was_noted_is_checked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """A base changed in place (its size and time as they were), or replaced, has another stamp.

    Its seal is checked, and a byte changed makes it no record; so with a
    damaged stamps file, or one of another computer.
    """
    from curriculum import _memo

    path = tmp_path / "wrapped.json"
    RecordFile(path, _SECTIONS, sealed=True).save(_record(100))
    _settled(path)
    assert RecordFile(path, _SECTIONS, sealed=True).read() == _record(100)  # its stamp noted
    stamps = _record_file.stamps_path(path)
    assert stamps.exists()
    damaged = path.read_bytes().replace(b'"v3"', b'"v4"')
    if how == "in place, its time set back":
        before = path.stat()
        with path.open("r+b") as file:
            file.write(damaged)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert path.stat().st_size == before.st_size
    elif how == "replaced":
        path.unlink()
        path.write_bytes(damaged)
    else:
        with path.open("r+b") as file:  # in place, within the file clock's tick: only the seal tells
            file.write(damaged)
        noted = stamps.read_text()
        if how == "stamps damaged":
            stamps.write_text(noted.replace('"base": [', '"base": [0, '))
        else:
            with monkeypatch.context() as elsewhere:
                elsewhere.setattr(_memo, "_secret", lambda: "another computer's key")
                stamps.write_text(_record_file.seal(json.dumps({"base": _record_file.stamp_of(path)})))
    checked = _hashes(monkeypatch)
    assert RecordFile(path, _SECTIONS, sealed=True).read() == {"entries": {}, "notes": {}}
    assert path.stat().st_size in checked, "its seal checked"


def test_a_page_plan_takes_the_hash_of_a_page_the_pre_render_knows_and_looks_at_no_file(
    tmp_path: Path,
) -> None:
    """A page whose hash the pre-render knows (as it wrote it) is not looked at, nor kept in the record.

    Its entry is taken while that hash is the one it was made from; another hash makes it again.
    """
    import hashlib

    root, cache, sources = _pages(tmp_path, 3)
    known = {sources[0]: hashlib.sha256(sources[0].encode()).hexdigest()}  # its contents' hash, as written
    first = PagePlan(root, cache, sources, ["site"], {}, known=known)
    for source in sources:
        first.made(source, PlannedPage(source, "0" * 32 + ".page", "", False, False))
    first.save()
    digests = (cache / "page-digests.json").read_text()
    assert sources[0] not in digests and sources[1] in digests
    hashed = PagePlan(root, cache, sources, ["site"], {})  # the same hash, as the file gives it
    assert set(hashed.kept_pages(sources)) == set(sources)
    (root / sources[0]).unlink()  # not looked at
    again = PagePlan(root, cache, sources, ["site"], {}, known=known)
    assert set(again.kept_pages(sources)) == set(sources)
    other = PagePlan(root, cache, sources, ["site"], {}, known={sources[0]: "0" * 64})
    assert set(other.kept_pages(sources)) == set(sources[1:])
