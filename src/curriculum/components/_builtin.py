"""The built-in component kinds: quiz, vignette, spotter, worksheet and activity."""

from __future__ import annotations

import html
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from curriculum._words import counted
from curriculum.components._activity import (
    ACTIVITY_MORE_PAGES,
    activity_index,
    activity_pages,
    activity_payload,
    activity_progress,
    activity_search,
    activity_status,
)
from curriculum.components._pages import case_library, case_page, quiz_index, quiz_page
from curriculum.components._spec import Companion, ComponentSpec, NewTemplate, Param, SitePages, Status
from curriculum.content import FORMATS, WORKSHEET_FIELDS, Curriculum, Document, Quiz, Spotter, Worksheet
from curriculum.render import PayloadBuilder

__all__ = ["BUILT_IN"]


def _web(name: str) -> Path:
    return Path(str(resources.files("curriculum.web").joinpath(name)))


def _template(name: str) -> Path:
    return Path(str(resources.files("curriculum.content").joinpath("templates", name)))


def _quiz_status(state: Mapping[str, Any]) -> Status:
    attempts = state["attempts"]
    scored = [a["score"] for a in attempts if isinstance(a.get("score"), (int, float))]
    if scored:
        return Status(counted(len(attempts), "attempt"), f"{round(max(scored) * 100)}%")
    return Status("in progress" if attempts else "not started")


def _quiz_progress(quiz: Quiz) -> dict[str, Any]:
    part: dict[str, Any] = {
        "quiz": quiz.kind,
        "total": len(quiz.items),
        "items": {item.id: list(dict.fromkeys(item.objectives)) for item in quiz.items},
    }
    if quiz.pass_mark is not None:
        part["pass"] = quiz.pass_mark
    return part


def _quiz_search(payload: Mapping[str, Any]) -> tuple[str | None, list[str]]:
    parts = []
    for item in payload.get("items") or []:
        parts.append(item.get("stem_html", ""))
        parts += [o.get("html", "") for o in item.get("options", [])]
    return "Questions and options", parts


def _vignette_status(state: Mapping[str, Any]) -> Status:
    endings = state.get("endings") or {}
    return Status(f"{counted(len(endings), 'ending')} reached" if endings else "in progress")


def _vignette_search(payload: Mapping[str, Any]) -> tuple[str | None, list[str]]:
    parts = [(payload.get("patient") or {}).get("summary_html", "")]
    for node in (payload.get("nodes") or {}).values():
        parts.append(node.get("scene_html", ""))
        parts += [c.get("text_html", "") for c in node.get("choices", [])]
    parts += list(payload.get("discussion_html") or [])
    return "The case: scenes and choices", parts


def _spotter_search(payload: Mapping[str, Any]) -> tuple[str | None, list[str]]:
    parts = [payload.get("context_html") or ""]
    parts += [
        f"{html.escape(t.get('speaker', ''))}: {t.get('text_html', '')}" for t in payload.get("turns") or []
    ]
    return None, parts


def _worksheet_status(state: Mapping[str, Any]) -> Status:
    written = sum(1 for value in state["fields"].values() if value.strip())
    return Status(f"{counted(written, 'field')} written")


def _worksheet_documents(cur: Curriculum, args: tuple[str | None, ...]) -> dict[str, Document[Any]]:
    kind = args[0] if args else None  # without a kind: every worksheet
    return {
        ident: doc
        for ident, doc in cur.exercises.items()
        if isinstance(doc.model, Worksheet) and kind in (None, doc.model.kind)
    }


_WORKSHEET_PROMPTS = {  # what a new worksheet of each kind asks
    "thought-record": "Complete the record as the patient might, then compare with the example.",
    "formulation-cbt": "Write a CBT case conceptualisation of this case.",
    "formulation-psychodynamic": "Write a psychodynamic formulation of this case: describe, review, link.",
    "treatment-plan": "Write an integrated treatment plan for this case and say how you would hand it over.",
    "reflection": "What did you notice in yourself while working through this lesson?",
}

BUILT_IN: tuple[ComponentSpec, ...] = (
    ComponentSpec(
        kind="quiz",
        noun="quiz",
        label="Quiz",
        params=(Param("quiz_id", "The quiz id, usually the lesson id."),),
        content=FORMATS["quizzes"],
        documents=lambda cur, _args: cur.quizzes,
        payload=PayloadBuilder.quiz,
        module=_web("quiz.js"),
        state={
            "type": "object",
            "required": ["attempts"],
            "properties": {"attempts": {"type": "array", "items": {"type": "object"}}},
        },
        status=_quiz_status,
        progress=_quiz_progress,
        search=_quiz_search,
        listed_by="quiz",
        pages=SitePages("quiz", quiz_page, quiz_index),
        templates={"quiz": NewTemplate(_template("quiz.yml.j2"))},
    ),
    ComponentSpec(
        kind="vignette",
        noun="case vignette",
        label="Case",
        params=(Param("vignette_id", "The vignette id."),),
        content=FORMATS["vignettes"],
        documents=lambda cur, _args: cur.vignettes,
        payload=PayloadBuilder.vignette,
        module=_web("vignette.js"),
        state={
            "type": "object",
            "required": ["path", "at"],
            "properties": {"path": {"type": "array"}, "at": {"type": "string"}},
        },
        status=_vignette_status,
        progress=lambda v: {"total": sum(1 for node in v.nodes.values() if node.end)},
        search=_vignette_search,
        listed_by="vignettes",
        pages=SitePages("cases", case_page, case_library),
        templates={"vignette": NewTemplate(_template("vignette.yml.j2"), techniques=2)},
        describe="vignette",
    ),
    ComponentSpec(
        kind="spotter",
        noun="exercise",
        label="Spotter",
        params=(Param("exercise_id", "The exercise id."),),
        content=FORMATS["exercises"],
        documents=lambda cur, _args: {k: v for k, v in cur.exercises.items() if isinstance(v.model, Spotter)},
        payload=PayloadBuilder.spotter,
        module=_web("spotter.js"),
        state={"type": "object", "required": ["labels"], "properties": {"labels": {"type": "object"}}},
        status=lambda state: Status("checked" if state.get("checked") else "in progress"),
        progress=lambda ex: {"total": sum(1 for turn in ex.turns if turn.technique)},
        search=_spotter_search,
        listed_by="exercises",
        templates={"spotter": NewTemplate(_template("spotter.yml.j2"), techniques=2)},
        describe="spotter exercise",
    ),
    ComponentSpec(
        kind="worksheet",
        noun="worksheet",
        label="Worksheet",
        params=(
            Param(
                "kind",
                "``thought-record``, ``formulation-cbt``, ``formulation-psychodynamic``, "
                "``treatment-plan`` or ``reflection``.",
                choices=lambda: WORKSHEET_FIELDS,
                what="worksheet kind",
            ),
            Param(
                "exercise_id",
                "An exercise of that kind (``exercises/<exercise_id>.yml``) with its case and "
                "prompt; without it, a blank worksheet of ``kind``.",
                optional=True,
            ),
        ),
        content=FORMATS["exercises"],
        documents=_worksheet_documents,
        payload=PayloadBuilder.worksheet,
        module=_web("worksheet.js"),
        state={
            "type": "object",
            "required": ["fields"],
            "properties": {"fields": {"type": "object", "additionalProperties": {"type": "string"}}},
        },
        status=_worksheet_status,
        progress=lambda ex: {"total": len(WORKSHEET_FIELDS[ex.kind])},
        search=lambda payload: (None, [payload.get("case_html") or "", payload.get("prompt_html") or ""]),
        listed_by="exercises",
        templates={
            kind: NewTemplate(_template("worksheet.yml.j2"), prompt=_WORKSHEET_PROMPTS.get(kind, ""))
            for kind in WORKSHEET_FIELDS
        },
        describe="exercise",
    ),
    ComponentSpec(
        kind="activity",
        noun="activity",
        label="Activity",
        params=(Param("activity_id", "The activity id (``activities/<activity_id>.yml``)."),),
        content=FORMATS["activities"],
        documents=lambda cur, _args: cur.activities,
        payload=activity_payload,
        module=_web("activity.js"),
        state={
            "type": "object",
            "properties": {
                "evaluation": {"type": "object"},
                "name": {"type": "string"},
                "certificate": {"type": "object"},
            },
        },
        status=activity_status,
        progress=activity_progress,
        search=activity_search,
        pages=SitePages("activity", activity_pages, activity_index, ACTIVITY_MORE_PAGES),
        templates={
            "activity": NewTemplate(
                _template("activity.yml.j2"),
                companions=tuple(
                    Companion(
                        f"quizzes/{{id}}-{part}.yml",
                        _template("activity-quiz.yml.j2"),
                        {"part": part, "count": 1 if part == "pretest" else 2},
                    )
                    for part in ("pretest", "posttest")
                ),
            )
        },
    ),
)
"""The kinds the package ships, in the order of the JavaScript bundle."""
