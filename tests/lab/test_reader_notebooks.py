"""Reader notebooks: what residents open in JupyterLab, rendered from ``lessons/``.

Each must open on a readable first cell (title, objectives, how to start),
show citations as text and callouts as quoted blocks, carry nothing of the
faculty edition, keep the code cells without outputs, pass nbformat's own
validation, and run: the components appear as live widgets when a kernel
executes it from its folder inside the project.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

from curriculum.site._reader import READER_FOLDER, RUN_ALL, write_reader_notebooks
from tests.cli.test_cli import run
from tests.conftest import REPO

EXTRA_CELLS = [
    nbformat.v4.new_markdown_cell(
        "::: {.callout-warning}\n## Ask about risk\n\nAsk plainly [@krupnick1996; @plakun2009].\n:::"
    ),
    nbformat.v4.new_markdown_cell(
        '::: {.content-visible when-profile="faculty"}\nFACULTY-ONLY-IN-LESSON: the model answer.\n:::'
    ),
    # A callout that spans cells, with a code cell inside it, as Quarto allows.
    nbformat.v4.new_markdown_cell("::: {.callout-note}\n## Try it\n\nBefore the code."),
    nbformat.v4.new_code_cell("print('inside the callout')"),
    nbformat.v4.new_markdown_cell("After the code.\n:::\n\n```\n::: not a fence inside code\n```"),
]


def markdown_text(nb: Any) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.fixture
def lesson_project(project: Path) -> Path:
    """The test project with a lesson that has callouts, a faculty block and a div spanning a code cell."""
    path = project / "lessons" / "intro.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[3:3] = EXTRA_CELLS
    nbformat.write(nb, path)
    return project


def test_a_reader_notebook_reads_properly(lesson_project: Path) -> None:
    result = write_reader_notebooks(lesson_project)
    assert result.out == (lesson_project / READER_FOLDER).resolve()
    nb = nbformat.read(result.out / "intro.ipynb", as_version=4)
    nbformat.validate(nb)
    text = markdown_text(nb)
    assert ":::" not in text.replace("::: not a fence inside code", "")
    assert "[@" not in text and "@krupnick1996" not in text
    assert "(Krupnick et al. 1996; Plakun et al. 2009)" in text  # citations as text...
    assert "## References" in text and "Krupnick, Janice L." in text  # ...with the reference list
    assert "> **Ask about risk**" in text and "> Ask plainly" in text  # a callout as a quoted block
    assert "FACULTY-ONLY-IN-LESSON" not in json.dumps(nb)
    assert "FACILITATOR-NOTES-MARKER" not in json.dumps(nb)

    first = nb.cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith("# Introduction\n")
    for objective in ("Describe the alliance as a common factor.", "Apply reflection in a first visit."):
        assert objective in first.source
    assert "*About 45 minutes.*" in first.source and RUN_ALL in first.source

    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code == [
        "import curriculum",
        "print('inside the callout')",
        'curriculum.vignette("first-visit")',
        'curriculum.quiz("intro")',
    ]
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")
    assert "> **Try it**" in text and "> After the code." in text  # the callout on both sides of the code
    assert nb.metadata.kernelspec.name == "python3"


def test_a_reader_notebook_runs_and_shows_the_widgets(lesson_project: Path) -> None:
    from nbclient import NotebookClient

    out = write_reader_notebooks(lesson_project).out
    nb = nbformat.read(out / "intro.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(out)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    widgets = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == 2  # the vignette and the quiz, found from the notebook's own folder
    assert any("inside the callout" in o.get("text", "") for o in outputs)


def test_rewriting_keeps_what_the_learner_edited(lesson_project: Path) -> None:
    out = write_reader_notebooks(lesson_project).out
    again = write_reader_notebooks(lesson_project)
    assert (again.written, [p.name for p in again.unchanged]) == ([], ["intro.ipynb"])

    # Running the cells (outputs) is not an edit: a changed lesson replaces the notebook.
    reader = out / "intro.ipynb"
    nb = nbformat.read(reader, as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="ran")]
    nbformat.write(nb, reader)
    lesson = lesson_project / "lessons" / "intro.ipynb"
    lesson.write_text(
        lesson.read_text().replace("The alliance predicts outcome", "The bond predicts outcome")
    )
    assert [p.name for p in write_reader_notebooks(lesson_project).written] == ["intro.ipynb"]
    assert "The bond predicts outcome" in reader.read_text()

    # A learner's own note in the notebook is never overwritten.
    nb = nbformat.read(reader, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("My own note."))
    nbformat.write(nb, reader)
    lesson.write_text(lesson.read_text().replace("The bond predicts", "The alliance predicts"))
    result = write_reader_notebooks(lesson_project)
    assert [p.name for p in result.kept] == ["intro.ipynb"] and not result.written
    assert "My own note." in reader.read_text()

    # The notebook of a lesson that is gone is removed, unless it was edited.
    (out / "old-lesson.ipynb").write_text(reader.read_text().replace("My own note.", "x"), encoding="utf-8")
    stale = nbformat.read(out / "old-lesson.ipynb", as_version=4)
    stale.cells.pop()
    nbformat.write(stale, out / "old-lesson.ipynb")
    assert [p.name for p in write_reader_notebooks(lesson_project).removed] == ["old-lesson.ipynb"]


def test_the_repository_lessons_have_reader_notebooks_without_faculty_content(tmp_path: Path) -> None:
    result = write_reader_notebooks(REPO, tmp_path / "reader")
    lessons = sorted(p.stem for p in (REPO / "lessons").glob("*.ipynb"))
    assert sorted(p.stem for p in result.written) == lessons
    notes = [n.read_text() for n in sorted((REPO / "faculty" / "notes").glob("*.qmd"))]
    snippets = [re.findall(r"[A-Za-z][A-Za-z ,]{40,}", n.split("**Seminar plan", 1)[1])[0] for n in notes]
    assert len(snippets) == len(lessons)
    for path in result.written:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        text = markdown_text(nb)
        assert ":::" not in text and "[@" not in text, path.name
        assert not [s for s in snippets if s in text], path.name
        assert nb.cells[0].source.startswith("# ") and RUN_ALL in nb.cells[0].source, path.name
        assert "By the end of this lesson you will be able to" in nb.cells[0].source


def test_the_command_reports_and_warns_outside_the_project(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    status, _, err = run(["notebooks"], capsys)
    assert status == 0 and "1 written" in err and "outside the project" not in err
    assert (project / READER_FOLDER / "intro.ipynb").is_file()
    status, _, err = run(["notebooks", "--out", str(tmp_path / "elsewhere")], capsys)
    assert status == 0 and f"CURRICULUM_ROOT={project}" in err
    (project / "quizzes" / "intro.yml").write_text("title: [broken\n")
    status, _, err = run(["notebooks"], capsys)
    assert status == 1 and "quizzes/intro.yml:2:" in err and "Traceback" not in err
