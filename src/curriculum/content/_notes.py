"""Facilitator notes: ``faculty/notes/<lesson-id>.qmd``, YAML front matter and a Markdown body.

The notes of a lesson (seminar plan, discussion questions with what good
answers contain, role-play set-up, misconceptions) live apart from the lesson
notebook, so nothing a resident opens carries them; only the faculty edition
renders them. The front matter is read with its line numbers, and the body is
kept as one text whose lines are known, so a diagnostic about either points at
the right line of the ``.qmd`` file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from curriculum.content._diagnostics import RULES, Diagnostic, Severity
from curriculum.content._notebook import Cell
from curriculum.content._source import Source
from curriculum.content._yaml import LocMap, Pos, parse_yaml

__all__ = ["NotesText", "read_notes"]

E_NOTES_FRONT = RULES.add(
    "CUR125",
    Severity.error,
    "Facilitator notes start with YAML front matter between `---` lines.",
    "The front matter names the page's `title` and the `lesson` the notes go with.",
)

NOTES_FOLDER = "faculty/notes"
"""Where a project keeps its facilitator notes, one ``<lesson-id>.qmd`` per lesson."""


@dataclass(frozen=True)
class NotesText:
    """What the checks need from a notes file.

    Attributes
    ----------
    front_matter : Any
        The parsed YAML front matter.
    locs : LocMap
        Positions of its keys and values, in file lines.
    body : Cell
        The Markdown below the front matter, with the file line of each of its lines.
    """

    front_matter: Any
    locs: LocMap
    body: Cell


def read_notes(source: Source) -> tuple[NotesText | None, list[Diagnostic]]:
    """Read a notes file's front matter and body.

    Parameters
    ----------
    source : Source
        The ``.qmd`` file's text.

    Returns
    -------
    tuple[NotesText | None, list[Diagnostic]]
        The notes, or None and the problems that prevent reading them.
    """
    lines = source.text.split("\n")
    hint = "start the file with `---`, then `title:` and `lesson:` lines, then `---`"
    if not lines or lines[0].strip() != "---":
        return None, [
            E_NOTES_FRONT.at(source.display, (1, 1), "the file does not start with front matter", hint)
        ]
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return None, [
            E_NOTES_FRONT.at(source.display, (1, 1), "the front matter has no closing `---` line", hint)
        ]
    front = "\n".join(lines[1:end])
    if not front.strip():
        return None, [E_NOTES_FRONT.at(source.display, (1, 1), "the front matter is empty", hint)]
    data, locs, problems = parse_yaml(Source(source.path, source.display, front + "\n"))

    def move(pos: Pos) -> Pos:  # YAML line 1 is file line 2
        return pos[0] + 1, pos[1]

    problems = [
        Diagnostic(d.path, *move((d.line, d.col)), d.code, d.severity, d.message, d.hint) for d in problems
    ]
    if data is None:
        return None, problems
    body_lines = lines[end + 1 :]
    body = Cell(0, "markdown", "\n".join(body_lines), tuple(range(end + 2, end + 2 + len(body_lines))), 1)
    return NotesText(data, locs.shifted(move), body), problems
