"""Rendering engines behind one protocol, and how the build picks one.

An engine renders one build (:class:`BuildContext`) into its output folder.
The build runs the stages every engine shares through the context (check,
pre-render) and knows nothing else of the engine. ``auto`` walks
:data:`ENGINES` in order and takes the first that is available: Quarto when
the ``quarto`` command is on the PATH, otherwise the embedded Pandoc, which
is always there. Asking for Quarto where it is missing is an error that says
how to install it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from curriculum.errors import BuildError, EngineUnavailable
from curriculum.site._pandoc_engine import PandocEngine
from curriculum.site._report import RenderStats

if TYPE_CHECKING:
    from curriculum.site._context import BuildContext

__all__ = ["ENGINES", "Engine", "QuartoEngine", "choose_engine", "engine_names"]


@runtime_checkable
class Engine(Protocol):
    """What the build needs from an engine.

    Attributes
    ----------
    name : str
        The engine's name, as ``curriculum build --engine`` takes it.
    unavailable : str
        What to do when it is not available here (how to install it, or which engine to use).
    """

    name: str
    unavailable: str

    def available(self) -> bool:
        """Whether the engine can run here."""
        ...

    def version(self) -> str:
        """Return a human-readable name and version."""
        ...

    def render(self, build: BuildContext) -> RenderStats | None:
        """Render the site of ``build`` into ``build.target``; return what was done, if the engine counts it.

        The engine runs the shared stages it needs through ``build`` (the
        check first: a build never renders content with errors).

        Raises
        ------
        ContentError
            If the content has errors.
        BuildError
            If rendering fails.
        """
        ...


class QuartoEngine:
    """Render with the Quarto CLI (``quarto render``), where it is installed.

    Quarto runs our pre-render step itself (``project.pre-render`` in
    ``_quarto.yml``), executes the notebooks with its own Jupyter engine and
    applies the profile's overlay.
    """

    name = "quarto"
    unavailable = (
        "Quarto is not installed here (no `quarto` command on the PATH). Install it from "
        "https://quarto.org/docs/get-started/, or build with the embedded engine: "
        "curriculum build --engine pandoc"
    )

    def __init__(self, executable: str | None = None) -> None:
        self.executable = executable or shutil.which("quarto")

    def available(self) -> bool:
        """Whether ``quarto`` is on the PATH."""
        return self.executable is not None

    def version(self) -> str:
        """Return ``Quarto <version>``."""
        if self.executable is None:
            raise EngineUnavailable(self.unavailable)
        result = subprocess.run(
            [self.executable, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
        return f"Quarto {result.stdout.strip() or 'unknown version'}"

    def command(self, root: Path, profile: str, out: Path | None) -> list[str]:
        """Return the ``quarto render`` command line for a build."""
        if self.executable is None:
            raise EngineUnavailable(self.unavailable)
        cmd = [self.executable, "render", str(root)]
        if profile != "resident":
            cmd += ["--profile", profile]
        if out is not None:
            cmd += ["--output-dir", str(out)]
        return cmd

    def environment(self, profile: str) -> dict[str, str]:
        """Return the environment Quarto runs with (our profile variable set for the kernels)."""
        env = dict(os.environ)
        env["CURRICULUM_PROFILE"] = profile
        env.pop("CURRICULUM_HOST", None)
        return env

    def render(self, build: BuildContext) -> None:
        """Check the content, then run ``quarto render`` (it runs our pre-render itself).

        Quarto's own output shows its progress; it counts nothing for us, so this returns None.

        Raises
        ------
        BuildError
            If ``quarto render`` fails.
        """
        if build.refresh:
            from curriculum.errors import UsageError

            raise UsageError(
                "--no-freeze is for the embedded engine; Quarto applies `freeze` only to whole-project "
                "renders, so render the notebooks themselves to execute them: quarto render lessons/"
            )
        build.check()
        root = build.project.root
        command = self.command(root, build.profile, build.out)
        result = subprocess.run(command, cwd=root, env=self.environment(build.profile), check=False)
        if result.returncode != 0:
            raise BuildError(
                f"quarto render failed with exit status {result.returncode} (its output is above)"
            )


ENGINES: tuple[Callable[[], Engine], ...] = (QuartoEngine, PandocEngine)
"""The engines, in the order ``auto`` tries them (the last is always available)."""


def engine_names() -> list[str]:
    """Return the names ``curriculum build --engine`` takes: ``auto``, then each engine's, in order."""
    return ["auto", *(make().name for make in ENGINES)]


def choose_engine(name: str) -> Engine:
    """Return the engine named ``name``, or for ``auto`` the first of :data:`ENGINES` available here.

    Raises
    ------
    EngineUnavailable
        When the engine asked for is not installed (for Quarto: how to install it).
    BuildError
        When no engine has that name.
    """
    engines = [make() for make in ENGINES]
    if name == "auto":
        return next(engine for engine in engines if engine.available())
    for engine in engines:
        if engine.name == name:
            if not engine.available():
                raise EngineUnavailable(engine.unavailable)
            return engine
    raise BuildError(f"unknown engine {name!r}; use auto, {', '.join(e.name for e in engines)}")
