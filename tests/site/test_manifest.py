"""The progress manifest: every lesson's parts with titles, links and sizes, and never an answer."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from curriculum import _memo
from curriculum._cache import PROJECT_CACHE
from curriculum._memo import memo_session
from curriculum.content import DocumentFacts, load_curriculum
from curriculum.site._build import BuildResult
from curriculum.site._manifest import MANIFEST_SCRIPT, manifest_script, progress_manifest
from tests.conftest import PROJECT


def test_each_lesson_lists_its_parts_in_page_order() -> None:
    data = progress_manifest(load_curriculum(PROJECT))
    (lesson,) = data["lessons"]
    assert lesson["id"] == "intro" and lesson["url"] == "lessons/intro.html"
    assert [p["key"] for p in lesson["parts"]] == [
        "vignette:first-visit",
        "spotter:spot-the-stem",
        "worksheet:intro-reflection",
        "quiz:intro",
        "quiz:intro-final",  # names the lesson without the lesson listing it
    ]
    parts = {p["key"]: p for p in lesson["parts"]}
    assert parts["quiz:intro"] == {
        "key": "quiz:intro",
        "kind": "quiz",
        "quiz": "formative",
        "title": "Introduction quiz",
        "url": "quiz/intro.html",
        "total": 2,
        "items": {"intro-q01": ["intro-1"], "intro-q02": ["intro-2"]},  # what each item measures
    }
    assert parts["quiz:intro-final"]["pass"] == 0.5 and parts["quiz:intro-final"]["quiz"] == "summative"
    assert parts["vignette:first-visit"]["url"] == "cases/first-visit.html"
    assert parts["vignette:first-visit"]["total"] >= 2  # its endings
    # An exercise has no page: the link is its place on the lesson's page.
    assert parts["spotter:spot-the-stem"]["url"] == "lessons/intro.html#cur-spotter-spot-the-stem"
    assert parts["spotter:spot-the-stem"]["total"] == 1  # marked turns
    assert parts["worksheet:intro-reflection"]["total"] >= 1  # fields
    assert data["other"] == []
    # What the dashboard's mastery needs: each objective with its subcompetencies, in the ACGME order.
    assert lesson["objectives"] == [
        {"id": "intro-1", "text": "Describe the alliance as a common factor.", "competencies": ["MK4"]},
        {"id": "intro-2", "text": "Place supportive work on the Y model.", "competencies": ["MK4", "PC4"]},
        {"id": "intro-3", "text": "Apply reflection in a first visit.", "competencies": ["PC4"]},
    ]
    assert data["competencies"] == [
        {"code": "PC4", "name": "Patient Care 4", "domain": "PC"},
        {"code": "MK4", "name": "Medical Knowledge 4", "domain": "MK"},
    ]
    assert [d["id"] for d in data["domains"]] == ["PC", "MK", "SBP", "PBLI", "PROF", "ICS"]


def test_the_script_sets_one_global_and_gives_nothing_away() -> None:
    cur = load_curriculum(PROJECT)
    script = manifest_script(cur)
    assert script.startswith("window.CURRICULUM_MANIFEST = ") and script.endswith(";\n")
    data = json.loads(script.split("=", 1)[1].strip().rstrip(";"))
    assert data == progress_manifest(cur)
    for secret in ("answer", "feedback", "rationale", "expert", "SUMFB", "SUMRAT"):
        assert secret not in script
    # No answer key in any form: no quiz part carries an option id or the correctness of one.
    for lesson in data["lessons"]:
        for part in lesson["parts"]:
            for objectives in part.get("items", {}).values():
                assert set(objectives) <= {o["id"] for o in lesson["objectives"]}
            assert set(part) <= {"key", "kind", "title", "url", "total", "quiz", "pass", "items"}


def test_the_build_publishes_it(resident_site: tuple[Path, BuildResult]) -> None:
    _, result = resident_site
    assert (result.out / MANIFEST_SCRIPT).read_text(encoding="utf-8").startswith("window.CURRICULUM_MANIFEST")
    assert MANIFEST_SCRIPT in result.stats.files  # type: ignore[union-attr]
    # The quiz list and the case library carry the marks the static host fills in, and load its script.
    quizzes = (result.out / "quiz" / "index.html").read_text(encoding="utf-8")
    assert 'data-cur-record="quiz:intro" data-cur-total="2" data-cur-quiz="formative"' in quizzes
    assert "assets/curriculum.js" in quizzes
    cases = (result.out / "cases" / "index.html").read_text(encoding="utf-8")
    assert 'data-cur-record="vignette:first-visit"' in cases and "assets/curriculum.js" in cases


def test_what_the_script_says_of_each_document_is_made_again_only_when_it_changes(project: Path) -> None:
    """The manifest's facts are kept by each document's text: an edit makes again those of one document.

    Whatever was kept, the script is the one made from every document's model.
    """
    made: list[int] = []

    def script() -> str:
        _memo._stores.clear()  # a new process: what is kept comes from the files
        with memo_session(project):
            cur = load_curriculum(project)
            facts = DocumentFacts(project / PROJECT_CACHE / "manifest-facts.json", project, "manifest 1")
            found = manifest_script(cur, facts)
            facts.save()
            made.append(facts.made)
            assert found == manifest_script(cur), "the same as made from every model"
        return found

    first = script()
    assert script() == first and made[-1] == 0
    lesson = project / "lessons" / "intro.ipynb"
    notebook = json.loads(lesson.read_text(encoding="utf-8"))
    prose = next(c for c in notebook["cells"][1:] if c["cell_type"] == "markdown")
    prose["source"] = "A sentence the manifest does not show.\n\n" + "".join(prose["source"])
    lesson.write_text(json.dumps(notebook), encoding="utf-8")
    assert script() == first and made[-1] == 1
    quiz = project / "quizzes" / "intro.yml"
    text = quiz.read_text(encoding="utf-8")
    quiz.write_text(text.replace("Introduction quiz", "Opening quiz", 1), encoding="utf-8")
    again = script()
    assert made[-1] == 1 and "Opening quiz" in again and "Opening quiz" not in first
    front = "".join(notebook["cells"][0]["source"])
    notebook["cells"][0]["source"] = front.replace("title: ", "title: New ", 1)
    lesson.write_text(json.dumps(notebook), encoding="utf-8")
    assert '"title":"New ' in script() and made[-1] == 1
    (project / "exercises" / "spot-the-stem.yml").unlink()
    assert "spot-the-stem" not in script() and made[-1] == 0


def test_the_script_is_kept_while_what_it_shows_of_each_document_is_the_same(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit the manifest does not show reads no document's facts, and makes the edited one's only.

    The record names each document's text and facts: an edit that changes its
    facts, a document removed or a damaged record makes the script again, and
    the script is always the one made from every model.
    """
    from curriculum.site import _manifest

    opened: list[Path] = []
    made: list[str] = []  # the documents whose facts were made from their model

    class Facts(DocumentFacts):
        def __init__(self, path: Path, within: Path, name: str) -> None:
            opened.append(path)
            super().__init__(path, within, name)

    lesson, part = _manifest._lesson_facts, _manifest._part_facts
    monkeypatch.setattr(_manifest, "DocumentFacts", Facts)
    monkeypatch.setattr(
        _manifest, "_lesson_facts", lambda doc: made.append(f"lessons/{doc.id}") or lesson(doc)
    )
    monkeypatch.setattr(
        _manifest, "_part_facts", lambda *args: made.append(f"{args[1]}/{args[2]}") or part(*args)
    )

    def kept() -> str:
        opened.clear()
        made.clear()
        _memo._stores.clear()  # a new process: what is kept comes from the files
        with memo_session(project):
            cur = load_curriculum(project)
            found = _manifest.kept_manifest(cur, project / PROJECT_CACHE, project)
            counted = list(made)
            assert found.script == _manifest.manifest_script(cur), "the same as made from every model"
            assert found.digest == hashlib.sha256(found.script.encode()).hexdigest()
        made[:] = counted
        return found.script

    first = kept()
    assert opened and made, "made from every document's model the first time"
    assert kept() == first and not opened and not made
    quiz = project / "quizzes" / "intro.yml"
    text = quiz.read_text(encoding="utf-8")
    quiz.write_text(text.replace("doubts that", "doubts whether"), encoding="utf-8")
    assert kept() == first and not opened and made == ["quizzes/intro"]
    assert kept() == first and not opened and not made  # the new text is recorded
    quiz.write_text(text.replace("Introduction quiz", "Opening quiz", 1), encoding="utf-8")
    renamed = kept()
    assert opened and "Opening quiz" in renamed and "Opening quiz" not in first
    script = project / PROJECT_CACHE / _manifest.MANIFEST_KEPT
    script.write_bytes(script.read_bytes().replace(b"Opening quiz", b"Opening Quiz"))
    assert kept() == renamed and opened and not made  # a damaged script: made again, from the facts kept
    assert kept() == renamed and not opened
    _damage_record(project, lambda data: {**data, "about": {**data["about"], "order": "x" * 64}})
    assert kept() == renamed and opened and not made  # a record of another order: made again, from the facts
    assert kept() == renamed and not opened
    quiz.write_text(text.replace("doubts that", "doubts whether"), encoding="utf-8")  # its title as it was
    assert kept() == first and opened and made == ["quizzes/intro"]  # its facts no longer as recorded
    (project / "exercises" / "spot-the-stem.yml").unlink()
    assert "spot-the-stem" not in kept() and opened


def test_a_kept_script_that_is_no_text_is_made_again(project: Path) -> None:
    """A script and record damaged alike (naming bytes that are no UTF-8): made again, no traceback."""
    from curriculum.site import _manifest

    def kept() -> str:
        _memo._stores.clear()
        with memo_session(project):
            cur = load_curriculum(project)
            return _manifest.kept_manifest(cur, project / PROJECT_CACHE, project).script

    first = kept()
    script = project / PROJECT_CACHE / _manifest.MANIFEST_KEPT
    damaged = b"\xff\xfe" + script.read_bytes()
    script.write_bytes(damaged)
    digest = hashlib.sha256(damaged).hexdigest()
    _damage_record(project, lambda data: {**data, "about": {**data["about"], "digest": digest}})
    assert kept() == first


def test_the_texts_changed_are_each_found_wherever_they_are(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each document whose text changed has its facts made again, and no other; its entry is recorded."""
    from curriculum.site import _manifest

    made: list[str] = []
    part = _manifest._part_facts
    monkeypatch.setattr(
        _manifest, "_part_facts", lambda *args: made.append(f"{args[1]}/{args[2]}") or part(*args)
    )
    first = _kept_manifest(project).script
    edited = sorted((project / "quizzes").glob("*.yml"))
    assert len(edited) >= 2
    for quiz in (edited[0], edited[-1]):
        quiz.write_text(quiz.read_text(encoding="utf-8") + "\n# an edit the manifest does not show\n")
    made.clear()
    assert _kept_manifest(project).script == first
    assert sorted(made) == sorted(f"quizzes/{quiz.stem}" for quiz in (edited[0], edited[-1]))
    made.clear()
    assert _kept_manifest(project).script == first and not made  # recorded by their new texts


def _damage_record(project: Path, damage: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Write the manifest's record as ``damage`` makes it of the one there.

    ``damage`` is given the record as ``about`` (its header), ``texts`` and
    ``facts`` (the digests of each line), and gives them back damaged.
    """
    from curriculum.site import _manifest

    path = project / PROJECT_CACHE / _manifest.MANIFEST_RECORD
    header, texts, facts, end = path.read_text(encoding="utf-8").split("\n")
    assert end == ""
    data = damage({"about": json.loads(header), "texts": texts.split(" "), "facts": facts.split(" ")})
    lines = [json.dumps(data["about"]), " ".join(data["texts"]), " ".join(data["facts"]), ""]
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: {**data, "texts": [], "facts": []},
        lambda data: {**data, "texts": data["texts"][1:]},
        lambda data: {**data, "facts": data["facts"][1:]},
        lambda data: {**data, "facts": [then[:63] for then in data["facts"]]},
        lambda data: {**data, "facts": ["x" * 64 for _ in data["facts"]]},
        lambda data: {**data, "facts": ["\u00e9" * 64 for _ in data["facts"]]},
        lambda data: {**data, "about": {**data["about"], "order": "x" * 64}},
        lambda data: {**data, "about": {**data["about"], "digest": 5}},
        lambda data: {**data, "about": {**data["about"], "key": "x" * 64}},
        lambda data: {**data, "about": []},
    ],
)
def test_a_damaged_record_gives_the_script_as_made_from_every_model(
    project: Path, damage: Callable[[dict[str, Any]], dict[str, Any]]
) -> None:
    from curriculum.site import _manifest

    def kept() -> str:
        _memo._stores.clear()
        with memo_session(project):
            cur = load_curriculum(project)
            found = _manifest.kept_manifest(cur, project / PROJECT_CACHE, project).script
            assert found == _manifest.manifest_script(cur)
            return found

    first = kept()
    _damage_record(project, damage)
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(
        quiz.read_text(encoding="utf-8").replace("Introduction quiz", "Opening quiz", 1), encoding="utf-8"
    )
    assert kept() != first and "Opening quiz" in kept()


def test_the_record_is_read_once_and_written_without_reading_it_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It is written only when a text changed (or a script was made): the one read is not read again."""
    from curriculum.site import _manifest

    def kept() -> str:
        _memo._stores.clear()
        with memo_session(project):
            return _manifest.kept_manifest(load_curriculum(project), project / PROJECT_CACHE, project).script

    first = kept()
    read: list[str] = []
    real = _manifest.read_existing
    monkeypatch.setattr(_manifest, "read_existing", lambda path, *a: read.append(path.name) or real(path, *a))
    quiz = project / "quizzes" / "intro.yml"
    _replace(quiz, "doubts that", "doubts whether")
    assert kept() == first and read == [_manifest.MANIFEST_RECORD, _manifest.MANIFEST_KEPT]
    read.clear()
    assert kept() == first  # as recorded
    assert read == [_manifest.MANIFEST_RECORD, _manifest.MANIFEST_KEPT]


def _replace(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in the text file ``path``."""
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def _kept_manifest(project: Path) -> Any:
    """Return the kept manifest of ``project`` as a new build process finds it (its script not asked for)."""
    from curriculum.site import _manifest

    _memo._stores.clear()
    with memo_session(project):
        return _manifest.kept_manifest(load_curriculum(project), project / PROJECT_CACHE, project)


def test_an_edit_the_script_does_not_show_writes_the_edited_text_in_the_record(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record names the quiz's new text, its facts as they were; the kept script is not read.

    The script is read (and checked against its digest) only when asked for.
    """
    from curriculum.site import _manifest

    first = _kept_manifest(project).script
    cache = project / PROJECT_CACHE
    before = (cache / _manifest.MANIFEST_RECORD).read_text(encoding="ascii").split("\n")
    read: list[str] = []
    real = _manifest.read_existing
    monkeypatch.setattr(_manifest, "read_existing", lambda path, *a: read.append(path.name) or real(path, *a))
    quiz = project / "quizzes" / "intro.yml"
    _replace(quiz, "doubts that", "doubts whether")
    found = _kept_manifest(project)
    assert found.digest == hashlib.sha256(first.encode()).hexdigest()
    assert read == [_manifest.MANIFEST_RECORD]  # not the script
    after = (cache / _manifest.MANIFEST_RECORD).read_text(encoding="ascii").split("\n")
    assert (
        after[0] == before[0] and after[2] == before[2]
    )  # its key, order and script, and every facts' digest
    changed = [
        at
        for at, (old, new) in enumerate(zip(before[1].split(), after[1].split(), strict=True))
        if old != new
    ]
    assert len(changed) == 1  # the quiz's text only
    assert found.script == first and read == [_manifest.MANIFEST_RECORD, _manifest.MANIFEST_KEPT]


def assert_a_title_edit_is_found(project: Path, quiz: Path, text: str) -> None:
    """Edit the title of ``quiz`` (its text was ``text``): the next kept manifest is made from the facts."""
    from curriculum.site import _manifest

    quiz.write_text(text.replace("Introduction quiz", "Opening quiz", 1), encoding="utf-8")
    _memo._stores.clear()
    with memo_session(project):
        cur = load_curriculum(project)
        found = _manifest.kept_manifest(cur, project / PROJECT_CACHE, project).script
        assert found == _manifest.manifest_script(cur) and "Opening quiz" in found


@pytest.mark.parametrize(
    "record", [b"{not json", b"{}\n\n\n", b"\xff\n\n\n", b"[]\n\n\n", b"", b"\n\n\n\n\n"]
)
def test_a_record_that_cannot_be_read_is_none(project: Path, record: bytes) -> None:
    """A record damaged or cut short names no facts: the script is made again, from every model."""
    from curriculum.site import _manifest

    first = _kept_manifest(project).script
    quiz = project / "quizzes" / "intro.yml"
    text = quiz.read_text(encoding="utf-8")
    quiz.write_text(text.replace("doubts that", "doubts whether"), encoding="utf-8")
    assert _kept_manifest(project).script == first
    (project / PROJECT_CACHE / _manifest.MANIFEST_RECORD).write_bytes(record)
    assert _kept_manifest(project).script == first
    assert_a_title_edit_is_found(project, quiz, text)


def test_a_save_that_fails_leaves_the_record_it_would_have_replaced(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record not written (a full disk, a build stopped) is the old one: the next build finds the edit."""
    from curriculum.errors import WriteError
    from curriculum.site import _manifest

    first = _kept_manifest(project).script
    record = project / PROJECT_CACHE / _manifest.MANIFEST_RECORD
    base = record.read_bytes()

    def failing(path: Path, *args: object, **kwargs: object) -> bool:
        raise WriteError(str(path), "no space left")

    quiz = project / "quizzes" / "intro.yml"
    text = quiz.read_text(encoding="utf-8")
    with monkeypatch.context() as patched:
        patched.setattr(_manifest, "write_atomic", failing)
        quiz.write_text(text.replace("doubts that", "doubts whether"), encoding="utf-8")
        assert _kept_manifest(project).script == first
        assert record.read_bytes() == base
    assert_a_title_edit_is_found(project, quiz, text)


def test_an_edit_build_reads_no_script_back_and_remakes_one_edited_by_hand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The site's script stands by what it was made from: it is not read to compare, nor the kept one.

    One edited by hand (seen by its size and time against the record of what
    made it, as a build runs) or removed (seen by the build stamp) is made again.
    """
    from rich.console import Console

    from curriculum import _plain
    from curriculum.site import build_site
    from curriculum.site._manifest import MANIFEST_KEPT
    from curriculum.site._prerender import ASSETS_INCLUDE
    from tests.site.conftest import build_copy

    root, first = build_copy(tmp_path, "resident")
    script = first.out / MANIFEST_SCRIPT
    original, written = script.read_bytes(), script.stat().st_mtime_ns
    opened: list[str] = []
    real = _plain.open_plain
    monkeypatch.setattr(
        _plain, "open_plain", lambda path, *a: opened.append(Path(path).name) or real(path, *a)
    )

    def build() -> BuildResult:
        opened.clear()
        return build_site(root, engine="pandoc", profile="resident", console=Console(quiet=True))

    os.utime(root / ASSETS_INCLUDE, ns=(1, 1))  # older than a clock tick: it stands as it was written
    quiz = root / "quizzes" / "intro.yml"
    _replace(quiz, "doubts that", "doubts whether")
    build()  # the include is recorded again with its time
    assert script.read_bytes() == original and script.stat().st_mtime_ns == written
    _replace(quiz, "doubts whether", "doubts if")
    result = build()
    assert result.stats is not None and MANIFEST_SCRIPT in result.stats.files  # kept: not pruned
    assert opened and not {MANIFEST_SCRIPT, MANIFEST_KEPT} & set(opened)
    assert script.read_bytes() == original and script.stat().st_mtime_ns == written
    script.write_text("edited by hand", encoding="utf-8")
    _replace(quiz, "doubts if", "doubts that")  # a build that runs (its output all there: none)
    build()
    assert script.read_bytes() == original
    script.unlink()
    build()
    assert script.read_bytes() == original
    kept = root / ".curriculum-cache" / MANIFEST_KEPT
    assert kept.read_bytes() == original
    kept.unlink()  # the kept one too: made again from the facts, as the build asks for it
    script.write_text("edited by hand", encoding="utf-8")
    _replace(quiz, "doubts that", "doubts whether")
    build()
    assert script.read_bytes() == original and kept.read_bytes() == original


def test_a_build_that_changed_no_text_reads_no_facts_and_writes_no_record(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record names every text as one line: while they are as it names them, no facts are read.

    A damaged record is not taken: the facts are read, and the record written again. One that names
    another text of a document has that document's facts made again, and compared with those it names.
    """
    from curriculum.content import _facts
    from curriculum.site import _manifest

    first = _kept_manifest(project)
    record = project / PROJECT_CACHE / _manifest.MANIFEST_RECORD
    written = record.stat().st_mtime_ns
    read: list[str] = []
    real = _facts.read_tied
    monkeypatch.setattr(_facts, "read_tied", lambda path, *a: read.append(path.name) or real(path, *a))
    os.utime(record, ns=(1, 1))
    again = _kept_manifest(project)
    assert not read and record.stat().st_mtime_ns == 1  # no facts read, the record not written
    assert again.digest == first.digest and again.script == first.script
    assert written != 1
    kept = record.read_bytes()
    record.write_bytes(b"{not json")
    assert _kept_manifest(project).digest == first.digest and _manifest.MANIFEST_FACTS in read
    read.clear()
    assert _kept_manifest(project).digest == first.digest and not read and record.read_bytes() == kept
    record.write_bytes(kept.replace(b"\n", b"\nx", 1))  # the first text not as it is: its facts made again
    assert _kept_manifest(project).digest == first.digest and not read and record.read_bytes() == kept
    quiz = project / "quizzes" / "intro.yml"
    text = quiz.read_text(encoding="utf-8")
    quiz.write_text(text.replace("Introduction quiz", "Opening quiz", 1), encoding="utf-8")
    read.clear()
    renamed = _kept_manifest(project)
    assert _manifest.MANIFEST_FACTS in read and "Opening quiz" in renamed.script
    quiz.write_text(text, encoding="utf-8")  # back as it was: the record names the edit
    assert _kept_manifest(project).script == first.script


def test_a_document_renamed_with_its_text_unchanged_is_not_taken_from_the_summary(project: Path) -> None:
    """The summary names the documents, not only their texts: a lesson renamed, its text kept, is shown anew.

    Its texts alone, in the same order, would name the script made for the old name.
    """
    from curriculum.site import _manifest

    first = _kept_manifest(project)
    assert '"intro"' in first.script
    (project / "lessons" / "intro.ipynb").rename(project / "lessons" / "opening.ipynb")
    renamed = _kept_manifest(project)
    with memo_session(project):
        assert renamed.script == _manifest.manifest_script(load_curriculum(project))
    assert '"opening"' in renamed.script and renamed.digest != first.digest
