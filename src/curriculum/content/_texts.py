"""Every piece of authored text in a curriculum, with where it is and who owns it.

Citation checks, the language lint and the privacy lint all read the same
texts; this module enumerates them once. Each :class:`TextField` knows how to
turn a character offset into a file position, which lint scope (``owner``) can
silence a finding in it, and whether it describes a patient (``case``), which
is what the privacy lint reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from curriculum.content._models import Quiz, Spotter, TechniqueVocabulary, Vignette, Worksheet
from curriculum.content._notebook import Cell
from curriculum.content._project import Curriculum, Document
from curriculum.content._yaml import Loc, Pos

__all__ = ["TextField", "texts"]


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
