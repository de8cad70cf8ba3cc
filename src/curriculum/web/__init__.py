"""Browser side: one ES module per component, the static host, and the styles.

The modules are written once and served to both hosts: anywidget gets each
component as an ES module (with ``core.js`` inlined); the static site gets
one classic script that wraps them all, because browsers refuse module
imports from ``file://`` pages. :mod:`._bundle` does that linking with two
plain text rules, so no bundler or Node.js toolchain is involved.
"""

from curriculum.web._bundle import COMPONENTS, classic_bundle, component_esm, stylesheet

__all__ = ["COMPONENTS", "classic_bundle", "component_esm", "stylesheet"]
