"""The website: pre-render, engines and the build, from the project's ``_quarto.yml``.

``curriculum build`` checks the content, writes the generated pages, then
renders with Quarto where it is installed or with the embedded Pandoc
everywhere else; both read the same ``_quarto.yml`` (:mod:`curriculum.project`)
and the same sources. An engine is anything with the :class:`Engine`
protocol; :data:`ENGINES` lists them in the order ``auto`` tries them.
"""

from curriculum.site._build import BuildResult, build_site, run_prerender
from curriculum.site._check import check_project, check_site
from curriculum.site._citeproc import format_references
from curriculum.site._context import BuildContext, export_context, payload_builder
from curriculum.site._engines import ENGINES, Engine, QuartoEngine, choose_engine, engine_names
from curriculum.site._pandoc_engine import CSP, CSP_HEADER, PandocEngine, RenderStats
from curriculum.site._reader import write_reader_notebooks
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
