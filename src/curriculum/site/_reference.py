"""The API reference: ``reference/``, generated from docstrings by quartodoc in a process of its own.

``reference/`` is committed with the repository, as ``_freeze/`` is, with a
key of what quartodoc read (:data:`KEY_FILE`: the ``quartodoc:`` section of
``_quarto.yml``, the Python files of the package it names, and the versions
of quartodoc and griffe). While the pages are there and the key is current,
or quartodoc is not installed, quartodoc does not run: not on a fresh clone,
nor on a computer without quartodoc. Otherwise the Pandoc engine
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
import importlib.machinery
import importlib.metadata
import importlib.util
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from curriculum._memo import lf_digest, package_digests
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

_PACKAGE = re.compile(r"^([ \t]+)(package:)", re.MULTILINE)
"""A ``package:`` line in the section (the least indented is quartodoc's own)."""

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""How the section is read for its ``package:`` (LibYAML's loader when PyYAML has it)."""


@dataclass(frozen=True)
class ReferenceKey:
    """What quartodoc's output depends on, as :data:`KEY_FILE` records it.

    Attributes
    ----------
    sources : str
        A hash of the ``quartodoc:`` section of ``_quarto.yml`` and of the
        Python files of the package it names (their docstrings and signatures
        are the pages), with LF line endings: the same on every computer
        (empty: the package cannot be found).
    version : str
        quartodoc's version (empty: not installed, or not recorded).
    griffe : str
        griffe's version (it reads the docstrings for quartodoc; empty: not installed, or not recorded).
    files : tuple[str, ...]
        The paths of the Python files hashed, of a package other than
        curriculum (whose files the build's stamps watch anyway): not recorded.
    missing : str
        Why the package to document cannot be found, after ``_quarto.yml``'s
        ``quartodoc:`` (empty: it was; else ``sources`` is empty): not recorded.
    """

    sources: str
    version: str
    griffe: str = ""
    files: tuple[str, ...] = field(default=(), compare=False)
    missing: str = field(default="", compare=False)

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
        quartodoc makes them again (without quartodoc, :func:`start_reference`
        takes the pages as they are, and does not ask).
        """
        return (
            recorded is not None
            and recorded.sources == self.sources
            and (recorded.version, recorded.griffe) == (self.version, self.griffe)
        )


def reference_key(root: Path) -> ReferenceKey | None:
    """Return the key of the API reference of the project at ``root`` now (None: no ``quartodoc:`` section).

    It hashes the ``quartodoc:`` section and the Python files of the package
    it names (``package:``), found as Python would import it, or in the
    section's ``source_dir:``, as quartodoc looks, but not imported. Cheap:
    curriculum's own files are hashed once a process, for the code key too
    (:func:`~curriculum._memo.package_digests`), another package's once a
    call, and quartodoc is not imported.
    """
    try:
        config = (root / "_quarto.yml").read_text(encoding="utf-8")  # its line endings made LF
    except (OSError, UnicodeDecodeError):
        return None  # the check reports the configuration
    section = _SECTION.search(config)
    if section is None:
        return None
    hasher = hashlib.sha256(section[0].rstrip().encode() + b"\0")
    versions = _version("quartodoc"), _version("griffe")
    try:
        settings = yaml.load(section[0], Loader=_LOADER)["quartodoc"]
    except (yaml.YAMLError, TypeError, KeyError):
        settings = None
    name = settings.get("package") if isinstance(settings, dict) else None
    if not isinstance(name, str) or not name:
        return ReferenceKey("", *versions, missing="names no `package:`")
    files: tuple[str, ...] = ()  # curriculum's own: the code key's files, which the stamps watch
    if name == "curriculum" or name.startswith("curriculum."):
        digests = package_digests()
    else:
        source_dir = settings.get("source_dir") if isinstance(settings, dict) else None
        found = _package_files(name, root / source_dir if isinstance(source_dir, str) else None)
        if found is None:
            return ReferenceKey(
                "", *versions, missing=f"names `package: {name}`, which Python cannot find here"
            )
        files = tuple(found.values())
        try:
            digests = {file: lf_digest(Path(path).read_bytes()) for file, path in found.items()}
        except OSError as exc:
            return ReferenceKey(
                "", *versions, missing=f"names `package: {name}`, whose {exc.filename} cannot be read"
            )
    for file, digest in digests.items():
        if file.endswith(".py"):
            hasher.update(f"{file}\0{digest}\0".encode())
    return ReferenceKey(hasher.hexdigest(), *versions, files=files)


def _package_files(name: str, source_dir: Path | None) -> dict[str, str] | None:
    """Return the Python files of the module or package ``name``, by path in it (None: not found).

    Found as ``import`` would find it (or in ``source_dir``), without
    importing it or its parents: a dotted name is looked for in its parent's folders.
    """
    top, *parts = name.split(".")
    try:
        spec = importlib.util.find_spec(top)  # a top-level name: nothing is imported
    except (ImportError, ValueError):
        spec = None
    if spec is None and source_dir is not None:
        spec = importlib.machinery.PathFinder.find_spec(top, [str(source_dir)])
    for depth in range(1, len(parts) + 1):
        places = spec.submodule_search_locations if spec is not None else None
        if not places:
            return None
        spec = importlib.machinery.PathFinder.find_spec(".".join([top, *parts[:depth]]), list(places))
    if spec is None:
        return None
    if spec.submodule_search_locations is None:  # a module
        origin = spec.origin or ""
        return {Path(origin).name: origin} if origin.endswith(".py") else {}
    found: dict[str, str] = {}
    for place in spec.submodule_search_locations:
        for top_dir, folders, names in os.walk(place):
            folders[:] = sorted(folder for folder in folders if folder != "__pycache__")
            for file in names:
                path = os.path.join(top_dir, file)
                if file.endswith(".py") and os.path.isfile(path):  # not a dangling link (an editor's lock)
                    found.setdefault(Path(os.path.relpath(path, place)).as_posix(), path)
    return dict(sorted(found.items()))


def _version(name: str) -> str:
    """Return the installed version of the distribution ``name`` (empty: not installed).

    Looked up once a build or check (each computes :func:`reference_key` once),
    so a quartodoc installed meanwhile (under ``curriculum serve``) is seen.
    """
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return ""


def stale_reference(root: Path, key: ReferenceKey | None = None) -> list[Diagnostic]:
    """Return a warning (CUR606) when ``reference/`` is missing or was generated from other code.

    ``curriculum check`` runs it, so ``check --strict`` in CI fails on a
    reference not committed after a change of the code or of the
    ``quartodoc:`` section. Only the repository counts: quartodoc's version
    and griffe's are the computer's, and a build with others makes the pages again.
    ``key`` is the reference's key as the caller took it (None: taken now).
    """
    key = reference_key(root) if key is None else key
    if key is None:
        return []
    if key.missing:
        return [
            E_REFERENCE.at(
                "_quarto.yml",
                _package_line(root),
                f"`quartodoc:` {key.missing}, so reference/ cannot be kept to its code",
                "install the package to document here (pip install -e .), or name it in `package:`",
            )
        ]
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


def _package_line(root: Path) -> tuple[int, int]:
    """Return the line and column of the ``quartodoc:`` section's ``package:`` (else of the section)."""
    config = (root / "_quarto.yml").read_text(encoding="utf-8")
    section = _SECTION.search(config)
    start = section.start() if section else 0
    found = sorted(
        (len(match[1]), match.start(2)) for match in _PACKAGE.finditer(section[0] if section else "")
    )
    at = start + found[0][1] if found else start
    line = config.count("\n", 0, at) + 1
    return line, at - (config.rfind("\n", 0, at) + 1) + 1


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
    sources : tuple[str, ...]
        The Python files of another package the reference documents (its key's
        ``files``; empty for curriculum's own): the build's stamps watch them.
    """

    root: Path
    key: str = ""
    process: subprocess.Popen[str] | None = None
    sources: tuple[str, ...] = ()
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)
    """Held while :meth:`wait` or :meth:`cancel` takes the process: only one of them waits for it."""

    def wait(self) -> None:
        """Wait for the run to finish and record it.

        Raises
        ------
        BuildError
            If quartodoc is not installed, fails, or runs out of time.
        """
        with self._lock:
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
        """Stop the run (the build failed before it needed the reference).

        Once a :meth:`wait` has taken the process, it is that wait's: the
        caller stops it by killing the process (as
        :meth:`~curriculum.site._render_ahead.RenderAhead.close` does).
        """
        with self._lock:
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
    if key is None:
        return ReferenceJob(root)
    if (root / INDEX).is_file() and (not key.version or key.current(ReferenceKey.read(root))):
        return ReferenceJob(root, sources=key.files)
    process = subprocess.Popen(  # -P: the project's folder is not where modules come from
        [sys.executable, "-P", "-m", "curriculum.site._quartodoc", str(root)],
        cwd=root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",  # its message is shown, whatever bytes it is in
    )
    return ReferenceJob(root, key.text(), process, key.files)


def api_reference(root: Path) -> None:
    """Generate ``reference/`` now, if quartodoc is configured and the pages or their key are not current.

    Raises
    ------
    BuildError
        If quartodoc fails, or is not installed and there are no pages to keep.
    """
    start_reference(root).wait()
