"""The rules reference, generated from the registry so it can never drift from the checks."""

from __future__ import annotations

from curriculum.content import _check  # noqa: F401  (registers every check and lint)
from curriculum.content._diagnostics import RULES, Rule

__all__ = ["AREAS", "rules_by_area", "rules_markdown"]

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


def rules_markdown() -> str:
    """Return the rules reference page as Markdown (front matter included)."""
    parts = [
        '---\ntitle: "Rules reference"\n---\n',
        "Every problem `curriculum check` reports carries one of these codes. Errors always "
        "fail the check; warnings fail it with `--strict`. Rules marked *suppressible* can be "
        "silenced for one item, vignette, exercise or lesson with a written reason, e.g. "
        '`suppress: {L07: "The key is longer because it names both parts of the alliance."}`; '
        "the reason is kept for the next reviewer.\n",
    ]
    for title, rules in rules_by_area():
        if not rules:
            continue
        rows = [
            f"| `{r.code}` | {r.severity} | {r.summary}{' ' + r.why if r.why else ''} | "
            f"{'yes' if r.suppressible else 'no'} |"
            for r in rules
        ]
        parts.append(
            f"## {title}\n\n| Code | Severity | What it checks | Suppressible |\n|---|---|---|---|\n"
            + "\n".join(rows)
            + "\n"
        )
    return "\n".join(parts)
