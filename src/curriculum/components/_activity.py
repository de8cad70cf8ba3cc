"""The activity kind: a CME-style self-assessment over lessons, with its evaluation and certificate.

One component, ``activity``, shows an activity (``activities/<id>.yml``): its
framing (objectives, hours, faculty and disclosures, dates, how to take part,
the pass mark), the steps in order (pre-test, lessons, post-test) with what
the learner has done in each, the post-activity evaluation and the
certificate of completion. Its saved state (the record ``activity:<id>``) holds
the evaluation, the learner's name as typed and the certificate issued; the
post-test's record says whether the learner passed, so the payload names the
records the component reads (``needs``) and both hosts hand their states in
(the ``records`` model attribute, ``docs/components.md``).

The site gives each activity three pages: the start page, the evaluation and
the certificate; each shows the same component, which draws the part its page
names (``data-activity-part``); a notebook shows every part.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from curriculum.components._spec import PageContext, Status
from curriculum.content import Activity, Document
from curriculum.render import GeneratedPage, PageWriter, PayloadBuilder, html_templates

__all__ = [
    "ACTIVITY_MORE_PAGES",
    "ACTIVITY_PARTS",
    "EVALUATION",
    "activity_index",
    "activity_pages",
    "activity_payload",
    "activity_progress",
    "activity_search",
    "activity_status",
]

ACTIVITY_PARTS = ("start", "evaluation", "certificate")
"""The activity's pages, each showing one part of the component (a notebook shows all)."""

EVALUATION: dict[str, Any] = {
    "scale": ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"],
    "likert": [
        {"id": "objectives", "text": "The activity met its stated objectives."},
        {"id": "relevance", "text": "The content is relevant to my clinical work."},
        {"id": "evidence", "text": "The content was evidence-based and clinically sound."},
        {"id": "format", "text": "The pre-test, lessons and post-test helped me learn."},
        {"id": "time", "text": "The estimated time matched the time I spent."},
    ],
    "change": {
        "text": "Will you change anything in your practice because of this activity?",
        "choices": [
            {"id": "yes", "text": "Yes"},
            {"id": "already", "text": "No: I already practise this way"},
            {"id": "no", "text": "No"},
            {"id": "unsure", "text": "Not sure yet"},
        ],
    },
    "bias": {
        "text": "Was the content free of commercial bias?",
        "choices": [
            {"id": "yes", "text": "Yes, free of commercial bias"},
            {"id": "no", "text": "No, I noticed bias"},
        ],
    },
}
"""The post-activity evaluation's questions: Likert statements on one scale, intent to change
practice, perceived commercial bias, and free text (what will change, where bias was seen,
comments). The saved answers use the ids here (``docs/components.md``, "Activity")."""

STATEMENT = (
    "This certificate records self-assessment; it is not accredited CME credit unless an "
    "accredited provider issues it."
)
"""The plain statement every certificate and start page carries."""


def activity_payload(builder: PayloadBuilder, ident: str) -> dict[str, Any]:
    """Return the payload of activity ``ident``: its framing, its steps and its evaluation.

    Raises
    ------
    KeyError
        If there is no such activity.
    """
    cur = builder.curriculum
    doc: Document[Activity] = cur.activities[ident]
    a = doc.model
    md = builder.renderer
    pre, post = cur.quizzes.get(a.pretest), cur.quizzes.get(a.posttest)
    lessons = [{"id": lid, "title": cur.lessons[lid].model.title} for lid in a.lessons if lid in cur.lessons]
    payload = builder.common(
        "activity", ident, a.title, None, list(a.objectives), [a.description, a.participation]
    )
    payload.update(
        {
            "objective_ids": list(a.objectives),
            "description_html": md.block(a.description),
            "participation_html": md.block(a.participation),
            "hours": a.hours,
            "faculty": [{"name": f.name, "role": f.role, "disclosure": f.disclosure} for f in a.faculty],
            "released": a.released.isoformat(),
            "reviewed": a.reviewed.isoformat(),
            "expires": a.expires.isoformat(),
            "lessons": lessons,
            "pretest": _quiz_step(a.pretest, pre),
            "posttest": _quiz_step(a.posttest, post),
            "pass_mark": post.model.pass_mark if post is not None else None,
            "needs": [f"quiz:{a.pretest}", f"quiz:{a.posttest}"],
            "evaluation": EVALUATION,
            "statement": STATEMENT,
        }
    )
    return payload


def _quiz_step(ident: str, doc: Document[Any] | None) -> dict[str, Any]:
    if doc is None:
        return {"id": ident, "title": ident, "items": 0}
    return {"id": ident, "title": doc.model.title, "items": len(doc.model.items)}


def activity_status(state: Mapping[str, Any]) -> Status:
    """Return the activity's line in ``curriculum.progress()``: certificate, evaluation, or not yet."""
    certificate = state.get("certificate")
    if isinstance(certificate, Mapping) and isinstance(certificate.get("score"), (int, float)):
        return Status("certificate issued", f"{round(certificate['score'] * 100)}%")
    evaluation = state.get("evaluation")
    if isinstance(evaluation, Mapping) and evaluation.get("submitted"):
        return Status("evaluation completed")
    return Status("in progress" if state else "not started")


def activity_progress(activity: Activity) -> dict[str, Any]:
    """Return what the progress page needs of an activity: its four steps."""
    return {"total": 4}


def activity_search(payload: Mapping[str, Any]) -> tuple[str | None, list[str]]:
    """Return what a learner reads on the start page, for the search index."""
    objectives = [str(text) for text in (payload.get("objectives") or {}).values()]
    return "About the activity", [payload.get("description_html") or "", *objectives]


def _macros() -> Any:
    return html_templates("curriculum.components").get_template("activity.html.j2").module


def _part_page(ctx: PageContext, ident: str, part: str) -> GeneratedPage:
    doc: Document[Activity] = ctx.curriculum.activities[ident]
    a = doc.model
    ui = _macros()
    post = ctx.curriculum.quizzes.get(a.posttest)
    pass_mark = post.model.pass_mark if post is not None else None
    titles = {
        "start": a.title,
        "evaluation": f"Evaluation: {a.title}",
        "certificate": f"Certificate: {a.title}",
    }
    page = PageWriter(titles[part], (doc.display, doc.at("title")))
    page.raw((str(ui.meta(ident, a, part, pass_mark)), (doc.display, (1, 1))))
    page.raw(str(ui.opening(part)))
    page.component("activity", (ident,), ctx.show("activity", (ident,)), (doc.display, (1, 1)))
    page.raw(str(ui.closing()))
    return page.finish()


def activity_pages(ctx: PageContext, ident: str) -> GeneratedPage:
    """Return ``activity/<ident>.qmd``, the activity's start page."""
    return _part_page(ctx, ident, "start")


ACTIVITY_MORE_PAGES: dict[str, Callable[[PageContext, str], GeneratedPage]] = {
    part: functools.partial(_part_page, part=part) for part in ACTIVITY_PARTS[1:]
}
"""The activity's other pages, by name: ``<ident>-evaluation`` and ``<ident>-certificate``."""


def activity_index(ctx: PageContext) -> GeneratedPage:
    """Return ``activity/index.qmd``: every activity, with its hours and the learner's progress."""
    ui = _macros()
    rows = [
        (str(ui.listing_row(ident, doc.model, activity_progress(doc.model))), (doc.display, doc.at("title")))
        for ident, doc in sorted(ctx.curriculum.activities.items())
    ]
    page = PageWriter("Self-assessment activities")
    page.markdown(
        "Each activity spans several lessons: a pre-test, the lessons, a post-test with a pass mark, "
        "an evaluation and a certificate of completion. The certificate records self-assessment; it is "
        "not accredited CME credit unless an accredited provider issues it."
    )
    page.raw(str(ui.listing_opening()), *rows, str(ui.listing_closing()))
    return page.finish()
