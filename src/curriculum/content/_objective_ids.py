"""Objective ids in text residents read (lint L25).

Objective ids (``sup1-5``, ``cbt1-2``) are keys that tie quiz items, cases and
exercises to a lesson's objectives for the checks and for analytics. In a
debrief or a scene they read as jargon: the site shows the objectives in
words wherever they matter (the lesson overview, a quiz's result and
feedback), so authored text should say what the objective asks instead.
Facilitator notes, which only the faculty edition shows, may use them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from curriculum._memo import Memo
from curriculum.content._diagnostics import RULES, Severity
from curriculum.content._project import Curriculum
from curriculum.content._registry import Finding
from curriculum.content._texts import Scanner, TextField, text_scan

__all__: list[str] = []

L25 = RULES.add(
    "L25",
    Severity.warning,
    "An objective id appears in text residents read.",
    "Residents see the objective's words elsewhere; an id in a debrief reads as jargon.",
    suppressible=True,
)


def _decode(data: Any) -> list[tuple[int, str]]:
    """Return ids found, stored as JSON; raise for data of another shape (the memo then recomputes them)."""
    found = [(start, ident) for start, ident in data]
    if not all(isinstance(start, int) and isinstance(ident, str) for start, ident in found):
        raise ValueError("not an id found")
    return found


_FOUND = Memo[list[list[tuple[int, str]]]](
    "lint.objective-ids", 3, list, lambda data: [_decode(found) for found in data]
)
"""Where each text of a file names an objective id, keyed also by every id."""
_RUN = re.compile(r"[\w-]+")
"""A run of word characters and hyphens: an id is named where a whole run is one (ids are such runs)."""


def _wanted(field: TextField) -> bool:
    return not (field.loc and field.loc[-1] == "facilitator")


def _objectives(cur: Curriculum) -> dict[str, str] | None:
    """Return the words a finding quotes of each objective, by its id (None: the curriculum has none).

    Only what a finding shows (:func:`_quoted`), not the whole text: the
    check's record keeps this context, and reads it back at every check that
    scans a changed text.
    """
    return {o.id: _quoted(o.text) for doc in cur.lessons.values() for o in doc.model.objectives} or None


def _quoted(text: str) -> str:
    """Return an objective's words as a finding quotes them: on one line, the first 80 characters."""
    words = " ".join(text.split())
    return f"{words[:80]}{'…' if len(words) > 80 else ''}"


def _scanner(objectives: dict[str, str]) -> Scanner[list[tuple[int, str]]]:
    """Return how to find the curriculum's objective ids (``objectives``: the words quoted of each)."""

    def ids(text: str) -> list[tuple[int, str]]:  # one pass, whatever the number of ids
        return [(m.start(), m[0]) for m in _RUN.finditer(text) if m[0] in objectives]

    def report(field: TextField, found: list[tuple[int, str]]) -> Iterator[Finding]:
        for start, ident in found:
            if ident not in objectives:  # the context holds every id, so only a damaged memo names another
                continue
            yield Finding(
                L25.at(
                    field.doc.display,
                    field.pos(start),
                    f"the objective id `{ident}` is shown to residents as it is",
                    f"say what it asks in words: “{objectives[ident]}”",
                ),
                field.doc,
                field.owner,
            )

    return Scanner(ids, report, "\n".join(sorted(objectives)))


OBJECTIVE_IDS = text_scan(_FOUND, _objectives, _scanner, _wanted)
"""Flag objective ids in authored text, with the objective's words to use instead."""
