"""Where a project is: the nearest folder with ``_quarto.yml``, found before anything is loaded."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["PROJECT_FILE", "find_root"]

PROJECT_FILE = "_quarto.yml"
"""The file that makes a folder a project."""


def find_root(start: Path) -> Path | None:
    """Return the nearest folder at or above ``start`` that holds ``_quarto.yml``.

    Parameters
    ----------
    start : Path
        A file or folder inside the project.

    Returns
    -------
    Path | None
        The project root, or None when ``start`` is not inside a project.
    """
    start = Path(os.path.abspath(start))
    for folder in [start, *start.parents] if start.is_dir() else start.parents:
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None
