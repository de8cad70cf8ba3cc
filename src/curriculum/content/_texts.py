"""Every piece of authored text in a curriculum, with where it is and who owns it.

Citation checks, the language lint and the privacy lint all read the same
texts; this module enumerates them once. Each :class:`TextField` knows how to
turn a character offset into a file position, which lint scope (``owner``) can
silence a finding in it, and whether it describes a patient (``case``), which
is what the privacy lint reads.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from curriculum._memo import Memo
from curriculum.content._models import Quiz, Spotter, TechniqueVocabulary, Vignette, Worksheet
from curriculum.content._notebook import Cell
from curriculum.content._project import Curriculum, Document
from curriculum.content._registry import Finding, document_check
from curriculum.content._yaml import Loc, Pos

__all__ = ["SCANS", "Scanner", "TextField", "TextScan", "text_scan", "text_scans", "texts"]

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


def _every(_field: TextField) -> bool:
    return True


@dataclass(frozen=True)
class Scanner(Generic[_T]):
    """How a :class:`TextScan` reads the texts of one curriculum.

    Attributes
    ----------
    scan : Callable[[str], _T]
        A pure function of a text (given the code and ``context``); false when it finds nothing.
    report : Callable[[TextField, _T], Iterable[Finding]]
        What to report of a text in which ``scan`` found something.
    context : str
        Anything else the results depend on (a digest of the bibliography's keys, say).
    """

    scan: Callable[[str], _T]
    report: Callable[[TextField, _T], Iterable[Finding]]
    context: str = ""


@dataclass(frozen=True)
class TextScan(Generic[_T]):
    """A lint of every authored text, read one file at a time (see :func:`text_scans`).

    Attributes
    ----------
    memo : Memo[list[_T]]
        Names the scan, and keeps its list of results for each file (one result a wanted text).
    context : Callable[[Curriculum], Any]
        What it needs of the curriculum, as JSON data (the bibliography's keys);
        None: there is nothing to look for in this one.
    scanner : Callable[[Any], Scanner[_T]]
        How it reads a text, given that context (as JSON gives it back).
    wanted : Callable[[TextField], bool]
        Which texts it reads (a fixed rule of its code).
    """

    memo: Memo[list[_T]]
    context: Callable[[Curriculum], Any]
    scanner: Callable[[Any], Scanner[_T]]
    wanted: Callable[[TextField], bool] = _every


def _decode_files(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TypeError("a file's scans are an object")
    return data


_FILES = Memo[dict[str, Any]]("content.text-scans", 2, dict, _decode_files)
"""Every scan's results for a file, by its text's digest and every scan's context: one look-up a file.
A scan that found nothing in the file is stored as :data:`_NOTHING`. Each scan's own memo is among
the namespaces it keeps (see :func:`text_scan`)."""
_NOTHING = 0
"""A scan's results in a file where it found nothing (every result false), as :data:`_FILES` keeps them."""
SCANS: list[TextScan[Any]] = []
"""Every registered text scan, in the order they were registered."""


def text_scan(
    memo: Memo[list[_T]],
    context: Callable[[Curriculum], Any],
    scanner: Callable[[Any], Scanner[_T]],
    wanted: Callable[[TextField], bool] = _every,
) -> TextScan[_T]:
    """Register a lint of every authored text; :func:`text_scans` runs it with the others.

    Parameters
    ----------
    memo : Memo[list[T]]
        Names the scan and keeps its results for each file.
    context : Callable[[Curriculum], Any]
        What it needs of a curriculum, as JSON data (None: nothing to look for).
    scanner : Callable[[Any], Scanner[T]]
        How it reads a text, given that context.
    wanted : Callable[[TextField], bool]
        Which texts it reads.

    Returns
    -------
    TextScan[T]
        The registered scan.
    """
    found = TextScan(memo, context, scanner, wanted)
    SCANS.append(found)
    _FILES.keeps = (*_FILES.keeps, memo.namespace)  # a file's results reused rest on the scans' own
    return found


def _scan_contexts(cur: Curriculum) -> list[Any]:
    """Return what every scan needs of the curriculum (:attr:`TextScan.context`), in registry order."""
    return [scan.context(cur) for scan in SCANS]


def _documents(cur: Curriculum) -> list[Document[Any]]:
    """Return every document that holds authored text (its texts: :func:`_texts_of`)."""
    tables: list[Mapping[str, Document[Any]]] = [cur.lessons, cur.quizzes, cur.vignettes, cur.exercises]
    found = [doc for table in [*tables, cur.notes] for doc in table.values()]
    return [*found, cur.techniques] if cur.techniques is not None else found


@document_check(_scan_contexts, _documents)
def text_scans(doc: Document[Any], contexts: list[Any]) -> Iterator[Finding]:
    """Run every text scan (citations, language, privacy, objective ids) over each file's texts.

    The texts of a file, and so what a pure function of each makes of them,
    follow from the file's text: every scan's list of results for a file is
    kept together, by the file's digest and every scan's context, so an
    unchanged file costs one memo look-up however many scans read it. Each
    scan also keeps its own lists (its memo): when one scan's context changes
    (a key added to the bibliography), the others are read from theirs. A
    result that is false means nothing was found in that text; a file whose
    results are all false is passed over without its texts being made, so a
    lesson from the content index is not read for its cells.
    """
    running, context = _running(contexts)
    yield from _file_findings(doc, _once(functools.partial(_texts_of, doc)), running, context)


_MADE: list[tuple[list[Any], list[tuple[TextScan[Any], Scanner[Any]]], str]] = []
"""The scanners made from the last contexts asked for (a check run gives every file the same)."""


def _running(contexts: list[Any]) -> tuple[list[tuple[TextScan[Any], Scanner[Any]]], str]:
    """Return the scanners of the scans with something to look for, and what names their contexts."""
    if not (_MADE and _MADE[0][0] is contexts):
        running = [
            (scan, scan.scanner(data)) for scan, data in zip(SCANS, contexts, strict=True) if data is not None
        ]
        named = json.dumps([[scan.memo.namespace, scan.memo.version, made.context] for scan, made in running])
        _MADE[:] = [(contexts, running, named)]
    return _MADE[0][1], _MADE[0][2]


def _once(texts_of: Callable[[], Iterator[TextField]]) -> Callable[[], list[TextField]]:
    """Return what makes a file's texts, made the first time they are asked for, then kept."""
    made: list[list[TextField]] = []

    def every() -> list[TextField]:
        if not made:
            made.append(list(texts_of()))
        return made[0]

    return every


def _file_findings(
    doc: Document[Any],
    every: Callable[[], list[TextField]],
    running: list[tuple[TextScan[Any], Scanner[Any]]],
    context: str,
) -> Iterator[Finding]:
    """Yield what the scans find in one file's texts (:func:`text_scans`)."""

    def wanted(scan: TextScan[Any]) -> list[TextField]:
        return [field for field in every() if scan.wanted(field)]

    def computed(scan: TextScan[Any], scanner: Scanner[Any]) -> list[Any]:
        def all_of_them() -> list[Any]:
            return [scanner.scan(field.text) for field in wanted(scan)]

        return scan.memo.by_digest(doc.digest, all_of_them, context=scanner.context)

    fresh: dict[str, list[Any]] = {}

    def every_scan() -> dict[str, Any]:
        encoded = {}
        for scan, scanner in running:
            results = fresh[scan.memo.namespace] = computed(scan, scanner)
            encoded[scan.memo.namespace] = scan.memo.encode(results) if any(results) else _NOTHING
        return encoded

    stored = _FILES.by_digest(doc.digest, every_scan, context=context)
    for scan, scanner in running:
        results = fresh.get(scan.memo.namespace)
        if results is None:
            found = stored.get(scan.memo.namespace)
            if type(found) is int and found == _NOTHING:  # most files: nothing to decode
                continue
            try:
                results = scan.memo.decode(found)
            except (KeyError, TypeError, ValueError, IndexError):
                results = computed(scan, scanner)
        if not any(results):
            continue
        fields = wanted(scan)
        if len(results) != len(fields):
            results = [scanner.scan(field.text) for field in fields]  # a damaged entry: the file's own
        for field, result in zip(fields, results, strict=True):
            if result:
                yield from scanner.report(field, result)


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
    for doc in _documents(cur):
        yield from _texts_of(doc)


def _texts_of(doc: Document[Any]) -> Iterator[TextField]:
    """Yield the authored texts of one document (its kind told by its model, read only now)."""
    model = doc.model
    if isinstance(model, Quiz):
        yield from _quiz(doc)
    elif isinstance(model, Vignette):
        yield from _vignette(doc)
    elif isinstance(model, Spotter | Worksheet):
        yield from _exercise(doc)
    elif isinstance(model, TechniqueVocabulary):
        yield from _techniques(doc)
    else:  # a lesson, or facilitator notes
        yield from _cells(doc)


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
