"""The notebook host's choices: a missing id is explained, a bug is not disguised as one."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

import curriculum
from curriculum.assess import ProgressStore
from curriculum.components import COMPONENTS
from curriculum.hosts.display import Problem, StaticComponent
from curriculum.project import site_id
from tests.cli.test_cli import run


@pytest.fixture
def static_host(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Quarto's render: the static host that loads the content (our own build only gets references)."""
    monkeypatch.setenv("CURRICULUM_ROOT", str(project))
    monkeypatch.setenv("QUARTO_DOCUMENT_PATH", str(project / "lessons" / "intro.ipynb"))
    return project


def test_a_missing_id_is_a_problem_that_names_the_known_ones(static_host: Path) -> None:
    shown = curriculum.spotter("no-such")
    assert isinstance(shown, Problem)
    assert shown.message.startswith("there is no spotter exercise `no-such`; known: ")
    kind = curriculum.worksheet("thought-recrd")
    assert isinstance(kind, Problem) and kind.message.startswith("`thought-recrd` is not a worksheet kind")
    assert isinstance(curriculum.worksheet("reflection"), StaticComponent)  # a blank worksheet needs no id


def test_a_bug_in_a_payload_is_not_reported_as_a_missing_id(
    static_host: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(builder: Any, ident: str) -> dict[str, Any]:
        raise KeyError("a field the payload builder expected")

    monkeypatch.setitem(COMPONENTS._specs, "quiz", dataclasses.replace(COMPONENTS["quiz"], payload=broken))
    with pytest.raises(KeyError, match="a field the payload builder expected"):
        curriculum.quiz("intro")


def test_the_progress_command_does_not_load_the_content(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ProgressStore.for_site(site_id(project)).save("quiz:intro", {"attempts": [{"score": 0.5}]})
    (project / "quizzes" / "intro.yml").write_text("title: [broken\n")  # the check would fail
    monkeypatch.chdir(project)
    status, out, err = run(["progress"], capsys)
    assert status == 0, err
    assert "quiz       intro" in out and "1 attempt" in out and "50%" in out
