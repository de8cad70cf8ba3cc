"""Lesson notebooks are checked against nbformat's schema, every problem located at its cell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from curriculum.content._notebook import read_notebook
from curriculum.content._source import Source
from tests.conftest import PROJECT


def change(cell: int, **fields: Any) -> Any:
    def apply(nb: dict[str, Any]) -> None:
        for key, value in fields.items():
            if value is None:
                del nb["cells"][cell][key]
            else:
                nb["cells"][cell][key] = value

    return apply


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (change(2, cell_type="weird"), "x.ipynb:44:4: error CUR117: cell 3 has `cell_type: weird`"),
        (change(2, source=42), "x.ipynb:44:4: error CUR117: the source of cell 3 is int, not text"),
        (change(2, source=["a", 1]), "x.ipynb:44:4: error CUR117: the source of cell 3 is list, not text"),
        (change(3, outputs=[{"output_type": "bogus"}]), "x.ipynb:54:4: error CUR117: the outputs of cell 4"),
        (
            change(3, execution_count="one"),
            "x.ipynb:54:4: error CUR117: cell 4 does not follow nbformat's schema: a key of this code cell",
        ),
        (
            lambda nb: nb.update(nbformat=3),
            "x.ipynb:1:1: error CUR117: the notebook does not follow nbformat's schema: `nbformat: 3`",
        ),
    ],
    ids=["cell-type", "source-number", "source-lines", "outputs", "schema", "version"],
)
def test_a_notebook_nbformat_would_refuse_is_located(mutate: Any, expected: str) -> None:
    path = PROJECT / "lessons" / "intro.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    mutate(nb)
    _, problems = read_notebook(Source(Path("x.ipynb"), "x.ipynb", json.dumps(nb, indent=1)))
    assert next(p.format() for p in problems if p.code == "CUR117").startswith(expected)


def test_cell_ids_nbformat_adds_itself_are_not_required() -> None:
    nb = json.loads((PROJECT / "lessons" / "intro.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        del cell["id"]
    _, problems = read_notebook(Source(Path("x.ipynb"), "x.ipynb", json.dumps(nb, indent=1)))
    assert problems == []


def test_a_cell_type_key_quoted_in_a_cells_text_is_not_a_cell_start() -> None:
    """A Markdown cell that shows notebook JSON does not shift where the next cells are said to start."""
    nb = json.loads((PROJECT / "lessons" / "intro.ipynb").read_text(encoding="utf-8"))
    nb["cells"][1]["source"] = ['A cell in JSON: {"cell_type": "code"}\n', '"cell_type":\n']
    nb["cells"][2]["cell_type"] = "weird"
    _, problems = read_notebook(Source(Path("x.ipynb"), "x.ipynb", json.dumps(nb, indent=1)))
    found = next(p.format() for p in problems if p.code == "CUR117")
    text = json.dumps(nb, indent=1)
    line = text[: text.index('"cell_type": "weird"')].count("\n") + 1
    assert found.startswith(f"x.ipynb:{line}:4: error CUR117: cell 3 has `cell_type: weird`")
