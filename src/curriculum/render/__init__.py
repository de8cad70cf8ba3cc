"""Renderers: pure functions from content models to HTML, component payloads and generated pages.

Renderers never read files, run programs or display anything; they take
validated models (and formatted references as plain data) and return
strings and JSON-ready data for the hosts and the build.
"""

from curriculum.render._markdown import Renderer, sanitize
from curriculum.render._pages import (
    GeneratedPage,
    Origin,
    PageWriter,
    Piece,
    Where,
    placed,
    raw_html,
    reference_list,
)
from curriculum.render._payloads import PLACES, PayloadBuilder, Profile, without_verdict
from curriculum.render._references import FormattedReference
from curriculum.render._templating import html_templates, package_templates

__all__ = [
    "PLACES",
    "FormattedReference",
    "GeneratedPage",
    "Origin",
    "PageWriter",
    "PayloadBuilder",
    "Piece",
    "Profile",
    "Renderer",
    "Where",
    "html_templates",
    "package_templates",
    "placed",
    "raw_html",
    "reference_list",
    "sanitize",
    "without_verdict",
]
