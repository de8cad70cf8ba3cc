"""The project a notebook belongs to, loaded once per process.

Component calls in a notebook (``curriculum.quiz("...")``) need the whole
curriculum: objectives, techniques, references. The session finds the project
(from ``CURRICULUM_ROOT``, Quarto's ``QUARTO_PROJECT_ROOT``, or the working
folder upwards), loads and checks it, and reuses the result until a content
file changes on disk. It also decides the host: a live kernel gets widgets; a
render for the site gets static HTML.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from curriculum.content import (
    Curriculum,
    Diagnostic,
    Severity,
    check_curriculum,
    find_root,
    load_curriculum,
)
from curriculum.content._files import FileRefused, read_bytes
from curriculum.content._project import project_files
from curriculum.render import Citations, PayloadBuilder, Profile, Renderer

__all__ = ["HostKind", "Session", "current_session", "host_kind", "profile", "site_id"]

HostKind = Literal["live", "static", "quarto"]
ENV_HOST = "CURRICULUM_HOST"
ENV_PROFILE = "CURRICULUM_PROFILE"
ENV_ROOT = "CURRICULUM_ROOT"


def host_kind() -> HostKind:
    """Return where component calls are displayed.

    ``static`` when our site build executes the notebook (it sets
    ``CURRICULUM_HOST=static``), ``quarto`` when Quarto renders it (Quarto sets
    ``QUARTO_DOCUMENT_PATH`` for the kernel), otherwise ``live``.
    """
    if os.environ.get(ENV_HOST) == "static":
        return "static"
    if os.environ.get("QUARTO_DOCUMENT_PATH"):
        return "quarto"
    return "live"


def profile() -> Profile:
    """Return ``faculty`` when the faculty profile is active (ours or Quarto's), else ``resident``."""
    ours = os.environ.get(ENV_PROFILE, "")
    quarto = os.environ.get("QUARTO_PROFILE", "")
    active = {p.strip() for p in f"{ours},{quarto}".split(",")}
    return "faculty" if "faculty" in active else "resident"


def site_id(root: Path) -> str:
    """Return the site id: a slug of the website title in ``_quarto.yml``.

    It keys the learner's progress, so two curricula on one computer never mix.
    """
    try:
        text = read_bytes(root / "_quarto.yml", 1 << 20, root=root).decode("utf-8", errors="replace")
        config = yaml.safe_load(text) or {}
        title = str((config.get("website") or {}).get("title") or root.name)
    except (FileRefused, yaml.YAMLError, AttributeError):  # the check reports what is wrong with the file
        title = root.name
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "curriculum"


@dataclass
class Session:
    """A loaded project and what displays need from it.

    Attributes
    ----------
    root : Path
        The project folder.
    curriculum : Curriculum
        The loaded content.
    diagnostics : list[Diagnostic]
        Every problem the checks found.
    builder : PayloadBuilder
        Payloads for the components.
    """

    root: Path
    curriculum: Curriculum
    diagnostics: list[Diagnostic]
    builder: PayloadBuilder
    stamp: tuple[tuple[str, float], ...] = field(default=())

    def errors_for(self, path_fragment: str) -> list[Diagnostic]:
        """Return the errors in files whose path contains ``path_fragment``."""
        return [d for d in self.diagnostics if d.severity == Severity.error and path_fragment in d.path]


_SESSION: Session | None = None


def _stamp(root: Path) -> tuple[tuple[str, float], ...]:
    return tuple((str(p), _mtime(p)) for p in project_files(root))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # a link that loops or leads nowhere: loading reports it
        return -1.0


def current_session() -> Session:
    """Return the session for the current project, reloading it if content changed.

    Raises
    ------
    UsageError
        When no project can be found.
    """
    global _SESSION
    from curriculum.errors import UsageError

    configured = os.environ.get(ENV_ROOT) or os.environ.get("QUARTO_PROJECT_ROOT")
    start = Path(configured) if configured else Path.cwd()
    root = find_root(start)
    if root is None:
        raise UsageError(
            f"no curriculum project (a folder with _quarto.yml) at or above {start}; open the "
            "notebook from the project's lessons/ folder or set CURRICULUM_ROOT"
        )
    stamp = _stamp(root)
    if (
        _SESSION is not None
        and _SESSION.root == root
        and _SESSION.stamp == stamp
        and _SESSION.builder.profile == profile()
    ):
        return _SESSION
    cur = load_curriculum(root)
    diagnostics = check_curriculum(cur)
    citations = Citations(cur.bibliography) if cur.bibliography is not None else None
    builder = PayloadBuilder(cur, Renderer(citations), site_id(root), profile())
    _SESSION = Session(root, cur, diagnostics, builder, stamp)
    return _SESSION
