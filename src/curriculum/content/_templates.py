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

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any

from curriculum.content._activities import expiry_limit
from curriculum.content._files import write_atomic
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
        The files created: the content file, and for a lesson ``faculty/notes/<id>.qmd`` too
        (for an activity, its pre-test and post-test).

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
    companions = [] if kind == "lesson" else list(templates[kind][1].companions)
    others = [root / c.target.format(id=ident) for c in companions]
    for path in (target, notes) if kind == "lesson" else (target, *others):
        if path.exists():
            raise UsageError(f"{path.relative_to(root)} already exists; choose another id or edit it")
    cur = load_curriculum(root)
    context = _context(cur, ident, kind, lesson)
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind != "lesson":
        write_atomic(target, _render(templates[kind][1].path, context))
        for companion, path in zip(companions, others, strict=True):
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, _render(companion.path, {**context, **companion.context}))
        return [target, *others]
    import nbformat

    notebook = nbformat.writes(_lesson_notebook(ident, context))
    write_atomic(target, notebook if notebook.endswith("\n") else notebook + "\n")
    write_atomic(notes, _render(_NOTES, context))
    return [target, notes]


_TEMPLATES = Path(__file__).parent / "templates"
_NOTES = _TEMPLATES / "notes.qmd.j2"


def _context(cur: Curriculum, ident: str, kind: str, lesson: str | None) -> dict[str, Any]:
    keys = sorted(cur.bibliography.keys) if cur.bibliography else []
    if not keys:
        raise UsageError("references.bib has no entries; add the works you will cite first")
    template = None if kind == "lesson" else _templates()[kind][1]
    today = dt.date.today()
    context: dict[str, Any] = {
        "today": today.isoformat(),
        "expires": expiry_limit(today).isoformat(),
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
    front = _render(_TEMPLATES / "lesson-front-matter.j2", context).rstrip(
        "\n"
    )  # the notebook's first (raw) cell
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
