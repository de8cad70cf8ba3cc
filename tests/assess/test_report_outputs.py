"""What `curriculum report` and `curriculum grade` write: CSV files, norms, pages, feedback.

CSV files are read back with the csv module and with pandas; the norms file
is validated against its committed JSON Schema by jsonschema; nothing a
learner typed reaches a page unescaped or a spreadsheet as a formula, and no
name reaches the norms.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest

from curriculum.assess import Norms, ResponseFile
from curriculum.content._schema import schema_text
from tests.assess.cohorts import ITEMS, KEYS, QUIZ, add_quiz, cohort, response_file, run
from tests.conftest import REPO

DISTINCTIVE = "Zebulon Quillfeather-Marchbanks"
XSS = '<img src=x onerror="alert(1)">Eve</script>'
FORMULA = '=HYPERLINK("http://example.invalid","click")'


@pytest.fixture
def cohort_dir(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A summative quiz answered by 40 learners, one with a distinctive name, one hostile, one a formula."""
    add_quiz(project)
    monkeypatch.chdir(project)
    folder = project / "collected"
    cohort(folder, 40, names=[DISTINCTIVE, XSS, FORMULA])
    return folder


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_report_writes_every_file_and_the_csv_reads_back(
    cohort_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(["report", str(cohort_dir), "--out", "out"], capsys)
    assert status == 0, err
    out = Path("out")
    assert {p.name for p in out.iterdir()} == {
        "report.html", "items.csv", "quizzes.csv", "learners.csv", "objectives.csv", "mastery.csv"
    }  # fmt: skip
    items = read_csv(out / "items.csv")
    assert list(items[0])[:6] == ["quiz", "item", "n", "p", "rpb", "d"]
    assert {"option_a", "option_b", "option_c", "option_d"} <= set(items[0])
    assert [row["item"] for row in items] == ITEMS and {row["n"] for row in items} == {"40"}
    frame = pd.read_csv(out / "items.csv")  # another reader: the same table, typed
    assert len(frame) == 6 and frame["p"].between(0, 1).all()
    shares = frame[["option_a", "option_b", "option_c", "option_d"]].sum(axis=1) + frame["omitted"]
    assert np.allclose(shares, 1, atol=1e-3)  # single-best-answer items: the shares add up
    for row, key in zip(items, KEYS, strict=True):
        assert row["key"] == key
        assert float(row["p"]) == pytest.approx(float(row[f"option_{key}"]), abs=1e-4)

    quizzes = pd.read_csv(out / "quizzes.csv")
    assert list(quizzes.columns[:7]) == ["quiz", "n", "mean", "sd", "kr20", "sem", "provisional"]
    quiz = quizzes.iloc[0]
    assert quiz["quiz"] == QUIZ and quiz["n"] == 40 and not quiz["provisional"]
    assert quiz["sem"] == pytest.approx(quiz["sd"] * math.sqrt(1 - quiz["kr20"]), abs=2e-4)

    learners = read_csv(out / "learners.csv")
    assert len(learners) == 40 and {r["quiz"] for r in learners} == {QUIZ}
    assert sum(int(r["correct"]) for r in learners) / 40 == pytest.approx(quiz["mean"], abs=1e-4)
    assert pd.read_csv(out / "learners.csv")["percentile"].between(0, 100).all()

    objectives = read_csv(out / "objectives.csv")
    assert [(r["kind"], r["id"]) for r in objectives] == [
        ("objective", "intro-1"), ("objective", "intro-2"), ("objective", "intro-3"),
        ("subcompetency", "MK4"), ("subcompetency", "PC4"),
    ]  # fmt: skip
    # intro-2 is MK4 and PC4: every item of intro-1 (MK4) and intro-2 counts for MK4, once.
    assert [int(r["items"]) for r in objectives] == [2, 2, 2, 4, 4]
    assert objectives[0]["text"] == "Describe the alliance as a common factor."
    assert [r["text"] for r in objectives[3:]] == ["Medical Knowledge 4", "Patient Care 4"]
    mastery = pd.read_csv(out / "mastery.csv")
    assert (
        set(mastery["kind"]) == {"objective", "subcompetency"} and mastery["proportion"].between(0, 1).all()
    )


def test_a_provisional_quiz_is_marked(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add_quiz(project)
    monkeypatch.chdir(project)
    cohort(project / "few", 12)
    status, _, err = run(["report", "few", "--out", "out"], capsys)
    assert status == 0 and "provisional" in err
    assert read_csv(Path("out/quizzes.csv"))[0]["provisional"] == "true"
    assert {r["provisional"] for r in read_csv(Path("out/items.csv"))} == {"true"}
    assert "Fewer than 30 learners answered this quiz" in Path("out/report.html").read_text()


def test_learners_text_is_escaped_in_the_page_and_never_a_formula(
    cohort_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, _ = run(["report", str(cohort_dir), "--out", "out"], capsys)
    assert status == 0
    page = Path("out/report.html").read_text()
    assert "<img" not in page and "onerror=" not in page.replace("onerror=&#34;", "")
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;Eve&lt;/script&gt;" in page
    names = {r["learner"] for r in read_csv(Path("out/learners.csv"))}
    assert XSS in names and "'" + FORMULA in names and FORMULA not in names
    assert "<script" not in page.lower()  # the page has no script at all


def test_norms_hold_no_name_and_match_their_schema(
    cohort_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(["report", str(cohort_dir), "--out", "out", "--norms", "norms.json"], capsys)
    assert status == 0, err
    text = Path("norms.json").read_text()
    for needle in ("Zebulon", "Quillfeather", "Learner 0", "learner-0", "collected", "Eve", "HYPERLINK"):
        assert needle not in text
    data = json.loads(text)
    schema = json.loads((REPO / "schemas" / "norms.schema.json").read_text())
    jsonschema.validate(data, schema)
    norms = Norms.model_validate(data)
    quiz = norms.quizzes[QUIZ]
    assert quiz.n == 40 and sum(quiz.distribution) == 40 and len(quiz.distribution) == len(ITEMS) + 1
    assert quiz.items == ITEMS and len(quiz.percentiles) == len(ITEMS) + 1
    assert quiz.percentiles == sorted(quiz.percentiles)
    learners = pd.read_csv("out/learners.csv")
    assert quiz.mean == pytest.approx(learners["score"].mean(), abs=1e-4)
    # each published percentile is what learners.csv says for a learner with that score
    for _, row in learners.iterrows():
        assert quiz.percentiles[row["correct"]] == pytest.approx(row["percentile"], abs=0.05)


def test_norms_leave_out_a_quiz_of_too_few_learners(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add_quiz(project)
    monkeypatch.chdir(project)
    cohort(project / "few", 4)
    status, _, err = run(["report", "few", "--out", "out", "--norms", "norms.json"], capsys)
    assert status == 0 and "left out (fewer than 5 learners): cohort-final" in err
    assert json.loads(Path("norms.json").read_text())["quizzes"] == {}


def test_committed_schemas_of_the_learners_and_norms_files_are_current() -> None:
    for name, model in {"responses": ResponseFile, "norms": Norms}.items():
        committed = (REPO / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")
        assert committed == schema_text(name, model), (
            f"run `curriculum schema` to update schemas/{name}.schema.json"
        )


def test_a_response_file_as_the_quiz_writes_it_matches_its_schema(cohort_dir: Path) -> None:
    schema = json.loads((REPO / "schemas" / "responses.schema.json").read_text())
    jsonschema.validate(json.loads((cohort_dir / "learner-000.json").read_text()), schema)


def test_select_all_items_are_all_or_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    quiz = {
        "title": "Select all",
        "lesson": "intro",
        "kind": "summative",
        "pass_mark": 0.5,
        "items": [
            {
                "id": "multi-q1",
                "type": "multiple",
                "objectives": ["intro-1"],
                "stem": "A 30-year-old man asks a question. Which are helpful?",
                "options": [{"id": o, "text": f"Option {o}", "feedback": "Why."} for o in "abcd"],
                "answer": ["a", "c"],
                "rationale": "Because [@krupnick1996].",
                "references": ["krupnick1996"],
            }
        ],
    }
    (project / "quizzes" / "multi.yml").write_text(json.dumps(quiz))
    monkeypatch.chdir(project)
    for i, chosen in enumerate([["a", "c"], ["c", "a"], ["a"], ["a", "b", "c"], []]):
        response_file(project / "m", f"{i}.json", {"multi-q1": chosen}, learner=f"M{i}", quiz="multi")
    status, _, err = run(["report", "m", "--out", "out"], capsys)
    assert status == 0, err
    [item] = read_csv(Path("out/items.csv"))
    # correct: {a, c} twice of 5; shares: a 4/5, b 1/5, c 3/5, d 0; omitted 1/5
    assert float(item["p"]) == pytest.approx(0.4)
    assert [float(item[f"option_{o}"]) for o in "abcd"] == pytest.approx([0.8, 0.2, 0.6, 0.0])
    assert float(item["omitted"]) == pytest.approx(0.2) and item["key"] == "a c"


# ---------------------------------------------------------------- grade


def test_grade_writes_scores_feedback_and_statistics(
    cohort_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(["grade", str(cohort_dir), "--quiz", QUIZ, "--out", "graded"], capsys)
    assert status == 0, err
    out = Path("graded")
    scores = read_csv(out / "scores.csv")
    assert len(scores) == 40 and list(scores[0]) == [
        "learner", "quiz", "correct", "items", "score", "percentile", "passed", "file", "feedback"
    ]  # fmt: skip
    assert {"items.csv", "quizzes.csv", "report.html", "learners.csv", "objectives.csv"} <= {
        p.name for p in out.iterdir()
    }
    pages = sorted((out / "feedback").glob("*.html"))
    assert len(pages) == 40 and {f"feedback/{p.name}" for p in pages} == {r["feedback"] for r in scores}
    row = next(r for r in scores if r["learner"] == DISTINCTIVE)
    page = (out / row["feedback"]).read_text()
    assert DISTINCTIVE in page and f"{row['correct']} of 6" in page
    for j in range(6):
        assert f"RATIONALE-{j + 1}" in page and f"FEEDBACK-{j + 1}-{KEYS[j]}" in page
    assert 'id="ref-krupnick1996"' in page and "Krupnick" in page
    hostile = next(r for r in scores if r["learner"] == XSS)
    hostile_page = (out / hostile["feedback"]).read_text()
    assert "<img" not in hostile_page and "&lt;img" in hostile_page
    assert all(p.parent == out / "feedback" and p.name.isascii() for p in pages)


def test_feedback_marks_the_learners_answer_and_the_key(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add_quiz(project)
    monkeypatch.chdir(project)
    answers = {item: [key] for item, key in zip(ITEMS, KEYS, strict=True)}
    answers["cohort-q1"] = ["b"]  # wrong: the key is a
    answers["cohort-q2"] = []  # unanswered
    response_file(project / "one", "one.json", answers, learner="Solo")
    status, _, _ = run(["grade", "one", "--quiz", QUIZ, "--out", "graded"], capsys)
    assert status == 0
    page = Path("graded/feedback/solo.html").read_text()
    assert (
        "Item 1 of 6: incorrect" in page
        and "Item 2 of 6: not answered" in page
        and "Item 3 of 6: correct" in page
    )
    first = page.split('id="item-1"')[1].split('id="item-2"')[0]
    assert "Your answer" in first.split("Option b of item 1")[1].split("</li>")[0]
    assert "Key" in first.split("Option a of item 1")[1].split("</li>")[0]
    assert "FEEDBACK-1-b" in first and "FEEDBACK-1-c" not in first  # chosen and key only


@pytest.mark.parametrize(
    ("quiz", "expected"),
    [("intro", "is a formative quiz"), ("nope", "no quiz `nope`")],
)
def test_grade_refuses_a_quiz_it_cannot_grade(
    cohort_dir: Path, capsys: pytest.CaptureFixture[str], quiz: str, expected: str
) -> None:
    status, _, err = run(["grade", str(cohort_dir), "--quiz", quiz, "--out", "graded"], capsys)
    assert status == 2 and expected in err and "Traceback" not in err


def test_grade_leaves_out_other_quizzes_without_counting_them_as_problems(
    cohort_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    response_file(
        cohort_dir,
        "other.json",
        {"final-q01": ["a"], "final-q02": ["b"]},
        learner="Other",
        quiz="intro-final",
    )
    status, _, err = run(["grade", str(cohort_dir), "--quiz", QUIZ, "--out", "graded"], capsys)
    assert status == 0 and "1 submission of other quizzes left out" in err
    assert "Other" not in {r["learner"] for r in read_csv(Path("graded/scores.csv"))}


def test_report_into_a_file_is_a_usage_error(cohort_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("taken").write_text("")
    status, _, err = run(["report", str(cohort_dir), "--out", "taken"], capsys)
    assert status == 2 and "is a file" in err


def test_one_learner_across_quizzes_is_one_learner(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add_quiz(project)
    monkeypatch.chdir(project)
    answers = {item: [key] for item, key in zip(ITEMS, KEYS, strict=True)}
    response_file(project / "f", "a.json", answers, learner="Jo Example")
    response_file(
        project / "f",
        "b.json",
        {"final-q01": ["a"], "final-q02": ["a"]},
        learner="jo  example",
        quiz="intro-final",
    )
    status, _, err = run(["report", "f", "--out", "out"], capsys)
    assert status == 0, err
    assert {(r["learner"], r["quiz"]) for r in read_csv(Path("out/learners.csv"))} == {
        ("Jo Example", QUIZ),
        ("Jo Example", "intro-final"),
    }
    assert set(pd.read_csv("out/mastery.csv")["learner"]) == {"Jo Example"}
    assert "1 learner" in err
