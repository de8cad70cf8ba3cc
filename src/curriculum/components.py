"""The component kinds: one :class:`ComponentSpec` each, the one place a kind is described.

A component is an interactive part of a lesson (a quiz, a branching case, a
spotter transcript, a worksheet): a content file, a payload built from it, an
ES module that draws it, and the learner's saved state. Everything that
differs from one kind to the next is in its spec, and every layer reads the
registry instead of keeping its own list:

- the hosts: the ``curriculum.<kind>()`` functions, the widget classes
  (:mod:`curriculum.hosts.widget`), the static fragment's ``<noscript>`` text,
  the status lines of ``curriculum.progress()``;
- the checks and the build: which calls a code cell makes and what they name
  (:mod:`curriculum.content._calls`), which content files a notebook depends
  on, the progress manifest, the search index, the generated site pages;
- ``curriculum new``: the templates for new content;
- the JavaScript: the bundler reads each spec's :attr:`~ComponentSpec.kind`
  and :attr:`~ComponentSpec.module` (the ES module file), in registry order,
  and the static host checks imported progress against each
  :attr:`~ComponentSpec.state` shape.

Adding a kind is one spec (:func:`register`), one ES module, one template and
one fixture: the recipe is in ``CONTRIBUTING.md``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from curriculum.content import (
    FORMATS,
    WORKSHEET_FIELDS,
    ContentFormat,
    Curriculum,
    Document,
    Quiz,
    Spotter,
    Worksheet,
    register_format,
)
from curriculum.render import PayloadBuilder

__all__ = [
    "COMPONENTS",
    "ComponentSpec",
    "Mount",
    "NewTemplate",
    "Param",
    "SitePages",
    "Status",
    "dom_id",
    "register",
]


def _web(name: str) -> Path:
    return Path(str(resources.files("curriculum.web").joinpath(name)))


def _template(name: str) -> Path:
    return Path(str(resources.files("curriculum.content").joinpath("templates", name)))


@dataclass(frozen=True)
class Param:
    """One parameter of a component function, such as ``quiz_id``.

    Attributes
    ----------
    name : str
        The parameter's name in ``curriculum.<kind>(...)``.
    doc : str
        One line on what it is (the function's docstring).
    optional : bool
        Whether a call may leave it out (it is then None).
    choices : Callable[[], Collection[str]] | None
        For a parameter that picks one of a fixed set (a worksheet's kind), the set.
    what : str
        How messages name one value of a choice parameter (``worksheet kind``).
    """

    name: str
    doc: str
    optional: bool = False
    choices: Callable[[], Collection[str]] | None = None
    what: str = ""


@dataclass(frozen=True)
class Status:
    """A part's line in a progress listing.

    Attributes
    ----------
    status : str
        What the learner has done (``2 attempts``, ``in progress``).
    score : str | None
        The best score, for a part that is scored.
    """

    status: str
    score: str | None = None


@dataclass(frozen=True)
class SitePages:
    """The pages the site generates for a component kind.

    Attributes
    ----------
    folder : str
        The folder of the generated pages: ``<folder>/<id>.qmd`` for each
        content file and ``<folder>/index.qmd`` listing them (ids may not be ``index``).
    """

    folder: str


@dataclass(frozen=True)
class NewTemplate:
    """A ``curriculum new`` template.

    Attributes
    ----------
    path : Path
        The Jinja template of the new YAML file. It is rendered with ``id``,
        ``kind``, ``title``, ``lesson``, ``objective``, ``reference`` and
        ``prompt``, and ``techniques`` when :attr:`techniques` is set.
    techniques : int
        How many technique ids the template names (0: none).
    prompt : str
        The prompt the new file starts with.
    """

    path: Path
    techniques: int = 0
    prompt: str = ""


Documents = Callable[[Curriculum, tuple[str | None, ...]], Mapping[str, Document[Any]]]
"""The content a call may name: given the curriculum and the call's arguments, documents by id."""


@dataclass(frozen=True)
class ComponentSpec:
    """Everything that makes one component kind what it is.

    Attributes
    ----------
    kind : str
        The name: the function ``curriculum.<kind>()``, the payload's ``component``,
        the prefix of its progress keys (``quiz:intro``), the JavaScript module's name.
    noun : str
        What a learner calls it (``case vignette``): ``This case vignette needs JavaScript``.
    label : str
        Its short name in progress listings (``Case``).
    params : tuple[Param, ...]
        The function's parameters; the last one is the id of the content it shows.
    content : ContentFormat
        The files its ids name (their folder and model).
    documents : Documents
        The content a call can name, by id (a worksheet's kind narrows the exercises);
        without arguments, every document of this kind.
    payload : Callable[..., dict]
        ``payload(builder, *args)``: the JSON the component draws (see ``docs/components.md``);
        raises ``KeyError`` when the content does not exist.
    module : Path
        The ES module (``export default { render({ model, el }) }``).
    state : Mapping[str, Any]
        The JSON Schema of the state the component saves; a saved state of another
        shape is not used (both hosts check it).
    status : Callable[[Mapping], Status]
        The progress listing's line for a saved state of the right shape.
    progress : Callable[[Any], dict]
        What the progress page needs of one content model: ``total`` (how many
        items, endings, turns or fields there are to do) and any extras.
    search : Callable[[Mapping], tuple[str | None, list[str]]]
        What a learner reads before answering, for the search index: a heading
        (None: the component's title) and HTML fragments. Never an answer.
    listed_by : str | None
        The lesson front-matter key that lists this kind of content (``vignettes``).
    pages : SitePages | None
        The site's generated pages for this kind, if it has pages of its own; a
        component without them is shown on its lesson's page only.
    templates : Mapping[str, NewTemplate]
        ``curriculum new`` kinds that create this kind of content.
    describe : str
        How an author's message names its content (``spotter exercise``); a choice
        parameter's value goes before it (``thought-record exercise``).
    """

    kind: str
    noun: str
    label: str
    params: tuple[Param, ...]
    content: ContentFormat
    documents: Documents
    payload: Callable[..., dict[str, Any]]
    module: Path
    state: Mapping[str, Any]
    status: Callable[[Mapping[str, Any]], Status]
    progress: Callable[[Any], dict[str, Any]]
    search: Callable[[Mapping[str, Any]], tuple[str | None, list[str]]]
    listed_by: str | None = None
    pages: SitePages | None = None
    templates: Mapping[str, NewTemplate] = field(default_factory=dict)
    describe: str = ""

    @property
    def arity(self) -> tuple[int, int]:
        """The fewest and the most arguments a call takes."""
        return sum(1 for p in self.params if not p.optional), len(self.params)

    def what(self, args: tuple[str | None, ...] = ()) -> str:
        """Return how messages name the content a call with ``args`` shows (``thought-record exercise``)."""
        chosen = [a for p, a in zip(self.params, args, strict=False) if p.choices is not None and a]
        return " ".join([*chosen, self.describe or self.noun])

    def accepts(self, state: Any) -> bool:
        """Whether a saved state has the shape of :attr:`state` (a damaged or foreign one is not used)."""
        try:
            _validator(json.dumps(self.state, sort_keys=True))(state)
        except Exception:  # fastjsonschema's JsonSchemaValueException, or a value it cannot walk
            return False
        return True


@functools.cache
def _validator(schema: str) -> Callable[[Any], Any]:
    import fastjsonschema

    return fastjsonschema.compile(json.loads(schema))


class Registry(Mapping[str, ComponentSpec]):
    """The registered component kinds, in registration order (the order of the JavaScript bundle)."""

    def __init__(self) -> None:
        self._specs: dict[str, ComponentSpec] = {}

    def __getitem__(self, kind: str) -> ComponentSpec:
        return self._specs[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def register(self, spec: ComponentSpec) -> ComponentSpec:
        """Add a kind; its content format too, if it brings a new one.

        Raises
        ------
        ValueError
            If the kind is taken, its name is not a plain lowercase name, or it
            shows no content.
        """
        if not re.fullmatch(r"[a-z][a-z0-9_]*", spec.kind):
            raise ValueError(f"component kind {spec.kind!r} must be a lowercase Python name")
        if spec.kind in self._specs:
            raise ValueError(f"the component kind {spec.kind!r} is already registered")
        if not spec.params or spec.params[-1].choices is not None:
            raise ValueError(f"{spec.kind}: the last parameter must be the id of the content shown")
        register_format(spec.content)
        self._specs[spec.kind] = spec
        return spec

    def unregister(self, kind: str) -> None:
        """Remove a kind (tests register toy kinds and remove them again)."""
        spec = self._specs.pop(kind)
        if not any(other.content == spec.content for other in self._specs.values()):
            FORMATS.pop(spec.content.folder, None)


COMPONENTS = Registry()
"""Every component kind by name."""
register = COMPONENTS.register


def dom_id(key: str) -> str:
    """Return the id of the element a component mounts on: ``quiz:x`` mounts on ``cur-quiz-x``."""
    return "cur-" + re.sub(r"[^a-z0-9-]+", "-", key.lower()).strip("-")


_ARGUMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


@dataclass(frozen=True)
class Mount:
    """One component shown on a page: the call that shows it, not its data.

    Attributes
    ----------
    component : str
        The component kind (``quiz``).
    args : tuple[str, ...]
        The call's arguments: the content id last (a worksheet: its kind, then
        optionally the exercise id).
    """

    component: str
    args: tuple[str, ...]

    @property
    def spec(self) -> ComponentSpec:
        """The component kind's spec."""
        return COMPONENTS[self.component]

    @property
    def key(self) -> str:
        """The component's key, as in its payload and the progress file (``quiz:intro``)."""
        return f"{self.component}:{self.args[-1]}"

    @property
    def dom_id(self) -> str:
        """The id of the element the component mounts on."""
        return dom_id(self.key)

    def as_json(self) -> dict[str, Any]:
        """Return the reference as the data of a mount output in a notebook."""
        return {"component": self.component, "args": list(self.args)}

    @classmethod
    def from_json(cls, data: Any) -> Mount | None:
        """Return the reference in a mount output, or None if it is not one.

        Only a registered component with the right number of plain ids is accepted.
        """
        if not isinstance(data, Mapping) or set(data) != {"component", "args"}:
            return None
        component, args = data["component"], data["args"]
        if not isinstance(component, str) or component not in COMPONENTS or not isinstance(args, list):
            return None
        low, high = COMPONENTS[component].arity
        if not low <= len(args) <= high:
            return None
        if not all(isinstance(a, str) and _ARGUMENT.fullmatch(a) for a in args):
            return None
        return cls(component, tuple(args))

    def payload(self, builder: PayloadBuilder) -> dict[str, Any]:
        """Build the component's payload from the content.

        Raises
        ------
        KeyError
            If the content the mount names does not exist.
        """
        return self.spec.payload(builder, *self.args)


# --------------------------------------------------------------------------- the built-in kinds


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _quiz_status(state: Mapping[str, Any]) -> Status:
    attempts = state["attempts"]
    scored = [a["score"] for a in attempts if isinstance(a.get("score"), (int, float))]
    if scored:
        return Status(_plural(len(attempts), "attempt"), f"{round(max(scored) * 100)}%")
    return Status("in progress" if attempts else "not started")


def _quiz_progress(quiz: Quiz) -> dict[str, Any]:
    part: dict[str, Any] = {"quiz": quiz.kind, "total": len(quiz.items)}
    if quiz.pass_mark is not None:
        part["pass"] = quiz.pass_mark
    return part


def _quiz_search(payload: Mapping[str, Any]) -> tuple[str | None, list[str]]:
    parts = []
    for item in payload.get("items") or []:
        parts.append(item.get("stem_html", ""))
        parts += [o.get("html", "") for o in item.get("options", [])]
    return "Questions and options", parts


def _vignette_status(state: Mapping[str, Any]) -> Status:
    endings = state.get("endings") or {}
    return Status(f"{_plural(len(endings), 'ending')} reached" if endings else "in progress")


def _vignette_search(payload: Mapping[str, Any]) -> tuple[str | None, list[str]]:
    parts = [(payload.get("patient") or {}).get("summary_html", "")]
    for node in (payload.get("nodes") or {}).values():
        parts.append(node.get("scene_html", ""))
        parts += [c.get("text_html", "") for c in node.get("choices", [])]
    parts += list(payload.get("discussion_html") or [])
    return "The case: scenes and choices", parts


def _spotter_search(payload: Mapping[str, Any]) -> tuple[str | None, list[str]]:
    import html

    parts = [payload.get("context_html") or ""]
    parts += [
        f"{html.escape(t.get('speaker', ''))}: {t.get('text_html', '')}" for t in payload.get("turns") or []
    ]
    return None, parts


def _worksheet_status(state: Mapping[str, Any]) -> Status:
    written = sum(1 for value in state["fields"].values() if value.strip())
    return Status(f"{_plural(written, 'field')} written")


def _worksheet_documents(cur: Curriculum, args: tuple[str | None, ...]) -> dict[str, Document[Any]]:
    kind = args[0] if args else None  # without a kind: every worksheet
    return {
        ident: doc
        for ident, doc in cur.exercises.items()
        if isinstance(doc.model, Worksheet) and kind in (None, doc.model.kind)
    }


_EXERCISES = FORMATS["exercises"]
_WORKSHEET_PROMPTS = {  # what a new worksheet of each kind asks
    "thought-record": "Complete the record as the patient might, then compare with the example.",
    "formulation-cbt": "Write a CBT case conceptualisation of this case.",
    "formulation-psychodynamic": "Write a psychodynamic formulation of this case: describe, review, link.",
    "treatment-plan": "Write an integrated treatment plan for this case and say how you would hand it over.",
    "reflection": "What did you notice in yourself while working through this lesson?",
}

register(
    ComponentSpec(
        kind="quiz",
        noun="quiz",
        label="Quiz",
        params=(Param("quiz_id", "The quiz id, usually the lesson id."),),
        content=FORMATS["quizzes"],
        documents=lambda cur, _args: cur.quizzes,
        payload=PayloadBuilder.quiz,
        module=_web("quiz.js"),
        state={
            "type": "object",
            "required": ["attempts"],
            "properties": {"attempts": {"type": "array", "items": {"type": "object"}}},
        },
        status=_quiz_status,
        progress=_quiz_progress,
        search=_quiz_search,
        listed_by="quiz",
        pages=SitePages("quiz"),
        templates={"quiz": NewTemplate(_template("quiz.yml.j2"))},
    )
)
register(
    ComponentSpec(
        kind="vignette",
        noun="case vignette",
        label="Case",
        params=(Param("vignette_id", "The vignette id."),),
        content=FORMATS["vignettes"],
        documents=lambda cur, _args: cur.vignettes,
        payload=PayloadBuilder.vignette,
        module=_web("vignette.js"),
        state={
            "type": "object",
            "required": ["path", "at"],
            "properties": {"path": {"type": "array"}, "at": {"type": "string"}},
        },
        status=_vignette_status,
        progress=lambda v: {"total": sum(1 for node in v.nodes.values() if node.end)},
        search=_vignette_search,
        listed_by="vignettes",
        pages=SitePages("cases"),
        templates={"vignette": NewTemplate(_template("vignette.yml.j2"), techniques=2)},
        describe="vignette",
    )
)
register(
    ComponentSpec(
        kind="spotter",
        noun="exercise",
        label="Spotter",
        params=(Param("exercise_id", "The exercise id."),),
        content=_EXERCISES,
        documents=lambda cur, _args: {k: v for k, v in cur.exercises.items() if isinstance(v.model, Spotter)},
        payload=PayloadBuilder.spotter,
        module=_web("spotter.js"),
        state={"type": "object", "required": ["labels"], "properties": {"labels": {"type": "object"}}},
        status=lambda state: Status("checked" if state.get("checked") else "in progress"),
        progress=lambda ex: {"total": sum(1 for turn in ex.turns if turn.technique)},
        search=_spotter_search,
        listed_by="exercises",
        templates={"spotter": NewTemplate(_template("spotter.yml.j2"), techniques=2)},
        describe="spotter exercise",
    )
)
register(
    ComponentSpec(
        kind="worksheet",
        noun="worksheet",
        label="Worksheet",
        params=(
            Param(
                "kind",
                "``thought-record``, ``formulation-cbt``, ``formulation-psychodynamic``, "
                "``treatment-plan`` or ``reflection``.",
                choices=lambda: WORKSHEET_FIELDS,
                what="worksheet kind",
            ),
            Param(
                "exercise_id",
                "An exercise of that kind (``exercises/<exercise_id>.yml``) with its case and "
                "prompt; without it, a blank worksheet of ``kind``.",
                optional=True,
            ),
        ),
        content=_EXERCISES,
        documents=_worksheet_documents,
        payload=PayloadBuilder.worksheet,
        module=_web("worksheet.js"),
        state={
            "type": "object",
            "required": ["fields"],
            "properties": {"fields": {"type": "object", "additionalProperties": {"type": "string"}}},
        },
        status=_worksheet_status,
        progress=lambda ex: {"total": len(WORKSHEET_FIELDS[ex.kind])},
        search=lambda payload: (None, [payload.get("case_html") or "", payload.get("prompt_html") or ""]),
        listed_by="exercises",
        templates={
            kind: NewTemplate(_template("worksheet.yml.j2"), prompt=_WORKSHEET_PROMPTS.get(kind, ""))
            for kind in WORKSHEET_FIELDS
        },
        describe="exercise",
    )
)
del _EXERCISES
