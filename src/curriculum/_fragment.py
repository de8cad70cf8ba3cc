"""The static host's HTML fragment for one component.

When a notebook runs for the site, each component call returns a small
``text/html`` fragment: a container, the payload as inert JSON, and a
``<noscript>`` note. The page's ``curriculum.js`` mounts it; the site build
adds that script and the stylesheet to every page (Quarto through
``include-after-body``). :func:`defer_payloads`, which the Pandoc engine
uses to ship a page's text first, reads this same markup, so the format is
defined in one place.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

__all__ = ["defer_payloads", "fragment_payloads", "static_fragment"]

_NOSCRIPT = {
    "quiz": "This quiz needs JavaScript, which is turned off in this browser.",
    "vignette": "This case vignette needs JavaScript, which is turned off in this browser.",
    "spotter": "This exercise needs JavaScript, which is turned off in this browser.",
    "worksheet": "This worksheet needs JavaScript, which is turned off in this browser.",
}


_PAYLOAD_TAG = '<script type="application/json" class="cur-payload">'


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
        f"{_PAYLOAD_TAG}{_json_for_html(payload)}</script>"
        f"<noscript><p>{_NOSCRIPT.get(component, 'This part needs JavaScript.')}</p></noscript></div>"
    )


_WIDGET_PAYLOAD = re.compile(
    r'(<div class="cur-widget" data-component="[^"]*" id="([^"]+)")>'
    + re.escape(_PAYLOAD_TAG)
    + r"(.*?)</script>",
    re.DOTALL,
)


def defer_payloads(body: str) -> tuple[str, str]:
    """Move the components' payloads out of a page body into a script loaded after the text.

    A lesson's interactive parts (quiz items with their feedback, a branching
    case, a transcript) weigh more than its prose. The page ships its text
    first; ``site.js`` then loads the payloads and ``curriculum.js`` as soon as
    the browser is idle or a component comes near the screen, so reading can
    start at once and a resident who only reads never parses them.

    Parameters
    ----------
    body : str
        The page body, with the static fragments as built.

    Returns
    -------
    tuple[str, str]
        The body without inline payloads, and the script that registers them
        (empty when the page has no component).
    """
    payloads: list[str] = []

    def move(match: re.Match[str]) -> str:
        payloads.append(f"{json.dumps(match.group(2))}:{match.group(3)}")
        return f'{match.group(1)} data-payload="deferred">'

    body = _WIDGET_PAYLOAD.sub(move, body)
    if not payloads:
        return body, ""
    script = (
        "window.CURRICULUM_PAYLOADS = Object.assign(window.CURRICULUM_PAYLOADS || {}, {\n"
        + ",\n".join(payloads)
        + "\n});\n"
    )
    return body, script


def fragment_payloads(body: str) -> list[dict[str, Any]]:
    """Return the payloads of the components in a page body (before :func:`defer_payloads`)."""
    return [json.loads(match.group(3)) for match in _WIDGET_PAYLOAD.finditer(body)]
