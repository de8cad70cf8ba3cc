"""The pre-render's record: a page made from its document alone stands by that document's digest."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from curriculum import _memo
from curriculum.content import EVERY, load_curriculum
from curriculum.project import Project
from curriculum.render import PayloadBuilder
from curriculum.site import _generated_record, _prerender, payload_builder
from curriculum.site._generated_record import GeneratedRecord
from curriculum.site._prerender import GeneratedPages, prerender
from curriculum.site._record_file import RecordFile

PAGE = "quiz/a.qmd"


def _written(root: Path, text: str = "a page", *, ago: float = 60) -> GeneratedRecord:
    """Write the page (dated ``ago`` seconds back), recorded as made from document ``D`` alone, key ``K``."""
    page = root / PAGE
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(text, encoding="utf-8")
    then = page.stat().st_mtime_ns - int(ago * 1e9)
    os.utime(page, ns=(then, then))
    record = GeneratedRecord(root / "record.json", root, "S")
    record.wrote(PAGE, text, "K", "D")
    record.save()
    return GeneratedRecord(root / "record.json", root, "S")


def _record(path: Path) -> dict[str, Any]:
    """Return the record's base as written (a record written once has no changes)."""
    return json.loads(path.read_text(encoding="utf-8"))


def _damaged(path: Path, damage: Any) -> None:
    """Write the record's base again as ``damage`` makes it of the base's data (its sections)."""
    path.write_text(json.dumps(damage(_record(path))), encoding="utf-8")


def _alone(record: GeneratedRecord, name: str, digest: str) -> str | None:
    """Return the key of the page ``name`` if it stands as made from its document alone (``digest``)."""
    return record.standing_alone({name: digest}).get(name)


def test_a_page_stands_by_its_documents_digest_while_what_pages_share_is_the_same(tmp_path: Path) -> None:
    assert _alone(_written(tmp_path), PAGE, "D") == "K"
    assert _alone(_written(tmp_path), PAGE, "another text") is None
    assert _alone(_written(tmp_path), "quiz/b.qmd", "D") is None
    assert _alone(_written(tmp_path), PAGE, "") is None  # a document no digest names
    _written(tmp_path)
    shared_changed = GeneratedRecord(tmp_path / "record.json", tmp_path, "another S")
    assert _alone(shared_changed, PAGE, "D") is None
    assert shared_changed.kept(PAGE, "K")  # its key still names it: computed, it is the one recorded
    assert not _written(tmp_path).kept(PAGE, "another K")


def test_the_pages_that_stand_alone_are_found_at_once_each_by_its_documents_digest(tmp_path: Path) -> None:
    """One comparison of the record with every page's digest: each page stands by its own."""
    record = GeneratedRecord(tmp_path / "record.json", tmp_path, "S")
    for name, key, alone in ((PAGE, "K", "D"), ("quiz/b.qmd", "KB", "DB"), ("quiz/c.qmd", "KC", "")):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name, encoding="utf-8")
        then = (tmp_path / name).stat().st_mtime_ns - 60 * 10**9
        os.utime(tmp_path / name, ns=(then, then))
        record.wrote(name, name, key, alone)  # quiz/c.qmd: not made from its document alone
    record.save()
    record = GeneratedRecord(tmp_path / "record.json", tmp_path, "S")
    digests = {PAGE: "D", "quiz/b.qmd": "another text", "quiz/c.qmd": "DC", "quiz/d.qmd": "DD"}
    assert record.standing_alone(digests) == {PAGE: "K"}
    assert record.standing_alone({PAGE: "D", "quiz/b.qmd": "DB"}) == {PAGE: "K", "quiz/b.qmd": "KB"}


def test_a_page_edited_removed_or_just_written_does_not_stand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = _written(tmp_path)
    (tmp_path / PAGE).write_text("a page edited by hand", encoding="utf-8")
    assert _alone(record, PAGE, "D") is None and not record.kept(PAGE, "K")
    record = _written(tmp_path)
    (tmp_path / PAGE).unlink()
    assert _alone(record, PAGE, "D") is None
    record = _written(tmp_path, ago=0)  # as old as the record: an edit in the same tick would look the same
    assert _alone(record, PAGE, "D") is None
    record.wrote(PAGE, "a page", "K", "D")
    at = _record(tmp_path / "record.json")["about"]["at"]
    record.save()  # recorded again, later (as a change of the record's base)
    saved = RecordFile(tmp_path / "record.json", ("about",)).read()
    assert saved["about"]["at"] > at
    monkeypatch.setattr(_generated_record, "RACY_NS", 0)
    assert _alone(GeneratedRecord(tmp_path / "record.json", tmp_path, "S"), PAGE, "D") == "K"


def test_a_page_kept_by_its_key_stands_alone_at_the_next_build(tmp_path: Path) -> None:
    """Its document's digest is recorded again, its entry the same: the next build computes no key."""
    _written(tmp_path)
    path = tmp_path / "record.json"
    _damaged(path, lambda data: {**data, "alone": {}})
    record = GeneratedRecord(path, tmp_path, "S")
    assert _alone(record, PAGE, "D") is None and record.kept(PAGE, "K", "D")
    record.save()
    assert _alone(GeneratedRecord(path, tmp_path, "S"), PAGE, "D") == "K"


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: {**data, "about": {**data["about"], "key": "another computer's"}},
        lambda data: {**data, "entries": {PAGE: ["K", 1]}},
        lambda data: {**data, "entries": {PAGE: [None, *data["entries"][PAGE][1:]]}},
        lambda data: {**data, "entries": {PAGE: "K"}},
        lambda data: {**data, "entries": []},
        lambda data: {**data, "about": {**data["about"], "at": "later"}},
        lambda data: {**data, "about": []},
        lambda data: "no record",
    ],
)
def test_a_record_from_elsewhere_or_damaged_makes_no_page_stand(tmp_path: Path, damage: Any) -> None:
    _written(tmp_path)
    path = tmp_path / "record.json"
    _damaged(path, damage)
    record = GeneratedRecord(path, tmp_path, "S")
    assert _alone(record, PAGE, "D") is None and not record.kept(PAGE, "K")


@pytest.mark.parametrize("alone", [{PAGE: ["D"]}, {PAGE: None}, "D", None])
def test_a_damaged_record_of_digests_makes_no_page_stand_alone(tmp_path: Path, alone: Any) -> None:
    """The entries intact, a page still stands by the key it is made from (computed: the one recorded)."""
    _written(tmp_path)
    path = tmp_path / "record.json"
    _damaged(path, lambda data: {**data, "alone": alone})
    record = GeneratedRecord(path, tmp_path, "S")
    assert _alone(record, PAGE, "D") is None and record.kept(PAGE, "K")


def test_an_unchanged_page_stands_with_no_key_computed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the lists (whose key names every file of their folder) compute a key; an edit is made again."""
    monkeypatch.setattr(_generated_record, "RACY_NS", 0)  # pages just written are trusted too
    keyed: list[tuple[str, str | None]] = []
    real = PayloadBuilder.key_of
    monkeypatch.setattr(
        PayloadBuilder,
        "key_of",
        lambda self, memo, what, shown: keyed.append(shown) or real(self, memo, what, shown),
    )

    def run() -> dict[str, str]:
        keyed.clear()
        _memo._stores.clear()
        with _memo.memo_session(project):
            cur = load_curriculum(project)
            builder = payload_builder(Project(project), cur, "resident")
            done = prerender(
                project, cur, builder, reference=False, record=project / ".curriculum-cache" / "g.json"
            )
            return {name: (project / name).read_text(encoding="utf-8") for name in done.pages}

    first = run()
    assert any(ident != EVERY for _, ident in keyed)
    assert run() == first and keyed and all(ident == EVERY for _, ident in keyed)
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(
        quiz.read_text(encoding="utf-8").replace("doubts that", "doubts whether"), encoding="utf-8"
    )
    edited = run()
    assert "doubts whether" in edited["quiz/intro.qmd"] and ("quizzes", "intro") in keyed
    assert {name for name in first if edited[name] != first[name]} == {"quiz/intro.qmd"}


def test_the_pages_that_stand_are_kept_in_the_memo_at_once_and_only_made_again_if_not_kept(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pre-render finds the pages' memo store once for every page that stands, not once a page.

    A run cut short before it keeps them (here: it never does, and its session
    rewrites every file of the memo) loses their entries: the next run makes
    a page again when its file is gone, as it was.
    """
    monkeypatch.setattr(_generated_record, "RACY_NS", 0)  # pages just written are trusted too
    record = project / ".curriculum-cache" / "g.json"

    def run() -> dict[str, str]:
        _memo._stores.clear()
        with _memo.memo_session(project):
            cur = load_curriculum(project)
            done = prerender(
                project,
                cur,
                payload_builder(Project(project), cur, "resident"),
                reference=False,
                record=record,
            )
            return {name: (project / name).read_text(encoding="utf-8") for name in done.pages}

    first = run()
    stores: list[object] = []
    with pytest.MonkeyPatch.context() as spy:
        real = _prerender._PAGES._store
        spy.setattr(_prerender._PAGES, "_store", lambda: stores.append(1) or real())
        assert run() == first and len(stores) == 1, "one look for the store, every page standing"
    with pytest.MonkeyPatch.context() as cut:

        def cut_short(self: GeneratedPages) -> None:  # the memo's files rewritten, the pages not kept
            page = self["quiz/index.qmd"]
            for n in range(500):
                _prerender._PAGES.put(f"new {n}", page)

        cut.setattr(GeneratedPages, "keep_standing", cut_short)
        assert run() == first
    single = [name for name in first if not name.endswith("index.qmd")]
    for name in single:
        (project / name).unlink()
    made: list[str] = []
    real_put = _prerender._PAGES.put
    monkeypatch.setattr(
        _prerender._PAGES, "put", lambda text, *a, **k: made.append(text) or real_put(text, *a, **k)
    )
    assert run() == first and len(made) == len(single), "each page the memo lost is made again, as it was"


def test_a_record_is_written_without_reading_the_one_it_replaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It names the time it is written, so it never holds what the old one did: no comparison is made."""
    from curriculum.content import _files

    record = _written(tmp_path)
    record.wrote(PAGE, "a page", "another K", "D")
    read: list[Path] = []
    real = _files.read_existing
    monkeypatch.setattr(_files, "read_existing", lambda path, *a: read.append(path) or real(path, *a))
    record.save()
    assert GeneratedRecord(tmp_path / "record.json", tmp_path, "S").kept(PAGE, "another K")
    assert tmp_path / "record.json" not in read


def test_an_edit_writes_the_entries_it_changed_not_every_pages(tmp_path: Path) -> None:
    """The record is kept as its changes: a page made again writes its entry (and the time), no other."""
    from curriculum.content import changes_path

    names = [f"quiz/{n}.qmd" for n in "abcdefgh"]
    record = GeneratedRecord(tmp_path / "record.json", tmp_path, "S")
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name, encoding="utf-8")
        then = (tmp_path / name).stat().st_mtime_ns - 60 * 10**9
        os.utime(tmp_path / name, ns=(then, then))
        record.wrote(name, name, f"K{name}", f"D{name}")
    record.save()
    record = GeneratedRecord(tmp_path / "record.json", tmp_path, "S")
    digests = {name: f"D{name}" for name in names[1:]}
    assert set(record.standing_alone(digests)) == set(names[1:])
    (tmp_path / names[0]).write_text("edited", encoding="utf-8")
    then = (tmp_path / names[0]).stat().st_mtime_ns - 60 * 10**9  # not in the record's clock tick
    os.utime(tmp_path / names[0], ns=(then, then))
    record.wrote(names[0], "edited", "another K", "another D")
    record.save()
    changes = json.loads(changes_path(tmp_path / "record.json").read_text(encoding="utf-8"))
    assert set(changes["set"]["entries"]) == {names[0]} and set(changes["set"]["alone"]) == {names[0]}
    again = GeneratedRecord(tmp_path / "record.json", tmp_path, "S")
    assert again.kept(names[0], "another K") and set(again.standing_alone(digests)) == set(names[1:])


def test_the_hash_of_each_file_written_or_standing_is_known_without_reading_it(tmp_path: Path) -> None:
    """The record keeps each file's hash as written: one that stands is neither read nor hashed again.

    A record of the earlier form (no hash in its entries) is none: its files are made again.
    """
    import hashlib

    record = _written(tmp_path, "a page")
    assert record.hashes() == {}  # nothing stood yet
    assert _alone(record, PAGE, "D") == "K"
    assert record.hashes() == {PAGE: hashlib.sha256(b"a page").hexdigest()}
    kept = _written(tmp_path, "another page")
    assert kept.kept(PAGE, "K") and kept.hashes() == {PAGE: hashlib.sha256(b"another page").hexdigest()}
    entries = _record(tmp_path / "record.json")["entries"]
    _damaged(tmp_path / "record.json", lambda data: {**data, "entries": {PAGE: entries[PAGE][:3]}})
    older = GeneratedRecord(tmp_path / "record.json", tmp_path, "S")
    assert _alone(older, PAGE, "D") is None and not older.kept(PAGE, "K") and older.hashes() == {}
