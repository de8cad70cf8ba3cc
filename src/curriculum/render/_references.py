"""Formatted references: each citation key's in-text forms and full entry, as plain data.

The site is rendered by Pandoc (or Quarto, which uses Pandoc) with
``--citeproc``, and the components must cite the same way, so the forms come
from one citeproc run over the whole bibliography
(:func:`curriculum.site.format_references`); the renderers only read them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FormattedReference"]


@dataclass(frozen=True)
class FormattedReference:
    """One key, formatted.

    Attributes
    ----------
    key : str
        The citation key.
    parenthetical : str
        The in-text form without brackets, e.g. ``Krupnick et al. 1996``.
    narrative : str
        The narrative form, e.g. ``Krupnick et al. (1996)``.
    html : str
        The full reference as HTML (from citeproc).
    rank : int
        The entry's place in citeproc's reference list (by author, year and title), from 0.
    group : str
        The key of the work whose names this work's citation shares, so that
        citeproc cites them together (``Colom et al. 2003, 2009``); its own key
        when it shares none (the same surname is not the same names: E. and M.
        Balint are cited apart).
    """

    key: str
    parenthetical: str
    narrative: str
    html: str
    rank: int = 0
    group: str = ""

    def __post_init__(self) -> None:
        if not self.group:
            object.__setattr__(self, "group", self.key)

    @property
    def author(self) -> str:
        """The in-text form's names, e.g. ``Krupnick et al.`` (the narrative form before its year)."""
        return self.narrative.rpartition(" (")[0] or self.parenthetical

    @property
    def year(self) -> str:
        """The in-text form's year, with any letter citeproc added to tell works apart, e.g. ``2024b``."""
        head, _, year = self.narrative.rpartition(" (")
        return year.removesuffix(")") if head else ""
