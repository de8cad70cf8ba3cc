"""Curriculum-wide checks: ids, answers, references, vignette graphs, assessment.

Each check is a registered generator (see :mod:`._registry`). Checks that
need the whole project (does this objective exist? does this key resolve?)
are skipped when files are checked on their own, outside a project.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from curriculum._memo import Memo
from curriculum.content._bibliography import BIBLIOGRAPHY
from curriculum.content._calls import Call, CellCode, parse_cells, signatures
from curriculum.content._citations import UNRESOLVED_BY_FILE, cited_keys
from curriculum.content._diagnostics import RULES, Severity
from curriculum.content._facts import document_fact, known_fact
from curriculum.content._models import (
    ID_PATTERN,
    LessonFrontMatter,
    Quiz,
    Spotter,
    TechniqueVocabulary,
    Vignette,
    Worksheet,
)
from curriculum.content._nesting import nesting_problem
from curriculum.content._notebook import Cell
from curriculum.content._project import Curriculum, Document
from curriculum.content._registry import (
    Finding,
    check,
    document_check,
    document_findings,
    findings_memo,
    no_context,
    quizzes,
)
from curriculum.content._texts import Scanner, TextField, text_scan
from curriculum.content._validate import did_you_mean
from curriculum.content._worksheets import WORKSHEET_FIELDS
from curriculum.content._yaml import Pos

__all__: list[str] = []

R = RULES.add
DUPLICATE_ID = R(
    "CUR301",
    Severity.error,
    "An id is used twice.",
    "Progress files, analytics and exports key everything by id.",
)
FILE_NAME = R("CUR302", Severity.error, "A file name is not a valid id, or differs from the id inside.")
ANSWER_UNKNOWN = R("CUR303", Severity.error, "An answer names an option that does not exist.")
ANSWER_COUNT = R(
    "CUR304",
    Severity.error,
    "A single item has other than one answer, or a multiple item has none.",
)
OPTION_DUPLICATE = R("CUR305", Severity.error, "Two options of an item share an id.")
OBJECTIVE_UNKNOWN = R("CUR306", Severity.error, "An objective id is not in any lesson's front matter.")
REFERENCE_UNKNOWN = R("CUR307", Severity.error, "A reference key is not in references.bib.")
CITATION_UNKNOWN = R("CUR308", Severity.error, "A `[@key]` citation is not in references.bib.")
TECHNIQUE_UNKNOWN = R("CUR309", Severity.error, "A technique id is not in vignettes/techniques.yml.")
LESSON_UNKNOWN = R("CUR310", Severity.error, "A lesson id does not name a lesson notebook.")
CONTENT_UNKNOWN = R(
    "CUR311", Severity.error, "A lesson lists a quiz, vignette or exercise that does not exist."
)
MILESTONES = R("CUR313", Severity.error, "A lesson's milestones omit a competency its objectives serve.")
SPOTTER = R("CUR314", Severity.error, "A spotter turn's label is incomplete or not offered to the learner.")
WORKSHEET = R("CUR315", Severity.error, "A worksheet is missing its prompt or names an unknown field.")
NO_BIBLIOGRAPHY = R("CUR316", Severity.error, "The project has no references.bib.")
CALL_UNKNOWN = R(
    "CUR317",
    Severity.error,
    "A code cell shows a quiz, vignette, exercise or lesson that does not exist.",
    "The site would publish an error box in its place.",
)
RESERVED_ID = R(
    "CUR318",
    Severity.error,
    "A content id is reserved: its page would replace a generated page, or its file name is not portable.",
    "`quiz/index.html` and `cases/index.html` are the generated quiz list and case library; "
    "Windows cannot create files named after devices such as `con` or `nul`.",
)
CELL_SYNTAX = R("CUR319", Severity.error, "A code cell is not valid Python.")

START = R("CUR401", Severity.error, "A vignette's `start` names no node.")
NEXT = R("CUR402", Severity.error, "A choice's `next` names no node.")
UNREACHABLE = R("CUR403", Severity.error, "A vignette node cannot be reached from `start`.")
NO_ENDING = R("CUR404", Severity.error, "From a vignette node, no path leads to an ending.")
ENDING_CHOICES = R("CUR405", Severity.error, "An ending has choices.")
DEAD_END = R("CUR406", Severity.error, "A node has no choices and is not an ending.")
DEBRIEF = R("CUR407", Severity.error, "An ending has no debrief.")

PASS_MARK = R(
    "CUR501",
    Severity.error,
    "A posttest or summative quiz has no pass mark.",
    "CME-style self-assessment must state its minimum performance level in advance.",
)
OBJECTIVE_COUNT = R(
    "CUR503",
    Severity.warning,
    "A lesson has fewer than 3 or more than 5 objectives.",
    suppressible=True,
)
ITEM_COUNT = R(
    "CUR504",
    Severity.warning,
    "A formative quiz has fewer than 10 or more than 15 items.",
    suppressible=True,
)
COVERAGE = R(
    "CUR505",
    Severity.warning,
    "A lesson objective is assessed by fewer than two items.",
    suppressible=True,
)
VIGNETTE_SIZE = R(
    "CUR506",
    Severity.warning,
    "A lesson vignette has fewer than 4 decision points or 2 endings.",
    suppressible=True,
)
NO_NOTES = R(
    "CUR510",
    Severity.warning,
    "A lesson has no facilitator notes (faculty/notes/<lesson-id>.qmd).",
    "Faculty run the seminar from them; only the faculty edition shows them.",
    suppressible=True,
)

_ID = re.compile(ID_PATTERN)
_DEVICE_NAMES = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}


def _lesson_objectives(cur: Curriculum) -> dict[str, tuple[str, Document[Any]]]:
    return {o.id: (lid, doc) for lid, doc in cur.lessons.items() for o in doc.model.objectives}


# --------------------------------------------------------------------------- ids and files


_Claim = Callable[..., Iterator[Finding]]
"""Claims an id of a kind for a place in a document: ``claim(what, ident, doc, *loc)`` (:func:`_claims`)."""


def _claims() -> _Claim:
    """Return a claim of ids: each finding is an id of the same kind claimed before, in another place."""
    seen: dict[str, tuple[Document[Any], tuple[str | int, ...]]] = {}

    def claim(what: str, ident: str, doc: Document[Any], *loc: str | int) -> Iterator[Finding]:
        key = f"{what}:{ident}"
        if key in seen:  # places are looked up for a duplicate only: they are decoded on demand
            first, first_loc = seen[key]
            line = first.at(*first_loc)[0]
            yield Finding(
                DUPLICATE_ID.at(
                    doc.display,
                    doc.at(*loc),
                    f"the {what} id `{ident}` is already used in {first.display} on line {line}",
                    "ids must be unique across the curriculum; rename one of them",
                )
            )
        else:
            seen[key] = (doc, loc)

    return claim


@check
def unique_ids(cur: Curriculum) -> Iterator[Finding]:
    """Objective ids and technique ids are unique across the curriculum (items: :func:`unique_item_ids`).

    Each kind of id is claimed apart from the others, so a quiz edit does not
    check the lessons' objectives again.
    """
    claim = _claims()
    for doc in cur.lessons.values():
        for i, objective in enumerate(doc.model.objectives):
            yield from claim("objective", objective.id, doc, "objectives", i, "id")
    if cur.techniques is not None:
        for i, t in enumerate(cur.techniques.model.techniques):
            yield from claim("technique", t.id, cur.techniques, "techniques", i, "id")


@check
def unique_item_ids(cur: Curriculum) -> Iterator[Finding]:
    """Item ids are unique across the quizzes (option ids within each item: :func:`option_ids`).

    It reads one fact of each quiz, its items' ids, kept by the quiz's text
    digest (:func:`~curriculum.content._facts.document_fact`): after an edit,
    an unchanged quiz's model is not loaded. Most runs find every id once,
    told by one set of them all: then no id is claimed alone.
    """
    quizzes = list(cur.quizzes.values())
    ids = [document_fact(qdoc, "item-ids-1", _item_ids, _ids) for qdoc in quizzes]
    every = list(itertools.chain.from_iterable(ids))
    if len(set(every)) == len(every):
        return
    claim = _claims()
    for qdoc, idents in zip(quizzes, ids, strict=True):
        for i, ident in enumerate(idents):
            yield from claim("item", ident, qdoc, "items", i, "id")


def _item_ids(doc: Document[Any]) -> list[str]:
    """Return the ids of a quiz's items, in order (what :func:`unique_item_ids` reads)."""
    return [item.id for item in doc.model.items]


@document_check(no_context, quizzes)
def option_ids(doc: Document[Any], _context: Any) -> Iterator[Finding]:
    """Option ids are unique within each item of a quiz."""
    for i, item in enumerate(doc.model.items):
        ids: set[str] = set()
        for j, option in enumerate(item.options):
            if option.id in ids:
                yield Finding(
                    OPTION_DUPLICATE.at(
                        doc.display,
                        doc.at("items", i, "options", j, "id"),
                        f"option `{option.id}` appears twice in item `{item.id}`",
                        "give each option its own letter",
                    )
                )
            ids.add(option.id)


@check
def file_names(cur: Curriculum) -> Iterator[Finding]:
    """File names are ids; a lesson's ``lesson-id`` and the ``lesson`` of its notes equal the file name."""
    for doc in cur.documents():
        if doc.path.name.startswith("techniques."):
            continue
        if not _ID.match(doc.id):
            yield Finding(
                FILE_NAME.at(
                    doc.display,
                    (1, 1),
                    f"the file name `{doc.path.name}` is not a valid id",
                    "rename the file with lowercase letters, digits and hyphens, e.g. `cbt-intro.yml`",
                )
            )
    for nid, notes in cur.notes.items():
        if notes.model.lesson != nid:
            yield Finding(
                FILE_NAME.at(
                    notes.display,
                    notes.at("lesson"),
                    f"`lesson: {notes.model.lesson}` differs from the file name `{nid}`",
                    f"name the file `{notes.model.lesson}.qmd`: one notes file per lesson, named after it",
                )
            )
    for lid, doc in cur.lessons.items():
        if doc.model.lesson_id != lid:
            yield Finding(
                FILE_NAME.at(
                    doc.display,
                    doc.at("lesson-id"),
                    f"`lesson-id: {doc.model.lesson_id}` differs from the file name `{lid}`",
                    f"rename the notebook to `{doc.model.lesson_id}.ipynb` or set `lesson-id: {lid}`",
                )
            )


@check
def reserved_ids(cur: Curriculum) -> Iterator[Finding]:
    """No id takes the place of a generated page or is a name Windows reserves for a device."""
    from curriculum.components import COMPONENTS  # the kinds, registered above this layer

    paged = {  # content folders whose ids become pages next to a generated `index` page
        spec.content.folder: (f"{spec.pages.folder}/index", spec.kind)
        for spec in COMPONENTS.values()
        if spec.pages is not None
    }
    tables: dict[str, dict[str, Document[Any]]] = {"lessons": cur.lessons, **cur.tables}
    for folder, table in tables.items():
        for ident, doc in table.items():
            if ident == "index" and folder in paged:
                page, kind = paged[folder]
                yield Finding(
                    RESERVED_ID.at(
                        doc.display,
                        (1, 1),
                        f"the id `index` would replace the generated page {page}.html",
                        f"rename the file, e.g. `{folder}/{kind}-index.yml`",
                    )
                )
            elif ident in _DEVICE_NAMES:
                yield Finding(
                    RESERVED_ID.at(
                        doc.display,
                        (1, 1),
                        f"`{ident}` is a device name on Windows, where the site could not be unzipped",
                        "rename the file",
                    )
                )


# --------------------------------------------------------------------------- lesson code


def _callable_ids(cur: Curriculum) -> dict[str, Any]:
    """Return what lesson code may call: the component functions, and the ids each call may name.

    By call: ``overview``, each component function, and a function with a
    choice before the id (``worksheet``) once a choice (``worksheet/thought-record``).
    """
    from curriculum.components import COMPONENTS  # the kinds, registered above this layer

    functions = json.dumps(signatures(), sort_keys=True)
    if cur.standalone:
        return {"functions": functions, "ids": {}}  # files checked on their own: no ids to resolve
    known = {"overview": sorted(cur.lessons)}
    for function, spec in COMPONENTS.items():
        known[function] = sorted(spec.documents(cur, ()))
        choices = [sorted(p.choices()) if p.choices is not None else [] for p in spec.params[:-1]]
        for prefix in itertools.product(*choices):
            if prefix:
                known["/".join((function, *prefix))] = sorted(spec.documents(cur, (*prefix, None)))
    return {"functions": functions, "ids": known}


@document_check(_callable_ids, lambda cur: list(cur.lessons.values()))
def lesson_code(doc: Document[Any], callable_ids: dict[str, Any]) -> Iterator[Finding]:
    """Every code cell is Python, and every id a component call names exists.

    What a lesson's code holds (its syntax errors, its calls and where they
    are) is kept by the lesson's digest, so an unchanged lesson's cells are not
    read; the ids its calls name are resolved against the ids the curriculum
    holds (the check's context).
    """
    functions = callable_ids["functions"]  # what decides which of a cell's calls count
    yield from document_findings(_SYNTAX, doc, functools.partial(_syntax_errors, doc, functions))
    ids: dict[str, list[str]] = callable_ids["ids"]
    if not ids:  # files checked on their own: nothing to resolve against
        return
    known = _KnownIds(ids)
    for call, pos in _located_calls(doc, functions):
        problem = _unknown(known, call)
        if problem:
            yield Finding(CALL_UNKNOWN.at(doc.display, pos, problem[0], problem[1]))


_SYNTAX = findings_memo("check.cell-syntax")
"""The syntax errors of each lesson's code cells."""


def _code_cells(doc: Document[Any], functions: str) -> list[tuple[Cell, CellCode]]:
    """Return a lesson's code cells, each parsed (once, for both the syntax and the calls of a lesson)."""
    cells = [cell for cell in doc.cells if cell.kind == "code"]
    return list(zip(cells, _parsed(tuple(c.text for c in cells), functions), strict=True))


@functools.lru_cache(maxsize=4)
def _parsed(sources: tuple[str, ...], functions: str) -> list[CellCode]:
    """Return :func:`parse_cells` of ``sources`` while the component ``functions`` are the same."""
    return parse_cells(list(sources))


def _syntax_errors(doc: Document[Any], functions: str) -> Iterator[Finding]:
    """Yield each code cell of a lesson that is not valid Python."""
    for cell, code in _code_cells(doc, functions):
        if code.error is not None:
            offset = _offset(cell.text, code.error.lineno or 1, code.error.offset or 1)
            yield Finding(
                CELL_SYNTAX.at(
                    doc.display,
                    cell.pos(offset),
                    f"cell {cell.index + 1} is not valid Python: {code.error.msg}",
                    "fix the code; run the cell in JupyterLab to see the error",
                )
            )


def _calls_data(data: Any) -> list[Any]:
    """Return stored calls as written; raise ValueError for data of another shape (then parsed again)."""
    if not isinstance(data, list):
        raise ValueError("not a list of calls")
    for row in data:
        if not (
            isinstance(row, list) and len(row) == 5 and isinstance(row[0], str) and isinstance(row[1], list)
        ):
            raise ValueError("not a call")
        if not (all(isinstance(a, str | None) for a in row[1]) and isinstance(row[2], bool)):
            raise ValueError("not a call")
        if not (isinstance(row[3], int) and isinstance(row[4], int)):
            raise ValueError("not a call")
    return data


_CALLS = Memo[list[Any]]("content.lesson-calls", 1, list, _calls_data)
"""The component calls of each lesson's valid code cells, with their places in the file."""


def _located_calls(doc: Document[Any], functions: str) -> list[tuple[Call, Pos]]:
    """Return the component calls of a lesson's code cells (the valid ones), each with its file position.

    ``functions`` is the component functions and their parameters, which the memo's key holds.
    """

    def parse() -> list[Any]:
        found: list[Any] = []
        for cell, code in _code_cells(doc, functions):
            for call in code.calls if code.error is None else ():
                line, col = cell.pos(_offset(cell.text, call.line, call.col, utf8=True))
                found.append([call.function, list(call.args), call.dynamic, line, col])
        return found

    rows = _CALLS.by_digest(doc.digest, parse, context=functions)
    return [
        (Call(function, tuple(args), dynamic, line, col), (line, col))
        for function, args, dynamic, line, col in rows
    ]


_NESTING = findings_memo("check.markdown-nesting")
"""What :func:`markdown_nesting` finds in each lesson."""


@document_check(no_context, lambda cur: list(cur.lessons.values()))
def markdown_nesting(doc: Document[Any], _context: Any) -> Iterator[Finding]:
    """Check that a lesson's Markdown (one document to Pandoc) nests no deeper than Pandoc can bear.

    Checked again for a lesson whose text changed only (its findings are in the
    check record); without a record, an unchanged lesson's are in the memo.
    """
    yield from document_findings(_NESTING, doc, functools.partial(_too_deep, doc))


def _too_deep(doc: Document[Any]) -> Iterator[Finding]:
    """Yield where a lesson's Markdown, joined as the build joins it, first nests too deeply."""
    cells = [cell for cell in doc.cells if cell.kind == "markdown"]
    joined = "\n\n".join(cell.text for cell in cells)  # as the build joins them: a div may span cells
    found = nesting_problem(joined)
    if found is None:
        return
    offset = found.offset
    for cell in cells:
        if offset <= len(cell.text):
            yield Finding(found.diagnostic(doc.display, cell.pos(offset), f"cell {cell.index + 1}"))
            return
        offset -= len(cell.text) + 2


def _offset(text: str, line: int, col: int, *, utf8: bool = False) -> int:
    """Return the character offset of a 1-based line and column (a UTF-8 byte column with ``utf8``)."""
    lines = text.split("\n")
    line = max(1, min(line, len(lines)))
    before = sum(len(x) + 1 for x in lines[: line - 1])
    current = lines[line - 1]
    column = len(current.encode()[: col - 1].decode(errors="ignore")) if utf8 else col - 1
    return before + max(0, min(column, len(current)))


class _KnownIds:
    """The ids each kind of call may name (:func:`_callable_ids`), each set made once."""

    def __init__(self, ids: dict[str, list[str]]) -> None:
        self._ids = ids
        self._sets: dict[str, set[str]] = {}

    def of(self, function: str, args: tuple[str | None, ...]) -> set[str]:
        """Return the ids ``curriculum.<function>(*args)`` may name (which its last argument names)."""
        key = "/".join((function, *(a or "" for a in args[:-1])))
        if key not in self._sets:
            self._sets[key] = set(self._ids.get(key, self._ids.get(function, [])))
        return self._sets[key]


def _unknown(known_ids: _KnownIds, call: Call) -> tuple[str, str] | None:
    """Return what is wrong with the ids a call names (message and hint), or None."""
    from curriculum.components import COMPONENTS  # the kinds, registered above this layer

    if call.dynamic:
        return None  # known only when the cell runs; the build reports a failure at this cell
    first = call.args[0]
    if first is None:
        return (
            f"`curriculum.{call.function}()` names no id",
            f'write e.g. `curriculum.{call.function}("an-id")`',
        )
    ident: str | None = first
    if call.function == "overview":
        what, folder, known = "lesson", "lessons", known_ids.of("overview", call.args)
    else:
        spec = COMPONENTS[call.function]
        for param, value in zip(spec.params, call.args, strict=False):
            choices = param.choices() if param.choices is not None else None
            if choices is not None and value is not None and value not in choices:
                return (
                    f"`{value}` is not a {param.what}{did_you_mean(value, choices)}",
                    f"kinds: {', '.join(choices)}",
                )
        ident = call.args[-1]
        if ident is None:
            return None  # an optional id left out (a blank worksheet)
        what, folder = spec.what(call.args), spec.content.folder
        known = known_ids.of(call.function, call.args)
    if ident is None or ident in known:
        return None
    return (
        f"`curriculum.{call.function}` names the {what} `{ident}`, which does not exist"
        f"{did_you_mean(ident, known)}",
        f"create {folder}/{ident}.{'ipynb' if folder == 'lessons' else 'yml'} or fix the id"
        + (f"; known: {', '.join(sorted(known)[:8])}" if known else ""),
    )


# --------------------------------------------------------------------------- quizzes


@document_check(no_context, quizzes)
def answers(doc: Document[Any], _context: Any) -> Iterator[Finding]:
    """``answer`` names existing options: exactly one for single, one or more for multiple."""
    for i, item in enumerate(doc.model.items):
        keys = item.key_ids
        at = ("items", i, "answer")  # its place is looked up for a finding only (decoded on demand)
        if item.type == "single" and len(keys) != 1:
            yield Finding(
                ANSWER_COUNT.at(
                    doc.display,
                    doc.at(*at),
                    f"item `{item.id}` is single best answer but has {len(keys)} answers",
                    "give one option id, e.g. `answer: b`, or use `type: multiple`",
                )
            )
        if item.type == "multiple" and len(set(keys)) != len(keys):
            yield Finding(
                ANSWER_COUNT.at(
                    doc.display,
                    doc.at(*at),
                    f"item `{item.id}` lists the same answer twice",
                    "list each option id once",
                )
            )
        ids = [o.id for o in item.options]
        for key in keys:
            if key not in ids:
                yield Finding(
                    ANSWER_UNKNOWN.at(
                        doc.display,
                        doc.at(*at),
                        f"answer `{key}` is not an option of item `{item.id}`{did_you_mean(key, ids)}",
                        f"options are: {', '.join(ids)}",
                    )
                )


@document_check(no_context, quizzes)
def pass_marks(doc: Document[Any], _context: Any) -> Iterator[Finding]:
    """Posttest and summative quizzes state their pass mark."""
    quiz: Quiz = doc.model
    if quiz.kind in ("posttest", "summative") and quiz.pass_mark is None:
        yield Finding(
            PASS_MARK.at(
                doc.display,
                doc.at("kind"),
                f"a {quiz.kind} quiz needs a pass mark",
                "add e.g. `pass_mark: 0.7` (70% correct)",
            )
        )


@document_check(no_context, quizzes)
def quiz_size(doc: Document[Any], _context: Any) -> Iterator[Finding]:
    """Check that a formative lesson quiz has 10-15 items."""
    n = len(doc.model.items)
    if doc.model.kind == "formative" and not 10 <= n <= 15:
        yield Finding(
            ITEM_COUNT.at(
                doc.display,
                doc.key_at("items"),
                f"the quiz has {n} item{'s' if n != 1 else ''}; a lesson's formative quiz has 10-15",
                "add or remove items, or suppress CUR504 with a reason",
            ),
            doc,
            (),
        )


# --------------------------------------------------------------------------- references


@check
def bibliography(cur: Curriculum) -> Iterator[Finding]:
    """Require a references.bib in a project: every citation must resolve there."""
    if cur.standalone or cur.bibliography is not None or cur.root is None:
        return
    yield Finding(
        NO_BIBLIOGRAPHY.at(
            BIBLIOGRAPHY,
            (1, 1),
            "the project has no references.bib",
            "create it; every citation must resolve there",
        )
    )


def _bibliography_keys(cur: Curriculum) -> list[str] | None:
    """Return the keys of references.bib (None outside a project or without one: nothing to check)."""
    if cur.standalone or cur.bibliography is None:
        return None
    return sorted(cur.bibliography.keys)


@document_check(_bibliography_keys, Curriculum.documents)
def references(doc: Document[Any], keys: list[str]) -> Iterator[Finding]:
    """Every ``references`` key, technique reference and ``[@key]`` citation is in references.bib."""
    known = set(keys)
    model = doc.model
    lists: list[tuple[tuple[str | int, ...], list[str]]] = []
    if hasattr(model, "references"):
        lists.append((("references",), list(model.references)))
    if isinstance(model, Quiz):
        lists += [(("items", i, "references"), item.references) for i, item in enumerate(model.items)]
    if isinstance(model, TechniqueVocabulary):
        lists += [(("techniques", i, "reference"), [t.reference]) for i, t in enumerate(model.techniques)]
    for loc, ref_keys in lists:
        for j, key in enumerate(ref_keys):
            if key not in known:
                at = doc.at(*loc) if isinstance(model, TechniqueVocabulary) else doc.at(*loc, j)
                yield Finding(
                    REFERENCE_UNKNOWN.at(doc.display, at, _not_in_bibliography(key, keys), _CITE_HINT)
                )


_CITE_HINT = "add the entry to references.bib or fix the key"


def _not_in_bibliography(key: str, keys: Iterable[str]) -> str:
    return f"`{key}` is not in references.bib{did_you_mean(key, keys)}"


def _cited(cur: Curriculum) -> list[str] | None:
    """Return the keys citations may name (None: outside a project or without references.bib)."""
    if cur.standalone or cur.bibliography is None:
        return None  # without one, `bibliography` reports its absence once
    return sorted(cur.bibliography.keys)


def _citations(keys: list[str]) -> Scanner[list[tuple[str, int]]]:
    """Return how to find a text's ``[@key]`` citations that references.bib, with ``keys``, lacks."""
    known = set(keys)

    def unresolved(text: str) -> list[tuple[str, int]]:
        return [(key, offset) for key, offset in cited_keys(text) if key not in known]

    def report(field: TextField, cited: list[tuple[str, int]]) -> Iterator[Finding]:
        for key, offset in cited:
            if key not in known:  # the context holds every key, so only a damaged memo names a known one
                yield Finding(
                    CITATION_UNKNOWN.at(
                        field.doc.display,
                        field.pos(offset),
                        f"citation {_not_in_bibliography(key, keys)}",
                        _CITE_HINT,
                    )
                )

    return Scanner(unresolved, report, hashlib.sha256("\0".join(keys).encode()).hexdigest())


CITATIONS = text_scan(UNRESOLVED_BY_FILE, _cited, _citations)
"""Every ``[@key]`` citation of an authored text is in references.bib."""


def _objective_ids(cur: Curriculum) -> list[str] | None:
    """Return every lesson's objective ids (None for files checked on their own: nothing to check)."""
    return None if cur.standalone else sorted(_lesson_objectives(cur))


def _naming_objectives(cur: Curriculum) -> list[Document[Any]]:
    """Return the documents that name objectives: quizzes (by item), vignettes, exercises."""
    return [*cur.quizzes.values(), *cur.vignettes.values(), *cur.exercises.values()]


@document_check(_objective_ids, _naming_objectives)
def objectives(doc: Document[Any], ids: list[str]) -> Iterator[Finding]:
    """Every objective id named by items, vignettes and exercises exists in a lesson."""
    known = set(ids)
    hint = "objectives are declared in a lesson's front matter (`objectives:`)"

    def each(named: list[str], *loc: str | int) -> Iterator[Finding]:
        for j, oid in enumerate(named):
            if oid not in known:
                yield Finding(
                    OBJECTIVE_UNKNOWN.at(
                        doc.display,
                        doc.at(*loc, j),
                        f"objective `{oid}` is not in any lesson{did_you_mean(oid, ids)}",
                        hint,
                    )
                )

    model = doc.model
    if isinstance(model, Quiz):
        for i, item in enumerate(model.items):
            yield from each(item.objectives, "items", i, "objectives")
    else:
        yield from each(model.objectives, "objectives")


@check
def techniques(cur: Curriculum) -> Iterator[Finding]:
    """Every technique id named by a vignette choice or a spotter exists."""
    if cur.standalone:
        return
    known = {t.id for t in cur.techniques.model.techniques} if cur.techniques else set()
    hint = "techniques are defined in vignettes/techniques.yml"

    def one(doc: Document[Any], tid: str, *loc: str | int) -> Iterator[Finding]:
        if tid not in known:
            yield Finding(
                TECHNIQUE_UNKNOWN.at(
                    doc.display,
                    doc.at(*loc),
                    f"technique `{tid}` is not in the vocabulary{did_you_mean(tid, known)}",
                    hint,
                )
            )

    for vdoc in cur.vignettes.values():
        for name, node in vdoc.model.nodes.items():
            for j, choice in enumerate(node.choices):
                yield from one(vdoc, choice.technique, "nodes", name, "choices", j, "technique")
    for edoc in cur.exercises.values():
        if isinstance(edoc.model, Spotter):
            for j, tid in enumerate(edoc.model.techniques):
                yield from one(edoc, tid, "techniques", j)


def unknown_lesson(doc: Document[Any], lid: str, lessons: Iterable[str], *loc: str | int) -> Finding:
    """Return the finding for a lesson id at ``loc`` of ``doc`` that names no lesson notebook (CUR310)."""
    return Finding(
        LESSON_UNKNOWN.at(
            doc.display,
            doc.at(*loc),
            f"lesson `{lid}` does not exist{did_you_mean(lid, lessons)}",
            "name a notebook in lessons/ without `.ipynb`",
        )
    )


def _link_targets(cur: Curriculum) -> dict[str, list[str]] | None:
    """Return the ids a lesson link may name: the lessons', and those of each table a lesson lists from."""
    if cur.standalone:
        return None
    folders = {spec.content.folder for spec, _ in _listing_keys()}
    return {"lessons": sorted(cur.lessons), **{f: sorted(cur.tables.get(f, {})) for f in sorted(folders)}}


def _linking(cur: Curriculum) -> list[Document[Any]]:
    """Return the documents that name lessons: lessons, quizzes, vignettes, exercises, notes."""
    return [
        *cur.lessons.values(),
        *cur.quizzes.values(),
        *cur.vignettes.values(),
        *cur.exercises.values(),
        *cur.notes.values(),
    ]


@document_check(_link_targets, _linking)
def lesson_links(doc: Document[Any], targets: dict[str, list[str]]) -> Iterator[Finding]:
    """Lesson ids resolve (also in facilitator notes); a lesson's quiz, vignettes and exercises exist."""
    lessons = set(targets["lessons"])
    model = doc.model
    if not isinstance(model, LessonFrontMatter):
        lid = model.lesson
        if lid is not None and lid not in lessons:
            yield unknown_lesson(doc, lid, targets["lessons"], "lesson")
        return
    for j, pre in enumerate(model.prerequisites):
        if pre not in lessons:
            yield Finding(
                LESSON_UNKNOWN.at(
                    doc.display,
                    doc.at("prerequisites", j),
                    f"prerequisite `{pre}` is not a lesson{did_you_mean(pre, targets['lessons'])}",
                    "",
                )
            )
    known = {folder: set(ids) for folder, ids in targets.items()}
    for ident, loc, folder, what, kinds in _listed(doc):
        if ident not in known[folder]:
            new = (
                f"`curriculum new {kinds[0]} {ident}`"
                if len(kinds) == 1
                else (f"`curriculum new KIND {ident}`, KIND one of {', '.join(kinds)}")
            )
            yield Finding(
                CONTENT_UNKNOWN.at(
                    doc.display,
                    doc.at(*loc),
                    f"{what} `{ident}` does not exist{did_you_mean(ident, targets[folder])}",
                    f"create it with {new}",
                )
            )


def _listing_keys() -> list[tuple[Any, list[Any]]]:
    """Return each front-matter key that lists content (``quiz``, ``vignettes``...), with the kinds it lists.

    The keys are the component kinds' ``listed_by``; kinds listed by one key share their content.
    """
    from curriculum.components import COMPONENTS  # the kinds, registered above this layer

    by_key: dict[str, list[Any]] = {}
    for spec in COMPONENTS.values():
        if spec.listed_by:
            by_key.setdefault(spec.listed_by, []).append(spec)
    return [(specs[0], specs) for specs in by_key.values()]


def _listed(doc: Document[Any]) -> Iterator[tuple[str, tuple[str | int, ...], str, str, list[str]]]:
    """Yield each id a lesson's front matter lists, with where, in which folder, and how to create it."""
    for first, specs in _listing_keys():
        key = first.listed_by
        value = getattr(doc.model, key, None)
        ids = (
            [(value, (key,))]
            if isinstance(value, str)
            else [(v, (key, j)) for j, v in enumerate(value or [])]
        )
        kinds = [kind for spec in specs for kind in spec.templates]
        for ident, loc in ids:
            yield ident, loc, first.content.folder, first.content.noun, kinds


@check
def milestones(cur: Curriculum) -> Iterator[Finding]:
    """When a lesson lists milestones, they include every objective's competencies."""
    for doc in cur.lessons.values():
        fm = doc.model
        if not fm.milestones:
            continue
        for i, objective in enumerate(fm.objectives):
            missing = [c for c in objective.competencies if c not in fm.milestones]
            if missing:
                yield Finding(
                    MILESTONES.at(
                        doc.display,
                        doc.at("objectives", i, "competencies"),
                        f"objective `{objective.id}` serves {', '.join(missing)}, which `milestones` omits",
                        f"add {', '.join(missing)} to `milestones`",
                    )
                )


# --------------------------------------------------------------------------- exercises


@check
def exercises(cur: Curriculum) -> Iterator[Finding]:
    """Spotter labels are complete and offered; worksheets have a prompt and known fields."""
    for doc in cur.exercises.values():
        ex = doc.model
        if isinstance(ex, Spotter):
            labelled = [i for i, t in enumerate(ex.turns) if t.technique]
            if not labelled:
                yield Finding(
                    SPOTTER.at(
                        doc.display,
                        doc.key_at("turns"),
                        "no turn carries an expert `technique` label",
                        "label at least one clinician turn",
                    )
                )
            for i in labelled:
                turn = ex.turns[i]
                if not turn.reason:
                    yield Finding(
                        SPOTTER.at(
                            doc.display,
                            doc.at("turns", i, "technique"),
                            "a labelled turn needs a `reason`",
                            "say why an expert labels the turn this way",
                        )
                    )
                if turn.technique not in ex.techniques:
                    yield Finding(
                        SPOTTER.at(
                            doc.display,
                            doc.at("turns", i, "technique"),
                            f"`{turn.technique}` is not among the offered `techniques`",
                            f"add `{turn.technique}` to `techniques` so the learner can choose it",
                        )
                    )
        elif isinstance(ex, Worksheet):
            fields = [f.id for f in WORKSHEET_FIELDS[ex.kind]]
            if ex.kind == "reflection" and not ex.prompt:
                yield Finding(
                    WORKSHEET.at(
                        doc.display,
                        doc.at("kind"),
                        "a reflection needs a `prompt`",
                        "add `prompt:` with the question to reflect on",
                    )
                )
            for key in ex.example:
                if key not in fields:
                    yield Finding(
                        WORKSHEET.at(
                            doc.display,
                            doc.key_at("example", key),
                            f"`{key}` is not a field of a {ex.kind}{did_you_mean(key, fields)}",
                            f"fields: {', '.join(fields)}",
                        )
                    )


# --------------------------------------------------------------------------- vignettes


@check
def vignette_graphs(cur: Curriculum) -> Iterator[Finding]:
    """``start`` and every ``next`` exist; every node is reachable and can reach an ending."""
    for doc in cur.vignettes.values():
        yield from _graph(doc)


def _graph(doc: Document[Vignette]) -> Iterator[Finding]:
    v = doc.model
    nodes = v.nodes
    d = doc.display
    if v.start not in nodes:
        yield Finding(
            START.at(
                d,
                doc.at("start"),
                f"`start: {v.start}` names no node{did_you_mean(v.start, nodes)}",
                "name one of `nodes`",
            )
        )
    edges: dict[str, list[str]] = defaultdict(list)
    for name, node in nodes.items():
        if node.end and node.choices:
            yield Finding(
                ENDING_CHOICES.at(
                    d,
                    doc.key_at("nodes", name, "choices"),
                    f"node `{name}` is an ending but has choices",
                    "remove `end: true` or the choices",
                )
            )
        if not node.end and not node.choices:
            yield Finding(
                DEAD_END.at(
                    d,
                    doc.key_at("nodes", name),
                    f"node `{name}` has no choices and is not an ending",
                    "add choices, or mark it `end: true` with a `debrief`",
                )
            )
        if node.end and not node.debrief:
            yield Finding(
                DEBRIEF.at(
                    d,
                    doc.key_at("nodes", name),
                    f"ending `{name}` has no `debrief`",
                    "add a debrief that links the ending to the objectives",
                )
            )
        for j, choice in enumerate(node.choices):
            if choice.next not in nodes:
                yield Finding(
                    NEXT.at(
                        d,
                        doc.at("nodes", name, "choices", j, "next"),
                        f"`next: {choice.next}` names no node{did_you_mean(choice.next, nodes)}",
                        "name one of `nodes`",
                    )
                )
            else:
                edges[name].append(choice.next)
    reached = _reach([v.start] if v.start in nodes else [], edges)
    for name in nodes:
        if name not in reached and v.start in nodes:
            yield Finding(
                UNREACHABLE.at(
                    d,
                    doc.key_at("nodes", name),
                    f"node `{name}` cannot be reached from `{v.start}`",
                    "point a choice's `next` at it, or remove it",
                )
            )
    reverse: dict[str, list[str]] = defaultdict(list)
    for src, targets in edges.items():
        for t in targets:
            reverse[t].append(src)
    can_end = _reach([n for n, node in nodes.items() if node.end], reverse)
    for name, node in nodes.items():
        if name not in can_end and node.choices:
            yield Finding(
                NO_ENDING.at(
                    d,
                    doc.key_at("nodes", name),
                    f"no path from node `{name}` leads to an ending",
                    "every path must be able to finish; add a choice that leads toward an ending",
                )
            )


def _reach(starts: list[str], edges: dict[str, list[str]]) -> set[str]:
    seen = set(starts)
    stack = list(starts)
    while stack:
        for nxt in edges.get(stack.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


# --------------------------------------------------------------------------- curriculum standards


@check
def objective_count(cur: Curriculum) -> Iterator[Finding]:
    """Check that a lesson has 3-5 objectives."""
    for doc in cur.lessons.values():
        n = len(doc.model.objectives)
        if not 3 <= n <= 5:
            yield Finding(
                OBJECTIVE_COUNT.at(
                    doc.display,
                    doc.key_at("objectives"),
                    f"the lesson has {n} objective{'s' if n != 1 else ''}; "
                    "a lesson has 3-5 measurable objectives",
                    "merge or split objectives, or suppress CUR503 with a reason",
                ),
                doc,
                (),
            )


@check
def facilitator_notes(cur: Curriculum) -> Iterator[Finding]:
    """Every lesson has facilitator notes."""
    if cur.standalone:
        return
    noted = {notes.model.lesson for notes in cur.notes.values()}
    for lid, doc in cur.lessons.items():
        if lid not in noted:
            yield Finding(
                NO_NOTES.at(
                    doc.display,
                    doc.at("lesson-id"),
                    f"lesson `{lid}` has no facilitator notes",
                    f"write faculty/notes/{lid}.qmd (front matter `title` and `lesson: {lid}`), "
                    "or suppress CUR510 with a reason",
                ),
                doc,
                (),
            )


COVERAGE_ITEMS = 2
"""How many quiz items must name each lesson objective (:func:`coverage`)."""


def _assessed(cur: Curriculum) -> dict[str, int] | None:
    """Return how many quiz items name each objective, up to :data:`COVERAGE_ITEMS` (None: no project).

    What :func:`coverage` needs of the quizzes. A count is kept up to what
    the rule tells apart only, so one more item that names an objective
    already assessed enough leaves the context as it was. Every item's
    objectives (each named once) are counted in one step.
    """
    if cur.standalone:
        return None
    items = [
        document_fact(quiz, "items-objectives-1", _items_objectives, _lists_of_ids)
        for quiz in cur.quizzes.values()
    ]
    counts = Counter(itertools.chain.from_iterable(itertools.chain.from_iterable(items)))
    return {oid: n if n < COVERAGE_ITEMS else COVERAGE_ITEMS for oid, n in sorted(counts.items())}


@document_check(_assessed, lambda cur: list(cur.lessons.values()))
def coverage(doc: Document[Any], counts: dict[str, int]) -> Iterator[Finding]:
    """Every lesson objective is assessed by at least two quiz items.

    A lesson is checked against how many items name each objective (the
    context): after a quiz edit that leaves those counts as they were, no
    lesson is checked again; else each lesson's objectives' ids are a fact
    kept by its text's digest, and its model is not loaded.
    """
    for i, oid in enumerate(document_fact(doc, "objective-ids-1", _ids_of_objectives, _ids)):
        n = counts.get(oid, 0)
        if n < COVERAGE_ITEMS:
            yield Finding(
                COVERAGE.at(
                    doc.display,
                    doc.at("objectives", i, "id"),
                    f"objective `{oid}` is assessed by {n} quiz item{'s' if n != 1 else ''}",
                    "write at least two items that name it in `objectives`",
                ),
                doc,
                (),
            )


def _items_objectives(doc: Document[Any]) -> list[list[str]]:
    """Return the objectives each item of a quiz names, each once (what :func:`coverage` counts)."""
    return [sorted(set(item.objectives)) for item in doc.model.items]


def _ids_of_objectives(doc: Document[Any]) -> list[str]:
    """Return the ids of a lesson's objectives, in order."""
    return [objective.id for objective in doc.model.objectives]


def _ids(facts: Any) -> bool:
    """Whether kept facts are a list of ids (tested in C: every lesson's ids are tested at each check)."""
    return isinstance(facts, list) and all(map(isinstance, facts, itertools.repeat(str)))


def _lists_of_ids(facts: Any) -> bool:
    """Whether kept facts are a list of lists of ids."""
    return isinstance(facts, list) and all(map(_ids, facts))


@check
def vignette_size(cur: Curriculum) -> Iterator[Finding]:
    """Check that a lesson's vignette has at least 4 decision points and 2 endings."""
    for doc in cur.vignettes.values():
        nodes = doc.model.nodes.values()
        decisions = sum(1 for n in nodes if n.choices)
        endings = sum(1 for n in nodes if n.end)
        if doc.model.lesson and (decisions < 4 or endings < 2):
            yield Finding(
                VIGNETTE_SIZE.at(
                    doc.display,
                    doc.key_at("nodes"),
                    f"the vignette has {decisions} decision point{'s' if decisions != 1 else ''} and "
                    f"{endings} ending{'s' if endings != 1 else ''}; "
                    "a lesson vignette has at least 4 and 2",
                    "add decision points or endings, or suppress CUR506 with a reason",
                ),
                doc,
                (),
            )


# the facts the checks above ask of documents, made again from a changed document by a check record
known_fact("item-ids-1", _item_ids, _ids)
known_fact("items-objectives-1", _items_objectives, _lists_of_ids)
known_fact("objective-ids-1", _ids_of_objectives, _ids)
