"""The functions lesson notebooks call.

Each returns an object that Jupyter displays: a live widget in JupyterLab,
static HTML when the notebook is rendered for the site.
"""

from __future__ import annotations

import functools
import html
import inspect
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from curriculum.assess import ProgressStore
from curriculum.components import COMPONENTS, Status
from curriculum.content._notes import NOTES_FOLDER
from curriculum.errors import CurriculumError
from curriculum.hosts.display import Problem, show
from curriculum.hosts.session import current_session, host_kind

__all__ = ["component_function", "overview", "progress", "quiz", "spotter", "vignette", "worksheet"]

# The built-in kinds' functions are written out for their signatures and their pages in the API
# reference; each only hands its arguments to the kind's spec. A kind registered later gets the
# same function from :func:`component_function` (``curriculum.<kind>`` finds it).


def quiz(quiz_id: str) -> Any:
    """Show quiz ``quiz_id`` (``quizzes/<quiz_id>.yml``).

    Parameters
    ----------
    quiz_id : str
        The quiz id, usually the lesson id.

    Returns
    -------
    object
        A widget in a live notebook; static HTML when rendered for the site.

    Examples
    --------
    >>> import curriculum
    >>> curriculum.quiz("00-orientation")  # doctest: +SKIP
    """
    return show("quiz", quiz_id)


def vignette(vignette_id: str) -> Any:
    """Show the branching vignette ``vignette_id`` (``vignettes/<vignette_id>.yml``).

    Parameters
    ----------
    vignette_id : str
        The vignette id.

    Returns
    -------
    object
        A widget in a live notebook; static HTML when rendered for the site.
    """
    return show("vignette", vignette_id)


def spotter(exercise_id: str) -> Any:
    """Show the technique-spotter exercise ``exercise_id`` (``exercises/<exercise_id>.yml``).

    Parameters
    ----------
    exercise_id : str
        The exercise id.

    Returns
    -------
    object
        A widget in a live notebook; static HTML when rendered for the site.
    """
    return show("spotter", exercise_id)


def worksheet(kind: str, exercise_id: str | None = None) -> Any:
    """Show a worksheet: a thought record, a formulation or a reflection.

    Parameters
    ----------
    kind : str
        ``thought-record``, ``formulation-cbt``, ``formulation-psychodynamic``,
        ``treatment-plan`` or ``reflection``.
    exercise_id : str | None
        An exercise of that kind (``exercises/<exercise_id>.yml``) with its case and
        prompt; without it, a blank worksheet of ``kind``.

    Returns
    -------
    object
        A widget in a live notebook; static HTML when rendered for the site.
    """
    return show("worksheet", kind, exercise_id)


@functools.cache
def component_function(kind: str) -> Callable[..., Any]:
    """Return ``curriculum.<kind>``: the function a lesson calls to show a component of ``kind``.

    Its signature and docstring come from the kind's parameters.

    Parameters
    ----------
    kind : str
        A registered component kind.

    Raises
    ------
    KeyError
        If no such kind is registered.
    """
    spec = COMPONENTS[kind]
    signature = inspect.Signature(
        [
            inspect.Parameter(
                p.name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=None if p.optional else inspect.Parameter.empty,
                annotation="str | None" if p.optional else "str",
            )
            for p in spec.params
        ],
        return_annotation="Any",
    )

    def function(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        return show(kind, *(bound.arguments.get(p.name) for p in spec.params))

    parameters = "\n".join(
        f"{p.name} : {'str | None' if p.optional else 'str'}\n    {p.doc}" for p in spec.params
    )
    function.__signature__ = signature  # type: ignore[attr-defined]
    function.__name__ = function.__qualname__ = kind
    function.__module__ = "curriculum"
    function.__doc__ = (
        f"Show the {spec.noun} ``{spec.params[-1].name}``.\n\nParameters\n----------\n{parameters}\n\n"
        "Returns\n-------\nobject\n    A widget in a live notebook; static HTML when rendered for the site.\n"
    )
    return function


class _HTML:
    def __init__(self, markup: str, text: str) -> None:
        self.markup = markup
        self.text = text

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return self.text


def overview(lesson_id: str) -> Any:
    """Show a lesson's overview: duration, objectives with their competencies, prerequisites.

    In the faculty edition it also links to the lesson's facilitator notes.

    Parameters
    ----------
    lesson_id : str
        The lesson id (the notebook's file name).

    Returns
    -------
    object
        Static HTML, the same in JupyterLab and on the site.
    """
    try:
        session = current_session()
    except CurriculumError as exc:
        return Problem(exc.format_message())
    doc = session.curriculum.lessons.get(lesson_id)
    if doc is None:
        return Problem(f"there is no lesson `{lesson_id}`")
    fm = doc.model
    suffix = ".ipynb" if host_kind() == "live" else ".html"
    e = html.escape
    objectives = "".join(
        f'<li>{e(o.text)} <span class="cur-tags">'
        + "".join(
            f'<abbr class="cur-tag" title="ACGME subcompetency {e(_competency_name(c))}">{e(c)}</abbr>'
            for c in o.competencies
        )
        + "</span></li>"
        for o in fm.objectives
    )
    used = sorted({_domain(c) for o in fm.objectives for c in o.competencies}, key=list(_DOMAINS).index)
    legend = "; ".join(f"{d} {_DOMAINS[d]}" for d in used)
    pre = ", ".join(f'<a href="{e(p)}{suffix}">{e(_lesson_title(session, p))}</a>' for p in fm.prerequisites)
    parts = [
        '<section class="cur-overview" aria-label="Lesson overview">',
        f'<p class="cur-overview-meta"><span>About {fm.duration} minutes</span>',
    ]
    if pre:
        parts.append(f"<span>Before this: {pre}</span>")
    parts.append("</p>")
    parts.append(
        f"<p><strong>By the end of this lesson you will be able to:</strong></p><ol>{objectives}</ol>"
        f'<p class="cur-tags-legend">The codes after each objective are the ACGME Psychiatry Milestones '
        f"subcompetencies it serves ({e(legend)}, each with its number).</p>"
    )
    if lesson_id in session.curriculum.notes and session.builder.profile == "faculty":
        href = f"../{NOTES_FOLDER}/{lesson_id}{'.qmd' if host_kind() == 'live' else '.html'}"
        parts.append(
            f'<p class="profile-block profile-faculty"><a href="{e(href)}">Facilitator notes for this '
            "lesson</a>: the seminar plan, discussion questions with what good answers contain, and "
            "common misconceptions.</p>"
        )
    parts.append("</section>")
    text = "\n".join([f"{fm.title} (about {fm.duration} minutes)", *(f"- {o.text}" for o in fm.objectives)])
    return _HTML("".join(parts), text)


_DOMAINS = {
    "PC": "Patient Care",
    "MK": "Medical Knowledge",
    "SBP": "Systems-Based Practice",
    "PBLI": "Practice-Based Learning and Improvement",
    "PROF": "Professionalism",
    "ICS": "Interpersonal and Communication Skills",
}
"""The ACGME competency domains, by the letters of a subcompetency code."""


def _domain(code: str) -> str:
    return code.rstrip("0123456789")


def _competency_name(code: str) -> str:
    """Return a subcompetency code in words: ``MK4`` is "Medical Knowledge 4"."""
    domain = _domain(code)
    return f"{_DOMAINS.get(domain, domain)} {code[len(domain) :]}".strip()


def _lesson_title(session: Any, lesson_id: str) -> str:
    doc = session.curriculum.lessons.get(lesson_id)
    return str(doc.model.title) if doc else lesson_id


class ProgressTable:
    """The learner's progress, one row per component; shows as a table.

    Attributes
    ----------
    rows : list[dict]
        One dict per component with ``component``, ``id``, ``status``, ``score`` and ``updated``.
    path : Path
        The progress file.
    """

    def __init__(self, rows: list[dict[str, Any]], path: Any) -> None:
        self.rows = rows
        self.path = path

    def _repr_html_(self) -> str:
        e = html.escape
        head = "".join(f"<th scope='col'>{h}</th>" for h in ("Part", "Id", "Status", "Score", "Last saved"))
        body = "".join(
            "<tr>"
            + "".join(
                f"<td>{e(str(r[k]) if r[k] is not None else '')}</td>"
                for k in ("component", "id", "status", "score", "updated")
            )
            + "</tr>"
            for r in self.rows
        )
        return (
            f"<table class='cur-progress-table'><caption>Your progress (saved in {e(str(self.path))})"
            f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )

    def __repr__(self) -> str:
        if not self.rows:
            return f"Progress in {self.path}: nothing is saved yet."
        lines = [f"Progress in {self.path}"]
        lines += [
            f"{r['component']:<10} {r['id']:<32} {r['status']:<14} {r['score'] or '':<6} {r['updated']}"
            for r in self.rows
        ]
        return "\n".join(lines)


def progress() -> ProgressTable | Problem:
    """Return the learner's progress in this curriculum as a table.

    Returns
    -------
    ProgressTable
        One row per quiz, vignette, spotter and worksheet with saved work.
    """
    try:
        session = current_session()
    except CurriculumError as exc:
        return Problem(exc.format_message())
    store = ProgressStore.for_site(session.builder.site)
    data = store.load()
    rows = []
    for key, record in sorted(data.records.items()):
        component, _, ident = key.partition(":")
        rows.append(
            {
                "component": component,
                "id": ident,
                **asdict(_status(component, record.state)),
                "updated": record.updated,
            }
        )
    return ProgressTable(rows, store.path)


def _status(component: str, state: dict[str, Any]) -> Status:
    spec = COMPONENTS.get(component)
    if spec is None:
        return Status("saved by a part this curriculum does not have")
    if not spec.accepts(state):
        return Status("saved, but not in a shape this version can read")
    return spec.status(state)
