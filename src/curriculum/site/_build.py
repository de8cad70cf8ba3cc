"""``curriculum build``: check, pre-render, render, in named stages.

1. **check**: load and check the content; any error stops the build.
2. **pre-render**: generated pages (quizzes, case library, API reference).
3. **render**: the chosen engine (Quarto, or the embedded Pandoc) writes the site.
   The Pandoc engine writes into a staging folder that replaces the site only
   when the build finishes (``_staging.py``); one build of a project runs at a
   time (a lock in the build cache).

Each stage prints one line; long stages show a progress bar.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from curriculum.content import Curriculum, Severity, generated_dirs
from curriculum.content._files import FileRefused, read_bytes, read_existing
from curriculum.content._notes import NOTES_FOLDER
from curriculum.content._project import project_files
from curriculum.content._source import size_limit
from curriculum.errors import BuildError, ContentError
from curriculum.hosts.session import site_id
from curriculum.render import Citations, PayloadBuilder, Profile, Renderer
from curriculum.site._check import CACHE_DIR, check_site, writable_folders
from curriculum.site._config import E_CONFIG, SiteConfig, load_config
from curriculum.site._engines import QuartoEngine, choose_engine
from curriculum.site._execute import package_fingerprint
from curriculum.site._manifest import MANIFEST_SCRIPT, manifest_script
from curriculum.site._pandoc_engine import MANIFEST, PandocEngine, RenderStats
from curriculum.site._prerender import prerender, write_if_changed
from curriculum.site._staging import recover, staged_output

__all__ = ["CACHE_DIR", "BuildResult", "build_site", "run_prerender"]


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


def _checked(root: Path, console: Console) -> tuple[Curriculum, int]:
    cur, diagnostics = check_site(root, execute=False)  # what `curriculum check` checks; execution is a stage
    errors = [d for d in diagnostics if d.severity == Severity.error]
    if errors:
        raise ContentError(errors)
    warnings = [d for d in diagnostics if d.severity == Severity.warning]
    console.print(
        "[bold]check[/]      content is valid" + (f" ({len(warnings)} warnings)" if warnings else "")
    )
    return cur, len(warnings)


class _Stamp:
    """A fingerprint of everything a Pandoc build reads, committed only after a build succeeds.

    When the sources, the configuration, the package and the output are
    exactly as the last successful build left them, the build has nothing to
    do and stops at once (it does not even load the content).
    """

    def __init__(self, root: Path, config: SiteConfig, out: Path) -> None:
        self.root = root
        self.path = root / CACHE_DIR / config.profile / "build.json"
        self.out = out
        generated = tuple(f"{d}/" for d in generated_dirs())  # derived from the content and the package
        inputs = set(project_files(root)) | {root / p for p in config.pages() if not p.startswith(generated)}
        inputs |= set(root.glob("_quarto*.yml"))
        digest = hashlib.sha256(f"{package_fingerprint()}\0{config.profile}\0{out.resolve()}".encode())
        for path in sorted(inputs):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            try:  # a file that cannot be read changes the key; the check then says why
                digest.update(hashlib.sha256(read_bytes(path, size_limit(path), root=root)).digest())
            except FileRefused:
                digest.update(b"unreadable")
        self.key = digest.hexdigest()
        self.warnings = 0

    def unchanged(self) -> bool:
        try:
            data = json.loads(read_existing(self.path, 1 << 16) or b"")
            manifest = json.loads(read_existing(self.out / MANIFEST, 64 << 20) or b"")
        except ValueError:
            return False
        if not isinstance(data, dict) or not isinstance(manifest, list):
            return False
        if data.get("key") != self.key or not all((self.out / name).is_file() for name in manifest):
            return False
        self.warnings = int(data.get("warnings", 0))
        return True

    def commit(self, warnings: int) -> None:
        write_if_changed(
            self.path, json.dumps({"key": self.key, "warnings": warnings}) + "\n", within=self.root
        )


def _no_notes_for_residents(config: SiteConfig) -> None:
    """Refuse a build other than the faculty edition whose pages include facilitator notes."""
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


def _builder(root: Path, cur: Curriculum, profile: str) -> PayloadBuilder:
    citations = Citations(cur.bibliography) if cur.bibliography else None
    chosen: Profile = "faculty" if profile == "faculty" else "resident"
    return PayloadBuilder(cur, Renderer(citations), site_id(root), chosen)


def run_prerender(root: Path, profile: str, console: Console | None = None, *, reference: bool = True) -> int:
    """Check the content and write the generated pages; return how many changed.

    Used by the build and by Quarto's ``pre-render`` hook (``curriculum prerender``).
    """
    console = console or Console(stderr=True)
    writable_folders(root)
    _no_notes_for_residents(load_config(root, profile))
    cur, _ = _checked(root, console)
    builder = _builder(root, cur, profile)
    changed = prerender(root, cur, builder, reference=reference).changed
    console.print(
        f"[bold]pre-render[/] {len(changed)} generated page{'s' if len(changed) != 1 else ''} updated"
    )
    return len(changed)


def build_site(
    root: Path,
    *,
    engine: str = "auto",
    profile: str = "resident",
    out: Path | None = None,
    console: Console | None = None,
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
    console = console or Console(stderr=True)
    started = time.perf_counter()
    chosen = choose_engine(engine)
    config = load_config(root, profile)
    _no_notes_for_residents(config)
    target = out or root / config.output_dir
    writable_folders(root, None if out else target)  # an --out folder is the builder's own choice
    console.print(f"[bold]engine[/]     {chosen.version()} · profile {profile} · output {target}")
    if isinstance(chosen, QuartoEngine):
        _, warnings = _checked(root, console)
        chosen.render(root, profile, out)
        return BuildResult(chosen.version(), target, None, time.perf_counter() - started, warnings)
    lock = FileLock(str(root / CACHE_DIR / "build.lock"))
    try:
        (root / CACHE_DIR).mkdir(exist_ok=True)
    except OSError as exc:
        raise BuildError(f"cannot create the build cache {root / CACHE_DIR}: {exc.strerror}") from exc
    try:
        lock.acquire(timeout=0)
    except Timeout:
        console.print("[bold]waiting[/]    for another build of this project to finish")
        lock.acquire()
    try:
        return _build_pandoc(root, chosen, config, target, profile, console, started)
    finally:
        lock.release()


def _build_pandoc(
    root: Path,
    chosen: PandocEngine,
    config: SiteConfig,
    target: Path,
    profile: str,
    console: Console,
    started: float,
) -> BuildResult:
    """Build with the Pandoc engine into a staging folder swapped in at the end (under the build lock)."""
    try:
        recover(target)  # a build killed while swapping folders left the previous site aside
    except OSError as exc:
        raise BuildError(f"cannot repair {target} after an interrupted build: {exc}") from exc
    stamp = _Stamp(root, config, target)
    if stamp.unchanged():
        seconds = time.perf_counter() - started
        console.print(f"[bold]render[/]     nothing changed since the last build · {seconds:.1f} s")
        return BuildResult(
            chosen.version(), target, RenderStats(pages=len(config.pages())), seconds, stamp.warnings
        )
    cur, warnings = _checked(root, console)
    builder = _builder(root, cur, profile)
    generated = prerender(root, cur, builder)
    changed = generated.changed
    console.print(
        f"[bold]pre-render[/] {len(changed)} generated page{'s' if len(changed) != 1 else ''} updated"
    )
    config = load_config(root, profile)  # the API reference may have added pages
    with Progress(
        TextColumn("[bold]{task.description:<11}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = None

        def step(name: str, n: int) -> None:
            nonlocal task
            if name:
                task = bar.add_task(name.split()[0].lower(), total=n)
            elif task is not None:
                bar.advance(task, n)

        extra = {MANIFEST_SCRIPT: manifest_script(cur)}
        with staged_output(target) as staging:
            stats = chosen.render(
                config, staging, root / CACHE_DIR / profile, builder, step, generated.pages, extra
            )
    stamp.commit(warnings)
    seconds = time.perf_counter() - started
    console.print(
        f"[bold]render[/]     {stats.pages} pages · {stats.executed} notebooks executed · "
        f"{stats.rendered} pages rendered · {stats.written} files written · {stats.removed} removed "
        f"· {seconds:.1f} s"
    )
    return BuildResult(chosen.version(), target, stats, seconds, warnings)
