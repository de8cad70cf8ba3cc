"""The scripts and stylesheets every published page loads, minified once.

The sources in ``curriculum/web`` and ``site/resources`` stay readable, with
their comments; the site ships them minified (rjsmin and rcssmin strip
comments and white space and nothing else, so behaviour cannot change),
which takes a third off what a resident's phone downloads.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import rcssmin
import rjsmin

from curriculum.web import classic_bundle, stylesheet

__all__ = ["resource", "site_assets"]


def resource(name: str) -> Path:
    """Return the path of a file in ``site/resources`` (filters, templates, scripts, styles)."""
    return Path(str(resources.files("curriculum.site").joinpath("resources", name)))


@functools.cache
def site_assets() -> dict[str, str]:
    """Return the published assets by their path in the site, minified.

    Returns
    -------
    dict[str, str]
        ``assets/curriculum.js``, ``assets/curriculum.css`` (the components)
        and ``assets/site.js``, ``assets/site.css`` (the site's layout).
    """
    return {
        "assets/curriculum.js": rjsmin.jsmin(classic_bundle()),
        "assets/curriculum.css": rcssmin.cssmin(stylesheet()),
        "assets/site.js": rjsmin.jsmin(resource("site.js").read_text(encoding="utf-8")),
        "assets/site.css": rcssmin.cssmin(resource("site.css").read_text(encoding="utf-8")),
    }
