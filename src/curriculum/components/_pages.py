"""The site's generated pages for the built-in kinds: a page per quiz and per case, and their indexes.

Each page is written by a :class:`~curriculum.render.PageWriter` from the
templates in ``templates/`` (autoescaped), piece by piece with the authored
place of each piece, so Pandoc's errors on a generated page point at the
author's file and line. Both engines render these pages: Quarto shows each
component's static fragment; the Pandoc engine puts its own mount there.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from markupsafe import Markup

from curriculum._memo import Memo
from curriculum.components._spec import COMPONENTS, PageContext
from curriculum.content import Document, Quiz, Vignette
from curriculum.render import GeneratedPage, PageWriter, Piece, html_templates, reference_list

__all__ = ["LABELS", "QUIZ_KINDS", "case_library", "case_page", "quiz_index", "quiz_page"]

QUIZ_KINDS = {
    "formative": "Formative self-check",
    "pretest": "Pre-test",
    "posttest": "Post-test",
    "summative": "Summative test",
}
"""How pages name each kind of quiz."""
LABELS = {
    "modality": {
        "common": "Common factors",
        "supportive": "Supportive",
        "psychodynamic": "Psychodynamic",
        "cbt": "CBT",
        "integrated": "Integrated",
    },
    "disorder": {
        "schizophrenia": "Schizophrenia",
        "psychosis": "Psychosis",
        "bipolar": "Bipolar disorder",
        "depression": "Depression",
        "borderline-personality": "Borderline personality disorder",
        "substance-use": "Substance use",
        "anxiety": "Anxiety",
        "trauma": "Trauma",
        "general": "General",
    },
    "setting": {
        "inpatient": "Inpatient",
        "outpatient": "Outpatient",
        "emergency": "Emergency",
        "consultation-liaison": "Consultation-liaison",
        "community": "Community",
        "medication-visit": "Medication visit",
        "partial-hospital": "Partial hospital",
        "residential": "Residential",
    },
}
"""How the case library names a vignette's modality, disorder and setting."""
_FILTERS = (("modality", "Approach"), ("disorder", "Clinical problem"), ("setting", "Setting"))


def _component(ctx: PageContext, page: PageWriter, kind: str, ident: str, doc: Document[Any]) -> None:
    """Add the component that shows ``doc`` (located at the top of its file)."""
    page.component(kind, (ident,), ctx.show(kind, (ident,)), (doc.display, (1, 1)))


def _macros(name: str) -> Any:
    return html_templates("curriculum.components").get_template(name).module


def quiz_page(ctx: PageContext, ident: str) -> GeneratedPage:
    """Return ``quiz/<ident>.qmd``: the quiz, its printable handout, and the faculty's answer key."""
    doc: Document[Quiz] = ctx.curriculum.quizzes[ident]
    quiz = doc.model
    md = ctx.builder.renderer
    ui = _macros("quiz.html.j2")
    parts = _macros("parts.html.j2")
    facts = [QUIZ_KINDS[quiz.kind], f"{len(quiz.items)} items"]
    if quiz.pass_mark is not None:
        facts.append(f"pass mark {round(quiz.pass_mark * 100)}%")
    page = PageWriter(quiz.title, doc.where("title"))
    meta = parts.page_meta(facts, ctx.lesson(quiz.lesson), ctx.activity(quiz.activity))
    page.raw((str(meta), (doc.display, (1, 1))))
    if quiz.kind == "summative":
        page.raw(str(ui.graded_notice()))
    page.raw(str(ui.opening()))
    _component(ctx, page, "quiz", ident, doc)
    page.raw(str(ui.closing()))
    from curriculum.export import ExportContext, Handout  # the exporters only for a quiz page made again

    page.raw(*Handout().pieces(doc, ExportContext(ctx.curriculum, md, ctx.builder.profile)))
    cited = [text for item in quiz.items for text in (item.stem, *(o.text for o in item.options))]
    if ctx.builder.profile == "faculty":
        rows: list[Piece] = []
        for n, item in enumerate(quiz.items, 1):
            keys = item.key_ids
            best = [{"id": o.id, "html": Markup(md.inline(o.text))} for o in item.options if o.id in keys]
            row = ui.key_row(n, item, best, Markup(md.block(item.rationale)))
            rows.append((str(row), doc.where("items", n - 1, "rationale")))
        page.markdown('::: {.content-visible when-profile="faculty"}\n## Answer key')
        page.raw(str(ui.key_opening()), *rows, str(ui.key_closing()))
        page.markdown(":::")
        cited += [item.rationale for item in quiz.items]
    references = reference_list(md, cited)
    if references:
        page.raw((references, doc.where("items")))
    return page.finish()


def quiz_index(ctx: PageContext) -> GeneratedPage:
    """Return ``quiz/index.qmd``: every quiz, with its kind, size, lesson and the learner's progress."""
    ui = _macros("quiz.html.j2")
    rows: list[Piece] = []
    for ident, doc in sorted(ctx.curriculum.quizzes.items()):
        quiz = _listed(doc)
        row = ui.listing_row(ident, quiz.title, QUIZ_KINDS[quiz.kind], quiz.progress, ctx.lesson(quiz.lesson))
        rows.append((str(row), doc.where("title")))
    page = PageWriter("Quizzes")
    page.markdown(
        "Every lesson ends with a formative self-check. Feedback is immediate, nothing is graded, "
        "and your answers stay in this browser."
    )
    page.raw(str(ui.listing_opening()), *rows, str(ui.listing_closing()))
    return page.finish()


class _Listed(NamedTuple):
    """What the quiz index shows of a quiz: its title, kind, progress facts and lesson."""

    title: str
    kind: str
    progress: dict[str, Any]
    lesson: str | None


def _listed(doc: Document[Quiz]) -> _Listed:
    """Return what the quiz index shows of a quiz, remembered by the digest of its text.

    Any quiz's edit makes the index again; the quizzes the build has not
    changed are then looked up, not validated.
    """

    def listed() -> _Listed:
        quiz = doc.model
        return _Listed(quiz.title, quiz.kind, COMPONENTS["quiz"].progress(quiz), quiz.lesson)

    return _LISTED.by_digest(doc.digest, listed)


def _listed_value(data: object) -> _Listed:
    """Decode a remembered :class:`_Listed` (a JSON list); raises TypeError for data of another shape."""
    if not isinstance(data, list) or len(data) != len(_Listed._fields):
        raise TypeError("not a quiz's listing")
    title, kind, progress, lesson = data
    if not (isinstance(title, str) and kind in QUIZ_KINDS and isinstance(progress, dict)):
        raise TypeError("not a quiz's listing")
    if lesson is not None and not isinstance(lesson, str):
        raise TypeError("not a quiz's listing")
    return _Listed(title, kind, progress, lesson)


_LISTED = Memo[_Listed]("components.quiz-listing", 1, list, _listed_value)
"""What the quiz index shows of each quiz (:func:`_listed`), by the quiz text's digest."""


def case_page(ctx: PageContext, ident: str) -> GeneratedPage:
    """Return ``cases/<ident>.qmd``: one branching case on a page of its own."""
    doc: Document[Vignette] = ctx.curriculum.vignettes[ident]
    v = doc.model
    ui = _macros("case.html.j2")
    facts = [LABELS[key][getattr(v, key)] for key, _ in _FILTERS]
    meta = _macros("parts.html.j2").page_meta(facts, ctx.lesson(v.lesson))
    page = PageWriter(v.title, doc.where("title"))
    page.raw((str(meta), (doc.display, (1, 1))), str(ui.opening()))
    _component(ctx, page, "vignette", ident, doc)
    page.raw(str(ui.closing()))
    return page.finish()


def case_library(ctx: PageContext) -> GeneratedPage:
    """Return ``cases/index.qmd``: every case as a card, filterable by approach, problem and setting."""
    ui = _macros("case.html.j2")
    cards: list[Piece] = []
    values: dict[str, set[str]] = {key: set() for key, _ in _FILTERS}
    for ident, doc in sorted(ctx.curriculum.vignettes.items()):
        v = doc.model
        for key in values:
            values[key].add(getattr(v, key))
        badges = [LABELS[key][getattr(v, key)] for key, _ in _FILTERS]
        progress = COMPONENTS["vignette"].progress(v)
        cards += [
            (str(ui.card_opening(ident, v, badges)), doc.where("title")),
            (ctx.builder.renderer.block(v.patient.summary), doc.where("patient", "summary")),
            str(ui.card_closing(ident, ctx.lesson(v.lesson), progress)),
        ]
    selects = [
        {
            "name": key,
            "label": label,
            "options": [(value, LABELS[key][value]) for value in sorted(values[key])],
        }
        for key, label in _FILTERS
    ]
    page = PageWriter("Case library")
    page.markdown(
        "Branching case vignettes: fictional composites in which you choose what to say next and see "
        "why it helps or not. Filter by approach, clinical problem and setting."
    )
    page.raw(str(ui.filters(selects)), *cards, str(ui.library_closing()))
    return page.finish()
