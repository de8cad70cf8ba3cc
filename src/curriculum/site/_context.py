"""One build: its project, profile and output, and the stages every engine shares.

An engine (:class:`~curriculum.site.Engine`) receives a :class:`BuildContext`
and renders the site with it; the stages any engine needs (check the
content, write the generated pages) are methods here, so each engine composes
them in its own order and each stage prints its one line the same way.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from curriculum.content import E_CONFIG, Curriculum, FileRefused, Severity, display_path, read_bytes
from curriculum.errors import ContentError
from curriculum.project import Project, SiteConfig
from curriculum.render import PayloadBuilder, Profile, Renderer
from curriculum.site._check import check_site
from curriculum.site._citeproc import FormattingAhead, format_references
from curriculum.site._prerender import Prerendered, prerender

if TYPE_CHECKING:  # the exporters only for `curriculum export`
    from curriculum.export import ExportContext

__all__ = ["BuildContext", "Step", "checked", "export_context", "payload_builder"]

Step = Callable[[str, int], None]
"""Progress of a long stage: ``(name, units)`` when it starts, then ``("", n)`` as units finish."""


def checked(
    root: Path,
    console: Console,
    project: Project | None = None,
    seen: Mapping[str, os.stat_result] | None = None,
) -> tuple[Curriculum, int]:
    """Check stage: load and check the content as ``curriculum check`` does; return it and its warnings.

    ``project`` is the build's, whose configurations are read once (see :func:`check_site`);
    ``seen``, the status of the content files its stamp looked at moments before (not looked at again).

    Raises
    ------
    ContentError
        Every error found, located; nothing is built from content with errors.
    """
    # execution is a stage of its own
    cur, diagnostics = check_site(root, execute=False, project=project, seen=seen)
    errors = [d for d in diagnostics if d.severity == Severity.error]
    if errors:
        raise ContentError(errors)
    warnings = sum(1 for d in diagnostics if d.severity == Severity.warning)
    console.print("[bold]check[/]      content is valid" + (f" ({warnings} warnings)" if warnings else ""))
    return cur, warnings


def payload_builder(
    project: Project, cur: Curriculum, profile: str, ahead: FormattingAhead | None = None
) -> PayloadBuilder:
    """Return the payload builder of a build: content, references, site id, profile and published norms.

    ``ahead`` is the references' formatting started before the check, if any.

    Raises
    ------
    ContentError
        If the configuration names a norms file that cannot be read or is not one of this site's.
    """
    references = None
    if cur.bibliography is not None:
        bib = cur.bibliography
        references = ahead.result(bib) if ahead is not None else format_references(bib)
    chosen: Profile = "faculty" if profile == "faculty" else "resident"
    norms = published_norms(project, project.config(profile).norms)
    return PayloadBuilder(cur, Renderer(references), project.site_id, chosen, norms)


MAX_NORMS_BYTES = 5 << 20
"""The largest norms file a build reads."""


def published_norms(project: Project, name: str | None) -> dict[str, dict[str, Any]]:
    """Return the norms of each quiz in the norms file ``name`` (``curriculum: norms:``), if any.

    Raises
    ------
    ContentError
        If the file cannot be read, is not a norms file (``docs/reports.md``) or
        is another site's; located at the file.
    """
    if name is None:
        return {}
    from pydantic import ValidationError

    from curriculum.assess import Norms

    hint = "write it with `curriculum report FILE... --out DIR --norms FILE`, or remove `curriculum: norms:`"
    display = display_path(project.root / name)
    try:
        data = read_bytes(project.root / name, MAX_NORMS_BYTES, root=project.root)
        if len(data) > MAX_NORMS_BYTES:
            raise ValueError("the file is larger than 5 MiB")
        norms = Norms.model_validate_json(data)
    except FileRefused as refused:
        raise ContentError([refused.at(display)]) from None
    except OSError as exc:
        message = f"cannot read the norms file: {exc.strerror}"
        raise ContentError([E_CONFIG.at(display, (1, 1), message, hint)]) from None
    except (ValidationError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid"
        message = f"not a cohort norms file ({first})"
        raise ContentError([E_CONFIG.at(display, (1, 1), message, hint)]) from None
    if norms.site != project.site_id:
        raise ContentError(
            [
                E_CONFIG.at(
                    display,
                    (1, 1),
                    f"the norms are of site `{norms.site}`, not of this site (`{project.site_id}`)",
                    "publish the norms computed from this curriculum's learners' files",
                )
            ]
        )
    return {ident: quiz.model_dump() for ident, quiz in norms.quizzes.items()}


def export_context(root: Path, profile: str = "resident", console: Console | None = None) -> ExportContext:
    """Return what ``curriculum export`` needs: the checked content, and its renderer with the references.

    Raises
    ------
    ContentError
        If the content has errors (an export is made only from content that passes the check).
    """
    from curriculum.export import ExportContext

    cur, _ = checked(root, console or Console(stderr=True))
    builder = payload_builder(Project(root), cur, profile)
    return ExportContext(cur, builder.renderer, builder.profile, builder.site)


@dataclass
class BuildContext:
    """What one build renders, and the shared stages.

    Attributes
    ----------
    project : Project
        The project.
    profile : str
        ``resident``, ``faculty`` or another profile with its own overlay.
    config : SiteConfig
        The profile's site configuration.
    out : Path | None
        The ``--out`` folder, or None for the configuration's output folder.
    console : Console
        Where stages print their lines.
    started : float
        When the build started (``time.perf_counter()``).
    warnings : int
        Content warnings the check found.
    refresh : bool
        Execute every notebook, whatever ``_freeze/`` and the cache hold (``--no-freeze``).
    references : FormattingAhead | None
        The references' formatting, if the engine started it before the check.
    """

    project: Project
    profile: str
    config: SiteConfig
    out: Path | None
    console: Console
    started: float = field(default_factory=time.perf_counter)
    warnings: int = 0
    refresh: bool = False
    references: FormattingAhead | None = None

    @property
    def target(self) -> Path:
        """Where the site is written."""
        return self.out or self.project.root / self.config.output_dir

    @property
    def cache(self) -> Path:
        """The build cache of this build's profile."""
        return self.project.cache / self.profile

    @property
    def seconds(self) -> float:
        """Seconds since the build started."""
        return time.perf_counter() - self.started

    def stage(self, name: str, message: str) -> None:
        """Print a stage's one line: its name, then what it did."""
        self.console.print(f"[bold]{name}[/]{' ' * max(1, 11 - len(name))}{message}")

    def check(self, seen: Mapping[str, os.stat_result] | None = None) -> Curriculum:
        """Check stage (:func:`checked`): any error in the content stops the build.

        ``seen`` is the status of the content files the build's stamp looked at
        moments before (see :func:`~curriculum.content.load_curriculum`).
        """
        cur, self.warnings = checked(self.project.root, self.console, self.project, seen)
        return cur

    def builder(self, cur: Curriculum) -> PayloadBuilder:
        """Return the payload builder for this build's profile."""
        return payload_builder(self.project, cur, self.profile, self.references)

    def prerender(self, cur: Curriculum, builder: PayloadBuilder, *, reference: bool = True) -> Prerendered:
        """Pre-render stage: write the generated pages (see :func:`~curriculum.site.run_prerender`)."""
        record = self.cache / "generated.json"
        done = prerender(self.project.root, cur, builder, reference=reference, record=record)
        n = len(done.changed)
        self.stage("pre-render", f"{n} generated page{'s' if n != 1 else ''} updated")
        return done

    @contextlib.contextmanager
    def progress(self) -> Iterator[Step]:
        """Show a progress bar for each long stage while the block runs (gone when it ends).

        Only on a terminal: written to a file or a pipe (a CI log) a bar shows
        nothing, and its refresh thread would only take turns with the build;
        there the steps do nothing, and rich's progress modules are not loaded
        (4 ms of such a build).
        """
        if not self.console.is_terminal:
            yield lambda _name, _n: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("[bold]{task.description:<11}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        ) as bar:
            task = None

            def step(name: str, n: int) -> None:
                nonlocal task
                if name:
                    task = bar.add_task(name.split()[0].lower(), total=n)
                elif task is not None:
                    bar.advance(task, n)

            yield step
