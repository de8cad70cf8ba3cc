"""The progress manifest: every lesson and the parts a learner can work on, for the progress page.

The progress page (the learner's dashboard) lists each lesson's quiz, case vignettes, spotters and
worksheets with what the learner has done in each. What was done lives in
the browser (``localStorage``) under each part's progress key; what exists,
with readable titles, links and how many items, endings, turns or fields
each part has, comes from this manifest, written at build time as a classic
script (``progress-manifest.js``) so that it loads from ``file://`` too.
It names no answer: only titles, links, counts, and which objectives each
quiz item measures (the dashboard's mastery needs that map; whether an answer
was correct is recorded by the quiz itself, in the learner's progress).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from curriculum.components import COMPONENTS, dom_id, lists_of, outline
from curriculum.content import (
    COMPETENCY_DOMAINS,
    Curriculum,
    Document,
    DocumentFacts,
    competency_domain,
    competency_name,
)
from curriculum.site._sources import output_path

__all__ = ["MANIFEST_SCRIPT", "manifest_script", "progress_manifest"]

MANIFEST_SCRIPT = "progress-manifest.js"
"""Where the manifest is published, relative to the site's root."""


def progress_manifest(cur: Curriculum, facts: DocumentFacts | None = None) -> dict[str, Any]:
    """Return the manifest: the lessons in order, each with its parts and objectives, then parts of no lesson.

    Parameters
    ----------
    cur : Curriculum
        The checked curriculum.
    facts : DocumentFacts | None
        Where what the manifest says of each document is kept by its text's
        digest (the build's): only the documents that changed are read.

    Returns
    -------
    dict
        ``{"lessons": [{"id", "title", "url", "parts": [...], "objectives": [...]}], "other": [...],
        "competencies": [...], "domains": [...]}``. Each part has ``key`` (its progress key),
        ``kind``, ``title``, ``url`` (relative to the site's root), ``total`` (items, endings,
        marked turns or fields) and, for a quiz, ``quiz`` (its kind), ``pass`` (its pass mark,
        if it has one) and ``items`` (item id to the objective ids it measures: never its
        key). Each objective has ``id``, ``text`` and ``competencies`` (ACGME subcompetency
        codes). ``competencies`` lists every code the objectives use, each with ``code``,
        ``name`` ("Patient Care 4") and ``domain`` (``PC``), and ``domains`` every domain
        (``id``, ``name``), both in the ACGME order (a JSON object's keys would be sorted).
    """

    def of(doc: Document[Any], make: Callable[[], Any]) -> Any:
        return facts.get(doc, make) if facts is not None else make()

    taught = {ident: of(doc, functools.partial(_lesson_facts, doc)) for ident, doc in cur.lessons.items()}
    shown = {
        folder: {
            ident: of(doc, functools.partial(_part_facts, cur.root, folder, ident, doc))
            for ident, doc in table.items()
        }
        for folder, table in cur.tables.items()
        if any(spec.content.folder == folder for spec in COMPONENTS.values())
    }
    parts: dict[str, dict[str, Any]] = {}
    naming: dict[str, str | None] = {}
    for kind, spec in COMPONENTS.items():  # in registry order, each table in its files' order
        for ident, found in shown.get(spec.content.folder, {}).items():
            if kind in found["parts"]:
                key = f"{kind}:{ident}"
                parts[key], naming[key] = found["parts"][kind], found["lesson"]
    order, other = outline(list(parts), naming, {ident: lesson["listed"] for ident, lesson in taught.items()})
    lessons = []
    for ident, keys in order.items():
        doc, lesson = cur.lessons[ident], taught[ident]
        source = doc.path.relative_to(cur.root).as_posix() if cur.root else f"lessons/{doc.path.name}"
        url = output_path(source)
        shows = [_entry(key, parts[key], url) for key in keys]
        lessons.append(
            {
                "id": ident,
                "title": lesson["title"],
                "url": url,
                "parts": shows,
                "objectives": lesson["objectives"],
            }
        )
    used = {c for lesson in taught.values() for o in lesson["objectives"] for c in o["competencies"]}
    codes = sorted(used, key=_code_order)
    return {
        "lessons": lessons,
        "other": [_entry(key, parts[key], "") for key in other],
        "competencies": [
            {"code": c, "name": competency_name(c), "domain": competency_domain(c)} for c in codes
        ],
        "domains": [{"id": d, "name": name} for d, name in COMPETENCY_DOMAINS.items()],
    }


def _lesson_facts(doc: Document[Any]) -> dict[str, Any]:
    """Return what the manifest says of a lesson: its title, objectives, and the parts it lists."""
    fm = doc.model
    return {
        "title": fm.title,
        "objectives": [
            {"id": o.id, "text": o.text, "competencies": list(o.competencies)} for o in fm.objectives
        ],
        "listed": lists_of(fm),
    }


def _part_facts(root: Path | None, folder: str, ident: str, doc: Document[Any]) -> dict[str, Any]:
    """Return what the manifest says of a document: the lesson it names, and its part of each kind it is."""
    alone = Curriculum(root, tables={folder: {ident: doc}})  # which kinds' documents it is, on its own
    kinds = [
        k
        for k, spec in COMPONENTS.items()
        if spec.content.folder == folder and ident in spec.documents(alone, ())
    ]
    return {
        "lesson": getattr(doc.model, "lesson", None),
        "parts": {k: _part(f"{k}:{ident}", doc) for k in kinds},
    }


def _code_order(code: str) -> tuple[int, str, int, str]:
    """Sort subcompetency codes by domain in the ACGME order, then by number (PC2 before PC10)."""
    domain = competency_domain(code)
    order = list(COMPETENCY_DOMAINS)
    return (order.index(domain) if domain in order else len(order), domain, len(code), code)


def _part(key: str, doc: Document[Any]) -> dict[str, Any]:
    """Return a part's title, link (its own page, if it has one) and size."""
    kind, _, ident = key.partition(":")
    spec = COMPONENTS[kind]
    url = f"{spec.pages.folder}/{ident}.html" if spec.pages else ""
    return {"kind": kind, "title": doc.model.title, "url": url, **spec.progress(doc.model)}


def _entry(key: str, part: dict[str, Any], lesson_url: str) -> dict[str, Any]:
    entry = dict(part)
    entry["key"] = key
    if not entry["url"]:  # an exercise has no page of its own: it is on its lesson's page
        entry["url"] = f"{lesson_url}#{dom_id(key)}" if lesson_url else ""
    return entry


def manifest_script(cur: Curriculum, facts: DocumentFacts | None = None) -> str:
    """Return ``progress-manifest.js``: the manifest as one global, safe to load as a classic script.

    ``facts`` is where what it says of each document is kept (see :func:`progress_manifest`).
    """
    text = json.dumps(
        progress_manifest(cur, facts), ensure_ascii=False, separators=(",", ":"), sort_keys=True
    )
    text = text.replace("</", "<\\/").replace("<!--", "\\u003c!--")
    return f"window.CURRICULUM_MANIFEST = {text};\n"
