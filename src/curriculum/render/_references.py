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
    """

    key: str
    parenthetical: str
    narrative: str
    html: str
