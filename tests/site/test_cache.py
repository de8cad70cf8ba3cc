"""What invalidates a notebook's stored outputs: its code and execution options, not prose or content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curriculum.errors import ContentError
from curriculum.site._execute import NotebookCache
from tests.conftest import PROJECT


def notebook(*code: str, prose: str = "Some prose.", front: str = "title: x") -> dict[str, object]:
    cells: list[dict[str, object]] = [
        {"cell_type": "raw", "source": f"---\n{front}\n---"},
        {"cell_type": "markdown", "source": prose},
    ]
    cells += [{"cell_type": "code", "source": c, "outputs": []} for c in code]
    return {"cells": cells}


def test_prose_front_matter_and_content_do_not_change_the_key_and_code_does(tmp_path: Path) -> None:
    """Component calls display references, so the content they name is not part of the key."""
    cache = NotebookCache(PROJECT, tmp_path)
    base = cache.key(notebook('curriculum.quiz("intro")'))
    assert cache.key(notebook('curriculum.quiz("intro")', prose="Other prose.")) == base
    assert cache.key(notebook('curriculum.quiz("intro")', front="title: y\nduration: 5")) == base
    assert cache.key(notebook('curriculum.quiz("intro-final")')) != base


def test_execution_options_change_the_key_and_freeze_does_not(tmp_path: Path) -> None:
    nb = notebook('curriculum.quiz("intro")')
    base = NotebookCache(PROJECT, tmp_path, options={"echo": False}).key(nb)
    assert NotebookCache(PROJECT, tmp_path, options={"echo": False, "freeze": "auto"}).key(nb) == base
    assert NotebookCache(PROJECT, tmp_path, options={"echo": False, "timeout": 10}).key(nb) != base


def test_the_notebook_front_matter_overrides_the_project(tmp_path: Path) -> None:
    cache = NotebookCache(PROJECT, tmp_path, options={"echo": False}, freeze="auto")
    path = tmp_path / "lesson.ipynb"
    assert cache.settings(path, notebook("1")) == ("auto", {"echo": False})
    own = notebook("1", front="title: x\nexecute:\n  freeze: false\n  timeout: 20")
    assert cache.settings(path, own) == (False, {"echo": False, "timeout": 20})


def test_a_freeze_value_quarto_does_not_know_is_located(tmp_path: Path) -> None:
    cache = NotebookCache(PROJECT, tmp_path)
    path = tmp_path / "lesson.ipynb"
    bad = notebook("1", front="title: x\nexecute:\n  freeze: sometimes")
    text = json.dumps(bad)
    with pytest.raises(ContentError) as caught:
        cache.settings(path, bad, text)
    (problem,) = caught.value.diagnostics
    assert problem.code == "CUR601" and problem.line == 1
    assert "`execute: freeze` is 'sometimes'" in problem.message and "freeze: auto" in (problem.hint or "")
