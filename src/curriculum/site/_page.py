"""A page of the site: its body in the page template, with the sidebar, the pager and the policy."""

from __future__ import annotations

from markupsafe import Markup

from curriculum._version import __version__
from curriculum.project import SiteConfig, site_id
from curriculum.render import package_templates
from curriculum.site._navigation import relative, sidebar_html
from curriculum.site._policy import CSP, CSP_HEADER
from curriculum.site._sources import Page

__all__ = ["CSP", "CSP_HEADER", "document"]

_ENV = package_templates("curriculum.site", autoescape=True, keep_trailing_newline=True)
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
