"""The learner's dashboard in a notebook: ``curriculum.progress()``.

The same dashboard as the site's progress page, computed from the progress
file: each lesson's parts with what was done and a summary, mastery of each
of its objectives, and mastery per ACGME subcompetency, grouped by domain.
Mastery is :func:`curriculum.assess.tally_mastery` over
:func:`curriculum.assess.latest_results`, the rules ``web/mastery.js``
mirrors. It displays as HTML (the learner's name and any imported record
key are escaped by the template) and as plain text.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curriculum._words import counted
from curriculum.assess import ProgressFile, ProgressRecord, Tally, latest_results, tally_mastery
from curriculum.components import COMPONENTS, Status, lesson_parts
from curriculum.content import COMPETENCY_DOMAINS, Curriculum, competency_domain, competency_name
from curriculum.render import html_templates

__all__ = [
    "Dashboard",
    "LessonProgress",
    "MasteryRow",
    "PartProgress",
    "build_dashboard",
    "part_status",
    "progress_rows",
]


@dataclass(frozen=True)
class PartProgress:
    """One part of a lesson and what the learner has done in it.

    Attributes
    ----------
    key : str
        Its progress key (``quiz:intro``).
    label, title : str
        Its kind's short name (``Quiz``) and its title.
    status : str
        What was done (``1 attempt``, ``not started``).
    score : str | None
        Its best score, for a scored part.
    updated : str | None
        When it was last saved.
    """

    key: str
    label: str
    title: str
    status: str
    score: str | None = None
    updated: str | None = None

    @property
    def started(self) -> bool:
        """Whether anything is saved for it."""
        return self.updated is not None


@dataclass(frozen=True)
class MasteryRow:
    """Mastery of one objective or subcompetency.

    Attributes
    ----------
    id, text : str
        The objective id and its words, or the subcompetency code and its name.
    tally : Tally
        Correct out of answered.
    detail : str
        An objective's subcompetency codes, or a subcompetency's count of objectives.
    """

    id: str
    text: str
    tally: Tally
    detail: str = ""

    @property
    def percent(self) -> float | None:
        """The share correct in percent to one decimal, as the site shows it; None when not yet assessed."""
        share = self.tally.share
        return None if share is None else math.floor(share * 1000 + 0.5) / 10

    @property
    def figure(self) -> str:
        """The mastery in words: ``2 of 3 correct (66.7%)`` or ``not yet assessed``."""
        if self.percent is None:
            return "not yet assessed"
        return f"{self.tally.correct} of {self.tally.answered} correct ({self.percent:g}%)"


@dataclass(frozen=True)
class LessonProgress:
    """One lesson: its parts, its summary and the mastery of its objectives."""

    id: str
    title: str
    parts: list[PartProgress]
    objectives: list[MasteryRow]

    @property
    def summary(self) -> str:
        """``2 of 5 parts started; 3 of 4 objectives assessed``."""
        started = sum(p.started for p in self.parts)
        assessed = sum(o.percent is not None for o in self.objectives)
        return (
            f"{started} of {counted(len(self.parts), 'part')} started; "
            f"{assessed} of {counted(len(self.objectives), 'objective')} assessed"
        )


@dataclass
class Dashboard:
    """The learner's progress and mastery, from the progress file.

    Attributes
    ----------
    path : Path
        The progress file.
    learner : str
        The name the learner typed on the site ("" when none).
    lessons : list[LessonProgress]
        In lesson order.
    other : list[PartProgress]
        Parts of no lesson, and records this curriculum does not have.
    competencies : list[tuple[str, list[MasteryRow]]]
        Per ACGME domain (its name), its subcompetencies.
    rows : list[dict]
        One dict per saved record, as ``curriculum progress`` lists them: ``component``,
        ``id``, ``status``, ``score``, ``updated``.
    """

    path: Path
    learner: str = ""
    lessons: list[LessonProgress] = field(default_factory=list)
    other: list[PartProgress] = field(default_factory=list)
    competencies: list[tuple[str, list[MasteryRow]]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Whether nothing is saved."""
        return not self.rows

    @property
    def message(self) -> str:
        """What to do when nothing is saved ("" otherwise)."""
        if not self.empty:
            return ""
        return (
            f"No progress is saved in {self.path} yet: answer a quiz or work through a case in a lesson, "
            "or import a file exported from the site's progress page with "
            "`curriculum progress --import FILE`."
        )

    def _repr_html_(self) -> str:
        template = html_templates("curriculum.hosts").get_template("dashboard.html.j2")
        return template.render(board=self)

    def __repr__(self) -> str:
        lines = [f"Progress in {self.path}" + (f" ({self.learner})" if self.learner else "")]
        if self.empty:
            return "\n".join([*lines, self.message])
        for lesson in self.lessons:
            lines += ["", f"{lesson.title}: {lesson.summary}"]
            lines += [f"  {p.label:<10} {p.title:<40} {_status_text(p)}" for p in lesson.parts]
            lines += [f"  objective  {o.text}: {o.figure}" for o in lesson.objectives]
        if self.other:
            lines += ["", "Other saved work"]
            lines += [f"  {p.label:<10} {p.title:<40} {_status_text(p)}" for p in self.other]
        if self.competencies:
            lines += ["", "Mastery per ACGME subcompetency"]
            lines += [f"  {r.id:<6} {r.text}: {r.figure}" for _, rows in self.competencies for r in rows]
        return "\n".join(lines)


def _status_text(part: PartProgress) -> str:
    return f"{part.status}, best {part.score}" if part.score else part.status


def build_dashboard(cur: Curriculum, data: ProgressFile, path: Path) -> Dashboard:
    """Return the dashboard of one progress file.

    Parameters
    ----------
    cur : Curriculum
        The curriculum: its lessons, parts, objectives and quiz keys.
    data : ProgressFile
        The learner's progress.
    path : Path
        Where the progress is kept (shown).
    """
    records = data.records
    board = Dashboard(path=path, learner=data.learner_name)
    outline = lesson_parts(cur)

    def part(key: str) -> PartProgress:
        kind, _, ident = key.partition(":")
        spec = COMPONENTS.get(kind)
        doc = outline.documents.get(key)
        record = records.get(key)
        status = part_status(kind, record.state) if record else Status("not started")
        return PartProgress(
            key=key,
            label=spec.label if spec else kind,
            title=str(doc.model.title) if doc else ident,
            status=status.status,
            score=status.score,
            updated=record.updated if record else None,
        )

    quizzes = {f"quiz:{ident}": doc.model for ident, doc in cur.quizzes.items()}
    items = {key: {item.id: item.objectives for item in quiz.items} for key, quiz in quizzes.items()}
    codes_of = {o.id: o.competencies for doc in cur.lessons.values() for o in doc.model.objectives}
    results = {}
    for key, quiz in quizzes.items():
        record = records.get(key)
        found = latest_results(quiz, record.state) if record else None
        if found:
            results[key] = found
    objectives, codes = tally_mastery(items, codes_of, results)

    for ident, keys in outline.lessons.items():
        fm = cur.lessons[ident].model
        board.lessons.append(
            LessonProgress(
                id=ident,
                title=str(fm.title),
                parts=[part(k) for k in keys],
                objectives=[
                    MasteryRow(o.id, o.text, objectives.get(o.id, Tally()), ", ".join(o.competencies))
                    for o in fm.objectives
                ],
            )
        )
    board.other = [part(k) for k in outline.other if k in records]
    board.other += [part(k) for k in sorted(records) if k not in outline.documents]
    counts = Counter(code for objective_codes in codes_of.values() for code in set(objective_codes))
    ordered = sorted(counts.items(), key=lambda c: (len(c[0]), c[0]))
    for domain, name in COMPETENCY_DOMAINS.items():
        rows = [
            MasteryRow(code, competency_name(code), codes.get(code, Tally()), counted(n, "objective"))
            for code, n in ordered
            if competency_domain(code) == domain
        ]
        if rows:
            board.competencies.append((name, rows))
    board.rows = progress_rows(records)
    return board


def progress_rows(records: Mapping[str, ProgressRecord]) -> list[dict[str, Any]]:
    """Return one row per saved record, in key order, as ``curriculum progress`` lists them.

    Each row has ``component``, ``id``, ``status``, ``score`` and ``updated``; the status
    comes from the part's kind (:func:`part_status`), so the content need not be loaded.
    """
    rows = []
    for key, record in sorted(records.items()):
        component, _, ident = key.partition(":")
        status = part_status(component, record.state)
        rows.append(
            {
                "component": component,
                "id": ident,
                "status": status.status,
                "score": status.score,
                "updated": record.updated,
            }
        )
    return rows


def part_status(component: str, state: dict[str, Any]) -> Status:
    """Return a saved state's line in a progress listing, from its kind (any state, any kind)."""
    spec = COMPONENTS.get(component)
    if spec is None:
        return Status("saved by a part this curriculum does not have")
    if not spec.accepts(state):
        return Status("saved, but not in a shape this version can read")
    return spec.status(state)
