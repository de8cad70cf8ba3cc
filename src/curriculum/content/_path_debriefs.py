"""Checks of path-dependent debriefs: the ``debrief_if`` parts of a vignette's endings.

A debrief must praise only what the learner did. What every path to an ending
shares goes in ``debrief``; what only some paths did goes in a part whose
condition names those paths (nodes visited or not, a technique or a quality
of a choice on the way). These checks make sure each condition names real
nodes and techniques, sits on an ending, and can hold on some path that
reaches it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from curriculum.content._diagnostics import RULES, Severity
from curriculum.content._models import Choice, PathCondition, Vignette
from curriculum.content._project import Curriculum, Document
from curriculum.content._registry import Finding, check
from curriculum.content._validate import did_you_mean

__all__: list[str] = []

NOT_AN_ENDING = RULES.add(
    "CUR408", Severity.error, "A node that is not an ending has path-dependent debriefs."
)
UNKNOWN = RULES.add("CUR409", Severity.error, "A debrief condition names an unknown node or technique.")
NEVER = RULES.add(
    "CUR410",
    Severity.warning,
    "A debrief condition can never hold on a path to its ending.",
    "A part whose condition no path to the ending meets is never shown.",
)


def _ancestors(vignette: Vignette, ending: str) -> set[str]:
    """Return the nodes from which ``ending`` can be reached (``ending`` included)."""
    reverse: dict[str, set[str]] = defaultdict(set)
    for name, node in vignette.nodes.items():
        for choice in node.choices:
            reverse[choice.next].add(name)
    seen, todo = {ending}, [ending]
    while todo:
        for parent in reverse[todo.pop()] - seen:
            seen.add(parent)
            todo.append(parent)
    return seen


@check
def path_debriefs(cur: Curriculum) -> Iterator[Finding]:
    """Check every ``debrief_if`` part of every vignette."""
    known = {t.id for t in cur.techniques.model.techniques} if cur.techniques is not None else None
    for doc in cur.vignettes.values():
        yield from _vignette(doc, known)


def _vignette(doc: Document[Vignette], techniques: set[str] | None) -> Iterator[Finding]:
    v, d = doc.model, doc.display
    for name, node in v.nodes.items():
        if not node.debrief_if:
            continue
        if not node.end:
            yield Finding(
                NOT_AN_ENDING.at(
                    d,
                    doc.key_at("nodes", name, "debrief_if"),
                    f"node `{name}` is not an ending, so its `debrief_if` parts are never shown",
                    "move them to the ending they belong to",
                )
            )
            continue
        before = _ancestors(v, name)
        # the techniques and qualities of the choices on some path to this ending
        used = [c for n in before for c in v.nodes[n].choices if c.next in before]
        for i, part in enumerate(node.debrief_if):
            at = ("nodes", name, "debrief_if", i, "when")
            when = part.when
            targets = [
                (key, j, target)
                for key in ("visited", "not_visited")
                for j, target in enumerate(getattr(when, key))
            ]
            for key, j, target in targets:
                if target not in v.nodes:
                    yield Finding(
                        UNKNOWN.at(
                            d,
                            doc.at(*at, key, j),
                            f"`{target}` is not a node of this vignette{did_you_mean(target, v.nodes)}",
                            "name one of `nodes`",
                        )
                    )
            named = all(t in v.nodes for _, _, t in targets)
            for j, tid in enumerate(when.technique):
                if techniques is not None and tid not in techniques:
                    named = False
                    yield Finding(
                        UNKNOWN.at(
                            d,
                            doc.at(*at, "technique", j),
                            f"technique `{tid}` is not in techniques.yml{did_you_mean(tid, techniques)}",
                            "use an id from vignettes/techniques.yml",
                        )
                    )
            reason = _never(when, before, used) if named else ""
            if reason:
                yield Finding(
                    NEVER.at(d, doc.key_at(*at), f"part {i + 1} of `{name}`'s `debrief_if` {reason}", _HINT),
                    doc,
                    (),
                )


_HINT = "name nodes, techniques or qualities found on some path to this ending"


def _never(when: PathCondition, before: set[str], used: list[Choice]) -> str:
    """Say why ``when`` can never hold on a path to the ending, or return ''."""
    if not (when.visited or when.not_visited or when.technique or when.quality):
        return "has an empty `when`, so it fits every path: put its text in `debrief`"
    if when.visited and not set(when.visited) & before:
        return "asks for a node no path to this ending goes through"
    if when.technique and not {c.technique for c in used} & set(when.technique):
        return "asks for a technique no choice on a path to this ending uses"
    if when.quality and not {c.quality for c in used} & set(when.quality):
        return "asks for a quality no choice on a path to this ending has"
    if set(when.visited) & set(when.not_visited):
        return "asks for a node to be both visited and not visited"
    return ""
