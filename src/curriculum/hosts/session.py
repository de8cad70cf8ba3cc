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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from curriculum.content import (
    PROJECT_FILE,
    Curriculum,
    Diagnostic,
    Severity,
    check_curriculum,
    load_curriculum,
)
from curriculum.project import Project, Stamp, active_profile
from curriculum.render import PayloadBuilder, Profile, Renderer

__all__ = ["HostKind", "Session", "current_project", "current_session", "host_kind", "profile"]

HostKind = Literal["live", "static", "quarto"]
ENV_HOST = "CURRICULUM_HOST"
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
    return active_profile()


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
    stamp : Stamp
        The content files and configuration as they were when loaded.
    """

    root: Path
    curriculum: Curriculum
    diagnostics: list[Diagnostic]
    builder: PayloadBuilder
    stamp: Stamp = field(default=())

    def errors_for(self, path_fragment: str) -> list[Diagnostic]:
        """Return the errors in files whose path contains ``path_fragment``."""
        return [d for d in self.diagnostics if d.severity == Severity.error and path_fragment in d.path]


_SESSION: Session | None = None


def _stamp(project: Project) -> Stamp:
    """Return the stamp of what a session depends on: the content, and ``_quarto.yml`` (its title)."""
    return project.stamp([*project.content_files(), project.root / PROJECT_FILE])


def current_project() -> Project:
    """Return the project the notebook belongs to.

    It is found from ``CURRICULUM_ROOT``, Quarto's ``QUARTO_PROJECT_ROOT``, or
    the working folder, upwards.

    Raises
    ------
    UsageError
        When no project can be found.
    """
    from curriculum.errors import UsageError

    configured = os.environ.get(ENV_ROOT) or os.environ.get("QUARTO_PROJECT_ROOT")
    start = Path(configured) if configured else Path.cwd()
    project = Project.find(start)
    if project is None:
        raise UsageError(
            f"no curriculum project (a folder with _quarto.yml) at or above {start}; open the "
            "notebook from the project's lessons/ folder or set CURRICULUM_ROOT"
        )
    return project


def current_session() -> Session:
    """Return the session for the current project, reloading it if content changed.

    Raises
    ------
    UsageError
        When no project can be found.
    """
    global _SESSION
    project = current_project()
    stamp = _stamp(project)
    if (
        _SESSION is not None
        and _SESSION.root == project.root
        and _SESSION.stamp == stamp
        and _SESSION.builder.profile == profile()
    ):
        return _SESSION
    cur = load_curriculum(project.root)
    diagnostics = check_curriculum(cur)
    from curriculum.site import format_references  # Pandoc's citeproc, cached; loaded with the first call

    references = format_references(cur.bibliography) if cur.bibliography is not None else None
    builder = PayloadBuilder(cur, Renderer(references), project.site_id, profile())
    _SESSION = Session(project.root, cur, diagnostics, builder, stamp)
    return _SESSION
