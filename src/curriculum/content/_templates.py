"""Commented templates for new content: ``curriculum new KIND ID``.

A lesson is a notebook and comes with its facilitator notes
(``faculty/notes/<id>.qmd``); every other kind is a YAML file whose template
its component's spec names (:attr:`curriculum.components.ComponentSpec.templates`):
``quiz``, ``vignette``, ``spotter`` and one per worksheet kind.

A template is a complete, valid example that passes ``curriculum check
--strict`` inside the project it is created in: it names an existing lesson,
objective, technique and reference, so an author starts from something that
works and changes it step by step. Nothing is ever overwritten.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from curriculum.content._models import ID_PATTERN
from curriculum.content._notes import NOTES_FOLDER
from curriculum.content._project import Curriculum, load_curriculum
from curriculum.errors import UsageError

__all__ = ["new_content", "new_kinds"]


def new_kinds() -> tuple[str, ...]:
    """Return what ``curriculum new`` can create: every component template, then ``lesson``."""
    return (*_templates(), "lesson")


def _templates() -> dict[str, tuple[Any, Any]]:
    """Every ``curriculum new`` kind of YAML content: its component spec and its template."""
    from curriculum.components import COMPONENTS  # the kinds, registered above this layer

    return {name: (spec, t) for spec in COMPONENTS.values() for name, t in spec.templates.items()}


@functools.cache
def _environment(folder: Path) -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # YAML and Markdown, not HTML
    )


def _render(template: Path, context: dict[str, Any]) -> str:
    return str(_environment(template.parent).get_template(template.name).render(**context))


def new_content(kind: str, ident: str, root: Path, *, lesson: str | None = None) -> list[Path]:
    """Create a new content file from its template (a lesson also gets its facilitator notes).

    Parameters
    ----------
    kind : str
        One of :func:`new_kinds`.
    ident : str
        The new content's id (becomes the file name).
    root : Path
        The project folder.
    lesson : str | None
        The lesson the content belongs to; by default the last lesson.

    Returns
    -------
    list[Path]
        The files created: the content file, and for a lesson ``faculty/notes/<id>.qmd`` too.

    Raises
    ------
    UsageError
        If the id is invalid, the file exists, or the project lacks what the
        template must refer to (a lesson, the technique vocabulary, a reference).
    """
    if not re.match(ID_PATTERN, ident):
        raise UsageError(f"`{ident}` is not a valid id: use lowercase letters, digits and hyphens")
    templates = _templates()
    if kind != "lesson" and kind not in templates:
        raise UsageError(f"`{kind}` is not a kind of content; kinds: {', '.join(new_kinds())}")
    if kind == "lesson":
        target = root / "lessons" / f"{ident}.ipynb"
    else:
        target = root / templates[kind][0].content.folder / f"{ident}.yml"
    notes = root / NOTES_FOLDER / f"{ident}.qmd"
    for path in (target, notes) if kind == "lesson" else (target,):
        if path.exists():
            raise UsageError(f"{path.relative_to(root)} already exists; choose another id or edit it")
    cur = load_curriculum(root)
    context = _context(cur, ident, kind, lesson)
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind != "lesson":
        target.write_text(_render(templates[kind][1].path, context), encoding="utf-8")
        return [target]
    import nbformat

    nbformat.write(_lesson_notebook(ident, context), target)
    notes.parent.mkdir(parents=True, exist_ok=True)
    notes.write_text(_render(_NOTES, context), encoding="utf-8")
    return [target, notes]


_NOTES = Path(__file__).parent / "templates" / "notes.qmd.j2"


def _context(cur: Curriculum, ident: str, kind: str, lesson: str | None) -> dict[str, Any]:
    keys = sorted(cur.bibliography.keys) if cur.bibliography else []
    if not keys:
        raise UsageError("references.bib has no entries; add the works you will cite first")
    template = None if kind == "lesson" else _templates()[kind][1]
    context: dict[str, Any] = {
        "id": ident,
        "kind": kind,
        "reference": keys[0],
        "title": ident.replace("-", " ").capitalize(),
        "prompt": template.prompt if template else "",
    }
    if template is None:
        return context
    if not cur.lessons:
        raise UsageError("the project has no lesson yet; create one first: curriculum new lesson ID")
    lesson = lesson or sorted(cur.lessons)[-1]
    if lesson not in cur.lessons:
        raise UsageError(f"there is no lesson `{lesson}`; lessons: {', '.join(sorted(cur.lessons))}")
    context["lesson"] = lesson
    context["objective"] = cur.lessons[lesson].model.objectives[0].id
    if template.techniques:
        techniques = [t.id for t in cur.techniques.model.techniques] if cur.techniques else []
        if len(techniques) < template.techniques:
            raise UsageError(
                f"vignettes/techniques.yml needs at least {_count(template.techniques)} techniques first"
            )
        context["techniques"] = techniques[: template.techniques]
    return context


def _lesson_notebook(ident: str, context: dict[str, Any]) -> Any:
    import nbformat

    ref = context["reference"]
    front = f"""---
title: "{context["title"]}"
lesson-id: {ident}
duration: 60                      # minutes a resident needs
objectives:                       # 3-5 measurable objectives, ids unique across the curriculum
  - id: {ident}-1
    text: Describe the first thing a resident will be able to do.
    competencies: [MK4]
  - id: {ident}-2
    text: Apply the second skill to a clinical case.
    competencies: [PC4]
  - id: {ident}-3
    text: Explain the third point to a patient.
    competencies: [PC4, ICS1]
prerequisites: []
vignettes: []
exercises: []
suppress:
  # Every objective is assessed by at least two quiz items; remove this when they are.
  CUR505: "New lesson: its quiz items are still being written."
---"""
    cells = [
        nbformat.v4.new_raw_cell(front),
        nbformat.v4.new_code_cell(f'import curriculum\n\ncurriculum.overview("{ident}")'),
        nbformat.v4.new_markdown_cell(
            "::: {.callout-tip}\n## Key points\n\n- The three things a resident should remember.\n:::"
        ),
        nbformat.v4.new_markdown_cell(
            "## First section\n\nThe narrative, with every factual claim cited, for example "
            f"[@{ref}]. Facilitator notes go in faculty/notes/{ident}.qmd, never in the notebook."
        ),
        nbformat.v4.new_markdown_cell("## References\n\n::: {#refs}\n:::"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def _count(n: int) -> str:
    return {1: "one", 2: "two", 3: "three"}.get(n, str(n))
