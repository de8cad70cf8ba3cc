"""``curriculum.progress()``: the learner's dashboard in a notebook, from the progress file.

The test project's lesson ``intro`` has three objectives: ``intro-1`` (MK4),
``intro-2`` (MK4, PC4) and ``intro-3`` (PC4). The formative quiz ``intro``
measures intro-1 (item q01, key a) and intro-2 (q02, key c); the summative
``intro-final`` measures intro-3 and intro-2, and is graded by faculty, so it
never counts here.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest

import curriculum
from curriculum.assess import latest_results, tally_mastery
from curriculum.content import load_curriculum
from curriculum.hosts.dashboard import Dashboard
from curriculum.hosts.display import Problem

SITE = "test-curriculum"
SHARED = json.loads((Path(__file__).resolve().parents[1] / "data" / "mastery.json").read_text())
HOSTILE = "<img src=x onerror=alert(1)>&<script>alert(2)</script>"


def attempt(**fields: Any) -> dict[str, Any]:
    return {"started": "2026-11-23T10:00:00Z", "order": {}, "responses": {}, "checked": [], **fields}


@pytest.fixture
def progress_file(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(project / "lessons")
    path = tmp_path / "learner" / "progress.json"
    monkeypatch.setenv("CURRICULUM_PROGRESS_FILE", str(path))
    return path


def write(path: Path, records: dict[str, Any], learner: str | None = None) -> None:
    stamp = "2026-11-23T10:00:00Z"
    data: dict[str, Any] = {"format": "curriculum-progress", "version": 1, "site": SITE, "updated": stamp}
    if learner is not None:
        data["learner"] = learner
    data["records"] = {key: {"updated": stamp, "state": state} for key, state in records.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def board() -> Dashboard:
    shown = curriculum.progress()
    assert isinstance(shown, Dashboard), shown
    return shown


@pytest.mark.parametrize("case", SHARED["cases"], ids=lambda c: c["why"][:40])
def test_the_shared_cases(case: dict[str, Any]) -> None:
    """The same cases as ``tests/js/mastery.test.js``: the browser and Python tally alike."""
    objectives, codes = tally_mastery(case["items"], case["competencies"], case["results"])
    assert {k: [t.correct, t.answered] for k, t in objectives.items()} == case["objectives"]
    assert {k: [t.correct, t.answered] for k, t in codes.items()} == case["subcompetencies"]


def test_which_attempt_counts() -> None:
    cur = load_curriculum(Path(__file__).resolve().parents[1] / "data" / "project")
    quiz, final = cur.quizzes["intro"].model, cur.quizzes["intro-final"].model
    # Formative: the checked items of the latest attempt that has any, scored against the key.
    state = {
        "attempts": [
            attempt(responses={"intro-q01": ["a"], "intro-q02": ["c"]}, checked=["intro-q01", "intro-q02"]),
            attempt(responses={"intro-q01": ["b"], "intro-q02": ["c"]}, checked=["intro-q01"]),
            attempt(responses={"intro-q02": ["a"]}),  # started, nothing checked: no results yet
        ]
    }
    assert latest_results(quiz, state) == {"intro-q01": False}
    assert latest_results(quiz, {"attempts": [attempt(responses={"intro-q01": ["a"]})]}) is None
    assert latest_results(quiz, {"attempts": "x"}) is None
    # A summative quiz is graded by faculty from its response file: never here.
    submitted = attempt(responses={"final-q01": ["a"]}, submitted="2026-11-23T10:05:00Z")
    assert latest_results(final, {"attempts": [submitted]}) is None
    # A submitted pre/post test counts every item; an unanswered one is wrong.
    post = quiz.model_copy(update={"kind": "posttest"})
    assert latest_results(post, {"attempts": [submitted | {"responses": {"intro-q02": ["c"]}}]}) == {
        "intro-q01": False,
        "intro-q02": True,
    }
    assert latest_results(post, {"attempts": [attempt(responses={"intro-q02": ["c"]})]}) is None


def test_the_figures_of_a_hand_made_progress_file(progress_file: Path) -> None:
    write(
        progress_file,
        {
            # first attempt: q01 right, q02 wrong; second attempt: q01 wrong, q02 not checked yet
            "quiz:intro": {
                "attempts": [
                    attempt(
                        responses={"intro-q01": ["a"], "intro-q02": ["b"]},
                        checked=["intro-q01", "intro-q02"],
                        score=0.5,
                        results={"intro-q01": True, "intro-q02": False},
                    ),
                    attempt(responses={"intro-q01": ["d"], "intro-q02": ["c"]}, checked=["intro-q01"]),
                ]
            },
            "quiz:intro-final": {
                "attempts": [attempt(responses={"final-q01": ["a"]}, submitted="2026-11-23T10:09:00Z")]
            },
            "vignette:first-visit": {
                "path": [{"node": "one", "choice": 0}],
                "at": "two",
                "endings": {"good": 1},
            },
        },
        learner="Jo Example",
    )
    shown = board()
    assert shown.learner == "Jo Example" and shown.path == progress_file
    (lesson,) = shown.lessons
    parts = {p.key: p for p in lesson.parts}
    assert list(parts) == [
        "vignette:first-visit",
        "spotter:spot-the-stem",
        "worksheet:intro-reflection",
        "quiz:intro",
        "quiz:intro-final",
    ]
    assert parts["quiz:intro"].status == "2 attempts" and parts["quiz:intro"].score == "50%"
    assert parts["spotter:spot-the-stem"].status == "not started"
    assert lesson.summary == "3 of 5 parts started; 1 of 3 objectives assessed"
    # Latest attempt with results: the second, q01 only (wrong); q02 is in no latest result.
    figures = {o.id: o.figure for o in lesson.objectives}
    assert figures == {
        "intro-1": "0 of 1 correct (0%)",
        "intro-2": "not yet assessed",
        "intro-3": "not yet assessed",  # only the summative quiz measures it
    }
    competencies = {name: {r.id: (r.figure, r.detail) for r in rows} for name, rows in shown.competencies}
    assert competencies == {
        "Patient Care": {"PC4": ("not yet assessed", "2 objectives")},
        "Medical Knowledge": {"MK4": ("0 of 1 correct (0%)", "2 objectives")},
    }
    text = repr(shown)
    assert text.splitlines()[0] == f"Progress in {progress_file} (Jo Example)"
    assert "Describe the alliance as a common factor.: 0 of 1 correct (0%)" in text
    assert "MK4    Medical Knowledge 4: 0 of 1 correct (0%)" in text
    markup = shown._repr_html_()
    assert markup.count("<caption>") == 3  # the parts, the objectives, the subcompetencies
    assert "<th scope='rowgroup' colspan='3'>Patient Care</th>" in markup
    assert "<th scope='row'>Describe the alliance as a common factor.</th>" in markup
    assert "value='0.0' aria-hidden='true'></meter>0 of 1 correct (0%)" in markup


def test_every_answer_right_after_answering_in_order(progress_file: Path) -> None:
    write(
        progress_file,
        {
            "quiz:intro": {
                "attempts": [
                    attempt(
                        responses={"intro-q01": ["a"], "intro-q02": ["c"]},
                        checked=["intro-q01", "intro-q02"],
                        score=1.0,
                    )
                ]
            }
        },
    )
    shown = board()
    figures = {o.id: o.percent for o in shown.lessons[0].objectives}
    assert figures == {"intro-1": 100, "intro-2": 100, "intro-3": None}
    codes = {r.id: r.figure for _, rows in shown.competencies for r in rows}
    assert codes == {"PC4": "1 of 1 correct (100%)", "MK4": "2 of 2 correct (100%)"}


def test_a_hostile_name_and_key_are_escaped(progress_file: Path) -> None:
    write(
        progress_file, {f"quiz:x{'y' * 3}": {"attempts": []}, "worksheet:w": {"fields": {}}}, learner=HOSTILE
    )
    data = json.loads(progress_file.read_text())
    data["records"]["quiz:<b>bold</b>"] = data["records"].pop("quiz:xyyy")
    progress_file.write_text(json.dumps(data))
    markup = board()._repr_html_()
    assert "<img" not in markup and "<script>alert" not in markup and "<b>bold" not in markup
    assert "&lt;img src=x onerror=alert(1)&gt;&amp;&lt;script&gt;alert(2)&lt;/script&gt;" in markup
    assert "&lt;b&gt;bold&lt;/b&gt;" in markup


@pytest.mark.parametrize("content", [None, ""])
def test_a_missing_or_empty_file_says_what_to_do(progress_file: Path, content: str | None) -> None:
    if content is not None:
        progress_file.parent.mkdir(parents=True)
        progress_file.write_text(content)
    with pytest.warns(UserWarning, match="could not be read") if content == "" else contextlib.nullcontext():
        shown = board()
    assert shown.empty and shown.lessons and shown.rows == []
    message = f"No progress is saved in {progress_file} yet"
    assert message in repr(shown) and message in shown._repr_html_()
    assert "curriculum progress --import FILE" in repr(shown)


def test_outside_a_project_a_panel_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CURRICULUM_ROOT", raising=False)
    monkeypatch.delenv("QUARTO_PROJECT_ROOT", raising=False)
    shown = curriculum.progress()
    assert isinstance(shown, Problem)
    assert "no curriculum project" in shown._repr_html_()
