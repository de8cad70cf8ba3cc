"""Publishing cohort norms: ``curriculum: norms:`` in ``_quarto.yml``, read by the build.

A norms file (``curriculum report --norms``) is read and checked once per
build; a pre-test's or post-test's payload carries its quiz's norms only
while the quiz has the items they were computed on. Each kind of bad norms
file stops the build with a located message, never a traceback.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from curriculum.content import format_diagnostics, load_curriculum
from curriculum.errors import ContentError
from curriculum.project import Project, load_config
from curriculum.site._context import payload_builder
from tests.cli.test_cli import run
from tests.conftest import DATA

ITEMS = ["wel-post-01", "wel-post-02", "wel-post-03", "wel-post-04"]


def _norms(site: str = "test-curriculum", items: list[str] | None = None) -> dict[str, Any]:
    return {
        "format": "curriculum-norms",
        "version": 1,
        "site": site,
        "generated": "2026-12-01",
        "min_respondents": 5,
        "quizzes": {
            "welcome-post": {
                "title": "Welcome post-test",
                "items": items or ITEMS,
                "n": 8,
                "mean": 0.5,
                "sd": 0.25,
                "provisional": True,
                "distribution": [1, 1, 2, 2, 2],
                "percentiles": [6.2, 18.8, 37.5, 62.5, 87.5],
            }
        },
    }


@pytest.fixture
def published(project: Path) -> Path:
    shutil.copytree(DATA / "activity", project, dirs_exist_ok=True)
    config = project / "_quarto.yml"
    config.write_text(
        config.read_text(encoding="utf-8") + "curriculum:\n  norms: norms.json\n", encoding="utf-8"
    )
    return project


def _builder_problem(root: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(root)  # messages name files relative to the working folder
    with pytest.raises(ContentError) as caught:
        payload_builder(Project(root), load_curriculum(root), "resident")
    return format_diagnostics(caught.value.diagnostics)


def test_a_posttest_payload_carries_its_norms(published: Path) -> None:
    (published / "norms.json").write_text(json.dumps(_norms()), encoding="utf-8")
    builder = payload_builder(Project(published), load_curriculum(published), "resident")
    assert builder.quiz("welcome-post")["norms"] == {
        "n": 8,
        "mean": 0.5,
        "sd": 0.25,
        "provisional": True,
        "percentiles": [6.2, 18.8, 37.5, 62.5, 87.5],
    }
    assert "norms" not in builder.quiz("welcome-pre")  # none published for it


def test_norms_of_a_quiz_that_has_changed_are_left_out(published: Path) -> None:
    (published / "norms.json").write_text(json.dumps(_norms(items=ITEMS[:3])), encoding="utf-8")
    builder = payload_builder(Project(published), load_curriculum(published), "resident")
    assert "norms" not in builder.quiz("welcome-post")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "norms.json:1:1: error CUR601: not a cohort norms file ("),
        (
            json.dumps({"format": "curriculum-progress"}),
            "norms.json:1:1: error CUR601: not a cohort norms file (",
        ),
        (
            json.dumps(_norms(site="another-site")),
            "norms.json:1:1: error CUR601: the norms are of site `another-site`, not of this site "
            "(`test-curriculum`) (publish the norms computed from this curriculum's learners' files)",
        ),
    ],
    ids=["malformed", "another-format", "another-site"],
)
def test_a_bad_norms_file_is_located(
    published: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    (published / "norms.json").write_text(text, encoding="utf-8")
    assert _builder_problem(published, monkeypatch).startswith(expected)


def test_a_missing_norms_file_is_located(published: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    problem = _builder_problem(published, monkeypatch)
    assert problem.startswith("norms.json:1:1: error CUR")
    assert "Traceback" not in problem


def test_a_norms_path_outside_the_project_is_refused(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(published)
    config = published / "_quarto.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("norms.json", "../norms.json"), encoding="utf-8"
    )
    with pytest.raises(ContentError) as caught:
        load_config(published)
    assert format_diagnostics(caught.value.diagnostics).startswith("_quarto.yml:25:10: error CUR106:")
    assert "the norms file `../norms.json` uses `..`" in format_diagnostics(caught.value.diagnostics)


def test_the_build_stops_with_exit_1(
    published: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (published / "norms.json").write_text("[]", encoding="utf-8")
    monkeypatch.chdir(published)
    status, out, err = run(["build", "--engine", "pandoc"], capsys)
    assert status == 1
    assert "norms.json:1:1: error CUR601: not a cohort norms file" in out + err
    assert "Traceback" not in out + err
