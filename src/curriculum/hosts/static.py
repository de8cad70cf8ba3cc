"""What a page shows for one component: a reference to it, and the markup that mounts it.

A component call in a notebook rendered for the site (``curriculum.quiz("x")``)
displays two things:

- a :class:`Mount`, in its own MIME type (:data:`MOUNT_MIME`): which
  component, with which arguments. It is a reference, not data. The Pandoc
  engine reads it from the executed notebook, builds the payload from the
  content files at render time with the same :class:`~curriculum.render.PayloadBuilder`,
  writes it to the page's data script with :func:`payload_script` (``json.dumps``,
  never text copied from a page), and puts its own :func:`mount_element` in
  the page. Only the build creates mounts: component markup that arrives any
  other way (a Markdown cell, raw HTML, another output) is removed by the
  engine's filter.
- the :func:`static_fragment` (``text/html``): a container, the payload as
  inert JSON, and a ``<noscript>`` note, which Quarto places in the page as
  it is. The page's ``curriculum.js`` mounts it.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["MOUNT_MIME", "Mount", "mount_element", "payload_script", "static_fragment"]

MOUNT_MIME = "application/vnd.curriculum.mount+json"
"""The MIME type of a component reference in a notebook output."""

_NOSCRIPT = {
    "quiz": "This quiz needs JavaScript, which is turned off in this browser.",
    "vignette": "This case vignette needs JavaScript, which is turned off in this browser.",
    "spotter": "This exercise needs JavaScript, which is turned off in this browser.",
    "worksheet": "This worksheet needs JavaScript, which is turned off in this browser.",
}
_ARITY = {"quiz": (1, 1), "vignette": (1, 1), "spotter": (1, 1), "worksheet": (1, 2)}
_ARGUMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


@dataclass(frozen=True)
class Mount:
    """One component shown on a page: the call that shows it, not its data.

    Attributes
    ----------
    component : str
        ``quiz``, ``vignette``, ``spotter`` or ``worksheet``.
    args : tuple[str, ...]
        The call's arguments: the content id (a worksheet: its kind, then
        optionally the exercise id).
    """

    component: str
    args: tuple[str, ...]

    @property
    def key(self) -> str:
        """The component's key, as in its payload and the progress file (``quiz:intro``)."""
        return f"{self.component}:{self.args[-1]}"

    @property
    def dom_id(self) -> str:
        """The id of the element the component mounts on."""
        return _dom_id(self.key)

    def as_json(self) -> dict[str, Any]:
        """Return the reference as the data of a :data:`MOUNT_MIME` output."""
        return {"component": self.component, "args": list(self.args)}

    @classmethod
    def from_json(cls, data: Any) -> Mount | None:
        """Return the reference in a :data:`MOUNT_MIME` output, or None if it is not one.

        Only a known component with the right number of plain ids is accepted.
        """
        if not isinstance(data, Mapping) or set(data) != {"component", "args"}:
            return None
        component, args = data["component"], data["args"]
        if component not in _ARITY or not isinstance(args, list):
            return None
        low, high = _ARITY[component]
        if not low <= len(args) <= high:
            return None
        if not all(isinstance(a, str) and _ARGUMENT.fullmatch(a) for a in args):
            return None
        return cls(component, tuple(args))

    def payload(self, builder: Any) -> dict[str, Any]:
        """Build the component's payload from the content.

        Parameters
        ----------
        builder : PayloadBuilder
            The build's payload builder (its curriculum, renderer and profile).

        Raises
        ------
        KeyError
            If the content the mount names does not exist.
        """
        build: Callable[..., dict[str, Any]] = getattr(builder, self.component)
        return build(*self.args)


def _json_for_html(payload: Mapping[str, Any]) -> str:
    """JSON that cannot end its ``<script>`` element.

    Inside a script element only ``</`` (an end tag) and ``<!--`` (which
    changes how the parser looks for the end tag) are dangerous; both are
    escaped in a way JSON still reads as the same text. Escaping every ``<``
    would make the payloads, which are mostly HTML, a tenth larger.
    """
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("</", "<\\/").replace("<!--", "\\u003c!--")


def _dom_id(key: str) -> str:
    return "cur-" + re.sub(r"[^a-z0-9-]+", "-", key.lower()).strip("-")


def _opening(component: str, key: str) -> str:
    return (
        f'<div class="cur-widget" data-component="{html.escape(component, quote=True)}" '
        f'id="{html.escape(_dom_id(key), quote=True)}"'
    )


def _noscript(component: str) -> str:
    return f"<noscript><p>{_NOSCRIPT.get(component, 'This part needs JavaScript.')}</p></noscript></div>"


def static_fragment(payload: dict[str, Any]) -> str:
    """Return the HTML fragment that the static host mounts, with its payload inline.

    Parameters
    ----------
    payload : dict
        The component's payload (see :class:`curriculum.render.PayloadBuilder`).

    Returns
    -------
    str
        The fragment.
    """
    component = payload["component"]
    return (
        f"{_opening(component, payload['key'])}>"
        f'<script type="application/json" class="cur-payload">{_json_for_html(payload)}</script>'
        f"{_noscript(component)}"
    )


def mount_element(mount: Mount) -> str:
    """Return the element a page built by the Pandoc engine mounts ``mount`` on.

    Its payload is in the page's data script (:func:`payload_script`), under the element's id.
    """
    return f'{_opening(mount.component, mount.key)} data-payload="deferred">{_noscript(mount.component)}'


def payload_script(payloads: Mapping[str, Mapping[str, Any]]) -> str:
    """Return the data script of a page: its payloads, by the id of the element each mounts on.

    A lesson's interactive parts (quiz items with their feedback, a branching
    case, a transcript) weigh more than its prose, so the page ships its text
    first and ``site.js`` loads this script and ``curriculum.js`` when the
    browser is idle or a component comes near the screen.

    Every value is serialised by :func:`json.dumps` (with ``</`` and ``<!--``
    escaped), so nothing from a page or a content file is ever copied into the
    script as text.

    Parameters
    ----------
    payloads : Mapping[str, Mapping]
        Element id to payload, in page order.

    Returns
    -------
    str
        The script (empty when the page has no component).
    """
    if not payloads:
        return ""
    entries = ",\n".join(f"{json.dumps(dom_id)}:{_json_for_html(p)}" for dom_id, p in payloads.items())
    return (
        "window.CURRICULUM_PAYLOADS = Object.assign(window.CURRICULUM_PAYLOADS || {}, {\n"
        + entries
        + "\n});\n"
    )
