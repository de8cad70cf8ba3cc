"""The progress manifest: every lesson's parts with titles, links and sizes, and never an answer."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

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
    record = project / PROJECT_CACHE / _manifest.MANIFEST_RECORD
    data = json.loads(record.read_text(encoding="utf-8"))
    record.write_text(json.dumps({**data, "facts": data["facts"][1:]}), encoding="utf-8")
    assert kept() == renamed and opened and not made  # a damaged record
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
    record = project / PROJECT_CACHE / _manifest.MANIFEST_RECORD
    data = json.loads(record.read_text(encoding="utf-8"))
    key = next(k for k, v in data.items() if v == hashlib.sha256(first.encode()).hexdigest())
    record.write_text(json.dumps({**data, key: hashlib.sha256(damaged).hexdigest()}), encoding="utf-8")
    assert kept() == first


def test_the_record_finds_each_changed_text_among_its_digests_kept_as_one_string() -> None:
    """Each list of digests is one string: the texts that changed are found wherever they are in it."""
    from curriculum.site._manifest import _BLOCK, _changed

    then = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(3 * _BLOCK + 5)]
    now = list(then)
    for at in (0, _BLOCK - 1, _BLOCK, 2 * _BLOCK + 7, len(now) - 1):
        now[at] = hashlib.sha256(f"edited {at}".encode()).hexdigest()
    assert list(_changed("".join(now), "".join(then))) == [
        0,
        _BLOCK - 1,
        _BLOCK,
        2 * _BLOCK + 7,
        len(now) - 1,
    ]
    assert list(_changed("".join(then), "".join(then))) == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: {**data, "digests": data["digests"][1:]},
        lambda data: {**data, "facts": [data["facts"]]},
        lambda data: {**data, "names": data["names"][1:]},
        lambda data: {**data, "facts": "x" * len(data["facts"])},
    ],
)
def test_a_damaged_record_gives_the_script_as_made_from_every_model(project: Path, damage: object) -> None:
    from curriculum.site import _manifest

    def kept() -> str:
        _memo._stores.clear()
        with memo_session(project):
            cur = load_curriculum(project)
            found = _manifest.kept_manifest(cur, project / PROJECT_CACHE, project).script
            assert found == _manifest.manifest_script(cur)
            return found

    first = kept()
    record = project / PROJECT_CACHE / _manifest.MANIFEST_RECORD
    data = json.loads(record.read_text(encoding="utf-8"))
    record.write_text(json.dumps(damage(data)), encoding="utf-8")  # type: ignore[operator]
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(
        quiz.read_text(encoding="utf-8").replace("Introduction quiz", "Opening quiz", 1), encoding="utf-8"
    )
    assert kept() != first and "Opening quiz" in kept()


def test_the_record_is_written_without_reading_the_one_it_replaces(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It is written only when a text changed (or a script was made): the old one is not read to compare."""
    from curriculum.content import _files
    from curriculum.site import _manifest

    def kept() -> str:
        _memo._stores.clear()
        with memo_session(project):
            return _manifest.kept_manifest(load_curriculum(project), project / PROJECT_CACHE, project).script

    first = kept()
    read: list[Path] = []
    real = _files.read_existing
    monkeypatch.setattr(_files, "read_existing", lambda path, *a: read.append(path) or real(path, *a))
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(
        quiz.read_text(encoding="utf-8").replace("doubts that", "doubts whether"), encoding="utf-8"
    )
    assert kept() == first and project / PROJECT_CACHE / _manifest.MANIFEST_RECORD not in read
    assert kept() == first  # as recorded
