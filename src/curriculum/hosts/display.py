"""Choose the host at display time and return something Jupyter can show.

``curriculum.quiz("x")`` and friends end here: the live kernel gets an
anywidget widget; a render for the site gets a static HTML fragment; a
problem with the content gets a readable panel listing the diagnostics,
never a traceback.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from curriculum.content import Diagnostic
from curriculum.content._validate import did_you_mean
from curriculum.errors import CurriculumError
from curriculum.hosts.session import Session, current_session, host_kind
from curriculum.hosts.static import MOUNT_MIME, Mount, static_fragment

__all__ = ["Problem", "StaticComponent", "show_component"]


class StaticComponent:
    """A component rendered for a static page.

    It displays as the static fragment (``text/html``, which Quarto places in
    the page) and, when our own build executes the notebook, also as a
    :class:`~curriculum.hosts.static.Mount` reference in its own MIME type, from
    which the Pandoc engine builds the component (see ``docs/components.md``).

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

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = {"text/html": self._repr_html_(), "text/plain": repr(self)}
        if host_kind() == "static":
            bundle[MOUNT_MIME] = self.mount.as_json()
        return bundle

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
        items = "".join(f"<li><code>{html.escape(d.format())}</code></li>" for d in self.diagnostics)
        listing = f"<ul>{items}</ul>" if items else ""
        return (
            f'<div class="cur-problem" role="alert"><p><strong>Cannot show this part of the lesson:</strong> '
            f"{html.escape(self.message)}</p>{listing}"
            "<p>Run <code>curriculum check</code> for details.</p></div>"
        )

    def __repr__(self) -> str:
        lines = [
            f"Cannot show this part of the lesson: {self.message}",
            *(d.format() for d in self.diagnostics),
        ]
        return "\n".join(lines)


def show_component(
    mount: Mount,
    table: Callable[[Session], dict[str, Any]],
    folder: str,
) -> Any:
    """Return the displayable object for one component call.

    Parameters
    ----------
    mount : Mount
        The component and the call's arguments.
    table : Callable[[Session], dict]
        The loaded content of this kind, by id (to explain an unknown id).
    folder : str
        The content folder, to find the file's diagnostics.
    """
    component, ident = mount.component, mount.args[-1]
    try:
        session = current_session()
    except CurriculumError as exc:
        return Problem(exc.format_message())
    errors = session.errors_for(f"{folder}/{ident}.")
    if errors:
        return Problem(f"{folder}/{ident} has errors", errors)
    try:
        payload = mount.payload(session.builder)
    except KeyError:
        known = table(session)
        return Problem(
            f"there is no {component} `{ident}`{did_you_mean(ident, known)}; "
            f"known: {', '.join(sorted(known)) or 'none'}"
        )
    if host_kind() in ("static", "quarto"):
        return StaticComponent(payload, mount)
    from curriculum.assess import ProgressStore
    from curriculum.hosts.widget import make_widget

    try:
        return make_widget(payload, ProgressStore.for_site(session.builder.site), session.builder.profile)
    except CurriculumError as exc:  # the progress file cannot be read or its folder created
        return Problem(f"your saved progress cannot be opened: {exc.format_message()}")
