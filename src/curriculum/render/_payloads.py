"""Payloads: content models turned into the JSON each component displays.

A payload is the only thing a component sees (see ``docs/components.md``).
All authored Markdown is rendered and sanitised here, technique ids are
expanded into names and Y-model places, and objective texts and formatted
references are attached, so the browser does no content work. A summative
quiz's payload carries no answers, feedback or rationale at all, and the
resident profile carries no facilitator notes.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from typing import Any, Literal, TypeVar

from curriculum._memo import Memo
from curriculum.content import (
    EVERY,
    WORKSHEET_FIELDS,
    Curriculum,
    HiddenContent,
    Quiz,
    Spotter,
    Technique,
    Vignette,
    Worksheet,
    every_objective_text,
    lessons_digest,
)
from curriculum.render._markdown import Renderer, sanitize

__all__ = ["PLACES", "PayloadBuilder", "Profile", "without_verdict"]

Profile = Literal["resident", "faculty"]
PAYLOAD_SCHEMA = 1
_T = TypeVar("_T")

_DIGEST = attrgetter("digest")
"""A document's digest (of its text), taken of every document of a table in one pass."""

PLACES = [
    {"id": "stem", "label": "Stem: common factors and supportive"},
    {"id": "psychodynamic", "label": "Psychodynamic branch"},
    {"id": "cbt", "label": "CBT branch"},
]
"""The places on the Y model a learner can choose, in display order."""

MODALITY_LABELS = {
    "common": "Common factor",
    "supportive": "Supportive",
    "psychodynamic": "Psychodynamic",
    "cbt": "CBT",
    "integrated": "Integrated",
}
"""How the components name a modality (a technique's, a vignette's)."""

PLACE_LABELS = {"stem": "Stem", "psychodynamic": "Psychodynamic branch", "cbt": "CBT branch"}
"""How the components name a technique's place on the Y model in its badges."""

_VERDICT = re.compile(r"^\s*(?:Correct|Right|Yes)\s*[.:!]\s*", re.IGNORECASE)


def without_verdict(feedback: str) -> str:
    """Return the key's feedback without a leading "Correct.": the quiz gives its own verdict.

    Authors write the key's feedback for the learner who chose it ("Correct.
    Reflecting the feeling ..."). The quiz shows the same feedback under
    "Best answer" to a learner who chose another option, and already gives
    its own verdict above it, so the word would be wrong there and repeated
    everywhere else.
    """
    rest = _VERDICT.sub("", feedback, count=1)
    return rest[:1].upper() + rest[1:] if rest.strip() else feedback


def _labelled(technique: dict[str, str]) -> dict[str, str]:
    """Add the words for a technique's modality and place (the components show these)."""
    return {
        **technique,
        "modality_label": MODALITY_LABELS.get(technique["modality"], technique["modality"]),
        "place_label": PLACE_LABELS.get(technique["place"], technique["place"]),
    }


def _also(data: Any) -> list[tuple[str, str]]:
    if not isinstance(data, list) or not all(isinstance(p, list) and len(p) == 2 for p in data):
        raise TypeError("a list of documents, each a table and an id")
    return [(str(folder), str(ident)) for folder, ident in data]


_ALSO = Memo[list[tuple[str, str]]]("render.also", 1, lambda also: [list(p) for p in also], _also)
"""What else a remembered result read besides its own document (see :meth:`PayloadBuilder.remembered`)."""
_MOST_ALSO = 8
"""A result that reads more documents than this besides its own is computed on the whole content."""


def _texts_by_id(data: Any) -> dict[str, str]:
    if not isinstance(data, dict) or not all(map(isinstance, data.values(), itertools.repeat(str))):
        raise TypeError("not objectives' texts by id")
    return data


_OBJECTIVE_TEXTS = Memo[dict[str, str]]("render.objective-texts", 1, dict, _texts_by_id)
"""The texts of the objectives a payload serves, by their ids, the lessons' ids and what every payload
shares (see :meth:`PayloadBuilder._objective_texts`)."""


@dataclass
class PayloadBuilder:
    """Build component payloads for one curriculum.

    Attributes
    ----------
    curriculum : Curriculum
        The loaded, checked curriculum.
    renderer : Renderer
        Markdown renderer with the project's citations.
    site : str
        The site id (keys the learner's progress).
    profile : Profile
        ``faculty`` includes facilitator notes; ``resident`` does not.
    norms : Mapping[str, Mapping[str, Any]]
        Published cohort norms by quiz id (a norms file's ``quizzes``, ``docs/reports.md``);
        a pre-test's or post-test's payload carries its quiz's while its items are unchanged.
    """

    curriculum: Curriculum
    renderer: Renderer
    site: str
    profile: Profile = "resident"
    norms: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    _entries: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Each cited reference's sanitised entry (a build shows most references in many payloads)."""
    _built: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """Each component's payload, once built (a build shows it on its own page and in a lesson)."""
    _remembered: dict[tuple[str, tuple[str, str | None]], str] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """The memo key of each result :meth:`remembered` kept this build (see :meth:`remembered_key`)."""
    _base: PayloadBuilder | None = field(default=None, init=False, repr=False, compare=False)
    """The builder this one is a view of (None: it is none), which reads what every view reads alike."""

    def remembered(
        self,
        memo: Memo[_T],
        what: str,
        shown: tuple[str, str | None],
        compute: Callable[[PayloadBuilder], _T],
    ) -> _T:
        """Return ``compute(builder)``, remembered across builds by the documents of the tables it reads.

        ``compute`` runs on a view of the content that shows the one document
        ``shown`` (a folder and an id) and hides every other quiz, vignette,
        exercise and activity (:meth:`Curriculum.showing`). Its result depends
        on that document's text, on what stays in view (the lessons, notes,
        techniques and references, by :attr:`shared_digest`) and on the
        package's code, which together key ``memo`` (with ``what``, naming the
        result); so a quiz edit leaves every other quiz's and case's result to
        the memo. A result that asks for a hidden document (a post-test's page
        names its activity) is computed again on a view that shows that one
        too; what it read besides its own document is recorded (``render.also``)
        and keys the result with their texts, so it is remembered as well. A
        result that lists a table (an index of every quiz) names the id
        :data:`~curriculum.content.EVERY`: it is remembered by the text of
        every document of that table. One that reads what no view shows (a
        lesson's cells) is computed on the whole content each time.

        Parameters
        ----------
        memo : Memo
            Where the results are kept.
        what : str
            Names the result among others of the same document (say, the component and its arguments).
        shown : tuple[str, str | None]
            The table and id of the document it reads; a None id: none;
            :data:`~curriculum.content.EVERY`: all of them.
        compute : Callable[[PayloadBuilder], T]
            Makes the result with the builder it is given.
        """
        text = self._remembered_text(memo, what, shown)
        if text is None:
            return compute(self)  # outside a build, or no such document (which compute reports)
        shared = self.shared_digest
        value = memo.stored(text, context=shared)
        if value is not None:
            self._remembered[(what, shown)] = memo.key(text, shared)
            return value
        also = list(_ALSO.stored(text, context=shared) or [])  # what it read last time
        while len(also) <= _MOST_ALSO:
            full = self._also_text(text, also)
            if also and (value := memo.stored(full, context=shared)) is not None:
                self._remembered[(what, shown)] = memo.key(full, shared)
                return value
            view = self._view(self.curriculum.showing(*shown, also))
            try:
                value = compute(view)
            except HiddenContent as hidden:
                if hidden.shows is None or hidden.shows in also:
                    break  # what no view shows
                also.append(hidden.shows)
                continue
            if also:
                _ALSO.put(text, also, context=shared)
            memo.put(full, value, context=shared)
            self._remembered[(what, shown)] = memo.key(full, shared)
            return value
        return compute(self)

    def _view(self, curriculum: Curriculum) -> PayloadBuilder:
        """Return a builder on ``curriculum``, a view of this one's content, sharing what this one made.

        The formatted references, the lessons' objectives, and :attr:`shared_digest`:
        a view shows all they are made from (it hides other components' documents
        and the lessons' cells), so each is made once a build, not once a view.
        """
        view = dataclasses.replace(self, curriculum=curriculum)
        view._entries = self._entries
        view._base = self._base or self
        view.__dict__["shared_digest"] = self.shared_digest
        return view

    def _also_text(self, text: str, also: list[tuple[str, str]]) -> str:
        """Return ``text`` followed by what names each document of ``also`` (its text's digest)."""
        return "".join(
            [text, *(f"\0{folder}/{ident}\0{self.document_digest(folder, ident)}" for folder, ident in also)]
        )

    def document_digest(self, folder: str, ident: str | None) -> str:
        """Return the digest of the text of the document ``ident`` of table ``folder`` (``-``: none).

        Of every document's, for :data:`EVERY`. What :meth:`key_of` names a
        result by, besides what names it in its memo and :attr:`shared_digest`;
        with a mount, the shared digest and the package's code, it names the
        mount's :meth:`~curriculum.components.Mount.unread_key`.
        """
        table = self.curriculum.tables.get(folder, {})
        if ident == EVERY:  # each document's id and digest, paired and sorted without a call each
            pairs = sorted(zip(table.keys(), map(_DIGEST, table.values()), strict=True))
            return hashlib.sha256(json.dumps(pairs).encode()).hexdigest()
        doc = table.get(ident) if ident is not None else None
        return doc.digest if doc is not None else "-"

    def document_digests(self) -> dict[str, str]:
        """Return :meth:`document_digest` of every document of the tables, by its name (``folder/id``).

        All in one pass, no call a document. Not of :data:`EVERY`: a name
        that stands for a whole table (or one the content lacks) is asked of
        :meth:`document_digest`.
        """
        digests = {
            f"{folder}/{ident}": doc.digest
            for folder, table in self.curriculum.tables.items()
            for ident, doc in table.items()
        }
        for folder in self.curriculum.tables:
            digests.pop(f"{folder}/{EVERY}", None)  # a document no file can be named as: never so
        return digests

    def in_view(
        self, shown: tuple[str, str | None], compute: Callable[[PayloadBuilder], _T]
    ) -> tuple[_T, bool]:
        """Return ``compute`` run on a view of the content that shows ``shown`` (see :meth:`remembered`).

        The second value says whether it needed nothing else: when it asks for a
        hidden document, it runs again on the whole content, and the second value is False.
        """
        view = self._view(self.curriculum.showing(*shown))
        try:
            return compute(view), True
        except HiddenContent:
            return compute(self), False

    def key_of(self, memo: Memo[Any], what: str, shown: tuple[str, str | None]) -> str | None:
        """Return the key that names what :meth:`remembered` would keep in ``memo`` (None outside a build).

        A result made by :meth:`in_view` that needed nothing else is named by it
        as well, whether ``memo`` holds it or not.
        """
        text = self._remembered_text(memo, what, shown)
        return None if text is None else memo.key(text, self.shared_digest)

    def keep(self, memo: Memo[Any], what: str, shown: tuple[str, str | None], key: str) -> None:
        """Keep the result :meth:`key_of` names ``key`` for the next build, unread; know its key.

        For a result whose output is unchanged since a build made it from ``key``
        (its file's record says so): the memo stored it then. It is neither read
        nor searched for, and if the memo has lost it since, it is computed
        again when something must be made of it.
        """
        self.keep_all(memo, [(what, shown, key)])

    def keep_all(self, memo: Memo[Any], results: Iterable[tuple[str, tuple[str, str | None], str]]) -> None:
        """Keep the results ``results`` name (each its ``what``, ``shown`` and key) as :meth:`keep` does each.

        For a caller that reuses many results at once (the pages that stand
        after a pre-render): the memo's store is found once for them all
        (:meth:`Memo.keep_keys`), not once a result. The caller keeps them
        inside the memo session that reused them, before it ends; one cut
        short before it keeps them costs only a computation again: a result the
        memo then lost is made again when something must be made of it.
        """
        results = list(results)
        keys = list(map(itemgetter(2), results))
        self._remembered.update(zip(map(itemgetter(0, 1), results), keys, strict=True))  # by what and shown
        memo.keep_keys(keys)

    def held(self, memo: Memo[Any], what: str, shown: tuple[str, str | None]) -> str | None:
        """Return the memo key of what :meth:`remembered` would return from the memo, without reading it.

        None when the memo holds no such result (it would be computed). The
        result stays in the memo for the next build, and :meth:`remembered_key` knows its key.
        """
        text = self._remembered_text(memo, what, shown)
        if text is None:
            return None
        shared = self.shared_digest
        key = memo.held(text, context=shared)
        if key is None and (also := _ALSO.stored(text, context=shared)):
            key = memo.held(self._also_text(text, also), context=shared)
        if key is not None:
            self._remembered[(what, shown)] = key
        return key

    def _remembered_text(self, memo: Memo[Any], what: str, shown: tuple[str, str | None]) -> str | None:
        """Return what names a remembered result in ``memo``; None when it cannot be remembered."""
        folder, ident = shown
        table = self.curriculum.tables.get(folder, {})
        if not memo.persistent or (ident not in (None, EVERY) and ident not in table):
            return None
        return f"{what}\0{folder}/{ident}\0{self.document_digest(folder, ident)}"

    def remembered_key(self, what: str, shown: tuple[str, str | None]) -> str | None:
        """Return the memo key of a result :meth:`remembered` kept this build (None: it did not keep it).

        The key names the result's inputs, so a file made from results can be
        recognised by their keys without making it again.
        """
        return self._remembered.get((what, shown))

    @property
    def bibliography_text(self) -> str | None:
        """The text of the bibliography the references were formatted from (None: the content has none).

        The pages' renderer names its cache entries by it (see
        :class:`~curriculum.site._page_render.PageRenderer`).
        """
        bib = self.curriculum.bibliography
        return bib.text if bib is not None else None

    @functools.cached_property
    def shared_digest(self) -> str:
        """A digest of what every payload may read besides its own document.

        The site id, profile and published norms, the formatted references,
        the bibliography's keys, every lesson's front matter (not its cells:
        a lesson's prose leaves every payload as it was), and the text of
        every facilitator note and of the technique vocabulary.
        """
        cur = self.curriculum
        references = sorted(
            (k, r.key, r.parenthetical, r.narrative, r.html) for k, r in self.renderer.references.items()
        )
        parts = [
            self.site,
            self.profile,
            self.norms,
            cur.root is None,
            self.renderer.cite_links,
            references,
            sorted(cur.bibliography.keys) if cur.bibliography is not None else None,
            lessons_digest(cur.lessons),
            sorted(zip(cur.notes, map(_DIGEST, cur.notes.values()), strict=True)),
            cur.techniques.digest if cur.techniques is not None else None,
        ]
        return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()

    def once(
        self, component: str, args: tuple[str, ...], build: Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        """Return the payload of ``component`` with ``args``, built by ``build`` the first time asked.

        Callers must not change the payload: every page that shows the component shares it.
        """
        key = (component, args)
        if key not in self._built:
            self._built[key] = build()
        return self._built[key]

    # ------------------------------------------------------------------ shared

    def common(
        self,
        component: str,
        ident: str,
        title: str,
        lesson: str | None,
        objective_ids: list[str],
        texts: list[str],
    ) -> dict[str, Any]:
        """Return the fields every payload has (``docs/components.md``); a component kind adds its own.

        Parameters
        ----------
        component : str
            The component kind.
        ident : str
            The content's id (the progress key is ``<component>:<ident>``).
        title : str
            The title shown above the component.
        lesson : str | None
            The lesson it belongs to.
        objective_ids : list[str]
            The objectives it serves (their texts are attached).
        texts : list[str]
            Every authored Markdown text it shows, for the references its citations name.
        """
        keys: dict[str, None] = {}
        for text in texts:
            for key in self.renderer.keys(text):
                keys.setdefault(key, None)
        return {
            "component": component,
            "key": f"{component}:{ident}",
            "id": ident,
            "title": title,
            "lesson": lesson,
            "objectives": self._objective_texts(objective_ids),
            "references": self._references(list(keys)),
            "site": self.site,
            "schema": PAYLOAD_SCHEMA,
        }

    def _objective_texts(self, ids: list[str]) -> dict[str, str]:
        """Return the text of each objective of ``ids`` by its id (its id, where no lesson has it).

        Remembered (:data:`_OBJECTIVE_TEXTS`) by the ids, the lessons' ids in
        order (:attr:`_lessons_order`, made once a build) and :attr:`shared_digest`,
        which names every lesson's front matter, so their objectives: a payload
        made again while the lessons are as they were (a quiz edited) reads no
        lesson's objectives, and costs no step of Python a lesson. Only a new set
        of ids, or a lesson changed, reads them all (:attr:`_objectives`).
        """

        def texts() -> dict[str, str]:
            objectives = self._objectives
            return {oid: objectives.get(oid, oid) for oid in ids}

        if not ids:
            return {}
        if not _OBJECTIVE_TEXTS.persistent:  # outside a build: no shared digest is made for it
            return texts()
        named = json.dumps([ids, self._lessons_order])
        return _OBJECTIVE_TEXTS.get(named, texts, context=self.shared_digest)

    @property
    def _lessons_order(self) -> str:
        """A digest of the lessons' ids in order: of two with an objective of one id, the later one's shows.

        Made once a build: a view asks the builder it is of, whose lessons it shows.
        """
        return self._own_lessons_order if self._base is None else self._base._lessons_order

    @functools.cached_property
    def _own_lessons_order(self) -> str:
        """A digest of this builder's lessons' ids in order (see :attr:`_lessons_order`)."""
        return hashlib.sha256(json.dumps(list(self.curriculum.lessons)).encode()).hexdigest()

    @property
    def _objectives(self) -> dict[str, str]:
        """Every lesson objective's text by id (read once per build: a view asks the builder it is of)."""
        return self._own_objectives if self._base is None else self._base._objectives

    @functools.cached_property
    def _own_objectives(self) -> dict[str, str]:
        """Every lesson objective's text by id, read from this builder's lessons (see :attr:`_objectives`)."""
        return every_objective_text(self.curriculum.lessons)

    def _references(self, keys: list[str]) -> list[dict[str, str]]:
        out = []
        for key in keys:
            ref = self.renderer.reference(key)
            if ref is not None:
                html = self._entries.get(key)
                if html is None:
                    html = self._entries[key] = sanitize(ref.html)
                out.append({"key": key, "html": html})
        return sorted(out, key=lambda r: r["html"].lower())

    def _technique(self, tid: str) -> dict[str, str]:
        vocab = self.curriculum.techniques
        found: Technique | None = None
        if vocab is not None:
            found = next((t for t in vocab.model.techniques if t.id == tid), None)
        if found is None:
            unknown = {"id": tid, "name": tid, "modality": "common", "place": "stem", "definition": ""}
            return _labelled(unknown)
        return _labelled(
            {
                "id": found.id,
                "name": found.name,
                "modality": found.modality,
                "place": found.place,
                "definition": found.definition,
            }
        )

    # ------------------------------------------------------------------ quiz

    def quiz(self, ident: str) -> dict[str, Any]:
        """Return the payload of quiz ``ident`` (without any answer key if it is summative)."""
        quiz: Quiz = self.curriculum.quizzes[ident].model
        md = self.renderer
        summative = quiz.kind == "summative"
        texts = [quiz.instructions or ""]
        items = []
        for item in quiz.items:
            entry: dict[str, Any] = {
                "id": item.id,
                "type": item.type,
                "stem_html": md.block(item.stem),
                "options": [{"id": o.id, "html": md.inline(o.text)} for o in item.options],
                "objectives": list(item.objectives),
            }
            texts.append(item.stem)
            if not summative:
                entry["answer"] = item.key_ids
                for option, source in zip(entry["options"], item.options, strict=True):
                    keyed = source.id in entry["answer"]
                    option["feedback_html"] = md.block(
                        without_verdict(source.feedback) if keyed else source.feedback
                    )
                    texts.append(source.feedback)
                entry["rationale_html"] = md.block(item.rationale)
                entry["references"] = list(item.references)
                texts += [item.rationale, *(f"[@{k}]" for k in item.references)]
            items.append(entry)
        objective_ids = list(dict.fromkeys(o for item in quiz.items for o in item.objectives))
        payload = self.common("quiz", ident, quiz.title, quiz.lesson, objective_ids, texts)
        payload.update(
            {
                "kind": quiz.kind,
                "pass_mark": quiz.pass_mark,
                "shuffle": quiz.shuffle,
                "layout": quiz.layout,
                "instructions_html": md.block(quiz.instructions) if quiz.instructions else None,
                "items": items,
            }
        )
        norms = self.norms.get(ident)
        if (
            norms is not None
            and quiz.kind in ("pretest", "posttest")
            and list(norms["items"]) == [item.id for item in quiz.items]
        ):
            payload["norms"] = {key: norms[key] for key in ("n", "mean", "sd", "provisional", "percentiles")}
        return payload

    # ------------------------------------------------------------------ vignette

    def vignette(self, ident: str) -> dict[str, Any]:
        """Return the payload of vignette ``ident``."""
        v: Vignette = self.curriculum.vignettes[ident].model
        md = self.renderer
        texts: list[str] = [v.patient.summary, *(f"[@{k}]" for k in v.references), *v.discussion]
        nodes: dict[str, Any] = {}
        used: dict[str, None] = {}
        for name, node in v.nodes.items():
            texts += [node.scene, node.debrief or "", *(part.text for part in node.debrief_if)]
            choices = []
            for choice in node.choices:
                used.setdefault(choice.technique, None)
                texts += [choice.text, choice.feedback]
                choices.append(
                    {
                        "text_html": md.inline(choice.text),
                        "technique": choice.technique,
                        "quality": choice.quality,
                        "feedback_html": md.block(choice.feedback),
                        "next": choice.next,
                    }
                )
            nodes[name] = {
                "scene_html": md.block(node.scene),
                "end": node.end,
                "outcome": node.outcome,
                "debrief_html": md.block(node.debrief) if node.debrief else None,
                "debrief_if": [
                    {"when": part.when.model_dump(), "html": md.block(part.text)} for part in node.debrief_if
                ],
                "choices": choices,
            }
        facilitator = None
        if self.profile == "faculty" and v.facilitator:
            facilitator = md.block(v.facilitator)
            texts.append(v.facilitator)
        payload = self.common("vignette", ident, v.title, v.lesson, list(v.objectives), texts)
        payload.update(
            {
                "modality": v.modality,
                "modality_label": MODALITY_LABELS.get(v.modality, v.modality),
                "disorder": v.disorder,
                "setting": v.setting,
                "patient": {"age": str(v.patient.age), "summary_html": md.block(v.patient.summary)},
                "start": v.start,
                "nodes": nodes,
                "techniques": {tid: self._technique(tid) for tid in used},
                "discussion_html": [md.block(q) for q in v.discussion],
                "facilitator_html": facilitator,
            }
        )
        return payload

    # ------------------------------------------------------------------ exercises

    def spotter(self, ident: str) -> dict[str, Any]:
        """Return the payload of technique-spotter exercise ``ident``."""
        ex = self.curriculum.exercises[ident].model
        if not isinstance(ex, Spotter):
            raise KeyError(ident)
        md = self.renderer
        texts = [ex.context, *(f"[@{k}]" for k in ex.references)]
        turns = []
        for turn in ex.turns:
            expert = None
            if turn.technique:
                place = turn.y_model or self._technique(turn.technique)["place"]
                expert = {
                    "technique": turn.technique,
                    "place": place,
                    "reason_html": md.block(turn.reason or ""),
                }
                texts.append(turn.reason or "")
            texts.append(turn.text)
            turns.append({"speaker": turn.speaker, "text_html": md.block(turn.text), "expert": expert})
        payload = self.common("spotter", ident, ex.title, ex.lesson, list(ex.objectives), texts)
        payload.update(
            {
                "context_html": md.block(ex.context),
                "techniques": [self._technique(t) for t in ex.techniques],
                "places": PLACES,
                "turns": turns,
            }
        )
        return payload

    def worksheet(self, kind: str, ident: str | None = None) -> dict[str, Any]:
        """Return the payload of a worksheet: exercise ``ident``, or a blank one of ``kind``."""
        md = self.renderer
        ex: Worksheet | None = None
        if ident is not None:
            model = self.curriculum.exercises[ident].model
            if not isinstance(model, Worksheet) or model.kind != kind:
                raise KeyError(ident)
            ex = model
        fields = [{"id": f.id, "label": f.label, "help": f.help} for f in WORKSHEET_FIELDS[kind]]
        texts = []
        if ex is not None:
            texts = [
                ex.case or "",
                ex.prompt or "",
                *ex.example.values(),
                *(f"[@{k}]" for k in ex.references),
            ]
        title = ex.title if ex else kind.replace("-", " ").capitalize()
        payload = self.common(
            "worksheet",
            ident or kind,
            title,
            ex.lesson if ex else None,
            list(ex.objectives) if ex else [],
            texts,
        )
        payload.update(
            {
                "kind": kind,
                "case_html": md.block(ex.case) if ex and ex.case else None,
                "prompt_html": md.block(ex.prompt) if ex and ex.prompt else None,
                "fields": fields,
                "example_html": {k: md.block(v) for k, v in ex.example.items()} if ex else {},
            }
        )
        return payload
