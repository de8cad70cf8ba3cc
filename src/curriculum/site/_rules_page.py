"""The site's rules reference page (``rules/index.qmd``), written from the rule registry."""

from __future__ import annotations

from curriculum.content import RULES, rules_by_area

__all__ = ["RULES_PAGE", "rules_key", "rules_markdown"]

RULES_PAGE = "rules/index.qmd"
"""Where the page is written, in the project."""


def rules_key() -> str:
    """Return what names the page besides the code: the codes of the rules registered.

    Every rule's text is the code's; which rules are registered is named too,
    so a page made while some were not (yet) registered is not taken for one made with them.
    """
    return "rules\0" + "\0".join(sorted(RULES))


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
