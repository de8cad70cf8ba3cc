"""Authored Markdown to safe HTML, with Pandoc-style citations.

Authored text is untrusted: Markdown is rendered by markdown-it with raw
HTML disabled, then sanitised by nh3 against a short allow-list, so a
``<script>``, an event handler or a ``javascript:`` link in any field never
reaches a page. Citations (``[@key]``, ``[@a; @b, p. 3]``, ``@key``) are
replaced by the same in-text forms the site's Pandoc build produces.
"""

from __future__ import annotations

import bisect
import html
import re

import nh3
from markdown_it import MarkdownIt

from curriculum.render._references import Citations

__all__ = ["Renderer", "sanitize"]

_TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "span",
    "sup",
    "sub",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
    "hr",
    "cite",
}
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
_GROUP = re.compile(r"\[([^\[\]]*+)\]")
"""A bracketed group; it is a citation group when it holds a key (:data:`_CITES`).

Matching the brackets first and looking for a key inside keeps the search linear: a lone ``[``
followed by thousands of ``@key`` is scanned once, not once per key."""
_CITES = re.compile(r"(?<![\w@])-?@[A-Za-z0-9_]")
_KEY = re.compile(r"(?<![\w@])(-?)@([A-Za-z0-9_][\w:.#$%&\-+?<>~/]*[\w])")
_CODE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`", re.DOTALL)
_TOKEN = "CURCITE{}X"
_TOKENS = re.compile(r"CURCITE(\d{1,9})X")


def sanitize(markup: str) -> str:
    """Return ``markup`` with everything outside the allow-list removed.

    Parameters
    ----------
    markup : str
        HTML from a renderer or from citeproc.

    Returns
    -------
    str
        Safe HTML: no scripts, event handlers, styles, frames or unsafe URLs.
    """
    return str(
        nh3.clean(
            markup,
            tags=_TAGS,
            attributes=_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer",
            allowed_classes={"span": {"cur-cite"}},
            filter_style_properties={"text-align"},
        )
    )


class Renderer:
    """Render authored Markdown to sanitised HTML.

    Parameters
    ----------
    citations : Citations | None
        Formatted citations; without them ``[@key]`` stays as written.
    """

    def __init__(self, citations: Citations | None) -> None:
        self.citations = citations
        self._md = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
            ["table", "strikethrough"]
        )

    def block(self, text: str) -> str:
        """Render Markdown paragraphs, lists and the like."""
        source, cites = self._extract(text)
        return self._finish(self._md.render(source), cites)

    def inline(self, text: str) -> str:
        """Render one line of Markdown without a paragraph around it."""
        source, cites = self._extract(text)
        return self._finish(self._md.renderInline(source), cites)

    def keys(self, text: str) -> list[str]:
        """Return the citation keys in ``text`` in order of first appearance."""
        masked = _CODE.sub(lambda m: " " * len(m.group()), text)
        seen: dict[str, None] = {}
        for match in _KEY.finditer(masked):
            seen.setdefault(match.group(2), None)
        return list(seen)

    def _extract(self, text: str) -> tuple[str, list[str]]:
        """Replace citations (outside code) by tokens; return the text and their HTML."""
        rendered: list[str] = []
        spans = [m.span() for m in _CODE.finditer(text)]
        starts = [a for a, _ in spans]

        def outside(pos: int) -> bool:  # spans are sorted and disjoint: one binary search
            i = bisect.bisect_right(starts, pos) - 1
            return i < 0 or pos >= spans[i][1]

        def group(match: re.Match[str]) -> str:
            if not outside(match.start()) or not _CITES.search(match.group(1)):
                return match.group()
            rendered.append(self._group_html(match.group(1)))
            return _TOKEN.format(len(rendered) - 1)

        def single(match: re.Match[str]) -> str:
            if not outside(match.start()) or match.group(1):
                return match.group()
            ref = self.citations.get(match.group(2)) if self.citations else None
            if ref is None:
                return match.group()
            rendered.append(
                f'<span class="cur-cite">{self._link(ref.key, html.escape(ref.narrative))}</span>'
            )
            return _TOKEN.format(len(rendered) - 1)

        text = _GROUP.sub(group, text)
        text = _KEY.sub(single, text)
        return text, rendered

    def _group_html(self, inner: str) -> str:
        parts = []
        for piece in inner.split(";"):
            match = _KEY.search(piece)
            if match is None:
                parts.append(html.escape(piece.strip()))
                continue
            prefix = piece[: match.start()].strip()
            locator = piece[match.end() :].strip().lstrip(",").strip()
            ref = self.citations.get(match.group(2)) if self.citations else None
            label = html.escape(ref.parenthetical if ref else f"@{match.group(2)}")
            if match.group(1) == "-" and ref:  # [-@key]: year only
                label = html.escape(ref.parenthetical.rsplit(" ", 1)[-1])
            text = (f"{html.escape(prefix)} " if prefix else "") + (
                self._link(match.group(2), label) if ref else label
            )
            parts.append(text + (f", {html.escape(locator)}" if locator else ""))
        return f'<span class="cur-cite">({"; ".join(parts)})</span>'

    @staticmethod
    def _link(key: str, label: str) -> str:
        return f'<a href="#ref-{html.escape(key, quote=True)}">{label}</a>'

    @staticmethod
    def _finish(markup: str, cites: list[str]) -> str:
        if cites:  # one pass over the markup, however many citations it holds
            markup = _TOKENS.sub(
                lambda m: cites[int(m.group(1))] if int(m.group(1)) < len(cites) else m.group(), markup
            )
        return sanitize(markup).strip()
