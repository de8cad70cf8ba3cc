"""Browser side: one ES module per component, the hosts' modules, and the styles.

The modules are written once and served to both hosts: anywidget gets each
component as one ES module (with the shared modules it imports and the live
host's ``live.js``); the static site gets one classic script that wraps them
all, because browsers refuse module imports from ``file://`` pages.
:mod:`._bundle` does that linking from ordered lists of modules, with plain
text rules it checks, so no bundler or Node.js toolchain is involved at run
time (Node runs only the development tools: ESLint, ``tsc``, ``node --test``).
"""

from curriculum.web._bundle import (
    SHARED,
    STATIC_HOST,
    classic_bundle,
    classic_script,
    component_esm,
    component_kinds,
    component_modules,
    live_esm,
    sources,
    stylesheet,
)
from curriculum.web._hot import hot_reload, live_module

__all__ = [
    "SHARED",
    "STATIC_HOST",
    "classic_bundle",
    "classic_script",
    "component_esm",
    "component_kinds",
    "component_modules",
    "hot_reload",
    "live_esm",
    "live_module",
    "sources",
    "stylesheet",
]
