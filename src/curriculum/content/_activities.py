"""Checks of self-assessment activities and of the quizzes that belong to them.

An activity (``activities/<id>.yml``) spans lessons, names some of their
objectives, and has a pre-test and a post-test; the post-test's ``pass_mark``
is the minimum passing level. A quiz belongs to one lesson or one activity,
never both; an activity's quiz assesses the activity's objectives only, and
the post-test assesses each of them with at least two items. Dates follow the
usual CME rule: an activity expires at most three years after its last review.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

from curriculum.content._diagnostics import RULES, Severity
from curriculum.content._facts import document_fact, known_fact
from curriculum.content._models import Activity, Quiz
from curriculum.content._project import Curriculum, Document
from curriculum.content._registry import Finding, check, document_check, quizzes
from curriculum.content._validate import did_you_mean

__all__ = ["MAX_YEARS", "POSTTEST_ITEMS_PER_OBJECTIVE", "expiry_limit"]

MAX_YEARS = 3
"""An activity expires at most this many years after its last review."""
POSTTEST_ITEMS_PER_OBJECTIVE = 2
"""The fewest post-test items that assess each of an activity's objectives."""

R = RULES.add
QUIZ_OWNER = R(
    "CUR320",
    Severity.error,
    "A quiz names both a lesson and an activity, or neither, or an activity that does not exist.",
    "Pages, progress listings and objective checks need to know the one place a quiz belongs.",
)
ACTIVITY_QUIZ = R(
    "CUR321",
    Severity.error,
    "An activity's pre-test or post-test does not exist, is of another kind, or belongs elsewhere.",
)
ACTIVITY_OBJECTIVE = R(
    "CUR322",
    Severity.error,
    "An activity names an objective that is not an objective of a lesson it spans.",
)
ACTIVITY_ITEM_OBJECTIVE = R(
    "CUR323",
    Severity.error,
    "An item of an activity's quiz measures an objective that is not the activity's.",
)
EXPIRY = R(
    "CUR511",
    Severity.error,
    "An activity's dates are out of order, or it expires more than three years after its last review.",
    "CME-style self-assessment is reviewed at least every three years.",
)
EXPIRED = R(
    "CUR512",
    Severity.warning,
    "An activity is past its expiration date.",
    "Learners should not be offered a certificate for content nobody has reviewed in time.",
)
POSTTEST_COVERAGE = R(
    "CUR513",
    Severity.error,
    "An activity objective is assessed by fewer than two post-test items.",
)


def expiry_limit(reviewed: dt.date) -> dt.date:
    """Return the latest allowed expiration date: :data:`MAX_YEARS` years after ``reviewed``."""
    try:
        return reviewed.replace(year=reviewed.year + MAX_YEARS)
    except ValueError:  # 29 February
        return reviewed.replace(year=reviewed.year + MAX_YEARS, day=28)


@check
def quiz_owner(cur: Curriculum) -> Iterator[Finding]:
    """Check that a quiz belongs to exactly one lesson or one activity, and that its activity exists.

    It reads one fact of each quiz, its owners (:func:`_owners`), kept by the
    quiz's text digest (:func:`~curriculum.content._facts.document_fact`):
    after an edit, an unchanged quiz's model is not loaded.
    """
    for doc in cur.quizzes.values():
        has_lesson, activity = document_fact(doc, "quiz-owners-1", _owners, _owners_shape)
        if has_lesson and activity is not None:
            yield Finding(
                QUIZ_OWNER.at(
                    doc.display,
                    doc.key_at("activity"),
                    "the quiz names both `lesson` and `activity`",
                    "keep `activity` for an activity's pre-test or post-test, `lesson` for a lesson's quiz",
                )
            )
        elif not has_lesson and activity is None:
            yield Finding(
                QUIZ_OWNER.at(
                    doc.display,
                    (1, 1),
                    "the quiz names neither `lesson` nor `activity`",
                    "add `lesson: <lesson-id>` (a lesson's quiz) or `activity: <activity-id>`",
                )
            )
        elif activity is not None and not cur.standalone and activity not in cur.activities:
            yield Finding(
                QUIZ_OWNER.at(
                    doc.display,
                    doc.at("activity"),
                    f"activity `{activity}` does not exist{did_you_mean(activity, cur.activities)}",
                    "name a file in activities/ without `.yml`",
                )
            )


def _owners(doc: Document[Any]) -> list[Any]:
    """Return whether a quiz names a lesson, and the activity it names (or None): what `quiz_owner` reads."""
    quiz: Quiz = doc.model
    return [quiz.lesson is not None, quiz.activity]


def _owners_shape(facts: Any) -> bool:
    """Whether kept facts are ``[names a lesson, activity or None]``."""
    return (
        isinstance(facts, list)
        and len(facts) == 2
        and isinstance(facts[0], bool)
        and (facts[1] is None or isinstance(facts[1], str))
    )


@check
def activity_links(cur: Curriculum) -> Iterator[Finding]:
    """Check that an activity's lessons, objectives, pre-test and post-test resolve and fit together."""
    if cur.standalone:
        return
    for ident, doc in cur.activities.items():
        yield from _lessons_and_objectives(cur, doc)
        for key, kind in (("pretest", "pretest"), ("posttest", "posttest")):
            yield from _quiz_link(cur, ident, doc, key, kind)


def _lessons_and_objectives(cur: Curriculum, doc: Document[Activity]) -> Iterator[Finding]:
    from curriculum.content._checks import unknown_lesson

    spanned: dict[str, str] = {}
    for i, lid in enumerate(doc.model.lessons):
        lesson = cur.lessons.get(lid)
        if lesson is None:
            yield unknown_lesson(doc, lid, cur.lessons, "lessons", i)
            continue
        spanned.update({o.id: lid for o in lesson.model.objectives})
    everywhere: dict[str, str] | None = None  # every lesson's, read only for an objective not spanned
    for i, oid in enumerate(doc.model.objectives):
        if oid in spanned:
            continue
        if everywhere is None:
            everywhere = {o.id: lid for lid, lesson in cur.lessons.items() for o in lesson.model.objectives}
        if oid in everywhere:
            message = (
                f"objective `{oid}` belongs to lesson `{everywhere[oid]}`, which the activity does not span"
            )
            hint = f"add `{everywhere[oid]}` to `lessons`, or choose an objective of a spanned lesson"
        else:
            message = f"objective `{oid}` is not an objective of a lesson{did_you_mean(oid, spanned)}"
            hint = "name an objective id from the front matter of a lesson in `lessons`"
        yield Finding(ACTIVITY_OBJECTIVE.at(doc.display, doc.at("objectives", i), message, hint))


def _quiz_link(
    cur: Curriculum, ident: str, doc: Document[Activity], key: str, kind: str
) -> Iterator[Finding]:
    qid: str = getattr(doc.model, key)
    quiz = cur.quizzes.get(qid)
    if quiz is None:
        yield Finding(
            ACTIVITY_QUIZ.at(
                doc.display,
                doc.at(key),
                f"{key} `{qid}` is not a quiz{did_you_mean(qid, cur.quizzes)}",
                f"create quizzes/{qid}.yml (`curriculum new quiz {qid}`, then `kind: {kind}` and "
                f"`activity: {ident}`) or fix the id",
            )
        )
        return
    if quiz.model.kind != kind:
        yield Finding(
            ACTIVITY_QUIZ.at(
                doc.display,
                doc.at(key),
                f"{key} `{qid}` is a {quiz.model.kind} quiz, not a {kind}",
                f"set `kind: {kind}` in {quiz.display}, or name a {kind} quiz here",
            )
        )
    if quiz.model.activity != ident:
        yield Finding(
            ACTIVITY_QUIZ.at(
                doc.display,
                doc.at(key),
                f"{key} `{qid}` does not belong to this activity",
                f"set `activity: {ident}` in {quiz.display} (and remove its `lesson`)",
            )
        )


def _activities_objectives(cur: Curriculum) -> dict[str, list[Any]] | None:
    """Return each activity's id, file and objectives, by the id it is known by (None: no project).

    What :func:`activity_item_objectives` needs of the activities.
    """
    if cur.standalone:
        return None
    return {ident: [doc.id, doc.display, list(doc.model.objectives)] for ident, doc in cur.activities.items()}


@document_check(_activities_objectives, quizzes)
def activity_item_objectives(doc: Document[Any], activities: dict[str, list[Any]]) -> Iterator[Finding]:
    """Check that the items of an activity's quiz measure the activity's objectives only.

    A quiz is checked against its activity's objectives (the context): after
    an edit of one quiz, that quiz alone is checked again.
    """
    activity = activities.get(doc.model.activity or "")
    if activity is None:
        return
    ident, display, own = activity
    for i, item in enumerate(doc.model.items):
        for j, oid in enumerate(item.objectives):
            if oid not in own:
                yield Finding(
                    ACTIVITY_ITEM_OBJECTIVE.at(
                        doc.display,
                        doc.at("items", i, "objectives", j),
                        f"objective `{oid}` is not one of activity `{ident}`'s objectives"
                        f"{did_you_mean(oid, own)}",
                        f"name one of the activity's objectives, or add `{oid}` to {display}",
                    )
                )


@check(always=True)  # "not past" is a matter of today's date
def activity_dates(cur: Curriculum) -> Iterator[Finding]:
    """Release, review and expiration in order; expiration within three years of review and not past."""
    today = dt.date.today()
    for doc in cur.activities.values():
        a = doc.model
        if a.reviewed < a.released:
            yield Finding(
                EXPIRY.at(
                    doc.display,
                    doc.at("reviewed"),
                    f"the last review ({a.reviewed}) is before the release ({a.released})",
                    "a review date is on or after the release date",
                )
            )
        limit = expiry_limit(a.reviewed)
        if a.expires <= a.reviewed:
            yield Finding(
                EXPIRY.at(
                    doc.display,
                    doc.at("expires"),
                    f"the expiration ({a.expires}) is not after the last review ({a.reviewed})",
                    f"set `expires` after `reviewed`, at most {limit}",
                )
            )
        elif a.expires > limit:
            yield Finding(
                EXPIRY.at(
                    doc.display,
                    doc.at("expires"),
                    f"the expiration ({a.expires}) is more than {MAX_YEARS} years after the last review "
                    f"({a.reviewed})",
                    f"set `expires: {limit}` or earlier, or review the activity again and update `reviewed`",
                )
            )
        if a.expires < today:
            yield Finding(
                EXPIRED.at(
                    doc.display,
                    doc.at("expires"),
                    f"the activity expired on {a.expires}",
                    "review the content, then update `reviewed` and `expires`",
                )
            )


@check
def posttest_coverage(cur: Curriculum) -> Iterator[Finding]:
    """Each of an activity's objectives is assessed by at least two post-test items."""
    if cur.standalone:
        return
    for doc in cur.activities.values():
        post = cur.quizzes.get(doc.model.posttest)
        if post is None:
            continue  # reported by activity_links
        counts = Counter(oid for item in post.model.items for oid in set(item.objectives))
        for i, oid in enumerate(doc.model.objectives):
            n = counts[oid]
            if n < POSTTEST_ITEMS_PER_OBJECTIVE:
                yield Finding(
                    POSTTEST_COVERAGE.at(
                        doc.display,
                        doc.at("objectives", i),
                        f"objective `{oid}` is assessed by {n} item{'s' if n != 1 else ''} of post-test "
                        f"`{post.id}`",
                        f"write at least {POSTTEST_ITEMS_PER_OBJECTIVE} post-test items that name it in "
                        "`objectives`",
                    )
                )


known_fact("quiz-owners-1", _owners, _owners_shape)  # made again from a changed quiz by a check record
