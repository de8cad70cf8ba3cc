"""The registry of curriculum checks, and the :class:`Finding` they yield.

A check is a small generator over the whole curriculum. It yields findings:
a diagnostic plus, for suppressible rules, the scope (a document and a key
path such as ``("items", 3)``) whose ``suppress`` mapping may silence it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, overload

from curriculum._memo import Memo
from curriculum.content._diagnostics import Diagnostic
from curriculum.content._project import Curriculum, Document
from curriculum.content._yaml import Loc

__all__ = [
    "ALWAYS",
    "BY_DOCUMENT",
    "CHECKS",
    "CheckFn",
    "DocumentCheck",
    "Finding",
    "check",
    "document_check",
    "document_findings",
    "findings_memo",
    "no_context",
    "quizzes",
]


@dataclass(frozen=True)
class Finding:
    """A diagnostic and the scope that may suppress it.

    Attributes
    ----------
    diagnostic : Diagnostic
        The problem.
    doc : Document | None
        The document whose ``suppress`` applies, if any.
    owner : Loc
        Key path of the scope within ``doc`` (empty: the whole file).
    """

    diagnostic: Diagnostic
    doc: Document[Any] | None = None
    owner: Loc = ()


CheckFn = Callable[[Curriculum], Iterable[Finding]]
CHECKS: list[CheckFn] = []
"""Every registered check, in the order they run."""
ALWAYS: set[CheckFn] = set()
"""The checks that read what no record of the content can tell unchanged (the project's pages, today's
date): they run every time (see :mod:`curriculum.content._check_record`)."""


@overload
def check(fn: CheckFn) -> CheckFn: ...


@overload
def check(*, always: bool = False) -> Callable[[CheckFn], CheckFn]: ...


def check(fn: CheckFn | None = None, *, always: bool = False) -> Any:
    """Register ``fn`` as a curriculum check (decorator: ``@check``, or ``@check(always=True)``).

    Parameters
    ----------
    fn : CheckFn | None
        The check: a function of the curriculum that yields findings.
    always : bool
        It reads what no record of the content it read can tell unchanged
        (files of the project besides the content, today's date): it runs every time.
    """

    def register(found: CheckFn) -> CheckFn:
        CHECKS.append(found)
        if always:
            ALWAYS.add(found)
        return found

    return register if fn is None else register(fn)


@dataclass(frozen=True)
class DocumentCheck:
    """A check that finds problems in one document at a time, given a context read from the others.

    What it finds in a document follows from that document and the context
    alone, and is located in that document: a run with a record (see
    :mod:`curriculum.content._check_record`) checks again only the documents
    that changed, while the context is the same.

    Attributes
    ----------
    context : Callable[[Curriculum], Any]
        What the check needs of the whole curriculum, as JSON data (the
        bibliography's keys, the objectives' ids); None: there is nothing to check.
    documents : Callable[[Curriculum], Iterable[Document]]
        The documents it checks (listed, not read).
    check : Callable[[Document, Any], Iterable[Finding]]
        The findings in one document, given the context (as JSON gives it back: lists, not tuples).
        Run with a record, it may ask facts of the document
        (:func:`~curriculum.content._facts.document_fact`) rather than read its model.
    """

    context: Callable[[Curriculum], Any]
    documents: Callable[[Curriculum], Iterable[Document[Any]]]
    check: Callable[[Document[Any], Any], Iterable[Finding]]


BY_DOCUMENT: dict[CheckFn, DocumentCheck] = {}
"""The registered checks that are :class:`DocumentCheck` s, by the check that runs them whole."""


def document_check(
    context: Callable[[Curriculum], Any], documents: Callable[[Curriculum], Iterable[Document[Any]]]
) -> Callable[[Callable[[Document[Any], Any], Iterable[Finding]]], CheckFn]:
    """Register a check of one document at a time (decorator; see :class:`DocumentCheck`).

    The function decorated finds the problems of one document given the
    context; what is registered runs it on every document, and is returned.
    """

    def register(one: Callable[[Document[Any], Any], Iterable[Finding]]) -> CheckFn:
        part = DocumentCheck(context, documents, one)

        def whole(cur: Curriculum) -> Iterator[Finding]:
            found = json.loads(json.dumps(context(cur)))
            for doc in documents(cur) if found is not None else ():
                yield from one(doc, found)

        functools.update_wrapper(whole, one)
        check(whole)
        BY_DOCUMENT[whole] = part
        return whole

    return register


def no_context(_cur: Curriculum) -> list[Any]:
    """Return the context of a :class:`DocumentCheck` that needs nothing of the other documents."""
    return []


def quizzes(cur: Curriculum) -> list[Document[Any]]:
    """Return the quizzes: the documents a :class:`DocumentCheck` of one quiz at a time checks."""
    return list(cur.quizzes.values())


def findings_memo(namespace: str, version: int = 1) -> Memo[list[Any]]:
    """Return a memo of what a check finds in one document at a time (see :func:`document_findings`)."""
    return Memo[list[Any]](namespace, version, list, _findings_data)


def document_findings(
    memo: Memo[list[Any]], doc: Document[Any], find: Callable[[], Iterable[Finding]], *, context: str = ""
) -> Iterator[Finding]:
    """Yield what ``find`` finds in ``doc``, kept by the document's digest while it is unchanged.

    For a check whose findings in a document follow from that document alone
    (and ``context``), such as the lint of a lesson's cells: a build after
    another file's edit takes them from ``memo`` without reading the
    document's cells, which a document from the content index would read
    from its file (see :mod:`curriculum.content._index`). ``find`` must yield
    findings whose scope is ``doc`` or none.

    Parameters
    ----------
    memo : Memo[list[Any]]
        The check's memo, from :func:`findings_memo`.
    doc : Document
        The document checked.
    find : Callable[[], Iterable[Finding]]
        The check of that one document.
    context : str
        Anything else the findings depend on.
    """
    if not doc.digest:  # a document made in code, not read from a file
        yield from find()
        return

    def found() -> list[Any]:
        return [_finding_data(finding, doc) for finding in find()]

    for *row, owner in memo.get(doc.digest, found, context=f"{doc.display}\0{context}"):
        diagnostic = Diagnostic.from_row(row)
        yield Finding(diagnostic, None if owner is None else doc, () if owner is None else tuple(owner))


def _finding_data(finding: Finding, doc: Document[Any]) -> list[Any]:
    d = finding.diagnostic
    if finding.doc is not None and finding.doc is not doc:
        raise ValueError(f"a finding of {doc.display} is scoped to {finding.doc.display}")
    owner = None if finding.doc is None else list(finding.owner)
    return [*d.as_row(), owner]


def _findings_data(data: Any) -> list[Any]:
    """Return stored findings as they were written; raise ValueError for data of another shape."""
    if not isinstance(data, list):
        raise ValueError("not a list of findings")
    for row in data:
        if not (isinstance(row, list) and len(row) == 8):
            raise ValueError("not a finding")
        Diagnostic.from_row(row[:7])  # raises for a row of another shape
        if row[7] is not None and not (
            isinstance(row[7], list) and all(isinstance(x, str | int) for x in row[7])
        ):
            raise ValueError("not a finding")
    return data
