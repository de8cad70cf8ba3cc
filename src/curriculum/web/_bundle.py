"""Link the component modules for each host, without a bundler.

Two text rules, enforced by tests on our own files, make this safe: a
component's only import is ``import { ... } from "./core.js";`` and its last
statement is ``export default { ... };``. For anywidget the core's text is
placed before the component (with the import line dropped); for the static
site everything goes into one function scope, with ``export default``
turned into ``return`` so each component is a value registered with the
host.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

__all__ = ["COMPONENTS", "classic_bundle", "component_esm", "stylesheet"]

COMPONENTS = ("quiz", "vignette", "spotter", "worksheet")
"""The components, each a module ``<name>.js`` in this package."""

_IMPORT = re.compile(r'^import\s*\{[^}]*\}\s*from\s*"\./core\.js";\s*$', re.MULTILINE)
_EXPORT = re.compile(r"^export\s+(?=(?:async\s+)?function|const|let|class)", re.MULTILINE)
_DEFAULT = re.compile(r"^export\s+default\s+", re.MULTILINE)


def _read(name: str) -> str:
    return resources.files("curriculum.web").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def component_esm(name: str) -> str:
    """Return the ES module text anywidget loads for component ``name``.

    Parameters
    ----------
    name : str
        One of :data:`COMPONENTS`.

    Returns
    -------
    str
        ``core.js`` (its exports made local) followed by the component.
    """
    if name not in COMPONENTS:
        raise ValueError(f"unknown component {name!r}; components are {', '.join(COMPONENTS)}")
    core = _EXPORT.sub("", _read("core.js"))
    return f"{core}\n// ---- {name}.js\n{_IMPORT.sub('', _read(f'{name}.js'))}"


@functools.cache
def classic_bundle() -> str:
    """Return ``curriculum.js``: core, every component and the static host in one classic script.

    Returns
    -------
    str
        A script that defines ``window.Curriculum`` and mounts every
        ``.cur-widget`` on the page.
    """
    parts = [
        '(function () {\n"use strict";',
        _EXPORT.sub("", _read("core.js")),
        "const COMPONENTS = {};",
    ]
    for name in COMPONENTS:
        body = _DEFAULT.sub("return ", _IMPORT.sub("", _read(f"{name}.js")))
        parts.append(f"COMPONENTS[{name!r}] = (function () {{\n{body}\n}})();")
    parts += [_read("host.js"), "})();"]
    return "\n".join(parts)


@functools.cache
def stylesheet() -> str:
    """Return ``curriculum.css``, shared by both hosts."""
    return _read("curriculum.css")
