"""The Pandoc engine's stages: one render of the site, each stage a function that prints one line.

1. **execute**: run the notebooks (cached by what can change their outputs);
2. **convert**: turn every page into Pandoc Markdown, each component a placeholder;
3. **pandoc**: render each page with citeproc and our Lua filters (cached by
   the hash of everything that affects the result);
4. **wrap**: put each page in the page template, with its payload script;
5. **assets**: the scripts, stylesheets and other generated files;
6. **search**: the search index, from the pages and the components on them
   (:mod:`curriculum.site._search_stage`);
7. **prune**: remove what a previous build wrote and this one did not.

Output is deterministic: the same sources give the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import operator
import os
import posixpath
import re
import secrets
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from curriculum._words import counted
from curriculum.components import Mount
from curriculum.content import (
    NOTES_FOLDER,
    Curriculum,
    FileRefused,
    generated_prefixes,
    inside,
    load_files,
    read_existing,
    write_atomic,
)
from curriculum.errors import BuildError, ContentError
from curriculum.hosts.static import mount_element, overview_markup, payload_script
from curriculum.project import SiteConfig, output_path, output_paths, path_texts, site_id
from curriculum.render import GeneratedPage, PayloadBuilder, html_templates, raw_html
from curriculum.site._assets import site_assets
from curriculum.site._execute import ExecutedNotebooks, Ran, notebook_cache
from curriculum.site._navigation import Pager
from curriculum.site._output_record import KeyDigest, KeyText, OutputRecord
from curriculum.site._page import document as page_document
from curriculum.site._page_plan import PagePlan, PlannedPage, shows_of
from curriculum.site._page_render import PageRenderer, RenderedPage
from curriculum.site._page_worker import WorkerClosed
from curriculum.site._pandoc import CACHE_LIMIT, E_PANDOC
from curriculum.site._quick import MANIFEST
from curriculum.site._report import RenderStats
from curriculum.site._search import STANDALONE, SearchPage
from curriculum.site._search_stage import SearchRecords, search
from curriculum.site._sources import Page, markdown_page, notebook_markdown
from curriculum.site._stamp import FileDigests

if TYPE_CHECKING:
    from curriculum.site._context import Step

__all__ = [
    "EDITED_AHEAD",
    "KeyedFile",
    "PagesAhead",
    "Render",
    "RenderStats",
    "assets",
    "convert",
    "edited_pages",
    "execute",
    "overview_content",
    "pandoc",
    "prune",
    "render_site",
    "search",
    "wrap",
]


class _Slots:
    """The components of one page, as placeholders that authored text cannot forge.

    Each component the build shows (a reference in a notebook output, or a
    generated page's fragment) becomes an HTML comment holding a random
    token drawn for this build, so no text written before the build can
    contain it. After Pandoc, each placeholder becomes the engine's own
    mount element; component markup from anywhere else never reaches the
    page (``safety.lua`` removes it).

    Parameters
    ----------
    token : str
        The build's random token.
    """

    def __init__(self, token: str) -> None:
        self.token = token
        self.mounts: list[Mount] = []

    @functools.cached_property
    def _place(self) -> re.Pattern[str]:
        """The placeholders of this build (compiled when a page is filled: a page taken as it was is not)."""
        return re.compile(rf"<!--curriculum-mount:{self.token}:(\d+)-->")

    def slot(self, mount: Mount) -> str:
        """Return the Markdown placeholder of ``mount``."""
        self.mounts.append(mount)
        return raw_html(f"<!--curriculum-mount:{self.token}:{len(self.mounts) - 1}-->")

    def key(self, text: str) -> str:
        """Return a digest of ``text`` and its components, a stable cache key (the token left out)."""
        digest = hashlib.sha256(json.dumps([m.as_json() for m in self.mounts], ensure_ascii=False).encode())
        for part in text.split(f"<!--curriculum-mount:{self.token}:"):
            digest.update(b"\0%d\0" % len(part))
            digest.update(part.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def fill(self, body: str) -> tuple[str, list[Mount]]:
        """Replace the placeholders Pandoc kept with mount elements; return the body and its mounts."""
        shown: list[Mount] = []

        def place(match: re.Match[str]) -> str:
            index = int(match.group(1))
            if index >= len(self.mounts):
                return match.group(0)
            shown.append(self.mounts[index])
            return mount_element(self.mounts[index])

        return self._place.sub(place, body), shown


def _quiet(_name: str, _message: str) -> None:
    """Print nothing (a render without a console)."""


def _still(_name: str, _n: int) -> None:
    """Show no progress."""


@dataclass(frozen=True)
class KeyedFile:
    """A generated file known by a digest of what it is made from: made only when the site's was not.

    Attributes
    ----------
    key : str
        A digest of what the file is made from (the progress manifest's script's own).
    text : Callable[[], str]
        Gives the file's text: asked for only when the site's file is not as
        the build that made it from ``key`` left it (see :func:`assets`).
    """

    key: str
    text: Callable[[], str]


@dataclass
class Render:
    """One render of the site: what it reads, where it writes, and what it has done so far.

    Attributes
    ----------
    config : SiteConfig
        The site's structure.
    out : Path
        The output folder (the staging folder during a build).
    cache : Path
        The profile's build cache.
    builder : PayloadBuilder
        Builds the components' payloads; its renderer renders authored Markdown (the footer).
    step : Step
        Progress of the long stages.
    log : Callable[[str, str], None]
        Prints a stage's one line.
    generated : Mapping[str, GeneratedPage]
        The pre-render's pages, by source path: the components they show, and
        where their text comes from.
    extra : dict[str, str]
        Other generated files to publish (path in the site -> text), such as the profile's mark.
    keyed : dict[str, KeyedFile]
        Generated files to publish known by what they are made from, such as
        the progress manifest: each made only if the site's is not as made from its key.
    refresh : bool
        Execute every notebook, whatever ``_freeze/`` and the cache hold (``--no-freeze``).
    stats : RenderStats
        What has been done.
    pages : PageRenderer | None
        Renders the pages with Pandoc (one the build started before rendering), or None for a new one.
    planned : bool
        Take the pages whose inputs are those of the last build's as it made them (:class:`PagePlan`).
    stamp : FileDigests | None
        The build's stamp, which hashed every input as the build began (its
        :attr:`~curriculum.site._stamp.FileDigests.files`): the plan takes a page's hash from it rather
        than look at its file again, unless the build writes that page (see :func:`_plan`), and the
        execute stage each notebook's ``_freeze/`` file's (see :meth:`NotebookCache.executed`).
    folders : Mapping[str, os.stat_result | None] | None
        The own status of each folder of the inputs as the build's stamp took it as the build began
        (:attr:`~curriculum.site._stamp.BuildStamp.folders`): the execute stage's prune takes those of
        ``_freeze/`` from here rather than look at them again (see :meth:`NotebookCache.prune`).
    known : Mapping[str, str]
        The hash of the contents of each page the pre-render knows as it wrote it, by its source
        (:attr:`~curriculum.site._prerender.Prerendered.hashes`): the plan takes it, rather than
        look at the file (see :func:`_plan`).
    """

    config: SiteConfig
    out: Path
    cache: Path
    builder: PayloadBuilder
    step: Step = _still
    log: Callable[[str, str], None] = _quiet
    generated: Mapping[str, GeneratedPage] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    keyed: dict[str, KeyedFile] = field(default_factory=dict)
    refresh: bool = False
    stats: RenderStats = field(default_factory=RenderStats)
    pages: PageRenderer | None = None
    planned: bool = False
    stamp: FileDigests | None = None
    folders: Mapping[str, os.stat_result | None] | None = None
    known: Mapping[str, str] = field(default_factory=dict)

    @functools.cached_property
    def sources(self) -> list[str]:
        """Every page's source, in the site's order (:meth:`SiteConfig.pages`, listed once a render)."""
        return self.config.pages()

    def renderer(self) -> PageRenderer:
        """Return the render's Pandoc renderer (made the first time)."""
        if self.pages is None:
            builder = self.builder
            self.pages = PageRenderer(
                self.config, self.cache, builder.renderer.references, builder.bibliography_text
            )
        return self.pages

    def write(self, name: str, text: str | bytes, *, changed: bool = False) -> None:
        """Write a file of the site (only if it changed) and count it as part of this render.

        ``text`` may be the file's bytes (UTF-8), when the caller made them so.

        ``changed``: the caller knows ``text`` is not what the last build wrote, and the file is not
        read back to compare (if it was changed by hand to ``text`` since, it is written the same).
        """
        written = write_atomic(self.out / name, text, within=self.out, only_if_changed=not changed)
        self.stats.written += written
        self.stats.files.append(name)


class _Source(NamedTuple):
    """A page on its way through the stages: its Markdown and the components in it.

    A page the last build made from the same inputs (see :class:`PagePlan`)
    has no Markdown: it comes with its HTML from the cache (``rendered``) and with
    what the plan recorded of it (``planned``). A named tuple: those pages are
    made at once (see :func:`_taken`).
    """

    page: Page
    markdown: str
    slots: _Slots
    planned: PlannedPage | None = None
    rendered: RenderedPage | None = None


def render_site(run: Render) -> RenderStats:
    """Render every page of ``run.config`` into ``run.out``, stage by stage.

    Returns
    -------
    RenderStats
        Counts of what was done.
    """
    executed = execute(run)
    plan = _plan(run, executed) if run.planned and not run.refresh else None
    sources = convert(run, executed, plan)
    searching = SearchRecords(run)
    # while Pandoc renders the other pages, those the last build made are wrapped and the search records read
    meanwhile = searching.read_ahead if plan is not None else None
    pages = wrap(run, sources, pandoc(run, sources, meanwhile=meanwhile), plan, searching.parts.knows)
    assets(run)
    search(run, pages, searching)
    prune(run)
    if plan is not None:
        plan.save()
    run.stats.pages = len(sources)
    return run.stats


def _plan(run: Render, executed: ExecutedNotebooks) -> PagePlan:
    """Return the inputs of every page, and what the last build made of the same (see :class:`PagePlan`).

    A page's source is hashed once a build: by the stamp as the build began
    (``run.stamp``), unless the build writes it since (the pre-render's pages,
    the API reference: every page in a folder of
    :func:`~curriculum.content.generated_dirs`). Of those, a page the pre-render
    knows as it wrote it has the hash it recorded then (``run.known``); the
    plan hashes the others itself.
    """
    root = run.config.root
    sources = run.sources
    written = set(run.generated)  # one look at each page, not a call of the mapping's
    extra: dict[str, Any] = dict(
        zip(sources, map(written.__contains__, sources), strict=True)
    )  # no Python step a page
    notebooks = _notebooks(sources)  # by their paths as strings, as executed
    extra.update(zip(notebooks, executed.outputs_digests(path_texts(root, notebooks)), strict=True))
    shared = [run.renderer().shared, run.builder.shared_digest]
    hashed = _authored(run.stamp.files, sources) if run.stamp is not None else {}
    return PagePlan(root, run.cache, sources, shared, extra, hashed, run.stamp, run.known)


def _authored(hashed: Mapping[str, str], sources: list[str]) -> dict[str, str]:
    """Return the hashes ``hashed`` holds of the ``sources`` the build does not write (see :func:`_plan`).

    Found by :func:`filter` and :func:`map`, no Python step a page.
    """
    written = operator.methodcaller("startswith", generated_prefixes())
    authored = list(itertools.filterfalse(written, filter(hashed.__contains__, sources)))
    return dict(zip(authored, map(hashed.__getitem__, authored), strict=True))


_IS_NOTEBOOK = operator.methodcaller("endswith", ".ipynb")
"""Whether a page's source (a string) is a notebook."""


def _notebooks(sources: Iterable[str]) -> list[str]:
    """Return the notebooks among the pages ``sources`` (by :func:`filter`, no Python step a page)."""
    return list(filter(_IS_NOTEBOOK, sources))


EDITED_AHEAD = 4
"""The most pages :class:`PagesAhead` renders: an author's edit changes one or two."""


def edited_pages(config: SiteConfig, changed: Collection[str]) -> list[str]:
    """Return the pages of ``config`` whose source is among the ``changed`` files (none if too many).

    The pages the pre-render writes are left out: the build makes their text.
    """
    generated = generated_prefixes()
    edited = [s for s in config.pages() if s in changed and not s.startswith(generated)]
    return edited if len(edited) <= EDITED_AHEAD else []


def overview_content(root: Path, sources: Collection[str]) -> Curriculum:
    """Return what the overviews of the lessons among ``sources`` read, without the rest of the content.

    A lesson's overview (:func:`~curriculum.hosts.static.overview_markup`)
    reads the lesson, the titles of the lessons it needs first, and whether it
    has facilitator notes. A page that shows another lesson's overview finds
    that lesson here only as a prerequisite (without its notes), or not at
    all: the page converted ahead then differs from the stages', which render it again.
    """
    lessons = [root / s for s in sources if s.startswith("lessons/") and s.endswith(".ipynb")]
    notes = [root / NOTES_FOLDER / f"{path.stem}.qmd" for path in lessons]  # a lesson's id is its file's name
    cur = load_files([*lessons, *(p for p in notes if p.is_file())], root=root)
    ids = {p for doc in cur.lessons.values() for p in doc.model.prerequisites} - set(cur.lessons)
    first = [path for i in sorted(ids) if (path := root / "lessons" / f"{i}.ipynb").is_file()]
    return load_files(first, root=root, into=cur) if first else cur


class PagesAhead:
    """The pages an edit changed, converted before the content is loaded and rendered on a thread meanwhile.

    After a one-page edit, Pandoc's render of that page is most of what the
    build waits for, and it needs only the page's text: so the build converts
    the page first, as the convert stage will (a notebook from its stored
    outputs: it executes nothing; a lesson overview from
    :func:`overview_content`), and a thread renders it into the page cache
    (:class:`PageRenderer`) on the other core while the build loads and checks
    the content and works through the other stages; the Pandoc stage finds it
    there, or waits for it. The conversion holds the interpreter, so it is done
    before the load rather than beside it. Nothing is published: a page whose
    text the build then makes otherwise is rendered again, and a page that
    cannot be made here is made by the stages, which report what is wrong.

    Parameters
    ----------
    sources : list[str]
        The pages (:func:`edited_pages`).
    config : SiteConfig
        The site.
    renderer : PageRenderer
        The build's renderer, which the Pandoc stage uses too.
    cache : Path
        The profile's build cache.
    """

    def __init__(self, sources: list[str], config: SiteConfig, renderer: PageRenderer, cache: Path) -> None:
        self._thread: threading.Thread | None = None
        pages = self._converted(sources, config, cache)
        if pages:
            work = functools.partial(self._run, pages, renderer)
            self._thread = threading.Thread(target=work, name="pages-ahead", daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Let the thread finish its page (the build waits for it before it ends)."""
        if self._thread is not None:
            self._thread.join()

    @staticmethod
    def _converted(sources: list[str], config: SiteConfig, cache: Path) -> list[tuple[str, str, _Slots]]:
        """Return each page made without the rest of the content: its source, its text, its components."""
        root = config.root
        notebooks = [root / source for source in sources if source.endswith(".ipynb")]
        pages: list[tuple[str, str, _Slots]] = []
        # a head start only: a page that fails here, the stages make again and report
        try:
            cur = overview_content(root, sources)
            stored = notebook_cache(config, cache / "executed", write_freeze=False)
            executed = (
                stored.executed(notebooks, digests=_lesson_digests(cur), execute=False) if notebooks else {}
            )
        except Exception:
            return pages
        token, overview = secrets.token_hex(16), _overview(cur, config.profile)
        for source in sources:
            if source.endswith(".ipynb") and root / source not in executed:
                continue  # its code changed: the execute stage runs it
            slots = _Slots(token)
            try:
                text, _ = _markdown(root, None, executed, overview, source, slots)
            except Exception:
                continue
            pages.append((source, text, slots))
        return pages

    @staticmethod
    def _run(pages: list[tuple[str, str, _Slots]], renderer: PageRenderer) -> None:
        for source, text, slots in pages:
            if renderer.closed:
                return
            try:
                renderer.render(source, text, slots, None, used=False)
            except WorkerClosed:
                return
            except Exception:  # in a thread, an error would print a traceback: the Pandoc stage reports it
                continue


def execute(run: Render) -> ExecutedNotebooks:
    """Execute stage: run the notebooks whose outputs are not stored; return every notebook with outputs.

    A lesson the content index took as it was is known by its digest: it is
    read only if its page must be made again. The notebooks are named by
    their paths as strings: no path object is made for one that is not read.
    """
    cache = notebook_cache(run.config, run.cache / "executed", refresh=run.refresh)
    notebooks = cache.named(_notebooks(run.sources))  # named as listed
    run.step("Executing notebooks", len(notebooks))

    def done(ran: list[Ran]) -> None:  # the notebooks stored, at once: one step of the progress bar
        run.stats.notebooks.update(
            zip(map(_RAN_NAME, ran), map(_RAN_HOW, ran), strict=True)
        )  # no Python step a notebook
        run.step("", len(ran))

    lessons = _lesson_digests(run.builder.curriculum)
    hashed = run.stamp.files if run.stamp is not None else None  # each frozen file's, as the stamp took it
    executed = cache.executed(notebooks, done, digests=lessons, hashed=hashed)
    removed = cache.prune(notebooks, run.folders) if run.config.profile == "resident" else 0
    hows = list(run.stats.notebooks.values())
    run.log(
        "execute",
        f"{counted(len(notebooks), 'notebook')} · {hows.count('executed')} run, "
        f"{hows.count('frozen')} frozen, {hows.count('cached')} from the cache"
        + (f" · {removed} stale frozen removed" if removed else ""),
    )
    return executed


_RAN_NAME, _RAN_HOW = operator.attrgetter("name"), operator.attrgetter("how")
"""A notebook's name and how its outputs were obtained (:class:`Ran`)."""


def _lesson_digests(cur: Curriculum) -> dict[str, str]:
    """Return the digest of each lesson notebook's text as loaded (for :meth:`NotebookCache.executed`).

    By the notebook's path as a string (``Document.file``): a lesson from the
    content index makes no path object for it. Made by :func:`map`, no Python step a lesson;
    a lesson no digest names (read from no file) is left out.
    """
    docs = cur.lessons.values()
    return dict(filter(_DIGEST_OF_PAIR, zip(map(_FILE, docs), map(_DIGEST, docs), strict=True)))


_FILE, _DIGEST = operator.attrgetter("file"), operator.attrgetter("digest")
"""A document's file (as a string) and its text's digest."""
_DIGEST_OF_PAIR = operator.itemgetter(1)
"""The digest of a pair of a lesson's file and digest (what names no digest is left out)."""


def convert(run: Render, executed: Mapping[Path, Any], plan: PagePlan | None = None) -> dict[str, _Source]:
    """Convert stage: every page as Pandoc Markdown, each component a placeholder no text can forge.

    A page ``plan`` knows as the last build made it, and whose HTML is still in
    the page cache, is not converted: it is taken as it was (and converted then
    only if its HTML must be read and the cache entry turns out damaged).
    """
    token = secrets.token_hex(16)
    overview = _overview(run.builder.curriculum, run.builder.profile)

    def again(source: str) -> tuple[str, str]:
        """Return the table of contents and body of a page taken as it was, converted and rendered again."""
        slots = _Slots(token)
        text, _ = _markdown(run.config.root, run.generated.get(source), executed, overview, source, slots)
        page = run.renderer().render(source, text, slots, run.generated.get(source))
        run.stats.rendered += page.fresh
        return page.toc, page.body

    taken = _taken(run, _planned(plan, run.sources), _Slots(token), again) if plan is not None else {}
    sources: dict[str, _Source | None] = dict.fromkeys(run.sources)  # in the site's order
    sources.update(taken)
    for source in list(itertools.filterfalse(taken.__contains__, run.sources)):
        kind = "notebook" if source.endswith(".ipynb") else "markdown"
        slots = _Slots(token)
        text, front = _markdown(run.config.root, run.generated.get(source), executed, overview, source, slots)
        title = str(front.get("title") or Path(source).stem.replace("-", " ").capitalize())
        sources[source] = _Source(Page(source, output_path(source), title, kind), text, slots)
    kept = len(taken)
    unchanged = f" ({kept} as the last build made them)" if kept else ""
    run.log("convert", f"{counted(len(sources) - kept, 'page')} to Pandoc Markdown{unchanged}")
    return sources  # type: ignore[return-value]  # every page is made by now


def _taken(
    run: Render, planned: dict[str, PlannedPage], slots: _Slots, again: Callable[[str], tuple[str, str]]
) -> dict[str, _Source]:
    """Return the pages of ``planned`` whose HTML the page cache holds, taken as the last build made them.

    Made at once: each part of every page by :func:`map` (the page, its
    :class:`_Source`: named tuples made in C; its :class:`RenderedPage`, by
    :meth:`~PageRenderer.taken`), so that a page costs its look-ups only, no
    Python call. They share
    ``slots`` (no Markdown is read, none is slotted); ``again`` converts and
    renders a page whose cache entry turns out damaged when its HTML is read.
    """
    renderer = run.renderer()
    held = renderer.held(list(map(_ENTRY, planned.values())))
    known = list(filter(planned.__contains__, run.sources))  # in the site's order
    names = list(
        itertools.compress(known, map(held.__contains__, map(_ENTRY, map(planned.__getitem__, known))))
    )
    plans = list(map(planned.__getitem__, names))
    kinds = map(_KINDS.__getitem__, map(_IS_NOTEBOOK, names))
    pages = map(_PAGE, zip(names, output_paths(names), map(_TITLE, plans), kinds, strict=True))
    rendered = renderer.taken(
        list(map(_ENTRY, plans)), map(_SHOWS, plans), map(functools.partial, itertools.repeat(again), names)
    )
    items = zip(pages, itertools.repeat(""), itertools.repeat(slots), plans, rendered)
    return dict(zip(names, map(_SOURCE, items), strict=True))


_PAGE = functools.partial(tuple.__new__, Page)
"""Makes a :class:`Page` of its fields' tuple, in C (a named tuple's own is Python)."""

_SOURCE = functools.partial(tuple.__new__, _Source)
"""Makes a :class:`_Source` of its fields' tuple, in C."""

_ENTRY, _TITLE, _SHOWS = (operator.attrgetter(name) for name in ("entry", "title", "shows"))
"""A planned page's cache entry, title and components (:class:`PlannedPage`)."""

_KINDS = ("markdown", "notebook")
"""A page's kind, by whether its source is a notebook."""


def _planned(plan: PagePlan | None, pages: list[str]) -> dict[str, PlannedPage]:
    """Return each of ``pages`` ``plan`` knows as the last build made it from the same inputs (at once)."""
    return plan.kept_pages(pages) if plan is not None else {}


def _markdown(
    root: Path,
    generated: GeneratedPage | None,
    executed: Mapping[Path, Any],
    overview: Callable[[str], Callable[[str], str]],
    source: str,
    slots: _Slots,
) -> tuple[str, dict[str, Any]]:
    """Return one page as Pandoc Markdown, its components in ``slots``, and its front matter.

    ``generated`` is the pre-render's page, when ``source`` is one.
    """
    if source.endswith(".ipynb"):
        return notebook_markdown(executed[root / source], slots.slot, overview(source))
    text, front = markdown_page(root, source)
    for block, component, args in generated.components if generated else []:
        if block not in text:
            raise BuildError(f"{source} was changed after the pre-render wrote it; build again")
        text = text.replace(block, slots.slot(Mount(component, args)), 1)
    return text, front


def _overview(cur: Curriculum, profile: str) -> Callable[[str], Callable[[str], str]]:
    """Return, for a page, what fills in a lesson overview's reference: its HTML, from the front matter."""

    def for_page(source: str) -> Callable[[str], str]:
        def markup(lesson_id: str) -> str:
            html = overview_markup(cur, lesson_id, profile)
            if html is None:
                raise ContentError(
                    [
                        E_PANDOC.at(
                            source,
                            (1, 1),
                            f"the page shows the overview of the lesson `{lesson_id}`, which does not exist",
                            "check the id in the `curriculum.overview` call",
                        )
                    ]
                )
            return raw_html(html)

        return markup

    return for_page


def pandoc(
    run: Render, sources: Mapping[str, _Source], *, meanwhile: Callable[[], None] | None = None
) -> Iterator[tuple[_Source, RenderedPage]]:
    """Pandoc stage: render each page's Markdown to HTML (citeproc, our filters), cached by its inputs.

    Yields each page with its HTML: first every page :func:`convert` took as
    the last build made it (its HTML in the page cache), while the others go
    to the renderer on two threads (from the cache, a render started ahead, or
    Pandoc), then those in site order as they are done. So the next stage
    works through the pages the last build made while Pandoc works: after a
    one-page edit, wrapping the other pages costs no time. ``meanwhile`` is
    called once those are yielded, if one of the others is still being
    rendered (not one the cache had): work that needs none of their HTML.
    """
    renderer = run.renderer()
    run.step("Rendering pages", len(sources))
    kept = [(item, item.rendered) for item in sources.values() if item.rendered is not None]
    fresh = [item for item in sources.values() if item.rendered is None]

    def one(item: _Source) -> RenderedPage:
        source = item.page.source
        return renderer.render(source, item.markdown, item.slots, run.generated.get(source))

    rendered = 0
    finished = False
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            running = [pool.submit(one, item) for item in fresh]
            try:
                run.step("", len(kept))  # taken as they were: wrapped as fast as they are yielded
                for item, html in kept:
                    yield item, html
                if meanwhile is not None and not all(future.done() for future in running):
                    meanwhile()
                for item, future in zip(fresh, running, strict=True):
                    html = future.result()
                    rendered += html.fresh
                    run.step("", 1)
                    yield item, html
            finally:
                for future in running:  # a failed page or stage: the pages not begun are not rendered
                    future.cancel()
        finished = True
    finally:
        renderer.close(prune=finished)
    run.stats.rendered += rendered
    run.log(
        "pandoc",
        f"{counted(len(sources), 'page')} · {rendered} rendered, {len(sources) - rendered} from the cache",
    )


def wrap(
    run: Render,
    sources: Mapping[str, _Source],
    rendered: Iterable[tuple[_Source, RenderedPage]],
    plan: PagePlan | None = None,
    recorded: Callable[[SearchPage], bool] | None = None,
) -> list[SearchPage]:
    """Wrap stage: each page in the page template, with its components' payload script; then the search page.

    ``rendered`` gives the pages of ``sources`` with their HTML, in any
    order: those the last build made as they are first, while Pandoc renders
    the others (see :func:`pandoc`); so an error in two pages is reported for
    the first of them in that order. ``plan`` is told what each page was made
    into. A page's HTML is read, and its payloads built, only for a file that
    must be made again. A page the plan took as the last build made it, whose
    components show documents whose texts are as they were, stands with its
    files (see :func:`_standing`): the pages that stand are found before any
    page is taken, all at once, and what the index reads of them is made then
    (:func:`_stood`); each costs the look-up of its record and the stat of its
    files (its plan entry and its payloads' memo entries are kept with the
    others', in one call each), and is not wrapped. While pages are still being rendered, each page the last
    build made also reads its part of the search index, which the index
    will most likely need (a page made again may change the index's words),
    unless the last index's record gives it (``recorded``, see :class:`PartRecord`).

    Returns
    -------
    list[SearchPage]
        What the search index reads of each page (its text and its components' payloads), in site order.
    """
    config = run.config
    pages = {source: item.page for source, item in sources.items()}
    pager = Pager([pages[s] for entry in config.sidebar for s in entry.pages() if s in pages])
    footer = run.builder.renderer.inline(config.footer) if config.footer else ""
    written_before = run.stats.written
    found: dict[str, SearchPage] = {}
    built: dict[Mount, dict[str, Any]] = {}
    # pages the last build did not make so: Pandoc renders them while the others are wrapped
    pending = plan is not None and any(item.rendered is None for item in sources.values())
    site = [
        config.title,
        site_id(config.root),
        config.description,
        config.profile,
        repr(config.sidebar),
        footer,
    ]
    record = OutputRecord(
        run.cache / "wrapped.json",
        run.out,
        [*site, [[p.source, p.output, p.title] for p in pages.values()]],
        run.stats.files.extend,
        notes=True,
    )
    # the documents shown whose texts changed, found once: a page showing none of them may stand
    changed = (
        record.changed_inputs(
            functools.partial(_document_digest, run.builder), run.builder.document_digests()
        )
        if plan is not None
        else set()
    )
    stood = _stood(run.builder, sources, _standing(record, sources, plan, changed), built) if plan else {}
    if plan is not None:  # their plan entries stand with them, kept at once
        plan.keep(stood)
    found.update(stood)
    kept = list(itertools.chain.from_iterable(page.made_from[1] for page in stood.values()))  # payload keys
    for item, out in rendered:
        page, source = item.page, item.page.source
        if (indexed := stood.get(source)) is not None:  # its files, plan entry and payload keys stand
            if pending and not (recorded is not None and recorded(indexed)):
                indexed.part()  # kept for the index (its texts are read only if its text script is written)
            continue
        data_path = _data_path(page.output, out.mounts)
        payloads = _PagePayloads(
            run.builder, out.mounts, source, built, functools.partial(_script_stands, record, data_path)
        )
        made_from = [out.entry, payloads.keys] if all(payloads.keys) else None
        read = functools.partial(getattr, out, "body")  # this page's body, read if the index is made again
        standalone = item.planned.standalone if item.planned else STANDALONE in out.body
        indexed = found[source] = SearchPage(
            page.title, page.output, page.kind == "notebook", read, payloads.shown, made_from, standalone
        )
        if out.fresh:
            indexed.read_ahead()
        elif pending and not (recorded is not None and recorded(indexed)):
            indexed.part()  # kept for the index (its texts are read only if its text script is written)
        if out.mounts:
            _write_payloads(run, record, data_path, payloads)
        # Components, the progress panel and progress marks (quiz list, case library) need the script.
        marked = item.planned.marked if item.planned else _MARKED.search(out.body) is not None
        if plan is not None:
            plan.made(source, PlannedPage(page.title, out.entry, shows_of(out.mounts), marked, standalone))
        if plan is not None and payloads.unread:  # its files stand while its inputs do
            keys = [str(key) for key in payloads.keys]
            record.note(page.output, plan.key(source), _documents(run.builder, out.mounts), keys)
        prev, nxt = pager.around(page)
        interactive = bool(out.mounts) or marked
        data_file = posixpath.basename(data_path)
        key = [page.output, page.title, out.entry, prev, nxt, interactive, data_file]
        if record.kept(page.output, key):
            continue
        html = page_document(
            config,
            pages,
            page,
            out.body,
            toc=out.toc,
            prev=prev,
            next=nxt,
            footer=footer,
            description=config.description,
            interactive=interactive,
            payloads=data_file,
        )
        run.write(page.output, html)
        record.wrote(page.output)
    Mount.keep_payloads(kept)  # a wrap cut short leaves them out: the next build makes them again
    record.save()
    search_page = Page("search.html", "search.html", "Search", "markdown")
    search_body = html_templates("curriculum.site").get_template("search-body.html.j2").render()
    run.write(search_page.output, page_document(config, pages, search_page, search_body))
    run.log("wrap", f"{counted(len(sources) + 1, 'page')} · {run.stats.written - written_before} written")
    return [found[source] for source in sources]


_MARKED = re.compile(r'class="cur-progress"|data-cur-record=')
"""What a body holds that needs the page script besides components: the progress panel, progress marks."""


def _documents(builder: PayloadBuilder, mounts: list[Mount]) -> dict[str, str]:
    """Return the digest of each document a page's components show, by its name (``folder/id``).

    With the page's plan key (:meth:`PagePlan.key`: its source, what every
    page and payload shares), which gives its title, cache entry and
    components, they name what its wrapped files, payload keys and plan entry
    are made from: each component's document's digest gives its payload's key
    (:meth:`Mount.unread_key`); the site (every page's title, the sidebar, the
    package) names every entry of the wrap stage's record. A component that
    names no document reads none of its own.
    """
    shown = [mount.shows for mount in mounts]
    return {f"{folder}/{ident}": builder.document_digest(folder, ident) for folder, ident in shown if ident}


def _document_digest(builder: PayloadBuilder, name: str) -> str:
    """Return the digest of the document ``name`` (``folder/id``, as :func:`_documents` names it)."""
    folder, _, ident = name.partition("/")
    return builder.document_digest(folder, ident)


def _standing(
    record: OutputRecord, sources: Mapping[str, _Source], plan: PagePlan, changed: set[str]
) -> dict[str, list[str]]:
    """Return the payload keys of each page whose files stand, made from what the last build made them from.

    Each page the plan took as the last build made it is asked about, by its
    output: its plan key (:meth:`PagePlan.key`) names its source and what
    every page shares; ``changed`` the documents whose texts changed (see
    :func:`_documents`). Its file and its data script (if it has one) are
    then kept as recorded, without their keys, all the pages' files looked at
    at once: see :meth:`OutputRecord.standing`. A page whose payloads read
    other documents than their own has no note, and never stands so.
    """
    planned = [item for item in sources.values() if item.planned is not None]
    pages = list(map(_PAGE_OF, planned))
    outputs = list(map(_OUTPUT_OF, pages))
    keys = plan.keys(map(_SOURCE_OF, pages))
    shows = map(_SHOWS_OF, map(_PLANNED_OF, planned))
    # each page's files: it, and its data script if it shows components
    files = [
        [out, data] if shown else [out]
        for out, data, shown in zip(outputs, _data_paths(outputs), shows, strict=True)
    ]
    return record.standing(dict(zip(outputs, zip(keys, files, strict=True), strict=True)), changed)


def _stood(
    builder: PayloadBuilder,
    sources: Mapping[str, _Source],
    stands: Mapping[str, list[str]],
    built: dict[Mount, dict[str, Any]],
) -> dict[str, SearchPage]:
    """Return what the search index reads of each page whose files stand (``stands``: :func:`_standing`).

    Made before the wrap takes any page: such a page is neither read nor
    wrapped (its HTML, its components' payloads are read only if the index
    asks for them), and is made from what the plan recorded of it.
    """
    return {
        source: SearchPage(
            page.title,
            page.output,
            page.kind == "notebook",
            functools.partial(getattr, out, "body"),
            functools.partial(_shown, builder, out, source, built),
            [out.entry, stands[page.output]],
            planned.standalone,
        )
        for source, (page, _, _, planned, out) in sources.items()
        if planned is not None and out is not None and page.output in stands
    }


def _data_path(output: str, mounts: Collection[Any]) -> str:
    """Return the data script of the page ``output`` showing ``mounts`` (none, ``""``, if it shows none).

    ``output`` is a page's, which ends with ``.html`` (:func:`~curriculum.project.output_path`).
    """
    return _data_paths([output])[0] if mounts else ""


def _data_paths(outputs: list[str]) -> list[str]:
    """Return the data script of each page of ``outputs`` if it shows components (all at once, by ``map``)."""
    return list(
        map(operator.add, map(str.removesuffix, outputs, itertools.repeat(".html")), itertools.repeat(_DATA))
    )


_DATA = ".data.js"
"""What a page's data script is named by, after the page's name without ``.html``."""

_PAGE_OF, _PLANNED_OF = operator.attrgetter("page"), operator.attrgetter("planned")
_OUTPUT_OF, _SOURCE_OF, _SHOWS_OF = (operator.attrgetter(name) for name in ("output", "source", "shows"))
"""The fields :func:`_standing` takes of every page the plan took, by :func:`map`."""


class _PagePayloads:
    """The payloads of a page's components, built only when something must be made of them.

    Parameters
    ----------
    builder : PayloadBuilder
        The build's payload builder.
    mounts : list[Mount]
        The page's components.
    source : str
        The page (where a missing component is reported).
    built : dict[Mount, dict[str, Any]]
        The payloads the build has built so far (each is built once).
    written : Callable[[dict[str, str]], bool]
        Whether the page's data script stands as the last build wrote it from
        these payload keys, by component (see :func:`_script_key`).
    """

    def __init__(
        self,
        builder: PayloadBuilder,
        mounts: list[Mount],
        source: str,
        built: dict[Mount, dict[str, Any]],
        written: Callable[[dict[str, str]], bool],
    ) -> None:
        self._builder, self._source, self._built = builder, source, built
        self.mounts = mounts
        self._ids = [m.dom_id for m in mounts]  # each component's element id, made once a page
        self._by_id: dict[str, dict[str, Any]] | None = None
        # The keys of payloads that read their own document only, named without a look-up: a
        # script the last build wrote from them stands, and the memo keeps them unread.
        self.tried: list[str | None] = [m.unread_key(builder) for m in mounts]
        self.written = bool(mounts) and all(self.tried) and written(self.by_component(self.tried))
        """The data script stands as written from :attr:`keys` (nothing of the payloads was looked up)."""
        if self.written:
            for mount, key in zip(mounts, self.tried, strict=True):
                mount.keep_payload(builder, str(key))
            self.keys = self.tried
            return
        self.keys = [m.payload_key(builder) for m in mounts]
        """Each payload's memo key, which names its inputs (None: it names none)."""
        if not all(self.keys):  # a payload the memo does not hold has a key once it is built
            self.by_id()
            self.keys = [m.payload_key(builder) for m in mounts]

    @property
    def unread(self) -> bool:
        """Whether every payload's key is known and names its own document only (:meth:`Mount.unread_key`)."""
        return all(self.keys) and self.keys == self.tried

    def by_component(self, keys: list[str | None]) -> dict[str, str]:
        """Return ``keys`` (one a mount, all known) by their component's element id."""
        return dict(zip(self._ids, map(str, keys), strict=True))

    def by_id(self) -> dict[str, dict[str, Any]]:
        """Return each payload by its component's element id (built the first time)."""
        if self._by_id is None:
            self._by_id = _payloads_by_id(self._builder, self.mounts, self._ids, self._source, self._built)
        return self._by_id

    def shown(self) -> list[dict[str, Any]]:
        """Return the payloads the page shows, each once."""
        return list(self.by_id().values())


def _shown(
    builder: PayloadBuilder, page: RenderedPage, source: str, built: dict[Mount, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Return the payloads ``page`` shows, each once (:meth:`_PagePayloads.shown`, for a page that stands).

    Its components are made only now (:attr:`RenderedPage.mounts`): the index most often needs none.
    """
    mounts = page.mounts
    return list(_payloads_by_id(builder, mounts, [m.dom_id for m in mounts], source, built).values())


def _payloads_by_id(
    builder: PayloadBuilder,
    mounts: list[Mount],
    ids: list[str],
    source: str,
    built: dict[Mount, dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """Return the payload of each of a page's ``mounts`` by its component's element id (``ids``, in order)."""
    return {ident: _payload(builder, m, source, built) for ident, m in zip(ids, mounts, strict=True)}


def _write_payloads(run: Render, record: OutputRecord, name: str, payloads: _PagePayloads) -> None:
    """Write a page's data script, unless the payloads it holds are those of the file already there.

    A payload taken from the memo has a key that names its inputs; a script of
    such payloads only is recognised by their keys, without building or encoding them again.
    """
    if payloads.written:
        return
    known = all(payloads.keys)
    key = _script_key(payloads.by_component(payloads.keys)) if known else None
    # keys that are those tried first were found not to stand: the record is not asked again
    if key is not None and payloads.keys != payloads.tried and record.kept(name, key):
        return
    run.write(name, payload_script(payloads.by_id()))
    if key is not None:
        record.wrote(name, key=key)


def _script_stands(record: OutputRecord, name: str, keys: dict[str, str]) -> bool:
    """Whether the data script ``name`` stands as the last build wrote it from the payloads ``keys`` name."""
    return record.kept(name, _script_key(keys))


def _script_key(keys: dict[str, str]) -> list[list[str]]:
    """Return what a page's data script is recorded as made from: its components' ids and payload keys."""
    return [list(keys), list(keys.values())]


def assets(run: Render) -> None:
    """Assets stage: the components' and the site's scripts and styles, and the other generated files."""
    written_before = run.stats.written
    files = {**site_assets(), **run.extra}
    for name, text in files.items():
        run.write(name, text)
    _write_keyed(run)
    count = len(files) + len(run.keyed)
    run.log("assets", f"{counted(count, 'file')} · {run.stats.written - written_before} written")


KEYED_RECORD = "keyed.json"
"""What each file of :attr:`Render.keyed` in the site was made from, in the profile's build cache."""


def _write_keyed(run: Render) -> None:
    """Write each file of ``run.keyed`` unless the site's was made from its key (and is as it was written).

    A file that stands is neither made nor read back to compare: its size and
    time, as the build that wrote it recorded them, tell a hand-edited or
    removed one (see :class:`OutputRecord`).
    """
    record = OutputRecord(run.cache / KEYED_RECORD, run.out, [], run.stats.files.extend)
    for name, file in run.keyed.items():
        if not record.kept(name, KeyText(file.key)):
            run.write(name, file.text())
            record.wrote(name)
    record.save()


LISTED_RECORD = "site-files.json"
"""What the site's list of its files (its manifest) was made from, in the profile's build cache."""


def prune(run: Render) -> None:
    """Prune stage: remove what the previous build wrote and this one did not (only inside the output).

    The previous build's list of its files is read only when this build's
    is another (as text, byte for byte): most builds write the files the last one did.
    Neither is made when the files this build wrote are those the build that
    wrote the list did, named in the same order (as a digest of them
    recorded beside it says), and the list is as that build left it (see
    :class:`OutputRecord`): a build after an edit like the last one's.
    """
    record = OutputRecord(run.cache / LISTED_RECORD, run.out, [])
    made = KeyDigest(_names_digest(run.stats.files))
    removed = 0
    if not record.kept(MANIFEST, made):
        manifest = run.out / MANIFEST
        listing = _listing(sorted(run.stats.files)) + "\n"
        listed = read_existing(manifest, CACHE_LIMIT)
        if listed != listing.encode():
            removed = _removed(run, listed)
            write_atomic(manifest, listing, within=run.out, only_if_changed=False)
        record.wrote(MANIFEST, key=made)
    record.save()
    run.stats.removed = removed
    run.log("prune", f"{counted(removed, 'stale file')} removed")


def _names_digest(names: list[str]) -> str:
    """Return a digest of ``names`` in their order (joined: no Python step a name)."""
    return hashlib.blake2b("\0".join(names).encode("utf-8", "surrogatepass")).hexdigest()


def _removed(run: Render, listed: bytes | None) -> int:
    """Remove the files the previous build ``listed`` (its manifest's bytes) that this one did not write.

    Returns how many were removed.
    """
    try:
        previous = json.loads(listed or b"[]")
    except ValueError:
        previous = []
    removed = 0
    for name in set(previous if isinstance(previous, list) else []) - set(run.stats.files):
        target = run.out / str(name)
        try:  # the manifest is a file in the output folder, which a repository may ship: trust no name
            inside(run.out, target.parent, what="the output folder")
        except FileRefused:
            continue
        if target.is_symlink() or target.is_file():
            target.unlink()
            removed += 1
    return removed


def _listing(names: list[str]) -> str:
    """Return ``json.dumps(names, indent=0)``: the strings one a line, each encoded by the C encoder.

    (With ``indent``, :func:`json.dumps` encodes in Python: the site's list of files grows with it.)

    Examples
    --------
    >>> names = ["a.html", 'q"uote/é.js']
    >>> _listing(names) == json.dumps(names, indent=0) and _listing([]) == json.dumps([], indent=0)
    True
    """
    return "[\n" + ",\n".join(map(encode_basestring_ascii, names)) + "\n]" if names else "[]"


def _payload(builder: PayloadBuilder, mount: Mount, source: str, built: dict[Mount, Any]) -> Any:
    if mount not in built:
        try:
            built[mount] = mount.payload(builder)
        except KeyError as exc:
            raise ContentError(
                [
                    E_PANDOC.at(
                        source,
                        (1, 1),
                        f"the page shows the {mount.component} `{mount.args[-1]}`, which does not exist",
                        "check the id in the component call",
                    )
                ]
            ) from exc
    return built[mount]
