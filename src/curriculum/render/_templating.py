"""The Jinja environments that write the package's HTML.

Every generated page and HTML snippet is a template: text is escaped by
default (autoescape), and only markup a renderer produced (sanitised
Markdown, another template's output: :class:`markupsafe.Markup`) goes in as
it is. Values are escaped as :func:`html.escape` escapes them (``&quot;``,
``&#x27;``), so a page written by a template is byte for byte the page the
package wrote before it had templates.
"""

from __future__ import annotations

import functools
import html
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:
    import jinja2

__all__ = ["html_templates", "package_templates"]


def _escaped(value: Any) -> Any:
    """Escape a value printed by ``{{ }}`` unless it is markup already."""
    if hasattr(value, "__html__"):
        return value
    return Markup(html.escape(str(value)))


@functools.cache
def html_templates(package: str) -> jinja2.Environment:
    """Return the environment of the HTML templates in ``<package>/templates``.

    Parameters
    ----------
    package : str
        A package of ``curriculum`` with a ``templates`` folder, e.g. ``curriculum.components``.

    Returns
    -------
    jinja2.Environment
        Autoescaping, strict about undefined names, with blocks that leave no blank lines.
    """
    import jinja2  # loaded with the first template: a lesson notebook may never need one

    return package_templates(
        package,
        autoescape=True,
        finalize=_escaped,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@functools.cache
def package_templates(package: str, **options: Any) -> jinja2.Environment:
    """Return an environment of the templates in ``<package>/templates``, their compiled code kept.

    Parameters
    ----------
    package : str
        A package of ``curriculum`` with a ``templates`` folder.
    **options : Any
        The :class:`jinja2.Environment`'s other keyword arguments (hashable:
        one environment is made for each package and options).

    Returns
    -------
    jinja2.Environment
        Its templates, once compiled, are kept between processes with the
        package's byte-code (:mod:`curriculum.render._bytecode`).
    """
    import jinja2

    from curriculum.render._bytecode import kept_bytecode

    return jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        bytecode_cache=kept_bytecode(package, options),
        **options,
    )
