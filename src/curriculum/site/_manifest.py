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
digest of them all, and reads no record of them; an edit that leaves every
part's title, link and size as they were costs a comparison of each
document's digest, not the manifest made and encoded again, and writes the
record's entry of the edited document only. The script is then known by its
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
from curriculum._plain import RECORD_LIMIT, read_existing, read_record
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
from curriculum.site._record_file import RecordFile, looked_up

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
    """Return the documents the manifest is made from, in its order: the lessons, then each part's table."""
    folders = {spec.content.folder for spec in COMPONENTS.values()}
    lessons: list[_Source] = [(None, ident, doc) for ident, doc in cur.lessons.items()]
    return lessons + [
        (folder, ident, doc)
        for folder, table in cur.tables.items()
        if folder in folders
        for ident, doc in table.items()
    ]


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
MANIFEST_RECORD = "manifest-script.json"
"""What the script the last build made was made from, in the build cache (:func:`kept_manifest`).

A :class:`~curriculum.site._record_file.RecordFile`: an edit writes the entries it changed, not the record."""
MANIFEST_KEPT = "manifest-script.js"
"""That script, named by its digest in the record: read only when a file made from it is to be written."""
MANIFEST_SUMMARY = "manifest-summary.json"
"""Every text the script was last found made from, as one digest, and its digest (:meth:`_Record.summed`)."""
_FORM = "progress-manifest 2"
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
    order. The record names each document's facts by the digest of their JSON,
    with the digest of the text they were made from. While every document's
    text is as recorded, the script is the one kept: the documents' order is
    compared as one digest and each text's digest with its entry, in one
    pass, and no facts are read. A document whose text changed has its facts made again,
    from its model: while they are as recorded (a quiz item's text edited),
    the script is still the one kept, and only the record's entry of that
    text is written. Otherwise the script is made again from every
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
    widths = set(map(len, [doc.digest for _, _, doc in sources]))  # of every digest at once
    if cache is None or not widths <= {_WIDTH}:  # one no digest names
        return Manifest.made(manifest_script(cur))
    record = _Record(cache, within, _record_key(cur.root), sources)
    remade = functools.partial(_remade, cur, cache, within, record)
    if record.summed():  # no text changed: the record of each is not read
        return Manifest(record.digest, lambda: record.script() or remade())
    if record.facts_stand(cur.root):
        record.save()
        return Manifest(record.digest, lambda: record.script() or remade())
    return Manifest.made(remade())


def _remade(cur: Curriculum, cache: Path, within: Path, record: _Record) -> str:
    """Return the script made again from every document's facts; keep it and record what it was made from."""
    facts = DocumentFacts(cache / MANIFEST_FACTS, within, _FORM)
    record.read()
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


_SECTIONS = ("documents", "script")
"""The record's sections: each document's digests by its name, and what the script was made from.

A document's entry is the digest of its text followed by the digest of its
facts. The script's section holds the record's key (:func:`_record_key`),
the digest of the documents' names in order (``order``) and the script's
digest (``digest``): a record of another key or order names no document's facts.
"""

_TEXT = slice(0, _WIDTH)
"""Where a document's entry names its text (its facts follow)."""


class _Record:
    """What the kept script was made from: each document's text's digest and facts' digest, by its name.

    The record is a :class:`~curriculum.site._record_file.RecordFile`: a
    build that finds one text changed, and its facts as they were, writes that
    document's entry (the record's changes), not the record. Its summary
    (:data:`MANIFEST_SUMMARY`) names every text at once: while it names them
    as they are, the record is not read (:meth:`summed`).

    Parameters
    ----------
    cache : Path
        The build cache (the record and the script are :data:`MANIFEST_RECORD` and :data:`MANIFEST_KEPT`).
    within : Path
        The project: they are written only inside it.
    key : str
        What the record is kept under (:func:`_record_key`): one of another key is none.
    sources : list
        The documents the script is made from now.
    """

    def __init__(self, cache: Path, within: Path, key: str, sources: list[_Source]) -> None:
        self._file = RecordFile(cache / MANIFEST_RECORD, _SECTIONS, within=within)
        self._kept = cache / MANIFEST_KEPT
        self._within = within
        self.sources = sources
        """The documents the script is made from now."""
        self._names = [
            f"{folder}\0{ident}" if folder is not None else f"\0{ident}\0{doc.file}"
            for folder, ident, doc in sources
        ]
        self._texts = [doc.digest for _, _, doc in sources]
        self._about = {"key": key, "order": _digest(json.dumps(self._names).encode())}
        self._summary = cache / MANIFEST_SUMMARY
        self._summed = {**self._about, "texts": _digest("".join(self._texts).encode())}
        """What the summary names: the record's key, the documents' order, and every text in that order."""
        self.digest = ""
        """The digest of the script the record names (of the one :meth:`save` was given, once saved)."""
        self.made: dict[int, Any] = {}
        """The facts :meth:`facts_stand` made, of the documents whose text changed, by their place."""
        self._read = False

    def summed(self) -> bool:
        """Whether the summary names the documents and texts as they are now; if so, take its script's digest.

        The summary is written after the record, by a build that found the
        script made from these texts (or made it): a script of that digest,
        if kept as written (:meth:`script`), is the one made from them. One
        of another key, or damaged, names none.
        """
        summary = read_record(self._summary)
        digest = summary.get("digest")
        if not isinstance(digest, str) or any(summary.get(k) != v for k, v in self._summed.items()):
            return False
        self.digest = digest
        return True

    def read(self) -> None:
        """Read the record: each document's entry, and the script's digest it names (once)."""
        if self._read:
            return
        self._read = True
        recorded = self._file.read()
        about = recorded["script"]
        digest = about.get("digest")
        # each document's entry as recorded ("": none); one that is no string makes the record none
        self._then = list(looked_up(recorded["documents"], self._names, ""))
        ours = (
            isinstance(digest, str)
            and all(about.get(k) == v for k, v in self._about.items())
            and set(map(type, self._then)) <= {str}
        )
        if not ours:
            self._then = [""] * len(self._names)
        self._ours = ours
        self.digest = str(digest) if ours else ""
        # the places of the documents whose text is not the one recorded, found without a call each
        differ = map(operator.ne, self._texts, map(operator.getitem, self._then, itertools.repeat(_TEXT)))
        self._changed = list(itertools.compress(itertools.count(), differ))

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
        self.read()
        if not self.digest:
            return False
        for at in self._changed:
            self.made[at] = _facts_of(root, self.sources[at])
            if _facts_digest(self.made[at]) != self._then[at][_WIDTH:]:
                return False
        return True

    def save(self, script: str | None = None, made: list[Any] | None = None) -> None:
        """Record the documents as they are now; given a ``script`` made from the facts ``made``, keep it too.

        Without a script, the facts of the documents whose text changed are
        those recorded (:meth:`facts_stand`). A failure to write is ignored
        (the next build makes the script again). The record's changes are
        written only when a text changed or a script was made, without reading
        the file to compare; the script is written whole (it is made again
        only when it changed). The summary is written last, naming the texts
        and the script's digest as they are now (the next build with the
        same texts reads no record).
        """
        if script is None or made is None:
            # each changed text's entry: its facts' digest as recorded (they stand)
            changed = {at: self._texts[at] + self._then[at][_WIDTH:] for at in self._changed}
        else:
            changed = {at: self._texts[at] + _facts_digest(made[at]) for at in self._remade()}
            self.digest = _digest(script.encode())
            with contextlib.suppress(CurriculumError, OSError):
                write_atomic(self._kept, script, within=self._within, only_if_changed=False)
        if changed or script is not None:  # else as recorded
            entries = dict(zip(self._names, self._then, strict=True))
            entries.update((self._names[at], entry) for at, entry in changed.items())
            record = {"documents": entries, "script": {**self._about, "digest": self.digest}}
            with contextlib.suppress(CurriculumError, OSError):
                self._file.save(record)
        summary = json.dumps({**self._summed, "digest": self.digest})
        with contextlib.suppress(CurriculumError, OSError):
            write_atomic(self._summary, summary, within=self._within, only_if_changed=False)

    def _remade(self) -> list[int]:
        """Return the places of the documents whose facts' digest is to be made: all, without a record."""
        return self._changed if self._ours else list(range(len(self._names)))
