"""Which parts each lesson has, in the order the lesson shows them: the progress views' outline.

The site's progress manifest (:mod:`curriculum.site._manifest`) and the
notebook's dashboard (``curriculum.progress()``) both list each lesson's
parts; this is the one place that decides which and in what order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from curriculum.components._spec import COMPONENTS
from curriculum.content import Curriculum, Document

__all__ = ["LessonParts", "lesson_parts", "lists_of", "outline"]

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
    naming = {key: getattr(doc.model, "lesson", None) for key, doc in documents.items()}
    listed = {ident: lists_of(doc.model) for ident, doc in cur.lessons.items()}
    lessons, other = outline(list(documents), naming, listed)
    return LessonParts(documents, lessons, other)


def lists_of(front_matter: Any) -> dict[str, list[str]]:
    """Return the ids a lesson's front matter lists, by key (``vignettes``, ``exercises``, ``quiz``)."""
    return {key: _listed(getattr(front_matter, key, None)) for key in _listing_keys()}


def outline(
    parts: list[str], naming: Mapping[str, str | None], listed: Mapping[str, Mapping[str, list[str]]]
) -> tuple[dict[str, list[str]], list[str]]:
    """Return each lesson's parts in the order it shows them, and the parts of no lesson.

    Parameters
    ----------
    parts : list[str]
        Every part's progress key (``quiz:intro``), in registry order.
    naming : Mapping[str, str | None]
        The lesson each part names (``lesson:``), if any.
    listed : Mapping[str, Mapping[str, list[str]]]
        Each lesson's lists of parts (:func:`lists_of`), by lesson id.

    Returns
    -------
    tuple[dict[str, list[str]], list[str]]
        :attr:`LessonParts.lessons` and :attr:`LessonParts.other`.
    """
    known = set(parts)
    named: dict[str, list[str]] = {}  # lesson id -> the parts that name it
    for key in parts:
        lid = naming.get(key)
        if lid is not None:
            named.setdefault(lid, []).append(key)
    listings = [
        (key, [kind for kind, spec in COMPONENTS.items() if spec.listed_by == key]) for key in _listing_keys()
    ]
    placed: set[str] = set()
    lessons: dict[str, list[str]] = {}
    for ident in sorted(listed):
        lists = listed[ident]
        wanted = [f"{kind}:{one}" for key, kinds in listings for one in lists.get(key, []) for kind in kinds]
        wanted += sorted(named.get(ident, ()))
        keys = [k for k in dict.fromkeys(wanted) if k in known and k not in placed]
        placed.update(keys)
        lessons[ident] = keys
    return lessons, sorted(k for k in parts if k not in placed)


def _listing_keys() -> list[str]:
    keys = [spec.listed_by for spec in COMPONENTS.values() if spec.listed_by]
    return [*_LESSON_ORDER, *(k for k in dict.fromkeys(keys) if k not in _LESSON_ORDER)]


def _listed(value: Any) -> list[str]:
    """Return the ids a lesson front-matter value lists: one id, a list of ids, or none."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
