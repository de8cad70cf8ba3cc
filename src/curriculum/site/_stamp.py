"""The build stamp: whether anything a build reads changed since the last build that succeeded.

When the sources, the configuration, the package and the output are exactly
as the last successful build left them, the build has nothing to do and
stops at once (it does not even load the content). The stamp is committed
only after a build succeeds, so a failed build is never taken for a finished one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from curriculum.content import read_existing, write_atomic
from curriculum.project import Project, package_files, package_fingerprint
from curriculum.site._quick import MANIFEST, QUICK, watched

__all__ = ["BuildStamp"]


class BuildStamp:
    """The fingerprint of everything one profile's build reads, and of where it writes.

    Parameters
    ----------
    project : Project
        The project.
    profile : str
        The profile built.
    out : Path
        The output folder.
    path : Path
        Where the stamp of the last successful build is kept (in the build cache).
    """

    def __init__(self, project: Project, profile: str, out: Path, path: Path) -> None:
        self.project = project
        self.path = path
        self.out = out
        self.inputs = project.inputs(profile)
        inputs = project.digest(self.inputs)
        self.key = hashlib.sha256(
            f"{package_fingerprint()}\0{profile}\0{out.resolve()}\0{inputs}".encode()
        ).hexdigest()
        self.warnings = 0

    def unchanged(self) -> bool:
        """Whether the last successful build read exactly this, and its output is all still there."""
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

    def commit(self, warnings: int, *, engine: str, pages: int) -> None:
        """Record a successful build (with the number of content warnings it reported), and its quick stamp.

        Parameters
        ----------
        warnings : int
            Content warnings the check found.
        engine : str
            The engine's name and version, which a build with nothing to do prints.
        pages : int
            Pages in the site.
        """
        record = json.dumps({"key": self.key, "warnings": warnings}) + "\n"
        write_atomic(self.path, record, within=self.project.root)
        quick = {
            "root": str(self.project.root.resolve()),
            "out": str(self.out.resolve()),
            "engine": engine,
            "pages": pages,
            "warnings": warnings,
            "files": watched(
                (str(p) for p in [*self.inputs, *package_files()]),
                [str(self.project.root), str(self.out / MANIFEST)],
            ),
        }
        write_atomic(self.path.parent / QUICK, json.dumps(quick) + "\n", within=self.project.root)
