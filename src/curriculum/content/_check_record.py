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

The suppressions each document holds are kept in the record too, by the
digest of its text: the audit of suppressions that silence nothing reads the
model of a changed document only. So are the facts a check asks of each
document through :func:`~curriculum.content._facts.document_fact`, a line
each, with the digest of the text it was made of: a check that counts what
every quiz names, or that plays strategies over the whole item bank, reads
the model of a changed quiz only, and the other quizzes' facts as the last
run left them. A check that read a document only through such facts depends
on those facts, not on the model: after the document changed, its facts are
made again (:data:`~curriculum.content._facts.FACTS`) and compared with those
the record holds, and the check, or the context of a check of one document at
a time, is taken from the record while they are the same (a quiz's prose
edited leaves what every quiz's items name as it was: no count over the whole
bank is made again).

What a run costs for a document no edit touched is next to nothing: which
documents changed is found in one pass (their texts' digests against the
record's, place by place, without a Python call a document), and a check's
inputs are unchanged when none of the places it read is among them (a set
operation). While no file came or went (the documents are those the record
names), no table is listed again: each lists what it listed at the last run,
as the entries hold it (a table holds the files of its folder, by their
stems). The record is JSON lines: a header with its key, the
documents' names, texts' digests, models' digests and suppressions (a line
each), then one line per check (its name, a tab, its entry; for a check of one
document at a time, another tab and its context's value, decoded only when a
document is checked with it), then one line per
fact of a document (the fact's name, a NUL, the document's place, a tab, its
text's digest, a tab, the fact). A line whose content is as it was is written
back as it was read, not encoded again; a fact is read only when a check asks
for it. A record of another form, or whose documents do not read (each named once,
with its text's digest), is no record (every check runs); a check whose line does not read runs again.

The record is kept as a base, those lines, and a file of the changes since
(:mod:`curriculum.content._record_changes`): after a header naming the base's
generation and a digest of the lines after it, a line of each column's
entries changed, by place, then the lines of the checks and facts changed
(one of an empty entry is gone). An edit
writes the changes only; when documents came or went (their places change) or
the changes grew large, the whole record is written, a new base. Changes that
do not read make the record none.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain, compress, repeat
from pathlib import Path
from typing import Any, NamedTuple, cast

from curriculum._memo import code_key, machine_key
from curriculum._plain import RECORD_LIMIT, read_headed
from curriculum.content._diagnostics import Diagnostic
from curriculum.content._facts import FACTS
from curriculum.content._project import Curriculum, Document
from curriculum.content._record_changes import changes_path, write_changes_or_base
from curriculum.content._registry import ALWAYS, BY_DOCUMENT, CHECKS, CheckFn, DocumentCheck, Finding
from curriculum.content._yaml import Loc
from curriculum.errors import CurriculumError

__all__ = ["CHECK_RECORD", "CheckRecord", "Suppression", "suppressions_of"]

VERSION = 6
"""Raise it when the record's form changes."""
CHECK_RECORD = "check-record.json"
"""The record's name, in the project's build cache."""
_COLUMNS = 4
"""The lines of the documents, after the header: names, texts' digests, models' digests, suppressions."""

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


Fact = Callable[[str, "Document[Any]", Callable[["Document[Any]"], Any], Callable[[Any], bool]], Any]
"""Gives a fact of a document, by the fact's name, kept by its text's digest (:meth:`CheckRecord.fact`)."""


class _Reads:
    """What one check read: the tables it looked into, each document by how much of it, and facts of them.

    Parameters
    ----------
    fact : Fact
        The record's facts (see :func:`~curriculum.content._facts.document_fact`).
    """

    def __init__(self, fact: Fact) -> None:
        self.tables: set[str] = set()
        self.docs: dict[str, str] = {}
        self.facts: dict[str, set[str]] = {}
        """The documents each fact was asked of, by the fact's name (see :meth:`CheckRecord.fact`)."""
        self.fact = fact
        """The record's fact of a name of a document."""

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
        """Return a fact of the document's model, kept by its text's digest (the fact counts as read).

        See :func:`~curriculum.content._facts.document_fact`.
        """
        doc = self._doc
        self._reads.facts.setdefault(name, set()).add(doc.display)
        return self._reads.fact(name, doc, make, valid)


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


class _Base(NamedTuple):
    """The base of a record as read: its size and generation, the documents' columns (parsed, and as read).

    And each check's entry, and each fact of a document, by the fact's name
    and the document's place (as read).
    """

    size: int
    generation: str | None
    columns: list[list[Any]]
    lines: list[bytes]
    checks: dict[str, bytes]
    facts: dict[bytes, bytes]


class _Record(NamedTuple):
    """A record as read: its base with the changes since applied, and the changes file as read.

    A record without a changes file has the changes an empty one holds (see :func:`_changes_file`).
    """

    columns: list[list[Any]]
    checks: dict[str, bytes]
    facts: dict[bytes, bytes]
    base: _Base
    changes: bytes


_NO_BASE = _Base(0, None, [[]] * _COLUMNS, [b""] * _COLUMNS, {}, {})
_NO_RECORD = _Record(_NO_BASE.columns, {}, {}, _NO_BASE, b"")


def _read(path: Path, key: str) -> _Record:
    """Return the record at ``path`` if it is one of ``key``, else none (missing, damaged, another form).

    Its base, with the changes since (see :mod:`curriculum.content._record_changes`)
    if they are of its generation: changes that do not read make the record none.
    """
    headed = read_headed(path, RECORD_LIMIT)
    if headed is None or headed[0].get("key") != key:
        return _NO_RECORD
    header, data, start = headed
    lines = _lines(data, start)
    if lines is None or len(lines) < _COLUMNS:
        return _NO_RECORD
    try:
        columns = [json.loads(line) for line in lines[:_COLUMNS]]
    except (ValueError, RecursionError):
        return _NO_RECORD
    if not _documents(columns):
        return _NO_RECORD
    generation = header.get("generation")
    checks, facts = _entries(lines[_COLUMNS:])
    base = _Base(
        len(data),
        generation if isinstance(generation, str) else None,
        columns,
        lines[:_COLUMNS],
        checks,
        facts,
    )
    headed = read_headed(changes_path(path), RECORD_LIMIT)
    if base.generation is None or headed is None or _of_base(headed[0]) != [key, base.generation]:
        empty = _changes_file(key, base.generation, [{}] * _COLUMNS, [])  # what a save finds unchanged
        return _Record(columns, checks, facts, base, empty)  # none, or an interrupted compaction's
    return _changed(base, bytes(headed[1]), headed[2], headed[0].get("body"))


def _of_base(header: dict[str, Any]) -> list[Any]:
    """Return the key and generation of the base a changes file's ``header`` names."""
    return [header.get("key"), header.get("generation")]


def _changed(base: _Base, data: bytes, start: int, digest: Any) -> _Record:
    """Return the record of ``base`` with the changes file ``data`` (its lines from ``start``) applied.

    After the header, a line of each column's entries changed, by place, then
    each check's and fact's line changed (one whose entry is empty is gone).
    The header names a digest of the lines (``digest``): changes whose lines
    are not as written (a line lost, cut or damaged would let the base's
    older entry count) are no record.
    """
    lines = _lines(data, start)
    if not lines or digest != _body_digest(data[start:]):
        return _NO_RECORD
    try:
        patches = json.loads(lines[0])
    except (ValueError, RecursionError):
        return _NO_RECORD
    if not (
        isinstance(patches, list) and len(patches) == _COLUMNS and all(isinstance(p, dict) for p in patches)
    ):
        return _NO_RECORD
    columns = [_patched(column, patch) for column, patch in zip(base.columns, patches, strict=True)]
    if patches[0] or None in columns or not _documents(cast("list[list[Any]]", columns)):
        return _NO_RECORD  # the documents' names are never changed: their places would be
    checks, facts = _entries(lines[1:])
    checks, facts = _applied(base.checks, checks), _applied(base.facts, facts)
    return _Record(cast("list[list[Any]]", columns), checks, facts, base, data)


def _lines(data: bytes | Any, start: int) -> list[bytes] | None:
    """Return the lines of a file of the record after its header (None: the last one does not end).

    Each line's end is found by :meth:`bytes.find` (a ``memchr``), a step a
    line, not a look at each byte: a record's lines are few and long (the
    documents' columns, a check's entry), and a split looks at every byte in
    Python's own loop (about ten instructions a byte, a base of hundreds of
    kilobytes read each build). No copy of the body is made first.
    """
    end = len(data)
    if end > start and data[end - 1] != 0x0A:  # every line ends with a newline
        return None
    find, lines = data.find, []
    while start < end:
        stop = find(b"\n", start)
        lines.append(bytes(data[start:stop]))
        start = stop + 1
    return lines


def _documents(columns: list[list[Any]]) -> bool:
    """Whether the documents' columns read: lists of one length, each document named once, with a digest."""
    if not all(isinstance(column, list) and len(column) == len(columns[0]) for column in columns):
        return False
    names, texts = columns[0], columns[1]
    return _strings(names) and _strings(texts) and len(set(names)) == len(names)


def _entries(lines: list[bytes]) -> tuple[dict[str, bytes], dict[bytes, bytes]]:
    """Return the entries of lines of checks and facts: a check's by name, a fact's by name and place."""
    named = [line for line in lines if b"\t" in line]  # a line without its tab (damaged): none
    entries = dict(map(bytes.split, named, repeat(b"\t"), repeat(1)))  # its name, then its entry
    facts = {name: entry for name, entry in entries.items() if b"\0" in name}  # name, NUL, document's place
    checks = {name.decode("utf-8", "replace"): entry for name, entry in entries.items() if b"\0" not in name}
    return checks, facts


def _patched(column: list[Any], patch: dict[str, Any]) -> list[Any] | None:
    """Return a column of the base with the entries ``patch`` sets, by place (None: a place it has not)."""
    if not patch:
        return column
    patched = list(column)
    for place, value in patch.items():
        if not (place.isascii() and place.isdecimal() and int(place) < len(patched)):
            return None
        patched[int(place)] = value
    return patched


def _applied(base: dict[Any, bytes], changed: dict[Any, bytes]) -> dict[Any, bytes]:
    """Return the entries of the base with those ``changed`` set (those whose entry is empty: gone)."""
    if not changed:
        return base
    merged = {**base, **changed}
    for name in [name for name, entry in changed.items() if not entry]:
        del merged[name]
    return merged


def _changes_file(
    key: str, generation: str | None, patches: list[dict[str, Any]], lines: list[bytes]
) -> bytes:
    """Return a changes file: its header, the columns' entries changed by place, lines of checks and facts.

    The header names the base (its key and generation) and a digest of the lines after it.
    """
    body = b"\n".join([_encoded(patches), *lines, b""])
    header = json.dumps({"key": key, "generation": generation, "body": _body_digest(body)}).encode()
    return header + b"\n" + body


def _body_digest(body: bytes) -> str:
    """Return the digest a changes file's header names of the lines after it."""
    return hashlib.sha256(body).hexdigest()


def _strings(column: list[Any]) -> bool:
    """Whether every entry of a column of the record is a string."""
    return all(map(isinstance, column, repeat(str)))


class _DamagedValue(Exception):
    """A recorded context's value does not read: the context is computed again."""


class _HeldValue:
    """The value of a check's context as the record holds it (JSON), decoded when first asked for.

    Parameters
    ----------
    line : bytes
        The value's JSON, as its check's line holds it (or is to hold it).
    *value : Any
        The value itself, when it was just computed (then not decoded again).
    """

    __slots__ = ("_decoded", "line")

    def __init__(self, line: bytes, *value: Any) -> None:
        self.line = line
        self._decoded: list[Any] = list(value)

    @property
    def none(self) -> bool:
        """Whether the value is None (the context found nothing to check documents with)."""
        return self.line.strip() == b"null"

    def decoded(self) -> Any:
        """Return the value (raises :class:`_DamagedValue` if its JSON does not read)."""
        if not self._decoded:
            try:
                self._decoded.append(json.loads(self.line))
            except (ValueError, RecursionError) as exc:
                raise _DamagedValue from exc
        return self._decoded[0]


class CheckRecord:
    """What each check read and found at the last run (see the module's description).

    The record names each document once, with the digests of its text and (for
    a document some check read for its model) of its model, and the
    suppressions it holds, as they were at the end of that run; each check
    names the documents it read by their place in that list. Every entry
    speaks of the documents as they were then: a check reused although a
    document's text changed (not its model) read what the new digests describe.

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
        docs = list(cur.documents())
        self._by_display = dict(zip(map(_DISPLAY, docs), docs, strict=True))
        self._digests: dict[str, str] = dict(zip(map(_DISPLAY, docs), map(_DIGEST, docs), strict=True))
        """Each document's text's digest, by name (all taken in one pass)."""
        self._tables: dict[str, Mapping[str, Document[Any]]] = dict(cur.tables)
        self._tables.update(lessons=cur.lessons, notes=cur.notes)
        bib = cur.bibliography
        shared = [VERSION, machine_key(), code_key(), str(cur.root), bib.display if bib else None]
        shared.append(hashlib.sha256(bib.text.encode("utf-8", "surrogatepass")).hexdigest() if bib else None)
        shared.append(cur.techniques.display if cur.techniques is not None else None)
        self._key = hashlib.sha256(json.dumps(shared).encode()).hexdigest()
        self._within = cur.root or path.parent  # a record is kept for a project's content
        self._then = _read(path, self._key)
        self._names: list[Any] = self._then.columns[0]
        """The documents as the last run named them: an entry names each by its place in this list."""
        self._name_at = dict(enumerate(self._names))
        """The same by place: a place written as another kind of number (a damaged record) is found too."""
        self._place_then = dict(zip(self._names, range(len(self._names)), strict=True))
        """Each document's place in that list (it names each once)."""
        self._same_documents = self._by_display.keys() == self._place_then.keys()
        """Whether the documents are those the record names: then every table lists what it listed."""
        same = self._same_texts()
        self._fresh = set(compress(self._names, same))
        """The documents whose text is as the last run left it."""
        self._stale = set(compress(range(len(same)), map(operator.not_, same)))
        """The places of the others: changed, or gone."""
        self._held: dict[str, list[Any]] = {}
        """The suppressions of each document asked for this run (as JSON gives them back)."""
        none_held = map(operator.eq, self._then.columns[3], repeat([]))
        self._holding_none = set(compress(self._names, map(operator.and_, same, none_held)))
        """The documents whose text is the same and that held no suppression: most of them, never asked."""
        self._changed = self._by_display.keys() - self._fresh
        """The documents whose text is not as the last run left it (changed, or new)."""
        self._entries: dict[str, Any] = {}
        self._now: dict[str, tuple[dict[str, Any], bool]] = {}
        """Each check's entry this run, and whether it names documents by name (else by their places then)."""
        self._facts: dict[tuple[str, str], tuple[Any, bytes | None]] = {}
        """Each fact asked for this run, by its name and the document's: the fact, and its line as read."""
        self._facts_as_read: set[tuple[str, str]] = set()
        """Those of them taken from the record (their lines as read, with the documents' texts' digests)."""
        self._listings: dict[str, str] = {}
        """Each table's listing (see :meth:`_listing`), made or taken from an entry of the record."""
        self._models: dict[str, str] = {}
        self._values: dict[str, bytes] = {}
        """The value of each check of one document at a time's context this run, as its line holds it."""
        self._read_places: set[int] = set()
        self._read_names: set[str] = set()
        """The documents some check (reused or run) read for its model this run: by place then, or by name."""
        self.ran: list[str] = []
        """The names of the checks run this time (the others' findings came from the record)."""

    def _same_texts(self) -> list[bool]:
        """Return whether each document the record names has its text as the record left it, all at once.

        Its text's digest now against the record's, place by place (a
        document gone has none); a document of no text (read from no file)
        is never the same.
        """
        texts = self._then.columns[1]  # as long as the names (see :func:`_documents`)
        same = map(operator.eq, map(self._digests.get, self._names), texts)
        return list(map(operator.and_, same, map(bool, texts)))

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
        held = self._held.get(doc.display)
        if held is None:
            held = self._held_then(doc.display)
            if held is None:
                held = [[list(owner), code, reason] for owner, code, reason in suppressions_of(doc)]
            self._held[doc.display] = held
        return [(tuple(owner), code, reason) for owner, code, reason in held] if held else []

    def suppressing(self) -> list[Document[Any]]:
        """Return the documents that may hold suppressions: all but those kept as holding none.

        What the audit of suppressions reads (see :meth:`suppressions`), in no
        particular order: an unchanged document that held none is not visited.
        """
        return [self._by_display[display] for display in self._by_display.keys() - self._holding_none]

    def _held_then(self, display: str) -> Any:
        """Return the suppressions kept for a document whose text is the same (None: not kept, or damaged)."""
        if display not in self._fresh:
            return None
        held = self._then.columns[3][self._place_then[display]]
        return held if held == [] or _suppression_rows(held) else None

    def save(self) -> None:
        """Write the record, if it changed (a failure to write it is ignored: it only saves time).

        What changed since the base is written, while the documents are those
        the base names, in its order, and the changes stay small beside it;
        else the whole record, as a new base (see
        :mod:`curriculum.content._record_changes`). A line (a column of the
        documents, a check's entry) that is as it was read is written back as
        read, not encoded again.
        """
        if self._same_documents:  # the record's list, its places as they were: nothing sorted again
            names, place, moved = self._names, self._place_then, False
        else:
            names = sorted(self._by_display)
            place = dict(zip(names, range(len(names)), strict=True))
            moved = names != self._names  # documents came or went: places changed
        digests = list(map(self._digests.__getitem__, names))
        columns = [names, digests, *self._models_and_held(names)]
        checks: dict[bytes, bytes] = {}
        for name, (entry, named) in self._now.items():
            if moved and not named:
                entry, named = _named(entry, self._name_at), True
            placed = _placed(entry, place) if named else entry
            checks[name.encode()] = self._check_line(name, placed)
        facts = self._fact_lines(place, moved)
        changes = None if moved else self._changes(columns, checks, facts)
        if changes == self._then.changes:
            return

        def whole(generation: str) -> bytes:
            return self._whole(generation, columns, checks, facts)

        with contextlib.suppress(CurriculumError, OSError):
            if write_changes_or_base(self._path, changes, whole, self._then.base.size, within=self._within):
                _remove_earlier_facts(self._path.parent)

    def _changes(
        self, columns: list[list[Any]], checks: dict[bytes, bytes], facts: dict[bytes, bytes]
    ) -> bytes | None:
        """Return the changes file of the record now since its base (None: no base read to change).

        The documents are those the base names, in its order.
        """
        base = self._then.base
        if base.generation is None:
            return None
        patches = list(map(_patch, columns, base.columns))
        then_checks = {name.encode(): line for name, line in base.checks.items()}
        lines = _changed_lines(checks, then_checks) + _changed_lines(facts, base.facts)
        return _changes_file(self._key, base.generation, patches, lines)

    def _whole(
        self, generation: str, columns: list[list[Any]], checks: dict[bytes, bytes], facts: dict[bytes, bytes]
    ) -> bytes:
        """Return the whole record now, a base of the generation ``generation``."""
        base = self._then.base
        lines = [json.dumps({"key": self._key, "generation": generation}).encode()]
        for now, then, line in zip(columns, base.columns, base.lines, strict=True):
            lines.append(line if now == then and line else _encoded(now))
        lines += [name + b"\t" + line for name, line in chain(checks.items(), facts.items())]
        return b"\n".join(lines) + b"\n"

    def fact(
        self,
        name: str,
        doc: Document[Any],
        make: Callable[[Document[Any]], Any],
        valid: Callable[[Any], bool],
    ) -> Any:
        """Return the fact ``name`` of ``doc``: as recorded with its text's digest, else made (JSON data).

        Asked again for the same document, it gives what it gave (``make`` runs
        once a document). A fact recorded in a shape ``valid`` refuses (a
        damaged record) is made again. See
        :func:`~curriculum.content._facts.document_fact`.
        """
        key = (name, doc.display)
        if key in self._facts:
            return self._facts[key][0]
        place = self._place_then.get(doc.display)
        digest, _, line = self._then.facts.get(_fact_name(name, place), b"").partition(b"\t")
        try:
            then = json.loads(line) if line else None
        except (ValueError, RecursionError):
            then = None
        if doc.digest and digest == doc.digest.encode() and then is not None and valid(then):
            self._facts[key] = (then, line)
            self._facts_as_read.add(key)
            return then
        made = json.loads(json.dumps(make(doc)))  # as the record gives facts back: lists, not tuples
        if doc.digest:
            self._facts[key] = (made, line if made == then else None)  # as it was: written back as read
        return made

    def _fact_lines(self, place: dict[str, int], moved: bool) -> dict[bytes, bytes]:
        """Return the lines of the facts, by their names: those asked for this run, and unchanged documents'.

        A check of one document at a time asks only the changed documents'
        facts: the others' stay for a later run. Their shape is judged when
        they are asked for. A fact is written as it was read, with the
        document's place now and its text's digest.

        While the documents are those the record names, in its order (not
        ``moved``), the lines are the record's, in its order, all at once: but
        those at the places of the documents whose text changed (gone, unless
        made again), and the facts made this run (each where its line was, else
        at the end). A line the record holds that this code did not write
        (damaged) is then kept as read: a fact is taken only by its name and
        place, with its text's digest (see :meth:`fact`).
        """
        if moved:  # documents came or went: every fact at its place anew
            return self._placed_fact_lines(place)
        made: dict[bytes, bytes] = {}
        for (name, display), (fact, line) in self._facts.items():
            if display in self._fresh and (name, display) in self._facts_as_read:
                continue  # its line, as read, is the record's
            digest = self._digests[display].encode()
            made[_fact_name(name, place[display])] = (
                digest + b"\t" + (_encoded(fact) if line is None else line)
            )
        names = {name for name, _, _ in map(bytes.partition, self._then.facts, repeat(b"\0"))}
        stale = {b"%s\0%d" % (name, at) for name in names for at in self._stale}  # as _fact_name makes them
        lines = {key: line for key, line in self._then.facts.items() if key not in stale or key in made}
        lines.update(made)
        return lines

    def _placed_fact_lines(self, place: dict[str, int]) -> dict[bytes, bytes]:
        """Return the lines of the facts (see :meth:`_fact_lines`), each document's checked, at its place now.

        Sorted by the facts' names and the documents' places.
        """
        lines: dict[tuple[str, int], bytes] = {}
        for (name, display), (made, line) in self._facts.items():
            digest = self._by_display[display].digest.encode()
            lines[name, place[display]] = digest + b"\t" + (_encoded(made) if line is None else line)
        for key, line in self._then.facts.items():
            named, _, then = key.partition(b"\0")
            try:
                at = int(then)
            except ValueError:  # a damaged record
                continue
            kept, fact = self._name_at.get(at), named.decode("utf-8", "replace")
            doc = self._by_display.get(kept) if isinstance(kept, str) else None
            if (
                doc is not None
                and doc.digest
                and line.startswith(doc.digest.encode() + b"\t")
                and self._place_then[doc.display] == at
                and (fact, doc.display) not in self._facts
            ):
                lines[fact, place[doc.display]] = line
        return {_fact_name(name, at): line for (name, at), line in sorted(lines.items())}

    def _check_line(self, name: str, entry: dict[str, Any]) -> bytes:
        """Return the line of a check's entry (after its name): as read, if the entry is as it was.

        A check of one document at a time's context value follows, after a tab
        (as read, if it was taken from the record).
        """
        line = self._then.checks.get(name)
        value = self._values.get(name)
        if line is not None and entry == self._entry(name) and value == self._value_line(name):
            return line
        return _encoded(entry) if value is None else _encoded(entry) + b"\t" + value

    def _models_and_held(self, names: list[str]) -> list[list[Any]]:
        """Return, for each document, its model's digest (if a check read its model) and its suppressions.

        Suppressions not asked for this run are kept while the text is the same,
        else unknown (None). While the documents are those the record names, in
        its order, each column is the record's, set again only where a
        document's entry may differ: for the models, where its text changed or
        it was read for its model this run and not at the last (or the other
        way round); for the suppressions, where its text changed or they were
        asked for this run.
        """
        places = self._name_at
        read = self._read_names.union(map(places.__getitem__, self._read_places & places.keys()))

        def model(display: str) -> str | None:
            return self._model_now(display) if display in read else None

        def held(display: str) -> Any:
            then = self._then.columns[3][self._place_then[display]] if display in self._fresh else None
            return self._held.get(display, then)

        if names != self._names:  # documents came or went: every place anew
            return [list(map(model, names)), list(map(held, names))]
        models, helds = self._then.columns[2], self._then.columns[3]
        stale = self._changed
        recorded = set(compress(names, map(isinstance, models, repeat(str))))  # read at the last run
        unread = set(compress(names, map(operator.is_, models, repeat(None))))
        reread = stale | (read - recorded) | (self._by_display.keys() - read - unread)
        asked = stale | (self._held.keys() - self._holding_none)
        return [self._patched(models, reread, model), self._patched(helds, asked, held)]

    def _patched(self, column: list[Any], changed: set[str], value: Callable[[str], Any]) -> list[Any]:
        """Return a column of the record with the entries of the documents ``changed`` made again."""
        patched = list(column)
        for display in changed:
            patched[self._place_then[display]] = value(display)
        return patched

    # ------------------------------------------------------------------ one check

    def _entry(self, name: str) -> Any:
        """Return a check's entry as the record holds it (None: none, or not JSON).

        A check of one document at a time's context is without its value,
        which its line holds apart (see :meth:`_value_line`). While the
        documents are those the record names, the listings of the tables it
        looked into are taken as the entry holds them (see :meth:`_listing`).
        """
        if name not in self._entries:
            line = self._then.checks.get(name)
            try:
                self._entries[name] = None if line is None else json.loads(line.partition(b"\t")[0])
            except (ValueError, RecursionError):
                self._entries[name] = None
            if self._same_documents:
                self._take_listings(self._entries[name])
        return self._entries[name]

    def _value_line(self, name: str) -> bytes | None:
        """Return the value of a check of one document at a time's context, as its line holds it (JSON).

        After the entry and a tab; None: the line holds none. Decoded only when
        a document is checked with it (see :class:`_HeldValue`).
        """
        line = self._then.checks.get(name)
        if line is None:
            return None
        _, tab, value = line.partition(b"\t")
        return value if tab else None

    def _take_listings(self, entry: Any) -> None:
        """Take the listings of the tables an entry (or its context) looked into, where none is known yet."""
        reads = entry.get("context", entry) if isinstance(entry, dict) else None
        tables = reads.get("tables") if isinstance(reads, dict) else None
        if isinstance(tables, dict):
            for table, digest in tables.items():
                if isinstance(digest, str):
                    self._listings.setdefault(table, digest)

    def _kept(self, name: str) -> list[Finding] | None:
        """Return what ``name`` found last time if nothing it read changed since, else None."""
        then = self._entry(name)
        if not self._unchanged(then):
            return None
        found = self._findings(then.get("findings"))
        if found is None:
            return None
        self._read_places.update(then["model"])
        self._now[name] = (then, False)
        return found

    def _unchanged(self, then: Any) -> bool:
        """Whether nothing an entry (naming documents by their places then) says was read changed since."""
        try:
            tables, model, file = then["tables"], then["model"], then["file"]
            listed = tables.items()  # raises for an entry of another shape
            if not self._same_documents and any(self._listing(table) != digest for table, digest in listed):
                return False  # the same documents: every table lists what it listed (see _listing)
            if not all(map(self._name_at.__contains__, model)) or not all(
                map(self._name_at.__contains__, file)
            ):
                return False
            if not self._stale.isdisjoint(file):
                return False
            if not all(self._same_model(n) for n in self._stale.intersection(model)):
                return False
            return all(self._same_facts(fact, places) for fact, places in then["facts"].items())
        except (TypeError, KeyError, AttributeError):
            return False

    def _same_facts(self, fact: str, places: Any) -> bool:
        """Whether the documents an entry read the fact ``fact`` of (by their places then) give it as then.

        Each whose text changed has it made again (:data:`~curriculum.content._facts.FACTS`),
        and compared with the record's, made of the text the record names: the
        others' are as they were, unread. A fact of no known making, or not
        recorded so, is not the same.
        """
        if not (isinstance(places, list) and all(map(self._name_at.__contains__, places))):
            return False
        return all(self._same_fact(fact, place) for place in self._stale.intersection(places))

    def _same_fact(self, fact: str, place: int) -> bool:
        """Whether the document at ``place`` then, whose text changed, gives the fact ``fact`` as recorded."""
        name, made = self._name_at[place], FACTS.get(fact)
        doc = self._by_display.get(name) if isinstance(name, str) else None
        if made is None or doc is None or not doc.digest:
            return False
        digest, _, line = self._then.facts.get(_fact_name(fact, place), b"").partition(b"\t")
        if not line or digest != str(self._then.columns[1][place]).encode():  # of the text recorded then
            return False
        try:
            then = json.loads(line)
        except (ValueError, RecursionError):
            return False
        return bool(made[1](then)) and self.fact(fact, doc, *made) == then

    def _same_model(self, place: int) -> bool:
        """Whether a document whose text changed (read for its model) has the model the last run read."""
        name, then = self._name_at[place], self._then.columns[2][place]
        doc = self._by_display.get(name) if isinstance(name, str) else None
        return doc is not None and bool(doc.digest) and isinstance(then, str) and self._model(doc) == then

    def _run(self, name: str, fn: CheckFn) -> list[Finding]:
        """Run ``fn`` on a view that notes what it reads; record that and what it found."""
        reads = _Reads(self.fact)
        found = [self._unwatched(finding) for finding in fn(self._watching(reads))]
        self._now[name] = ({**self._read(reads), "findings": [self._row(finding) for finding in found]}, True)
        return found

    def _by_document(self, name: str, check: DocumentCheck) -> list[Finding]:
        """Run a check of one document at a time on the documents that changed (see :class:`DocumentCheck`).

        Its context is computed again only if something it read changed; with
        the same context, each unchanged document's findings are as recorded,
        and the context's value is decoded only if a document is checked (a
        recorded value that does not read has the context computed again).
        """
        try:
            return self._by_document_with(name, check, reuse=True)
        except _DamagedValue:
            return self._by_document_with(name, check, reuse=False)

    def _by_document_with(self, name: str, check: DocumentCheck, *, reuse: bool) -> list[Finding]:
        """Run a check of one document at a time (:meth:`_by_document`), its context taken if ``reuse``."""
        then = self._entry(name)
        then = then if isinstance(then, dict) else {}
        recorded: Any = then.get("context")
        held = self._value_line(name)
        if reuse and held is not None and self._unchanged(recorded):
            value, named, same = _HeldValue(held), False, True
            self._read_places.update(recorded["model"])
            context = recorded
        else:
            reads = _Reads(self.fact)
            line = _encoded(check.context(self._watching(reads)))
            value = _HeldValue(line, json.loads(line))  # as a record gives it back
            context, named = self._read(reads), True
            self.ran.append(name)
            same = held is not None and isinstance(recorded, dict) and line == held
        self._values[name] = value.line
        before = then.get("documents") if same else None
        before = before if isinstance(before, dict) else None  # none that reads: every document checked
        documents: dict[str, Any] = {}
        found: list[Finding] = []
        for doc in self._visited(check, value.none, before):
            display = doc.display
            rows = before.get(display) if before is not None and display in self._fresh else None
            kept = None if rows is None else self._findings(rows)
            if kept is None:
                kept = self._checked(check, doc, value.decoded())
                rows = [self._row(finding) for finding in kept]
            if kept:
                documents[display] = rows
                found += kept
        self._now[name] = ({"context": context, "documents": documents}, named)
        return found

    def _visited(
        self, check: DocumentCheck, none: bool, before: dict[str, Any] | None
    ) -> Iterable[Document[Any]]:
        """Return the documents a check of one document at a time looks at (``none``: its context is None).

        With the context as recorded (``before``: what it found in each
        document then), those that changed and those it found something in,
        by name: an unchanged document it found nothing in is not visited.
        Else every document it checks (none for no context).

        Whether such a document is one the check checks is told by its
        identity among them, compared in one pass a document (no set of them
        all is made for a check: an edit names one or two documents).
        """
        if none:
            return ()
        if before is None:
            return check.documents(self._cur)
        found = (self._by_display.get(display) for display in sorted(self._changed | before.keys()))
        wanted = [doc for doc in found if doc is not None]
        if not wanted:
            return []
        docs = list(check.documents(self._cur))
        if len(wanted) > _FEW:
            checked = set(map(id, docs))
            return [doc for doc in wanted if id(doc) in checked]
        return [doc for doc in wanted if any(map(operator.is_, docs, repeat(doc)))]

    def _checked(self, check: DocumentCheck, doc: Document[Any], value: Any) -> list[Finding]:
        """Return what ``check`` finds in one document, which offers the record's facts of it.

        A check of one document may ask a fact of it
        (:func:`~curriculum.content._facts.document_fact`), kept by its text's
        digest: when the context changed, an unchanged document's is taken from
        the record's facts, and its model is not loaded. What it reads of the
        document is not noted: its findings are kept by the document's text.
        """
        view = cast("Document[Any]", _Watched(doc, _Reads(self.fact)))
        return [self._unwatched(finding) for finding in check.check(view, value)]

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
        self._read_names.update(model)
        docs = reads.docs.keys()  # a document read for its model or file: its facts follow from that
        facts = {fact: sorted(displays - docs) for fact, displays in sorted(reads.facts.items())}
        return {
            "tables": {t: self._listing(t) for t in sorted(reads.tables)},
            "model": model,
            "file": sorted(d for d, how in reads.docs.items() if how == _FILE),
            "facts": {fact: displays for fact, displays in facts.items() if displays},
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
        """Return a digest of a table's files (its ids and where they are): what a look into it depends on.

        A table holds the files of its folder, each under its file's stem, so
        while the documents are those the record names (by where they are) it
        lists what it listed at the last run: its listing is then taken from
        any entry that holds it (every entry holds the last run's), and made
        only for a table no entry read so far looked into. A listing not made
        here (a damaged record's) is only ever compared once documents came or
        went, and then it differs: the check runs again.
        """
        if table not in self._listings:
            self._listings[table] = _listing_of(self._tables.get(table, {}))
        return self._listings[table]

    def _model(self, doc: Document[Any]) -> str:
        """Return a digest of a document's model."""
        if doc.display not in self._models:
            self._models[doc.display] = _model_digest(doc)
        return self._models[doc.display]

    def _model_now(self, display: str) -> str | None:
        """Return the digest of the model of a document a check read for it this run.

        Known already, recorded with the same text, or made now.
        """
        if display in self._models:
            return self._models[display]
        then = self._then.columns[2][self._place_then[display]] if display in self._fresh else None
        return then if isinstance(then, str) else self._model(self._by_display[display])


_DISPLAY = operator.attrgetter("display")
_DIGEST = operator.attrgetter("digest")
_FEW = 8
"""Up to how many documents a check of one document at a time visits are looked for among those it
checks one by one (:meth:`CheckRecord._visited`); more are looked up in a set of them all."""


def _listing_of(docs: Mapping[str, Document[Any]]) -> str:
    """Return a digest of the files of a table ``docs``: its ids and where they are."""
    names = sorted(zip(docs.keys(), map(_DISPLAY, docs.values()), strict=True))
    text = "\0".join(chain.from_iterable(names))  # no id nor path holds a NUL: one text a listing
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _encoded(data: Any) -> bytes:
    """Return a line of the record: ``data`` as compact JSON."""
    return json.dumps(data, separators=(",", ":")).encode()


def _patch(now: list[Any], then: list[Any]) -> dict[str, Any]:
    """Return the entries of a column of the documents not as the base's, by place (as JSON names them)."""
    return {str(place): now[place] for place in compress(range(len(now)), map(operator.ne, now, then))}


def _changed_lines(now: dict[bytes, bytes], then: dict[bytes, bytes]) -> list[bytes]:
    """Return the lines of the entries ``now`` holds not as ``then`` does, then of those gone (empty)."""
    changed = compress(now.items(), map(operator.ne, now.values(), map(then.get, now)))
    return [name + b"\t" + line for name, line in changed] + [
        name + b"\t" for name in sorted(then.keys() - now.keys())
    ]


def _fact_name(name: str, place: int | None) -> bytes:
    """Return what a fact's line starts with: the fact's name, a NUL, the document's place.

    Then come a tab, the digest of the document's text the fact was made of, a tab and the fact.
    """
    return b"%s\0%d" % (name.encode(), -1 if place is None else place)


def _placed(entry: dict[str, Any], place: dict[str, int]) -> dict[str, Any]:
    """Return an entry with the documents it read named by their places in the record's list."""
    if "context" in entry:
        return {**entry, "context": _placed(entry["context"], place)}
    return {
        **entry,
        "model": [place[d] for d in entry["model"]],
        "file": [place[d] for d in entry["file"]],
        "facts": {fact: [place[d] for d in docs] for fact, docs in entry["facts"].items()},
    }


def _named(entry: dict[str, Any], name_at: dict[int, Any]) -> dict[str, Any]:
    """Return an entry with the documents it read named by name, not by place (undoes :func:`_placed`)."""
    if "context" in entry:
        return {**entry, "context": _named(entry["context"], name_at)}
    return {
        **entry,
        "model": [name_at[n] for n in entry["model"]],
        "file": [name_at[n] for n in entry["file"]],
        "facts": {fact: [name_at[n] for n in places] for fact, places in entry["facts"].items()},
    }


def _model_digest(doc: Document[Any]) -> str:
    """Return a digest of a document's model (its validated content)."""
    return hashlib.sha256(doc.model.model_dump_json(by_alias=True).encode()).hexdigest()


def _remove_earlier_facts(folder: Path) -> None:
    """Remove the files older code kept the checks' facts in (``check-facts.<name>.json``), now lines here.

    Called once the record is written in ``folder`` (which is then inside the project).
    """
    for path in folder.glob("check-facts.*.json"):
        with contextlib.suppress(OSError):
            path.unlink()
