"""A quiz as the exports to other programs take it: HTML with citations as text, the key, labels.

Every exporter that writes the key reads the quiz through :func:`quiz_text`, so
each format carries the same meaning: the stem, the options, each option's
feedback and the rationale, rendered from Markdown to sanitised HTML by the
project's own renderer, with every citation written out as text ("(Krupnick et
al. 1996)", not a link to a page the file does not have) and the rationale
followed by the full entries of the references it rests on (from the
project's citeproc run). A format then only escapes and packs that HTML.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from curriculum.content import Document, Quiz
from curriculum.errors import UsageError
from curriculum.export._base import ExportContext, key_withheld
from curriculum.render import Renderer, html_templates, sanitize

__all__ = ["ItemText", "OptionText", "QuizText", "percent", "quiz_text"]


@dataclass(frozen=True)
class OptionText:
    """One option of an item.

    Attributes
    ----------
    id : str
        The option's id (``a`` to ``h``).
    html : str
        The option's text as inline HTML.
    feedback_html : str
        Why this option is or is not the best, as HTML.
    correct : bool
        Whether the key holds this option.
    fraction : float
        The share of the item's mark, in percent, as Moodle weighs answers: the
        key of a single-best-answer item 100 and the others 0; in a
        select-all-that-apply item each keyed option ``100 / k`` and each other
        option ``-100 / (n - k)``, rounded to Moodle's five decimals.
    """

    id: str
    html: str
    feedback_html: str
    correct: bool
    fraction: float


@dataclass(frozen=True)
class ItemText:
    """One item, rendered.

    Attributes
    ----------
    id : str
        The item's id.
    multiple : bool
        Select all that apply (True) or a single best answer.
    stem_html : str
        The stem as HTML.
    options : tuple[OptionText, ...]
        The options in the authored order.
    rationale_html : str
        The rationale, then the full references, as HTML.
    objectives : tuple[str, ...]
        The ids of the objectives the item assesses.
    labels : tuple[tuple[str, str], ...]
        What the item is filed under, as (kind, id) pairs: ``quiz``, the
        quiz's ``lesson`` or ``activity`` where it has one, then each
        ``objective``. Anki writes them as tags, Moodle as tags beside the
        quiz's category.
    """

    id: str
    multiple: bool
    stem_html: str
    options: tuple[OptionText, ...]
    rationale_html: str
    objectives: tuple[str, ...]
    labels: tuple[tuple[str, str], ...]

    @property
    def answer(self) -> tuple[str, ...]:
        """The ids of the keyed options."""
        return tuple(o.id for o in self.options if o.correct)

    @property
    def tags(self) -> tuple[str, ...]:
        """The labels as Moodle's tags, ``<kind>-<id>`` (GIFT, Moodle XML and CSV write the same ones)."""
        return tuple(f"{kind}-{ident}" for kind, ident in self.labels)


@dataclass(frozen=True)
class QuizText:
    """A quiz, rendered for an export.

    Attributes
    ----------
    id : str
        The quiz id.
    title : str
        The quiz's title.
    site : str
        The site id (a slug of the website's title): it keeps two curricula's
        exports apart in one learning-management system or Anki collection.
    category : tuple[str, ...]
        Where the quiz's questions go in a question bank: the lesson or
        activity (where the quiz has one), then the quiz id.
    shuffle : bool
        Whether the options are shown in a new order each time.
    items : tuple[ItemText, ...]
        The items in order.
    """

    id: str
    title: str
    site: str
    category: tuple[str, ...]
    shuffle: bool
    items: tuple[ItemText, ...]


def quiz_text(quiz: Document[Quiz], context: ExportContext, format_name: str) -> QuizText:
    """Return a quiz rendered for an export that writes its key.

    Parameters
    ----------
    quiz : Document[Quiz]
        The quiz.
    context : ExportContext
        The checked curriculum, its renderer (whose formatted references are
        used) and the profile.
    format_name : str
        The export format, for the error message.

    Raises
    ------
    UsageError
        If the quiz is summative and the profile is not ``faculty``: a
        summative quiz's key stays with the faculty, as on the site.
    """
    from curriculum.project import site_id

    if key_withheld(quiz, context.profile):
        raise UsageError(
            f"quiz `{quiz.id}` is summative, and a {format_name} export carries its key: "
            f"export it with --profile faculty, and keep the file away from learners"
        )
    model = quiz.model
    md = Renderer(context.renderer.references, cite_links=False)
    place = _place(model)
    quiz_labels = (("quiz", quiz.id), *place)
    items = []
    for item in model.items:
        answer = set(item.key_ids)
        multiple = item.type == "multiple"
        options = tuple(
            OptionText(
                id=o.id,
                html=md.inline(o.text),
                feedback_html=md.block(o.feedback),
                correct=o.id in answer,
                fraction=_fraction(o.id in answer, multiple, len(answer), len(item.options)),
            )
            for o in item.options
        )
        cited = [item.rationale, item.stem, *(t for o in item.options for t in (o.text, o.feedback))]
        items.append(
            ItemText(
                id=item.id,
                multiple=multiple,
                stem_html=md.block(item.stem),
                options=options,
                rationale_html=_rationale(md, item.rationale, [*item.references, *_keys(md, cited)]),
                objectives=tuple(item.objectives),
                labels=(*quiz_labels, *(("objective", o) for o in item.objectives)),
            )
        )
    root = context.curriculum.root
    site = context.site or (site_id(root) if root is not None else "curriculum")
    return QuizText(
        id=quiz.id,
        title=model.title,
        site=site,
        category=(*(ident for _, ident in place), quiz.id),
        shuffle=model.shuffle,
        items=tuple(items),
    )


def percent(fraction: float) -> str:
    """Return an answer's fraction as Moodle writes it: up to five decimals, no trailing zeros."""
    return f"{fraction:.5f}".rstrip("0").rstrip(".")


def _place(model: Quiz) -> tuple[tuple[str, str], ...]:
    """Return the lesson or activity a quiz belongs to, as (kind, id) pairs (none for neither)."""
    places = (("activity", model.activity), ("lesson", model.lesson))
    return tuple((kind, ident) for kind, ident in places if ident)


def _fraction(correct: bool, multiple: bool, keyed: int, options: int) -> float:
    if not multiple:
        return 100.0 if correct else 0.0
    if correct:
        return round(100 / keyed, 5)
    return round(-100 / (options - keyed), 5) if options > keyed else 0.0


def _keys(md: Renderer, texts: list[str]) -> list[str]:
    return [key for text in texts for key in md.keys(text)]


def _rationale(md: Renderer, rationale: str, keys: list[str]) -> str:
    """Return the rationale and, after it, the full entry of every reference it rests on."""
    entries = []
    for key in dict.fromkeys(keys):
        ref = md.reference(key)
        entries.append(Markup(sanitize(ref.html)) if ref is not None else key)
    template = html_templates("curriculum.export").get_template("rationale.html.j2")
    return template.render(rationale=Markup(md.block(rationale)), references=entries).strip()
