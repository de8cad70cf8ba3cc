"""The scripts and stylesheets every published page loads.

Stylesheets are minified with rcssmin (comments and white space only; CSS
strings are kept). Scripts are published as written: the JavaScript
minifier we used (rjsmin) does not understand nested template literals and
dropped the spaces inside them ("Label the 13marked turns"), and no
well-kept JavaScript minifier installs from PyPI on every platform we
support without a toolchain. A compressing server sends the readable
scripts at about a quarter of their size (``benchmarks/`` reports both).
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import rcssmin

from curriculum.web import classic_bundle, classic_script, stylesheet

__all__ = ["SITE_MODULES", "resource", "site_assets", "site_script"]

SITE_MODULES = ("search", "site")
"""The modules of the site's ``site.js`` in ``resources``, in link order (``main.js`` is its frame)."""


def resource(name: str) -> Path:
    """Return the path of a file in ``site/resources`` (filters, templates, scripts, styles)."""
    return Path(str(resources.files("curriculum.site").joinpath("resources", name)))


def site_script() -> str:
    """Return the site's ``site.js``: search, menu, table of contents, filters, lazy loading."""
    return classic_script(resource(""), SITE_MODULES, "main")


@functools.cache
def site_assets() -> dict[str, str]:
    """Return the published assets by their path in the site (stylesheets minified).

    Returns
    -------
    dict[str, str]
        ``assets/curriculum.js``, ``assets/curriculum.css`` (the components)
        and ``assets/site.js``, ``assets/site.css`` (the site's layout).
    """
    return {
        "assets/curriculum.js": classic_bundle(),
        "assets/curriculum.css": rcssmin.cssmin(stylesheet()),
        "assets/site.js": site_script(),
        "assets/site.css": rcssmin.cssmin(resource("site.css").read_text(encoding="utf-8")),
    }
