"""Renderers: pure functions from content models to HTML and component payloads.

Renderers never read content files and never display anything; they take
validated models and return strings and JSON-ready data for the hosts.
"""

from curriculum.render._markdown import Renderer, sanitize
from curriculum.render._payloads import PLACES, PayloadBuilder, Profile
from curriculum.render._references import Citations, FormattedReference, cache_dir

__all__ = [
    "PLACES",
    "Citations",
    "FormattedReference",
    "PayloadBuilder",
    "Profile",
    "Renderer",
    "cache_dir",
    "sanitize",
]
