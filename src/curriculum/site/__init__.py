"""The website: configuration from ``_quarto.yml``, pre-render, engines and the build.

``curriculum build`` checks the content, writes the generated pages, then
renders with Quarto where it is installed or with the embedded Pandoc
everywhere else; both read the same ``_quarto.yml`` and the same sources.
"""

from curriculum.site._build import BuildResult, build_site, run_prerender
from curriculum.site._config import NavEntry, SiteConfig, load_config
from curriculum.site._engines import QuartoEngine, choose_engine
from curriculum.site._pandoc_engine import CSP, CSP_HEADER, PandocEngine, RenderStats

__all__ = [
    "CSP",
    "CSP_HEADER",
    "BuildResult",
    "NavEntry",
    "PandocEngine",
    "QuartoEngine",
    "RenderStats",
    "SiteConfig",
    "build_site",
    "choose_engine",
    "load_config",
    "run_prerender",
]
