"""The checks a content edit can change, run again; what every other check found, taken from the last run.

A check is a function of what it reads of the curriculum. While it runs, it
sees the content through a view that notes what it reads: which tables it
looks into (a listing depends on the table's files), and which documents it
reads, either their models (the validated content) or more of their file
(cells, places, the text's digest). The record keeps, for each check, what
it read and what it found: a digest of each table's files, and of each
document's model or text. At the next run a check is run again only if
something it read changed; otherwise what it found is taken from the record,
and the documents it would read are not even loaded (a document from the
content index is read from the memo only when asked for; see
:mod:`curriculum.content._project`).

So an edit of one quiz runs again the checks that read quizzes (they read
every quiz again, and whatever else they read); a prose edit of a lesson,
which leaves its front matter as it was, runs again only the checks that read
lessons' cells. The bibliography, which checks read as a whole, is part of
every check's inputs (by its text), as are the package's code and this
computer's key (a record that came with a repository is ignored); the
technique vocabulary is a document as the others. A check that reads what no
record of the content can tell unchanged (the project's pages, today's date)
always runs (:func:`~curriculum.content._registry.check` with ``always``).

The suppressions each document holds are kept too, by the digest of its
text (:class:`~curriculum.content._facts.DocumentFacts`): the audit of
suppressions that silence nothing reads the model of a changed document only.
So are the facts a check asks of each document through
:func:`~curriculum.content._facts.document_fact` (``check-facts.<name>.json``):
a check that counts what every quiz names reads the model of a changed quiz only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

from curriculum._memo import code_key, machine_key
from curriculum._plain import read_record
from curriculum.content._diagnostics import Diagnostic
from curriculum.content._facts import DocumentFacts
from curriculum.content._files import write_atomic
from curriculum.content._project import Curriculum, Document
from curriculum.content._registry import ALWAYS, BY_DOCUMENT, CHECKS, CheckFn, DocumentCheck, Finding
from curriculum.content._yaml import Loc
from curriculum.errors import CurriculumError

__all__ = ["CHECK_RECORD", "CheckRecord", "Suppression", "suppressions_of"]

VERSION = 2
"""Raise it when the record's form changes."""
CHECK_RECORD = "check-record.json"
"""The record's name, in the project's build cache."""
SUPPRESSIONS = "check-suppressions.json"
"""The suppressions each document holds, beside the record (a :class:`DocumentFacts`)."""

Suppression = tuple[Loc, str, str]
"""A suppression: the scope's key path, the rule's code, the reason."""

_MODEL = "model"
"""A document read for its model only (its validated content)."""
_FILE = "file"
"""A document read for more of its file: cells, places, the text's digest."""
_FILE_ATTRIBUTES = frozenset({"cells", "locs", "digest", "at", "key_at", "inside", "where"})


def suppressions_of(doc: Document[Any]) -> list[Suppression]:
    """Return every suppression ``doc`` holds: the whole file's, then each item's."""
    found: list[Suppression] = []
    for owner in _scopes(doc):
        target: Any = doc.model
        for seg in owner:
            target = target[seg] if isinstance(seg, int) else getattr(target, seg)
        found += [
            (owner, str(code), str(reason))
            for code, reason in (getattr(target, "suppress", {}) or {}).items()
        ]
    return found


def _suppression_rows(held: Any) -> bool:
    """Whether kept suppressions have the shape :func:`suppressions_of` gives, as JSON gives it back."""
    return isinstance(held, list) and all(
        isinstance(row, list)
        and len(row) == 3
        and isinstance(row[0], list)
        and all(isinstance(seg, str | int) for seg in row[0])
        and isinstance(row[1], str)
        and isinstance(row[2], str)
        for row in held
    )


def _scopes(doc: Document[Any]) -> Iterator[Loc]:
    yield ()
    for i, _ in enumerate(getattr(doc.model, "items", []) or []):
        yield ("items", i)


class _Reads:
    """What one check read: the tables it looked into, and each document by how much of it.

    Parameters
    ----------
    facts : Callable[[str], DocumentFacts]
        The record's facts of one name (see :func:`~curriculum.content._facts.document_fact`).
    """

    def __init__(self, facts: Callable[[str], DocumentFacts]) -> None:
        self.tables: set[str] = set()
        self.docs: dict[str, str] = {}
        self.facts = facts
        """The record's facts of one name, by name."""

    def doc(self, display: str, how: str) -> None:
        if self.docs.get(display) != _FILE:
            self.docs[display] = how


class _Watched:
    """A document as a check sees it: reading its model or its file is noted (see :class:`_Reads`)."""

    __slots__ = ("_doc", "_reads")

    def __init__(self, doc: Document[Any], reads: _Reads) -> None:
        self._doc = doc
        self._reads = reads

    def __getattr__(self, name: str) -> Any:
        if name in _Watched.__slots__:  # not set yet (a copy being made): no document to ask
            raise AttributeError(name)
        if name == "model":
            self._reads.doc(self._doc.display, _MODEL)
        elif name in _FILE_ATTRIBUTES:
            self._reads.doc(self._doc.display, _FILE)
        return getattr(self._doc, name)

    def __repr__(self) -> str:
        return repr(self._doc)

    def fact(self, name: str, make: Callable[[Document[Any]], Any], valid: Callable[[Any], bool]) -> Any:
        """Return a fact of the document's model, kept by its text's digest (the model counts as read).

        See :func:`~curriculum.content._facts.document_fact`.
        """
        doc = self._doc
        self._reads.doc(doc.display, _MODEL)
        return self._reads.facts(name).get(doc, lambda: make(doc), valid)


class _WatchedTable(Mapping[str, "Document[Any]"]):
    """A table as a check sees it: any look into it notes the table; its documents are watched."""

    def __init__(
        self, name: str, table: Mapping[str, Document[Any]], reads: _Reads, watched: Callable[[Any], Any]
    ) -> None:
        self._name, self._table, self._reads, self._watched = name, table, reads, watched

    def _look(self) -> None:
        self._reads.tables.add(self._name)

    def __getitem__(self, key: str) -> Document[Any]:
        self._look()
        return cast("Document[Any]", self._watched(self._table[key]))

    def __iter__(self) -> Iterator[str]:
        self._look()
        return iter(self._table)

    def __len__(self) -> int:
        self._look()
        return len(self._table)

    def __contains__(self, key: object) -> bool:
        self._look()
        return key in self._table


class CheckRecord:
    """What each check read and found at the last run (see the module's description).

    The record names each document once, with the digests of its text and (for
    a document some check read for its model) of its model, as they were at
    the end of that run; each check names the documents it read by their
    place in that list. Every entry speaks of the documents as they were then:
    a check reused although a document's text changed (not its model) read
    what the new digests describe.

    Parameters
    ----------
    path : Path
        The record, in the project's build cache.
    cur : Curriculum
        The content checked now.
    """

    def __init__(self, path: Path, cur: Curriculum) -> None:
        self._path = path
        self._cur = cur
        self._by_display = {doc.display: doc for doc in cur.documents()}
        self._tables: dict[str, Mapping[str, Document[Any]]] = dict(cur.tables)
        self._tables.update(lessons=cur.lessons, notes=cur.notes)
        bib = cur.bibliography
        shared = [VERSION, machine_key(), code_key(), str(cur.root), bib.display if bib else None]
        shared.append(hashlib.sha256(bib.text.encode("utf-8", "surrogatepass")).hexdigest() if bib else None)
        shared.append(cur.techniques.display if cur.techniques else None)
        self._key = hashlib.sha256(json.dumps(shared).encode()).hexdigest()
        data = read_record(path)
        fitting = data.get("key") == self._key
        checks, documents = (data.get(part) if fitting else None for part in ("checks", "documents"))
        self._before: dict[str, Any] = checks if isinstance(checks, dict) else {}
        self._documents_before = documents if isinstance(documents, list) else []
        self._within = cur.root or path.parent  # a record is kept for a project's content
        self._suppressions = DocumentFacts(path.with_name(SUPPRESSIONS), self._within, "suppressions 1")
        self._facts: dict[str, DocumentFacts] = {}
        self._then: dict[str, tuple[str, str | None]] = {}
        """Each document as the last run left it: its text's digest and its model's (None: not read)."""
        for entry in self._documents_before:
            if isinstance(entry, list) and len(entry) == 3 and all(isinstance(x, str) for x in entry[:2]):
                self._then[entry[0]] = (entry[1], entry[2] if isinstance(entry[2], str) else None)
        self._names = [
            entry[0] if isinstance(entry, list) and entry else None for entry in self._documents_before
        ]
        self._now: dict[str, Any] = {}
        self._listings: dict[str, str] = {}
        self._models: dict[str, str] = {}
        self._read_now: set[str] = set()
        """The documents some check (reused or run) read for its model this run."""
        self.ran: list[str] = []
        """The names of the checks run this time (the others' findings came from the record)."""

    def findings(self, checks: Iterable[CheckFn] = CHECKS) -> list[Finding]:
        """Return what every check finds: run again if something it read changed, else as recorded."""
        found: list[Finding] = []
        for fn in checks:
            name = f"{fn.__module__}.{fn.__qualname__}"
            by_document = BY_DOCUMENT.get(fn)
            if by_document is not None:
                found += self._by_document(name, by_document)
                continue
            kept = None if fn in ALWAYS else self._kept(name)
            if kept is None:
                kept = self._run(name, fn)
                self.ran.append(name)
            found += kept
        return found

    def suppressions(self, doc: Document[Any]) -> list[Suppression]:
        """Return the suppressions of ``doc``: as kept while its text is the same, else from its model."""
        held = self._suppressions.get(doc, lambda: suppressions_of(doc), _suppression_rows)
        return [(tuple(owner), code, reason) for owner, code, reason in held]

    def save(self) -> None:
        """Write the record, if it changed (a failure to write it is ignored: it only saves time)."""
        names = sorted(self._by_display)
        place = {display: n for n, display in enumerate(names)}
        documents = [[d, self._by_display[d].digest, self._model_now(d)] for d in names]
        checks = {name: _placed(entry, place) for name, entry in self._now.items()}
        self._suppressions.save()
        for facts in self._facts.values():
            facts.save()
        if checks == self._before and documents == self._documents_before:
            return
        text = json.dumps({"key": self._key, "checks": checks, "documents": documents}, separators=(",", ":"))
        with contextlib.suppress(CurriculumError, OSError):
            write_atomic(self._path, text, within=self._within)

    # ------------------------------------------------------------------ one check

    def _kept(self, name: str) -> list[Finding] | None:
        """Return what ``name`` found last time if nothing it read changed since, else None."""
        then: Any = self._before.get(name)
        read = self._unchanged(then)
        if read is None:
            return None
        found = self._findings(then.get("findings"))
        if found is None:
            return None
        self._now[name] = {**read, "findings": then["findings"]}
        return found

    def _unchanged(self, then: Any) -> dict[str, Any] | None:
        """Return what an entry says was read (by name) if none of it changed since, else None."""
        try:
            tables, model, file = then["tables"], then["model"], then["file"]
            if any(self._listing(table) != digest for table, digest in tables.items()):
                return None
            read = {
                "tables": tables,
                "model": [self._names[n] for n in model],
                "file": [self._names[n] for n in file],
            }
            if not all(isinstance(d, str) and self._same(d, _MODEL) for d in read["model"]):
                return None
            if not all(isinstance(d, str) and self._same(d, _FILE) for d in read["file"]):
                return None
        except (TypeError, KeyError, IndexError, AttributeError):
            return None
        self._read_now.update(read["model"])
        return read

    def _run(self, name: str, fn: CheckFn) -> list[Finding]:
        """Run ``fn`` on a view that notes what it reads; record that and what it found."""
        reads = _Reads(self._facts_of)
        found = [self._unwatched(finding) for finding in fn(self._watching(reads))]
        self._now[name] = {**self._read(reads), "findings": [self._row(finding) for finding in found]}
        return found

    def _by_document(self, name: str, check: DocumentCheck) -> list[Finding]:
        """Run a check of one document at a time on the documents that changed (see :class:`DocumentCheck`).

        Its context is computed again only if something it read changed; with
        the same context, each unchanged document's findings are as recorded.
        """
        then: Any = self._before.get(name)
        then = then if isinstance(then, dict) else {}
        recorded = then.get("context")
        context = self._unchanged(recorded)
        if context is not None and isinstance(recorded, dict) and "value" in recorded:
            value = recorded["value"]
        else:
            reads = _Reads(self._facts_of)
            value = json.loads(json.dumps(check.context(self._watching(reads))))  # as a record gives it back
            context = self._read(reads)
            self.ran.append(name)
        same = isinstance(recorded, dict) and recorded.get("value") == value
        before = then.get("documents") if same and isinstance(then.get("documents"), dict) else {}
        documents: dict[str, list[Any]] = {}
        found: list[Finding] = []
        for doc in check.documents(self._cur) if value is not None else ():
            unchanged = same and self._same(doc.display, _FILE)
            kept = self._findings(before.get(doc.display, [])) if unchanged else None
            if kept is None:
                kept = list(check.check(doc, value))
            if kept:
                documents[doc.display] = [self._row(finding) for finding in kept]
            found += kept
        self._now[name] = {"context": {**context, "value": value}, "documents": documents}
        return found

    def _facts_of(self, name: str) -> DocumentFacts:
        """Return the facts of one name checks asked for, kept in a file beside the record."""
        if name not in self._facts:
            path = self._path.with_name(f"check-facts.{name}.json")
            self._facts[name] = DocumentFacts(path, self._within, f"check facts {name}")
        return self._facts[name]

    def _findings(self, rows: Any) -> list[Finding] | None:
        """Return the findings of recorded rows, or None for rows of another shape."""
        try:
            return [self._finding(row) for row in rows]
        except (TypeError, KeyError, ValueError, AttributeError):
            return None

    def _watching(self, reads: _Reads) -> Curriculum:
        """Return a view of the content that notes in ``reads`` what is read of it."""
        watched: dict[int, _Watched] = {}

        def watch(doc: Any) -> Any:
            if id(doc) not in watched:
                watched[id(doc)] = _Watched(doc, reads)
            return watched[id(doc)]

        cur = self._cur
        return Curriculum(
            cur.root,
            cast("dict[str, Any]", _WatchedTable("lessons", cur.lessons, reads, watch)),
            {
                folder: cast("dict[str, Any]", _WatchedTable(folder, t, reads, watch))
                for folder, t in cur.tables.items()
            },
            cast("dict[str, Any]", _WatchedTable("notes", cur.notes, reads, watch)),
            watch(cur.techniques) if cur.techniques is not None else None,
            cur.bibliography,
            cur.diagnostics,
        )

    def _read(self, reads: _Reads) -> dict[str, Any]:
        """Return what the record keeps of ``reads``: each table's listing, each document as it was read."""
        model = sorted(d for d, how in reads.docs.items() if how == _MODEL)
        self._read_now.update(model)
        return {
            "tables": {t: self._listing(t) for t in sorted(reads.tables)},
            "model": model,
            "file": sorted(d for d, how in reads.docs.items() if how == _FILE),
        }

    @staticmethod
    def _unwatched(finding: Finding) -> Finding:
        doc = finding.doc
        if isinstance(doc, _Watched):
            return Finding(finding.diagnostic, object.__getattribute__(doc, "_doc"), finding.owner)
        return finding

    def _row(self, finding: Finding) -> list[Any]:
        scope = None if finding.doc is None else finding.doc.display
        return [*finding.diagnostic.as_row(), scope, list(finding.owner)]

    def _finding(self, row: Any) -> Finding:
        """Return the finding a row records (raises ValueError for a row of another shape)."""
        if not (isinstance(row, list) and len(row) == 9):
            raise ValueError("not a finding")
        diagnostic = Diagnostic.from_row(row[:7])
        scope, owner = row[7], row[8]
        if scope is None:
            return Finding(diagnostic)
        doc = self._by_display[scope]  # a document gone: the listing changed, so the check ran
        if not (isinstance(owner, list) and all(isinstance(x, str | int) for x in owner)):
            raise ValueError("not a scope")
        return Finding(diagnostic, doc, tuple(owner))

    def _listing(self, table: str) -> str:
        """Return a digest of a table's files (its ids and where they are): what a look into it depends on."""
        if table not in self._listings:
            docs = self._tables.get(table, {})
            names = sorted((ident, doc.display) for ident, doc in docs.items())
            self._listings[table] = hashlib.sha256(json.dumps(names).encode()).hexdigest()
        return self._listings[table]

    def _same(self, display: str, how: str) -> bool:
        """Whether a document is as the last run left it: the same text, or (read for its model) model."""
        doc = self._by_display.get(display)
        then = self._then.get(display)
        if doc is None or not doc.digest or then is None:
            return False
        if doc.digest == then[0]:
            return True  # the model is not even loaded
        return how == _MODEL and then[1] is not None and self._model(doc) == then[1]

    def _model(self, doc: Document[Any]) -> str:
        """Return a digest of a document's model."""
        if doc.display not in self._models:
            self._models[doc.display] = _model_digest(doc)
        return self._models[doc.display]

    def _model_now(self, display: str) -> str | None:
        """Return the digest of the model of a document a check read for it this run (else None).

        Known already, recorded with the same text, or made now.
        """
        if display not in self._read_now:
            return None
        if display in self._models:
            return self._models[display]
        then = self._then.get(display)
        doc = self._by_display[display]
        if then is not None and then[1] is not None and then[0] == doc.digest:
            return then[1]
        return self._model(doc)


def _placed(entry: dict[str, Any], place: dict[str, int]) -> dict[str, Any]:
    """Return an entry with the documents it read named by their places in the record's list."""
    if "context" in entry:
        return {**entry, "context": _placed(entry["context"], place)}
    return {**entry, "model": [place[d] for d in entry["model"]], "file": [place[d] for d in entry["file"]]}


def _model_digest(doc: Document[Any]) -> str:
    """Return a digest of a document's model (its validated content)."""
    return hashlib.sha256(doc.model.model_dump_json(by_alias=True).encode()).hexdigest()
