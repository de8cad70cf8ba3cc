"""Generated pages: Markdown documents that keep, for each piece, the authored place it comes from.

The build generates pages from the content (a page per quiz, the case library).
Pandoc renders them like any page, so when Pandoc reports a problem at a line
of a generated page, the build must name the author's file and line instead:
a :class:`PageWriter` records, piece by piece, which authored place each part
of the text comes from (:meth:`GeneratedPage.locate`).

Front matter is written by a YAML serialiser, and authored HTML (already
rendered and sanitised) goes into raw blocks that no text inside can close
(:func:`raw_html`), so nothing authored becomes Markdown.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import yaml
from markupsafe import Markup

from curriculum.render._markdown import Renderer, sanitize
from curriculum.render._templating import html_templates

__all__ = ["GeneratedPage", "Origin", "PageWriter", "Piece", "Where", "placed", "raw_html", "reference_list"]

Origin = tuple[str, tuple[int, int]]
"""An authored file (as diagnostics show it) and a 1-based line and column in it."""
Where = Origin | Callable[[], Origin]
"""An authored place, or how to find it (places are decoded on demand: a page asks only on a problem)."""
Piece = str | tuple[str, Where | None]
"""Text of a generated page, from the package (a plain string) or from an authored place."""
Shown = tuple[str, str, tuple[str, ...]]
"""A component a generated page shows: its raw HTML block, its kind and its call's arguments."""


@dataclass
class GeneratedPage:
    """A page the pre-render writes, and where its text comes from.

    Attributes
    ----------
    text : str
        The page's Markdown.
    origins : list[tuple[int, Where | None]]
        From which character of ``text`` on the text comes from which authored
        place (None: the package's own words), in order; see :meth:`locate`.
    components : list[tuple[str, str, tuple[str, ...]]]
        Each component the page shows: the raw HTML block that shows it, its
        kind and its arguments (the Pandoc engine puts its own mount in that
        block's place).
    """

    text: str
    origins: list[tuple[int, Where | None]] = field(default_factory=list)
    components: list[Shown] = field(default_factory=list)

    def locate(self, line: int, col: int = 1) -> Origin | None:
        """Return the authored place that line ``line``, column ``col`` of the text comes from."""
        offset = sum(len(text) + 1 for text in self.text.split("\n")[: max(line - 1, 0)]) + max(col - 1, 0)
        index = bisect.bisect_right([start for start, _ in self.origins], offset) - 1
        return placed(self.origins[index][1]) if index >= 0 else None


def placed(where: Where | None) -> Origin | None:
    """Return the authored place ``where`` names (looking it up if it says how)."""
    return where() if callable(where) else where


class PageWriter:
    """Write a generated page part by part, keeping the authored place of each piece.

    Parameters
    ----------
    title : str
        The page's title (its front matter).
    origin : Where | None
        Where the title comes from.
    """

    def __init__(self, title: str, origin: Where | None = None) -> None:
        self._page = GeneratedPage("")
        self._chunks: list[str] = []
        self._size = 0
        front = yaml.safe_dump({"title": title}, allow_unicode=True, default_style='"', width=1 << 30)
        self.markdown((f"---\n{front}---", origin))

    def _emit(self, piece: Piece) -> None:
        text, origin = (piece, None) if isinstance(piece, str) else piece
        if not self._page.origins or self._page.origins[-1][1] != origin:
            self._page.origins.append((self._size, origin))
        self._chunks.append(text)
        self._size += len(text)

    def _separate(self) -> None:
        if self._chunks:
            self._emit("\n\n")

    def markdown(self, *pieces: Piece) -> None:
        """Add a part written in Markdown (only the package's own Markdown goes here)."""
        self._separate()
        for piece in pieces:
            self._emit(piece)

    def raw(self, *pieces: Piece) -> str:
        """Add a raw HTML block made of ``pieces``; return the block."""
        markup = "".join(p if isinstance(p, str) else p[0] for p in pieces)
        fence = raw_html(markup).split("{", 1)[0]
        self._separate()
        self._emit(f"{fence}{{=html}}\n")
        for piece in pieces:
            self._emit(piece)
        self._emit(f"\n{fence}")
        return f"{fence}{{=html}}\n{markup}\n{fence}"

    def component(self, kind: str, args: tuple[str, ...], markup: str, origin: Where | None) -> None:
        """Add a component's markup (for Quarto, its static fragment) in a block of its own."""
        block = self.raw((markup, origin))
        self._page.components.append((block, kind, args))

    def finish(self) -> GeneratedPage:
        """Return the page."""
        self._page.text = "".join(self._chunks) + "\n"
        return self._page


def raw_html(markup: str) -> str:
    """Return ``markup`` as a Pandoc raw HTML block that nothing inside it can close.

    The fence is longer than any run of backticks in ``markup``, so no line of
    it can end the block and turn the rest into Markdown.
    """
    fence = "`" * max(3, _longest_backticks(markup) + 1)
    return f"{fence}{{=html}}\n{markup}\n{fence}"


def _longest_backticks(text: str) -> int:
    runs = re.findall(r"`+", text)
    return max((len(r) for r in runs), default=0)


def reference_list(renderer: Renderer, texts: Iterable[str]) -> str:
    """Return a reference list for the citations in ``texts``, to follow raw HTML that cites.

    Pandoc's citeproc does not see citations inside raw HTML, so a page that
    shows rendered Markdown as raw HTML adds this list itself: every cited key
    the bibliography has, ordered by its formatted entry (empty when there is none).
    """
    keys = list(dict.fromkeys(k for text in texts for k in renderer.keys(text)))
    found = [(key, renderer.reference(key)) for key in keys]
    entries = sorted((ref.html, key) for key, ref in found if ref is not None)
    if not entries:
        return ""
    template = html_templates("curriculum.render").get_template("references.html.j2")
    return template.render(entries=[(key, Markup(sanitize(entry))) for entry, key in entries])
