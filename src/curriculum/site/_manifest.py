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

from curriculum.components import COMPONENTS, dom_id
from curriculum.content import Curriculum
from curriculum.site._sources import output_path

__all__ = ["MANIFEST_SCRIPT", "manifest_script", "progress_manifest"]

MANIFEST_SCRIPT = "progress-manifest.js"
"""Where the manifest is published, relative to the site's root."""


def _parts(cur: Curriculum) -> dict[str, dict[str, Any]]:
    """Every part by its progress key, with its title, link and size."""
    parts: dict[str, dict[str, Any]] = {}
    for kind, spec in COMPONENTS.items():
        for ident, doc in spec.documents(cur, ()).items():
            url = f"{spec.pages.folder}/{ident}.html" if spec.pages else ""
            part = {"kind": kind, "title": doc.model.title, "url": url, "lesson": doc.model.lesson}
            parts[f"{kind}:{ident}"] = {**part, **spec.progress(doc.model)}
    return parts


_LESSON_ORDER = ("vignettes", "exercises", "quiz")
"""The lesson front-matter keys that list parts, in the order a lesson shows them."""


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
        wanted = [
            f"{kind}:{listed}"
            for key in _listing_keys()
            for listed in _listed(getattr(fm, key, None))
            for kind, spec in COMPONENTS.items()
            if spec.listed_by == key
        ]
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


def _listing_keys() -> list[str]:
    keys = [spec.listed_by for spec in COMPONENTS.values() if spec.listed_by]
    return [*_LESSON_ORDER, *(k for k in dict.fromkeys(keys) if k not in _LESSON_ORDER)]


def _listed(value: Any) -> list[str]:
    """Return the ids a lesson front-matter value lists: one id, a list of ids, or none."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _entry(key: str, part: dict[str, Any], lesson_url: str) -> dict[str, Any]:
    entry = {k: v for k, v in part.items() if k != "lesson"}
    entry["key"] = key
    if not entry["url"]:  # an exercise has no page of its own: it is on its lesson's page
        entry["url"] = f"{lesson_url}#{dom_id(key)}" if lesson_url else ""
    return entry


def manifest_script(cur: Curriculum) -> str:
    """Return ``progress-manifest.js``: the manifest as one global, safe to load as a classic script."""
    text = json.dumps(progress_manifest(cur), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    text = text.replace("</", "<\\/").replace("<!--", "\\u003c!--")
    return f"window.CURRICULUM_MANIFEST = {text};\n"
