"""Every piece of authored text in a curriculum, with where it is and who owns it.

Citation checks, the language lint and the privacy lint all read the same
texts; this module enumerates them once. Each :class:`TextField` knows how to
turn a character offset into a file position, which lint scope (``owner``) can
silence a finding in it, and whether it describes a patient (``case``), which
is what the privacy lint reads.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from curriculum._memo import Memo
from curriculum.content._models import Quiz, Spotter, TechniqueVocabulary, Vignette, Worksheet
from curriculum.content._notebook import Cell
from curriculum.content._project import Curriculum, Document
from curriculum.content._yaml import Loc, Pos

__all__ = ["TextField", "by_document", "texts"]

_T = TypeVar("_T")


@dataclass(frozen=True)
class TextField:
    """One authored text.

    Attributes
    ----------
    doc : Document
        The file it is in.
    loc : Loc
        Its key path (empty for a notebook cell).
    text : str
        The text.
    owner : Loc
        Key path of the scope whose ``suppress`` may silence findings here.
    case : bool
        True when the text describes a (fictional) patient.
    cell : Cell | None
        The notebook cell, for lesson text; the body, for facilitator notes.
    """

    doc: Document[Any]
    loc: Loc
    text: str
    owner: Loc
    case: bool
    cell: Cell | None = None

    def pos(self, offset: int) -> Pos:
        """Return the file position of character ``offset`` of the text."""
        if self.cell is not None:
            return self.cell.pos(offset)
        return self.doc.inside(self.loc, offset, self.text)


def by_document(
    cur: Curriculum,
    memo: Memo[list[_T]],
    compute: Callable[[str], _T],
    *,
    wanted: Callable[[TextField], bool] = lambda _field: True,
    context: str = "",
) -> Iterator[tuple[TextField, _T]]:
    """Yield each wanted text whose ``compute(text)`` found something, remembered one file at a time.

    The texts of a file, and so what a pure function of each makes of them,
    follow from the file's text: ``memo`` keeps one list per file, keyed by
    its digest (see :mod:`curriculum._memo`), so a check reads an unchanged
    file's results with one look-up instead of one per text. A result that is
    false (an empty list) means nothing was found in that text; a file whose
    results are all false is passed over without its texts being made, so a
    lesson from the content index is not read for its cells.

    Parameters
    ----------
    cur : Curriculum
        The loaded curriculum.
    memo : Memo[list[T]]
        Where each file's list of results is kept.
    compute : Callable[[str], T]
        A pure function of a text (given the code and ``context``); false when it finds nothing.
    wanted : Callable[[TextField], bool]
        Which texts the check reads (a fixed rule of the check's code).
    context : str
        Anything else the results depend on.
    """
    for doc, texts_of in _documents(cur):
        yield from _found(doc, texts_of, memo, compute, wanted, context)


def _found(
    doc: Document[Any],
    texts_of: Callable[[], Iterator[TextField]],
    memo: Memo[list[_T]],
    compute: Callable[[str], _T],
    wanted: Callable[[TextField], bool],
    context: str,
) -> Iterator[tuple[TextField, _T]]:
    """Yield the wanted texts of one document in which ``compute`` found something (:func:`by_document`)."""
    made: list[list[TextField]] = []

    def fields() -> list[TextField]:
        if not made:
            made.append([field for field in texts_of() if wanted(field)])
        return made[0]

    def all_of_them() -> list[_T]:
        return [compute(field.text) for field in fields()]

    if not doc.digest:  # a document made in code, not read from a file
        results = all_of_them()
    else:
        results = memo.get(doc.digest, all_of_them, context=context)
        if not any(results):
            return
        if len(results) != len(fields()):
            results = all_of_them()  # a damaged entry: the file's own
    yield from ((field, result) for field, result in zip(fields(), results, strict=True) if result)


def texts(cur: Curriculum) -> Iterator[TextField]:
    """Yield every authored text of the curriculum.

    Parameters
    ----------
    cur : Curriculum
        The loaded curriculum.

    Yields
    ------
    TextField
        Each text, in file order.
    """
    for _, texts_of in _documents(cur):
        yield from texts_of()


def _documents(cur: Curriculum) -> Iterator[tuple[Document[Any], Callable[[], Iterator[TextField]]]]:
    """Yield each document that holds authored text, with how to make its texts (made only when asked)."""
    for lesson in cur.lessons.values():
        yield lesson, functools.partial(_cells, lesson)
    for quiz in cur.quizzes.values():
        yield quiz, functools.partial(_quiz, quiz)
    for vignette in cur.vignettes.values():
        yield vignette, functools.partial(_vignette, vignette)
    for exercise in cur.exercises.values():
        yield exercise, functools.partial(_exercise, exercise)
    for notes in cur.notes.values():
        yield notes, functools.partial(_cells, notes)
    if cur.techniques is not None:
        yield cur.techniques, functools.partial(_techniques, cur.techniques)


def _cells(doc: Document[Any]) -> Iterator[TextField]:
    for cell in doc.cells:
        if cell.kind == "markdown":
            yield TextField(doc, (), cell.text, (), False, cell)


def _techniques(doc: Document[TechniqueVocabulary]) -> Iterator[TextField]:
    for i, t in enumerate(doc.model.techniques):
        yield TextField(doc, ("techniques", i, "definition"), t.definition, (), False)


def _quiz(doc: Document[Quiz]) -> Iterator[TextField]:
    quiz = doc.model
    if quiz.instructions:
        yield TextField(doc, ("instructions",), quiz.instructions, (), False)
    for i, item in enumerate(quiz.items):
        owner: Loc = ("items", i)
        yield TextField(doc, (*owner, "stem"), item.stem, owner, True)
        for j, option in enumerate(item.options):
            yield TextField(doc, (*owner, "options", j, "text"), option.text, owner, True)
            yield TextField(doc, (*owner, "options", j, "feedback"), option.feedback, owner, False)
        yield TextField(doc, (*owner, "rationale"), item.rationale, owner, False)


def _vignette(doc: Document[Vignette]) -> Iterator[TextField]:
    v = doc.model
    yield TextField(doc, ("patient", "summary"), v.patient.summary, (), True)
    for name, node in v.nodes.items():
        at: Loc = ("nodes", name)
        yield TextField(doc, (*at, "scene"), node.scene, (), True)
        for j, choice in enumerate(node.choices):
            yield TextField(doc, (*at, "choices", j, "text"), choice.text, (), True)
            yield TextField(doc, (*at, "choices", j, "feedback"), choice.feedback, (), False)
        if node.debrief:
            yield TextField(doc, (*at, "debrief"), node.debrief, (), True)
        for j, part in enumerate(node.debrief_if):
            yield TextField(doc, (*at, "debrief_if", j, "text"), part.text, (), True)
    for j, question in enumerate(v.discussion):
        yield TextField(doc, ("discussion", j), question, (), False)
    if v.facilitator:
        yield TextField(doc, ("facilitator",), v.facilitator, (), False)


def _exercise(doc: Document[Spotter | Worksheet]) -> Iterator[TextField]:
    ex = doc.model
    if isinstance(ex, Spotter):
        yield TextField(doc, ("context",), ex.context, (), True)
        for i, turn in enumerate(ex.turns):
            yield TextField(doc, ("turns", i, "text"), turn.text, (), True)
            if turn.reason:
                yield TextField(doc, ("turns", i, "reason"), turn.reason, (), False)
        return
    for key in ("case", "prompt"):
        value = getattr(ex, key)
        if value:
            yield TextField(doc, (key,), value, (), key == "case")
    for field_id, text in ex.example.items():
        yield TextField(doc, ("example", field_id), text, (), True)
