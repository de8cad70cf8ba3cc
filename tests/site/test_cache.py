"""What invalidates an executed notebook: its code and the content its calls name, not its prose."""

from __future__ import annotations

from pathlib import Path

from curriculum.site._execute import NotebookCache
from tests.conftest import PROJECT


def notebook(*code: str, prose: str = "Some prose.") -> dict[str, object]:
    cells: list[dict[str, object]] = [
        {"cell_type": "raw", "source": "---\ntitle: x\n---"},
        {"cell_type": "markdown", "source": prose},
    ]
    cells += [{"cell_type": "code", "source": c, "outputs": []} for c in code]
    return {"cells": cells}


def test_dependencies_are_the_files_the_calls_name(tmp_path: Path) -> None:
    cache = NotebookCache(PROJECT, tmp_path, "resident")
    deps = cache.dependencies(
        notebook(
            'curriculum.quiz("intro")',
            "curriculum.vignette('first-visit')",
            'curriculum.worksheet("reflection", "intro-reflection")',
            'curriculum.worksheet("reflection")',
        )
    )
    names = sorted(f"{p.parent.name}/{p.name}" for p in deps)
    assert names == ["exercises/intro-reflection.yml", "quizzes/intro.yml", "vignettes/first-visit.yml"]


def test_a_call_with_a_computed_id_depends_on_everything(tmp_path: Path) -> None:
    cache = NotebookCache(PROJECT, tmp_path, "resident")
    everything = cache.dependencies(notebook("name = 'intro'\ncurriculum.quiz(name)"))
    assert len(everything) > 3


def test_prose_does_not_change_the_key_and_code_does(tmp_path: Path) -> None:
    cache = NotebookCache(PROJECT, tmp_path, "resident")
    base = cache.key(notebook('curriculum.quiz("intro")'))
    assert cache.key(notebook('curriculum.quiz("intro")', prose="Other prose.")) == base
    assert cache.key(notebook('curriculum.quiz("intro-final")')) != base
    assert NotebookCache(PROJECT, tmp_path, "faculty").key(notebook('curriculum.quiz("intro")')) != base


def test_the_scan_parses_the_code_as_the_check_does(tmp_path: Path) -> None:
    """Aliases and keywords count; a call written in a string or a comment does not."""
    cache = NotebookCache(PROJECT, tmp_path, "resident")
    deps = cache.dependencies(
        notebook(
            "import curriculum as c\nfrom curriculum import vignette as case",
            'c.quiz(quiz_id="intro")  # curriculum.quiz("intro-final")',
            "case('first-visit')\ntext = \"curriculum.spotter('spot-the-stem')\"",
        )
    )
    names = sorted(f"{p.parent.name}/{p.name}" for p in deps)
    assert names == ["quizzes/intro.yml", "vignettes/first-visit.yml"]
