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
lessons' cells. The bibliography, which checks read as a whole, and the
technique vocabulary are part of every check's inputs, as is the package's
code and this computer's key (a record that came with a repository is
ignored); a check that reads files of the project besides its content (its
pages) always runs (:func:`~curriculum.content._registry.check` with ``files``).

The suppressions each document holds are recorded too, by the digest of its
text: the audit of suppressions that silence nothing reads the model of a
changed document only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

from curriculum._memo import code_key, machine_key
from curriculum._plain import read_headed
from curriculum.content._diagnostics import Diagnostic
from curriculum.content._files import write_atomic
from curriculum.content._project import Curriculum, Document
from curriculum.content._registry import CHECKS, READS_FILES, CheckFn, Finding
from curriculum.content._yaml import Loc
from curriculum.errors import CurriculumError

__all__ = ["CHECK_RECORD", "CheckRecord", "Suppression", "suppressions_of"]

VERSION = 1
"""Raise it when the record's form changes."""
RECORD_LIMIT = 64 << 20
"""The largest record read back."""
CHECK_RECORD = "check-record.json"
"""The record's name, in the project's build cache."""

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


def _scopes(doc: Document[Any]) -> Iterator[Loc]:
    yield ()
    for i, _ in enumerate(getattr(doc.model, "items", []) or []):
        yield ("items", i)


class _Reads:
    """What one check read: the tables it looked into, and each document by how much of it."""

    def __init__(self) -> None:
        self.tables: set[str] = set()
        self.docs: dict[str, str] = {}

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
        if name == "model":
            self._reads.doc(self._doc.display, _MODEL)
        elif name in _FILE_ATTRIBUTES:
            self._reads.doc(self._doc.display, _FILE)
        return getattr(self._doc, name)

    def __repr__(self) -> str:
        return repr(self._doc)


class _WatchedTable(Mapping[str, "Document[Any]"]):
    """A table as a check sees it: any look into it notes the table; its documents are watched."""

    def __init__(self, name: str, table: Mapping[str, Document[Any]], watched: Callable[[Any], Any]) -> None:
        self._name, self._table, self._watched = name, table, watched

    def _look(self) -> None:
        self._watched(None).tables.add(self._name)

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
        data = _read(path)
        fitting = data.get("key") == self._key
        checks, suppressed, models = (
            (data.get("checks"), data.get("suppressions"), data.get("models"))
            if fitting
            else (None, None, None)
        )
        self._before: dict[str, Any] = checks if isinstance(checks, dict) else {}
        self._suppressed: dict[str, Any] = suppressed if isinstance(suppressed, dict) else {}
        self._models_before: dict[str, Any] = models if isinstance(models, dict) else {}
        self._now: dict[str, Any] = {}
        self._suppressions_now: dict[str, Any] = {}
        self._listings: dict[str, str] = {}
        self._models: dict[str, str] = {}
        self.ran: list[str] = []
        """The names of the checks run this time (the others' findings came from the record)."""

    def findings(self, checks: Iterable[CheckFn] = CHECKS) -> list[Finding]:
        """Return what every check finds: run again if something it read changed, else as recorded."""
        found: list[Finding] = []
        for fn in checks:
            name = f"{fn.__module__}.{fn.__qualname__}"
            kept = None if fn in READS_FILES else self._kept(name)
            if kept is None:
                kept = self._run(name, fn)
                self.ran.append(name)
            found += kept
        return found

    def suppressions(self, doc: Document[Any]) -> list[Suppression]:
        """Return the suppressions of ``doc``: as recorded while its text is the same, else from its model."""
        then = self._suppressed.get(doc.display)
        found: list[Suppression] | None = None
        if isinstance(then, list) and len(then) == 2 and then[0] == doc.digest and doc.digest:
            with contextlib.suppress(TypeError, ValueError):
                found = [(tuple(owner), str(code), str(reason)) for owner, code, reason in then[1]]
        if found is None:
            found = suppressions_of(doc)
        self._suppressions_now[doc.display] = [doc.digest, [[list(o), c, r] for o, c, r in found]]
        return found

    def save(self) -> None:
        """Write the record, if it changed (a failure to write it is ignored: it only saves time)."""
        models = self._models_now()
        if (
            self._now == self._before
            and self._suppressions_now == self._suppressed
            and models == self._models_before
        ):
            return
        record = {
            "key": self._key,
            "checks": self._now,
            "suppressions": self._suppressions_now,
            "models": models,
        }
        head = json.dumps({"check-record": VERSION}).encode() + b"\n"
        with contextlib.suppress(CurriculumError, OSError):
            write_atomic(self._path, head + json.dumps(record).encode() + b"\n", within=self._cur.root)

    # ------------------------------------------------------------------ one check

    def _kept(self, name: str) -> list[Finding] | None:
        """Return what ``name`` found last time if nothing it read changed since, else None."""
        then: Any = self._before.get(name)
        try:
            tables, docs, rows = then["tables"], then["docs"], then["findings"]
            if any(self._listing(table) != digest for table, digest in tables.items()):
                return None
            if not all(self._same(display, *entry) for display, entry in docs.items()):
                return None
            found = [self._finding(row) for row in rows]
            # as read now: a document whose text changed, but not its model, is recorded with its new text
            fresh = {d: [how, self._by_display[d].digest, model] for d, (how, _, model) in docs.items()}
        except (TypeError, KeyError, ValueError, AttributeError):
            return None
        self._now[name] = {**then, "docs": fresh}
        return found

    def _run(self, name: str, fn: CheckFn) -> list[Finding]:
        """Run ``fn`` on a view that notes what it reads; record that and what it found."""
        reads = _Reads()
        watched: dict[int, _Watched] = {}

        def watch(doc: Any) -> Any:
            if doc is None:
                return reads
            if id(doc) not in watched:
                watched[id(doc)] = _Watched(doc, reads)
            return watched[id(doc)]

        cur = self._cur
        view = Curriculum(
            cur.root,
            cast("dict[str, Any]", _WatchedTable("lessons", cur.lessons, watch)),
            {
                folder: cast("dict[str, Any]", _WatchedTable(folder, t, watch))
                for folder, t in cur.tables.items()
            },
            cast("dict[str, Any]", _WatchedTable("notes", cur.notes, watch)),
            watch(cur.techniques) if cur.techniques is not None else None,
            cur.bibliography,
        )
        found = [self._unwatched(finding) for finding in fn(view)]
        rows = [self._row(finding) for finding in found]
        docs = {display: self._stamp(display, how) for display, how in reads.docs.items()}
        self._now[name] = {
            "tables": {t: self._listing(t) for t in sorted(reads.tables)},
            "docs": docs,
            "findings": rows,
        }
        return found

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

    def _same(self, display: str, how: str, text: str, model: str | None) -> bool:
        """Whether a document is as a check read it: the same text, or (read for its model) the same model."""
        doc = self._by_display.get(display)
        if doc is None or not doc.digest:
            return False
        if doc.digest == text:
            return True  # the model is not even loaded
        return how == _MODEL and model is not None and self._model(doc) == model

    def _stamp(self, display: str, how: str) -> list[Any]:
        """Return what the record keeps of a document a check read: how, its text's digest, its model's."""
        doc = self._by_display[display]
        return [how, doc.digest, self._model(doc) if how == _MODEL and doc.digest else None]

    def _model(self, doc: Document[Any]) -> str:
        """Return a digest of a document's model: as recorded with the same text, or of the model."""
        if doc.display not in self._models:
            known = self._models_before.get(doc.display)
            if (
                isinstance(known, list)
                and len(known) == 2
                and known[0] == doc.digest
                and isinstance(known[1], str)
            ):
                self._models[doc.display] = known[1]
            else:
                self._models[doc.display] = _model_digest(doc)
        return self._models[doc.display]

    def _models_now(self) -> dict[str, list[str]]:
        """Return each document's text and model digests: those known now, and the others as recorded."""
        found: dict[str, list[str]] = {}
        for display, known in self._models_before.items():
            doc = self._by_display.get(display)
            if doc is not None and isinstance(known, list) and len(known) == 2 and known[0] == doc.digest:
                found[display] = known
        found.update((display, [self._by_display[display].digest, m]) for display, m in self._models.items())
        return found


def _model_digest(doc: Document[Any]) -> str:
    """Return a digest of a document's model (its validated content)."""
    return hashlib.sha256(doc.model.model_dump_json(by_alias=True).encode()).hexdigest()


def _read(path: Path) -> dict[str, Any]:
    found = read_headed(path, RECORD_LIMIT)
    if found is None or found[0].get("check-record") != VERSION:
        return {}
    _, data, start = found
    try:
        record = json.loads(data[start:])
    except (ValueError, RecursionError):
        return {}
    return record if isinstance(record, dict) else {}
