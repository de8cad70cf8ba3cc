"""Lesson notebooks: nbformat's schema, the front matter in the first raw cell, and the cells.

A notebook is JSON, but authors think in cells and lines. We read the JSON
once, find on which line of the file each cell starts and each of its source
lines is written (nbformat writes one JSON string per source line), and so
every diagnostic about the notebook's structure, the front matter or a cell
points at the right line of the ``.ipynb`` file as well as naming the cell.
The structure is checked against nbformat's own schema, the one JupyterLab
and the build's executor read notebooks with.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curriculum._memo import Memo
from curriculum.content._diagnostics import RULES, Diagnostic, Severity
from curriculum.content._source import Source
from curriculum.content._yaml import LocMap, Pos, parse_yaml

__all__ = ["Cell", "NotebookText", "notebook_cells", "read_notebook"]

E_NOTEBOOK = RULES.add("CUR117", Severity.error, "The notebook is not valid notebook JSON.")
E_FRONT_MATTER = RULES.add(
    "CUR118",
    Severity.error,
    "A lesson notebook starts with a raw cell of YAML front matter.",
    "Quarto and the curriculum both read the lesson's title, id and objectives from it.",
)

_SOURCE_START = re.compile(r'^\s*"source":\s*(\[)?')
_CELL_TYPE_KEY = re.compile(r'"cell_type"\s*+:')
"""A cell's ``cell_type`` key (not escaped inside a string: see :func:`_cell_starts`). Led by its
literal, not by a look-behind, so the search skips ahead to each candidate (twenty times faster)."""
_CELL_KINDS = ("markdown", "code", "raw")


@dataclass(frozen=True)
class Cell:
    """One cell's text and where its lines are in the file.

    Attributes
    ----------
    index : int
        0-based position in the notebook.
    kind : str
        ``markdown``, ``code`` or ``raw``.
    text : str
        The cell's source.
    lines : tuple[int, ...]
        1-based file line of each source line (empty if unknown).
    column : int
        File column of each line's first character: 6 in a notebook, whose JSON string
        opens after indentation and a quote; 1 in a plain text file.
    start : Pos
        Where the cell itself is in the file, for a cell with no source lines.
    """

    index: int
    kind: str
    text: str
    lines: tuple[int, ...]
    column: int = 6
    start: Pos = (1, 1)

    def pos(self, offset: int) -> Pos:
        """Return the file position of character ``offset`` of the cell's text."""
        before = self.text[:offset]
        i = before.count("\n")
        col = offset - (before.rfind("\n") + 1)
        if i < len(self.lines):
            return self.lines[i], col + self.column
        return (self.lines[0], 1) if self.lines else self.start


@dataclass(frozen=True)
class NotebookText:
    """What the checks need from a lesson notebook.

    Attributes
    ----------
    front_matter : Any
        The parsed YAML of the first raw cell.
    locs : LocMap
        Positions of the front matter's keys, in notebook file lines.
    cells : tuple[Cell, ...]
        Every cell.
    """

    front_matter: Any
    locs: LocMap
    cells: tuple[Cell, ...]


def _source_lines(text: str, count: int) -> list[tuple[int, ...]]:
    """File lines of each cell's source lines, assuming nbformat's layout."""
    lines = text.split("\n")
    found: list[tuple[int, ...]] = []
    i = 0
    while i < len(lines):
        match = _SOURCE_START.match(lines[i])
        if not match:
            i += 1
            continue
        if not match.group(1):  # "source": "one string"
            found.append((i + 1,))
            i += 1
            continue
        if lines[i].rstrip().endswith("]"):  # "source": []
            found.append(())
            i += 1
            continue
        start = i + 1
        i = start
        while i < len(lines) and lines[i].strip() not in ("]", "],"):
            i += 1
        found.append(tuple(range(start + 1, i + 1)))
    return found if len(found) == count else [() for _ in range(count)]


def notebook_cells(text: str, cells: list[Any]) -> tuple[Cell, ...]:
    """Return the cells of a notebook with where each is written in its JSON ``text``.

    Parameters
    ----------
    text : str
        The ``.ipynb`` file's text.
    cells : list
        The notebook's ``cells``, parsed from ``text``.

    Returns
    -------
    tuple[Cell, ...]
        Every cell, in order.
    """
    positions = _source_lines(text, len(cells))
    starts = _cell_starts(text, len(cells))
    return tuple(
        Cell(i, str(c.get("cell_type", "")), _joined(c.get("source", "")), positions[i], start=starts[i])
        for i, c in enumerate(cells)
    )


def _cell_starts(text: str, count: int) -> list[Pos]:
    """Where each of ``count`` cells starts in the JSON text (its ``cell_type`` key); 1:1 if unsure."""
    offsets = [m.start() for m in _CELL_TYPE_KEY.finditer(text) if text[m.start() - 1 : m.start()] != "\\"]
    if len(offsets) != count:
        return [(1, 1)] * count
    starts: list[Pos] = []
    line, last = 1, 0
    for offset in offsets:
        line += text.count("\n", last, offset)
        last = offset
        starts.append((line, offset - (text.rfind("\n", 0, offset) + 1) + 1))
    return starts


def read_notebook(source: Source) -> tuple[NotebookText | None, list[Diagnostic]]:
    """Read a lesson notebook's front matter and cells.

    Parameters
    ----------
    source : Source
        The ``.ipynb`` file's text.

    Returns
    -------
    tuple[NotebookText | None, list[Diagnostic]]
        The notebook's text, or None and the problems that prevent reading it.
    """
    display = source.display
    try:
        data = json.loads(source.text)
    except json.JSONDecodeError as exc:
        return None, [
            E_NOTEBOOK.at(
                display,
                (exc.lineno, exc.colno),
                f"the notebook is not valid JSON: {exc.msg}",
                "open and save it in JupyterLab, or restore it from version control",
            )
        ]
    except RecursionError:
        return None, [
            E_NOTEBOOK.at(
                display,
                (1, 1),
                "the notebook's JSON is nested too deeply to read",
                "open and save it in JupyterLab, or restore it from version control",
            )
        ]
    cells_data = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells_data, list) or not all(isinstance(c, dict) for c in cells_data):
        return None, [
            E_NOTEBOOK.at(
                display,
                (1, 1),
                "this JSON file has no list of notebook cells",
                "a lesson is a Jupyter notebook; create one with `curriculum new lesson`",
            )
        ]
    cells = notebook_cells(source.text, cells_data)
    schema_problems = _structure(data, cells_data, [c.start for c in cells], display, source.text)
    first = cells[0] if cells else None
    hint = "make the first cell a raw cell that starts with `---`, holds the YAML and ends with `---`"
    if first is None or first.kind != "raw" or not first.text.lstrip().startswith("---"):
        return None, [
            *schema_problems,
            E_FRONT_MATTER.at(
                display,
                first.pos(0) if first else (1, 1),
                "the first cell is not a raw cell of front matter",
                hint,
            ),
        ]
    lines = first.text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip() == "---")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return None, [
            *schema_problems,
            E_FRONT_MATTER.at(display, first.pos(0), "the front matter has no closing `---` line", hint),
        ]
    yaml_text = "\n".join(lines[start + 1 : end])
    data_fm, locs, problems = parse_yaml(Source(source.path, display, yaml_text + "\n"))

    def move(pos: Pos) -> Pos:
        line_index = start + pos[0]  # YAML line 1 is cell line start + 1
        if line_index < len(first.lines):
            return first.lines[line_index], pos[1] + 5
        return first.lines[0] if first.lines else 1, 1

    problems = schema_problems + [
        Diagnostic(d.path, *move((d.line, d.col)), d.code, d.severity, d.message, d.hint) for d in problems
    ]
    if data_fm is None:
        return None, problems
    return NotebookText(data_fm, locs.shifted(move), cells), problems


_FIX = "open and save it in JupyterLab, or restore it from version control"


def _structure(data: Any, cells: list[Any], starts: list[Pos], display: str, text: str) -> list[Diagnostic]:
    """Check the notebook against nbformat: cells, sources and outputs first, in words, then the schema.

    The schema's verdict on a notebook's text is remembered across builds (see :mod:`curriculum._memo`),
    so an unchanged notebook neither compiles nor runs the schema's validator again.
    """
    problems: list[Diagnostic] = []
    for i, cell in enumerate(cells):
        kind = cell.get("cell_type")
        if kind not in _CELL_KINDS:
            problems.append(
                E_NOTEBOOK.at(
                    display,
                    starts[i],
                    f"cell {i + 1} has `cell_type: {str(kind)[:40]}`; a cell is markdown, code or raw",
                    "change the cell's type in JupyterLab, or restore it from version control",
                )
            )
        source = cell.get("source")
        lines_ok = isinstance(source, list) and all(isinstance(s, str) for s in source)
        if not isinstance(source, str) and not lines_ok:
            problems.append(
                E_NOTEBOOK.at(
                    display,
                    starts[i],
                    f"the source of cell {i + 1} is {type(source).__name__}, not text or a list of lines",
                    _FIX,
                )
            )
        outputs = cell.get("outputs", [])
        if kind == "code" and not (
            isinstance(outputs, list)
            and all(isinstance(o, dict) and o.get("output_type") in _OUTPUT_KINDS for o in outputs)
        ):
            problems.append(
                E_NOTEBOOK.at(
                    display,
                    starts[i],
                    f"the outputs of cell {i + 1} are not nbformat outputs",
                    "clear the cell's output in JupyterLab (Edit > Clear Outputs), or restore the file",
                )
            )
    if problems:
        return problems
    error = _SCHEMA.get(text, lambda: _schema_error(data))
    if error is None:
        return []
    where, message = error
    cell = where[1] if len(where) > 1 and where[0] == "cells" and isinstance(where[1], int) else None
    pos = starts[cell] if cell is not None and cell < len(starts) else (1, 1)
    at = f"cell {cell + 1}" if cell is not None else "the notebook"
    if cell is not None and len(where) == 2:  # the cell matches none of the cell kinds' schemas
        message = f"a key of this {cells[cell].get('cell_type')} cell is missing or has the wrong type"
    return [E_NOTEBOOK.at(display, pos, f"{at} does not follow nbformat's schema: {_short(message)}", _FIX)]


_OUTPUT_KINDS = ("stream", "display_data", "execute_result", "error")
_VALIDATORS: dict[str, Callable[[Any], Any]] = {}


def _schema_error(data: dict[str, Any]) -> tuple[list[str | int], str] | None:
    """Validate against nbformat's own JSON Schema for the notebook's version; return where and what fails.

    The schema files ship with nbformat; they are compiled once with
    fastjsonschema (which nbformat itself uses) without importing nbformat,
    whose import pulls in jsonschema and its format grammars, most of a
    second. Cell ids that nbformat adds itself when a notebook has none are
    added the same way first.
    """
    import fastjsonschema

    if data.get("nbformat") != 4:
        return [], f"`nbformat: {str(data.get('nbformat'))[:20]}`; lessons are nbformat 4 notebooks"
    minor = data.get("nbformat_minor")
    name = f"nbformat.v4.{minor}.schema.json" if minor in range(6) else "nbformat.v4.schema.json"
    if name not in _VALIDATORS:
        spec = importlib.util.find_spec("nbformat")
        folder = Path(next(iter(spec.submodule_search_locations or []))) if spec else Path()
        _VALIDATORS[name] = fastjsonschema.compile(json.loads((folder / "v4" / name).read_text("utf-8")))
    repaired = dict(data)
    if isinstance(minor, int) and minor >= 5:
        repaired["cells"] = [{"id": f"cell-{i}", **c} for i, c in enumerate(data["cells"])]
    try:
        _VALIDATORS[name](repaired)
    except fastjsonschema.JsonSchemaException as exc:
        path = [int(p) if str(p).isdigit() else p for p in getattr(exc, "path", [])[1:]]
        message = str(getattr(exc, "message", exc)).removeprefix("data")
        return path, message.lstrip(".").strip()
    return None


def _encode_error(error: tuple[list[str | int], str] | None) -> Any:
    return None if error is None else [list(error[0]), error[1]]


def _decode_error(data: Any) -> tuple[list[str | int], str] | None:
    """Return a stored verdict; raise for data of another shape (the memo then validates again)."""
    if data is None:
        return None
    where, message = data
    if not isinstance(where, list) or not isinstance(message, str):
        raise TypeError("not a schema verdict")
    if not all(isinstance(part, str | int) for part in where):
        raise TypeError("not a place in a notebook")
    return where, message


_SCHEMA = Memo[tuple[list[str | int], str] | None]("content.notebook-schema", 1, _encode_error, _decode_error)
"""Each notebook text's verdict under nbformat's schema: None, or where and what fails."""


def _short(message: str) -> str:
    return message if len(message) <= 160 else message[:157] + "..."


def _joined(source: Any) -> str:
    if isinstance(source, list):
        return "".join(str(s) for s in source)
    return str(source)
