"""The learner's progress file, shared by both hosts.

In JupyterLab, every answer a learner gives is saved to one JSON file in the
user's data folder (or ``CURRICULUM_PROGRESS_FILE``). The static site keeps
the same object in the browser's storage and exports and imports it as the
same file. Writes are atomic (a temporary file renamed over the old one) and
serialised by a file lock, so two kernels saving at once lose nothing. A file
that cannot be read is never overwritten: it is renamed aside, the learner is
told where it is, and a fresh file is started.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import platformdirs
from filelock import FileLock, Timeout
from pydantic import BaseModel, ConfigDict, ValidationError

from curriculum.errors import ProgressFileError

__all__ = [
    "PROGRESS_FORMAT",
    "ProgressFile",
    "ProgressRecord",
    "ProgressStore",
    "ProgressWarning",
    "now",
]

PROGRESS_FORMAT = "curriculum-progress"
PROGRESS_VERSION = 1
ENV_FILE = "CURRICULUM_PROGRESS_FILE"


def now() -> str:
    """Return the current UTC time as ISO 8601 with a ``Z``, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class ProgressWarning(UserWarning):
    """The progress file could not be read and was set aside."""


class ProgressRecord(BaseModel):
    """The saved state of one component.

    Attributes
    ----------
    updated : str
        When the state was last saved (ISO 8601, UTC).
    state : dict
        The component's state, as described in ``docs/components.md``.
    """

    model_config = ConfigDict(extra="forbid")

    updated: str
    state: dict[str, Any]


class ProgressFile(BaseModel):
    """The whole progress file (schema version 1).

    Attributes
    ----------
    format : str
        Always ``curriculum-progress``.
    version : int
        The schema version, 1.
    site : str
        The site the progress belongs to.
    updated : str
        When any record was last saved.
    records : dict[str, ProgressRecord]
        Component key (e.g. ``quiz:00-orientation``) to its record.
    """

    model_config = ConfigDict(extra="forbid")

    format: Literal["curriculum-progress"] = "curriculum-progress"
    version: Literal[1] = 1
    site: str
    updated: str
    records: dict[str, ProgressRecord] = {}


class ProgressStore:
    """Read and write one learner's progress file safely.

    Parameters
    ----------
    path : Path
        The progress file.
    site : str
        The site id recorded in a new file.
    """

    def __init__(self, path: Path, site: str) -> None:
        self.path = path
        self.site = site
        self._lock = FileLock(str(path) + ".lock", timeout=10)

    @classmethod
    def for_site(cls, site: str) -> ProgressStore:
        """Return the store at ``CURRICULUM_PROGRESS_FILE`` or in the user's data folder."""
        configured = os.environ.get(ENV_FILE)
        if configured:
            return cls(Path(configured).expanduser(), site)
        return cls(Path(platformdirs.user_data_dir("curriculum")) / f"progress-{site}.json", site)

    def load(self) -> ProgressFile:
        """Return the file's content; a missing file is empty, an unreadable one is set aside."""
        with self._locked():
            return self._read()

    def get(self, key: str) -> dict[str, Any]:
        """Return the saved state of component ``key`` (empty if none)."""
        record = self.load().records.get(key)
        return dict(record.state) if record else {}

    def save(self, key: str, state: dict[str, Any]) -> None:
        """Save the state of component ``key``, keeping every other record as it is on disk.

        Parameters
        ----------
        key : str
            The component key, e.g. ``quiz:00-orientation``.
        state : dict
            The new state (JSON-serialisable).

        Raises
        ------
        ProgressFileError
            If the file cannot be written (disk full, permissions, lock held too long).
        """
        with self._locked():
            data = self._read()
            stamp = now()
            data.records[key] = ProgressRecord(updated=stamp, state=state)
            data.updated = stamp
            self._write(data)

    def merge(self, incoming: ProgressFile) -> int:
        """Merge another progress file in (newer records win); return how many records changed."""
        with self._locked():
            data = self._read()
            changed = 0
            for key, record in incoming.records.items():
                current = data.records.get(key)
                if current is None or record.updated > current.updated:
                    data.records[key] = record
                    changed += 1
            if changed:
                data.updated = now()
                self._write(data)
            return changed

    def import_file(self, path: Path) -> int:
        """Merge a progress file exported from the site (or another computer); return records changed.

        Raises
        ------
        ProgressFileError
            If the file is not a progress file of this site; nothing is changed then.
        """
        try:
            incoming = ProgressFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except OSError as exc:
            raise ProgressFileError(f"cannot read {path}: {exc.strerror}") from exc
        except (ValueError, ValidationError) as exc:
            raise ProgressFileError(
                f"{path} is not a progress file ({_reason(exc)}); nothing was imported"
            ) from exc
        if incoming.site != self.site:
            raise ProgressFileError(
                f"{path} holds progress for the site `{incoming.site}`, not `{self.site}`; "
                "nothing was imported"
            )
        return self.merge(incoming)

    def export_file(self, path: Path) -> int:
        """Write a copy of the progress to ``path`` (atomically); return how many records it holds."""
        data = self.load()
        target = ProgressStore(path, self.site)
        with target._locked():
            target._write(data)
        return len(data.records)

    # ---------------------------------------------------------------- internals

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProgressFileError(f"cannot create the folder for {self.path}: {exc.strerror}") from exc
        try:
            with self._lock:
                yield
        except Timeout as exc:
            raise ProgressFileError(
                f"the progress file {self.path} stayed locked by another program for 10 seconds"
            ) from exc

    def _read(self) -> ProgressFile:
        empty = ProgressFile(site=self.site, updated=now())
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return empty
        except OSError as exc:
            raise ProgressFileError(f"cannot read {self.path}: {exc.strerror}") from exc
        try:
            return ProgressFile.model_validate(json.loads(text))
        except (ValueError, ValidationError) as exc:
            kept = self._set_aside()
            warnings.warn(
                f"Your progress file {self.path} could not be read ({_reason(exc)}). It was kept "
                f"as {kept} and a new, empty progress file was started; nothing was deleted.",
                ProgressWarning,
                stacklevel=4,
            )
            return empty

    def _set_aside(self) -> Path:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        kept = self.path.with_name(f"{self.path.stem}.unreadable-{stamp}{self.path.suffix}")
        os.replace(self.path, kept)
        return kept

    def _write(self, data: ProgressFile) -> None:
        text = json.dumps(data.model_dump(), ensure_ascii=False, indent=1, sort_keys=True)
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            raise ProgressFileError(f"cannot save progress to {self.path}: {exc.strerror}") from exc


def _reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON at line {exc.lineno}, column {exc.colno}"
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the top level"
        return f"unexpected content at {where}: {first['msg']}"
    return str(exc)
