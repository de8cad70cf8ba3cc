"""The functions lesson notebooks call.

Each returns an object that Jupyter displays: a live widget in JupyterLab,
static HTML when the notebook is rendered for the site.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from curriculum.assess import ProgressStore
from curriculum.components import COMPONENTS
from curriculum.errors import CurriculumError
from curriculum.hosts.dashboard import Dashboard, build_dashboard, progress_rows
from curriculum.hosts.display import LessonReference, Problem, show
from curriculum.hosts.session import current_session, host_kind
from curriculum.hosts.static import overview_markup
from curriculum.render import html_templates

__all__ = [
    "ProgressTable",
    "activity",
    "component_function",
    "overview",
    "overview_markup",
    "progress",
    "progress_table",
    "quiz",
    "spotter",
    "vignette",
    "worksheet",
]

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


def activity(activity_id: str) -> Any:
    """Show the self-assessment activity ``activity_id`` (``activities/<activity_id>.yml``).

    The framing (objectives, hours, faculty and disclosures, dates, pass mark),
    the steps with what the learner has done in each (the post-test's result
    is read from the progress file when the cell runs), the evaluation and the
    certificate of completion; the evaluation and the certificate are saved
    in the progress file as the record ``activity:<activity_id>``.

    Parameters
    ----------
    activity_id : str
        The activity id.

    Returns
    -------
    object
        A widget in a live notebook; static HTML when rendered for the site.
    """
    return show("activity", activity_id)


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
    if host_kind() == "static":  # the site build fills it in from the lessons' front matter
        return LessonReference(lesson_id)
    try:
        session = current_session()
    except CurriculumError as exc:
        return Problem(exc.format_message())
    live = host_kind() == "live"
    markup = overview_markup(session.curriculum, lesson_id, session.builder.profile, live=live)
    if markup is None:
        return Problem(f"there is no lesson `{lesson_id}`")
    fm = session.curriculum.lessons[lesson_id].model
    text = "\n".join([f"{fm.title} (about {fm.duration} minutes)", *(f"- {o.text}" for o in fm.objectives)])
    return _HTML(markup, text)


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
        template = html_templates("curriculum.hosts").get_template("progress-table.html.j2")
        return template.render(rows=self.rows, path=str(self.path))

    def __repr__(self) -> str:
        if not self.rows:
            return f"Progress in {self.path}: nothing is saved yet."
        lines = [f"Progress in {self.path}"]
        lines += [
            f"{r['component']:<10} {r['id']:<32} {r['status']:<14} {r['score'] or '':<6} {r['updated']}"
            for r in self.rows
        ]
        return "\n".join(lines)


def progress() -> Dashboard | Problem:
    """Show the learner's dashboard: progress, scores and mastery, from the progress file.

    The same dashboard as the site's progress page: each lesson's parts with what
    was done, a summary, mastery of each of its objectives (the share of correct
    answers to the items that measure it, in each quiz's latest attempt with
    results), and mastery per ACGME subcompetency. The progress file is the one
    the lessons save to (``CURRICULUM_PROGRESS_FILE``, or the user's data folder);
    ``curriculum progress --import FILE`` merges one exported from the site.

    Returns
    -------
    Dashboard
        Shows as HTML in JupyterLab and as text elsewhere; ``rows`` lists the saved records.
        A panel saying what is wrong when there is no project or the file cannot be read.

    Examples
    --------
    >>> import curriculum
    >>> curriculum.progress()  # doctest: +SKIP
    """
    try:
        session = current_session()
        store = ProgressStore.for_site(session.builder.site)
        return build_dashboard(session.curriculum, store.load(), store.path)
    except CurriculumError as exc:
        return Problem(exc.format_message())


def progress_table(site: str) -> ProgressTable:
    """Return the progress saved on this computer for site ``site``, one row per part.

    Each row's status comes from the part's kind (:attr:`curriculum.components.ComponentSpec.status`);
    the content is not loaded.

    Raises
    ------
    ProgressFileError
        If the progress file cannot be read safely.
    """
    store = ProgressStore.for_site(site)
    return ProgressTable(progress_rows(store.load().records), store.path)
