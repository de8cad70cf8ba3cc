"""Find and load a curriculum project: every content file into its model.

A project is a folder with ``_quarto.yml``; its content lives in fixed
folders. Loading never stops at the first bad file: every file is read,
parsed and validated, and all problems are collected, so an author fixes a
whole batch at once. Files outside a project can still be loaded one by one
(for example a fixture in the tests); their kind is then guessed from their
folder or their keys.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import operator
import os
import posixpath
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, groupby, repeat
from pathlib import Path
from typing import Any, Generic, Literal, NamedTuple, TypeVar, cast, get_args

from pydantic import BaseModel

from curriculum._memo import Memo, in_session, memo_session, text_value
from curriculum._root import PROJECT_FILE, find_root
from curriculum.content._bibliography import BIBLIOGRAPHY, Bibliography, PandocRead, read_bibliography
from curriculum.content._diagnostics import RULES, Diagnostic, Severity
from curriculum.content._files import (
    Confined,
    FileRefused,
    Listings,
    changed_while_read,
    display_path,
    folder_names,
    folder_stamp,
    relative_posix,
    text_digest,
)
from curriculum.content._index import ContentIndex, HeldEntries, IndexEntry
from curriculum.content._models import (
    Activity,
    Exercise,
    FacilitatorNotes,
    LessonFrontMatter,
    Quiz,
    Spotter,
    TechniqueVocabulary,
    Vignette,
    Worksheet,
)
from curriculum.content._notebook import Cell, read_notebook
from curriculum.content._notes import NOTES_FOLDER, read_notes
from curriculum.content._source import read_source
from curriculum.content._validate import model_adapter, validate_model
from curriculum.content._yaml import Loc, LocMap, Pos, locs_from_json, locs_json, parse_yaml

__all__ = [
    "EVERY",
    "FORMATS",
    "PROJECT_FILE",
    "ContentFormat",
    "Curriculum",
    "Document",
    "HiddenContent",
    "display_path",
    "find_root",
    "generated_dirs",
    "load_curriculum",
    "load_files",
    "project_file_names",
    "project_files",
    "register_format",
]


E_KIND = RULES.add("CUR119", Severity.error, "The kind of a content file cannot be told.")
E_NOT_MAPPING = RULES.add("CUR115", Severity.error, "A content file is a YAML mapping of keys.")
E_SAME_ID = RULES.add(
    "CUR312",
    Severity.error,
    "Two content files have the same id (e.g. `x.yml` and `x.yaml`).",
    "The file name is the id, so one of the two would be silently dropped.",
)

M = TypeVar("M", bound=BaseModel)
_T = TypeVar("_T")

EVERY = "*"
"""The id that stands for every document of a table in :meth:`Curriculum.showing` (no file is named so)."""


@dataclass(frozen=True)
class ContentFormat:
    """A kind of content file: the folder that holds it and the model it is validated into.

    Attributes
    ----------
    name : str
        What the file is, with its article, as messages say it (``a quiz``).
    folder : str
        The project folder that holds these files (``quizzes``); it is also the
        key of their table in :attr:`Curriculum.tables`.
    model : Any
        The pydantic model (or discriminated union) a file is validated into.
    marker : Callable[[dict], bool]
        Whether a file's keys show it is of this format, for a file checked
        on its own outside the project's folders.
    """

    name: str
    folder: str
    model: Any
    marker: Callable[[dict[str, Any]], bool]

    @property
    def noun(self) -> str:
        """The name without its article (``quiz``); also the name of the format's JSON Schema."""
        return self.name.split(" ", 1)[-1]


FORMATS: dict[str, ContentFormat] = {}
"""Every YAML content format, by folder, in the order files are recognised."""


def register_format(fmt: ContentFormat) -> ContentFormat:
    """Add a YAML content format (a component kind with its own folder brings one).

    Raises
    ------
    ValueError
        If another format already uses the folder.
    """
    known = FORMATS.get(fmt.folder)
    if known is not None and known != fmt:
        raise ValueError(f"the folder {fmt.folder}/ already holds {known.name}s")
    FORMATS[fmt.folder] = fmt
    return fmt


_EXERCISE_KINDS = {
    *get_args(Spotter.model_fields["kind"].annotation),
    *get_args(Worksheet.model_fields["kind"].annotation),
}
for _builtin in (
    ContentFormat("a quiz", "quizzes", Quiz, lambda data: "items" in data),
    ContentFormat("a vignette", "vignettes", Vignette, lambda data: "nodes" in data),
    ContentFormat(
        "an exercise",
        "exercises",
        Exercise,
        lambda data: "turns" in data or str(data.get("kind")) in _EXERCISE_KINDS,
    ),
    ContentFormat("an activity", "activities", Activity, lambda data: "posttest" in data),
):
    register_format(_builtin)


@dataclass(frozen=True)
class Document(Generic[M]):
    """A validated content file.

    Attributes
    ----------
    id : str
        The content id (the file name without its suffix).
    path : Path
        The file on disk.
    display : str
        The path as diagnostics show it.
    model : BaseModel
        The validated content.
    locs : LocMap
        Where each key and value is in the file.
    cells : tuple[Cell, ...]
        For a lesson notebook, its cells; for facilitator notes, their body; empty otherwise.
    digest : str
        A SHA-256 of the file's text (what it was loaded from).
    """

    id: str
    path: Path
    display: str
    model: M
    locs: LocMap
    cells: tuple[Cell, ...] = ()
    digest: str = ""

    @functools.cached_property
    def file(self) -> str:
        """The file on disk as a string: ``os.fspath(path)`` (one from the index makes no path object)."""
        # made once; a document taken from the index, or a lesson's front matter, is made with it: no call
        return os.fspath(self.path)

    def at(self, *loc: str | int) -> Pos:
        """Return the position of the value at key path ``loc``."""
        return self.locs.value(loc)

    def where(self, *loc: str | int) -> Callable[[], tuple[str, Pos]]:
        """Return how to find the file and position of the value at ``loc``, for a message made later.

        Positions are decoded on demand (a remembered file's stay one string
        until asked for), so code that records places in case of a problem
        records this, and looks the place up only if there is one.
        """
        return lambda: (self.display, self.at(*loc))

    def key_at(self, *loc: str | int) -> Pos:
        """Return the position of the key at key path ``loc``."""
        return self.locs.key(loc)

    def inside(self, loc: Loc, offset: int, text: str) -> Pos:
        """Return the position of character ``offset`` inside the text value at ``loc``."""
        return self.locs.inside(loc, offset, text)


@dataclass
class Curriculum:
    """Everything a project holds, validated, with the problems found so far.

    Attributes
    ----------
    root : Path | None
        The project folder, or None for files checked on their own.
    lessons : dict[str, Document[LessonFrontMatter]]
        Lessons by id.
    tables : dict[str, dict[str, Document]]
        The YAML content of every format in :data:`FORMATS`, by folder, then
        by id; :attr:`quizzes`, :attr:`vignettes` and :attr:`exercises` are
        three of them.
    notes : dict[str, Document[FacilitatorNotes]]
        Facilitator notes (``faculty/notes/<lesson-id>.qmd``), by file name.
    techniques : Document[TechniqueVocabulary] | None
        The technique vocabulary.
    bibliography : Bibliography | None
        The keys of ``references.bib``.
    diagnostics : list[Diagnostic]
        Problems found while loading.
    """

    root: Path | None
    lessons: dict[str, Document[LessonFrontMatter]] = field(default_factory=dict)
    tables: dict[str, dict[str, Document[Any]]] = field(default_factory=dict)
    notes: dict[str, Document[FacilitatorNotes]] = field(default_factory=dict)
    techniques: Document[TechniqueVocabulary] | None = None
    bibliography: Bibliography | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _fronts: tuple[tuple[object, ...], dict[str, Any]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    """The lessons' front matter as :meth:`showing` shows them, and what names the lessons they show."""

    def __post_init__(self) -> None:
        for folder in FORMATS:
            self.tables.setdefault(folder, {})

    @property
    def quizzes(self) -> dict[str, Document[Quiz]]:
        """Quizzes by id (``quizzes/``)."""
        return cast("dict[str, Document[Quiz]]", self.tables["quizzes"])

    @property
    def vignettes(self) -> dict[str, Document[Vignette]]:
        """Vignettes by id (``vignettes/``)."""
        return cast("dict[str, Document[Vignette]]", self.tables["vignettes"])

    @property
    def exercises(self) -> dict[str, Document[Spotter | Worksheet]]:
        """Spotter and worksheet exercises by id (``exercises/``)."""
        return cast("dict[str, Document[Spotter | Worksheet]]", self.tables["exercises"])

    @property
    def activities(self) -> dict[str, Document[Activity]]:
        """Self-assessment activities by id (``activities/``)."""
        return cast("dict[str, Document[Activity]]", self.tables["activities"])

    @property
    def standalone(self) -> bool:
        """True when files are checked outside a project (cross-references are skipped)."""
        return self.root is None

    def showing(self, folder: str, ident: str | None, also: Iterable[tuple[str, str]] = ()) -> Curriculum:
        """Return a view that shows one document of the tables (``folder``/``ident``) and hides the others.

        The lessons' front matter, the notes, technique vocabulary and
        bibliography stay in view. Asking a table for any other id, listing
        one, or asking a lesson for its cells or locations raises
        :class:`HiddenContent`: a result computed from the view depends on
        that document and what stays in view, and on nothing else (so it can
        be remembered by their digests).

        Parameters
        ----------
        folder : str
            The table of the document shown (``quizzes``).
        ident : str | None
            Its id; None hides every document of the tables; :data:`EVERY`
            shows every document of ``folder`` (and lets it be listed).
        also : Iterable[tuple[str, str]]
            Other documents shown, each a table and an id (or :data:`EVERY`):
            those a result was found to read besides its own (:attr:`HiddenContent.shows`).
        """
        shown: dict[str, set[str]] = {}
        for table, name in [(folder, ident), *also]:
            if name is not None:
                shown.setdefault(table, set()).add(name)
        tables: dict[str, Any] = {
            name: _Showing(name, table, shown.get(name, set())) for name, table in self.tables.items()
        }
        lessons = self._front_matter()
        view = Curriculum(self.root, lessons, tables, self.notes, self.techniques, self.bibliography)
        view._fronts = _named(lessons), lessons  # a view's own views show its lessons as they are
        return view

    def _front_matter(self) -> dict[str, Any]:
        """Return the lessons as every :meth:`showing` view shows them (made again if the lessons changed).

        A build makes a view for each page it makes of a document: the
        lessons' front matter is shared by them all, not made once a view.
        The lessons are named by their ids and their documents' identities
        (a document the kept views hold is not freed, so no other takes its identity).
        """
        named = _named(self.lessons)
        if self._fronts is None or self._fronts[0] != named:
            self._fronts = named, {lid: _FrontMatterOnly.of(doc) for lid, doc in self.lessons.items()}
        return self._fronts[1]

    def documents(self) -> Iterable[Document[Any]]:
        """Every loaded document, lessons first."""
        # chained as the tables hold them: no Python call a document (a check lists them all, each build)
        tables = (table.values() for table in self.tables.values())
        vocabulary = () if self.techniques is None else (self.techniques,)
        return chain(self.lessons.values(), *tables, self.notes.values(), vocabulary)


def _named(lessons: Mapping[str, Document[Any]]) -> tuple[object, ...]:
    """Return what names the lessons a view shows: their ids and their documents' identities."""
    return (*lessons, *map(id, lessons.values()))


class HiddenContent(Exception):
    """A :meth:`Curriculum.showing` view was asked for a document it hides, or to list a table.

    Deliberately not a :class:`KeyError`: code that treats a missing id as
    "no such content" must not take a hidden one for missing.

    Parameters
    ----------
    what : str
        What was asked for.
    shows : tuple[str, str] | None
        The table and id (:data:`EVERY` for a listing) a view would have to
        show as well (``also``); None for what no view shows (a lesson's cells).
    """

    def __init__(self, what: str, shows: tuple[str, str] | None = None) -> None:
        super().__init__(what)
        self.shows = shows


class _FrontMatterOnly(Document[Any]):
    """A lesson as a :meth:`Curriculum.showing` view shows it: id, file and front matter, not its cells."""

    @classmethod
    def of(cls, doc: Document[Any]) -> _FrontMatterOnly:
        """Return the front matter of the lesson ``doc`` (its model validated when first asked for)."""
        shown = object.__new__(cls)  # its fields set at once (its path is the lesson's, when asked for)
        shown.__dict__.update(id=doc.id, display=doc.display, digest=doc.digest, file=doc.file, _lesson=doc)
        return shown

    @functools.cached_property
    def path(self) -> Path:
        """The lesson's file (a lesson taken from the content index makes its path object when asked)."""
        path: Path = self.__dict__["_lesson"].path
        return path

    @functools.cached_property
    def model(self) -> Any:
        """The lesson's front matter: a view made for one payload validates only the lessons it reads."""
        return self.__dict__["_lesson"].model

    def __repr__(self) -> str:
        return f"<the front matter of {self.display}>"

    @property
    def cells(self) -> tuple[Cell, ...]:
        """Hidden: a result that reads a lesson's cells depends on more than its front matter."""
        raise HiddenContent(f"the cells of {self.display}")

    @property
    def locs(self) -> LocMap:
        """Hidden, as the cells."""
        raise HiddenContent(f"the locations of {self.display}")


class _Showing(Mapping[str, "Document[Any]"]):
    """A table that shows some of its documents; any other id, or a listing, raises :class:`HiddenContent`.

    An id shown that the table does not hold is missing (:class:`KeyError`), as in the whole table.
    """

    def __init__(self, folder: str, table: Mapping[str, Document[Any]], idents: set[str]) -> None:
        self._folder = folder
        self._idents = idents
        self._listed = EVERY in idents
        self._shown = dict(table) if self._listed else {i: table[i] for i in idents if i in table}

    def __getitem__(self, key: str) -> Document[Any]:
        if key in self._shown:
            return self._shown[key]
        if key in self._idents or self._listed:
            raise KeyError(key)  # shown, and no such document
        raise HiddenContent(f"{self._folder}/{key}", (self._folder, key))

    def __iter__(self) -> Iterator[str]:
        if self._listed:
            return iter(self._shown)
        raise HiddenContent(f"the list of {self._folder}", (self._folder, EVERY))

    def __len__(self) -> int:
        if self._listed:
            return len(self._shown)
        raise HiddenContent(f"the number of {self._folder}", (self._folder, EVERY))


def generated_dirs() -> tuple[str, ...]:
    """Return the folders of pages the site build writes, which no author's page may be in.

    Each component kind with pages of its own has a folder (``quiz/``, ``cases/``;
    see :mod:`curriculum.components`), then the API reference and the rules
    reference. All but the API reference are ignored by version control:
    ``reference/`` is committed with its key, and quartodoc rewrites it only
    when the key is stale (:mod:`curriculum.site._reference`).
    """
    from curriculum.components import COMPONENTS  # the kinds, registered above this layer

    return (*(spec.pages.folder for spec in COMPONENTS.values() if spec.pages), "reference", "rules")


def generated_prefixes() -> tuple[str, ...]:
    """Return how the pages the build writes begin: each folder of :func:`generated_dirs` and a ``/``."""
    return tuple(f"{folder}/" for folder in generated_dirs())


def project_files(root: Path) -> list[Path]:
    """Every content file of the project at ``root``, in a stable order."""
    return [Path(name) for name in project_file_names(root)]


def project_file_names(root: Path) -> list[str]:
    """Every content file of :func:`project_files`, in its order, each as its path's string.

    Each is ``os.fspath(root / folder / name)``, made by joining strings: a
    build's stamp names hundreds of files, and makes no path object for them.
    """
    files = []
    for folder, _, names in _content_names(root):
        prefix = os.path.join(folder, "")  # the folder and one separator, as a path joins a name
        files += [prefix + name for name in names]
    bib = root / BIBLIOGRAPHY
    if bib.is_file():
        files.append(os.fspath(bib))
    return files


def _content_names(root: Path) -> list[tuple[Path, str, list[str]]]:
    """Each content folder of the project, as a path and relative to it, with its content files' names.

    The folders in the order :func:`project_files` gives them, each one's
    names sorted. Listed as strings (hundreds of files, each build), as
    :meth:`pathlib.Path.glob` matches them: a name that matches is listed
    whatever it is (a folder is refused when it is read), and a folder
    that is missing, is no folder or cannot be listed holds none.
    """
    folders = [("lessons", _is_notebook), *((f, _is_yaml) for f in FORMATS), (NOTES_FOLDER, _is_notes)]
    return [(root / folder, folder, _listed(root / folder, wanted)) for folder, wanted in folders]


def _listed(folder: Path, wanted: Callable[[str], bool]) -> list[str]:
    """Return the names in ``folder`` that ``wanted`` keeps, sorted (none if it cannot be listed).

    Kept while the folder is as it was listed (see :data:`_LISTINGS`).
    """
    key, at, stamp = (os.fspath(folder), wanted), time.time_ns(), folder_stamp(os.fspath(folder))
    names = _LISTINGS.get(key, stamp)  # the stamp taken before the folder is listed
    if names is None:
        names = tuple(sorted(name for name in folder_names(folder) if wanted(name)))
        _LISTINGS.keep(key, stamp, at, names)
    return list(names)


_LISTINGS = Listings[tuple[str, ...]]()
"""The content files' names of each content folder, kept while it is as it was listed: the stamp
of a build and the load that follows it, and each build of a process (``curriculum serve``), look
at the folder, not list it (whether each file is a link, or still inside, is looked at as ever)."""


def _is_notebook(name: str) -> bool:
    """Whether a lesson's folder lists ``name``: ``*.ipynb``, in any case where names have none."""
    return os.path.normcase(name).endswith(".ipynb")


def _is_notes(name: str) -> bool:
    """Whether the notes' folder lists ``name`` (``*.qmd``, as :func:`_is_notebook`)."""
    return os.path.normcase(name).endswith(".qmd")


def _is_yaml(name: str) -> bool:
    """Whether a format's folder lists ``name``: its :attr:`~pathlib.PurePath.suffix` is a YAML one."""
    return _suffix(name) in (".yml", ".yaml")


def _suffix(name: str) -> str:
    """Return a file name's suffix, as :attr:`pathlib.PurePath.suffix` does (``""`` for ``.yml``)."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def _stem(name: str) -> str:
    """Return a file name without its suffix, as :attr:`pathlib.PurePath.stem` does: a document's id."""
    return _stems([name])[0]


def _stems(names: list[str]) -> list[str]:
    """Return each name's :func:`_stem`, all in one pass (a folder's files, each build).

    A name split at its last dot keeps what is before it, unless nothing is
    before or after it (then the whole name).
    """
    split = list(map(str.rpartition, names, repeat(".")))
    if all(map(all, split)):  # the usual folder: every name has something before and after its last dot
        return list(map(operator.itemgetter(0), split))
    return [head if head and tail else name for (head, _, tail), name in zip(split, names, strict=True)]


def load_curriculum(root: Path, *, seen: Mapping[str, os.stat_result] | None = None) -> Curriculum:
    """Load every content file of the project at ``root``.

    Files unchanged since an earlier load are taken from the project's
    content index (see :mod:`curriculum.content._index`): their models are
    validated back from JSON, and their locations and cells are read only
    when asked for.

    Parameters
    ----------
    root : Path
        The project folder (holding ``_quarto.yml``).
    seen : Mapping[str, os.stat_result] | None
        The status of content files the caller looked at moments before (a
        build's stamp), each by its path as :func:`project_file_names` gives
        it, and each of a file that was no symbolic link then: such a file is
        not looked at again. The load is then as if made when the caller
        looked: a file edited since that the index held as the caller saw it is
        taken as the index holds it (the caller's stamp, which saw the old
        file, has the next run read it); one the index does not hold is looked
        at again, read as it is now, and recorded with its status now.

    Returns
    -------
    Curriculum
        The validated content and every problem found while loading it.
    """
    with memo_session(root):  # the models and places the index names are kept there
        index = ContentIndex(root)
        batch = _Batch(Curriculum(root), root, index, seen)
        bib = root / BIBLIOGRAPHY
        if bib.is_file():
            batch.load(bib)  # first: Pandoc reads it meanwhile
        for folder, relative, names in _content_names(root):
            batch.listed(folder, relative, names)
        cur = batch.done()
        index.save()
    return cur


def front_matter_digest(doc: Document[Any]) -> str:
    """Return a digest of a lesson's validated front matter (its model's JSON), not of its cells.

    Remembered by the digest of the notebook's text: a build that only asks
    what the lessons' front matter is (every payload depends on it) validates
    the model of none of the lessons it has not changed.
    """

    def digest() -> str:
        return hashlib.sha256(doc.model.model_dump_json().encode()).hexdigest()

    return _FRONT_MATTER.by_digest(doc.digest, digest)


_FRONT_MATTER = Memo[str]("content.front-matter", 1, str, text_value)
"""The digest of each lesson's front matter (:func:`front_matter_digest`), by the notebook text's digest."""


def lessons_digest(lessons: Mapping[str, Document[Any]]) -> str:
    """Return a digest of every lesson's id and front matter (:func:`front_matter_digest`).

    Not of their files: what a lesson gives every payload is the same from
    whatever folder the command runs, where its file is shown otherwise.
    Remembered by the lessons' ids and texts' digests: a build that changed
    no lesson makes one look-up of the memo, not one a lesson (a lesson's
    digest is looked up again only when some lesson's text changed).
    """

    def digest() -> str:
        rows = sorted((i, front_matter_digest(d)) for i, d in lessons.items())
        return hashlib.sha256(json.dumps(rows).encode()).hexdigest()

    return _by_lessons_texts(_LESSONS, sorted(_lessons_texts(lessons)), digest)


def _lessons_texts(lessons: Mapping[str, Document[Any]]) -> list[tuple[str, str]]:
    """Return each lesson's id and text's digest, in order, all in one pass."""
    return list(zip(lessons, map(_DIGEST, lessons.values()), strict=True))


def _by_lessons_texts(memo: Memo[_T], texts: list[tuple[str, str]], make: Callable[[], _T]) -> _T:
    """Return ``make()``, remembered in ``memo`` by the lessons' ids and texts' digests (``texts``).

    A lesson no digest names (read from no file) makes it not remembered.
    """
    if not all(map(_TEXT, texts)):
        return make()
    return memo.get(json.dumps(texts), make)


_DIGEST = operator.attrgetter("digest")
_TEXT = operator.itemgetter(1)
"""A lesson's text's digest, in what :func:`_lessons_texts` gives."""


_LESSONS = Memo[str]("content.lessons-front-matter", 1, str, text_value)
"""The digest of every lesson's front matter (:func:`lessons_digest`), by their ids and texts."""


def objective_texts(doc: Document[Any]) -> dict[str, str]:
    """Return a lesson's objectives, each text by its id, in order.

    Remembered by the digest of the notebook's text, as :func:`front_matter_digest`
    is: what every payload shows of the objectives it serves is read from every
    lesson, without validating the lessons a build has not changed.
    """

    def texts() -> dict[str, str]:
        return {objective.id: objective.text for objective in doc.model.objectives}

    return _OBJECTIVES.by_digest(doc.digest, texts)


def _objective_texts(data: object) -> dict[str, str]:
    if not isinstance(data, dict) or not all(map(isinstance, data.values(), repeat(str))):
        raise TypeError("not a lesson's objectives")
    return {str(k): v for k, v in data.items()}


_OBJECTIVES = Memo[dict[str, str]]("content.objectives", 1, dict, _objective_texts)
"""Each lesson's objectives (:func:`objective_texts`), by the notebook text's digest."""


def every_objective_text(lessons: Mapping[str, Document[Any]]) -> dict[str, str]:
    """Return every lesson objective's text by id (:func:`objective_texts` of each lesson, in order).

    Remembered by the lessons' ids and texts' digests, in order (a
    later lesson's objective of the same id is the one kept), as
    :func:`lessons_digest` is: a build that changed no lesson makes one
    look-up of the memo, not one a lesson (each lesson's objectives are looked
    up again only when some lesson's text changed).
    """

    def merged() -> dict[str, str]:
        return {oid: text for doc in lessons.values() for oid, text in objective_texts(doc).items()}

    return _by_lessons_texts(_EVERY_OBJECTIVE, _lessons_texts(lessons), merged)


_EVERY_OBJECTIVE = Memo[dict[str, str]](
    "content.every-objective", 1, dict, _objective_texts, keeps=(_OBJECTIVES.namespace,)
)
"""Every lesson's objectives (:func:`every_objective_text`), by the lessons' ids and texts."""


def load_files(
    paths: Iterable[Path],
    root: Path | None = None,
    *,
    index: ContentIndex | None = None,
    into: Curriculum | None = None,
) -> Curriculum:
    """Load the given content files.

    Parameters
    ----------
    paths : Iterable[Path]
        Content files.
    root : Path | None
        The project root; None for files checked on their own, outside a
        project (cross-references are then skipped).
    index : ContentIndex | None
        Where to take unchanged files from, and record those read (with ``root``).
    into : Curriculum | None
        Content of the same ``root`` loaded before, which these files join
        (what they name is then known without reading the others again).

    Returns
    -------
    Curriculum
        What could be loaded, and the problems (``into``, when given).
    """
    batch = _Batch(into if into is not None else Curriculum(root), root, index)
    for path in sorted(paths, key=lambda p: p.suffix != ".bib"):  # Pandoc reads the bibliography meanwhile
        batch.load(path)
    return batch.done()


def _shown_files(root: Path) -> str | None:
    """Return the folder a project's files are shown in, as :func:`display_path` shows them (None: alone).

    Below the working folder, the project's path relative to it; elsewhere,
    its absolute path (a file's relative path would start with ``..``),
    unless the working folder is inside the project: then each file is
    shown as its own path relative to it.
    """
    shown = display_path(root)
    if not os.path.isabs(shown):
        return shown
    here, project = os.getcwd(), os.path.abspath(root)
    return None if here == project or here.startswith(os.path.join(project, "")) else shown


class _Batch:
    """Files loaded into one curriculum, each taken from the content index if it holds the file as it is.

    Parameters
    ----------
    cur : Curriculum
        Where the documents and the problems go.
    root : Path | None
        The project folder (None: files checked on their own).
    index : ContentIndex | None
        Where unchanged files are taken from and those read recorded (with ``root``).
    seen : Mapping[str, os.stat_result] | None
        The status of files that were no symbolic link, by path, as the caller
        took it moments before (see :func:`load_curriculum`): not taken again.
    """

    def __init__(
        self,
        cur: Curriculum,
        root: Path | None,
        index: ContentIndex | None,
        seen: Mapping[str, os.stat_result] | None = None,
    ) -> None:
        self.cur = cur
        self.root = root
        self.index = index if root is not None else None
        self.seen: Mapping[str, os.stat_result] = seen or {}
        self.reads: list[PandocRead] = []
        self.kept: list[str] = []  # the memo keys of the files taken from the index: kept at the end
        self.confined = Confined(root) if root is not None else None  # each folder's links followed once
        self.shown = _shown_files(root) if root is not None else "."

    def load(self, path: Path) -> None:
        """Load one file (a bibliography is read: it is never indexed)."""
        if self.index is None or self.root is None or path.suffix == ".bib":
            _load_one(self.cur, path, display_path(path), self.reads, self.confined)
            return
        name = relative_posix(path, self.root)
        file = os.fspath(path)
        folder, leaf = os.path.split(file)
        self.indexed(file, folder, leaf, name or file, self._display(name), path)

    def listed(self, folder: Path, relative: str, names: list[str]) -> None:
        """Load the files ``names`` of ``folder`` (``relative`` to the project), through the batch's index.

        No path object is made for a file the index holds (hundreds of them,
        each build). The folder's files are looked at first, all in one go
        (:func:`_statuses`), then looked up in the index in one step
        (:meth:`ContentIndex.held_all`): each run of files it holds as they
        are is taken from there at once (:meth:`_take_all`), and each file
        between, one an edit touched, is loaded alone (:meth:`indexed`). So an
        edit of one file of a folder costs its other files no more than no
        edit does. When the index cannot tell the folder's files in one step,
        or a run cannot be taken at once, each file is looked up alone (see
        :meth:`_each`).
        """
        assert self.index is not None  # a batch with an index
        parent = os.fspath(folder)
        base = os.path.join(parent, "")
        shown = self._display(relative)  # a listed name is never `..`: each file is shown inside its folder
        inside = self.confined is None or self.confined.leads_inside(parent)  # once for the folder's files
        files = list(map(base.__add__, names))
        keys = list(map(f"{relative}/".__add__, names))
        statuses = _statuses(files, self.seen) if inside else [None] * len(files)
        taken = self.index.held_all(keys, statuses)
        if taken is None:  # each file alone
            look_up = self.index.held
            alone = [None if s is None else look_up(k, s) for k, s in zip(keys, statuses, strict=True)]
            self._each(parent, files, names, keys, alone, shown, inside)
            return
        start = 0
        for held, run in groupby(taken.held):  # the runs of files held, and of those not, in their order
            span = slice(start, start + len(list(run)))
            start = span.stop
            part = taken.part(span)
            if held and shown is not None and self._take_all(files[span], names[span], shown, part):
                continue
            entries = list(map(IndexEntry, part.kinds, part.digests, part.keys)) if held else None
            self._each(parent, files[span], names[span], keys[span], entries, shown, inside)

    def _each(
        self,
        parent: str,
        files: list[str],
        names: list[str],
        keys: list[str],
        entries: Sequence[IndexEntry | None] | None,
        shown: str | None,
        inside: bool,
    ) -> None:
        """Take or load files of the folder ``parent`` one by one (see :meth:`listed`).

        One that is no symbolic link, in a folder that leads inside the
        project, and whose entry ``entries`` gives (the index holds it as it
        is; ``entries`` None: none does), is taken from the index
        (:meth:`_take`); any other is looked at again and loaded
        (:meth:`indexed`).
        """
        assert self.index is not None  # a batch with an index
        if entries is None:
            entries = [None] * len(files)
        for file, name, key, entry in zip(files, names, keys, entries, strict=True):
            display = None if shown is None else f"{shown}/{name}"
            if entry is not None:
                if _indexable(entry.kind):
                    self._take(file, name, display or display_path(Path(file)), entry)
                    continue
                self.index.forget(key)  # of a kind no document is taken from: read
            self.indexed(file, parent, name, key, display, inside=inside)

    def _take_all(self, files: list[str], names: list[str], shown: str, held: HeldEntries) -> bool:
        """Take files of a folder from the index at once, as ``held`` holds them all (see :meth:`listed`).

        ``files`` are their paths, ``names`` their own names, ``shown`` how
        their folder is shown (the index holds them all as they are). Done only
        when they all load into the same table (but the technique
        vocabulary, one document, taken alone), under ids it does not hold yet
        and no two alike; else nothing is taken (False), and each file is taken
        or read on its own.
        """
        fields = [held.kinds, held.digests, held.keys]
        vocabulary = held.kinds.index("techniques") if held.kinds.count("techniques") == 1 else None
        rest = [files, names, *fields]
        if vocabulary is not None:  # `vignettes/techniques.yml`
            rest = [[*column[:vocabulary], *column[vocabulary + 1 :]] for column in rest]
        if not self._place_all(shown, *rest):
            return False
        if vocabulary is not None:
            entry = IndexEntry(*(column[vocabulary] for column in fields))
            self._take(files[vocabulary], names[vocabulary], f"{shown}/{names[vocabulary]}", entry)
        return True

    def _place_all(
        self,
        shown: str,
        files: list[str],
        names: list[str],
        kinds: list[str],
        digests: list[str],
        keys: list[str],
    ) -> bool:
        """Place the documents of files as the index holds them, if all go to one table, under new ids.

        Else place none (False). The files are given as in :meth:`_take_all`,
        their entries' fields as columns.
        """
        assert self.root is not None  # a batch with an index
        if not kinds:
            return True
        kind = kinds[0]
        if kind == "techniques" or not _indexable(kind) or kinds.count(kind) < len(kinds):
            return False  # the technique vocabulary again, a kind not taken, or kinds of more tables
        table, ids = _table(self.cur, kind), _stems(names)
        if len(set(ids)) < len(ids) or not table.keys().isdisjoint(ids):
            return False
        displays = map(f"{shown}/".__add__, names)
        origin = repeat(_Origin(kind, self.root, self.confined))  # one for the folder's documents
        docs = map(_IndexedDocument.of, files, ids, displays, digests, origin)
        table.update(zip(ids, docs, strict=True))  # one call for the folder's documents, none a document
        self.kept += keys
        return True

    def _take(self, file: str, leaf: str, display: str, entry: IndexEntry, path: Path | None = None) -> None:
        """Take the file ``leaf`` from the index, as ``entry`` holds it.

        ``file`` is its path; ``path`` the same as a path object, if the caller has one.
        """
        assert self.root is not None  # a batch with an index
        origin = _Origin(entry.kind, self.root, self.confined)
        doc = _IndexedDocument.of(file, _stem(leaf), display, entry.digest, origin, path)
        _place(self.cur, entry.kind, doc)
        self.kept.append(entry.key)

    def _display(self, name: str | None) -> str | None:
        """Return how a file named ``name`` in the project is shown (None: as :func:`display_path` shows it).

        Unless the working folder is inside the project, a file's path inside
        the project follows how the project is shown (:func:`_shown_files`):
        the same as the file's own :func:`display_path`, without asking the
        system for the working folder once a file.
        """
        if name is None or self.shown is None or ".." in name.split("/"):
            return None
        return name if self.shown == "." else posixpath.join(self.shown, name)

    def indexed(
        self,
        file: str,
        folder: str,
        leaf: str,
        name: str,
        display: str | None,
        path: Path | None = None,
        *,
        inside: bool = False,
    ) -> None:
        """Take one file from the index if it holds the file as it is; else load it, and record what it gave.

        Parameters
        ----------
        file : str
            The file's path.
        folder, leaf : str
            The file's path split into its folder and its own name.
        name : str
            Its name in the index (its path relative to the project).
        display : str | None
            How it is shown (None: as :func:`display_path` shows it).
        path : Path | None
            The file's path as a path object, if the caller has one.
        inside : bool
            Whether its folder leads inside the project, as the caller found
            for every file it lists there (a listed name is never ``.`` nor
            ``..``): then the file does unless it is a link. False: the file
            is looked at (see :class:`~curriculum.content._files.Confined`).
        """
        assert self.index is not None and self.root is not None  # a batch with an index
        status = _plain_status(file)  # one look says both whether the file is a link and, if not, its status
        link = status is None
        info, entry = self.index.entry(file, name, status)
        if display is None:
            display = display_path(path or Path(file))
        if entry is not None:
            leads_inside = (inside and not link) or _confined(folder, leaf, self.confined, link)
            if leads_inside and _indexable(entry.kind):
                self._take(file, leaf, display, entry, path)
                return
            self.index.forget(name)  # damaged, or now a link out of the project: read (and refused)
        # a file whose status is known is recorded in the index, its model and places in the document
        # memo: the YAML memo is not asked, nor given its data (a later run takes it from the index)
        remember = info is None
        loaded = _load_one(
            self.cur, path or Path(file), display, self.reads, self.confined, remember=remember
        )
        if loaded is not None and info is not None and (found_entry := _entry(*loaded)) is not None:
            self.index.remember(name, info, found_entry)

    def done(self) -> Curriculum:
        """Return the curriculum, with the problems of the bibliography that Pandoc read meanwhile.

        What the files taken from the index loaded into is kept in the memo
        for the next run, all in one call (:meth:`Memo.keep_keys`): each
        without a search of the memo's file, under the key its index entry
        holds (none is computed).
        """
        _DOCUMENTS.keep_keys(self.kept)
        for read in self.reads:
            self.cur.diagnostics += read.problems()
        return self.cur


_Kind = str
"""What a file loads into: ``lesson``, ``notes``, ``techniques``, or a format's folder (:data:`FORMATS`)."""


def _model_of(kind: _Kind) -> Any:
    """Return the model (or union of models) a file of ``kind`` is validated into."""
    if kind == "lesson":
        return LessonFrontMatter
    if kind == "notes":
        return FacilitatorNotes
    if kind == "techniques":
        return TechniqueVocabulary
    return FORMATS[kind].model


def _entry(kind: _Kind, doc: Document[Any], problems: int) -> IndexEntry | None:
    """Return the index entry of a file that loaded without a problem, if its model reads back equal."""
    if problems or not doc.digest:
        return None
    adapter = model_adapter(_model_of(kind))
    model = adapter.dump_json(doc.model, by_alias=True)
    try:
        same = adapter.validate_json(model) == doc.model
    except ValueError:
        same = False
    if not same:
        return None
    _DOCUMENTS.get(doc.digest, lambda: _stored_form(model, doc), context=kind)
    return IndexEntry(kind, doc.digest, _DOCUMENTS.key(doc.digest, kind))


def _stored_form(model: bytes, doc: Document[Any]) -> bytes:
    """Return what :data:`_DOCUMENTS` keeps of a document: its model's JSON (``model``), a tab, its places."""
    return model + b"\t" + locs_json(doc.locs).encode()


_DOCUMENTS = Memo[bytes](
    "content.document", 1, bytes, bytes, raw=True, replaces=("content.model", "content.locs")
)
"""Each file's validated model and its locations, by its text's digest and its kind (see the content
index): the JSON pydantic wrote, a tab (which JSON text never holds), then the locations' JSON. Given
back unparsed: the model is validated from its JSON, and the locations parsed only if a problem asks."""


def _indexable(kind: str) -> bool:
    """Whether an index entry of ``kind`` is of a kind a document is taken from (else the file is read).

    Such a document's model and locations are read from the memo when first
    asked for (:class:`_IndexedDocument`): a check or a build that reuses what
    it found in an unchanged file never reads them, nor looks them up. The
    batch keeps them for the next run (:meth:`_Batch.done`); if the memo lost
    them, the file is read when they are first asked for, and they are stored
    again. (The index holds only files that loaded without a problem, so one
    read again later has none to report with the others'.)
    """
    return kind in ("lesson", "notes", "techniques") or kind in FORMATS


class _Origin(NamedTuple):
    """What the documents a load takes from the index of one kind share (one for a folder's documents).

    Attributes
    ----------
    kind : str
        Their entries' kind (:class:`IndexEntry`).
    root : Path
        The project folder.
    confined : Confined | None
        The project's confinement, for a file read again.
    """

    kind: str
    root: Path
    confined: Confined | None


class _IndexedDocument(Document[Any]):
    """A document taken from the content index: its id at once, the rest when first asked for.

    Its path object is made when first asked for; its model and locations
    come from the memo (or from the file read again, if the memo no longer
    holds them); a lesson's cells from the file.
    """

    @classmethod
    def of(
        cls, file: str, ident: str, display: str, digest: str, origin: _Origin, path: Path | None = None
    ) -> _IndexedDocument:
        """Return the document of ``file`` (id ``ident``) as the index recorded it (of ``origin``).

        ``digest`` is its entry's (:class:`IndexEntry`); ``path`` is the file
        as a path object, if the caller has one.
        """
        doc = object.__new__(cls)
        # Its fields set in its dict one by one (no field is a descriptor), those a folder's documents
        # share as one: each file a load takes is made so, and keywords gathered into a dict first, and
        # the kind, project and confinement apart, cost a third more a document.
        fields = doc.__dict__
        fields["id"] = ident
        fields["display"] = display
        fields["digest"] = digest
        fields["file"] = file  # as it was listed (the same as ``os.fspath(path)``)
        fields["_origin"] = origin
        if path is not None:
            fields["path"] = path
        return doc

    @functools.cached_property
    def path(self) -> Path:
        """The file on disk."""
        return Path(self.file)

    def __repr__(self) -> str:
        return f"<{self.display}, as the content index holds it>"

    @functools.cached_property
    def _stored(self) -> tuple[bytes, bytes] | None:
        """The model's JSON and the locations' JSON, as the memo holds them (None: it no longer does)."""
        kind, root, _ = self.__dict__["_origin"]
        if in_session(root):  # the build's or the check's
            stored = _DOCUMENTS.stored(self.digest, context=kind)
        else:
            with memo_session(root):  # read only: nothing is computed in it, so nothing is written
                stored = _DOCUMENTS.stored(self.digest, context=kind)
        if stored is None:
            return None
        model, _, locs = stored.partition(b"\t")
        return model, locs

    @functools.cached_property
    def model(self) -> Any:
        """The validated content, from the memo (or from the file read again, if it does not validate)."""
        stored = self._stored
        if stored is not None:
            with contextlib.suppress(ValueError):
                return model_adapter(_model_of(self.__dict__["_origin"].kind)).validate_json(stored[0])
        return self._repaired().model

    @functools.cached_property
    def locs(self) -> LocMap:
        """The locations, from the memo (or from the file read again, if they do not read)."""
        stored = self._stored
        if stored is not None:
            with contextlib.suppress(ValueError, TypeError, KeyError, IndexError, RecursionError):
                return locs_from_json(stored[1].decode())
        return self._repaired().locs

    def _repaired(self) -> Document[Any]:
        """Read the file again for what the memo lost or holds damaged, and store it there anew.

        Stored only in the project's session (the build's, the check's): one
        opened for it alone would write the memo with that entry only.
        """
        loaded = self._read()
        kind, root, _ = self.__dict__["_origin"]
        if in_session(root):
            model = model_adapter(_model_of(kind)).dump_json(loaded.model, by_alias=True)
            _DOCUMENTS.put(self.digest, _stored_form(model, loaded), context=kind)
        return loaded

    @functools.cached_property
    def cells(self) -> tuple[Cell, ...]:
        """A lesson's cells or a notes file's body, read from the file; empty for other kinds."""
        if self.__dict__["_origin"].kind not in ("lesson", "notes"):
            return ()
        return self._read().cells

    def _read(self) -> Document[Any]:
        """Load the file again, for what the index does not hold (read once).

        Raises
        ------
        ContentError
            If the file no longer loads into the document the index recorded
            (it was edited, removed or broken while the command ran): what it
            holds now cannot be checked against what was loaded, and the next
            run will read it as it is.
        """
        if "_loaded" not in self.__dict__:
            confined = self.__dict__["_origin"].confined
            # what the memo lost is stored anew in the document memo (see _repaired), not the YAML memo
            loaded = _read_one(Curriculum(None), self.path, self.display, [], confined, remember=False)
            if loaded is None or loaded[1].digest != self.digest:
                raise changed_while_read(self.display)
            self.__dict__["_loaded"] = loaded[1]
        found: Document[Any] = self.__dict__["_loaded"]
        return found


def _statuses(files: list[str], seen: Mapping[str, os.stat_result]) -> list[os.stat_result | None]:
    """Return the status of each file that is no symbolic link (None for a link, or one not looked at).

    A file ``seen`` holds is not looked at again; any other is, with one
    look that says both whether it is a link and, if not, its status.
    """
    statuses = list(map(seen.get, files))
    if None not in statuses:  # all seen (a build's): no file looked at, nor a call a file
        return statuses
    return [status or _plain_status(file) for file, status in zip(files, statuses, strict=True)]


def _plain_status(file: str) -> os.stat_result | None:
    """Return the status of ``file`` if it is no symbolic link (None for a link, or one not looked at)."""
    try:
        status = os.lstat(file)
    except OSError:
        return None
    return None if stat.S_ISLNK(status.st_mode) else status


def _confined(folder: str, name: str, confined: Confined | None, link: bool) -> bool:
    """Whether the file ``name`` of ``folder`` (a symbolic ``link`` or not) still leads inside the project.

    A file the index holds may have become a link.
    """
    if confined is None:
        return True
    try:
        confined.check_in(folder, name, link=link)
    except FileRefused:
        return False
    return True


def _place(cur: Curriculum, kind: _Kind, doc: Document[Any]) -> None:
    """Add a loaded document to its table (a second file of the same id is reported, not added)."""
    if kind == "techniques":
        if cur.techniques is not None:
            cur.diagnostics.append(_same_id(doc, cur.techniques))
        else:
            cur.techniques = doc
        return
    table = _table(cur, kind)
    if kind in ("lesson", "notes"):
        table[doc.id] = doc
    elif doc.id in table:
        cur.diagnostics.append(_same_id(doc, table[doc.id]))
    else:
        table[doc.id] = doc


def _table(cur: Curriculum, kind: _Kind) -> dict[str, Document[Any]]:
    """Return the table of ``cur`` that documents of ``kind`` go to (not the techniques: one document)."""
    if kind == "lesson":
        return cast("dict[str, Document[Any]]", cur.lessons)
    if kind == "notes":
        return cast("dict[str, Document[Any]]", cur.notes)
    return cur.tables.setdefault(kind, {})


def _load_one(
    cur: Curriculum,
    path: Path,
    display: str,
    reads: list[PandocRead],
    confined: Confined | None,
    *,
    remember: bool = True,
) -> tuple[_Kind, Document[Any], int] | None:
    """Read, parse and validate one file into ``cur``; return its kind, document and number of problems.

    ``remember``: whether a YAML file's parse is asked of (and kept in) the memo (see :func:`parse_yaml`).
    """
    before = len(cur.diagnostics)
    found = _read_one(cur, path, display, reads, confined, remember=remember)
    if found is None:
        return None
    _place(cur, *found)
    return (*found, len(cur.diagnostics) - before)


def _read_one(
    cur: Curriculum,
    path: Path,
    display: str,
    reads: list[PandocRead],
    confined: Confined | None,
    *,
    remember: bool = True,
) -> tuple[_Kind, Document[Any]] | None:
    """Read, parse and validate one file; return its kind and document (problems go to ``cur``).

    ``remember``: whether a YAML file's parse is asked of (and kept in) the memo (see :func:`parse_yaml`).
    """
    source, problems = read_source(path, display, confined)
    cur.diagnostics += problems
    if source is None:
        return None
    if path.suffix == ".bib":
        bib, problems = read_bibliography(source, with_pandoc=False)
        cur.bibliography = bib
        cur.diagnostics += problems
        reads.append(PandocRead(source))  # its problems are collected once every file is loaded
        return None
    if path.suffix == ".ipynb":
        notebook, problems = read_notebook(source)
        cur.diagnostics += problems
        if notebook is None:
            return None
        fm, problems = validate_model(LessonFrontMatter, notebook.front_matter, notebook.locs, display)
        cur.diagnostics += problems
        if fm is None:
            return None
        return "lesson", Document(
            path.stem, path, display, fm, notebook.locs, notebook.cells, text_digest(source.text)
        )
    if path.suffix == ".qmd":
        notes, problems = read_notes(source)
        cur.diagnostics += problems
        if notes is None:
            return None
        front, problems = validate_model(FacilitatorNotes, notes.front_matter, notes.locs, display)
        cur.diagnostics += problems
        if front is None:
            return None
        return "notes", Document(
            path.stem, path, display, front, notes.locs, (notes.body,), text_digest(source.text)
        )
    data, locs, problems = parse_yaml(source, remember=remember)
    cur.diagnostics += problems
    if data is None or problems:
        return None
    if not isinstance(data, dict):
        cur.diagnostics.append(
            E_NOT_MAPPING.at(
                display,
                (1, 1),
                f"the file holds {'a list' if isinstance(data, list) else 'a single value'}, "
                "not keys and values",
                "start from `curriculum new` to see the expected layout",
            )
        )
        return None
    kind = _format(path, data)
    if kind is None:
        cur.diagnostics.append(
            E_KIND.at(
                display,
                (1, 1),
                f"cannot tell whether this is {', '.join(f.name for f in FORMATS.values())} "
                "or the technique vocabulary",
                f"put it in {_either([f'{folder}/' for folder in FORMATS])} of a project",
            )
        )
        return None
    model = TechniqueVocabulary if kind == "techniques" else kind.model
    doc_model, problems = validate_model(model, data, locs, display)
    cur.diagnostics += problems
    if doc_model is None:
        return None
    doc: Document[Any] = Document(path.stem, path, display, doc_model, locs, digest=text_digest(source.text))
    return ("techniques" if kind == "techniques" else kind.folder), doc


def _same_id(doc: Document[Any], first: Document[Any]) -> Diagnostic:
    return E_SAME_ID.at(
        doc.display,
        (1, 1),
        f"`{doc.path.name}` has the same id `{doc.id}` as {first.display}, which is already loaded",
        "the file name is the id: rename one of the two files, or merge them",
    )


def _format(path: Path, data: dict[str, Any]) -> ContentFormat | Literal["techniques"] | None:
    if path.name in ("techniques.yml", "techniques.yaml"):
        return "techniques"
    by_folder = FORMATS.get(path.parent.name)
    if by_folder is not None:
        return by_folder
    found = next((fmt for fmt in FORMATS.values() if fmt.marker(data)), None)
    if found is not None:
        return found
    if "techniques" in data and "kind" not in data:
        return "techniques"
    return None


def _either(words: list[str]) -> str:
    return f"{', '.join(words[:-1])} or {words[-1]}" if len(words) > 1 else "".join(words)
