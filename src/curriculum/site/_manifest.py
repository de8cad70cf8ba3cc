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

import itertools
import json
import os
from typing import Any

from curriculum._memo import Memo, text_value
from curriculum.components import COMPONENTS, dom_id, lesson_parts
from curriculum.content import COMPETENCY_DOMAINS, Curriculum, Document, competency_domain, competency_name
from curriculum.site._sources import output_path

__all__ = ["MANIFEST_SCRIPT", "manifest_script", "progress_manifest"]

MANIFEST_SCRIPT = "progress-manifest.js"
"""Where the manifest is published, relative to the site's root."""


def progress_manifest(cur: Curriculum) -> dict[str, Any]:
    """Return the manifest: the lessons in order, each with its parts and objectives, then parts of no lesson.

    Parameters
    ----------
    cur : Curriculum
        The checked curriculum.

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
    outline = lesson_parts(cur)
    lessons = []
    for ident, keys in outline.lessons.items():
        doc = cur.lessons[ident]
        fm = doc.model
        root = cur.root
        source = doc.path.relative_to(root).as_posix() if root else f"lessons/{doc.path.name}"
        url = output_path(source)
        lessons.append(
            {
                "id": ident,
                "title": fm.title,
                "url": url,
                "parts": [_entry(key, _part(key, outline.documents[key]), url) for key in keys],
                "objectives": [
                    {"id": o.id, "text": o.text, "competencies": list(o.competencies)} for o in fm.objectives
                ],
            }
        )
    other = [_entry(key, _part(key, outline.documents[key]), "") for key in outline.other]
    used = {c for doc in cur.lessons.values() for o in doc.model.objectives for c in o.competencies}
    codes = sorted(used, key=_code_order)
    return {
        "lessons": lessons,
        "other": other,
        "competencies": [
            {"code": c, "name": competency_name(c), "domain": competency_domain(c)} for c in codes
        ],
        "domains": [{"id": d, "name": name} for d, name in COMPETENCY_DOMAINS.items()],
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


def manifest_script(cur: Curriculum) -> str:
    """Return ``progress-manifest.js``: the manifest as one global, safe to load as a classic script.

    It is made from the lessons' front matter (not their cells), the other
    documents and the package's code, and kept in the memo by the lessons'
    front matter and the other documents' digests, with every path: an edit of
    a lesson's prose does not make it again.
    """
    made_from = [f"{os.fspath(doc.path)}\0{doc.model.model_dump_json()}" for doc in cur.lessons.values()]
    others = itertools.islice(cur.documents(), len(cur.lessons), None)  # the documents after the lessons
    made_from += [f"{os.fspath(doc.path)}\0{doc.digest}" for doc in others]
    return _SCRIPTS.get("\n".join(made_from), lambda: _script(cur))


def _script(cur: Curriculum) -> str:
    text = json.dumps(progress_manifest(cur), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    text = text.replace("</", "<\\/").replace("<!--", "\\u003c!--")
    return f"window.CURRICULUM_MANIFEST = {text};\n"


_SCRIPTS = Memo[str]("site.manifest", 1, str, text_value)
"""The manifest's script, by what it is made from (see :func:`manifest_script`)."""
