"""A page of the site: its body in the page template, with the sidebar, the pager and the policy."""

from __future__ import annotations

import jinja2
from markupsafe import Markup

from curriculum._version import __version__
from curriculum.project import SiteConfig, site_id
from curriculum.site._navigation import relative, sidebar_html
from curriculum.site._sources import Page

__all__ = ["CSP", "CSP_HEADER", "document"]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
"""The Content-Security-Policy of every page: nothing may load from another host."""
CSP_HEADER = f"{CSP}; frame-ancestors 'none'"
"""The same policy for a ``Content-Security-Policy`` response header (``curriculum serve``, a web server).

A header can carry what a ``<meta>`` policy cannot: ``frame-ancestors 'none'``
(no other site may show the pages in a frame). ``base-uri 'none'`` is in both.
"""
_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("curriculum.site", "templates"),
    autoescape=True,
    keep_trailing_newline=True,
)
"""The page template's environment (Jinja's own escaping; a page ends with a newline)."""


def document(
    config: SiteConfig,
    pages: dict[str, Page],
    page: Page,
    body: str,
    *,
    toc: str = "",
    prev: dict[str, str] | None = None,
    next: dict[str, str] | None = None,
    footer: str = "",
    description: str = "",
    interactive: bool = False,
    payloads: str = "",
) -> str:
    """Wrap a rendered page body in the site's page template."""
    rel = "../" * page.depth
    return _ENV.get_template("page.html.j2").render(
        lang="en",
        profile=config.profile,
        site=site_id(config.root),
        rel=rel,
        csp=CSP,
        version=__version__,
        title=page.title,
        site_title=config.title,
        description=description,
        subtitle=None,
        sidebar=_markup(sidebar_html(config.sidebar, pages, page)),
        body=_markup(body),
        toc=_markup(toc) if toc.strip() else "",
        prev=prev,
        next=next,
        footer=_markup(footer),
        about=_about(pages, page),
        bundle=f"{rel}assets/curriculum.js" if interactive else "",
        payloads=payloads,
    )


def _about(pages: dict[str, Page], current: Page) -> str | None:
    about = pages.get("about.qmd")
    return relative(current.output, about.output) if about else None


def _markup(text: str) -> Markup:
    return Markup(text)
