"""Find and load a curriculum project: every content file into its model.

A project is a folder with ``_quarto.yml``; its content lives in fixed
folders. Loading never stops at the first bad file: every file is read,
parsed and validated, and all problems are collected, so an author fixes a
whole batch at once. Files outside a project can still be loaded one by one
(for example a fixture in the tests); their kind is then guessed from their
folder or their keys.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from curriculum.content._bibliography import Bibliography, read_bibliography
from curriculum.content._diagnostics import RULES, Diagnostic, Severity
from curriculum.content._models import (
    Exercise,
    FacilitatorNotes,
    LessonFrontMatter,
    Quiz,
    Spotter,
    TechniqueVocabulary,
    Vignette,
    Worksheet,
)
from curriculum.content._notebook import Cell, read_notebook
from curriculum.content._notes import NOTES_FOLDER, read_notes
from curriculum.content._source import read_source
from curriculum.content._validate import validate_model
from curriculum.content._yaml import Loc, LocMap, Pos, parse_yaml

__all__ = [
    "GENERATED_DIRS",
    "PROJECT_FILE",
    "Curriculum",
    "Document",
    "display_path",
    "find_root",
    "load_curriculum",
    "load_files",
    "project_files",
]

PROJECT_FILE = "_quarto.yml"
"""The file that marks a project's root folder."""
GENERATED_DIRS = ("quiz", "cases", "reference", "rules")
"""Folders the site build's pre-render owns (ignored by version control)."""

E_KIND = RULES.add("CUR119", Severity.error, "The kind of a content file cannot be told.")
E_NOT_MAPPING = RULES.add("CUR115", Severity.error, "A content file is a YAML mapping of keys.")
E_SAME_ID = RULES.add(
    "CUR312",
    Severity.error,
    "Two content files have the same id (e.g. `x.yml` and `x.yaml`).",
    "The file name is the id, so one of the two would be silently dropped.",
)

M = TypeVar("M", bound=BaseModel)
Kind = str  # "lesson" | "quiz" | "vignette" | "exercise" | "techniques" | "bibliography" | "notes"

_FOLDER_KIND = {
    "lessons": "lesson",
    "quizzes": "quiz",
    "vignettes": "vignette",
    "exercises": "exercise",
}
_EXERCISE_KINDS = {
    "spotter",
    "thought-record",
    "formulation-cbt",
    "formulation-psychodynamic",
    "treatment-plan",
    "reflection",
}


@dataclass(frozen=True)
class Document(Generic[M]):
    """A validated content file.

    Attributes
    ----------
    id : str
        The content id (the file name without its suffix).
    path : Path
        The file on disk.
    display : str
        The path as diagnostics show it.
    model : BaseModel
        The validated content.
    locs : LocMap
        Where each key and value is in the file.
    cells : tuple[Cell, ...]
        For a lesson notebook, its cells; for facilitator notes, their body; empty otherwise.
    """

    id: str
    path: Path
    display: str
    model: M
    locs: LocMap
    cells: tuple[Cell, ...] = ()

    def at(self, *loc: str | int) -> Pos:
        """Return the position of the value at key path ``loc``."""
        return self.locs.value(loc)

    def key_at(self, *loc: str | int) -> Pos:
        """Return the position of the key at key path ``loc``."""
        return self.locs.key(loc)

    def inside(self, loc: Loc, offset: int, text: str) -> Pos:
        """Return the position of character ``offset`` inside the text value at ``loc``."""
        return self.locs.inside(loc, offset, text)


@dataclass
class Curriculum:
    """Everything a project holds, validated, with the problems found so far.

    Attributes
    ----------
    root : Path | None
        The project folder, or None for files checked on their own.
    lessons, quizzes, vignettes, exercises : dict[str, Document]
        Content by id.
    notes : dict[str, Document[FacilitatorNotes]]
        Facilitator notes (``faculty/notes/<lesson-id>.qmd``), by file name.
    techniques : Document[TechniqueVocabulary] | None
        The technique vocabulary.
    bibliography : Bibliography | None
        The keys of ``references.bib``.
    diagnostics : list[Diagnostic]
        Problems found while loading.
    """

    root: Path | None
    lessons: dict[str, Document[LessonFrontMatter]] = field(default_factory=dict)
    quizzes: dict[str, Document[Quiz]] = field(default_factory=dict)
    vignettes: dict[str, Document[Vignette]] = field(default_factory=dict)
    exercises: dict[str, Document[Spotter | Worksheet]] = field(default_factory=dict)
    notes: dict[str, Document[FacilitatorNotes]] = field(default_factory=dict)
    techniques: Document[TechniqueVocabulary] | None = None
    bibliography: Bibliography | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def standalone(self) -> bool:
        """True when files are checked outside a project (cross-references are skipped)."""
        return self.root is None

    def documents(self) -> Iterable[Document[Any]]:
        """Every loaded document, lessons first."""
        yield from self.lessons.values()
        yield from self.quizzes.values()
        yield from self.vignettes.values()
        yield from self.exercises.values()
        yield from self.notes.values()
        if self.techniques is not None:
            yield self.techniques


def find_root(start: Path) -> Path | None:
    """Return the nearest folder at or above ``start`` that holds ``_quarto.yml``.

    Parameters
    ----------
    start : Path
        A file or folder inside the project.

    Returns
    -------
    Path | None
        The project root, or None when ``start`` is not inside a project.
    """
    start = Path(os.path.abspath(start))
    for folder in [start, *start.parents] if start.is_dir() else start.parents:
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


def project_files(root: Path) -> list[Path]:
    """Every content file of the project at ``root``, in a stable order."""
    files: list[Path] = []
    files += sorted(p for p in (root / "lessons").glob("*.ipynb"))
    for folder in ("quizzes", "vignettes", "exercises"):
        files += sorted(p for p in (root / folder).glob("*.y*ml") if p.suffix in (".yml", ".yaml"))
    files += sorted((root / NOTES_FOLDER).glob("*.qmd"))
    bib = root / "references.bib"
    if bib.is_file():
        files.append(bib)
    return files


def load_curriculum(root: Path) -> Curriculum:
    """Load every content file of the project at ``root``.

    Parameters
    ----------
    root : Path
        The project folder (holding ``_quarto.yml``).

    Returns
    -------
    Curriculum
        The validated content and every problem found while loading it.
    """
    return load_files(project_files(root), root=root)


def load_files(paths: Iterable[Path], root: Path | None = None) -> Curriculum:
    """Load the given content files.

    Parameters
    ----------
    paths : Iterable[Path]
        Content files.
    root : Path | None
        The project root; None for files checked on their own, outside a
        project (cross-references are then skipped).

    Returns
    -------
    Curriculum
        What could be loaded, and the problems.
    """
    cur = Curriculum(root)
    for path in paths:
        _load_one(cur, path, display_path(path))
    return cur


def display_path(path: Path) -> str:
    """Return the path as an author would type it: relative to the working folder if possible."""
    absolute = Path(os.path.abspath(path))  # as written: a symbolic link is shown, not its target
    try:
        rel = Path(os.path.relpath(absolute, Path.cwd()))
    except ValueError:  # another drive on Windows
        return path.as_posix()
    return rel.as_posix() if not rel.as_posix().startswith("..") else absolute.as_posix()


def _load_one(cur: Curriculum, path: Path, display: str) -> None:
    source, problems = read_source(path, display, cur.root)
    cur.diagnostics += problems
    if source is None:
        return
    if path.suffix == ".bib":
        bib, problems = read_bibliography(source)
        cur.bibliography = bib
        cur.diagnostics += problems
        return
    if path.suffix == ".ipynb":
        notebook, problems = read_notebook(source)
        cur.diagnostics += problems
        if notebook is None:
            return
        fm, problems = validate_model(LessonFrontMatter, notebook.front_matter, notebook.locs, display)
        cur.diagnostics += problems
        if fm is not None:
            cur.lessons[path.stem] = Document(path.stem, path, display, fm, notebook.locs, notebook.cells)
        return
    if path.suffix == ".qmd":
        notes, problems = read_notes(source)
        cur.diagnostics += problems
        if notes is None:
            return
        front, problems = validate_model(FacilitatorNotes, notes.front_matter, notes.locs, display)
        cur.diagnostics += problems
        if front is not None:
            cur.notes[path.stem] = Document(path.stem, path, display, front, notes.locs, (notes.body,))
        return
    data, locs, problems = parse_yaml(source)
    cur.diagnostics += problems
    if data is None or problems:
        return
    if not isinstance(data, dict):
        cur.diagnostics.append(
            E_NOT_MAPPING.at(
                display,
                (1, 1),
                f"the file holds {'a list' if isinstance(data, list) else 'a single value'}, "
                "not keys and values",
                "start from `curriculum new` to see the expected layout",
            )
        )
        return
    kind = _kind(path, data)
    if kind is None:
        cur.diagnostics.append(
            E_KIND.at(
                display,
                (1, 1),
                "cannot tell whether this is a quiz, a vignette, an exercise or the technique vocabulary",
                "put it in quizzes/, vignettes/ or exercises/ of a project",
            )
        )
        return
    model: Any = {
        "quiz": Quiz,
        "vignette": Vignette,
        "exercise": Exercise,
        "techniques": TechniqueVocabulary,
    }[kind]
    doc_model, problems = validate_model(model, data, locs, display)
    cur.diagnostics += problems
    if doc_model is None:
        return
    doc: Document[Any] = Document(path.stem, path, display, doc_model, locs)
    if kind == "techniques":
        if cur.techniques is not None:
            cur.diagnostics.append(_same_id(doc, cur.techniques))
        else:
            cur.techniques = doc
        return
    table = getattr(cur, {"quiz": "quizzes", "vignette": "vignettes", "exercise": "exercises"}[kind])
    if path.stem in table:
        cur.diagnostics.append(_same_id(doc, table[path.stem]))
    else:
        table[path.stem] = doc


def _same_id(doc: Document[Any], first: Document[Any]) -> Diagnostic:
    return E_SAME_ID.at(
        doc.display,
        (1, 1),
        f"`{doc.path.name}` has the same id `{doc.id}` as {first.display}, which is already loaded",
        "the file name is the id: rename one of the two files, or merge them",
    )


def _kind(path: Path, data: dict[str, Any]) -> Kind | None:
    if path.name in ("techniques.yml", "techniques.yaml"):
        return "techniques"
    by_folder = _FOLDER_KIND.get(path.parent.name)
    if by_folder is not None and by_folder != "lesson":
        return by_folder
    if "items" in data:
        return "quiz"
    if "nodes" in data:
        return "vignette"
    if (isinstance(data.get("kind"), str) and data["kind"] in _EXERCISE_KINDS) or "turns" in data:
        return "exercise"
    if "techniques" in data and "kind" not in data:
        return "techniques"
    return None
