"""The site's rules reference page (``rules/index.qmd``), written from the rule registry."""

from __future__ import annotations

from curriculum.content import rules_by_area

__all__ = ["rules_markdown"]


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
