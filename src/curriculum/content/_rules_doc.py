"""Every rule by area, read from the registry so the reference can never drift from the checks.

``curriculum rules`` prints it; the site's rules page (``rules/index.qmd``) is written from it.
"""

from __future__ import annotations

from curriculum.content import _check  # noqa: F401  (registers every check and lint)
from curriculum.content._diagnostics import RULES, Rule

__all__ = ["AREAS", "rules_by_area"]

AREAS = [
    ("CUR1", "Reading files"),
    ("CUR2", "Formats"),
    ("CUR3", "References between files"),
    ("CUR4", "Vignette graphs"),
    ("CUR5", "Assessment and curriculum standards"),
    ("CUR6", "The website build"),
    ("CUR7", "Raw HTML and script URLs in lessons and pages"),
    ("L", "Item writing (NBME)"),
    ("PHI", "Privacy (HIPAA Safe Harbor)"),
]
"""Rule-code prefixes and the area each covers, in reading order."""


def rules_by_area() -> list[tuple[str, list[Rule]]]:
    """Return every registered rule, grouped by area and sorted by code."""
    return [
        (title, sorted((r for code, r in RULES.items() if code.startswith(prefix)), key=lambda r: r.code))
        for prefix, title in AREAS
    ]
