"""The learner's progress file, shared by both hosts.

In JupyterLab, every answer a learner gives is saved to one JSON file in the
user's data folder (or ``CURRICULUM_PROGRESS_FILE``). The static site keeps
the same object in the browser's storage and exports and imports it as the
same file. Writes are atomic (a temporary file renamed over the old one) and
serialised by a file lock, so two kernels saving at once lose nothing; the
temporary files of a writer that was killed are removed, under the lock, by
the next write. A file that cannot be read is never overwritten: it is renamed
aside, the learner is told where it is, and a fresh file is started. A
read-only file or folder is never written: reading still works, and saving
says what to change.

An imported file is read the way the site reads it: a regular file of at
most 5 MiB (``MAX_IMPORT_BYTES``, the site's cap), JSON without ``NaN`` or
``Infinity``, nested no deeper than ``MAX_DEPTH``; a record whose ``updated``
is not an ISO 8601 date-time, or lies in the future beyond ``CLOCK_SKEW``, is
ignored and reported, so it can never win over the learner's newer work.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import stat
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import platformdirs
from filelock import FileLock, Timeout
from pydantic import BaseModel, ConfigDict, ValidationError

from curriculum.content import write_atomic
from curriculum.errors import ProgressFileError, WriteError

__all__ = [
    "CLOCK_SKEW",
    "MAX_DEPTH",
    "MAX_IMPORT_BYTES",
    "PROGRESS_FORMAT",
    "ImportResult",
    "ProgressFile",
    "ProgressRecord",
    "ProgressStore",
    "ProgressWarning",
    "now",
]

PROGRESS_FORMAT = "curriculum-progress"
PROGRESS_VERSION = 1
ENV_FILE = "CURRICULUM_PROGRESS_FILE"
MAX_IMPORT_BYTES = 5 * 1024 * 1024
"""The largest file an import reads: the site's cap (``MAX_IMPORT_BYTES`` in ``web/store.js``)."""
MAX_NAME = 200
"""The longest learner's name an import takes (``MAX_NAME`` in ``web/store.js``)."""
MAX_DEPTH = 64
"""How deeply the JSON of a progress file may nest (component states are a few levels deep)."""
CLOCK_SKEW = dt.timedelta(minutes=5)
"""How far in the future an imported record may be dated (another computer's clock may run ahead)."""
STALE_TEMPORARY = 5 * 60
"""Seconds after which a writer's temporary file, still there, was left by a writer that was killed."""
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})")
_RECORD_KEY = re.compile(r"\A[a-z][a-z0-9-]{0,80}:[A-Za-z0-9._-]{1,200}\Z")
"""The keys the site accepts (``RECORD_KEY`` in ``web/store.js``)."""
_HOW_TO_SAVE = f"make it writable, or set {ENV_FILE} to a file in a folder you can write"


def now() -> str:
    """Return the current UTC time as ISO 8601 with a ``Z``, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_time(text: str) -> dt.datetime | None:
    """Return the time of an ISO 8601 date-time with a zone (``2025-01-31T09:30:00Z``), or None.

    Only the form both hosts write and JavaScript's ``Date.parse`` reads the
    same way is accepted; anything else is not a date.
    """
    if not isinstance(text, str) or not _TIMESTAMP.fullmatch(text):
        return None
    digits = re.sub(r"(\.\d{6})\d+", r"\1", text.replace("Z", "+00:00"))  # Python reads microseconds
    try:
        return dt.datetime.fromisoformat(digits)
    except ValueError:
        return None


class ProgressWarning(UserWarning):
    """The progress file could not be read and was set aside."""


@dataclass
class ImportResult:
    """What an import did.

    Attributes
    ----------
    changed : int
        Records taken from the file (new, or newer than the learner's).
    kept : int
        Records of the learner's that were as new or newer, and stayed.
    ignored : dict[str, str]
        Records left out, by key, with the reason (not a date, dated in the
        future, a key the site does not use).
    """

    changed: int = 0
    kept: int = 0
    ignored: dict[str, str] = field(default_factory=dict)


class ProgressRecord(BaseModel):
    """The saved state of one component.

    Attributes
    ----------
    updated : str
        When the state was last saved (ISO 8601 with a zone, e.g. ``2025-01-31T09:30:00Z``).
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
    learner : str | None
        The name the learner typed on the site's dashboard (absent when none): how
        ``curriculum report`` names the learner. Files written before it existed have none.
    records : dict[str, ProgressRecord]
        Component key (e.g. ``quiz:00-orientation``) to its record.
    """

    model_config = ConfigDict(extra="forbid")

    format: Literal["curriculum-progress"] = "curriculum-progress"
    version: Literal[1] = 1
    site: str
    updated: str
    learner: str | None = None
    records: dict[str, ProgressRecord] = {}

    @property
    def learner_name(self) -> str:
        """The learner's name on one line, its spaces collapsed ("" when none)."""
        return " ".join((self.learner or "").split())


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
        """Return the file's content; a missing file is empty, an unreadable one is set aside.

        Reading needs no write access: in a folder that cannot be written (or
        does not exist) the file is read without the lock, which is safe
        because writers replace it whole, and an unreadable file is left where
        it is.

        Raises
        ------
        ProgressFileError
            If the path is not a regular file or cannot be read.
        """
        with self._locked(write=False) as locked:
            return self._read(locked=locked, writing=False)

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
            The new state (JSON-serialisable, numbers finite).

        Raises
        ------
        ProgressFileError
            If the file cannot be written (a read-only file or folder, disk
            full, lock held too long) or the state holds NaN or infinity.
        """
        with self._locked(write=True):
            data = self._read(locked=True, writing=True)
            stamp = now()
            data.records[key] = ProgressRecord(updated=stamp, state=state)
            data.updated = stamp
            self._write(data)

    def merge(self, incoming: ProgressFile) -> ImportResult:
        """Merge another progress file in: a record replaces the learner's only if it is newer.

        The file's learner's name is taken when this progress has none.

        A record whose ``updated`` is not a date, or is later than now plus
        :data:`CLOCK_SKEW`, or whose key the site does not use, is ignored.

        Returns
        -------
        ImportResult
            How many records changed, stayed and were ignored.
        """
        result = ImportResult()
        latest = dt.datetime.now(dt.UTC) + CLOCK_SKEW
        with self._locked(write=True):
            data = self._read(locked=True, writing=True)
            for key, record in incoming.records.items():
                when = parse_time(record.updated)
                if not _RECORD_KEY.fullmatch(key):
                    result.ignored[key] = "a key the site does not use"
                elif when is None:
                    result.ignored[key] = f"`updated` is not a date ({record.updated[:40]!r})"
                elif when > latest:
                    result.ignored[key] = f"dated in the future ({record.updated})"
                else:
                    current = data.records.get(key)
                    mine = parse_time(current.updated) if current else None
                    if current is None or mine is None or when > mine:
                        data.records[key] = record
                        result.changed += 1
                    else:
                        result.kept += 1
            name = incoming.learner_name[:MAX_NAME]  # as the site keeps it
            named = bool(name) and not data.learner
            if named:
                data.learner = name
            if result.changed or named:
                data.updated = now()
                self._write(data)
        return result

    def import_file(self, path: Path) -> ImportResult:
        """Merge a progress file exported from the site (or another computer).

        Raises
        ------
        ProgressFileError
            If the file is not a progress file of this site (not a regular
            file, over 5 MiB, not JSON, NaN or infinity, nested too deeply,
            another site); nothing is changed then.
        """
        text = _read_regular(path, limit=MAX_IMPORT_BYTES)
        try:
            incoming = ProgressFile.model_validate(_parse(text))
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
        with target._locked(write=True):
            target._write(data)
        return len(data.records)

    # ---------------------------------------------------------------- internals

    @contextlib.contextmanager
    def _locked(self, *, write: bool) -> Iterator[bool]:
        """Hold the lock; yield whether it is held (a read goes on without it where it cannot be taken)."""
        folder = self.path.parent
        if write:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ProgressFileError(
                    f"cannot create the folder {folder} for the progress file: {exc.strerror}; {_HOW_TO_SAVE}"
                ) from exc
        elif not folder.is_dir():
            yield False  # nothing saved yet, and reading creates nothing
            return
        try:
            self._lock.acquire()
        except Timeout as exc:
            raise ProgressFileError(
                f"the progress file {self.path} stayed locked by another program for 10 seconds"
            ) from exc
        except OSError as exc:  # the lock file cannot be created: a read-only folder
            if write:
                raise ProgressFileError(
                    f"cannot save progress in {folder}: {exc.strerror}; {_HOW_TO_SAVE}"
                ) from exc
            yield False
            return
        try:
            yield True
        finally:
            self._lock.release()

    def _read(self, *, locked: bool, writing: bool) -> ProgressFile:
        """Read the file; one that cannot be read is set aside (if it can be) and an empty one returned."""
        empty = ProgressFile(site=self.site, updated=now())
        try:
            text = _read_regular(self.path)
        except FileNotFoundError:
            return empty
        try:
            return ProgressFile.model_validate(_parse(text))
        except (ValueError, ValidationError) as exc:
            reason = _reason(exc)
        kept = None
        if locked:
            try:
                kept = self._set_aside()
            except OSError as exc:
                if writing:
                    raise ProgressFileError(
                        f"your progress file {self.path} cannot be read ({reason}), and cannot be set aside "
                        f"to start a new one ({exc.strerror}); nothing was changed: {_HOW_TO_SAVE}"
                    ) from exc
        if kept is None:
            message = "It was left as it is; nothing was deleted."
        else:
            message = (
                f"It was kept as {kept} and a new, empty progress file was started; nothing was deleted."
            )
        warnings.warn(
            f"Your progress file {self.path} could not be read ({reason}). {message}",
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
        try:
            dumped = data.model_dump()
            if dumped["learner"] is None:  # as files were before the name was kept
                del dumped["learner"]
            text = json.dumps(dumped, ensure_ascii=False, indent=1, sort_keys=True, allow_nan=False)
        except ValueError as exc:
            raise ProgressFileError(
                "the progress holds a number that is not finite (NaN or infinity), which a progress file "
                "cannot store; nothing was saved"
            ) from exc
        self._refuse_read_only()
        self._remove_stale_temporaries()
        try:  # flushed to the disk before it replaces the old file; the learner's own, so private
            write_atomic(self.path, text, only_if_changed=False, durable=True, mode=0o600)
        except WriteError as exc:
            raise ProgressFileError(
                f"cannot save progress to {self.path}: {exc.reason}; {_HOW_TO_SAVE}"
            ) from exc

    def _refuse_read_only(self) -> None:
        """Refuse to replace a file its owner made read-only (its folder alone would allow it)."""
        try:
            mode = os.stat(self.path).st_mode
        except FileNotFoundError:
            return
        except OSError as exc:
            raise ProgressFileError(f"cannot save progress to {self.path}: {exc.strerror}") from exc
        if not stat.S_ISREG(mode):
            raise ProgressFileError(f"{self.path} is not a regular file, so progress was not saved there")
        if not mode & 0o222 or not os.access(self.path, os.W_OK):
            raise ProgressFileError(
                f"{self.path} is read-only, so your progress was not saved and the file was not changed; "
                f"{_HOW_TO_SAVE}"
            )

    def _remove_stale_temporaries(self) -> None:
        """Remove the temporary files writers that were killed left behind (called under the lock)."""
        before = time.time() - STALE_TEMPORARY
        for tmp in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                if tmp.is_file() and tmp.stat().st_mtime < before:
                    tmp.unlink()


def _read_regular(path: Path, limit: int | None = None) -> str:
    """Read a regular file's text, refusing anything else (a FIFO, a device) before opening it.

    Raises
    ------
    FileNotFoundError
        If there is no file.
    ProgressFileError
        If the path is not a regular file, is larger than ``limit`` bytes, or cannot be read.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ProgressFileError(f"cannot read {path}: {exc.strerror}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise ProgressFileError(f"{path} is {_kind(info.st_mode)}, not a progress file; nothing was read")
    if limit is not None and info.st_size > limit:
        raise ProgressFileError(
            f"{path} is {info.st_size / 2**20:.1f} MiB; a progress file is at most {limit // 2**20} MiB "
            "(the site's limit), so nothing was imported"
        )
    try:
        # O_NONBLOCK: should the path have become a FIFO since, opening it does not wait for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise ProgressFileError(f"{path} is not a regular file; nothing was read")
            data = handle.read() if limit is None else handle.read(limit + 1)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ProgressFileError(f"cannot read {path}: {exc.strerror}") from exc
    if limit is not None and len(data) > limit:
        raise ProgressFileError(f"{path} is larger than {limit // 2**20} MiB; nothing was imported")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProgressFileError(
            f"{path} is not UTF-8 text: a progress file is JSON; nothing was read"
        ) from exc


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _parse(text: str) -> Any:
    """Parse JSON as browsers do: no NaN or Infinity; and refuse nesting deeper than :data:`MAX_DEPTH`."""

    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not a number JSON allows")

    try:
        data = json.loads(text, parse_constant=refuse)
    except RecursionError as exc:
        raise ValueError(f"the JSON is nested more than {MAX_DEPTH} levels deep") from exc
    level = [data]
    for _depth in range(MAX_DEPTH + 1):
        level = [
            child
            for node in level
            if isinstance(node, (dict, list))
            for child in (node.values() if isinstance(node, dict) else node)
        ]
        if not level:
            return data
    raise ValueError(f"the JSON is nested more than {MAX_DEPTH} levels deep")


def _reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON at line {exc.lineno}, column {exc.colno}"
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the top level"
        return f"unexpected content at {where}: {first['msg']}"
    return str(exc)
