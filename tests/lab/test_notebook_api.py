"""The live host without a browser: what ``curriculum.quiz()`` and friends return in a kernel.

A lesson notebook runs in its project's ``lessons/`` folder, so every test
works in a fresh copy of the test project with that folder as the working
directory, and with its own progress file (``CURRICULUM_PROGRESS_FILE``).
Messages "from the browser" are fed to the widget the way ipywidgets
receives them from JupyterLab (a comm ``update`` message).
"""

from __future__ import annotations

import html
import json
import re
import time
from pathlib import Path
from typing import Any

import anywidget
import pytest

import curriculum
from curriculum.assess import ProgressStore
from curriculum.assess._progress import ProgressWarning
from curriculum.components import COMPONENTS, Mount
from curriculum.hosts.display import Problem, StaticComponent
from curriculum.hosts.static import MOUNT_MIME, OVERVIEW_MIME
from curriculum.hosts.widget import widget_class
from curriculum.web import component_esm, live_esm, live_module
from tests.lab.conftest import payload_builder as builder

SITE = "test-curriculum"  # the slug of the test project's website title

QUIZ_STATE = {
    "attempts": [
        {
            "started": "2026-11-23T10:00:00Z",
            "order": {"intro-q01": ["c", "a", "d", "b"], "intro-q02": ["a", "b", "c", "d"]},
            "responses": {"intro-q01": ["a"], "intro-q02": ["c"]},
            "checked": ["intro-q01", "intro-q02"],
            "submitted": None,
            "score": 1.0,
        }
    ]
}
VIGNETTE_STATE = {"path": [{"node": "one", "choice": 0}], "at": "two", "endings": {"good": 1}, "runs": 2}


@pytest.fixture
def lesson_dir(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work as a kernel started for a lesson does: in ``lessons/``, with a progress file of its own."""
    monkeypatch.chdir(project / "lessons")
    monkeypatch.setenv("CURRICULUM_PROGRESS_FILE", str(tmp_path / "learner" / "progress.json"))
    return project / "lessons"


@pytest.fixture
def progress_file(lesson_dir: Path, tmp_path: Path) -> Path:
    return tmp_path / "learner" / "progress.json"


def write_progress(path: Path, records: dict[str, dict[str, Any]]) -> None:
    """Write a progress file by hand, as the static site exports it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = "2026-11-23T10:00:00Z"
    path.write_text(
        json.dumps(
            {
                "format": "curriculum-progress",
                "version": 1,
                "site": SITE,
                "updated": stamp,
                "records": {key: {"updated": stamp, "state": state} for key, state in records.items()},
            }
        ),
        encoding="utf-8",
    )


def from_browser(widget: Any, state: dict[str, Any]) -> None:
    """Deliver a ``state`` change as JupyterLab's widget manager sends it (comm ``update``)."""
    data = {"method": "update", "state": {"state": state}, "buffer_paths": []}
    widget._handle_msg({"content": {"data": data}, "buffers": []})


# --------------------------------------------------------------------------- the widget


def test_quiz_is_a_widget_with_the_builders_payload(lesson_dir: Path, progress_file: Path) -> None:
    widget = curriculum.quiz("intro")
    try:
        assert isinstance(widget, widget_class("quiz")) and isinstance(widget, anywidget.AnyWidget)
        assert widget.payload == builder(lesson_dir.parent).quiz("intro")
        assert widget.payload["key"] == "quiz:intro" and widget.payload["site"] == SITE
        assert widget.host == {"kind": "live", "profile": "resident"}
        assert widget.state == {}
        assert repr(widget) == "<quiz 'intro'>"
        # Opening a quiz writes nothing until the learner acts.
        assert not progress_file.exists()
        # Every synced trait the components read is synced.
        assert {"payload", "state", "host", "_esm", "_css"} <= set(widget.keys)
        assert widget._esm == live_esm("quiz")
        assert ".cur-component" in widget._css
    finally:
        widget.close()


def test_vignette_payload_and_faculty_profile(lesson_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    resident = curriculum.vignette("first-visit")
    monkeypatch.setenv("CURRICULUM_PROFILE", "faculty")
    faculty = curriculum.vignette("first-visit")
    try:
        assert isinstance(resident, widget_class("vignette"))
        assert resident.payload == builder(lesson_dir.parent).vignette("first-visit")
        assert resident.payload["facilitator_html"] is None
        assert faculty.host == {"kind": "live", "profile": "faculty"}
        assert faculty.payload == builder(lesson_dir.parent, "faculty").vignette("first-visit")
        assert "role-play" in faculty.payload["facilitator_html"]
    finally:
        resident.close()
        faculty.close()


def test_state_is_loaded_from_an_existing_progress_file(progress_file: Path) -> None:
    write_progress(progress_file, {"quiz:intro": QUIZ_STATE, "vignette:first-visit": VIGNETTE_STATE})
    before = progress_file.read_bytes()
    quiz, vignette = curriculum.quiz("intro"), curriculum.vignette("first-visit")
    try:
        assert quiz.state == QUIZ_STATE
        assert vignette.state == VIGNETTE_STATE
        assert progress_file.read_bytes() == before  # loading never rewrites the file
    finally:
        quiz.close()
        vignette.close()


def test_setting_state_in_python_writes_the_progress_file(progress_file: Path) -> None:
    write_progress(progress_file, {"vignette:first-visit": VIGNETTE_STATE})
    widget = curriculum.quiz("intro")
    try:
        widget.state = QUIZ_STATE
        data = json.loads(progress_file.read_text(encoding="utf-8"))
        assert data["format"] == "curriculum-progress" and data["version"] == 1 and data["site"] == SITE
        assert data["records"]["quiz:intro"]["state"] == QUIZ_STATE
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["records"]["quiz:intro"]["updated"])
        # Other records are kept as they were.
        assert data["records"]["vignette:first-visit"]["state"] == VIGNETTE_STATE
        # A new widget for the same quiz (the cell run again) starts from the saved state.
        again = curriculum.quiz("intro")
        assert again.state == QUIZ_STATE
        again.close()
    finally:
        widget.close()


def test_state_sent_by_the_browser_is_saved(progress_file: Path) -> None:
    widget = curriculum.vignette("first-visit")
    try:
        from_browser(widget, VIGNETTE_STATE)
        assert widget.state == VIGNETTE_STATE
        store = ProgressStore(progress_file, SITE)
        assert store.get("vignette:first-visit") == VIGNETTE_STATE
        from_browser(widget, {**VIGNETTE_STATE, "runs": 3})
        assert store.get("vignette:first-visit")["runs"] == 3
    finally:
        widget.close()


def test_an_unreadable_progress_file_is_kept_and_the_widget_still_opens(progress_file: Path) -> None:
    progress_file.parent.mkdir(parents=True)
    progress_file.write_text("{not json", encoding="utf-8")
    with pytest.warns(ProgressWarning, match="could not be read"):
        widget = curriculum.quiz("intro")
    try:
        assert widget.state == {}
        kept = list(progress_file.parent.glob("progress.unreadable-*.json"))
        assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == "{not json"
    finally:
        widget.close()


@pytest.mark.parametrize("name", list(COMPONENTS))
def test_live_module_wraps_the_component(name: str) -> None:
    """The module anywidget gets: the shared modules and the component, its default export wrapped once."""
    text = live_esm(name)
    assert text.startswith(component_esm(name).split("export default", 1)[0])
    assert text.count("export default") == 1 and text.rstrip().endswith("};")
    assert "const component = {" in text
    assert 'el.addEventListener("keydown", keepKeys)' in text
    assert not re.search(r"^\s*import\b", text, re.MULTILINE)  # a single module: nothing to import


def test_without_hot_reload_the_widget_module_is_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANYWIDGET_HMR", raising=False)
    assert live_module("quiz") == live_esm("quiz")


def test_hot_reload_names_a_file_relinked_when_a_source_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ANYWIDGET_HMR=1 the widget's _esm is a file; editing a component's source rewrites it."""
    pytest.importorskip("watchfiles")
    import dataclasses

    from curriculum.components import register
    from curriculum.web import _hot

    source = COMPONENTS["worksheet"].module.read_text(encoding="utf-8")
    module = tmp_path / "toy.js"
    module.write_text(source, encoding="utf-8")
    spec = register(dataclasses.replace(COMPONENTS["worksheet"], kind="toy", module=module))
    monkeypatch.setenv("ANYWIDGET_HMR", "1")
    monkeypatch.setenv("CURRICULUM_CACHE_DIR", str(tmp_path / "cache"))
    try:
        path = live_module(spec.kind)
        assert isinstance(path, Path) and path.read_text(encoding="utf-8") == live_esm("toy")
        assert "Download my worksheet" in path.read_text(encoding="utf-8")
        assert str(widget_class("toy")._esm) == path.read_text(encoding="utf-8"), "anywidget reads the file"
        time.sleep(0.5)  # the watcher is up
        module.write_text(source.replace("Download my worksheet", "Save my worksheet"), encoding="utf-8")
        deadline = time.monotonic() + 20
        while "Save my worksheet" not in path.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, "the module file was not relinked within 20 s"
            time.sleep(0.1)
    finally:
        COMPONENTS.unregister("toy")
        widget_class.cache_clear()
        with _hot._lock:  # the watcher thread reads the registry under the lock
            _hot._written.pop("toy", None)


# --------------------------------------------------------------------------- problems, static host, progress


@pytest.mark.parametrize(
    "call",
    [lambda i: curriculum.quiz(i), lambda i: curriculum.vignette(i), lambda i: curriculum.spotter(i)],
    ids=["quiz", "vignette", "spotter"],
)
def test_unknown_id_is_a_readable_problem(lesson_dir: Path, call: Any) -> None:
    problem = call("<img src=x onerror=alert(1)>")
    assert isinstance(problem, Problem)
    text = repr(problem)
    assert text.startswith("Cannot show this part of the lesson: there is no ")
    assert "Traceback" not in text
    markup = problem._repr_html_()
    assert "<img" not in markup and "&lt;img src=x onerror=alert(1)&gt;" in markup
    assert 'role="alert"' in markup


def test_unknown_id_suggests_the_near_one(lesson_dir: Path) -> None:
    problem = curriculum.vignette("first-vist")
    assert isinstance(problem, Problem)
    assert "did you mean `first-visit`?" in repr(problem)
    assert "known: first-visit" in repr(problem)
    quiz = curriculum.quiz("intr")
    assert "known: intro, intro-final" in repr(quiz)


def test_outside_a_project_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    problem = curriculum.quiz("intro")
    assert isinstance(problem, Problem)
    assert "no curriculum project" in repr(problem) and "CURRICULUM_ROOT" in repr(problem)
    assert html.escape(str(tmp_path)) in problem._repr_html_()


def test_the_faculty_overview_links_to_the_facilitator_notes(
    lesson_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident = curriculum.overview("intro")._repr_html_()
    assert "faculty/notes" not in resident and "Describe the alliance as a common factor." in resident
    monkeypatch.setenv("CURRICULUM_PROFILE", "faculty")
    assert 'href="../faculty/notes/intro.qmd"' in curriculum.overview("intro")._repr_html_()  # in JupyterLab
    monkeypatch.setenv("QUARTO_DOCUMENT_PATH", str(lesson_dir / "intro.ipynb"))
    assert 'href="../faculty/notes/intro.html"' in curriculum.overview("intro")._repr_html_()  # on the site
    (lesson_dir.parent / "faculty" / "notes" / "intro.qmd").unlink()
    assert "faculty/notes" not in curriculum.overview("intro")._repr_html_()  # no notes, no link


def test_quarto_host_returns_the_html_fragment(
    lesson_dir: Path, progress_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUARTO_DOCUMENT_PATH", str(lesson_dir / "intro.ipynb"))
    shown = curriculum.quiz("intro")
    assert isinstance(shown, StaticComponent)
    assert repr(shown) == "Quiz 'intro' (interactive on the website)"
    markup = shown._repr_html_()
    match = re.fullmatch(
        r'<div class="cur-widget" data-component="quiz" id="cur-quiz-intro">'
        r'<script type="application/json" class="cur-payload">(.*)</script>'
        r"<noscript><p>[^<]+</p></noscript></div>",
        markup,
        re.DOTALL,
    )
    assert match, markup[:300]
    # Nothing in the JSON can end the script element or start a comment in it.
    assert "</" not in match.group(1) and "<!--" not in match.group(1)
    assert json.loads(match.group(1)) == builder(lesson_dir.parent).quiz("intro")
    vignette = curriculum.vignette("first-visit")
    assert isinstance(vignette, StaticComponent)
    assert 'data-component="vignette"' in vignette._repr_html_()
    assert not progress_file.exists()


def test_our_build_gets_references_by_id_and_no_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Our build reads which component or overview a cell shows from its own MIME type; Quarto gets HTML.

    The reference holds no content, so no project is even needed to make it: the
    stored outputs (``_freeze/``) depend on the code alone.
    """
    monkeypatch.chdir(tmp_path)  # no project here: a reference does not load one
    monkeypatch.setenv("CURRICULUM_HOST", "static")
    bundle = curriculum.worksheet("thought-record", "tr-1")._repr_mimebundle_()
    assert bundle == {
        MOUNT_MIME: {"component": "worksheet", "args": ["thought-record", "tr-1"]},
        "text/plain": "Worksheet 'tr-1' (interactive on the website)",
    }
    assert Mount.from_json(bundle[MOUNT_MIME]) == Mount("worksheet", ("thought-record", "tr-1"))
    overview = curriculum.overview("intro")._repr_mimebundle_()
    assert overview == {OVERVIEW_MIME: {"lesson": "intro"}, "text/plain": "Overview of the lesson 'intro'"}
    assert isinstance(curriculum.worksheet("thought-recrd"), Problem)  # the kind is still checked at the call


def test_quarto_gets_the_fragment_and_no_reference(lesson_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUARTO_DOCUMENT_PATH", str(lesson_dir / "intro.ipynb"))
    shown = curriculum.worksheet("thought-record")
    assert shown._repr_html_().startswith('<div class="cur-widget" data-component="worksheet"')
    assert not hasattr(shown, "_repr_mimebundle_")  # Jupyter shows its HTML (and text), no reference


def test_progress_lists_saved_records(progress_file: Path) -> None:
    table = curriculum.progress()
    assert not isinstance(table, Problem)
    assert table.rows == [] and table.path == progress_file
    write_progress(
        progress_file,
        {
            "quiz:intro": QUIZ_STATE,
            "vignette:first-visit": VIGNETTE_STATE,
            "quiz:intro-final": {"attempts": []},
        },
    )
    table = curriculum.progress()
    assert not isinstance(table, Problem)
    rows = {(r["component"], r["id"]): r for r in table.rows}
    assert set(rows) == {("quiz", "intro"), ("quiz", "intro-final"), ("vignette", "first-visit")}
    assert rows["quiz", "intro"]["status"] == "1 attempt" and rows["quiz", "intro"]["score"] == "100%"
    assert rows["quiz", "intro-final"]["status"] == "not started"
    assert rows["vignette", "first-visit"]["status"] == "1 ending reached"
    assert rows["quiz", "intro"]["updated"] == "2026-11-23T10:00:00Z"
    text = repr(table)
    assert text.splitlines()[0] == f"Progress in {progress_file}"
    assert "A first visit" in text and "1 attempt, best 100%" in text
    markup = table._repr_html_()
    assert "<th scope='row'>A first visit</th><td>1 ending reached</td>" in markup


def test_progress_table_escapes_imported_keys(progress_file: Path) -> None:
    """Records can come from an imported file: their keys are shown as text, never markup."""
    write_progress(progress_file, {"quiz:<img src=x onerror=alert(1)>": {"attempts": []}})
    table = curriculum.progress()
    assert not isinstance(table, Problem)
    markup = table._repr_html_()
    assert "<img" not in markup and "&lt;img src=x onerror=alert(1)&gt;" in markup


def test_progress_after_answers_in_the_widgets(progress_file: Path) -> None:
    quiz, vignette = curriculum.quiz("intro"), curriculum.vignette("first-visit")
    try:
        from_browser(quiz, QUIZ_STATE)
        from_browser(vignette, VIGNETTE_STATE)
        table = curriculum.progress()
        assert not isinstance(table, Problem)
        keys = [(r["component"], r["id"]) for r in table.rows]
        assert keys == [("quiz", "intro"), ("vignette", "first-visit")]
    finally:
        quiz.close()
        vignette.close()
