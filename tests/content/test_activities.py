"""Activities (``activities/<id>.yml``) and the quizzes that belong to them: each kind of bad input.

The good activity is ``tests/data/activity/`` (an activity over the test
project's one lesson, a pre-test and a post-test), copied over the test
project; each case below changes one thing and expects one located message
(`path:line:col: error CODE: what is wrong (how to fix it)`).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from curriculum import _memo
from curriculum.content import Activity, check_paths, format_diagnostics, load_curriculum
from curriculum.content._activities import expiry_limit
from tests.cli.test_cli import run
from tests.conftest import DATA, aged

ACTIVITY = DATA / "activity"


@pytest.fixture
def with_activity(project: Path) -> Path:
    """The test project with the welcome activity, its pre-test and its post-test."""
    shutil.copytree(ACTIVITY, project, dirs_exist_ok=True)
    return project


def _edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _report(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(root)
    return format_diagnostics(check_paths([], root).diagnostics).splitlines()


def _errors(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return [line for line in _report(root, monkeypatch) if ": error " in line]


def test_the_good_activity_is_clean_and_loaded(with_activity: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _report(with_activity, monkeypatch) == []
    cur = load_curriculum(with_activity)
    activity = cur.activities["welcome"].model
    assert isinstance(activity, Activity)
    assert activity.released == dt.date(2026, 12, 1) and activity.hours == 1.5
    assert cur.quizzes["welcome-post"].model.activity == "welcome"
    assert cur.quizzes["welcome-post"].model.lesson is None


CASES = [
    pytest.param(
        "activities/welcome.yml",
        "lessons: [intro]",
        "lessons: [intro, outro]",
        "activities/welcome.yml:5:18: error CUR310: lesson `outro` does not exist (did you mean `intro`?) "
        "(name a notebook in lessons/ without `.ipynb`)",
        id="unknown-lesson",
    ),
    pytest.param(
        "activities/welcome.yml",
        "objectives: [intro-2, intro-1]",
        "objectives: [intro-2, intro-1, intro-9]",
        "activities/welcome.yml:6:32: error CUR322: objective `intro-9` is not an objective of a lesson "
        "(did you mean `intro-3`?) (name an objective id from the front matter of a lesson in `lessons`)",
        id="objective-not-in-a-spanned-lesson",
    ),
    pytest.param(
        "activities/welcome.yml",
        "pretest: welcome-pre",
        "pretest: welcome-first",
        "activities/welcome.yml:16:10: error CUR321: pretest `welcome-first` is not a quiz (did you mean "
        "`welcome-post`?) (create quizzes/welcome-first.yml (`curriculum new quiz welcome-first`, then "
        "`kind: pretest` and `activity: welcome`) or fix the id)",
        id="missing-pretest",
    ),
    pytest.param(
        "quizzes/welcome-post.yml",
        "kind: posttest",
        "kind: pretest",
        "activities/welcome.yml:17:11: error CUR321: posttest `welcome-post` is a pretest quiz, not a "
        "posttest (set `kind: posttest` in quizzes/welcome-post.yml, or name a posttest quiz here)",
        id="posttest-of-another-kind",
    ),
    pytest.param(
        "quizzes/welcome-pre.yml",
        "activity: welcome",
        "activity: welcome\nlesson: intro",
        "quizzes/welcome-pre.yml:2:1: error CUR320: the quiz names both `lesson` and `activity` (keep "
        "`activity` for an activity's pre-test or post-test, `lesson` for a lesson's quiz)",
        id="quiz-with-lesson-and-activity",
    ),
    pytest.param(
        "quizzes/welcome-pre.yml",
        "activity: welcome\n",
        "",
        "quizzes/welcome-pre.yml:1:1: error CUR320: the quiz names neither `lesson` nor `activity` (add "
        "`lesson: <lesson-id>` (a lesson's quiz) or `activity: <activity-id>`)",
        id="quiz-with-neither",
    ),
    pytest.param(
        "quizzes/welcome-pre.yml",
        "activity: welcome",
        "activity: welcom",
        "quizzes/welcome-pre.yml:2:11: error CUR320: activity `welcom` does not exist (did you mean "
        "`welcome`?) (name a file in activities/ without `.yml`)",
        id="quiz-of-an-unknown-activity",
    ),
    pytest.param(
        "quizzes/welcome-pre.yml",
        "objectives: [intro-1]",
        "objectives: [intro-3]",
        "quizzes/welcome-pre.yml:8:18: error CUR323: objective `intro-3` is not one of activity `welcome`'s "
        "objectives (did you mean `intro-2`?) (name one of the activity's objectives, or add `intro-3` to "
        "activities/welcome.yml)",
        id="item-objective-not-the-activitys",
    ),
    pytest.param(
        "activities/welcome.yml",
        "expires: 2029-12-01",
        "expires: 2029-12-02",
        "activities/welcome.yml:13:10: error CUR511: the expiration (2029-12-02) is more than 3 years "
        "after the last review (2026-12-01) (set `expires: 2029-12-01` or earlier, or review the activity "
        "again and update `reviewed`)",
        id="expires-more-than-three-years-after-review",
    ),
    pytest.param(
        "activities/welcome.yml",
        "reviewed: 2026-12-01",
        "reviewed: 2026-11-30",
        "activities/welcome.yml:12:11: error CUR511: the last review (2026-11-30) is before the release "
        "(2026-12-01) (a review date is on or after the release date)",
        id="reviewed-before-released",
    ),
    pytest.param(
        "activities/welcome.yml",
        "released: 2026-12-01\nreviewed: 2026-12-01\nexpires: 2029-12-01",
        "released: 2020-01-01\nreviewed: 2021-01-01\nexpires: 2024-01-01",
        "activities/welcome.yml:13:10: warning CUR512: the activity expired on 2024-01-01 (review the "
        "content, then update `reviewed` and `expires`)",
        id="expired",
    ),
    pytest.param(
        "quizzes/welcome-post.yml",
        "objectives: [intro-2]",
        "objectives: [intro-1]",
        "activities/welcome.yml:6:14: error CUR513: objective `intro-2` is assessed by 1 item of post-test "
        "`welcome-post` (write at least 2 post-test items that name it in `objectives`)",
        id="objective-with-one-posttest-item",
    ),
    pytest.param(
        "activities/welcome.yml",
        "hours: 1.5",
        "hours: none",
        "activities/welcome.yml:7:8: error CUR203: `hours` must be a number, not text",
        id="hours-not-a-number",
    ),
    pytest.param(
        "activities/welcome.yml",
        "released: 2026-12-01",
        "released: 2026-13-01",
        "activities/welcome.yml:11:11: error CUR110: `2026-13-01` looks like a date or time but is not a "
        "real one",
        id="not-a-date",
    ),
    pytest.param(
        "activities/welcome.yml",
        "    disclosure: No relevant financial relationships with ineligible companies.\n",
        "",
        "activities/welcome.yml:9:5: error CUR202: `disclosure` is missing here",
        id="faculty-without-disclosure",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "expected"), CASES)
def test_bad_input_is_located(
    with_activity: Path, monkeypatch: pytest.MonkeyPatch, name: str, old: str, new: str, expected: str
) -> None:
    _edit(with_activity, name, old, new)
    lines = _report(with_activity, monkeypatch)
    assert any(line.startswith(expected) for line in lines), "\n".join(lines)


def test_cli_exits_1_without_a_traceback(
    with_activity: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(with_activity, "activities/welcome.yml", "expires: 2029-12-01", "expires: 2031-01-01")
    monkeypatch.chdir(with_activity)
    status, out, err = run(["check"], capsys)
    assert status == 1
    assert "activities/welcome.yml:13:10: error CUR511" in out + err
    assert "Traceback" not in out + err


def test_expiry_limit_is_three_years_even_from_a_leap_day() -> None:
    assert expiry_limit(dt.date(2026, 12, 4)) == dt.date(2029, 12, 4)
    assert expiry_limit(dt.date(2028, 2, 29)) == dt.date(2031, 2, 28)


def test_new_activity_is_clean(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    status, out, err = run(["new", "activity", "starter"], capsys)
    assert status == 0, out + err
    assert (project / "activities" / "starter.yml").is_file()
    assert (project / "quizzes" / "starter-pretest.yml").is_file()
    assert (project / "quizzes" / "starter-posttest.yml").is_file()
    status, out, err = run(["check", "--strict"], capsys)
    assert status == 0, out + err


def test_the_activity_check_reads_no_lesson_the_activity_does_not_span(
    with_activity: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An activity's links read its lessons' objectives; another lesson's only for one not among them.

    So a post-test edit at 64 lessons validates the models of the activity's lessons, not of every lesson.
    """
    from curriculum._memo import memo_session
    from curriculum.content import _project
    from curriculum.content._activities import activity_links

    lesson = (with_activity / "lessons/intro.ipynb").read_text(encoding="utf-8")
    other = re.sub(r"id: intro-(\d)", r"id: other-\1", lesson).replace("lesson-id: intro", "lesson-id: other")
    (with_activity / "lessons/other.ipynb").write_text(other, encoding="utf-8")
    assert not _errors(aged(with_activity), monkeypatch)  # the content index now holds every file
    loaded: list[str] = []
    model = _project._IndexedDocument.model.func  # type: ignore[attr-defined]
    monkeypatch.setattr(
        _project._IndexedDocument, "model", property(lambda doc: loaded.append(doc.display) or model(doc))
    )

    def lessons_read() -> tuple[list[str], list[str]]:
        _memo._stores.clear()
        loaded.clear()
        with memo_session(with_activity):
            cur = load_curriculum(with_activity)
            found = [f.diagnostic.message for f in activity_links(cur)]
        return found, sorted({d for d in loaded if d.startswith("lessons/")})

    assert lessons_read() == ([], ["lessons/intro.ipynb"])
    _edit(with_activity, "activities/welcome.yml", "objectives: [intro-2, intro-1]", "objectives: [other-1]")
    message = "objective `other-1` belongs to lesson `other`, which the activity does not span"
    assert lessons_read() == ([message], ["lessons/intro.ipynb", "lessons/other.ipynb"])
