"""Where the package keeps what it can recompute: formatted citations, checked bibliographies."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["cache_dir"]


def cache_dir() -> Path:
    """Return the folder for caches (``CURRICULUM_CACHE_DIR`` overrides the user cache folder)."""
    configured = os.environ.get("CURRICULUM_CACHE_DIR")
    return Path(configured) if configured else Path(platformdirs.user_cache_dir("curriculum"))
