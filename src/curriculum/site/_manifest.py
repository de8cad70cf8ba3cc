"""The progress manifest: every lesson and the parts a learner can work on, for the progress page.

The progress page lists each lesson's quiz, case vignettes, spotters and
worksheets with what the learner has done in each. What was done lives in
the browser (``localStorage``) under each part's progress key; what exists,
with readable titles, links and how many items, endings, turns or fields
each part has, comes from this manifest, written at build time as a classic
script (``progress-manifest.js``) so that it loads from ``file://`` too.
It names no answer: only titles, links and counts.
"""

from __future__ import annotations

import json
from typing import Any

from curriculum.content import Curriculum, Spotter, Worksheet
from curriculum.content._worksheets import WORKSHEET_FIELDS
from curriculum.hosts.static import _dom_id  # the id of a component's container on its page
from curriculum.site._sources import output_path

__all__ = ["MANIFEST_SCRIPT", "manifest_script", "progress_manifest"]

MANIFEST_SCRIPT = "progress-manifest.js"
"""Where the manifest is published, relative to the site's root."""


def _parts(cur: Curriculum) -> dict[str, dict[str, Any]]:
    """Every part by its progress key, with its title, link and size."""
    parts: dict[str, dict[str, Any]] = {}
    for ident, quiz_doc in cur.quizzes.items():
        quiz = quiz_doc.model
        parts[f"quiz:{ident}"] = {
            "kind": "quiz",
            "quiz": quiz.kind,
            "title": quiz.title,
            "url": f"quiz/{ident}.html",
            "total": len(quiz.items),
            "lesson": quiz.lesson,
        }
        if quiz.pass_mark is not None:
            parts[f"quiz:{ident}"]["pass"] = quiz.pass_mark
    for ident, vignette_doc in cur.vignettes.items():
        v = vignette_doc.model
        parts[f"vignette:{ident}"] = {
            "kind": "vignette",
            "title": v.title,
            "url": f"cases/{ident}.html",
            "total": sum(1 for node in v.nodes.values() if node.end),
            "lesson": v.lesson,
        }
    for ident, exercise_doc in cur.exercises.items():
        ex = exercise_doc.model
        if isinstance(ex, Spotter):
            kind, total = "spotter", sum(1 for turn in ex.turns if turn.technique)
        elif isinstance(ex, Worksheet):
            kind, total = "worksheet", len(WORKSHEET_FIELDS[ex.kind])
        else:  # pragma: no cover - the union has two members
            continue
        key = f"{kind}:{ident}"
        parts[key] = {"kind": kind, "title": ex.title, "url": "", "total": total, "lesson": ex.lesson}
    return parts


def progress_manifest(cur: Curriculum) -> dict[str, Any]:
    """Return the manifest: the lessons in order, each with its parts, then parts of no lesson.

    Parameters
    ----------
    cur : Curriculum
        The checked curriculum.

    Returns
    -------
    dict
        ``{"lessons": [{"id", "title", "url", "parts": [...]}], "other": [...]}``; each part
        has ``key`` (its progress key), ``kind``, ``title``, ``url`` (relative to the site's
        root), ``total`` (items, endings, marked turns or fields) and, for a quiz, ``quiz``
        (its kind) and ``pass`` (its pass mark, if it has one).
    """
    parts = _parts(cur)
    placed: set[str] = set()
    lessons = []
    for ident, doc in sorted(cur.lessons.items()):
        fm = doc.model
        root = cur.root
        source = doc.path.relative_to(root).as_posix() if root else f"lessons/{doc.path.name}"
        url = output_path(source)
        # In the order a lesson shows them: the cases, the exercises, then the quiz; then any part
        # that names this lesson without the lesson listing it.
        wanted = [f"vignette:{v}" for v in fm.vignettes]
        wanted += [k for e in fm.exercises for k in (f"spotter:{e}", f"worksheet:{e}")]
        wanted += [f"quiz:{fm.quiz}"] if fm.quiz else []
        wanted += sorted(k for k, p in parts.items() if p["lesson"] == ident)
        entries = []
        for key in dict.fromkeys(wanted):
            part = parts.get(key)
            if part is None or key in placed:
                continue
            placed.add(key)
            entries.append(_entry(key, part, url))
        lessons.append({"id": ident, "title": fm.title, "url": url, "parts": entries})
    other = [_entry(key, part, "") for key, part in sorted(parts.items()) if key not in placed]
    return {"lessons": lessons, "other": other}


def _entry(key: str, part: dict[str, Any], lesson_url: str) -> dict[str, Any]:
    entry = {k: v for k, v in part.items() if k != "lesson"}
    entry["key"] = key
    if not entry["url"]:  # an exercise has no page of its own: it is on its lesson's page
        entry["url"] = f"{lesson_url}#{_dom_id(key)}" if lesson_url else ""
    return entry


def manifest_script(cur: Curriculum) -> str:
    """Return ``progress-manifest.js``: the manifest as one global, safe to load as a classic script."""
    text = json.dumps(progress_manifest(cur), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    text = text.replace("</", "<\\/").replace("<!--", "\\u003c!--")
    return f"window.CURRICULUM_MANIFEST = {text};\n"
