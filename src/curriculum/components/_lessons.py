"""Which parts each lesson has, in the order the lesson shows them: the progress views' outline.

The site's progress manifest (:mod:`curriculum.site._manifest`) and the
notebook's dashboard (``curriculum.progress()``) both list each lesson's
parts; this is the one place that decides which and in what order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from curriculum.components._spec import COMPONENTS
from curriculum.content import Curriculum, Document

__all__ = ["LessonParts", "lesson_parts"]

_LESSON_ORDER = ("vignettes", "exercises", "quiz")
"""The lesson front-matter keys that list parts, in the order a lesson shows them."""


@dataclass(frozen=True)
class LessonParts:
    """Every part by its progress key, and which lesson shows which.

    Attributes
    ----------
    documents : dict[str, Document]
        Progress key (``quiz:intro``) to the part's document, in registry order.
    lessons : dict[str, list[str]]
        Lesson id (in id order) to the progress keys of its parts, in the order the lesson
        shows them: the parts it lists (cases, exercises, then the quiz), then those that
        name the lesson without its listing them.
    other : list[str]
        The parts of no lesson, sorted.
    """

    documents: dict[str, Document[Any]]
    lessons: dict[str, list[str]]
    other: list[str]


def lesson_parts(cur: Curriculum) -> LessonParts:
    """Return each lesson's parts in the order it shows them, and the parts of no lesson.

    Parameters
    ----------
    cur : Curriculum
        The checked curriculum.
    """
    documents: dict[str, Document[Any]] = {}
    for kind, spec in COMPONENTS.items():
        for ident, doc in spec.documents(cur, ()).items():
            documents[f"{kind}:{ident}"] = doc
    naming: dict[str, list[str]] = {}  # lesson id -> the parts that name it
    for key, doc in documents.items():
        lid = getattr(doc.model, "lesson", None)
        if lid is not None:
            naming.setdefault(lid, []).append(key)
    listings = [
        (key, [kind for kind, spec in COMPONENTS.items() if spec.listed_by == key]) for key in _listing_keys()
    ]
    placed: set[str] = set()
    lessons: dict[str, list[str]] = {}
    for ident, doc in sorted(cur.lessons.items()):
        fm = doc.model
        wanted = [
            f"{kind}:{listed}"
            for key, kinds in listings
            for listed in _listed(getattr(fm, key, None))
            for kind in kinds
        ]
        wanted += sorted(naming.get(ident, ()))
        keys = [k for k in dict.fromkeys(wanted) if k in documents and k not in placed]
        placed.update(keys)
        lessons[ident] = keys
    other = sorted(k for k in documents if k not in placed)
    return LessonParts(documents, lessons, other)


def _listing_keys() -> list[str]:
    keys = [spec.listed_by for spec in COMPONENTS.values() if spec.listed_by]
    return [*_LESSON_ORDER, *(k for k in dict.fromkeys(keys) if k not in _LESSON_ORDER)]


def _listed(value: Any) -> list[str]:
    """Return the ids a lesson front-matter value lists: one id, a list of ids, or none."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
