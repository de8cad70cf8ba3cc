"""Sidebar, previous/next links and relative URLs for each page.

The navigation is computed once from ``_quarto.yml``'s sidebar and each
page's title, then rendered per page (the current page is marked with
``aria-current``, links are relative so the site works from any folder and
from ``file://``).
"""

from __future__ import annotations

import posixpath
from typing import Any

from curriculum.project import NavEntry
from curriculum.render import html_templates
from curriculum.site._sources import Page

__all__ = ["Pager", "relative", "sidebar_html"]


def relative(from_output: str, to_output: str) -> str:
    """Return the relative URL from one output page to another."""
    start = posixpath.dirname(from_output) or "."
    return posixpath.relpath(to_output, start)


def sidebar_html(entries: list[NavEntry], pages: dict[str, Page], current: Page) -> str:
    """Return the sidebar as nested lists, with the current page marked."""

    def items(entries: list[NavEntry] | tuple[NavEntry, ...]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for entry in entries:
            if entry.href is None:
                opened = any(pages.get(p) is current for p in entry.pages())
                out.append({"text": entry.text or "", "open": opened, "children": items(entry.children)})
            elif (page := pages.get(entry.href)) is not None:
                href = relative(current.output, page.output)
                out.append({"text": entry.text or page.title, "href": href, "current": page is current})
        return out

    return html_templates("curriculum.site").get_template("sidebar.html.j2").render(items=items(entries))


class Pager:
    """The previous and next pages of each page in sidebar order.

    Each page's place is looked up once, in a table made with the pager (the
    wrap stage asks for every page: a search of the order for each would grow
    with the square of the number of pages).

    Parameters
    ----------
    order : list[Page]
        The pages in sidebar order (a page listed twice is placed where it first is).
    """

    def __init__(self, order: list[Page]) -> None:
        self._order = order
        self._at: dict[Page, int] = {}
        for i, page in enumerate(order):
            self._at.setdefault(page, i)

    def around(self, current: Page) -> tuple[dict[str, str] | None, dict[str, str] | None]:
        """Return the links to the pages before and after ``current`` (None: none, or it is not listed)."""
        i = self._at.get(current)
        if i is None:
            return None, None

        def link(page: Page) -> dict[str, str]:
            return {"href": relative(current.output, page.output), "title": page.title}

        order = self._order
        return (
            link(order[i - 1]) if i > 0 else None,
            link(order[i + 1]) if i + 1 < len(order) else None,
        )
