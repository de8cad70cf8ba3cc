"""Sidebar, previous/next links and relative URLs for each page.

The navigation is computed once from ``_quarto.yml``'s sidebar and each
page's title, then rendered per page (the current page is marked with
``aria-current``, links are relative so the site works from any folder and
from ``file://``).
"""

from __future__ import annotations

import html
import posixpath

from curriculum.site._config import NavEntry
from curriculum.site._sources import Page

__all__ = ["pager", "relative", "sidebar_html"]


def relative(from_output: str, to_output: str) -> str:
    """Return the relative URL from one output page to another."""
    start = posixpath.dirname(from_output) or "."
    return posixpath.relpath(to_output, start)


def sidebar_html(entries: list[NavEntry], pages: dict[str, Page], current: Page) -> str:
    """Return the sidebar as nested lists, with the current page marked."""

    def render(items: list[NavEntry] | tuple[NavEntry, ...]) -> str:
        out = []
        for entry in items:
            if entry.href is not None:
                page = pages.get(entry.href)
                if page is None:
                    continue
                label = html.escape(entry.text or page.title)
                mark = ' aria-current="page"' if page is current else ""
                out.append(
                    f'<li><a href="{html.escape(relative(current.output, page.output))}"{mark}>'
                    f"{label}</a></li>"
                )
            else:
                inner = render(entry.children)
                opened = any(pages.get(p) is current for p in entry.pages())
                out.append(
                    f'<li class="nav-section"><details{" open" if opened else ""}>'
                    f"<summary>{html.escape(entry.text or '')}</summary><ul>{inner}</ul></details></li>"
                )
        return "".join(out)

    return f"<ul>{render(entries)}</ul>"


def pager(order: list[Page], current: Page) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    """Return the previous and next pages of ``current`` in sidebar order."""
    if current not in order:
        return None, None
    i = order.index(current)

    def link(page: Page) -> dict[str, str]:
        return {"href": relative(current.output, page.output), "title": page.title}

    return (
        link(order[i - 1]) if i > 0 else None,
        link(order[i + 1]) if i + 1 < len(order) else None,
    )
