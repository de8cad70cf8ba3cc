"""Every piece of authored text in a curriculum, with where it is and who owns it.

Citation checks, the language lint and the privacy lint all read the same
texts; this module enumerates them once. Each :class:`TextField` knows how to
turn a character offset into a file position, which lint scope (``owner``) can
silence a finding in it, and whether it describes a patient (``case``), which
is what the privacy lint reads.
"""

from __future__ import annotations

import itertools
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
    """Yield each wanted text with ``compute(text)``, remembered one file at a time.

    The texts of a file, and so what a pure function of each makes of them,
    follow from the file's text: ``memo`` keeps one list per file, keyed by
    its digest (see :mod:`curriculum._memo`), so a check reads an unchanged
    file's results with one look-up instead of one per text.

    Parameters
    ----------
    cur : Curriculum
        The loaded curriculum.
    memo : Memo[list[T]]
        Where each file's list of results is kept.
    compute : Callable[[str], T]
        A pure function of a text (given the code and ``context``).
    wanted : Callable[[TextField], bool]
        Which texts the check reads (a fixed rule of the check's code).
    context : str
        Anything else the results depend on.
    """
    for group in _by_file(cur):
        fields = [field for field in group if wanted(field)]
        if fields:
            yield from zip(fields, _results(memo, compute, fields, context), strict=True)


def _by_file(cur: Curriculum) -> list[list[TextField]]:
    """Return the texts of ``cur`` grouped by file, made once for the checks that read them all.

    The texts of a file follow from its text, as the memo's keys do, so the
    groups are kept on the curriculum while it holds the same files (with
    the same digests); content made in code, without digests, is read each time.
    """
    files = [(id(doc), doc.digest) for doc in cur.documents()]
    kept: tuple[list[tuple[int, str]], list[list[TextField]]] | None = cur.__dict__.get("_texts_by_file")
    if kept is not None and kept[0] == files:
        return kept[1]
    groups = [list(group) for _, group in itertools.groupby(texts(cur), key=lambda field: id(field.doc))]
    if all(digest for _, digest in files):
        cur.__dict__["_texts_by_file"] = (files, groups)
    return groups


def _results(
    memo: Memo[list[_T]], compute: Callable[[str], _T], fields: list[TextField], context: str
) -> list[_T]:
    """Return ``compute`` of each text of one file, from the memo while the file is unchanged."""
    digest = fields[0].doc.digest

    def all_of_them() -> list[_T]:
        return [compute(field.text) for field in fields]

    if not digest:  # a document made in code, not read from a file
        return all_of_them()
    results = memo.get(f"{digest}\0{len(fields)}", all_of_them, context=context)
    return results if len(results) == len(fields) else all_of_them()  # a damaged entry: the file's own


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
    for lesson in cur.lessons.values():
        for cell in lesson.cells:
            if cell.kind == "markdown":
                yield TextField(lesson, (), cell.text, (), False, cell)
    for quiz in cur.quizzes.values():
        yield from _quiz(quiz)
    for vignette in cur.vignettes.values():
        yield from _vignette(vignette)
    for exercise in cur.exercises.values():
        yield from _exercise(exercise)
    for notes in cur.notes.values():
        for body in notes.cells:
            yield TextField(notes, (), body.text, (), False, body)
    if cur.techniques is not None:
        vocab: TechniqueVocabulary = cur.techniques.model
        for i, t in enumerate(vocab.techniques):
            yield TextField(cur.techniques, ("techniques", i, "definition"), t.definition, (), False)


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
