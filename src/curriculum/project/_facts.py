"""The project's facts, computed in one place: its site id, its profiles, what a build reads.

A project is a folder with ``_quarto.yml``. Several parts of the package need
to know the same things about it: the notebook session (the site id that keys
a learner's progress, the profile, when the content changed), ``curriculum
serve`` (when to rebuild), the build (whether anything changed since the last
build), ``curriculum check`` (every profile). They all ask a :class:`Project`.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from curriculum._cache import PROJECT_CACHE
from curriculum._memo import code_key, package_files
from curriculum.content import (
    PROJECT_FILE,
    FileRefused,
    display_path,
    find_root,
    generated_dirs,
    load_yaml,
    project_file_names,
    project_files,
    read_bytes,
    size_limit,
)
from curriculum.errors import ContentError
from curriculum.project._config import Matched, SiteConfig, load_config, profiles

__all__ = [
    "CACHE_DIR",
    "Project",
    "Stamp",
    "active_profile",
    "digest",
    "package_files",
    "package_fingerprint",
    "path_texts",
    "site_id",
]

CACHE_DIR = PROJECT_CACHE
"""The build's cache folder, inside the project."""
Stamp = tuple[tuple[str, int, int], ...]
"""Each file's path, modification time (ns) and size: what changes when a file is edited."""


def active_profile(environ: Mapping[str, str] | None = None) -> Literal["resident", "faculty"]:
    """Return ``faculty`` when the faculty profile is active, else ``resident``.

    Our ``CURRICULUM_PROFILE`` (set by the build for the notebooks it runs) and
    Quarto's ``QUARTO_PROFILE`` both count; each may name several profiles,
    separated by commas, as Quarto's does.
    """
    env = os.environ if environ is None else environ
    named = f"{env.get('CURRICULUM_PROFILE', '')},{env.get('QUARTO_PROFILE', '')}"
    return "faculty" if "faculty" in {p.strip() for p in named.split(",")} else "resident"


def site_id(root: Path) -> str:
    """Return the site id: a slug of the website's title in ``_quarto.yml``.

    It keys the learner's progress, so two curricula on one computer never
    mix. It never fails: a configuration that cannot be read (``curriculum
    check`` says why) gives the folder's name. The file is read again only
    when its size or modification time changes (every page of a build asks).
    """
    try:
        info = (root / PROJECT_FILE).stat()
        stamp: tuple[int, int] | None = (info.st_mtime_ns, info.st_size)
    except OSError:
        stamp = None
    return _site_id(root, stamp)


@functools.lru_cache(maxsize=8)
def _site_id(root: Path, stamp: tuple[int, int] | None) -> str:
    """Return the site id of ``root`` as its ``_quarto.yml`` stood at ``stamp``."""
    try:
        text = read_bytes(root / PROJECT_FILE, 1 << 20, root=root).decode("utf-8", errors="replace")
        config = load_yaml(text) or {}
        title = str((config.get("website") or {}).get("title") or root.name)
    except (FileRefused, yaml.YAMLError, AttributeError):
        title = root.name
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "curriculum"


def package_fingerprint() -> str:
    """Return a hash of the package's version and every file of the package (the memo's code key).

    Every cache of the build is keyed by it: a new version, any edit of the
    package's code, templates, scripts or styles, or a new release of a library
    whose results are kept, rebuilds what they made. One hash for the memo and
    the build, so the package's files are read once a process.
    """
    return code_key()


def digest(paths: Iterable[Path], base: Path, *, strict: bool = True) -> str:
    """Return a hash of files' paths (relative to ``base``) and contents, in a stable order.

    Parameters
    ----------
    paths : Iterable[Path]
        The files, inside ``base``.
    base : Path
        The folder they are read in (and named relative to).
    strict : bool
        Refuse a file that cannot be read; otherwise it only changes the hash
        (a build key: the check then says what is wrong with the file).

    Raises
    ------
    ContentError
        If ``strict`` and a file cannot be read inside ``base`` (located at the file).
    """
    hasher = hashlib.sha256()
    for path in sorted(paths):
        hasher.update(path.relative_to(base).as_posix().encode() + b"\0")
        try:
            hasher.update(read_bytes(path, size_limit(path), root=base))
        except FileRefused as refused:
            if strict:
                raise ContentError([refused.at(display_path(path))]) from refused
            hasher.update(b"\0unreadable")
        hasher.update(b"\0")
    return hasher.hexdigest()


def path_texts(root: Path, names: Iterable[str]) -> list[str]:
    """Return ``os.fspath(root / name)`` of each path relative to ``root``, made from strings where it can be.

    Where ``/`` is the only separator, a name in the clean form a configuration
    gives (``a/b.qmd``: relative, no empty or ``.`` part, no ``/`` at its end)
    is joined to the root as a string; any other is joined as a path.

    Examples
    --------
    >>> path_texts(Path("/p"), ["a/b.qmd", "./c.qmd", "d//e.qmd"]) == [
    ...     os.fspath(Path("/p") / n) for n in ["a/b.qmd", "./c.qmd", "d//e.qmd"]
    ... ]
    True
    """
    base = os.fspath(root)
    if os.sep != "/" or os.altsep is not None or base in ("", "."):
        return [os.fspath(root / name) for name in names]
    prefix, names = os.path.join(base, ""), list(names)
    if _clean("/\0/".join(names)):  # all at once: each name is framed by `/` in the text, as alone
        return [prefix + name for name in names]
    return [prefix + name if _clean(name) else os.fspath(root / name) for name in names]


def _clean(name: str) -> bool:
    """Whether a path joins a folder as its text: relative, no empty or ``.`` part, no ``/`` at its end."""
    framed = f"/{name}/"
    return "//" not in framed and "/./" not in framed


def _distinct(paths: list[str]) -> list[str]:
    """Return the paths sorted, each once: the first given of those the file system names alike.

    Where names are compared whatever their case (Windows), so are these, as
    :class:`pathlib.Path` compares them.
    """
    if os.path.normcase("A") == "A":
        return sorted(set(paths))
    first: dict[str, str] = {}
    for path in paths:
        first.setdefault(os.path.normcase(path), path)
    return sorted(first.values())


@dataclass
class Project:
    """A curriculum project, and the facts every layer asks of it.

    Attributes
    ----------
    root : Path
        The folder that holds ``_quarto.yml``.
    """

    root: Path
    _configs: dict[str, SiteConfig] = field(default_factory=dict, repr=False)
    _matched: Matched = field(default_factory=dict, repr=False)

    @classmethod
    def find(cls, start: Path) -> Project | None:
        """Return the project at or above ``start``, or None when there is none."""
        root = find_root(start)
        return cls(root) if root is not None else None

    @property
    def site_id(self) -> str:
        """The site id (see :func:`site_id`)."""
        return site_id(self.root)

    @property
    def cache(self) -> Path:
        """The build's cache folder."""
        return self.root / CACHE_DIR

    def profiles(self) -> list[str]:
        """Return the profiles the project builds: ``resident`` and one per ``_quarto-<name>.yml``."""
        return profiles(self.root)

    def config(self, profile: str = "resident", *, reread: bool = False) -> SiteConfig:
        """Return the site configuration of ``profile``, read once (``reread``: again, for new pages).

        What the render patterns match is kept for every profile until a
        ``reread``: a profile read first after another takes that one's matches
        for the patterns they share, as they were then (a build reads both at its start).

        Raises
        ------
        ContentError
            If the configuration is not usable, located at its lines.
        """
        if reread:
            self._matched.clear()  # new pages may have come: every pattern is matched again
        if reread or profile not in self._configs:
            self._configs[profile] = load_config(self.root, profile, matched=self._matched)
        return self._configs[profile]

    def content_files(self) -> list[Path]:
        """Return every content file (lessons, quizzes, vignettes, exercises, notes, bibliography)."""
        return project_files(self.root)

    def configuration_files(self) -> list[Path]:
        """Return ``_quarto.yml`` and every profile's overlay."""
        return sorted(self.root.glob("_quarto*.yml"))

    def inputs(self, profile: str = "resident", *, reread: bool = True) -> list[Path]:
        """Return every file a build of ``profile`` reads, in a stable order.

        The content, the configuration and every page the configuration names,
        except the pages the build generates itself (not those of the
        committed API reference, ``reference/``). When the configuration
        cannot be read, its pages are not known; the configuration files are
        still inputs, so fixing them changes what a watcher sees. The
        configuration is read again (``reread``) unless the caller has just
        read it (a build, at its start).
        """
        return [Path(name) for name in self.input_names(profile, reread=reread)]

    def input_names(self, profile: str = "resident", *, reread: bool = True) -> list[str]:
        """Return :meth:`inputs` as the strings of their paths (``os.fspath``), in the same order.

        Made by joining strings, without a path object per file: the build's
        stamp takes hundreds of them, every build.
        """
        # reference/'s pages are committed (quartodoc remakes them when their key is stale): inputs
        generated = tuple(f"{folder}/" for folder in generated_dirs() if folder != "reference")
        try:
            config = self.config(profile, reread=reread)
            pages, published = config.pages(), [config.norms] if config.norms else []
        except ContentError:
            pages, published = [], []
        named = [page for page in pages if not page.startswith(generated)]
        named += published  # the cohort norms the pages show
        found = [*project_file_names(self.root), *map(os.fspath, self.configuration_files())]
        return _distinct([*found, *path_texts(self.root, named)])

    def stamp(self, paths: Iterable[Path]) -> Stamp:
        """Return the files' modification times and sizes: cheap to take, and different after an edit.

        A file that disappears while the stamp is taken is left out (so the
        next stamp differs).
        """
        stamp = []
        for path in sorted(paths):
            try:
                info = path.stat()
            except OSError:
                continue
            stamp.append((str(path), info.st_mtime_ns, info.st_size))
        return tuple(stamp)

    def digest(self, paths: Iterable[Path]) -> str:
        """Return a hash of the files' contents; a file that cannot be read only changes it."""
        return digest(paths, self.root, strict=False)
