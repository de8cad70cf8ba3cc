"""The progress manifest: every lesson and the parts a learner can work on, for the progress page.

The progress page (the learner's dashboard) lists each lesson's quiz, case vignettes, spotters and
worksheets with what the learner has done in each. What was done lives in
the browser (``localStorage``) under each part's progress key; what exists,
with readable titles, links and how many items, endings, turns or fields
each part has, comes from this manifest, written at build time as a classic
script (``progress-manifest.js``) so that it loads from ``file://`` too.
It names no answer: only titles, links, counts, and which objectives each
quiz item measures (the dashboard's mastery needs that map; whether an answer
was correct is recorded by the quiz itself, in the learner's progress).

A build keeps the script in its cache with what it was made from
(:func:`kept_manifest`): a build that changed no document's text costs one
comparison of their digests, as one line, with the record's, and reads no
facts; an edit that leaves every part's title, link and size as they were
costs a comparison of each document's digest (in one pass of C), the edited
document's facts made again, and the record (a few bytes a document) written,
not the manifest made and encoded again. The script is then known by its
digest: the files made from it that stand as made from that digest are
neither made nor read again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import json
import operator
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from curriculum._memo import tied_key
from curriculum._plain import RECORD_LIMIT, read_existing
from curriculum.components import COMPONENTS, dom_id, lists_of, outline
from curriculum.content import (
    COMPETENCY_DOMAINS,
    Curriculum,
    Document,
    DocumentFacts,
    competency_domain,
    competency_name,
    write_atomic,
)
from curriculum.errors import CurriculumError
from curriculum.project import output_path

__all__ = ["MANIFEST_SCRIPT", "Manifest", "kept_manifest", "manifest_script", "progress_manifest"]

MANIFEST_SCRIPT = "progress-manifest.js"
"""Where the manifest is published, relative to the site's root."""


def progress_manifest(cur: Curriculum, facts: DocumentFacts | None = None) -> dict[str, Any]:
    """Return the manifest: the lessons in order, each with its parts and objectives, then parts of no lesson.

    Parameters
    ----------
    cur : Curriculum
        The checked curriculum.
    facts : DocumentFacts | None
        Where what the manifest says of each document is kept by its text's
        digest (the build's): only the documents that changed are read.

    Returns
    -------
    dict
        ``{"lessons": [{"id", "title", "url", "parts": [...], "objectives": [...]}], "other": [...],
        "competencies": [...], "domains": [...]}``. Each part has ``key`` (its progress key),
        ``kind``, ``title``, ``url`` (relative to the site's root), ``total`` (items, endings,
        marked turns or fields) and, for a quiz, ``quiz`` (its kind), ``pass`` (its pass mark,
        if it has one) and ``items`` (item id to the objective ids it measures: never its
        key). Each objective has ``id``, ``text`` and ``competencies`` (ACGME subcompetency
        codes). ``competencies`` lists every code the objectives use, each with ``code``,
        ``name`` ("Patient Care 4") and ``domain`` (``PC``), and ``domains`` every domain
        (``id``, ``name``), both in the ACGME order (a JSON object's keys would be sorted).
    """
    sources = _sources(cur)
    return _manifest(cur, sources, [_facts_of(cur.root, source, facts) for source in sources])


_Source = tuple[str | None, str, Document[Any]]
"""A document the manifest is made from: its table's folder (None for a lesson), its id, and the document."""


def _sources(cur: Curriculum) -> list[_Source]:
    """Return the documents the manifest is made from, in its order: the lessons, then each part's table.

    Made by :func:`zip` a table, not a Python step a document: every build makes them.
    """
    sources: list[_Source] = list(zip(itertools.repeat(None), cur.lessons.keys(), cur.lessons.values()))
    for folder, table in _tables(cur):
        sources += zip(itertools.repeat(folder), table.keys(), table.values())
    return sources


def _tables(cur: Curriculum) -> list[tuple[str, dict[str, Document[Any]]]]:
    """Return the tables the manifest shows parts of, with their folders, in the curriculum's order."""
    folders = {spec.content.folder for spec in COMPONENTS.values()}
    return [(folder, table) for folder, table in cur.tables.items() if folder in folders]


def _order(cur: Curriculum) -> str:
    """Return the digest of every document's name (its table, its id and, for a lesson, its file), in order.

    Of the ids' and files' lists as one JSON text, made without a Python step a document.
    """
    names = [list(cur.lessons), list(map(_FILE, cur.lessons.values()))]
    names += ([folder, *table] for folder, table in _tables(cur))
    return _digest(json.dumps(names).encode())


_DOC = operator.itemgetter(2)
"""A source's document."""
_DIGEST = operator.attrgetter("digest")
"""A document's text's digest."""
_FILE = operator.attrgetter("file")
"""A document's file, as a string."""


def _facts_of(
    root: Path | None, source: _Source, facts: DocumentFacts | None = None, known: Any = None
) -> Any:
    """Return what the manifest says of one document: kept in ``facts`` if given, else made from its model.

    ``known`` is what it says, if already made from its model.
    """
    folder, ident, doc = source

    def make() -> Any:
        if known is not None:
            return known
        return _lesson_facts(doc) if folder is None else _part_facts(root, folder, ident, doc)

    return facts.get(doc, make) if facts is not None else make()


def _manifest(cur: Curriculum, sources: list[_Source], made: list[Any]) -> dict[str, Any]:
    """Return the manifest (see :func:`progress_manifest`) of ``sources``, whose facts are ``made``."""
    taught: dict[str, Any] = {}
    shown: dict[str, dict[str, Any]] = {}
    for (folder, ident, _), facts in zip(sources, made, strict=True):
        if folder is None:
            taught[ident] = facts
        else:
            shown.setdefault(folder, {})[ident] = facts
    parts: dict[str, dict[str, Any]] = {}
    naming: dict[str, str | None] = {}
    for kind, spec in COMPONENTS.items():  # in registry order, each table in its files' order
        for ident, found in shown.get(spec.content.folder, {}).items():
            if kind in found["parts"]:
                key = f"{kind}:{ident}"
                parts[key], naming[key] = found["parts"][kind], found["lesson"]
    order, other = outline(list(parts), naming, {ident: lesson["listed"] for ident, lesson in taught.items()})
    lessons = []
    for ident, keys in order.items():
        doc, lesson = cur.lessons[ident], taught[ident]
        source = doc.path.relative_to(cur.root).as_posix() if cur.root else f"lessons/{doc.path.name}"
        url = output_path(source)
        shows = [_entry(key, parts[key], url) for key in keys]
        lessons.append(
            {
                "id": ident,
                "title": lesson["title"],
                "url": url,
                "parts": shows,
                "objectives": lesson["objectives"],
            }
        )
    used = {c for lesson in taught.values() for o in lesson["objectives"] for c in o["competencies"]}
    codes = sorted(used, key=_code_order)
    return {
        "lessons": lessons,
        "other": [_entry(key, parts[key], "") for key in other],
        "competencies": [
            {"code": c, "name": competency_name(c), "domain": competency_domain(c)} for c in codes
        ],
        "domains": [{"id": d, "name": name} for d, name in COMPETENCY_DOMAINS.items()],
    }


def _lesson_facts(doc: Document[Any]) -> dict[str, Any]:
    """Return what the manifest says of a lesson: its title, objectives, and the parts it lists."""
    fm = doc.model
    return {
        "title": fm.title,
        "objectives": [
            {"id": o.id, "text": o.text, "competencies": list(o.competencies)} for o in fm.objectives
        ],
        "listed": lists_of(fm),
    }


def _part_facts(root: Path | None, folder: str, ident: str, doc: Document[Any]) -> dict[str, Any]:
    """Return what the manifest says of a document: the lesson it names, and its part of each kind it is."""
    alone = Curriculum(root, tables={folder: {ident: doc}})  # which kinds' documents it is, on its own
    kinds = [
        k
        for k, spec in COMPONENTS.items()
        if spec.content.folder == folder and ident in spec.documents(alone, ())
    ]
    return {
        "lesson": getattr(doc.model, "lesson", None),
        "parts": {k: _part(f"{k}:{ident}", doc) for k in kinds},
    }


def _code_order(code: str) -> tuple[int, str, int, str]:
    """Sort subcompetency codes by domain in the ACGME order, then by number (PC2 before PC10)."""
    domain = competency_domain(code)
    order = list(COMPETENCY_DOMAINS)
    return (order.index(domain) if domain in order else len(order), domain, len(code), code)


def _part(key: str, doc: Document[Any]) -> dict[str, Any]:
    """Return a part's title, link (its own page, if it has one) and size."""
    kind, _, ident = key.partition(":")
    spec = COMPONENTS[kind]
    url = f"{spec.pages.folder}/{ident}.html" if spec.pages else ""
    return {"kind": kind, "title": doc.model.title, "url": url, **spec.progress(doc.model)}


def _entry(key: str, part: dict[str, Any], lesson_url: str) -> dict[str, Any]:
    entry = dict(part)
    entry["key"] = key
    if not entry["url"]:  # an exercise has no page of its own: it is on its lesson's page
        entry["url"] = f"{lesson_url}#{dom_id(key)}" if lesson_url else ""
    return entry


def manifest_script(cur: Curriculum, facts: DocumentFacts | None = None) -> str:
    """Return ``progress-manifest.js``: the manifest as one global, safe to load as a classic script.

    ``facts`` is where what it says of each document is kept (see :func:`progress_manifest`).
    """
    return _script(progress_manifest(cur, facts))


def _script(manifest: dict[str, Any]) -> str:
    """Return the script that sets the manifest as one global (see :func:`manifest_script`)."""
    text = json.dumps(manifest, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    text = text.replace("</", "<\\/").replace("<!--", "\\u003c!--")
    return f"window.CURRICULUM_MANIFEST = {text};\n"


MANIFEST_FACTS = "manifest-facts.json"
"""What the manifest says of each document, in the build cache (see :class:`DocumentFacts`)."""
MANIFEST_RECORD = "manifest-record.txt"
"""What the script the last build made was made from, in the build cache (:func:`kept_manifest`).

Three lines: a JSON header naming the record's key, the documents' order
and the script's digest; then the digest of each document's text, in order,
separated by spaces; then the digest of each one's facts, alike. Written
whole, and only when a text changed or a script was made."""
MANIFEST_KEPT = "manifest-script.js"
"""That script, named by its digest in the record: read only when a file made from it is to be written."""
_FORM = "progress-manifest 3"
"""The facts' and the record's form: the code's key names them too (a new form is a new name)."""


class Manifest:
    """The manifest's script, known by its digest: the script itself is read or made only once asked for.

    A build whose files made from the script (the site's copy, the include)
    stand as made from its digest does not need the script at all.

    Parameters
    ----------
    digest : str
        The digest of the script (what a file made from it is keyed by).
    script : Callable[[], str]
        Gives the script (the first time :attr:`script` is asked for).
    """

    def __init__(self, digest: str, script: Callable[[], str]) -> None:
        self.digest = digest
        self._script = script

    @classmethod
    def made(cls, script: str) -> Manifest:
        """Return the manifest of a script just made."""
        return cls(_digest(script.encode()), lambda: script)

    @functools.cached_property
    def script(self) -> str:
        """The script (:func:`manifest_script`), read or made the first time it is asked for."""
        return self._script()


def kept_manifest(cur: Curriculum, cache: Path | None, within: Path) -> Manifest:
    """Return the manifest's script (:func:`manifest_script`), kept in ``cache`` by what it is made from.

    The script is a function of the code, of the project's folder, and of each
    document's name (its table, id and, for a lesson, its file) and facts, in
    order. The record (:data:`MANIFEST_RECORD`) names each document's text
    and facts by their digests, in that order. While every document's text is
    as recorded, the script is the one kept: the documents' order is compared
    as one digest and their texts' digests as one line, and no facts are
    read. A document whose text changed (found by comparing the texts' digests
    with the record's, in one pass of C, not a Python step a document) has its
    facts made again, from its model: while they are as recorded (a quiz
    item's text edited), the script is still the one kept, and the record is
    written with the new texts. Otherwise the script is made again from every
    document's facts (kept in :class:`DocumentFacts`, which reads only the
    changed documents' models).

    The kept script is read only when asked for (:attr:`Manifest.script`):
    a build whose files made from it stand as made from its digest reads it
    not at all. One not as the record names it is made again.

    Parameters
    ----------
    cur : Curriculum
        The checked curriculum.
    cache : Path | None
        The build cache holding the records and the facts; None: the script is made, and nothing kept.
    within : Path
        The project: the records are written only inside it.
    """
    sources = _sources(cur)
    texts = list(map(_DIGEST, map(_DOC, sources)))
    if cache is None or not set(map(len, texts)) <= {_WIDTH}:  # one no digest names
        return Manifest.made(manifest_script(cur))
    record = _Record(cache, within, _record_key(cur.root), cur, sources, texts)
    remade = functools.partial(_remade, cur, cache, within, record)
    if record.summed():  # no text changed
        return Manifest(record.digest, lambda: record.script() or remade())
    if record.facts_stand(cur.root):
        record.save()
        return Manifest(record.digest, lambda: record.script() or remade())
    return Manifest.made(remade())


def _remade(cur: Curriculum, cache: Path, within: Path, record: _Record) -> str:
    """Return the script made again from every document's facts; keep it and record what it was made from."""
    facts = DocumentFacts(cache / MANIFEST_FACTS, within, _FORM)
    record.read()  # the facts' digests it names, and which texts changed
    sources = record.sources
    made = [_facts_of(cur.root, source, facts, record.made.get(at)) for at, source in enumerate(sources)]
    facts.save()
    script = _script(_manifest(cur, sources, made))
    record.save(script, made)
    return script


def _facts_digest(facts: Any) -> str:
    """Return the digest of a document's facts (of their JSON: facts read from a file are the same)."""
    return _digest(json.dumps(facts, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode())


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_WIDTH = 64
"""The length of a digest (a SHA-256 in hexadecimal): a document without one is not recorded."""


def _record_key(root: Path | None) -> str:
    """Return what a record must be kept under: the form, this computer, the code and the project's folder."""
    return tied_key(str(_FORM), os.fspath(root) if root is not None else "")


class _Record:
    """What the kept script was made from: each document's text's digest and facts' digest, in order.

    The record (:data:`MANIFEST_RECORD`) is read once, as three lines: its
    header, the texts' digests and the facts' digests. While the texts' line
    is the line of the texts as they are now, no digest is split from it;
    otherwise each line is split at once (:meth:`str.split`) and compared
    with the texts in one pass of :func:`map`. One of another key or order,
    or damaged, names none.

    Parameters
    ----------
    cache : Path
        The build cache (the record and the script are :data:`MANIFEST_RECORD` and :data:`MANIFEST_KEPT`).
    within : Path
        The project: they are written only inside it.
    key : str
        What the record is kept under (:func:`_record_key`): one of another key is none.
    cur : Curriculum
        The curriculum, whose documents' names make the record's order.
    sources : list
        The documents the script is made from now (:func:`_sources`).
    texts : list[str]
        Their texts' digests, in order.
    """

    def __init__(
        self, cache: Path, within: Path, key: str, cur: Curriculum, sources: list[_Source], texts: list[str]
    ) -> None:
        self._path = cache / MANIFEST_RECORD
        self._kept = cache / MANIFEST_KEPT
        self._within = within
        self.sources = sources
        """The documents the script is made from now."""
        self._texts = texts
        self._line = " ".join(texts)
        """The texts' line, as the record holds it."""
        self._about = {"key": key, "order": _order(cur)}
        self.digest = ""
        """The digest of the script the record names (of the one :meth:`save` was given, once saved)."""
        self.made: dict[int, Any] = {}
        """The facts :meth:`facts_stand` made, of the documents whose text changed, by their place."""
        self._ours = False
        self._then = ""
        self._facts: list[str] = [""] * len(texts)
        self._factsline = ""
        self._changed: list[int] = []
        self._read = False
        self._split = False

    def _load(self) -> None:
        """Read the record's header and lines (once): its script's digest, if it is one of these documents."""
        if self._read:
            return
        self._read = True
        lines = (read_existing(self._path, RECORD_LIMIT) or b"").split(b"\n")
        if len(lines) != 4 or lines[3]:  # a header, two lines, and the last line's end
            return
        try:
            about = json.loads(lines[0])
            then, facts = lines[1].decode("ascii"), lines[2].decode("ascii")
        except ValueError:  # no JSON, or no ASCII: damaged
            return
        if not isinstance(about, dict):
            return
        digest = about.get("digest")
        if isinstance(digest, str) and all(about.get(k) == v for k, v in self._about.items()):
            self._ours, self.digest, self._then, self._factsline = True, digest, then, facts

    def read(self) -> bool:
        """Split the record's lines (once): whether it names each document's facts, and which texts changed.

        A record whose lines do not name as many digests as there are
        documents is damaged: it names none.
        """
        self._load()
        if not self._ours or self._split:
            return self._ours
        self._split = True
        then, facts = (
            self._then.split(" ") if self._then else [],
            self._factsline.split(" ") if self._factsline else [],
        )
        if len(then) != len(self._texts) or len(facts) != len(then) or not set(map(len, facts)) <= {_WIDTH}:
            self._ours, self.digest = False, ""
            return False
        self._facts = facts
        # the places of the documents whose text is not the one recorded, found without a call each
        self._changed = list(itertools.compress(itertools.count(), map(operator.ne, self._texts, then)))
        return True

    def summed(self) -> bool:
        """Whether the record names the documents and their texts as they are now (its script is kept)."""
        self._load()
        return self._ours and self._then == self._line

    def script(self) -> str | None:
        """Return the script the record names, if it is kept as written (None: no record, or damaged)."""
        if not self.digest:
            return None
        data = read_existing(self._kept, RECORD_LIMIT)
        if data is None or _digest(data) != self.digest:
            return None
        try:
            return data.decode()  # the bytes of the digest recorded: the script as written
        except UnicodeDecodeError:  # a record and script damaged alike: made again
            return None

    def facts_stand(self, root: Path | None) -> bool:
        """Whether the documents are those recorded, each with the facts recorded.

        A document whose text is not the one recorded has its facts made again,
        from its model, and compared; they are recorded by its new text.
        """
        if not self.read():
            return False
        facts = self._facts
        for at in self._changed:
            self.made[at] = _facts_of(root, self.sources[at])
            if _facts_digest(self.made[at]) != facts[at]:
                return False
        return True

    def save(self, script: str | None = None, made: list[Any] | None = None) -> None:
        """Record the documents as they are now; given a ``script`` made from the facts ``made``, keep it too.

        Without a script, the facts of the documents whose text changed are
        those recorded (:meth:`facts_stand`). A failure to write is ignored
        (the next build makes the script again). The record is written whole,
        and only when a text changed or a script was made (never read to compare).
        """
        facts = self._facts
        if script is not None and made is not None:
            for at in self._changed if self._ours else range(len(facts)):
                facts[at] = _facts_digest(made[at])
            self.digest = _digest(script.encode())
            with contextlib.suppress(CurriculumError, OSError):
                write_atomic(self._kept, script, within=self._within, only_if_changed=False)
        header = json.dumps({**self._about, "digest": self.digest})
        record = f"{header}\n{self._line}\n{' '.join(facts)}\n"
        with contextlib.suppress(CurriculumError, OSError):
            write_atomic(self._path, record, within=self._within, only_if_changed=False)
