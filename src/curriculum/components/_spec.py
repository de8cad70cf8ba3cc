"""What a component kind is (:class:`ComponentSpec`), the registry of kinds, and a component on a page."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curriculum._memo import Memo, text_value
from curriculum.content import FORMATS, ContentFormat, Curriculum, Document, register_format
from curriculum.render import GeneratedPage, PayloadBuilder

__all__ = [
    "COMPONENTS",
    "Companion",
    "ComponentSpec",
    "Mount",
    "NewTemplate",
    "PageContext",
    "Param",
    "Registry",
    "SitePages",
    "Status",
    "dom_id",
    "register",
]


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
class PageContext:
    """What a generated page is made from.

    Attributes
    ----------
    curriculum : Curriculum
        The checked curriculum.
    builder : PayloadBuilder
        Payloads and the Markdown renderer, for the build's profile.
    show : Callable[[str, tuple[str, ...]], str]
        The markup that shows a component (its kind and arguments) where
        Quarto renders the page: the static host's fragment.
    """

    curriculum: Curriculum
    builder: PayloadBuilder
    show: Callable[[str, tuple[str, ...]], str]

    def lesson(self, ident: str | None) -> dict[str, str] | None:
        """Return a lesson's id and title for a link, or None if there is no such lesson.

        The title is remembered by the digest of the notebook's text: a page
        that links to every lesson (the quiz index) validates the front matter
        of none the build has not changed.
        """
        doc = self.curriculum.lessons.get(ident) if ident else None
        if doc is None:
            return None
        title = _LESSON_TITLES.by_digest(doc.digest, lambda: doc.model.title)
        return {"id": doc.id, "title": title}

    def activity(self, ident: str | None) -> dict[str, str] | None:
        """Return an activity's id and title for a link, or None if there is no such activity."""
        doc = self.curriculum.activities.get(ident) if ident else None
        return {"id": doc.id, "title": doc.model.title} if doc else None


_LESSON_TITLES = Memo[str]("components.lesson-title", 1, str, text_value)
"""Each lesson's title (:meth:`PageContext.lesson`), by the notebook text's digest."""


@dataclass(frozen=True)
class SitePages:
    """The pages the site generates for a component kind.

    Attributes
    ----------
    folder : str
        The folder of the generated pages: ``<folder>/<id>.qmd`` for each
        content file and ``<folder>/index.qmd`` listing them (ids may not be ``index``).
    page : Callable[[PageContext, str], GeneratedPage]
        The page of one content file.
    index : Callable[[PageContext], GeneratedPage]
        The page that lists them.
    more : Mapping[str, Callable[[PageContext, str], GeneratedPage]]
        Further pages of each content file, each made by its function:
        ``<folder>/<id>-<name>.qmd`` for each name (an activity's evaluation
        and certificate). Like the content file's own page, each is kept in
        the memo by what it reads.
    """

    folder: str
    page: Callable[[PageContext, str], GeneratedPage]
    index: Callable[[PageContext], GeneratedPage]
    more: Mapping[str, Callable[[PageContext, str], GeneratedPage]] = field(default_factory=dict)


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
    companions : tuple[Companion, ...]
        Further files created with it (an activity's pre-test and post-test).
    """

    path: Path
    techniques: int = 0
    prompt: str = ""
    companions: tuple[Companion, ...] = ()


@dataclass(frozen=True)
class Companion:
    """A file ``curriculum new`` writes along with a template's main file.

    Attributes
    ----------
    target : str
        Its path in the project, with ``{id}`` for the new content's id
        (``quizzes/{id}-posttest.yml``).
    path : Path
        Its Jinja template, rendered with the main file's context and :attr:`context`.
    context : Mapping[str, Any]
        Further template variables.
    """

    target: str
    path: Path
    context: Mapping[str, Any] = field(default_factory=dict)


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

    @functools.cached_property
    def arity(self) -> tuple[int, int]:
        """The fewest and the most arguments a call takes (counted once a spec: its parameters are fixed)."""
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

    def __contains__(self, kind: object) -> bool:
        return kind in self._specs  # one look-up: Mapping's would raise and catch a KeyError

    def find(self, kind: object) -> ComponentSpec | None:
        """Return the spec of ``kind`` if it names a registered kind, else None (one look-up, any value)."""
        return self._specs.get(kind) if isinstance(kind, str) else None

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


def register(spec: ComponentSpec) -> ComponentSpec:
    """Register a component kind (see :meth:`Registry.register`); return its spec.

    Parameters
    ----------
    spec : ComponentSpec
        The kind.

    Returns
    -------
    ComponentSpec
        The same spec.

    Raises
    ------
    ValueError
        If the kind is taken or its spec is not usable.
    """
    return COMPONENTS.register(spec)


def dom_id(key: str) -> str:
    """Return the id of the element a component mounts on: ``quiz:x`` mounts on ``cur-quiz-x``."""
    return "cur-" + re.sub(r"[^a-z0-9-]+", "-", key.lower()).strip("-")


_ARGUMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


def _plain_ids(args: list[Any]) -> bool:
    """Whether every one of ``args`` is a plain id: a string :data:`_ARGUMENT` matches whole.

    Examples
    --------
    >>> _plain_ids(["intro", "a.b_c-1"]), _plain_ids(["-x"]), _plain_ids([1]), _plain_ids([b"intro"])
    (True, False, False, False)
    """
    try:
        return all(map(_ARGUMENT.fullmatch, args))
    except TypeError:  # not a string (a number, bytes, None)
        return False


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
        if type(data) is not dict and not isinstance(data, Mapping):  # a record's is a dict: no ABC check
            return None
        if len(data) != 2:
            return None
        component, args = data.get("component"), data.get("args")
        spec = COMPONENTS.find(component)
        if spec is None or not isinstance(args, list):
            return None
        low, high = spec.arity
        if not low <= len(args) <= high or not _plain_ids(args):
            return None
        return cls(spec.kind, tuple(args))

    def payload(self, builder: PayloadBuilder) -> dict[str, Any]:
        """Build the component's payload from the content.

        Raises
        ------
        KeyError
            If the content the mount names does not exist.
        """
        return builder.once(self.component, self.args, lambda: self._remembered(builder))

    @property
    def shows(self) -> tuple[str, str | None]:
        """The content file the call names: its folder and id (None: the call names none)."""
        spec = self.spec
        return spec.content.folder, self.args[-1] if len(self.args) == len(spec.params) else None

    def payload_key(self, builder: PayloadBuilder) -> str | None:
        """Return the memo key of the payload, which names its inputs (None: it is not remembered).

        Known once :meth:`payload` took it from the memo or built it, or while
        the memo holds it (which is then not read).
        """
        return builder.remembered_key(self._what, self.shows) or builder.held(
            _PAYLOADS, self._what, self.shows
        )

    def unread_key(self, builder: PayloadBuilder) -> str | None:
        """Return the memo key the payload has when it reads its own document only, without a look-up.

        What a file made from payloads is recorded as made from (see :meth:`keep_payload`).
        """
        return builder.key_of(_PAYLOADS, self._what, self.shows)

    def keep_payload(self, builder: PayloadBuilder, key: str) -> None:
        """Keep the payload ``key`` names (:meth:`unread_key`) for the next build, unread."""
        builder.keep(_PAYLOADS, self._what, self.shows, key)

    @staticmethod
    def keep_payloads(keys: list[str]) -> None:
        """Keep the payloads ``keys`` name (each a mount's :meth:`unread_key`) for the next build, unread.

        All in one call (:meth:`Memo.keep_keys`): the memo's store is found
        once for a page's payloads, not once a payload.
        """
        _PAYLOADS.keep_keys(keys)

    @functools.cached_property
    def _what(self) -> str:
        """Names the payload among the results kept for its document (asked for several times a page)."""
        return f"payload\0{self.component}\0{json.dumps(self.args)}"

    def _remembered(self, builder: PayloadBuilder) -> dict[str, Any]:
        """Build the payload, or take it from the memo while its document and the shared content stand."""
        build = self.spec.payload
        return builder.remembered(_PAYLOADS, self._what, self.shows, lambda b: build(b, *self.args))


def _payload_json(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TypeError("not a payload")
    return data


_PAYLOADS = Memo[dict[str, Any]](
    "render.payload",
    1,
    lambda payload: payload,
    _payload_json,
    keeps=("render.markdown", "render.objective-texts"),
)
"""Each component's payload, by its document's text and what every payload shares (see
:meth:`curriculum.render.PayloadBuilder.remembered`)."""
