"""The website: pre-render, engines and the build, from the project's ``_quarto.yml``.

``curriculum build`` checks the content, writes the generated pages, then
renders with Quarto where it is installed or with the embedded Pandoc
everywhere else; both read the same ``_quarto.yml`` (:mod:`curriculum.project`)
and the same sources. An engine is anything with the :class:`Engine`
protocol; :data:`ENGINES` lists them in the order ``auto`` tries them.

Each name is imported on first use, so a build with nothing to do loads
only what tells it so (:mod:`._quick`).
"""

from __future__ import annotations

import importlib
import typing

if typing.TYPE_CHECKING:
    from curriculum.site._build import BuildResult, build_site, run_prerender
    from curriculum.site._check import check_output, check_project, check_site
    from curriculum.site._citeproc import format_references
    from curriculum.site._context import BuildContext, export_context, payload_builder
    from curriculum.site._engines import ENGINES, Engine, QuartoEngine, choose_engine, engine_names
    from curriculum.site._pandoc_engine import CSP, CSP_HEADER, PandocEngine
    from curriculum.site._quick import cached_check
    from curriculum.site._reader import write_reader_notebooks
    from curriculum.site._report import RenderStats
    from curriculum.site._serve import serve

__all__ = [
    "CSP",
    "CSP_HEADER",
    "ENGINES",
    "BuildContext",
    "BuildResult",
    "Engine",
    "PandocEngine",
    "QuartoEngine",
    "RenderStats",
    "build_site",
    "cached_check",
    "check_output",
    "check_project",
    "check_site",
    "choose_engine",
    "engine_names",
    "export_context",
    "format_references",
    "payload_builder",
    "run_prerender",
    "serve",
    "write_reader_notebooks",
]

_WHERE = {
    "BuildResult": "_build",
    "build_site": "_build",
    "run_prerender": "_build",
    "cached_check": "_quick",
    "check_output": "_check",
    "check_project": "_check",
    "check_site": "_check",
    "format_references": "_citeproc",
    "BuildContext": "_context",
    "export_context": "_context",
    "payload_builder": "_context",
    "ENGINES": "_engines",
    "Engine": "_engines",
    "QuartoEngine": "_engines",
    "choose_engine": "_engines",
    "engine_names": "_engines",
    "CSP": "_pandoc_engine",
    "CSP_HEADER": "_pandoc_engine",
    "PandocEngine": "_pandoc_engine",
    "RenderStats": "_report",
    "write_reader_notebooks": "_reader",
    "serve": "_serve",
}
"""The module of this package each public name comes from."""


def __getattr__(name: str) -> object:
    """Import a public name on first use."""
    if name not in _WHERE:
        raise AttributeError(f"module 'curriculum.site' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"curriculum.site.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
