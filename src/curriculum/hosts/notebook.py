"""The functions lesson notebooks call.

Each returns an object that Jupyter displays: a live widget in JupyterLab,
static HTML when the notebook is rendered for the site.
"""

from __future__ import annotations

import html
from typing import Any

from curriculum.assess import ProgressStore
from curriculum.content import Spotter, Worksheet
from curriculum.content._notes import NOTES_FOLDER
from curriculum.content._worksheets import WORKSHEET_FIELDS
from curriculum.errors import CurriculumError
from curriculum.hosts.display import Problem, show_component
from curriculum.hosts.session import current_session, host_kind
from curriculum.hosts.static import Mount

__all__ = ["overview", "progress", "quiz", "spotter", "vignette", "worksheet"]


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
    return show_component(Mount("quiz", (quiz_id,)), lambda s: s.curriculum.quizzes, "quizzes")


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
    return show_component(Mount("vignette", (vignette_id,)), lambda s: s.curriculum.vignettes, "vignettes")


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
    return show_component(
        Mount("spotter", (exercise_id,)),
        lambda s: {k: v for k, v in s.curriculum.exercises.items() if isinstance(v.model, Spotter)},
        "exercises",
    )


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
    if kind not in WORKSHEET_FIELDS:
        return Problem(f"`{kind}` is not a worksheet kind; kinds: {', '.join(WORKSHEET_FIELDS)}")
    return show_component(
        Mount("worksheet", (kind, exercise_id) if exercise_id else (kind,)),
        lambda s: {
            k: v
            for k, v in s.curriculum.exercises.items()
            if isinstance(v.model, Worksheet) and v.model.kind == kind
        },
        "exercises",
    )


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
                **_status(component, record.state),
                "updated": record.updated,
            }
        )
    return ProgressTable(rows, store.path)


def _status(component: str, state: dict[str, Any]) -> dict[str, Any]:
    if component == "quiz":
        attempts = state.get("attempts") or []
        scored = [a for a in attempts if isinstance(a, dict) and isinstance(a.get("score"), (int, float))]
        if scored:
            best = max(a["score"] for a in scored)
            return {
                "status": f"{len(attempts)} attempt{'s' if len(attempts) != 1 else ''}",
                "score": f"{round(best * 100)}%",
            }
        return {"status": "in progress" if attempts else "not started", "score": None}
    if component == "vignette":
        endings = state.get("endings") or {}
        return {
            "status": f"{len(endings)} ending{'s' if len(endings) != 1 else ''} reached"
            if endings
            else "in progress",
            "score": None,
        }
    if component == "spotter":
        return {"status": "checked" if state.get("checked") else "in progress", "score": None}
    fields = state.get("fields") or {}
    written = sum(1 for v in fields.values() if isinstance(v, str) and v.strip())
    return {"status": f"{written} field{'s' if written != 1 else ''} written", "score": None}
