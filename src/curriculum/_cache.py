"""Where the package keeps what it can recompute: formatted citations, checked bibliographies, builds."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["PROJECT_CACHE", "RACY_NS", "cache_dir"]

PROJECT_CACHE = ".curriculum-cache"
"""The build's cache folder, inside a project."""

RACY_NS = 2_000_000_000
"""A file changed this close before a record of its time and size was made is read again: an edit in
the same clock tick as the reading would leave its time and size as recorded (as Git's index knows)."""


def cache_dir() -> Path:
    """Return the folder for caches (``CURRICULUM_CACHE_DIR`` overrides the user cache folder)."""
    configured = os.environ.get("CURRICULUM_CACHE_DIR")
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_cache_dir("curriculum"))
