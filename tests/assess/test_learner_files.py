"""Bad input to `curriculum report`: each kind is reported as `path: what is wrong` and skipped.

The report still completes with every good file, nothing is counted twice,
the exit status is 1 when anything was skipped and 0 otherwise, and no
traceback is ever shown.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest

from tests.assess.cohorts import ITEMS, KEYS, add_quiz, attempt, cohort, progress_file, response_file, run

ALL_RIGHT = {item: [key] for item, key in zip(ITEMS, KEYS, strict=True)}
ALL_WRONG = {item: ["d" if key != "d" else "a"] for item, key in zip(ITEMS, KEYS, strict=True)}


@pytest.fixture
def files(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test project with a six-item summative quiz and five good response files."""
    add_quiz(project)
    monkeypatch.chdir(project)
    folder = project / "collected"
    cohort(folder, 5)
    return folder


def report(
    capsys: pytest.CaptureFixture[str], *paths: Path | str
) -> tuple[int, str, dict[str, dict[str, str]]]:
    status, out, err = run(["report", *map(str, paths), "--out", "out"], capsys)
    assert "Traceback" not in out + err
    with Path("out/learners.csv").open(newline="", encoding="utf-8") as handle:
        learners = {row["learner"]: row for row in csv.DictReader(handle)}
    return status, err, learners


def problem_lines(err: str, path: Path) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(path.as_posix())]


def test_good_files_exit_0(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, err, learners = report(capsys, files)
    assert status == 0, err
    assert len(learners) == 5 and "0 left out" in err


def test_malformed_json(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = files / "malformed.json"
    bad.write_text('{"format": "curriculum-responses",\n  "quiz": cohort-final}\n')
    status, err, learners = report(capsys, files)
    assert status == 1 and len(learners) == 5
    [line] = problem_lines(err, bad)
    assert line.startswith(f"{bad.as_posix()}:2:") and "not valid JSON" in line


def test_truncated_file(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    whole = files / "learner-000.json"
    cut = files / "truncated.json"
    cut.write_text(whole.read_text()[:150])
    status, err, learners = report(capsys, files)
    assert status == 1 and len(learners) == 5
    [line] = problem_lines(err, cut)
    assert "truncated" in line and "send it again" in line


@pytest.mark.parametrize("content", ["", "   \n", "\xff\xfe not text"])
def test_empty_or_binary_file(files: Path, capsys: pytest.CaptureFixture[str], content: str) -> None:
    bad = files / "empty.json"
    bad.write_bytes(content.encode("latin-1"))
    status, err, learners = report(capsys, files)
    assert status == 1 and len(learners) == 5 and len(problem_lines(err, bad)) == 1


def test_the_same_learner_twice_counts_once_the_later(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    early = response_file(
        files, "jo-1.json", ALL_WRONG, learner="Jo Example", submitted="2026-11-20T09:00:00Z"
    )
    late = response_file(
        files, "jo-2.json", ALL_RIGHT, learner=" jo  example ", submitted="2026-11-21T09:00:00Z"
    )
    status, err, learners = report(capsys, files)
    assert status == 1
    [line] = problem_lines(err, early)
    assert late.as_posix() in line and "which counts" in line
    jo = [row for name, row in learners.items() if name.casefold().split() == ["jo", "example"]]
    assert len(jo) == 1 and jo[0]["correct"] == "6" and jo[0]["file"] == late.as_posix()
    assert not problem_lines(err, late)


def test_a_file_sent_twice_counts_once(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = files / "copy" / "learner-002.json"
    copy.parent.mkdir()
    shutil.copy(files / "learner-002.json", copy)
    status, err, learners = report(capsys, files)
    assert status == 1 and len(learners) == 5
    assert (
        len(problem_lines(err, files / "copy" / "learner-002.json"))
        + len(problem_lines(err, files / "learner-002.json"))
        == 1
    )
    assert "the same attempt" in err


def test_a_file_named_twice_on_the_command_line_is_read_once(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, err, learners = report(capsys, files, files / "learner-001.json")
    assert status == 0 and len(learners) == 5 and "5 files read" in err


def test_anonymous_files_are_told_apart_by_their_answers(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    response_file(files / "x", "final-responses.json", ALL_RIGHT)
    response_file(files / "y", "final-responses.json", ALL_WRONG)
    status, err, learners = report(capsys, files)
    assert status == 0, err
    assert {f"{files.as_posix()}/x/final-responses", f"{files.as_posix()}/y/final-responses"} <= set(learners)


def test_another_site(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    foreign = response_file(files, "foreign.json", ALL_RIGHT, learner="Visitor", site="another-curriculum")
    status, err, learners = report(capsys, files)
    assert status == 1 and "Visitor" not in learners
    [line] = problem_lines(err, foreign)
    assert "another site" in line and "another-curriculum" in line


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"format": "moodle-export", "version": 1}', "not a curriculum response or progress file"),
        ("[1, 2, 3]", "not a curriculum response or progress file"),
        ("learner,quiz,score\nJo,cohort-final,6\n", "not valid JSON"),
        ('{"format": "curriculum-responses", "version": 2}', "version 2"),
    ],
)
def test_another_format(files: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str) -> None:
    foreign = files / "foreign.json"
    foreign.write_text(content)
    status, err, learners = report(capsys, files)
    assert status == 1 and len(learners) == 5
    [line] = problem_lines(err, foreign)
    assert expected in line


def test_a_file_of_another_format_named_explicitly(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = files.parent / "grades.csv"
    sheet.write_text("learner,score\nJo,6\n")
    status, err, learners = report(capsys, files, sheet)
    assert status == 1 and len(learners) == 5 and len(problem_lines(err, sheet)) == 1


def test_unknown_quiz(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stray = response_file(files, "stray.json", {"x-1": ["a"]}, learner="Stray", quiz="no-such-quiz")
    status, err, learners = report(capsys, files)
    assert status == 1 and "Stray" not in learners
    [line] = problem_lines(err, stray)
    assert "no-such-quiz" in line and "does not have" in line


def test_quiz_with_errors(files: Path, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "quizzes" / "broken.yml").write_text("title: Broken\nkind: nonsense\n")
    stray = response_file(files, "stray.json", {"x-1": ["a"]}, learner="Stray", quiz="broken")
    status, err, _ = report(capsys, files)
    assert status == 1
    [line] = problem_lines(err, stray)
    assert "quizzes/broken.yml has errors" in line


def test_partial_response_file(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    partial = response_file(files, "partial.json", dict(list(ALL_RIGHT.items())[:4]), learner="Partial")
    status, err, learners = report(capsys, files)
    assert status == 1 and "Partial" not in learners
    [line] = problem_lines(err, partial)
    assert "4 of the quiz's 6 items" in line and "cohort-q5" in line


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"cohort-q9": ["a"]}, "the quiz does not have"),
        ({"cohort-q1": ["z"]}, "has no option `z`"),
        ({"cohort-q1": ["e"]}, "has no option `e`"),
        ({"cohort-q1": ["a", "b"]}, "one best answer, but 2 options"),
    ],
)
def test_answers_that_do_not_fit_the_quiz(
    files: Path, capsys: pytest.CaptureFixture[str], change: dict[str, list[str]], expected: str
) -> None:
    odd = response_file(files, "odd.json", {**ALL_RIGHT, **change}, learner="Odd")
    status, err, learners = report(capsys, files)
    assert status == 1 and "Odd" not in learners
    [line] = problem_lines(err, odd)
    assert expected in line


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"responses": {"cohort-q1": "a"}}, "responses.cohort-q1"),
        ({"submitted": "yesterday"}, "not an ISO 8601 date-time"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_malformed_response_file(
    files: Path, capsys: pytest.CaptureFixture[str], change: dict[str, object], expected: str
) -> None:
    path = response_file(files, "odd.json", ALL_RIGHT, learner="Odd")
    data = json.loads(path.read_text())
    data.update(change)
    path.write_text(json.dumps(data))
    status, err, learners = report(capsys, files)
    assert status == 1 and "Odd" not in learners
    [line] = problem_lines(err, path)
    assert expected in line


def test_a_missing_path_is_reported_and_the_rest_read(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, err, learners = report(capsys, files, "nowhere.json")
    assert status == 1 and len(learners) == 5 and "nowhere.json: no such file or folder" in err


def test_every_kind_at_once_still_completes_the_report(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "malformed.json").write_text("{")
    response_file(files, "foreign.json", ALL_RIGHT, site="elsewhere")
    response_file(files, "stray.json", ALL_RIGHT, quiz="nope")
    response_file(files, "partial.json", {"cohort-q1": ["a"]})
    status, err, learners = report(capsys, files)
    assert status == 1 and len(learners) == 5 and "4 left out" in err
    assert Path("out/report.html").read_text().count("<li><code>") == 4


# ---------------------------------------------------------------- progress files


def test_progress_files_count_the_first_finished_attempt(
    project: Path, files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = attempt(
        {"intro-q01": ["b"], "intro-q02": ["c"]}, started="2026-11-01T10:00:00Z", submitted=None, score=0.5
    )
    second = attempt(
        {"intro-q01": ["a"], "intro-q02": ["c"]}, started="2026-11-02T10:00:00Z", submitted=None, score=1.0
    )
    unfinished = attempt({"intro-q01": ["a"]}, started="2026-11-03T10:00:00Z", submitted=None, score=None)
    progress_file(files, "sam-progress.json", {"quiz:intro": {"attempts": [first, second]}})
    progress_file(files, "kim-progress.json", {"quiz:intro": {"attempts": [unfinished]}})
    status, err, learners = report(capsys, files)
    assert status == 0, err
    sam = learners[f"{files.as_posix()}/sam-progress"]
    assert (sam["quiz"], sam["correct"], sam["items"]) == ("intro", "1", "2")  # the first attempt: 1 of 2
    assert f"{files.as_posix()}/kim-progress" not in learners  # unfinished: not an error, not counted


def test_a_progress_file_names_its_learner_by_the_name_typed_on_the_dashboard(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    done = attempt(
        {"intro-q01": ["a"], "intro-q02": ["b"]}, started="2026-11-01T10:00:00Z", submitted=None, score=0.5
    )
    named = progress_file(files, "download.json", {"quiz:intro": {"attempts": [done]}})
    data = json.loads(named.read_text())
    data["learner"] = "  Robin\tQuinn "
    named.write_text(json.dumps(data))
    status, err, learners = report(capsys, files)
    assert status == 0, err
    robin = learners["Robin Quinn"]  # the typed name, spaces collapsed; not the file's path
    assert (robin["quiz"], robin["correct"], robin["items"]) == ("intro", "1", "2")
    assert not any("download" in name for name in learners)


def test_progress_exported_twice_counts_once(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    done = attempt(
        {"intro-q01": ["a"], "intro-q02": ["c"]}, started="2026-11-01T10:00:00Z", submitted=None, score=1.0
    )
    older = progress_file(files, "sam-monday.json", {"quiz:intro": {"attempts": [done]}})
    newer = progress_file(files, "sam-friday.json", {"quiz:intro": {"attempts": [done]}})
    data = json.loads(newer.read_text())
    data["updated"] = "2026-11-25T09:00:00Z"
    newer.write_text(json.dumps(data))
    status, err, learners = report(capsys, files)
    assert status == 1
    assert [row["learner"] for row in learners.values() if row["quiz"] == "intro"] == [
        f"{files.as_posix()}/sam-friday"
    ]
    [line] = problem_lines(err, older)
    assert "the same attempt" in line


def test_a_bad_record_is_skipped_and_the_rest_of_the_file_counts(
    project: Path, files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_quiz(project, "cohort-pre", kind="pretest")
    good = attempt(
        {f"cohort-pre-{i}": [k] for i, k in zip(ITEMS, KEYS, strict=True)},
        started="2026-11-01T10:00:00Z",
        submitted="2026-11-01T10:20:00Z",
        score=1.0,
    )
    path = progress_file(
        files, "ali.json", {"quiz:intro": {"attempts": "many"}, "quiz:cohort-pre": {"attempts": [good]}}
    )
    status, err, learners = report(capsys, files)
    assert status == 1
    [line] = problem_lines(err, path)
    assert "record `quiz:intro`" in line
    assert learners[f"{files.as_posix()}/ali"]["quiz"] == "cohort-pre"


def test_summative_records_of_progress_files_are_left_out(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    done = attempt(ALL_RIGHT, started="2026-11-01T10:00:00Z", submitted="2026-11-01T10:30:00Z", score=None)
    progress_file(files, "lee.json", {"quiz:cohort-final": {"attempts": [done]}})
    status, err, learners = report(capsys, files)
    assert status == 0, err  # not a problem: the response file is the submission
    assert len(learners) == 5 and "graded from its response files" in err


def test_a_progress_file_of_another_site(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = progress_file(files, "visitor.json", {}, site="elsewhere")
    status, err, _ = report(capsys, files)
    assert status == 1 and "another site" in problem_lines(err, path)[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_a_named_pipe_is_refused_without_waiting_on_it(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipe = files.parent / "pipe.json"
    os.mkfifo(pipe)
    status, err, learners = report(capsys, files, pipe)
    assert status == 1 and len(learners) == 5
    assert problem_lines(err, pipe) == [f"{pipe.as_posix()}: not a regular file"]
