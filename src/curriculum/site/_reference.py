"""The API reference: ``reference/``, generated from docstrings by quartodoc in a process of its own.

``reference/`` is committed with the repository, as ``_freeze/`` is, with a
key of what quartodoc read (:data:`KEY_FILE`: the package's Python files and
the ``quartodoc:`` section of ``_quarto.yml``, and the versions of quartodoc and griffe). While
the pages are there and the key is current, quartodoc does not run: not on a
fresh clone, nor on a computer without quartodoc. Otherwise the Pandoc engine
starts it in a child process before it checks the content
(:func:`start_reference`) and waits for it before it renders
(:meth:`ReferenceJob.wait`), which then writes the key; quartodoc loads the
whole package, a second or two of Python, so both cores work. The child is
``python -P -m curriculum.site._quartodoc ROOT``, a module that imports
nothing of the package, so it loads no more than quartodoc needs.
``curriculum check`` reports a committed reference whose key is out of date
(CUR606, :func:`stale_reference`).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from curriculum._memo import package_digests
from curriculum.content import E_REFERENCE, Diagnostic, read_existing, write_atomic
from curriculum.errors import BuildError
from curriculum.site._quartodoc import NO_QUARTODOC

__all__ = [
    "KEY_FILE",
    "REFERENCE_SECONDS",
    "ReferenceJob",
    "ReferenceKey",
    "api_reference",
    "reference_key",
    "stale_reference",
    "start_reference",
]

REFERENCE_SECONDS = 600.0
"""The longest quartodoc may take (it reads a few hundred docstrings in seconds)."""

KEY_FILE = "reference/_quartodoc.key"
"""What ``reference/`` was generated from, committed with it (Quarto renders no file named ``_*``)."""

INDEX = "reference/index.qmd"
"""The page quartodoc always writes: without it there is no reference to keep."""

_SECTION = re.compile(r"^quartodoc:.*?(?=^[^\s#]|\Z)", re.MULTILINE | re.DOTALL)
"""The ``quartodoc:`` section of ``_quarto.yml``, as written: up to the next top-level key."""


@dataclass(frozen=True)
class ReferenceKey:
    """What quartodoc's output depends on, as :data:`KEY_FILE` records it.

    Attributes
    ----------
    sources : str
        A hash of the package's Python files (their docstrings and signatures
        are the pages) and of the ``quartodoc:`` section of ``_quarto.yml``,
        as they stand in the repository: the same on every computer.
    version : str
        quartodoc's version (empty: not installed, or not recorded).
    griffe : str
        griffe's version (it reads the docstrings for quartodoc; empty: not installed, or not recorded).
    """

    sources: str
    version: str
    griffe: str = ""

    def text(self) -> str:
        """Return the key file's text."""
        return (
            "# What quartodoc generated reference/ from; `curriculum build` rewrites it: commit both.\n"
            f"quartodoc {self.version}\ngriffe {self.griffe}\nsources {self.sources}\n"
        )

    @classmethod
    def read(cls, root: Path) -> ReferenceKey | None:
        """Return the key :data:`KEY_FILE` records in ``root``, or None if there is none."""
        data = read_existing(root / KEY_FILE, 4096)
        fields: dict[str, str] = {}
        for line in (data or b"").decode("utf-8", errors="replace").splitlines():
            name, _, value = line.partition(" ")
            fields[name] = value.strip()
        if not fields.get("sources"):
            return None
        return cls(fields["sources"], fields.get("quartodoc", ""), fields.get("griffe", ""))

    def current(self, recorded: ReferenceKey | None) -> bool:
        """Whether pages generated with the key ``recorded`` are what quartodoc would make now.

        Another version of quartodoc or of griffe may write other pages, so
        quartodoc makes them again; without quartodoc, the pages are taken as they are.
        """
        return (
            recorded is not None
            and recorded.sources == self.sources
            and (not self.version or (recorded.version, recorded.griffe) == (self.version, self.griffe))
        )


def reference_key(root: Path) -> ReferenceKey | None:
    """Return the key of the API reference of the project at ``root`` now (None: no ``quartodoc:`` section).

    Cheap: the package's files are hashed once a process, for the code key
    too (:func:`~curriculum._memo.package_digests`), and quartodoc is not imported.
    """
    try:
        config = (root / "_quarto.yml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None  # the check reports the configuration
    section = _SECTION.search(config)
    if section is None:
        return None
    hasher = hashlib.sha256(section[0].rstrip().encode() + b"\0")
    for name, digest in package_digests().items():
        if name.endswith(".py"):
            hasher.update(f"{name}\0{digest}\0".encode())
    return ReferenceKey(hasher.hexdigest(), _version("quartodoc"), _version("griffe"))


def _version(name: str) -> str:
    """Return the installed version of the distribution ``name`` (empty: not installed)."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return ""


def stale_reference(root: Path) -> list[Diagnostic]:
    """Return a warning (CUR606) when ``reference/`` is missing or was generated from other code.

    ``curriculum check`` runs it, so ``check --strict`` in CI fails on a
    reference not committed after a change of the code or of the
    ``quartodoc:`` section. Only the repository counts: quartodoc's version
    and griffe's are the computer's, and a build with others makes the pages again.
    """
    key = reference_key(root)
    if key is None:
        return []
    recorded = ReferenceKey.read(root)
    if not (root / INDEX).is_file():
        problem = f"there is no API reference ({INDEX}), though _quarto.yml has a `quartodoc:` section"
    elif recorded is None:
        problem = "is missing, so reference/ cannot be known to match the code"
    elif recorded.sources != key.sources:
        problem = "says reference/ was generated from other Python files or another `quartodoc:` section"
    else:
        return []
    hint = "run `curriculum build` (it runs quartodoc, refreshing reference/), then commit reference/"
    return [E_REFERENCE.at(KEY_FILE, (1, 1), problem, hint)]


@dataclass
class ReferenceJob:
    """A run of quartodoc, started or not needed.

    Attributes
    ----------
    root : Path
        The project folder.
    key : str
        What :data:`KEY_FILE` records once the run succeeds (empty: nothing to do).
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
        write_atomic(self.root / KEY_FILE, self.key, within=self.root)

    def cancel(self) -> None:
        """Stop the run (the build failed before it needed the reference)."""
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            process.communicate()


def start_reference(root: Path) -> ReferenceJob:
    """Start generating ``reference/`` if quartodoc is configured and the pages or their key are not current.

    Without quartodoc installed, committed pages are kept as they are, even
    with a stale key (``curriculum check`` reports it); only a project without
    them starts the child, which fails with how to install quartodoc.

    Returns
    -------
    ReferenceJob
        The run; :meth:`ReferenceJob.wait` before reading ``reference/``.
    """
    key = reference_key(root)
    if key is None or (
        (root / INDEX).is_file() and (not key.version or key.current(ReferenceKey.read(root)))
    ):
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
    return ReferenceJob(root, key.text(), process)


def api_reference(root: Path) -> None:
    """Generate ``reference/`` now, if quartodoc is configured and the pages or their key are not current.

    Raises
    ------
    BuildError
        If quartodoc fails, or is not installed and there are no pages to keep.
    """
    start_reference(root).wait()
