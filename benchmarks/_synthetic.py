"""A larger curriculum for the scale benchmark: the lessons copied, with every id renamed.

Copy ``k`` of lesson ``NN-name`` becomes lesson ``MM-name`` with ``MM = NN + k * L`` (``L``
lessons in the repository): its notebook, vignettes, exercises and facilitator notes are
copied under the new prefix, and every id they hold (lesson, vignette and exercise ids,
objective ids) is renamed, so the copy passes the same checks as the original and the
build does the same work for each lesson. A copy shows its original's quiz: copied quiz
items would count twice in the item bank's statistics (rule L23 judges the whole bank).
Instead, each item that names an objective also names that objective's copies, so every
copied objective is assessed as its original is (rule CUR505), and the larger curriculum
passes its checks without warnings, as the repository's does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import yaml

FOLDERS = ("lessons", "vignettes", "exercises", "faculty/notes")
_OBJECTIVES = re.compile(r"^(\s*objectives: \[)([^\]]*)(\])", re.MULTILINE)
"""A quiz item's objectives, as the repository's quizzes write them (a flow list on one line)."""
_QUIZ = re.compile(r"""(quiz: |curriculum\.quiz\(\\?")([0-9]{2}-[A-Za-z0-9-]+)()""")
"""Where a lesson names its quiz: kept out of the renaming (in capitals while the ids are renamed)."""


def _front(notebook: Path) -> dict:
    cell = json.loads(notebook.read_text(encoding="utf-8"))["cells"][0]
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    return yaml.safe_load(source.strip().strip("-")) or {}


def _renamed(mapping: dict[str, str]) -> Callable[[re.Match[str]], str]:
    return lambda match: mapping[match[0]]


def grow(project: Path, lessons: int) -> list[str]:
    """Add copies of the lessons until ``project`` has ``lessons`` of them; return the new lesson ids."""
    originals = sorted(project.glob("lessons/*.ipynb"))
    per_copy = len(originals)
    objectives = {o["id"] for nb in originals for o in _front(nb).get("objectives", [])}
    sources = [p for folder in FOLDERS for p in sorted((project / folder).glob("[0-9][0-9]-*.*"))]
    stems = {p.stem for p in sources}
    added = []
    copied: dict[str, list[str]] = {i: [] for i in objectives}
    for copy in range(1, -(-lessons // per_copy)):
        mapping = {s: f"{int(s[:2]) + copy * per_copy:02d}{s[2:]}" for s in stems}
        mapping |= {i: f"{i}-c{copy}" for i in objectives}
        pattern = re.compile(
            r"(?<![\w-])(" + "|".join(map(re.escape, sorted(mapping, key=len, reverse=True))) + r")(?![\w-])"
        )
        for source in sources:
            new = mapping[source.stem]
            if int(new[:2]) >= lessons:
                continue
            text = _QUIZ.sub(lambda m: m[1] + m[2].upper() + m[3], source.read_text(encoding="utf-8"))
            text = _QUIZ.sub(lambda m: m[1] + m[2].lower() + m[3], pattern.sub(_renamed(mapping), text))
            source.with_name(new + source.suffix).write_text(text, "utf-8")
            if source.parent.name == "lessons":
                added.append(new)
                for objective in _front(source).get("objectives", []):
                    copied[objective["id"]].append(mapping[objective["id"]])
    for quiz in sorted(project.glob("quizzes/[0-9][0-9]-*.yml")):  # an activity's quizzes name its own
        quiz.write_text(_OBJECTIVES.sub(_with_copies(copied), quiz.read_text(encoding="utf-8")), "utf-8")
    return added


def _with_copies(copied: dict[str, list[str]]) -> Callable[[re.Match[str]], str]:
    """Return what lists an item's objectives followed by their copies' (see the module's docstring)."""

    def extended(match: re.Match[str]) -> str:
        ids = [i.strip() for i in match[2].split(",") if i.strip()]
        return match[1] + ", ".join([*ids, *(c for i in ids for c in copied.get(i, []))]) + match[3]

    return extended
