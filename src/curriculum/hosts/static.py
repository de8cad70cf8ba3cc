"""What a page shows for one component: a reference to it, and the markup that mounts it.

A component call in a notebook rendered for the site (``curriculum.quiz("x")``)
displays one of two things:

- when our build executes the notebook, a :class:`~curriculum.components.Mount`, in its
  own MIME type (:data:`MOUNT_MIME`): which component, with which arguments.
  It is a reference, not data, so the stored outputs (``_freeze/``) never go
  stale when the content changes. The Pandoc
  engine reads it from the executed notebook, builds the payload from the
  content files at render time with the same :class:`~curriculum.render.PayloadBuilder`,
  writes it to the page's data script with :func:`payload_script` (``json.dumps``,
  never text copied from a page), and puts its own :func:`mount_element` in
  the page. Only the build creates mounts: component markup that arrives any
  other way (a Markdown cell, raw HTML, another output) is removed by the
  engine's filter.
- when Quarto renders it, the :func:`static_fragment` (``text/html``): a
  container, the payload as inert JSON, and a ``<noscript>`` note, which Quarto
  places in the page as it is. The page's ``curriculum.js`` mounts it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from curriculum.components import COMPONENTS, Mount, dom_id
from curriculum.content import (
    COMPETENCY_DOMAINS,
    NOTES_FOLDER,
    Curriculum,
    competency_domain,
    competency_name,
)
from curriculum.render import html_templates

__all__ = [
    "MOUNT_MIME",
    "OVERVIEW_MIME",
    "mount_element",
    "overview_markup",
    "payload_script",
    "static_fragment",
]

MOUNT_MIME = "application/vnd.curriculum.mount+json"
"""The MIME type of a component reference (a :class:`~curriculum.components.Mount`) in a notebook output."""
OVERVIEW_MIME = "application/vnd.curriculum.overview+json"
"""The MIME type of a lesson overview's reference (``{"lesson": id}``) in a notebook output."""


def _json_for_html(payload: Mapping[str, Any]) -> str:
    """JSON that cannot end its ``<script>`` element.

    Inside a script element only ``</`` (an end tag) and ``<!--`` (which
    changes how the parser looks for the end tag) are dangerous; both are
    escaped in a way JSON still reads as the same text. Escaping every ``<``
    would make the payloads, which are mostly HTML, a tenth larger.
    """
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("</", "<\\/").replace("<!--", "\\u003c!--")


def _container(component: str, key: str, payload: Mapping[str, Any] | None = None) -> str:
    spec = COMPONENTS.get(component)
    note = (
        f"This {spec.noun} needs JavaScript, which is turned off in this browser."
        if spec
        else "This part needs JavaScript."
    )
    macros: Any = html_templates("curriculum.hosts").get_template("static.html.j2").module
    inline = Markup(_json_for_html(payload)) if payload is not None else None
    return str(macros.container(component, dom_id(key), note, inline))


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
    return _container(payload["component"], payload["key"], payload)


def mount_element(mount: Mount) -> str:
    """Return the element a page built by the Pandoc engine mounts ``mount`` on.

    Its payload is in the page's data script (:func:`payload_script`), under the element's id.
    """
    return _container(mount.component, mount.key)


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


def overview_markup(cur: Curriculum, lesson_id: str, profile: str, *, live: bool = False) -> str | None:
    """Return the HTML of a lesson's overview, or None when there is no such lesson.

    Parameters
    ----------
    cur : Curriculum
        The loaded curriculum.
    lesson_id : str
        The lesson id.
    profile : str
        ``faculty`` links to the lesson's facilitator notes.
    live : bool
        Link to notebooks and notes as files (JupyterLab) rather than to the site's pages.
    """
    doc = cur.lessons.get(lesson_id)
    if doc is None:
        return None
    fm = doc.model
    suffix = ".ipynb" if live else ".html"
    domains = {competency_domain(c) for o in fm.objectives for c in o.competencies}
    notes = None
    if lesson_id in cur.notes and profile == "faculty":
        notes = f"../{NOTES_FOLDER}/{lesson_id}{'.qmd' if live else '.html'}"
    return str(
        html_templates("curriculum.hosts")
        .get_template("overview.html.j2")
        .render(
            duration=fm.duration,
            prerequisites=[
                {"href": f"{p}{suffix}", "title": _lesson_title(cur, p)} for p in fm.prerequisites
            ],
            objectives=[
                {"text": o.text, "competencies": [(c, competency_name(c)) for c in o.competencies]}
                for o in fm.objectives
            ],
            legend="; ".join(f"{d} {name}" for d, name in COMPETENCY_DOMAINS.items() if d in domains),
            notes=notes,
        )
    )


def _lesson_title(cur: Curriculum, lesson_id: str) -> str:
    doc = cur.lessons.get(lesson_id)
    return str(doc.model.title) if doc else lesson_id
