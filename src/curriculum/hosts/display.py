"""Choose the host at display time and return something Jupyter can show.

``curriculum.quiz("x")`` and friends end here: the live kernel gets an
anywidget widget; Quarto's render gets a static HTML fragment; our own site
build gets a reference (:class:`ComponentReference`), which it fills from the
content files when it renders the page; a problem with the content gets a
readable panel listing the diagnostics, never a traceback.
"""

from __future__ import annotations

from typing import Any

from curriculum.components import COMPONENTS, Mount
from curriculum.content import Diagnostic, did_you_mean
from curriculum.errors import CurriculumError
from curriculum.hosts.session import current_session, host_kind
from curriculum.hosts.static import MOUNT_MIME, OVERVIEW_MIME, static_fragment
from curriculum.render import html_templates

__all__ = ["ComponentReference", "LessonReference", "Problem", "StaticComponent", "show"]


class ComponentReference:
    """What a component call displays when our site build executes the notebook: which component, by id.

    It holds no content: the build makes the payload from the content files
    when it renders the page, so editing a quiz re-renders the pages that show
    it and executes no notebook, and the outputs stored in ``_freeze/`` stay
    valid until the notebook's code changes.

    Parameters
    ----------
    mount : Mount
        The call.
    """

    def __init__(self, mount: Mount) -> None:
        self.mount = mount

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {MOUNT_MIME: self.mount.as_json(), "text/plain": repr(self)}

    def __repr__(self) -> str:
        return f"{self.mount.component.capitalize()} {self.mount.args[-1]!r} (interactive on the website)"


class LessonReference:
    """What ``curriculum.overview`` displays when our site build executes the notebook: the lesson, by id.

    The build renders the overview from the lessons' front matter at render time.

    Parameters
    ----------
    lesson_id : str
        The lesson.
    """

    def __init__(self, lesson_id: str) -> None:
        self.lesson_id = lesson_id

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {OVERVIEW_MIME: {"lesson": self.lesson_id}, "text/plain": repr(self)}

    def __repr__(self) -> str:
        return f"Overview of the lesson {self.lesson_id!r}"


class StaticComponent:
    """A component rendered for a static page.

    It displays as the static fragment (``text/html``), which Quarto places in
    the page (our own build gets a :class:`ComponentReference` instead; see
    ``docs/components.md``).

    Parameters
    ----------
    payload : dict
        The component's payload.
    mount : Mount
        The call that shows it.
    """

    def __init__(self, payload: dict[str, Any], mount: Mount) -> None:
        self.payload = payload
        self.mount = mount

    def _repr_html_(self) -> str:
        return static_fragment(self.payload)

    def __repr__(self) -> str:
        return f"{self.payload['component'].capitalize()} {self.payload['id']!r} (interactive on the website)"


class Problem:
    """A readable report of why a component cannot be shown.

    Parameters
    ----------
    message : str
        What is wrong.
    diagnostics : list[Diagnostic]
        The located problems, if any.
    """

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        self.message = message
        self.diagnostics = diagnostics or []

    def _repr_html_(self) -> str:
        template = html_templates("curriculum.hosts").get_template("problem.html.j2")
        return template.render(message=self.message, diagnostics=[d.format() for d in self.diagnostics])

    def __repr__(self) -> str:
        lines = [
            f"Cannot show this part of the lesson: {self.message}",
            *(d.format() for d in self.diagnostics),
        ]
        return "\n".join(lines)


def show(kind: str, *args: str | None) -> Any:
    """Return the displayable object for the call ``curriculum.<kind>(*args)``.

    Parameters
    ----------
    kind : str
        A registered component kind (see :mod:`curriculum.components`).
    *args : str | None
        The call's arguments, in the order of the kind's parameters; an optional
        one left out is None.

    Returns
    -------
    object
        A widget in a live kernel, a :class:`StaticComponent` when rendered for the
        site, or a :class:`Problem` saying what is wrong.
    """
    spec = COMPONENTS.get(kind)
    if spec is None:
        return Problem(f"`{kind}` is not a component; components: {', '.join(COMPONENTS)}")
    given = list(args)
    while given and given[-1] is None and len(given) > spec.arity[0]:
        given.pop()  # an optional argument left out
    for param, value in zip(spec.params, given, strict=False):
        if not isinstance(value, str):
            return Problem(f"`curriculum.{kind}()` needs `{param.name}` as text, not {value!r}")
        if param.choices is not None and value not in param.choices():
            return Problem(f"`{value}` is not a {param.what}; kinds: {', '.join(param.choices())}")
    if len(given) < spec.arity[0]:
        return Problem(f"`curriculum.{kind}()` needs `{spec.params[len(given)].name}`")
    mount = Mount(kind, tuple(str(a) for a in given))
    if host_kind() == "static":  # the build checks the ids and makes the payload when it renders the page
        return ComponentReference(mount)
    try:
        session = current_session()
    except CurriculumError as exc:
        return Problem(exc.format_message())
    if len(mount.args) == len(spec.params):  # the call names a content file
        ident, folder = mount.args[-1], spec.content.folder
        errors = session.errors_for(f"{folder}/{ident}.")
        if errors:
            return Problem(f"{folder}/{ident} has errors", errors)
        known = spec.documents(session.curriculum, mount.args)
        if ident not in known:
            return Problem(
                f"there is no {spec.what(mount.args)} `{ident}`{did_you_mean(ident, known)}; "
                f"known: {', '.join(sorted(known)) or 'none'}"
            )
    payload = mount.payload(session.builder)
    if host_kind() == "quarto":
        return StaticComponent(payload, mount)
    from curriculum.assess import ProgressStore
    from curriculum.hosts.widget import make_widget

    try:
        return make_widget(payload, ProgressStore.for_site(session.builder.site), session.builder.profile)
    except CurriculumError as exc:  # the progress file cannot be read or its folder created
        return Problem(f"your saved progress cannot be opened: {exc.format_message()}")
