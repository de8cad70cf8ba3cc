"""A content record kept as a base and its changes since, so that an edit writes what it changed.

The content index and the check record (:mod:`curriculum.content._index`,
:mod:`curriculum.content._check_record`) hold a line or an entry for every
document, though an edit changes a few: written whole, each build would
encode, hash and write them all. Each is kept instead as its base (the whole
record when it was last written so) and a file of its changes since
(``name.changes.ext``, beside it), in the record's own form: the next build
reads both, and writes the changes again, while they stay small beside the
base (:data:`COMPACT_AT`), else a new base (as
:class:`~curriculum.site._record_file.RecordFile` keeps the site's records).

Each base has a generation, a random name written in it and in its changes
(random, not a digest: nothing is hashed to tell them): changes are applied
to the base of their generation only. A new base is written before the
changes of the old one are removed, every write atomic, so a build stopped at
any point leaves the old record, the new one, or none: changes of another
generation are those an interrupted compaction left, and the base alone is
the record then. What a record's files must hold to be trusted is its own rule.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from pathlib import Path

from curriculum.content._files import write_atomic

__all__ = ["COMPACT_AT", "changes_path", "write_changes_or_base"]

COMPACT_AT = 2
"""The changes are written as a new base once they are larger than ``1 / COMPACT_AT`` of the base."""


def changes_path(path: Path) -> Path:
    """Return where the changes of the record whose base is ``path`` are kept (``name.changes.ext``).

    Examples
    --------
    >>> changes_path(Path("cache/content-index.tsv")).as_posix()
    'cache/content-index.changes.tsv'
    """
    return path.with_name(f"{path.stem}.changes{path.suffix}")


def write_changes_or_base(
    path: Path, changes: bytes | None, base: Callable[[str], bytes], base_size: int, *, within: Path
) -> bool:
    """Write a record's changes since its base, or, if they are none or too large, a new base.

    Parameters
    ----------
    path : Path
        The record's base.
    changes : bytes | None
        The changes file's bytes, made against the base as read (None: no
        base to make them against, or the record is to be written whole).
    base : Callable[[str], bytes]
        Makes the bytes of a new base of the given generation (called only if one is written).
    base_size : int
        The size of the base as read.
    within : Path
        The folder the record's files must be written inside (see :func:`write_atomic`).

    Returns
    -------
    bool
        Whether a new base was written.

    Raises
    ------
    CurriculumError, OSError
        When a file cannot be written (the record is a cache: callers ignore it).
    """
    if changes is not None and len(changes) * COMPACT_AT <= base_size:
        write_atomic(changes_path(path), changes, within=within, only_if_changed=False)
        return False
    write_atomic(path, base(secrets.token_hex(8)), within=within, only_if_changed=False)
    with contextlib.suppress(OSError):  # left behind, they are of another generation: not applied
        changes_path(path).unlink(missing_ok=True)
    return True
