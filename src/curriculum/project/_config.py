"""The site's structure, read from ``_quarto.yml`` (and a profile's overlay).

``_quarto.yml`` is the one source of the site's structure for both engines:
title, sidebar, footer, bibliography, output folder, execution options.
Quarto reads it itself; the Pandoc engine reads the same keys here. A profile
file (``_quarto-faculty.yml``) is merged over it the way Quarto merges
profiles: mappings merge key by key, lists are concatenated without repeats,
and other values are replaced.

The keys the build uses are validated into one model (:class:`QuartoFile`),
by ``curriculum check`` and by the build alike, and every problem is located
at its line in the file that set the value: a value of the wrong shape, a
sidebar entry that is not understood, a page path that leads outside the
project or is not a page, an output folder outside the project. Quarto's
many other keys are left alone.
"""

from __future__ import annotations

import fnmatch
import json
import os
import posixpath
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from curriculum.content import (
    BIBLIOGRAPHY,
    E_CONFIG,
    E_OUTSIDE,
    Confined,
    Diagnostic,
    FileRefused,
    FolderStamp,
    Listings,
    Loc,
    LocMap,
    Pos,
    Rule,
    display_path,
    folder_entries,
    folder_stamp,
    parse_yaml,
    read_bytes,
    read_source,
    relative_posix,
    validate_model,
)
from curriculum.errors import ContentError

__all__ = ["DEFAULT_TIMEOUT", "Freeze", "NavEntry", "QuartoFile", "SiteConfig", "load_config", "profiles"]


DEFAULT_TIMEOUT = 300
"""Seconds a notebook's code cell may run when ``execute: timeout`` is not set."""
Freeze = Literal["auto"] | bool
"""``execute: freeze``, as Quarto reads it: ``auto``, ``true`` or ``false``."""
PAGE_SUFFIXES = (".qmd", ".ipynb", ".md")
"""What the site renders: Quarto documents, notebooks and Markdown."""
_PAGE_SUFFIX = re.compile(f"(?:{'|'.join(map(re.escape, PAGE_SUFFIXES))})$")
_PAGE_SUFFIXES = re.compile(f"(?:{'|'.join(map(re.escape, PAGE_SUFFIXES))})$", re.MULTILINE)
"""A page's suffix at the end of each line: the output paths of many pages, in one substitution."""


def output_path(source: str) -> str:
    """Return the site's path of the page whose source is ``source`` (``x.ipynb`` -> ``x.html``).

    Examples
    --------
    >>> output_path("lessons/01-intro.ipynb"), output_path("docs/notes.md")
    ('lessons/01-intro.html', 'docs/notes.html')
    """
    return _PAGE_SUFFIX.sub(".html", source)


def output_paths(sources: list[str]) -> list[str]:
    r"""Return :func:`output_path` of each of ``sources``, all in one substitution (no Python step a page).

    Each page's own, if a page's name holds a newline.

    Examples
    --------
    >>> names = ["a.qmd", "lessons/b.ipynb", "c.md", "d.md.qmd", "e\nf.md", ""]
    >>> output_paths(names) == list(map(output_path, names)) and output_paths([]) == []
    True
    """
    outputs = _PAGE_SUFFIXES.sub(".html", "\n".join(sources)).split("\n") if sources else []
    return outputs if len(outputs) == len(sources) else list(map(output_path, sources))


SOURCE_FOLDERS = ("lessons", "quizzes", "vignettes", "exercises")


class _Open(BaseModel):
    """Quarto accepts many more keys than the build reads; those are left to Quarto."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class ProjectOptions(_Open):
    """``project:``, the keys the build reads."""

    output_dir: str = Field("_site", alias="output-dir")
    """Where the site is written, relative to the project."""
    render: list[str] | None = None
    """Pages (or glob patterns) rendered though not in the sidebar."""


class SidebarOptions(_Open):
    """``website: sidebar:``."""

    contents: list[Any] = Field(default_factory=list)
    """Pages, ``href``/``text`` links and ``section``s with their own ``contents``."""


class WebsiteOptions(_Open):
    """``website:``."""

    title: str | None = None
    description: str | None = None
    sidebar: SidebarOptions | list[SidebarOptions] | None = None
    page_footer: str | dict[str, Any] | None = Field(None, alias="page-footer")


class ExecuteOptions(_Open):
    """``execute:``, how notebooks run."""

    timeout: Annotated[int, Field(gt=0, le=86400)] = DEFAULT_TIMEOUT
    """Seconds each code cell may run before the build stops with an error at that cell."""
    freeze: Freeze = False
    """Reuse the outputs stored in ``_freeze/``: ``auto`` while the code is unchanged, ``true`` always."""


class CurriculumOptions(BaseModel):
    """``curriculum:``, the keys of our own (Quarto keeps them as metadata and ignores them)."""

    model_config = ConfigDict(extra="forbid")

    norms: str | None = None
    """A cohort norms file (``curriculum report --norms``) to publish: a pre-test's or
    post-test's result page then compares the learner's score with the cohort's."""


class QuartoFile(_Open):
    """The shape of ``_quarto.yml`` (and of a profile's overlay) that the build needs."""

    project: ProjectOptions = Field(default_factory=ProjectOptions)
    website: WebsiteOptions | None = None
    bibliography: str | None = None
    execute: ExecuteOptions = Field(default_factory=ExecuteOptions)
    curriculum: CurriculumOptions = Field(default_factory=CurriculumOptions)


@dataclass(frozen=True)
class NavEntry:
    """One sidebar entry: a page, or a section holding entries.

    Attributes
    ----------
    text : str | None
        Label; None for a page means "use the page's title".
    href : str | None
        Source path of a page, relative to the project (None for a section).
    children : tuple[NavEntry, ...]
        A section's entries.
    """

    text: str | None
    href: str | None
    children: tuple[NavEntry, ...] = ()

    def pages(self) -> list[str]:
        """Return every page under this entry, in order."""
        if self.href is not None:
            return [self.href]
        return [p for child in self.children for p in child.pages()]


@dataclass
class SiteConfig:
    """What the build needs from ``_quarto.yml``.

    Attributes
    ----------
    root : Path
        The project folder.
    profile : str
        ``resident`` or ``faculty``.
    title : str
        The site's title.
    description : str
        One line about the site, for the home page's metadata.
    sidebar : list[NavEntry]
        The navigation, in order.
    output_dir : str
        Where the site is written, relative to the project.
    bibliography : str | None
        The bibliography file.
    footer : str
        Markdown shown at the bottom of every page.
    extra_pages : list[str]
        Pages rendered though not in the sidebar (``project.render``).
    raw : dict
        The merged configuration.
    execute_timeout : int
        Seconds each notebook cell may run (``execute: timeout``).
    freeze : Freeze
        ``execute: freeze``: whether notebooks' outputs are kept in ``_freeze/`` and reused.
    named : dict[str, tuple[str, Pos]]
        For each page named by its path (not matched by a pattern), the file
        and position in the configuration that names it.
    norms : str | None
        The cohort norms file to publish (``curriculum: norms:``), relative to the project.
    """

    root: Path
    profile: str
    title: str
    description: str
    sidebar: list[NavEntry]
    output_dir: str
    bibliography: str | None
    footer: str
    extra_pages: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    execute_timeout: int = DEFAULT_TIMEOUT
    freeze: Freeze = False
    named: dict[str, tuple[str, Pos]] = field(default_factory=dict)
    norms: str | None = None

    def pages(self) -> list[str]:
        """Every page to render: sidebar order first, then the others."""
        ordered = [p for entry in self.sidebar for p in entry.pages()]
        listed = set(ordered)  # hundreds of pages: each looked up, not searched for
        return ordered + [p for p in self.extra_pages if p not in listed]


_UNCLEAN = re.compile(r"//|(?:^|/)\.(?:/|$)|/$")
"""What :func:`posixpath.normpath` changes in a relative path without ``..`` (one without it is clean)."""
_WILDCARDS = re.compile(r"[*?\[]")
"""What makes a part of a pattern a wildcard for :meth:`pathlib.Path.glob`."""

_DEFAULT_RENDER = ["**/*.qmd", "**/*.ipynb", "**/*.md"]
"""What Quarto renders when ``project.render`` is not given: every document (but see :func:`_ignored`)."""


def _ignored(path: str) -> bool:
    """Whether Quarto leaves a document out: under a ``_`` or ``.`` folder or file, or a README."""
    slashed = "/" + path  # a part starts with `_` or `.` where one follows a slash: no list of parts
    return "/_" in slashed or "/." in slashed or path.rpartition("/")[2].lower().startswith("readme.")


Matched = dict[str, tuple[list[str], list[FileRefused]]]
"""The pages each render pattern matched (by the pattern as cleaned), and why each file it matched
but refused is refused: kept by a :class:`~curriculum.project.Project` while it reads each profile's
configuration, so the faculty edition's, whose patterns are the resident's and the notes', costs
a glob of the notes only."""

Moved = dict[Loc, tuple[bool, Loc]]
"""Where each element of a concatenated list came from: (from the overlay?, its key path there)."""


def _merge(base: Any, over: Any, at: Loc = (), moved: Moved | None = None) -> Any:
    """Merge a profile's value over the base value, as Quarto merges configurations.

    Mappings merge key by key; when either value is a list, the two are
    concatenated (a single value counts as a list of one) and repeats dropped,
    the first occurrence kept; a missing or empty scalar on either side gives
    way to the other; any other value is replaced. ``moved`` records where
    each element of a concatenated list came from, so that problems are
    located in the file and line that set them.
    """
    moved = {} if moved is None else moved
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            merged[key] = _merge(base[key], value, (*at, key), moved) if key in base else value
        return merged
    if isinstance(base, list) or isinstance(over, list):
        if _unset(base):
            return over
        if _unset(over):
            return base
        sides = []
        for from_overlay, value in ((False, base), (True, over)):
            if isinstance(value, list):
                sides += [(item, from_overlay, (*at, i)) for i, item in enumerate(value)]
            else:
                sides.append((value, from_overlay, at))
        seen: set[str] = set()
        unique: list[Any] = []
        for item, from_overlay, origin in sides:
            key = json.dumps(item, default=str)
            if key not in seen:
                seen.add(key)
                moved[(*at, len(unique))] = (from_overlay, origin)
                unique.append(item)
        return unique
    return over


def _unset(value: Any) -> bool:
    """Whether Quarto's merge treats a value beside a list as absent (JavaScript's falsy values)."""
    return value is None or (not isinstance(value, (list, dict)) and not value)


@dataclass
class _File:
    """One configuration file: its data and where each value is."""

    display: str
    data: dict[str, Any]
    locs: LocMap


class _Where:
    """Locate a key path of the merged configuration in the file that set it."""

    def __init__(self, base: _File, overlay: _File | None, moved: Moved | None = None) -> None:
        self.base = base
        self.overlay = overlay
        self.moved = moved or {}

    def __call__(self, loc: Loc) -> tuple[str, Pos]:
        loc = tuple(loc)
        for n in range(len(loc), 0, -1) if self.moved else ():  # an element of a concatenated list
            if loc[:n] in self.moved:  # where it came from
                from_overlay, origin = self.moved[loc[:n]]
                file = self.overlay if from_overlay and self.overlay is not None else self.base
                return file.display, file.locs.value((*origin, *loc[n:]))
        if self.overlay is not None and loc in self.overlay.locs.values:
            return self.overlay.display, self.overlay.locs.value(loc)
        return self.base.display, self.base.locs.value(loc)


def _read(path: Path, root: Path) -> _File:
    display = display_path(path)
    source, problems = read_source(path, display, root)
    if source is None:
        raise ContentError(problems)
    data, locs, problems = parse_yaml(source)
    if problems:
        raise ContentError(problems)
    if not isinstance(data, dict):
        raise ContentError(
            [
                E_CONFIG.at(
                    display,
                    (1, 1),
                    "the file is not a mapping of keys",
                    "see Quarto's website project documentation",
                )
            ]
        )
    _, problems = validate_model(QuartoFile, data, locs, display)
    if problems:
        raise ContentError(problems)
    return _File(display, data, locs)


class _Reader:
    """Turn the validated data into a :class:`SiteConfig`, collecting every located problem."""

    def __init__(self, root: Path, where: _Where, matched: Matched) -> None:
        self.root = root
        self.where = where
        self.matched = matched
        self.confined = Confined(root)  # each folder's links followed once, for every path the file names
        self.inside = os.path.join(root, "")
        """The project's folder as a string, a separator after it: each path the file names joins it."""
        self.problems: list[Diagnostic] = []
        self.named: dict[str, tuple[str, Pos]] = {}
        self.patterns: list[tuple[Loc, list[str]]] = []
        """Each render pattern's place and the pages it matched, in order (to locate a page it named)."""

    def problem(self, rule: Rule, loc: Loc, message: str, hint: str) -> None:
        display, pos = self.where(loc)
        self.problems.append(rule.at(display, pos, message, hint))

    def relative(self, value: str, loc: Loc, what: str) -> str | None:
        """Return ``value`` as a clean project-relative path, or None after reporting why it cannot be."""
        text = value.replace("\\", "/")
        parts = text.split("/")
        if text.startswith("/") or (len(parts[0]) == 2 and parts[0][1] == ":"):
            self.problem(
                E_OUTSIDE,
                loc,
                f"{what} `{value}` is an absolute path; the build reads and writes only inside the project",
                "write the path relative to the project folder",
            )
            return None
        if ".." in parts:
            self.problem(
                E_OUTSIDE,
                loc,
                f"{what} `{value}` uses `..`; the build reads and writes only inside the project",
                "write the path relative to the project folder, without `..`",
            )
            return None
        clean = posixpath.normpath(text) if _UNCLEAN.search(text) or not text else text  # most are clean
        if clean in (".", ""):
            self.problem(E_CONFIG, loc, f"{what} `{value}` names no file", "write a path such as `index.qmd`")
            return None
        path = self.inside + clean  # strings, split by hand: hundreds of pages, each load
        folder, _, name = path.rpartition("/")
        try:
            self.confined.check_in(folder or "/", name, link=os.path.islink(path))
        except FileRefused as refused:
            display, pos = self.where(loc)
            self.problems.append(refused.at(display, pos))
            return None
        return clean

    def page(self, value: Any, loc: Loc) -> str | None:
        """Return a page path named at ``loc``, or None after reporting why it is not usable."""
        if not isinstance(value, str):
            self.problem(E_CONFIG, loc, f"a page must be a path, not {value!r}", "write e.g. `index.qmd`")
            return None
        path = self.relative(value, loc, "the page")
        if path is None:
            return None
        if not path.endswith(PAGE_SUFFIXES):
            self.problem(
                E_CONFIG,
                loc,
                f"`{value}` is not a page: the site renders {', '.join(PAGE_SUFFIXES)} files",
                "name a Quarto document, a notebook or a Markdown file",
            )
            return None
        self.named.setdefault(path, self.where(loc))
        return path

    def nav(self, items: list[Any], loc: Loc) -> list[NavEntry]:
        entries = []
        for i, item in enumerate(items):
            at = (*loc, i)
            if isinstance(item, str):
                page = self.page(item, at)
                if page is not None:
                    entries.append(NavEntry(None, page))
            elif isinstance(item, dict) and "section" in item:
                contents = item.get("contents") or []
                if not isinstance(contents, list):
                    self.problem(
                        E_CONFIG,
                        (*at, "contents"),
                        "a section's `contents` must be a list of entries",
                        "write each entry on its own line, starting with `- `",
                    )
                    continue
                section = item["section"]
                if isinstance(section, (dict, list)) or section is None:
                    self.problem(E_CONFIG, (*at, "section"), "a section's name must be text", "")
                    continue
                inner = self.nav(contents, (*at, "contents"))
                entries.append(NavEntry(str(section), None, tuple(inner)))
            elif isinstance(item, dict) and "href" in item:
                text = item.get("text")
                if text is not None and not isinstance(text, str):
                    self.problem(E_CONFIG, (*at, "text"), "a sidebar entry's `text` must be text", "")
                    continue
                page = self.page(item["href"], (*at, "href"))
                if page is not None:
                    entries.append(NavEntry(text, page))
            else:
                self.problem(
                    E_CONFIG,
                    at,
                    f"a sidebar entry is not understood: {_show(item)}",
                    "use a path, `href:`/`text:`, or `section:` with `contents:`",
                )
        return entries

    def render(self, patterns: list[str]) -> list[str]:
        """Return the pages ``project.render`` names: its paths, then what its patterns match."""
        render: dict[str, None] = {}  # in order, each once
        for i, pattern in enumerate(patterns):
            loc: Loc = ("project", "render", i)
            if pattern.startswith("!"):
                continue  # an exclusion adds nothing
            if "*" in pattern:
                matches = self.matches(pattern, loc)
                self.patterns.append((loc, matches))
            else:
                matches = [p for p in [self.page(pattern, loc)] if p is not None]
            render.update(dict.fromkeys(matches))
        return list(render)

    def one_output_each(self, pages: list[str]) -> None:
        """Report each page written to the same file as a page before it (``x.md``, ``x.qmd``: ``x.html``).

        Located where the configuration names the later page (its path, or the
        render pattern that first matched it): of two such pages a site would show
        one, and which would depend on the order the build wrote them in.
        """
        outputs = output_paths(pages)
        if len(set(outputs)) == len(outputs):  # the usual site: each page its own file, told in one step
            return
        first: dict[str, str] = {}
        for page, output in zip(pages, outputs, strict=True):
            other = first.setdefault(output, page)
            if other == page:
                continue
            display, pos = self.named.get(page) or self.where(self._matched_at(page))
            self.problems.append(
                E_CONFIG.at(
                    display,
                    pos,
                    f"`{page}` and `{other}` would both be the page `{output}`",
                    "keep one of them, or rename the other",
                )
            )

    def _matched_at(self, page: str) -> Loc:
        """Return the place of the render pattern that first matched ``page`` (of ``project.render``)."""
        return next((loc for loc, matches in self.patterns if page in matches), ("project", "render"))

    def matches(self, pattern: str, loc: Loc) -> list[str]:
        """Return the pages a pattern matches, each inside the project once its links are followed.

        A pattern another profile's configuration matched already (see
        :data:`Matched`) is not matched again; a file it refused is reported here too.
        """
        clean = self.relative(pattern, loc, "the render entry")
        if clean is None:
            return []
        found = self.matched.get(clean)
        if found is None:
            found = self.matched[clean] = self._glob(clean)
        pages, refusals = found
        for refused in refusals:
            display, pos = self.where(loc)
            self.problems.append(refused.at(display, pos))
        return pages

    def _glob(self, clean: str) -> tuple[list[str], list[FileRefused]]:
        """Return the pages a clean pattern matches, in order, and why each file it refused is refused.

        The pages a pattern of one folder matched are taken as they were while
        that folder is as it was listed (see :data:`_LISTINGS`).
        """
        key, at, stamp = (os.fspath(self.root), clean), time.time_ns(), _folders_stamp(self.root, clean)
        kept = _LISTINGS.get(key, stamp)  # the stamp taken before the folder is listed
        if kept is not None:
            return list(kept), []  # a copy: the caller may add to what it is given
        found: list[str] = []
        refusals: list[FileRefused] = []
        plain = stamp is not None  # every page matched is no link, inside the project
        for match, path, link in sorted(self._matching(clean), key=itemgetter(0)):  # by its path
            if _ignored(match) or not match.endswith(PAGE_SUFFIXES):
                continue
            plain = plain and link is False
            try:
                self.confined.check(path, link=link)  # a file is inside unless a link, once its folder is
            except FileRefused as refused:
                refusals.append(refused)
                plain = False
                continue
            found.append(match)
        if plain:
            _LISTINGS.keep(key, stamp, at, tuple(found))
        return found, refusals

    def _matching(self, clean: str) -> Iterable[tuple[str, str | Path, bool | None]]:
        """Yield each path a clean pattern matches: relative to the project, as a path to read, and if a link.

        A pattern whose wildcards are all in its file name (``lessons/*.ipynb``)
        lists its folder as strings (:func:`folder_entries`), as
        :meth:`pathlib.Path.glob` matches it, and each match's listing says
        whether it is a symbolic link (no look at each file); any other pattern
        is left to that, and whether a match is a link is left unknown (None).
        """
        folder, _, name = clean.rpartition("/")
        if _WILDCARDS.search(folder) or "**" in name:
            yield from ((m, p, None) for p in self.root.glob(clean) if (m := relative_posix(p, self.root)))
            return
        where = os.path.join(self.root, folder)
        entries = {entry.name: entry for entry in folder_entries(where)}
        for match in fnmatch.filter(entries, name):
            shown = f"{folder}/{match}" if folder else match
            yield shown, os.path.join(where, match), _is_link(entries[match])

    def bibliography(self, value: str) -> str | None:
        """Return the bibliography's path: ``references.bib``, which the check and every page cite from."""
        loc: Loc = ("bibliography",)
        clean = self.relative(value, loc, "the bibliography")
        if clean is not None and os.path.lexists(self.root / clean):
            try:
                read_bytes(self.root / clean, 0, root=self.root)  # the type, not the content
            except FileRefused as refused:
                display, pos = self.where(loc)
                self.problems.append(refused.at(display, pos))
                return None
        if clean is not None and clean != BIBLIOGRAPHY:
            self.problem(
                E_CONFIG,
                loc,
                f"the bibliography `{value}` is not references.bib, which the check, the components "
                "and the pages cite from",
                "name `references.bib` (move the entries there)",
            )
            return None
        return clean

    def output_dir(self, value: str) -> str:
        loc: Loc = ("project", "output-dir")
        clean = self.relative(value, loc, "the output folder")
        if clean is None:
            return "_site"
        if clean.split("/")[0] in SOURCE_FOLDERS:
            self.problem(
                E_CONFIG,
                loc,
                f"the output folder `{value}` is inside a content folder",
                "write the site to its own folder, e.g. `_site`",
            )
            return "_site"
        return clean


def _folders_stamp(root: Path, clean: str) -> FolderStamp | None:
    """Return the stamp of the folders a clean pattern of one folder lists, or None if it lists no one folder.

    Each folder of its path, from the project's down, is looked at without
    following links: None too if one is a link or no folder (its matches are
    then not kept, see :data:`_LISTINGS`). A pattern of the project's own
    folder has the stamp of that folder, links followed.
    """
    folder, _, name = clean.rpartition("/")
    if _WILDCARDS.search(folder) or "**" in name:
        return None
    if not folder:
        return folder_stamp(os.fspath(root))
    parts = folder.split("/")
    return folder_stamp(*(os.path.join(root, *parts[: n + 1]) for n in range(len(parts))), follow=False)


_LISTINGS = Listings[tuple[str, ...]]()
"""The pages each render pattern of one folder matched, by project and pattern, kept while its
folders are as they were listed: a process that builds again (``curriculum serve``) matches it
with a look at its folders, not at each file. Kept only when no page matched is a link (a
link's target may change, its folder not) and every one is inside the project."""


def _is_link(entry: os.DirEntry[str]) -> bool | None:
    """Return whether a listed entry is a symbolic link, as its listing says (None: it cannot tell)."""
    try:
        return entry.is_symlink()
    except OSError:
        return None


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def profiles(root: Path) -> list[str]:
    """Return the profiles a project can be built with: ``resident`` and one per ``_quarto-<name>.yml``."""
    overlays = sorted(p.name[len("_quarto-") : -len(".yml")] for p in root.glob("_quarto-*.yml"))
    return ["resident", *(name for name in overlays if name and name != "resident")]


def load_config(root: Path, profile: str = "resident", *, matched: Matched | None = None) -> SiteConfig:
    """Read ``_quarto.yml`` and, for a profile, ``_quarto-<profile>.yml`` over it.

    Parameters
    ----------
    root : Path
        The project folder.
    profile : str
        ``resident`` (the default build) or ``faculty``.
    matched : Matched | None
        What the render patterns matched when another profile's configuration
        was read (it is added to): a pattern both name is matched once.

    Returns
    -------
    SiteConfig
        The merged configuration.

    Raises
    ------
    ContentError
        If a configuration file is missing or malformed, has a value of the
        wrong shape, or names a path that leads outside the project; every
        problem is located at its line.
    """
    base = _read(root / "_quarto.yml", root)
    overlay_path = root / f"_quarto-{profile}.yml"
    overlay = _read(overlay_path, root) if profile != "resident" and overlay_path.is_file() else None
    moved: Moved = {}
    data = _merge(base.data, overlay.data, (), moved) if overlay else base.data
    where = _Where(base, overlay, moved)
    model, problems = validate_model(QuartoFile, data, overlay.locs if overlay else base.locs, where(())[0])
    if problems:
        raise ContentError(problems)
    reader = _Reader(root, where, {} if matched is None else matched)
    website = model.website or WebsiteOptions()
    sidebar = website.sidebar
    sidebar_loc: Loc = ("website", "sidebar", "contents")
    if isinstance(sidebar, list):
        sidebar = sidebar[0] if sidebar else None
        sidebar_loc = ("website", "sidebar", 0, "contents")
    nav = reader.nav(sidebar.contents if sidebar else [], sidebar_loc)
    extra = reader.render(model.project.render or _DEFAULT_RENDER)
    listed = [p for entry in nav for p in entry.pages()]
    reader.one_output_each([*dict.fromkeys([*listed, *extra])])  # in the order of SiteConfig.pages
    output_dir = reader.output_dir(model.project.output_dir)
    bibliography = model.bibliography
    if bibliography is not None:
        bibliography = reader.bibliography(bibliography)
    norms = model.curriculum.norms
    if norms is not None:
        norms = reader.relative(norms, ("curriculum", "norms"), "the norms file")
    if reader.problems:
        raise ContentError(reader.problems)
    footer = website.page_footer or ""
    if isinstance(footer, dict):
        footer = " ".join(str(v) for v in footer.values())
    return SiteConfig(
        root=root,
        profile=profile,
        title=str(website.title or root.name),
        description=str(website.description or ""),
        sidebar=nav,
        output_dir=output_dir,
        bibliography=bibliography,
        footer=str(footer),
        extra_pages=extra,
        raw=data,
        execute_timeout=model.execute.timeout,
        freeze=model.execute.freeze,
        named=reader.named,
        norms=norms,
    )
