"""Rendering engines behind one protocol, and how the build picks one.

``auto`` walks the list in order and takes the first that is available:
Quarto when the ``quarto`` command is on the PATH, otherwise the embedded
Pandoc, which is always there. Asking for Quarto where it is missing is an
error that says how to install it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Protocol

from curriculum.errors import BuildError, EngineUnavailable
from curriculum.site._pandoc_engine import PandocEngine

__all__ = ["Engine", "QuartoEngine", "choose_engine"]


class Engine(Protocol):
    """What the build needs from an engine."""

    name: str

    def available(self) -> bool:
        """Whether the engine can run here."""
        ...

    def version(self) -> str:
        """Return a human-readable name and version."""
        ...


class QuartoEngine:
    """Render with the Quarto CLI (``quarto render``), where it is installed.

    Quarto runs our pre-render step itself (``project.pre-render`` in
    ``_quarto.yml``), executes the notebooks with its own Jupyter engine and
    applies the profile's overlay.
    """

    name = "quarto"

    def __init__(self, executable: str | None = None) -> None:
        self.executable = executable or shutil.which("quarto")

    def available(self) -> bool:
        """Whether ``quarto`` is on the PATH."""
        return self.executable is not None

    def version(self) -> str:
        """Return ``Quarto <version>``."""
        if self.executable is None:
            raise EngineUnavailable(_MISSING)
        result = subprocess.run(
            [self.executable, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
        return f"Quarto {result.stdout.strip() or 'unknown version'}"

    def command(self, root: Path, profile: str, out: Path | None) -> list[str]:
        """Return the ``quarto render`` command line for a build."""
        if self.executable is None:
            raise EngineUnavailable(_MISSING)
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

    def render(self, root: Path, profile: str, out: Path | None) -> None:
        """Run ``quarto render``; raise :class:`BuildError` if it fails."""
        result = subprocess.run(
            self.command(root, profile, out), cwd=root, env=self.environment(profile), check=False
        )
        if result.returncode != 0:
            raise BuildError(
                f"quarto render failed with exit status {result.returncode} (its output is above)"
            )


_MISSING = (
    "Quarto is not installed here (no `quarto` command on the PATH). Install it from "
    "https://quarto.org/docs/get-started/, or build with the embedded engine: "
    "curriculum build --engine pandoc"
)


def choose_engine(name: str) -> QuartoEngine | PandocEngine:
    """Return the engine for ``auto``, ``quarto`` or ``pandoc``.

    Raises
    ------
    EngineUnavailable
        When Quarto is asked for and not installed.
    """
    if name == "pandoc":
        return PandocEngine()
    quarto = QuartoEngine()
    if name == "quarto":
        if not quarto.available():
            raise EngineUnavailable(_MISSING)
        return quarto
    if name == "auto":
        return quarto if quarto.available() else PandocEngine()
    raise BuildError(f"unknown engine {name!r}; use auto, quarto or pandoc")
