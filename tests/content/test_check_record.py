"""The check record: after an edit, a check reusing what unchanged checks found finds what a cold one does."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from curriculum import _memo
from curriculum._cache import PROJECT_CACHE
from curriculum.content import (
    CHECK_RECORD,
    Diagnostic,
    _check_record,
    _record_changes,
    check_curriculum,
    check_paths,
    display_path,
    load_files,
    project_files,
)
from curriculum.content._record_changes import changes_path
from tests.conftest import REPO, aged
from tests.content.test_memo_checks import memo_asks, mutate


@pytest.fixture(autouse=True)
def whole_records(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each save writes the whole record, as these tests read it (changes since a base: their own tests)."""
    monkeypatch.setattr(_record_changes, "COMPACT_AT", 1 << 40)


def cold(root: Path) -> list[Diagnostic]:
    """Check with no record, no content index and no memo: every file read, every check run."""
    return check_curriculum(load_files(project_files(root), root=root))


def warm(root: Path) -> list[Diagnostic]:
    """Check as ``curriculum check`` does, with the record, as a new process would."""
    _memo._stores.clear()
    return check_paths([], root).diagnostics


def replace(path: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        file = root / path
        text = file.read_text(encoding="utf-8")
        assert old in text, old
        file.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def lesson_source(old: str, new: str) -> Callable[[Path], None]:
    """Edit the lesson notebook's JSON as an author's editor would (a cell's text, or its front matter)."""
    return replace("lessons/intro.ipynb", old, new)


def removed(path: str) -> Callable[[Path], None]:
    return lambda root: (root / path).unlink()


def added(path: str, like: str) -> Callable[[Path], None]:
    return lambda root: shutil.copy(root / like, root / path)


EDITS: dict[str, Callable[[Path], None]] = {
    "quiz stem": replace("quizzes/intro.yml", "30-year-old woman", "31-year-old woman (tel. 555-987-6543)"),
    "quiz objective": replace("quizzes/intro.yml", "objectives: [intro-2]", "objectives: [intro-1]"),
    "quiz objective unknown": replace("quizzes/intro.yml", "objectives: [intro-2]", "objectives: [intro-9]"),
    "quiz suppression removed": replace(
        "quizzes/intro.yml", "suppress:\n  CUR504:", "unsuppressed:\n  CUR504:"
    ),
    "quiz suppression short": replace(
        "quizzes/intro.yml", "A two-item quiz keeps the test project small.", "Small."
    ),
    "quiz suppression unknown rule": replace("quizzes/intro.yml", "CUR504: A two", "CUR999: A two"),
    "quiz owner removed": replace("quizzes/intro.yml", "lesson: intro\n", ""),
    "quiz owner doubled": replace(
        "quizzes/intro.yml", "lesson: intro\n", "lesson: intro\nactivity: welcome\n"
    ),
    "lesson prose": lesson_source("The alliance predicts outcome", "The working alliance predicts outcome"),
    "lesson objective text": lesson_source("Describe the alliance as", "Describe the working alliance as"),
    "lesson objective id": lesson_source('"  - id: intro-3', '"  - id: intro-4'),
    "lesson suppression removed": lesson_source('"suppress:', '"unsuppressed:'),
    "vignette": replace("vignettes/first-visit.yml", "title:", "title: Revised"),
    "techniques": replace(
        "vignettes/techniques.yml", "techniques:", "techniques:\n  - {id: new-technique, name: A new one}"
    ),
    "bibliography": lambda root: (root / "references.bib").write_text(
        (root / "references.bib").read_text() + "\n@misc{newkey2026, title = {A new entry}, year = {2026}}\n"
    ),
    "quiz removed": removed("quizzes/intro-final.yml"),
    "quiz added": added("quizzes/intro-copy.yml", "quizzes/intro-final.yml"),
    "exercise removed": removed("exercises/spot-the-stem.yml"),
    "lesson removed": removed("lessons/intro.ipynb"),
    "vignette objective unknown": replace(
        "vignettes/first-visit.yml", "objectives: [", "objectives: [intro-8, "
    ),
    "notes lesson": replace("faculty/notes/intro.qmd", "lesson: intro", "lesson: intro-other"),
}


@pytest.mark.parametrize("mutated", [False, True], ids=["clean", "with problems"])
@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_a_check_with_the_record_finds_what_a_cold_check_finds(
    project: Path, edit: str, mutated: bool
) -> None:
    if mutated:
        mutate(project)
    assert warm(aged(project)) == cold(project), "the first check, making the record"
    EDITS[edit](project)
    assert warm(project) == cold(project)
    assert warm(project) == cold(project), "the record of the check after the edit"


def test_an_edit_runs_again_only_the_checks_that_read_what_it_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quiz edit runs the checks that read quizzes; a lesson's prose, those that read its cells."""
    ran: list[list[str]] = []
    save = _check_record.CheckRecord.save
    monkeypatch.setattr(_check_record.CheckRecord, "save", lambda self: ran.append(self.ran) or save(self))
    warm(aged(project))
    everything = set(ran[-1])
    warm(project)
    always = [
        "curriculum.content._activities.activity_dates",
        "curriculum.content._raw_html.raw_html_in_pages",
    ]
    assert sorted(ran[-1]) == always, "only what reads the pages' files and today's date"
    EDITS["quiz stem"](project)
    warm(project)
    quiz_checks = set(ran[-1])
    facts_only = {
        "curriculum.content._cue_lint.bank_cues",
        "curriculum.content._checks.unique_item_ids",
        "curriculum.content._checks.coverage",
        "curriculum.content._activities.quiz_owner",
    }
    assert not facts_only & quiz_checks, "they read facts of the quiz that its stem leaves as they were"
    assert "curriculum.content._checks.answers" not in quiz_checks, "by document: the quiz alone, no context"
    assert "curriculum.content._checks.vignette_graphs" not in quiz_checks
    assert "curriculum.content._checks.unique_ids" not in quiz_checks, (
        "a quiz edit reads no lesson's objectives"
    )
    EDITS["quiz objective"](project)
    warm(project)
    assert "curriculum.content._checks.coverage" in ran[-1], "what the quiz's items name changed"
    assert "curriculum.content._cue_lint.bank_cues" not in ran[-1]
    EDITS["lesson prose"](project)
    warm(project)
    cell_checks = set(ran[-1])
    assert "curriculum.content._checks.markdown_nesting" not in cell_checks, "by document: the lesson alone"
    assert "curriculum.content._checks.lesson_code" not in cell_checks, "one lesson checked, its context kept"
    front_matter = {"curriculum.content._checks.unique_ids", "curriculum.content._checks.objectives"}
    assert not front_matter & cell_checks
    assert quiz_checks < everything and cell_checks < everything


@pytest.mark.parametrize("edit", ["quiz stem", "quiz objective", "lesson objective id"])
def test_an_edit_that_keeps_the_documents_lists_no_table_again(
    project: Path, edit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No file came or went: every table lists what it listed, as the record holds it; else it is listed."""
    listed: list[int] = []
    listing = _check_record._listing_of
    monkeypatch.setattr(_check_record, "_listing_of", lambda docs: listed.append(len(docs)) or listing(docs))
    assert warm(aged(project)) == cold(project)
    assert listed, "the first check lists the tables it looks into"
    listed.clear()
    EDITS[edit](project)
    assert warm(project) == cold(project)
    assert listed == []
    EDITS["quiz added"](project)
    assert warm(project) == cold(project)
    assert listed, "a file came: the tables are listed again"


@pytest.mark.parametrize("edit", ["lesson prose", "quiz stem"])
def test_a_check_reads_no_model_of_a_document_no_check_must_read_again(
    project: Path, edit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a lesson's prose or a quiz edit the case's model is not even loaded (the content index holds it).

    The checks of one document at a time (citations, objectives, lesson links)
    check again the edited document only, with the context they recorded.
    """
    from curriculum.content import _project

    warm(aged(project))
    EDITS[edit](project)
    loaded: list[str] = []
    model = _project._IndexedDocument.model.func  # type: ignore[attr-defined]
    monkeypatch.setattr(
        _project._IndexedDocument,
        "model",
        property(lambda doc: loaded.append(doc.display) or model(doc)),
    )
    warm(project)
    assert not any("vignettes/first-visit.yml" in d for d in loaded), loaded


def read_lines(path: Path) -> tuple[dict[str, Any], list[Any], dict[str, Any]]:
    """Return a record's header, its documents' columns and each check's entry (not the facts' lines)."""
    header, *lines = path.read_text(encoding="utf-8").splitlines()
    columns = [json.loads(line) for line in lines[:4]]
    entries = (line.split("\t") for line in lines[4:])
    checks = {name: _with_value(*parts) for name, *parts in entries if "\0" not in name}
    return json.loads(header), columns, checks


def _with_value(entry: str, value: str | None = None) -> Any:
    """Return a check's entry, a check of one document at a time's with its context's value put back."""
    read = json.loads(entry)
    if value is not None:
        read["context"]["value"] = json.loads(value)
    return read


def _line(entry: dict[str, Any]) -> str:
    """Return a check's entry as its line holds it: its context's value after a tab (see _with_value)."""
    if "context" not in entry or "value" not in entry["context"]:
        return json.dumps(entry)
    context = dict(entry["context"])
    value = context.pop("value")
    return f"{json.dumps({**entry, 'context': context})}\t{json.dumps(value)}"


def write_lines(path: Path, header: dict[str, Any], columns: list[Any], checks: dict[str, Any]) -> None:
    """Write a record as :func:`read_lines` reads it, with the facts' lines it had."""
    facts = [
        line for line in path.read_text(encoding="utf-8").splitlines()[5:] if "\0" in line.split("\t")[0]
    ]
    lines = [json.dumps(header), *map(json.dumps, columns)]
    lines += [f"{name}\t{_line(entry)}" for name, entry in checks.items()]
    path.write_text("\n".join([*lines, *facts]) + "\n", encoding="utf-8")


def read_facts(path: Path) -> dict[str, list[Any]]:
    """Return the facts a record keeps, each with its text's digest, by its line's start (name, place)."""
    entries = (line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[5:])
    return {
        name: [digest, json.loads(fact)] for name, digest, *rest in entries if "\0" in name for fact in rest
    }


def write_facts(path: Path, facts: dict[str, list[Any]]) -> None:
    """Write a record with ``facts`` (as :func:`read_facts` gives them) for the facts' lines it had."""
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if "\0" not in line.split("\t")[0]
    ]
    lines += [f"{name}\t{digest}\t{json.dumps(fact)}" for name, (digest, fact) in facts.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    "damage",
    [
        b"not json",
        b'{"key": "another"}',
        b"[]",
        b'{"key": null, "checks": {"a": 1}}',
        b'{"key": null, "checks": {}, "documents": []}\n',
    ],
    ids=["not json", "another key", "a list", "no key", "an older form"],
)
def test_a_damaged_or_foreign_record_is_no_record(project: Path, damage: bytes) -> None:
    warm(aged(project))
    (project / PROJECT_CACHE / CHECK_RECORD).write_bytes(damage)
    assert warm(project) == cold(project)


def test_a_record_of_the_wrong_shape_is_checked_again(project: Path) -> None:
    """Each check's entry of another shape runs the check again."""
    warm(aged(project))
    path = project / PROJECT_CACHE / CHECK_RECORD
    header, columns, checks = read_lines(path)
    shapes = [
        None,
        {"tables": 1},
        {"tables": {}, "docs": {"x": [1]}, "findings": []},
        {"tables": {}, "docs": {}},
    ]
    for n, name in enumerate(sorted(checks)):
        checks[name] = shapes[n % len(shapes)] if n % 2 else {**checks[name], "findings": [[1]]}
    write_lines(path, header, columns, checks)
    assert warm(project) == cold(project)


def _damaged(damage: str, columns: list[Any], checks: dict[str, Any]) -> None:
    """Damage a record's documents or the places its entries name them by (see the test below)."""
    names = columns[0]
    if damage == "a column shorter":
        columns[1].pop()
    elif damage == "a column not a list":
        columns[2] = {"a": 1}
    elif damage == "a name twice":
        names[1] = names[0]
    elif damage == "a name a number":
        names[0] = 7
    elif damage == "a digest of another kind":
        columns[1] = [[digest] for digest in columns[1]]
    for entry in checks.values():
        read = entry.get("context", entry)
        if damage == "places out of range":
            read["model"] = [*read["model"], len(names) + 3]
        elif damage == "places as decimals":
            read["model"] = [float(n) for n in read["model"]]
            read["file"] = [float(n) for n in read["file"]]
        elif damage == "places of other types":
            read["model"] = [float(n) if n % 2 else str(n) for n in read["model"]]
            read["file"] = [[n] for n in read["file"]]


@pytest.mark.parametrize(
    "damage",
    [
        "a column shorter",
        "a column not a list",
        "a name twice",
        "a name a number",
        "a digest of another kind",
        "places out of range",
        "places as decimals",
        "places of other types",
    ],
)
@pytest.mark.parametrize("edit", ["quiz stem", "quiz added"])
def test_damaged_documents_or_places_give_what_a_cold_check_gives(
    project: Path, damage: str, edit: str
) -> None:
    """Whatever the documents' columns or a check's places hold, no traceback and no finding lost."""
    mutate(project)
    assert warm(aged(project)) == cold(project)
    path = project / PROJECT_CACHE / CHECK_RECORD
    header, columns, checks = read_lines(path)
    _damaged(damage, columns, checks)
    write_lines(path, header, columns, checks)
    EDITS[edit](project)
    assert warm(project) == cold(project)
    assert warm(project) == cold(project), "the record written after the damaged one"


def assert_every_check_runs(project: Path) -> None:
    """Check ``project`` as a new process does: the findings are a cold check's, and every check ran."""
    ran: list[list[str]] = []
    save = _check_record.CheckRecord.save
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_check_record.CheckRecord, "save", lambda self: ran.append(self.ran) or save(self))
        assert warm(project) == cold(project)
    assert len(ran[-1]) == len(_check_record.CHECKS), "every check ran"


def test_a_truncated_record_is_no_record(project: Path) -> None:
    """A record whose last line was cut short (no final newline) is not read at all."""
    warm(aged(project))
    path = project / PROJECT_CACHE / CHECK_RECORD
    path.write_bytes(path.read_bytes()[:-10])
    assert_every_check_runs(project)


@pytest.mark.parametrize("damage", ["a name twice", "a name a number", "a digest of another kind"])
def test_a_record_that_does_not_name_each_document_once_with_its_digest_is_no_record(
    project: Path, damage: str
) -> None:
    """Its documents are compared with the record's all at once: one not named so is not trusted in part."""
    warm(aged(project))
    path = project / PROJECT_CACHE / CHECK_RECORD
    header, columns, checks = read_lines(path)
    _damaged(damage, columns, checks)
    write_lines(path, header, columns, checks)
    assert_every_check_runs(project)


def _fact(line: bytes) -> bytes:
    """Return a line of the record, without the digest a fact's line carries."""
    name, _, entry = line.partition(b"\t")
    return name + b"\t" + entry.partition(b"\t")[2] if b"\0" in name else line


def test_an_edit_encodes_again_only_the_lines_it_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lines of the checks an edit did not change are written back as they were read, not encoded.

    So are the facts of the edited quiz that it left as they were (with the text's new digest).
    """
    assert warm(aged(project)) == cold(project)
    path = project / PROJECT_CACHE / CHECK_RECORD
    before = path.read_bytes().splitlines()
    EDITS["quiz stem"](project)
    encoded: list[Any] = []
    real = _check_record._encoded
    monkeypatch.setattr(_check_record, "_encoded", lambda data: encoded.append(data) or real(data))
    assert warm(project) == cold(project)
    after = path.read_bytes().splitlines()
    assert len(after) == len(before)
    changed = [line for line, then in zip(after[1:], before[1:], strict=True) if _fact(line) != _fact(then)]
    encoded = [data for data in encoded if not _changes_by_place(data)]  # made, then written whole
    assert 0 < len(encoded) == len(changed) < len(after) // 2, (len(encoded), len(changed), len(after))


def _changes_by_place(data: Any) -> bool:
    """Whether ``data`` is what a changes file holds of the documents' columns: an object for each."""
    return isinstance(data, list) and len(data) == 4 and all(isinstance(column, dict) for column in data)


def test_an_unchanged_document_is_not_compared_by_model(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a quiz edit, only the edited quiz is asked whether its model, or a fact of it, is the same."""
    assert warm(aged(project)) == cold(project)
    EDITS["quiz stem"](project)
    asked: list[str] = []

    def noting(real: Callable[..., bool]) -> Callable[..., bool]:
        def same(self: _check_record.CheckRecord, *args: Any) -> bool:
            asked.append(self._names[args[-1]])  # the document's place, last
            return real(self, *args)

        return same

    for method in ("_same_model", "_same_fact"):
        monkeypatch.setattr(
            _check_record.CheckRecord, method, noting(getattr(_check_record.CheckRecord, method))
        )
    assert warm(project) == cold(project)
    assert asked and {display_path(project / "quizzes" / "intro.yml")} == set(asked), asked


def test_an_activity_that_expires_is_reported_the_day_after_though_nothing_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether an activity expired is a matter of today's date, which no record of the content holds."""
    import datetime as dt
    import types

    from curriculum.content import _activities

    today = dt.date.today()
    (project / "activities").mkdir()
    activity = (REPO / "activities" / "foundations.yml").read_text(encoding="utf-8")
    activity = re.sub(r"released: \S+", f"released: {today - dt.timedelta(days=10)}", activity)
    activity = re.sub(r"reviewed: \S+", f"reviewed: {today - dt.timedelta(days=10)}", activity)
    activity = re.sub(r"expires: \S+", f"expires: {today + dt.timedelta(days=1)}", activity)
    (project / "activities" / "foundations.yml").write_text(activity, encoding="utf-8")
    assert not [d for d in warm(aged(project)) if "expired" in d.message]

    class Later(dt.date):
        @classmethod
        def today(cls) -> dt.date:
            return dt.date.today() + dt.timedelta(days=5)

    monkeypatch.setattr(_activities, "dt", types.SimpleNamespace(date=Later))
    found = warm(project)
    assert [d for d in found if "expired" in d.message] and found == cold(project)


def test_the_text_scans_after_a_quiz_edit_read_the_edited_quiz_only(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scans' context (the bibliography's keys, the objectives) is as it was: one file is scanned."""
    warm(aged(project))
    EDITS["quiz stem"](project)
    asked = memo_asks(monkeypatch)
    found = warm(project)
    assert asked.count("content.text-scans") == 1
    assert found == cold(project)


def test_a_context_value_is_decoded_only_for_a_check_that_checks_a_document_with_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check of lessons keeps its context's value as read after a quiz edit: it is not decoded."""
    warm(aged(project))
    EDITS["quiz stem"](project)
    expected = cold(project)
    decoded: list[bytes] = []
    decode = _check_record._HeldValue.decoded

    def noted(held: _check_record._HeldValue) -> Any:
        decoded.append(held.line)
        return decode(held)

    monkeypatch.setattr(_check_record._HeldValue, "decoded", noted)
    path = project / PROJECT_CACHE / CHECK_RECORD
    lesson_code = "curriculum.content._checks.lesson_code"
    value = path.read_bytes().split(lesson_code.encode() + b"\t", 1)[1].split(b"\n", 1)[0].split(b"\t")[1]
    assert warm(project) == expected
    assert decoded and value not in decoded, "the lessons' check checked no document: its value not read"
    line = path.read_bytes().split(lesson_code.encode() + b"\t", 1)[1].split(b"\n", 1)[0]
    assert line.split(b"\t")[1] == value, "written back as read"


@pytest.mark.parametrize("damage", [b"[", b"{nope", b"\xff"])
def test_a_context_value_that_does_not_read_has_the_context_made_again(
    project: Path, damage: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A damaged value is found when a document is checked with it: the context is computed anew."""
    warm(aged(project))
    path = project / PROJECT_CACHE / CHECK_RECORD
    lines = path.read_bytes().split(b"\n")
    text_scans = b"curriculum.content._texts.text_scans\t"
    at = next(n for n, line in enumerate(lines) if line.startswith(text_scans))
    name_and_entry, _, _ = lines[at].rpartition(b"\t")
    lines[at] = name_and_entry + b"\t" + damage
    path.write_bytes(b"\n".join(lines))
    EDITS["quiz stem"](project)
    expected = cold(project)
    ran: list[str] = []
    findings = _check_record.CheckRecord.findings

    def noted(self: _check_record.CheckRecord, *args: Any) -> Any:
        found = findings(self, *args)
        ran.extend(self.ran)
        return found

    monkeypatch.setattr(_check_record.CheckRecord, "findings", noted)
    assert warm(project) == expected
    assert "curriculum.content._texts.text_scans" in ran, "its context made again"
    assert warm(project) == expected


def test_the_checks_of_a_lessons_cells_look_up_the_edited_lesson_alone(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other lessons' findings come from the record: their memo entries are not even looked up."""
    other = (project / "lessons" / "intro.ipynb").read_text(encoding="utf-8")
    other = re.sub(r"id: intro-(\d)", r"id: other-\1", other).replace("lesson-id: intro", "lesson-id: other")
    (project / "lessons" / "other.ipynb").write_text(other, encoding="utf-8")
    cold_found = cold(project)
    assert warm(aged(project)) == cold_found
    EDITS["lesson prose"](project)
    expected = cold(project)
    asked = memo_asks(monkeypatch)
    assert warm(project) == expected
    for namespace in ("check.markdown-nesting", "check.raw-html-lessons"):
        assert asked.count(namespace) == 1, (namespace, asked)


def test_coverage_and_quiz_owner_after_a_quiz_edit_load_the_edited_quiz_alone(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They read facts kept by text digest: each quiz's items' objectives and owners, each lesson's ids."""
    from curriculum.content import _project

    assert warm(aged(project)) == cold(project)
    EDITS["quiz objective unknown"](project)  # intro-2 is now named by one item
    expected = cold(project)
    running: list[str] = []
    ran: list[str] = []

    def naming(method: str, run: Callable[..., Any]) -> Callable[..., Any]:
        def named(self: _check_record.CheckRecord, name: str, fn: Any) -> Any:
            running.append(name)
            try:
                return run(self, name, fn)
            finally:
                running.pop()
                if method == "_run" or name in self.ran:  # run, or its context made again
                    ran.append(name)

        return named

    loaded: list[tuple[str, str]] = []
    model = _project._IndexedDocument.model.func  # type: ignore[attr-defined]
    for method in ("_run", "_by_document"):  # coverage is checked a lesson at a time
        whole = getattr(_check_record.CheckRecord, method)
        monkeypatch.setattr(_check_record.CheckRecord, method, naming(method, whole))
    monkeypatch.setattr(
        _project._IndexedDocument,
        "model",
        property(lambda doc: loaded.append((running[-1] if running else "", doc.display)) or model(doc)),
    )
    found = warm(project)
    assert found == expected
    assert "curriculum.content._checks.coverage" in ran, "what the quiz's items name changed"
    assert "curriculum.content._activities.quiz_owner" not in ran, "the quiz's owners are as they were"
    for check in ("curriculum.content._checks.coverage", "curriculum.content._activities.quiz_owner"):
        assert [display for name, display in loaded if name == check] == [], loaded


def _with_a_second_lesson(project: Path) -> None:
    """Add ``other.ipynb``, the intro lesson with ids of its own, and check once (warm as cold)."""
    other = (project / "lessons" / "intro.ipynb").read_text(encoding="utf-8")
    other = re.sub(r"id: intro-(\d)", r"id: other-\1", other).replace("lesson-id: intro", "lesson-id: other")
    (project / "lessons" / "other.ipynb").write_text(other, encoding="utf-8")
    assert warm(aged(project)) == cold(project)


def test_a_quiz_edit_that_leaves_the_objectives_counts_checks_no_lesson_for_coverage(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Coverage checks a lesson against how many items name each objective: same counts, no lesson checked."""
    _with_a_second_lesson(project)
    asked: list[str] = []
    fact = _check_record.CheckRecord.fact

    def noted(self: _check_record.CheckRecord, name: str, doc: Any, *args: Any) -> Any:
        asked.append(doc.display)
        return fact(self, name, doc, *args)

    monkeypatch.setattr(_check_record.CheckRecord, "fact", noted)
    EDITS["quiz stem"](project)
    assert warm(project) == cold(project)
    assert not [display for display in asked if display.endswith(".ipynb")], asked
    EDITS["quiz objective unknown"](project)  # intro-2 is now named by one item: every lesson again
    assert warm(project) == cold(project)
    assert sorted(Path(d).name for d in asked if d.endswith(".ipynb")) == ["intro.ipynb", "other.ipynb"]


def test_the_facts_of_the_documents_a_check_did_not_ask_this_time_are_kept(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lesson edit asks coverage's fact of that lesson alone; the others' stay, for when counts change."""
    from curriculum.content import _checks

    _with_a_second_lesson(project)
    EDITS["lesson prose"](project)  # intro's fact is asked again, other's is not
    assert warm(project) == cold(project)
    EDITS["quiz objective unknown"](project)  # every lesson checked again, each from its fact
    expected = cold(project)
    made: list[str] = []
    ids_of = _checks._ids_of_objectives
    monkeypatch.setattr(
        _checks, "_ids_of_objectives", lambda doc: made.append(Path(doc.display).name) or ids_of(doc)
    )
    assert warm(project) == expected
    assert made == []


def test_a_check_of_one_document_at_a_time_visits_the_changed_documents_and_those_it_found_in(
    project: Path,
) -> None:
    """With its context as recorded, an unchanged document it found nothing in is not even visited."""
    from curriculum.content import load_curriculum
    from curriculum.content._checks import references
    from curriculum.content._registry import BY_DOCUMENT

    assert warm(aged(project)) == cold(project)
    EDITS["quiz stem"](project)
    cur = load_curriculum(project)
    record = _check_record.CheckRecord(project / PROJECT_CACHE / CHECK_RECORD, cur)
    check = BY_DOCUMENT[references]
    quiz, lesson = cur.quizzes["intro"], cur.lessons["intro"]
    visited = record._visited(check, False, {lesson.display: [], "gone.yml": []})
    assert sorted(doc.display for doc in visited) == sorted([quiz.display, lesson.display])
    assert list(record._visited(check, False, None)) == list(cur.documents())
    assert list(record._visited(check, True, {})) == []  # no context: nothing to check with


def test_the_audit_of_suppressions_visits_the_changed_documents_and_those_holding_one(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unchanged document that held no suppression is not asked for its suppressions."""
    assert warm(aged(project)) == cold(project)
    asked: list[str] = []
    suppressions = _check_record.CheckRecord.suppressions

    def noted(self: _check_record.CheckRecord, doc: Any) -> Any:
        asked.append(Path(doc.display).name)
        return suppressions(self, doc)

    monkeypatch.setattr(_check_record.CheckRecord, "suppressions", noted)
    EDITS["lesson prose"](project)
    assert warm(project) == cold(project)
    holding = {Path(p).name for p in project_files(project) if "suppress:" in p.read_text(encoding="utf-8")}
    assert holding and len(holding) < len(project_files(project)) - 1
    assert set(asked) == holding | {"intro.ipynb"}


@pytest.mark.parametrize(
    "edit",
    [
        "quiz stem",
        "lesson objective text",
        "quiz suppression removed",
        "lesson suppression removed",
        "quiz removed",
        "quiz added",
    ],
)
def test_the_documents_columns_after_an_edit_are_those_a_check_without_record_writes(
    project: Path, edit: str
) -> None:
    """Each document's digests and suppressions, kept from the record where unchanged, are as made anew."""
    path = project / PROJECT_CACHE / CHECK_RECORD
    assert warm(aged(project)) == cold(project)
    EDITS[edit](project)
    found = warm(project)
    kept = read_lines(path)[1]
    path.unlink()
    assert warm(project) == found
    assert read_lines(path)[1] == kept


@pytest.mark.parametrize("facts", [None, [1, 2], "ab", [[1]], {"a": 1}], ids=repr)
def test_kept_facts_of_another_shape_are_made_again(project: Path, facts: Any) -> None:
    """A damaged facts file gives no traceback and no other finding: facts of another shape are made again."""
    assert warm(aged(project)) == cold(project)
    path = project / PROJECT_CACHE / CHECK_RECORD
    kept = read_facts(path)
    assert kept
    write_facts(path, {name: [digest, facts] for name, (digest, _) in kept.items()})
    EDITS["quiz objective unknown"](project)  # coverage runs again: every quiz's and lesson's facts
    assert warm(project) == cold(project)


@pytest.mark.parametrize(
    "held", [None, "ab", [[1, 2]], [[["items", 0], 5, "a reason"]], {}, 0, [{}]], ids=repr
)
def test_kept_suppressions_of_another_shape_are_read_again(project: Path, held: Any) -> None:
    """A damaged record's suppressions give no traceback and silence nothing they should not."""
    EDITS["lesson suppression removed"](project)  # a lesson suppression silences nothing: CUR507
    assert warm(aged(project)) == cold(project)
    path = project / PROJECT_CACHE / CHECK_RECORD
    header, columns, checks = read_lines(path)
    columns[3] = [held for _ in columns[3]]
    write_lines(path, header, columns, checks)
    EDITS["quiz stem"](project)
    assert warm(project) == cold(project)


def test_the_facts_of_unchanged_documents_are_kept_as_read_all_at_once(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While no document came or went, their lines stay as read, in place, none looked at alone."""
    assert warm(aged(project)) == cold(project)
    path = project / PROJECT_CACHE / CHECK_RECORD
    facts = [line for line in path.read_bytes().splitlines() if b"\0" in line.partition(b"\t")[0]]
    named: list[Any] = []
    real = _check_record._fact_name
    monkeypatch.setattr(_check_record, "_fact_name", lambda *args: named.append(args) or real(*args))
    EDITS["lesson prose"](project)  # coverage asks the fact of that lesson alone
    assert warm(project) == cold(project)
    after = [line for line in path.read_bytes().splitlines() if b"\0" in line.partition(b"\t")[0]]
    assert len(facts) > 2 and len(after) == len(facts)
    assert sum(line != then for line, then in zip(after, facts, strict=True)) == 1, "the lesson's, in place"
    assert 0 < len(named) < len(facts)


def test_a_fact_kept_with_another_text_digest_is_made_again(project: Path) -> None:
    """A fact's line is taken only with the digest of its document's text: a damaged one is made again."""
    assert warm(aged(project)) == cold(project)
    path = project / PROJECT_CACHE / CHECK_RECORD
    kept = read_facts(path)
    write_facts(path, {name: ["0" * 64, [["not", "it"]]] for name, (_, _) in kept.items()})
    EDITS["quiz objective unknown"](project)  # coverage runs again: every quiz's and lesson's facts
    assert warm(project) == cold(project)
    assert read_facts(path).keys() == kept.keys()
    assert all(digest != "0" * 64 for digest, _ in read_facts(path).values())


SEQUENCE = [
    "quiz stem",
    "lesson prose",
    "quiz suppression removed",
    "vignette",
    "lesson objective text",
    "techniques",
    "quiz added",
    "quiz objective unknown",
    "lesson suppression removed",
]
"""Edits made one after another (some take a document away or add one: the record is then written whole)."""


def read_record(project: Path) -> Any:
    """Return the record as a check would read it: its base, with the changes since."""
    return _check_record.CheckRecord(
        project / PROJECT_CACHE / CHECK_RECORD, load_files(project_files(project), root=project)
    )._then


def test_a_record_kept_as_changes_finds_what_a_cold_check_finds(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_record_changes, "COMPACT_AT", 0)
    path = project / PROJECT_CACHE / CHECK_RECORD
    assert warm(aged(project)) == cold(project)
    kept_as_changes = []
    for edit in SEQUENCE:
        EDITS[edit](project)
        assert warm(project) == cold(project), edit
        kept_as_changes.append(changes_path(path).is_file())
    assert kept_as_changes.count(True) >= 4, kept_as_changes  # the others came or went: a new base


def test_an_edit_writes_the_changes_it_made_and_they_read_as_the_record_written_whole(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The base stays as it was; the changes hold the edited quiz's digest, and the lines it changed."""
    path = project / PROJECT_CACHE / CHECK_RECORD
    warm(aged(project))
    base = path.read_bytes()
    monkeypatch.setattr(_record_changes, "COMPACT_AT", 0)
    records: list[Any] = []
    save = _check_record.CheckRecord.save
    monkeypatch.setattr(_check_record.CheckRecord, "save", lambda self: records.append(self) or save(self))
    EDITS["quiz stem"](project)
    EDITS["lesson prose"](project)
    assert warm(project) == cold(project)
    assert path.read_bytes() == base
    header, patches, *lines = changes_path(path).read_bytes().splitlines()
    assert json.loads(header)["generation"] == json.loads(base.partition(b"\n")[0])["generation"]
    assert [len(patch) for patch in json.loads(patches)] == [0, 2, 0, 0]  # two texts; facts of the quiz read
    assert 0 < len(lines) < len(base.splitlines()) // 2
    kept = read_record(project)
    monkeypatch.setattr(_record_changes, "COMPACT_AT", 1 << 40)
    save(records[-1])  # the same record written whole, as a new base
    assert path.read_bytes() != base and not changes_path(path).exists()
    made = read_record(project)
    assert (kept.columns, kept.checks, kept.facts) == (made.columns, made.checks, made.facts)


DAMAGE = ["cut", "not json", "a place it has not", "a name changed", "a list", "a line lost", "a tab lost"]
"""What may befall a changes file (a line lost or damaged would let the base's older entry count)."""


@pytest.mark.parametrize("damage", DAMAGE)
def test_changes_that_do_not_read_make_no_record(
    project: Path, damage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_record_changes, "COMPACT_AT", 0)
    warm(aged(project))
    EDITS["quiz stem"](project)
    warm(project)
    changes = changes_path(project / PROJECT_CACHE / CHECK_RECORD)
    header, patches, *lines = changes.read_bytes().split(b"\n")
    columns = json.loads(patches)
    if damage == "cut":
        lines[-1] = b"a line cut short"
    elif damage == "not json":
        patches = b"[{}, {"
    elif damage == "a place it has not":
        columns[1]["999"] = "0" * 64
        patches = json.dumps(columns).encode()
    elif damage == "a name changed":
        columns[0]["0"] = "quizzes/other.yml"
        patches = json.dumps(columns).encode()
    elif damage == "a line lost":
        del lines[0]
    elif damage == "a tab lost":
        lines[0] = lines[0].replace(b"\t", b" ", 1)
    else:
        patches = b"[]"
    changes.write_bytes(b"\n".join([header, patches, *lines]))
    assert read_record(project).checks == {}
    assert_every_check_runs(project)


def test_changes_of_another_base_are_not_applied(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Changes an interrupted compaction left (of the base before): the base alone is the record."""
    monkeypatch.setattr(_record_changes, "COMPACT_AT", 0)
    path = project / PROJECT_CACHE / CHECK_RECORD
    warm(aged(project))
    EDITS["quiz stem"](project)
    warm(project)
    left = changes_path(path).read_bytes()
    EDITS["quiz added"](project)  # documents came: a new base
    warm(project)
    assert not changes_path(path).exists()
    base = read_record(project)
    changes_path(path).write_bytes(left)
    kept = read_record(project)
    assert (kept.columns, kept.checks, kept.facts) == (base.columns, base.checks, base.facts)
    EDITS["lesson prose"](project)
    assert warm(project) == cold(project)


@pytest.mark.parametrize(
    ("data", "start", "lines"),
    [
        (b'{"key": 1}\nab\n\ncd\n', 11, [b"ab", b"", b"cd"]),  # an empty line is one
        (b'{"key": 1}\n', 11, []),
        (b'{"key": 1}\nab\ncd', 11, None),  # the last line does not end: no record
        (b'{"key": 1}\n\n', 11, [b""]),
    ],
)
def test_record_lines_are_split_at_each_newline(data: bytes, start: int, lines: list[bytes] | None) -> None:
    """A record's lines are found line by line, as a split of its body at each newline would find them."""
    assert _check_record._lines(data, start) == lines
    if lines is not None:
        assert _check_record._lines(data, start) == data[start:].split(b"\n")[:-1]
