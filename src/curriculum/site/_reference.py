"""The API reference: ``reference/``, generated from docstrings by quartodoc in a process of its own.

quartodoc loads the whole package to read its docstrings: a second or two of
Python, which a thread could not run beside the build's own Python work. So
the Pandoc engine starts it in a child process before it checks the content
(:func:`start_reference`) and waits for it before it renders
(:meth:`ReferenceJob.wait`), and both cores work. It runs only when the
package or ``_quarto.yml`` changed since the last run (a stamp in the build
cache). The child is ``python -P -m curriculum.site._quartodoc ROOT``, a
module that imports nothing of the package, so the child loads no more than
quartodoc needs.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from curriculum.content import read_existing, write_atomic
from curriculum.errors import BuildError
from curriculum.project import CACHE_DIR, package_fingerprint
from curriculum.site._quartodoc import NO_QUARTODOC

__all__ = ["REFERENCE_SECONDS", "ReferenceJob", "api_reference", "start_reference"]

REFERENCE_SECONDS = 600.0
"""The longest quartodoc may take (it reads a few hundred docstrings in seconds)."""


@dataclass
class ReferenceJob:
    """A run of quartodoc, started or not needed.

    Attributes
    ----------
    root : Path
        The project folder.
    key : str
        What the stamp records once the run succeeds (empty: nothing to do).
    process : subprocess.Popen[str] | None
        The child process, while it runs.
    """

    root: Path
    key: str = ""
    process: subprocess.Popen[str] | None = None

    def wait(self) -> None:
        """Wait for the run to finish and record it.

        Raises
        ------
        BuildError
            If quartodoc is not installed, fails, or runs out of time.
        """
        process, self.process = self.process, None
        if process is None:
            return
        try:
            _, err = process.communicate(timeout=REFERENCE_SECONDS)
        except subprocess.TimeoutExpired as exc:
            process.kill()
            process.communicate()
            raise BuildError(
                f"quartodoc did not finish the API reference within {REFERENCE_SECONDS:g} s"
            ) from exc
        if process.returncode == NO_QUARTODOC:
            raise BuildError("the API reference needs quartodoc: pip install 'curriculum[docs]'")
        if process.returncode != 0:
            last = [line for line in err.strip().splitlines() if line.strip()][-1:] or ["no message"]
            raise BuildError(f"quartodoc could not generate the API reference: {last[0].strip()}")
        write_atomic(self.root / CACHE_DIR / "reference.stamp", self.key, within=self.root)

    def cancel(self) -> None:
        """Stop the run (the build failed before it needed the reference)."""
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            process.communicate()


def start_reference(root: Path) -> ReferenceJob:
    """Start generating ``reference/`` if quartodoc is configured and the stamp is out of date.

    Returns
    -------
    ReferenceJob
        The run; :meth:`ReferenceJob.wait` before reading ``reference/``.
    """
    config = (root / "_quarto.yml").read_text(encoding="utf-8")
    if "quartodoc:" not in config:
        return ReferenceJob(root)
    stamp = root / CACHE_DIR / "reference.stamp"
    key = hashlib.sha256(f"{package_fingerprint()}\0{config}".encode()).hexdigest()
    if (root / "reference" / "index.qmd").is_file() and read_existing(stamp, len(key)) == key.encode():
        return ReferenceJob(root)
    process = subprocess.Popen(  # -P: the project's folder is not where modules come from
        [sys.executable, "-P", "-m", "curriculum.site._quartodoc", str(root)],
        cwd=root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",  # its message is shown, whatever bytes it is in
    )
    return ReferenceJob(root, key, process)


def api_reference(root: Path) -> None:
    """Generate ``reference/`` now, if quartodoc is configured and the stamp is out of date.

    Raises
    ------
    BuildError
        If quartodoc is not installed or fails.
    """
    start_reference(root).wait()
