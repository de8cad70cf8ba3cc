"""Authored Markdown to safe HTML, with Pandoc-style citations.

Authored text is untrusted: Markdown is rendered by markdown-it with raw
HTML disabled, then sanitised by nh3 against a short allow-list, so a
``<script>``, an event handler or a ``javascript:`` link in any field never
reaches a page. Citations (``[@key]``, ``[@a; @b, p. 3]``, ``@key``) are
replaced by the same in-text forms the site's Pandoc build produces.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable, Mapping

import nh3
from markdown_it import MarkdownIt

from curriculum._memo import Memo, text_value
from curriculum.content import CITATION, GROUP, STARTS_CITATION, citation_keys, masked
from curriculum.render._references import FormattedReference

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
_TOKEN = "CURCITE{}X"
_TOKENS = re.compile(r"CURCITE(\d{1,9})X")


_RENDERED = Memo[str]("render.markdown", 1, str, text_value)
"""What each text rendered to, across builds (keyed also by the references and ``cite_links``)."""


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

    A renderer is a pure function of its input: it reads no file and runs no
    program. The formatted references come in as plain data (the build and the
    notebook session ask Pandoc's citeproc for them once; see
    :func:`curriculum.site.format_references`).

    Parameters
    ----------
    references : Mapping[str, FormattedReference] | None
        Each citation key's formatted forms; without them ``[@key]`` stays as written.
    cite_links : bool
        Link each citation to its entry in the page's reference list (``#ref-<key>``);
        False writes citations as text only, for a file read outside the site (an export).
    """

    def __init__(
        self, references: Mapping[str, FormattedReference] | None = None, *, cite_links: bool = True
    ) -> None:
        self.references: Mapping[str, FormattedReference] = references or {}
        self.cite_links = cite_links
        self._md = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
            ["table", "strikethrough"]
        )
        self._rendered: dict[tuple[bool, str], str] = {}
        """What each text rendered to: a build shows most texts on two pages (a lesson and a quiz page)."""
        self._context: str | None = None
        self._keys: dict[str, list[str]] = {}

    def reference(self, key: str) -> FormattedReference | None:
        """Return the formatted forms of ``key``, or None if the bibliography does not have it."""
        return self.references.get(key)

    def block(self, text: str) -> str:
        """Render Markdown paragraphs, lists and the like."""
        return self._render(text, inline=False)

    def inline(self, text: str) -> str:
        """Render one line of Markdown without a paragraph around it."""
        return self._render(text, inline=True)

    def _render(self, text: str, *, inline: bool) -> str:
        """Render ``text`` once per renderer, and once per change across builds (see :mod:`curriculum._memo`).

        The output is a pure function of the text, ``inline``, the formatted
        references and ``cite_links``: they all key the memo.
        """
        done = self._rendered.get((inline, text))
        if done is None:
            if self._context is None:
                table = sorted((k, r.key, r.parenthetical, r.narrative) for k, r in self.references.items())
                self._context = hashlib.sha256(json.dumps([self.cite_links, table]).encode()).hexdigest()
            context = f"{'inline' if inline else 'block'}:{self._context}"
            done = _RENDERED.get(text, lambda: self._render_now(text, inline=inline), context=context)
            self._rendered[(inline, text)] = done
        return done

    def _render_now(self, text: str, *, inline: bool) -> str:
        """Render ``text``: citations to tokens, Markdown to HTML, tokens to citations, then sanitise."""
        source, cites = self._extract(text)
        html = self._md.renderInline(source) if inline else self._md.render(source)
        return self._finish(html, cites)

    def keys(self, text: str) -> list[str]:
        """Return the citation keys in ``text`` in order of first appearance (once per text)."""
        found = self._keys.get(text)
        if found is None:
            found = self._keys[text] = citation_keys(text)
        return list(found)

    def _extract(self, text: str) -> tuple[str, list[str]]:
        """Replace citations (outside code and link targets) by tokens; return the text and their HTML."""
        rendered: list[str] = []

        def group(source: str, match: re.Match[str]) -> str | None:
            if not STARTS_CITATION.search(match.group(1)):
                return None
            rendered.append(self._group_html(source[match.start(1) : match.end(1)]))
            return _TOKEN.format(len(rendered) - 1)

        def single(_source: str, match: re.Match[str]) -> str | None:
            ref = None if match.group(1) else self.reference(match.group(2))
            if ref is None:
                return None
            rendered.append(
                f'<span class="cur-cite">{self._link(ref.key, html.escape(ref.narrative))}</span>'
            )
            return _TOKEN.format(len(rendered) - 1)

        text = _splice(text, GROUP, group)
        text = _splice(text, CITATION, single)
        return text, rendered

    def _group_html(self, inner: str) -> str:
        parts = []
        for piece in inner.split(";"):
            match = CITATION.search(piece)
            if match is None:
                parts.append(html.escape(piece.strip()))
                continue
            prefix = piece[: match.start()].strip()
            locator = piece[match.end() :].strip().lstrip(",").strip()
            ref = self.reference(match.group(2))
            label = html.escape(ref.parenthetical if ref else f"@{match.group(2)}")
            if match.group(1) == "-" and ref:  # [-@key]: year only
                label = html.escape(ref.parenthetical.rsplit(" ", 1)[-1])
            text = (f"{html.escape(prefix)} " if prefix else "") + (
                self._link(match.group(2), label) if ref else label
            )
            parts.append(text + (f", {html.escape(locator)}" if locator else ""))
        return f'<span class="cur-cite">({"; ".join(parts)})</span>'

    def _link(self, key: str, label: str) -> str:
        if not self.cite_links:
            return label
        return f'<a href="#ref-{html.escape(key, quote=True)}">{label}</a>'

    @staticmethod
    def _finish(markup: str, cites: list[str]) -> str:
        if cites:  # one pass over the markup, however many citations it holds
            markup = _TOKENS.sub(
                lambda m: cites[int(m.group(1))] if int(m.group(1)) < len(cites) else m.group(), markup
            )
        return sanitize(markup).strip()


def _splice(text: str, pattern: re.Pattern[str], replace: Callable[[str, re.Match[str]], str | None]) -> str:
    """Replace what ``pattern`` finds outside code and link targets; ``replace`` returning None keeps it."""
    out: list[str] = []
    last = 0
    for match in pattern.finditer(masked(text)):
        new = replace(text, match)
        if new is not None:
            out += [text[last : match.start()], new]
            last = match.end()
    out.append(text[last:])
    return "".join(out)
