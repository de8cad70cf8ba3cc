"""The static host's HTML fragment for one component.

When a notebook runs for the site, each component call returns a small
``text/html`` fragment: a container, the payload as inert JSON, and a
``<noscript>`` note. The page's ``curriculum.js`` mounts it. For renders that
do not use our page template (Quarto), the first fragment of a notebook also
is styled and mounted by the same two assets, which the site build adds to
every page (Quarto through ``include-after-body``).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

__all__ = ["static_fragment"]

_NOSCRIPT = {
    "quiz": "This quiz needs JavaScript, which is turned off in this browser.",
    "vignette": "This case vignette needs JavaScript, which is turned off in this browser.",
    "spotter": "This exercise needs JavaScript, which is turned off in this browser.",
    "worksheet": "This worksheet needs JavaScript, which is turned off in this browser.",
}


def _json_for_html(payload: dict[str, Any]) -> str:
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


def static_fragment(payload: dict[str, Any]) -> str:
    """Return the HTML fragment that the static host mounts.

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
        f'<div class="cur-widget" data-component="{html.escape(component, quote=True)}" '
        f'id="{html.escape(_dom_id(payload["key"]), quote=True)}">'
        f'<script type="application/json" class="cur-payload">{_json_for_html(payload)}</script>'
        f"<noscript><p>{_NOSCRIPT.get(component, 'This part needs JavaScript.')}</p></noscript></div>"
    )
