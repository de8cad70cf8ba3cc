"""The content index: an unchanged file is taken as it loaded before, and anything doubtful is read again."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from curriculum import _memo
from curriculum._cache import PROJECT_CACHE
from curriculum._memo import memo_session
from curriculum.content import (
    _project,
    _record_changes,
    load_curriculum,
    load_files,
    project_file_names,
    project_files,
)
from curriculum.content._index import INDEX_FILE, ContentIndex
from curriculum.content._record_changes import changes_path
from tests.conftest import INVALID, aged


def loaded(root: Path, *, ask: bool = True) -> tuple[Any, ContentIndex]:
    """Load ``root`` through its index, as a new process does; return the curriculum and the index.

    With ``ask``, everything a document holds is asked for inside the load's memo session, as a command does.
    """
    _memo._stores.clear()  # a new process: what the index names comes from the memo's files
    with memo_session(root):
        index = ContentIndex(root)
        cur = load_files(project_files(root), root=root, index=index)
        index.save()
        if ask:
            described(cur)
    return cur, index


def damage_memo(root: Path, namespace: str, value: Callable[[bytes], bytes]) -> None:
    """Replace the value of every entry of a memo by what ``value`` makes of it."""
    for path in (root / PROJECT_CACHE / "memo").glob(f"{namespace}.*.jsonl"):
        head, *lines = path.read_bytes().split(b"\n")
        entries = [line.partition(b"\t") for line in lines]
        path.write_bytes(b"\n".join([head, *(k + t + value(v) if t else k for k, t, v in entries)]))


def described(cur: Any) -> list[Any]:
    """Return everything a load gives, documents in full (model, places, cells, digest), and the problems."""
    return [
        *(
            (d.display, d.id, d.model, d.locs, d.cells, d.digest, type(d.model).__name__)
            for d in cur.documents()
        ),
        sorted(cur.diagnostics),
    ]


def test_an_unchanged_project_is_loaded_from_the_index_as_it_is_from_its_files(project: Path) -> None:
    aged(project)
    cold = load_files(project_files(project), root=project)  # no index
    first, index = loaded(project)
    assert index.reused == 0 and (project / PROJECT_CACHE / INDEX_FILE).is_file()
    second, index = loaded(project)
    content = [p for p in project_files(project) if p.suffix != ".bib"]
    assert index.reused == len(content), "every content file but the bibliography"
    assert all(isinstance(d, _project._IndexedDocument) for d in second.documents())
    assert described(second) == described(first) == described(cold)


@pytest.mark.parametrize("where", ["project", "above", "inside", "beside"])
def test_files_from_the_index_are_shown_as_from_the_working_folder(
    project: Path, where: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A file's path is shown as an author would type it, from wherever the command runs."""
    aged(project)
    loaded(project)
    beside = tmp_path / "elsewhere"
    beside.mkdir()
    folders = {"project": project, "above": project.parent, "inside": project / "lessons", "beside": beside}
    monkeypatch.chdir(folders[where])
    asked: list[Path] = []
    display_path = _project.display_path
    monkeypatch.setattr(_project, "display_path", lambda path: asked.append(path) or display_path(path))
    cur, index = loaded(project)
    assert index.reused
    shown = [d.display for d in cur.documents()]
    assert shown == [display_path(d.path) for d in cur.documents()]
    if where == "inside":
        assert any("/" not in name for name in shown), "the lessons beside the working folder by their names"
    else:  # the project's files are shown inside its folder, asked for once
        assert len([p for p in asked if p.suffix != ".bib"]) == 1, asked


def test_an_edited_file_is_read_again(project: Path) -> None:
    aged(project)
    loaded(project)
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("30-year-old woman", "a 30-year-old woman"))
    cur, index = loaded(project)
    assert "a 30-year-old woman" in cur.quizzes["intro"].model.model_dump_json()
    assert not isinstance(cur.quizzes["intro"], _project._IndexedDocument)
    assert index.reused == len(project_files(project)) - 2  # the quiz, and the bibliography
    assert described(cur) == described(load_files(project_files(project), root=project))


def test_a_file_edited_in_the_second_of_its_recording_is_read_again(project: Path) -> None:
    """Same size, same time: the racy rule (as Git's index has it) reads a file changed near its recording."""
    aged(project)
    quiz = project / "quizzes" / "intro.yml"
    now = time.time()
    os.utime(quiz, (now, now))
    loaded(project)  # records the quiz with a time inside the racy window
    text = quiz.read_text()
    quiz.write_text(text.replace("30-year-old", "31-year-old"))  # the same size
    os.utime(quiz, (now, now))  # and the same time
    cur, _ = loaded(project)
    assert "31-year-old" in cur.quizzes["intro"].model.model_dump_json()


@pytest.mark.parametrize(
    "damage",
    [
        "foreign",
        "garbled line",
        "bad digest",
        "another digest",
        "another kind",
        "bad model",
        "no model",
        "bad places",
        "link",
        "shifted columns",
    ],
)
def test_a_doubtful_index_is_not_trusted(project: Path, damage: str, tmp_path: Path) -> None:
    aged(project)
    loaded(project)
    path = project / PROJECT_CACHE / INDEX_FILE
    head, *lines = path.read_bytes().split(b"\n")
    header = json.loads(head)
    quiz_line = next(i for i, line in enumerate(lines) if line.startswith(b"quizzes/intro.yml\t"))
    fields = lines[quiz_line].split(b"\t")
    if damage == "foreign":  # a record from another computer or version: a repository's, say
        header["key"] = "0" * 64
        head = json.dumps(header).encode()
    elif damage == "garbled line":
        lines[quiz_line] = b"quizzes/intro.yml\tnot\tan\tentry"
    elif damage == "bad digest":  # not a SHA-256 (it keys the memo): the file is read
        fields[3] = b"\xff" * 64
        lines[quiz_line] = b"\t".join(fields)
    elif damage == "another digest":  # a SHA-256, of another text: the entry fails its check
        fields[3] = hashlib.sha256(b"x").hexdigest().encode()
        lines[quiz_line] = b"\t".join(fields)
    elif damage == "another kind":  # a kind that exists: the entry fails its check
        fields[4] = b"vignettes"
        lines[quiz_line] = b"\t".join(fields)
    elif damage == "shifted columns":  # a line short of fields, one with too many: the count balances
        others = [line.split(b"\t") for i, line in enumerate(lines) if line and i != quiz_line]
        other, sealed = others[0], others[1]  # another file's digest, kind and key; another entry's check
        lines = [line for line in lines if line and line.split(b"\t")[0] not in (fields[0], sealed[0])]
        shifted = b"\t".join([b"pad"] * 7 + fields[:3] + other[3:6] + sealed[6:])
        lines += [shifted, b"\t".join(sealed[:6]), b"z"]
        assert sum(line.count(b"\t") + 1 for line in lines) == 7 * len(lines)
        lines.append(b"")  # each line ends with a newline
    path.write_bytes(b"\n".join([head, *lines]))
    if damage == "bad model":  # the models validate into nothing: the files are read
        damage_memo(project, "content.document", lambda v: b'{"title": 3}\t' + v.partition(b"\t")[2])
    elif damage == "no model":  # the memo lost them: the files are read
        damage_memo(project, "content.document", lambda _: b"[not json")
    elif damage == "bad places":  # the models stand; the places come from the files when asked for
        damage_memo(project, "content.document", lambda v: v.partition(b"\t")[0] + b"\t[not json")
    if damage == "link":
        elsewhere = tmp_path / "index.tsv"
        elsewhere.write_bytes(path.read_bytes())
        path.unlink()
        path.symlink_to(elsewhere)
    cur, index = loaded(project)
    expected = described(load_files(project_files(project), root=project))
    assert described(cur) == expected
    content = len(project_files(project)) - 1
    reused = {"foreign": 0, "garbled line": content - 1, "bad digest": content - 1, "bad model": content}
    reused["another digest"] = reused["another kind"] = content - 1
    reused["no model"] = content  # the files are read when their models are asked for, and the memo repaired
    reused["bad places"] = content
    reused["link"] = 0
    reused["shifted columns"] = content - 2  # neither the quiz nor the file whose check was borrowed
    assert index.reused == reused[damage]
    if damage == "link":
        assert not path.is_symlink(), "the link is replaced, its target left alone"


def test_a_sealed_entry_whose_fields_are_not_ascii_is_not_trusted(project: Path) -> None:
    """Its digest, kind and key name memo entries: one that is not ASCII is read, though its checks hold."""
    aged(project)
    loaded(project)
    path = project / PROJECT_CACHE / INDEX_FILE
    index = ContentIndex(project)
    head, *lines = path.read_bytes().split(b"\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(b"quizzes/intro.yml\t"))
    fields = lines[at].decode().split("\t")[:6]
    fields[3] = "\u00e9" * 64
    lines[at] = "\t".join([*fields, index._sealed(fields)]).encode()
    body = b"\n".join(lines)
    header = {**json.loads(head), "entries": index._body_seal(body)}
    path.write_bytes(json.dumps(header).encode() + b"\n" + body)
    assert ContentIndex(project)._intact, "the entries' check holds"
    cur, index = loaded(project)
    assert described(cur) == described(load_files(project_files(project), root=project))
    assert index.reused == len(project_files(project)) - 2  # neither the bibliography nor the quiz


def test_an_index_as_written_checks_no_entry_alone(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The header's check of all the entries vouches for each; one entry damaged: each is checked alone."""
    aged(project)
    loaded(project)
    checked: list[list[bytes]] = []
    sealed = ContentIndex._sealed
    monkeypatch.setattr(
        ContentIndex, "_sealed", lambda self, fields: checked.append(fields) or sealed(self, fields)
    )
    content = len(project_files(project)) - 1  # the bibliography is not indexed
    _, index = loaded(project)
    assert index.reused == content and checked == []
    path = project / PROJECT_CACHE / INDEX_FILE
    text = path.read_bytes()
    start = text.index(b"\nquizzes/intro.yml\t") + 1
    path.write_bytes(text[:start] + b"quizzes/intro.yml\t1" + text[start + len(b"quizzes/intro.yml\t") :])
    _, index = loaded(project)
    assert index.reused == content - 1 and len(checked) == content  # all but the damaged entry stand


def test_a_model_is_read_from_the_memo_only_when_asked_for(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load of unchanged files reads no model: a check or build that reuses what it found reads none."""
    aged(project)
    loaded(project)
    asked: list[str] = []
    stored = _project._DOCUMENTS.stored
    monkeypatch.setattr(
        _project._DOCUMENTS, "stored", lambda text, **kw: asked.append(text) or stored(text, **kw)
    )
    _memo._stores.clear()
    with memo_session(project):
        cur = load_files(project_files(project), root=project, index=ContentIndex(project))
        assert asked == []
        quiz = cur.quizzes["intro"]
        assert quiz.model.title and quiz.at("title") and asked == [quiz.digest]


def test_a_damaged_model_is_read_from_its_file_once_and_stored_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    aged(project)
    loaded(project)
    damage_memo(project, "content.document", lambda v: b'{"title": 3}\t' + v.partition(b"\t")[2])
    first, _ = loaded(project)  # each model read from its file, and the memo repaired
    monkeypatch.setattr(_project._IndexedDocument, "_read", lambda self: pytest.fail("a file was read again"))
    again, _ = loaded(project, ask=False)
    models = [(d.display, d.model, d.locs) for d in again.documents()]  # a lesson's cells come from its file
    assert models == [(d.display, d.model, d.locs) for d in first.documents()]


def test_a_load_looks_up_no_model_and_a_lost_one_is_read_from_its_file_and_stored_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unchanged file's entry is kept without a search of the memo; one it lost is read when asked."""
    aged(project)
    first, _ = loaded(project)
    searched: list[bytes] = []
    search = _memo._search
    monkeypatch.setattr(
        _memo, "_search", lambda data, low, key, **kw: searched.append(key) or search(data, low, key, **kw)
    )
    _memo._stores.clear()
    with memo_session(project):
        load_files(project_files(project), root=project, index=ContentIndex(project))
    assert searched == [], "a load of unchanged files searches no memo file"
    for path in (project / PROJECT_CACHE / "memo").glob("content.document.*.jsonl"):
        path.unlink()  # the memo lost every model
    again, index = loaded(project)
    assert index.reused == len(project_files(project)) - 1, "still taken from the index"
    assert described(again) == described(first)
    monkeypatch.setattr(_project._IndexedDocument, "_read", lambda self: pytest.fail("a file was read again"))
    third, _ = loaded(project, ask=False)
    assert [(d.display, d.model, d.locs) for d in third.documents()] == [
        (d.display, d.model, d.locs) for d in first.documents()
    ], "the models read again were stored again"


def test_a_file_with_problems_is_never_indexed(project: Path) -> None:
    """Its problems are found and reported at every load, not remembered away."""
    broken = project / "quizzes" / "broken.yml"
    broken.write_text((INVALID / "cur201.yml").read_text())
    aged(project)
    first, _ = loaded(project)
    second, index = loaded(project)
    problems = [d for d in first.diagnostics if d.path.endswith("broken.yml")]
    assert problems and problems == [d for d in second.diagnostics if d.path.endswith("broken.yml")]
    assert b"quizzes/broken.yml" not in (project / PROJECT_CACHE / INDEX_FILE).read_bytes()
    assert index.reused == len(project_files(project)) - 2


def test_load_curriculum_keeps_the_index(project: Path) -> None:
    aged(project)
    load_curriculum(project)
    assert isinstance(load_curriculum(project).quizzes["intro"], _project._IndexedDocument)


def test_a_lesson_changed_after_it_was_loaded_is_reported_not_checked_as_it_was(project: Path) -> None:
    """Cells read later must be those of the text the index recorded; else the command stops, located."""
    from curriculum.errors import ContentError

    aged(project)
    loaded(project)
    cur, _ = loaded(project, ask=False)
    lesson = project / "lessons" / "intro.ipynb"
    lesson.write_text(lesson.read_text() + "\n")
    with pytest.raises(ContentError) as raised:
        _ = cur.lessons["intro"].cells
    assert [(d.code, d.path.endswith("lessons/intro.ipynb")) for d in raised.value.diagnostics] == [
        ("CUR101", True)
    ]
    (problem,) = raised.value.diagnostics
    assert problem.format().endswith(
        "lessons/intro.ipynb:1:1: error CUR101: the file changed while it was being read "
        "(run the command again once the file is saved)"
    )


def test_an_indexed_file_that_became_a_link_out_of_the_project_is_refused(
    project: Path, tmp_path: Path
) -> None:
    """Moved out and linked back (its time and size kept): refused as any file outside is, not indexed."""
    aged(project)
    loaded(project)
    lesson = project / "lessons" / "intro.ipynb"
    outside = tmp_path / "elsewhere.ipynb"
    os.rename(lesson, outside)
    lesson.symlink_to(outside)
    cur, _ = loaded(project)
    assert "intro" not in cur.lessons, cur.diagnostics
    assert any(d.code == "CUR106" and d.path.endswith("lessons/intro.ipynb") for d in cur.diagnostics), (
        cur.diagnostics
    )


def test_a_link_inside_the_project_is_indexed_by_the_file_it_leads_to(project: Path) -> None:
    """The link's own time and size do not change when its file is edited: the file's are recorded."""
    quiz = project / "quizzes" / "intro.yml"
    kept = project / "shared" / "intro.yml"
    kept.parent.mkdir()
    os.rename(quiz, kept)
    quiz.symlink_to(os.path.relpath(kept, quiz.parent))
    aged(project)
    then = time.time() - 60
    os.utime(quiz, (then, then), follow_symlinks=False)  # the link's own time, old too
    first, _ = loaded(project)
    assert first.quizzes["intro"].model.items[0].stem.startswith("A resident")
    kept.write_text(kept.read_text().replace("A resident", "A fellow", 1))
    aged(kept.parent, 30)  # edited, then left alone (the others keep their times)
    second, index = loaded(project)
    assert second.quizzes["intro"].model.items[0].stem.startswith("A fellow")
    assert index.reused == len(project_files(project)) - 2, "only the edited file is read (and the .bib)"


def _linked_out(file: Path, elsewhere: Path) -> Path:
    """Make ``file`` a link to a copy in ``elsewhere``, of the time and size the index holds; return it."""
    outside = elsewhere / file.name
    shutil.copy2(file, outside)
    file.unlink()
    file.symlink_to(outside)
    return file


def test_a_file_made_a_link_out_beside_indexed_files_is_refused(project: Path, tmp_path: Path) -> None:
    """Its folder leads inside for the files beside it, listed first: the link is checked on its own."""
    quizzes = sorted((project / "quizzes").glob("*.yml"))
    assert len(quizzes) > 1, "a plain file is listed before the link"
    aged(project)
    loaded(project)
    last = _linked_out(quizzes[-1], tmp_path)
    cur, _ = loaded(project)
    assert last.stem not in cur.quizzes and quizzes[0].stem in cur.quizzes
    assert any(d.code == "CUR106" and d.path.endswith(f"quizzes/{last.name}") for d in cur.diagnostics)


def test_an_unchanged_load_computes_no_memo_key(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each kept document's memo entry is kept under the key its index line holds: none is computed."""
    aged(project)
    loaded(project)
    keys: list[str] = []
    key = _project._DOCUMENTS.key
    monkeypatch.setattr(
        _project._DOCUMENTS, "key", lambda text, context="": keys.append(text) or key(text, context)
    )
    kept: list[list[str]] = []
    keep_keys = _project._DOCUMENTS.keep_keys
    monkeypatch.setattr(
        _project._DOCUMENTS, "keep_keys", lambda found: keep_keys(kept.append(list(found)) or kept[0])
    )
    cur, index = loaded(project, ask=False)
    assert index.reused == len(kept[0]) > 0
    assert keys == [], "no key computed"
    docs = [*cur.lessons.values(), *cur.notes.values(), *(d for t in cur.tables.values() for d in t.values())]
    docs += [cur.techniques] if cur.techniques is not None else []
    expected = sorted(key(d.digest, d.__dict__["_origin"].kind) for d in docs)
    assert sorted(kept[0]) == expected, "the keys the documents are kept under"


def test_an_indexed_file_costs_one_look_at_its_status(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether it is a link, and its time and size, come from one call: one look a file."""
    aged(project)
    loaded(project)
    files = {os.fspath(p) for p in project_files(project) if p.suffix != ".bib"}  # the index holds
    looks = _looked_at(monkeypatch, files)
    _, index = loaded(project, ask=False)
    assert index.reused == len(files)
    assert sorted(looks) == sorted(files), "one look a file"


def test_a_load_keeps_the_documents_of_its_unchanged_files_at_once(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The memo's store is found once for all the files the index gives, not once each; each stays kept."""
    aged(project)
    first, _ = loaded(project)
    stores: list[object] = []
    store = _project._DOCUMENTS._store
    monkeypatch.setattr(_project._DOCUMENTS, "_store", lambda: stores.append(1) or store())
    _, index = loaded(project, ask=False)
    assert index.reused == len(project_files(project)) - 1 and len(stores) == 1
    monkeypatch.undo()
    _memo._stores.clear()
    with memo_session(project):  # a session that rewrites the documents' memo, asking for none of them
        new = {_project._DOCUMENTS.key(f"new {n}", "quizzes")[0]: f"new {n}" for n in range(500)}
        for text in new.values():  # one new entry in each of its files (by its keys' first digit)
            _project._DOCUMENTS.put(text, b"{}", context="quizzes")
        load_files(project_files(project), root=project, index=ContentIndex(project))
    monkeypatch.setattr(_project._IndexedDocument, "_read", lambda self: pytest.fail("a file was read again"))
    third, _ = loaded(project, ask=False)
    assert [(d.display, d.model, d.locs) for d in third.documents()] == [
        (d.display, d.model, d.locs) for d in first.documents()
    ], "every document was kept when its file was rewritten"


def test_an_indexed_file_makes_its_path_object_only_when_asked_for(project: Path) -> None:
    """A project's files are listed as names: a document the index holds makes its path when asked for."""
    aged(project)
    loaded(project)
    _memo._stores.clear()
    cur = load_curriculum(project)
    quiz = cur.quizzes["intro"]
    assert isinstance(quiz, _project._IndexedDocument) and "path" not in quiz.__dict__
    assert quiz.path == project / "quizzes" / "intro.yml" and quiz.id == "intro"
    assert [d.path for d in cur.documents()] == [
        d.path for d in load_files(project_files(project)).documents()
    ]


def test_an_indexed_file_names_its_file_without_a_path_object(project: Path) -> None:
    """``file`` is ``os.fspath(path)``; a document the index holds gives it as listed, making no path."""
    aged(project)
    loaded(project)
    _memo._stores.clear()
    cur = load_curriculum(project)
    lesson = cur.lessons["intro"]
    assert isinstance(lesson, _project._IndexedDocument)
    assert lesson.file == os.fspath(project / "lessons" / "intro.ipynb") and "path" not in lesson.__dict__
    shown = cur.showing("quizzes", "intro").lessons["intro"]
    assert shown.file == lesson.file and "path" not in lesson.__dict__  # a view of it makes none either
    assert "file" in lesson.__dict__ and "file" in shown.__dict__, "made with it: asking it makes no call"
    assert [d.file for d in cur.documents()] == [
        os.fspath(d.path) for d in load_files(project_files(project)).documents()
    ]


def test_only_an_entry_with_a_sha256_is_recorded(project: Path) -> None:
    """The digest keys the memo: checked when an entry is recorded (read back, its check vouches for it)."""
    from curriculum.content._index import IndexEntry

    index = ContentIndex(project)
    info = os.stat(project / "quizzes" / "intro.yml")
    sha = hashlib.sha256(b"x").hexdigest()
    index.remember("quizzes/intro.yml", info, IndexEntry("quizzes", "not-a-digest", sha))
    index.remember("quizzes/keyless.yml", info, IndexEntry("quizzes", sha, "not-a-key"))
    index.remember("quizzes/other.yml", info, IndexEntry("quizzes", sha, sha))
    index.save()
    lines = (project / PROJECT_CACHE / INDEX_FILE).read_bytes().split(b"\n")
    names = [line.split(b"\t")[0] for line in lines]
    assert b"quizzes/other.yml" in names
    assert b"quizzes/intro.yml" not in names and b"quizzes/keyless.yml" not in names


def test_a_file_name_that_is_not_utf8_is_indexed_as_any_other(project: Path) -> None:
    quiz = project / "quizzes" / "intro.yml"
    odd = project / "quizzes" / os.fsdecode(b"intro-\xff.yml")
    odd.write_bytes(quiz.read_bytes())
    aged(project)
    first, _ = loaded(project)
    second, index = loaded(project)
    assert described(second) == described(first) and index.reused == len(project_files(project)) - 1


def test_an_indexed_file_is_placed_from_the_memo_without_being_read(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its model and its places come from the memo, by its digest: no content file is opened."""
    aged(project)
    first, _ = loaded(project)
    quiz = first.quizzes["intro"]
    real = _project._read_one

    def read_one(cur: Any, path: Path, *args: Any, **kwargs: Any) -> Any:
        assert path.suffix == ".bib", f"{path.name} was read"
        return real(cur, path, *args, **kwargs)

    monkeypatch.setattr(_project, "_read_one", read_one)
    _memo._stores.clear()
    with memo_session(project):
        second = load_curriculum(project)
        again = second.quizzes["intro"]
        assert (again.model, again.locs) == (quiz.model, quiz.locs)
        assert all(isinstance(d, _project._IndexedDocument) for d in second.documents())
    assert len((project / PROJECT_CACHE / INDEX_FILE).read_bytes()) < 300 * len(project_files(project))


def test_places_are_kept_with_the_document_for_a_check_outside_the_load(project: Path) -> None:
    """A library user checks after loading (no memo session): places come with the document."""
    from curriculum.content import check_curriculum

    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("lesson: intro", "lesson: intro-missing"))
    aged(project)
    load_curriculum(project)
    _memo._stores.clear()
    cur = load_curriculum(project)
    assert isinstance(cur.quizzes["intro"], _project._IndexedDocument)
    quiz.write_text(quiz.read_text().replace("Which finding", "What finding"))  # saved meanwhile
    found = [d for d in check_curriculum(cur) if "intro-missing" in d.message]
    assert found and all(d.path.endswith("quizzes/intro.yml") and d.line > 1 for d in found)


def test_a_model_read_again_outside_a_session_leaves_the_memo_whole(project: Path) -> None:
    """Stored again only in the project's session: a session opened for one value writes it alone."""
    aged(project)
    loaded(project)
    damage_memo(project, "content.document", lambda v: b'{"title": 3}\t' + v.partition(b"\t")[2])
    entries = len(stored_entries(project))
    cur, _ = loaded(project, ask=False)  # the session ends before any model is asked for
    assert all(doc.model is not None for doc in cur.documents())  # each file read again, outside it
    assert len(stored_entries(project)) == entries, "the memo keeps every entry"


def stored_entries(root: Path) -> list[bytes]:
    """Every entry line of the content memo's files."""
    lines = []
    for path in (root / PROJECT_CACHE / "memo").glob("content.document.*.jsonl"):
        lines += [line for line in path.read_bytes().split(b"\n")[1:] if line]
    return lines


def _looked_at(monkeypatch: pytest.MonkeyPatch, files: set[str]) -> list[str]:
    """Return the list every look at one of ``files`` (``os.stat``, ``os.lstat``) is noted in, from now on."""
    looks: list[str] = []
    for name in ("stat", "lstat"):
        real = getattr(os, name)

        def look(path: Any, *args: Any, real: Any = real, **kwargs: Any) -> Any:
            if os.fspath(path) in files:
                looks.append(os.fspath(path))
            return real(path, *args, **kwargs)

        monkeypatch.setattr(os, name, look)
    return looks


def test_a_load_given_the_status_of_its_files_looks_at_none_of_them_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build's stamp looked at every input moments before: the load takes those statuses."""
    aged(project)
    load_curriculum(project)
    files = {name for name in project_file_names(project) if not name.endswith(".bib")}
    seen = {name: os.lstat(name) for name in files}
    looks = _looked_at(monkeypatch, files)
    cur = load_curriculum(project, seen=seen)
    assert looks == []
    assert all(isinstance(d, _project._IndexedDocument) for d in cur.documents())
    assert described(cur) == described(load_files(project_files(project), root=project))


def test_a_load_goes_by_the_status_it_is_given_and_the_next_one_sees_the_edit(project: Path) -> None:
    """As if made when its caller looked: a file edited since is taken as it was then, and read next time."""
    aged(project)
    load_curriculum(project)
    quiz = project / "quizzes" / "intro.yml"
    seen = {os.fspath(quiz): os.lstat(quiz)}
    quiz.write_text(quiz.read_text().replace("30-year-old", "thirty-year-old"))
    then = load_curriculum(project, seen=seen)
    assert "thirty-year-old" not in then.quizzes["intro"].model.model_dump_json()
    now = load_curriculum(project)
    assert "thirty-year-old" in now.quizzes["intro"].model.model_dump_json()


def test_a_listed_file_made_a_link_out_is_refused_whatever_status_the_others_were_given(
    project: Path, tmp_path: Path
) -> None:
    """A load of the project's folders takes only the files no link from the index (a build's stamp
    gives no status for a link): one made a link out, with the time and size recorded, is refused."""
    quizzes = sorted((project / "quizzes").glob("*.yml"))
    aged(project)
    load_curriculum(project)
    last = _linked_out(quizzes[-1], tmp_path)
    seen = {os.fspath(q): os.lstat(q) for q in quizzes[:-1]}
    for cur in (load_curriculum(project), load_curriculum(project, seen=seen)):
        assert last.stem not in cur.quizzes and quizzes[0].stem in cur.quizzes
        assert any(d.code == "CUR106" and d.path.endswith(f"quizzes/{last.name}") for d in cur.diagnostics)


def test_a_folder_the_index_holds_as_it_is_is_taken_in_one_step(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No file of a folder no edit touched is looked up alone: only those of the folder that changed."""
    aged(project)
    first = load_curriculum(project)
    alone: list[str] = []
    held = ContentIndex.held
    monkeypatch.setattr(
        ContentIndex, "held", lambda self, name, info: alone.append(name) or held(self, name, info)
    )
    again = load_curriculum(project)
    assert all(isinstance(d, _project._IndexedDocument) for d in again.documents())
    assert described(again) == described(first)
    assert alone == [], "the technique vocabulary's folder too"
    assert again.techniques is not None and "techniques" not in again.vignettes
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("30-year-old", "thirty-year-old"))
    alone.clear()
    edited = load_curriculum(project)
    assert "thirty-year-old" in edited.quizzes["intro"].model.model_dump_json()
    assert alone == ["quizzes/intro.yml"], "the folder's other files are taken at once, as no edit takes them"
    assert list(edited.quizzes) == list(first.quizzes), "in the folder's order"
    assert all(isinstance(d, _project._IndexedDocument) for d in edited.documents() if d.id != "intro")
    assert described(load_curriculum(project)) == described(load_files(project_files(project), root=project))


def test_an_edit_inside_a_folder_leaves_the_runs_around_it_taken_at_once_in_their_order(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files before and after the one edited are taken as with no edit; the table keeps its order."""
    quizzes = project / "quizzes"
    shutil.copy(quizzes / "intro.yml", quizzes / "intro-middle.yml")  # between intro-final and intro
    aged(project)
    first = load_curriculum(project)
    assert list(first.quizzes) == ["intro-final", "intro-middle", "intro"]
    edited = quizzes / "intro-middle.yml"
    edited.write_text(edited.read_text().replace("30-year-old", "thirty-year-old"))
    alone: list[str] = []
    held = ContentIndex.held
    monkeypatch.setattr(
        ContentIndex, "held", lambda self, name, info: alone.append(name) or held(self, name, info)
    )
    placed: list[list[str]] = []
    place_all = _project._Batch._place_all
    monkeypatch.setattr(
        _project._Batch,
        "_place_all",
        lambda self, shown, files, *rest: (
            placed.append(list(map(os.path.basename, files))) or place_all(self, shown, files, *rest)
        ),
    )
    again = load_curriculum(project)
    assert alone == ["quizzes/intro-middle.yml"]
    assert ["intro-final.yml"] in placed and ["intro.yml"] in placed, "each run at once"
    assert list(again.quizzes) == list(first.quizzes)
    assert not isinstance(again.quizzes["intro-middle"], _project._IndexedDocument)
    assert isinstance(again.quizzes["intro"], _project._IndexedDocument)
    assert described(again) == described(load_files(project_files(project), root=project))


def test_a_file_changed_in_the_tick_of_the_recording_is_not_held_with_its_folder(project: Path) -> None:
    """One file of a folder too recent to trust is not held (it is read); the folder's others are."""
    aged(project)
    quizzes = sorted((project / "quizzes").glob("*.yml"))
    later = time.time() - 30
    os.utime(quizzes[-1], (later, later))  # changed after the others
    load_curriculum(project)
    index = ContentIndex(project)
    names = [f"quizzes/{q.name}" for q in quizzes]
    statuses = [os.lstat(q) for q in quizzes]
    assert index.held_all(names, statuses) is not None
    recent = ContentIndex(project)
    recent._at = statuses[-1].st_mtime_ns + 1  # recorded in the tick the last file was changed in
    part = recent.held_all(names, statuses)
    assert part is not None and part.held == [True] * (len(names) - 1) + [False]
    assert recent.reused == len(names) - 1
    assert recent.held(names[0], statuses[0]) is not None and recent.held(names[-1], statuses[-1]) is None
    assert index.held_all(names, [*statuses[:-1], None]) is None, "a link: looked at alone"


def test_a_second_technique_vocabulary_is_reported_as_when_read(project: Path) -> None:
    """The vocabulary is one document, taken alone from its folder: a second one, elsewhere, is reported."""
    vocabulary = project / "vignettes" / "techniques.yml"
    shutil.copy(vocabulary, project / "quizzes" / "techniques.yml")
    aged(project)
    cold = load_files(project_files(project), root=project)
    assert any(d.code == "CUR312" for d in cold.diagnostics)
    for _ in range(2):  # recorded, then taken from the index
        cur = load_curriculum(project)
        assert described(cur) == described(cold)


@pytest.mark.parametrize(
    "names",
    [
        ["intro.yml", "a.b.yaml", "00-orientation.ipynb"],
        [".ipynb", ".qmd", "x.", "plain", "..yml", "a..yml"],
        [],
    ],
)
def test_a_folder_taken_at_once_gives_each_file_the_id_its_name_alone_gives(names: list[str]) -> None:
    """The ids of a folder taken in one step are each file's stem, as a file taken alone is given."""
    assert _project._stems(names) == [Path(name).stem for name in names] == list(map(_project._stem, names))


def test_a_view_of_a_view_shows_the_same_front_matter_of_the_lessons(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A payload made from a view asks its own views: the lessons' front matter is not made again for them."""
    cur = load_curriculum(project)
    view = cur.showing("quizzes", "intro")
    made: list[str] = []
    real = _project._FrontMatterOnly.of
    monkeypatch.setattr(_project._FrontMatterOnly, "of", lambda doc: made.append(doc.id) or real(doc))
    again = view.showing("quizzes", "intro")
    assert again.lessons is view.lessons and made == []
    assert again.lessons["intro"].model is cur.lessons["intro"].model
    with pytest.raises(_project.HiddenContent):
        assert again.lessons["intro"].cells
    with pytest.raises(_project.HiddenContent):
        assert again.vignettes["first-visit"]


def test_the_lessons_texts_that_key_their_digests_are_taken_all_at_once(project: Path) -> None:
    """Each lesson's id and text's digest, in order: what keys the lessons' memos."""
    lessons = load_curriculum(project).lessons
    assert _project._lessons_texts(lessons) == [(i, d.digest) for i, d in lessons.items()]
    assert _project._lessons_texts({}) == []


def test_what_the_lessons_give_every_payload_is_the_same_from_any_working_folder(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lesson is shown by another path from another folder: every payload's key is the same."""
    digests = []
    for here in (project, project / "lessons"):
        monkeypatch.chdir(here)
        lessons = load_curriculum(project).lessons
        digests.append((_project.lessons_digest(lessons), [d.display for d in lessons.values()]))
    (first, shown), (second, shown_again) = digests
    assert shown != shown_again and first == second


@pytest.fixture
def small_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Changes are written, not a new base, however large beside a small project's index."""
    monkeypatch.setattr(_record_changes, "COMPACT_AT", 0)


def _edit_intro(project: Path, text: str) -> None:
    """Edit the quiz, dated back as a file not just edited is."""
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("30-year-old woman", text))
    _dated_back(quiz)


def _dated_back(path: Path) -> None:
    then = time.time() - 30
    os.utime(path, (then, then))


def test_an_edit_of_one_file_writes_its_entry_only(project: Path, small_changes: None) -> None:
    """The base is left as it was; the changes hold the edited file's line, and name a file gone."""
    aged(project)
    loaded(project)
    path = project / PROJECT_CACHE / INDEX_FILE
    changes = changes_path(path)
    base = path.read_bytes()
    assert not changes.exists()
    _edit_intro(project, "a 30-year-old woman")
    (project / "quizzes" / "gone.yml").write_bytes((project / "quizzes" / "intro.yml").read_bytes())
    _dated_back(project / "quizzes" / "gone.yml")
    loaded(project)
    assert path.read_bytes() == base
    (project / "quizzes" / "gone.yml").unlink()
    cur, index = loaded(project)
    assert path.read_bytes() == base
    _, *lines = changes.read_bytes().split(b"\n")
    assert [line.split(b"\t")[0] for line in lines] == [b"quizzes/intro.yml", b""]  # against the base
    assert index.reused == len(project_files(project)) - 1  # all but the bibliography
    assert described(cur) == described(load_files(project_files(project), root=project))
    assert "gone" not in cur.quizzes and "quizzes/gone.yml" not in ContentIndex(project)._row


def test_a_file_gone_is_no_entry_of_the_index(project: Path, small_changes: None) -> None:
    """A file the base holds, gone: the changes name it alone on its line, and no entry stands for it."""
    extra = project / "quizzes" / "extra.yml"
    extra.write_bytes((project / "quizzes" / "intro.yml").read_bytes())
    aged(project)
    loaded(project)
    assert "quizzes/extra.yml" in ContentIndex(project)._row
    extra.unlink()
    _edit_intro(project, "a 30-year-old woman")
    loaded(project)
    assert "quizzes/extra.yml" not in ContentIndex(project)._row
    assert changes_path(project / PROJECT_CACHE / INDEX_FILE).read_bytes().endswith(b"\nquizzes/extra.yml\n")


@pytest.mark.parametrize("damage", ["garbled", "resealed elsewhere", "cut"])
def test_changes_not_as_written_make_no_index(project: Path, damage: str, small_changes: None) -> None:
    aged(project)
    loaded(project)
    _edit_intro(project, "a 30-year-old woman")
    loaded(project)
    changes = changes_path(project / PROJECT_CACHE / INDEX_FILE)
    head, body = changes.read_bytes().split(b"\n", 1)
    if damage == "garbled":
        body = body.replace(b"quizzes/intro.yml", b"quizzes/intro.ymx")
    elif damage == "resealed elsewhere":  # a check made without the index's key
        header = {**json.loads(head), "entries": hashlib.sha256(body).hexdigest()}
        head = json.dumps(header).encode()
    else:
        body = body[:-40] + b"\n"
    changes.write_bytes(head + b"\n" + body)
    cur, index = loaded(project)
    assert index.reused == 0
    assert described(cur) == described(load_files(project_files(project), root=project))
    _, index = loaded(project)
    assert index.reused == len(project_files(project)) - 1, "written anew, whole"
    assert not changes.exists()


def test_changes_of_another_base_are_not_applied(project: Path, small_changes: None) -> None:
    """Changes an interrupted compaction left (of the base before): the base alone is the index."""
    aged(project)
    loaded(project)
    path = project / PROJECT_CACHE / INDEX_FILE
    _edit_intro(project, "a 30-year-old woman")
    loaded(project)
    left = changes_path(path).read_bytes()
    _edit_intro(project, "thirty-year-old woman")
    index = ContentIndex(project)
    index._generation = None  # the next save writes a new base, as a compaction does
    with memo_session(project):
        load_files(project_files(project), root=project, index=index)
        index.save()
    changes_path(path).write_bytes(left)  # as if the build stopped before they were removed
    cur, index = loaded(project)
    assert "thirty-year-old woman" in cur.quizzes["intro"].model.model_dump_json()
    assert index.reused == len(project_files(project)) - 1


def test_changes_grown_large_are_written_as_a_new_base(project: Path) -> None:
    aged(project)
    loaded(project)
    path = project / PROJECT_CACHE / INDEX_FILE
    base = path.read_bytes()
    for name in project_files(project):  # every file edited: the changes would be as large as the base
        os.utime(name, (time.time() - 30, time.time() - 30))
    loaded(project)
    assert path.read_bytes() != base and not changes_path(path).exists()
    _, index = loaded(project)
    assert index.reused == len(project_files(project)) - 1


def test_an_entry_changed_in_the_tick_of_its_changes_is_read_again(
    project: Path, small_changes: None
) -> None:
    """The racy rule holds for an entry of the changes, by the time of the load that wrote them."""
    aged(project)
    loaded(project)
    quiz = project / "quizzes" / "intro.yml"
    now = time.time()
    quiz.write_text(quiz.read_text().replace("30-year-old woman", "a 30-year-old woman"))
    os.utime(quiz, (now, now))
    loaded(project)  # records the quiz, in the changes, with a time inside the racy window
    quiz.write_text(quiz.read_text().replace("a 30-year-old", "a 31-year-old"))  # the same size
    os.utime(quiz, (now, now))
    cur, _ = loaded(project)
    assert "a 31-year-old" in cur.quizzes["intro"].model.model_dump_json()


def test_a_folder_held_in_a_row_is_taken_by_one_slice_and_never_from_a_line_left_behind(
    project: Path, small_changes: None, tmp_path: Path
) -> None:
    """The index's names in a row are the folder's: one slice each column; a name gone holds no line.

    A file gone (the changes name it) and put back as it was is not held by
    its old line: it is looked up alone, and the index holds none for it.
    """
    quizzes = project / "quizzes"
    shutil.copy(quizzes / "intro.yml", quizzes / "intro-g.yml")  # between intro-final and intro
    aged(project)
    loaded(project)
    files = sorted(quizzes.glob("*.yml"))
    names, statuses = [f"quizzes/{q.name}" for q in files], [os.lstat(q) for q in files]
    index = ContentIndex(project)
    start = index._row[names[0]]
    assert index._columns[0][start : start + len(names)] == names, "written in the folder's order"
    taken = index.held_all(names, statuses)
    assert taken is not None and taken.held == [True] * len(names)
    assert taken.digests == [index._columns[3][index._row[name]] for name in names]
    away = tmp_path / "intro-g.yml"
    os.rename(quizzes / "intro-g.yml", away)
    _edit_intro(project, "a 30-year-old woman")
    loaded(project)
    os.rename(away, quizzes / "intro-g.yml")  # back, with the time and size the base recorded
    back = ContentIndex(project)
    assert "quizzes/intro-g.yml" not in back._row
    assert back.held_all(names, [os.lstat(q) for q in files]) is None, "not held by the line left behind"
    cur, _ = loaded(project)
    assert described(cur) == described(load_files(project_files(project), root=project))


def test_a_content_file_the_index_records_is_parsed_without_the_yaml_memo(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its model and places are kept in the document memo: its parse is not asked of the YAML memo, nor kept.

    The next load takes it from the index; one edited is parsed again, and its places still located.
    """
    from curriculum.content import _yaml

    texts = {p.read_text(encoding="utf-8") for p in (project / "quizzes").glob("*.yml")}
    asked: list[str] = []
    real = _yaml._PARSED.get
    monkeypatch.setattr(_yaml._PARSED, "get", lambda text, *a, **k: asked.append(text) or real(text, *a, **k))
    first, _ = loaded(project)
    assert texts and not texts & set(asked)
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(
        quiz.read_text(encoding="utf-8").replace("doubts that", "doubts whether"), encoding="utf-8"
    )
    aged(project)  # older than a clock tick: the index records it as it is
    second, _ = loaded(project)
    assert not texts & set(asked) and quiz.read_text(encoding="utf-8") not in asked
    assert second.quizzes["intro"].locs == first.quizzes["intro"].locs  # its places as parsed
    third, _ = loaded(project)
    assert isinstance(third.quizzes["intro"], _project._IndexedDocument)
    assert third.quizzes["intro"].locs == first.quizzes["intro"].locs
