"""The client-side search index, built from the rendered pages.

Quarto's search loads ``search.json`` with ``fetch``, which browsers refuse
on ``file://`` pages. Our index is a classic script (``search-index.js``)
that sets one global; the search box loads it on first use, so pages stay
light and search works from a zip on disk. Only prose is indexed: component
payloads are skipped, so no quiz answer can be found by searching.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import ClassVar

__all__ = ["SearchEntry", "index_script", "page_sections"]

SearchEntry = dict[str, str]


_BLOCKS = frozenset(
    {
        "p",
        "li",
        "div",
        "section",
        "br",
        "td",
        "th",
        "tr",
        "blockquote",
        "pre",
        "h4",
        "h5",
        "h6",
        "dt",
        "dd",
        "figcaption",
        "caption",
        "table",
        "ul",
        "ol",
    }
)
"""Elements whose edges separate words; inline ones (links, emphasis) do not."""


class _Sections(HTMLParser):
    """Split a page body into (heading id, heading, text) sections, skipping widgets and scripts."""

    SKIP_TAGS: ClassVar[frozenset[str]] = frozenset({"script", "style", "nav", "noscript", "template"})
    SKIP_CLASSES: ClassVar[frozenset[str]] = frozenset({"cur-widget", "cur-handout"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[list[str]] = [["", "", ""]]
        self._skip_tag: str | None = None
        self._skip_depth = 0
        self._heading: str | None = None
        self._heading_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_tag is not None:
            self._skip_depth += tag == self._skip_tag
            return
        classes = set((dict(attrs).get("class") or "").split())
        if tag in self.SKIP_TAGS or classes & self.SKIP_CLASSES:
            self._skip_tag, self._skip_depth = tag, 1
            return
        if tag in _BLOCKS:
            self.sections[-1][2] += " "
        if tag in ("h2", "h3"):
            self._heading = dict(attrs).get("id") or ""
            self._heading_text = []

    def handle_endtag(self, tag: str) -> None:
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth -= 1
                if self._skip_depth == 0:
                    self._skip_tag = None
            return
        if tag in _BLOCKS:
            self.sections[-1][2] += " "
        if tag in ("h2", "h3") and self._heading is not None:
            self.sections.append([self._heading, " ".join("".join(self._heading_text).split()), ""])
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._skip_tag is not None:
            return
        if self._heading is not None:
            self._heading_text.append(data)
        else:
            self.sections[-1][2] += data


def page_sections(body: str) -> list[tuple[str, str, str]]:
    """Return ``(anchor, heading, text)`` for each section of a rendered page body."""
    parser = _Sections()
    parser.feed(body)
    parser.close()
    return [(a, h, " ".join(t.split())) for a, h, t in parser.sections if h or t.strip()]


def index_script(entries: list[SearchEntry]) -> str:
    """Return ``search-index.js``: the entries as one global, safe to load with a classic script."""
    text = json.dumps(entries, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    text = re.sub(r"</", r"<\\/", text)
    return f"window.CURRICULUM_SEARCH = {text};\n"
