"""``curriculum build``: load the configuration, then let the chosen engine render, stage by stage.

The engine (:mod:`._engines`) receives the build as a :class:`~curriculum.site._context.BuildContext`
and runs the stages in its own order, each printing one line:

- **check**: load and check the content; any error stops the build;
- **pre-render**: generated pages (quizzes, case library, API reference);
- **render**: Quarto, or the embedded Pandoc engine's own stages
  (execute, convert, pandoc, wrap, assets, search, prune: :mod:`._stages`).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from curriculum.site._quick import last_build
from curriculum.site._report import RenderStats

if TYPE_CHECKING:  # a build with nothing to do loads none of these (see _quick.py)
    from rich.console import Console

    from curriculum.project import SiteConfig

__all__ = ["BuildResult", "build_site", "run_prerender"]


@dataclass
class BuildResult:
    """What a build did.

    Attributes
    ----------
    engine : str
        The engine's name and version.
    out : Path
        The site folder.
    stats : RenderStats | None
        Counts from the Pandoc engine (None with Quarto).
    seconds : float
        Wall-clock time.
    warnings : int
        Content warnings found by the check.
    """

    engine: str
    out: Path
    stats: RenderStats | None
    seconds: float
    warnings: int


def _no_notes_for_residents(config: SiteConfig) -> None:
    """Refuse a build other than the faculty edition whose pages include facilitator notes."""
    from curriculum.content import E_CONFIG, NOTES_FOLDER
    from curriculum.errors import ContentError

    if config.profile == "faculty":
        return
    leaked = [page for page in config.pages() if page.startswith(f"{NOTES_FOLDER}/")]
    if leaked:
        raise ContentError(
            [
                E_CONFIG.at(
                    "_quarto.yml",
                    (1, 1),
                    f"the {config.profile} edition would publish facilitator notes: {', '.join(leaked)}",
                    f"list the pages to render under `project.render` without {NOTES_FOLDER}/; "
                    "_quarto-faculty.yml adds them to the faculty edition",
                )
            ]
        )


def run_prerender(root: Path, profile: str, console: Console | None = None, *, reference: bool = True) -> int:
    """Check the content and write the generated pages; return how many changed.

    Used by the build and by Quarto's ``pre-render`` hook (``curriculum prerender``).
    """
    from rich.console import Console

    from curriculum._memo import memo_session
    from curriculum.project import Project
    from curriculum.site._check import writable_folders
    from curriculum.site._context import BuildContext

    project = Project(root)
    writable_folders(root, profile=profile)
    config = project.config(profile)
    _no_notes_for_residents(config)
    build = BuildContext(project, profile, config, None, console or Console(stderr=True))
    with memo_session(root):  # the pages render only the texts that changed (see curriculum._memo)
        cur = build.check()
        return len(build.prerender(cur, build.builder(cur), reference=reference).changed)


def build_site(
    root: Path,
    *,
    engine: str = "auto",
    profile: str = "resident",
    out: Path | None = None,
    console: Console | None = None,
    freeze: bool = True,
) -> BuildResult:
    """Build the website.

    Parameters
    ----------
    root : Path
        The project folder.
    engine : str
        ``auto``, ``quarto`` or ``pandoc``.
    profile : str
        ``resident`` or ``faculty``.
    out : Path | None
        The output folder (default: ``project.output-dir`` of the profile's configuration).
    console : Console | None
        Where progress is printed.
    freeze : bool
        Reuse stored outputs (``_freeze/`` and the build cache); False executes
        every notebook and stores the new outputs (``--no-freeze``).

    Returns
    -------
    BuildResult
        What was built.

    Raises
    ------
    ContentError
        If the content has errors.
    BuildError
        If a stage fails.
    EngineUnavailable
        If the asked-for engine is not installed.
    """
    started = time.perf_counter()
    last = last_build(root, profile, engine, out) if freeze else None
    if last is not None:
        seconds = time.perf_counter() - started
        line = f"render     nothing changed since the last build · {seconds:.2f} s"
        if console is not None:
            console.print(f"[bold]render[/]{line[6:]}")
        else:
            print(line, file=sys.stderr)
        return BuildResult(last.engine, last.out, RenderStats(pages=last.pages), seconds, last.warnings)
    from rich.console import Console

    from curriculum._memo import memo_session
    from curriculum.project import Project
    from curriculum.site._check import writable_folders
    from curriculum.site._context import BuildContext
    from curriculum.site._engines import choose_engine

    chosen = choose_engine(engine)
    project = Project(root)
    config = project.config(profile)
    _no_notes_for_residents(config)
    build = BuildContext(project, profile, config, out, console or Console(stderr=True), refresh=not freeze)
    writable_folders(root, None if out else build.target, profile)  # an --out folder is the builder's own
    version = chosen.version()
    build.stage("engine", f"{version} · profile {profile} · output {build.target}")
    with memo_session(root):  # every stage renders only the texts that changed (see curriculum._memo)
        stats = chosen.render(build)
    return BuildResult(version, build.target, stats, build.seconds, build.warnings)
