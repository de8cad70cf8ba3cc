"""What a render did: the engine's own record of its work (:class:`RenderStats`)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["RenderStats"]


@dataclass
class RenderStats:
    """What a render did.

    Attributes
    ----------
    rendered : int
        Pages Pandoc rendered (not taken from the cache).
    written : int
        Files written because their bytes changed.
    removed : int
        Stale files removed.
    pages : int
        Pages in the site.
    files : list[str]
        Every file the render wrote or kept, relative to the output folder.
    notebooks : dict[str, str]
        How each notebook's outputs were obtained, by source path: ``executed``,
        ``frozen`` (from ``_freeze/``) or ``cached`` (from the build cache).
    """

    rendered: int = 0
    written: int = 0
    removed: int = 0
    pages: int = 0
    files: list[str] = field(default_factory=list)
    notebooks: dict[str, str] = field(default_factory=dict)

    @property
    def executed(self) -> int:
        """Notebooks executed (not taken from ``_freeze/`` or the cache)."""
        return sum(1 for how in self.notebooks.values() if how == "executed")
