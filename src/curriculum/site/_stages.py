"""The Pandoc engine's stages: one render of the site, each stage a function that prints one line.

1. **execute**: run the notebooks (cached by what can change their outputs);
2. **convert**: turn every page into Pandoc Markdown, each component a placeholder;
3. **pandoc**: render each page with citeproc and our Lua filters (cached by
   the hash of everything that affects the result);
4. **wrap**: put each page in the page template, with its payload script;
5. **assets**: the scripts, stylesheets and other generated files;
6. **search**: the search index, from the pages and the components on them;
7. **prune**: remove what a previous build wrote and this one did not.

Output is deterministic: the same sources give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curriculum._memo import machine_key
from curriculum._words import counted
from curriculum.components import Mount
from curriculum.content import FileRefused, inside, read_existing, write_atomic
from curriculum.errors import BuildError, ContentError, CurriculumError
from curriculum.hosts.static import mount_element, payload_script
from curriculum.project import SiteConfig, package_fingerprint, site_id
from curriculum.render import GeneratedPage, PayloadBuilder, html_templates, raw_html
from curriculum.site._assets import site_assets
from curriculum.site._execute import Ran, notebook_cache
from curriculum.site._navigation import pager
from curriculum.site._page import document as page_document
from curriculum.site._page_render import PageRenderer, RenderedPage
from curriculum.site._pandoc import CACHE_LIMIT, E_PANDOC
from curriculum.site._quick import MANIFEST
from curriculum.site._report import RenderStats
from curriculum.site._search import SearchPage, site_index
from curriculum.site._sources import Page, markdown_page, notebook_markdown, output_path

if TYPE_CHECKING:
    from curriculum.site._context import Step
    from curriculum.site._reference import ReferenceJob

__all__ = [
    "Render",
    "RenderStats",
    "assets",
    "convert",
    "execute",
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
        self._place = re.compile(rf"<!--curriculum-mount:{token}:(\d+)-->")

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
        Other generated files to publish (path in the site -> text), such as the progress manifest.
    refresh : bool
        Execute every notebook, whatever ``_freeze/`` and the cache hold (``--no-freeze``).
    stats : RenderStats
        What has been done.
    pages : PageRenderer | None
        Renders the pages with Pandoc (one the build started before rendering), or None for a new one.
    """

    config: SiteConfig
    out: Path
    cache: Path
    builder: PayloadBuilder
    step: Step = _still
    log: Callable[[str, str], None] = _quiet
    generated: Mapping[str, GeneratedPage] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    refresh: bool = False
    stats: RenderStats = field(default_factory=RenderStats)
    pages: PageRenderer | None = None

    def write(self, name: str, text: str) -> None:
        """Write a file of the site (only if it changed) and count it as part of this render."""
        self.stats.written += write_atomic(self.out / name, text, within=self.out)
        self.stats.files.append(name)


@dataclass
class _Source:
    """A page on its way through the stages: its Markdown and the components in it."""

    page: Page
    markdown: str
    slots: _Slots


def render_site(run: Render) -> RenderStats:
    """Render every page of ``run.config`` into ``run.out``, stage by stage.

    Returns
    -------
    RenderStats
        Counts of what was done.
    """
    sources = convert(run, execute(run))
    pages = wrap(run, sources, pandoc(run, sources))  # each page is wrapped while Pandoc renders the next
    assets(run)
    search(run, pages)
    prune(run)
    run.stats.pages = len(sources)
    return run.stats


class ReferenceAhead:
    """The API reference's pages, rendered on a thread as soon as quartodoc has written them.

    quartodoc runs in a process of its own while the content is checked and
    the pages are pre-rendered; it is done before they are, and the other core
    would wait. This thread waits for it instead, then renders its pages into
    the page cache (:class:`PageRenderer`), where the Pandoc stage finds them;
    a page both ask for at once is rendered once. It renders only when
    quartodoc ran in this build: otherwise its pages are in the cache already.

    Parameters
    ----------
    reference : ReferenceJob
        quartodoc's run.
    renderer : PageRenderer
        The build's renderer, which the Pandoc stage uses too.
    root : Path
        The project folder.
    """

    def __init__(self, reference: ReferenceJob, renderer: PageRenderer, root: Path) -> None:
        self._reference, self._renderer, self._root = reference, renderer, root
        self._waited = threading.Event()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if reference.process is None:
            self._waited.set()
            return
        self._thread = threading.Thread(target=self._run, name="reference-ahead", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Wait for quartodoc (not for its pages).

        Raises
        ------
        BuildError
            If quartodoc is not installed, fails, or runs out of time.
        """
        if self._thread is None:
            self._reference.wait()
            return
        self._waited.wait()
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        """Stop quartodoc if it still runs (a failed build), and let the thread finish."""
        self._reference.cancel()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        try:
            self._reference.wait()
        except BaseException as exc:  # handed to the build's thread, which raises it
            self._error = exc
            return
        finally:
            self._waited.set()
        token = secrets.token_hex(16)
        for path in sorted((self._root / "reference").glob("*.qmd")):
            if self._renderer.closed:
                return
            source = path.relative_to(self._root).as_posix()
            try:
                text, _ = markdown_page(self._root, source)
                self._renderer.render(source, text, _Slots(token), None, used=False)
            except CurriculumError:
                continue  # the Pandoc stage renders the page again and reports what is wrong


def execute(run: Render) -> dict[Path, Any]:
    """Execute stage: run the notebooks whose outputs are not stored; return every notebook with outputs."""
    root = run.config.root
    notebooks = [root / s for s in run.config.pages() if s.endswith(".ipynb")]
    run.step("Executing notebooks", len(notebooks))

    def done(ran: Ran) -> None:
        run.stats.notebooks[ran.path.relative_to(root).as_posix()] = ran.how
        run.step("", 1)

    cache = notebook_cache(run.config, run.cache / "executed", refresh=run.refresh)
    executed = cache.executed(notebooks, done)
    removed = cache.prune(notebooks) if run.config.profile == "resident" else 0
    hows = list(run.stats.notebooks.values())
    run.log(
        "execute",
        f"{counted(len(notebooks), 'notebook')} · {hows.count('executed')} run, "
        f"{hows.count('frozen')} frozen, {hows.count('cached')} from the cache"
        + (f" · {removed} stale frozen removed" if removed else ""),
    )
    return executed


def convert(run: Render, executed: Mapping[Path, Any]) -> dict[str, _Source]:
    """Convert stage: every page as Pandoc Markdown, each component a placeholder no text can forge."""
    root = run.config.root
    token = secrets.token_hex(16)
    overview = _overview(run)
    sources: dict[str, _Source] = {}
    for source in run.config.pages():
        slots = _Slots(token)
        if source.endswith(".ipynb"):
            text, front = notebook_markdown(executed[root / source], slots.slot, overview(source))
        else:
            text, front = markdown_page(root, source)
            page = run.generated.get(source)
            for block, kind, args in page.components if page else []:
                if block not in text:
                    raise BuildError(f"{source} was changed after the pre-render wrote it; build again")
                text = text.replace(block, slots.slot(Mount(kind, args)), 1)
        title = str(front.get("title") or Path(source).stem.replace("-", " ").capitalize())
        kind = "notebook" if source.endswith(".ipynb") else "markdown"
        sources[source] = _Source(Page(source, output_path(source), title, kind), text, slots)
    run.log("convert", f"{counted(len(sources), 'page')} to Pandoc Markdown")
    return sources


def _overview(run: Render) -> Callable[[str], Callable[[str], str]]:
    """Return, for a page, what fills in a lesson overview's reference: its HTML, from the front matter."""
    from curriculum.hosts.notebook import overview_markup

    def for_page(source: str) -> Callable[[str], str]:
        def markup(lesson_id: str) -> str:
            html = overview_markup(run.builder.curriculum, lesson_id, run.builder.profile)
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


def pandoc(run: Render, sources: Mapping[str, _Source]) -> Iterator[tuple[_Source, RenderedPage]]:
    """Pandoc stage: render each page's Markdown to HTML (citeproc, our filters), cached by its inputs.

    Yields each page with its HTML, in order, once it is rendered, so that the
    next stage works on it while Pandoc renders the next pages (on the other threads).
    """
    renderer = run.pages or PageRenderer(run.config, run.cache, run.builder.renderer.references)
    run.step("Rendering pages", len(sources))

    def one(item: _Source) -> RenderedPage:
        source = item.page.source
        return renderer.render(source, item.markdown, item.slots, run.generated.get(source))

    rendered = 0
    finished = False
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            for item, html in zip(sources.values(), pool.map(one, sources.values()), strict=True):
                rendered += html.fresh
                run.step("", 1)
                yield item, html
        finished = True
    finally:
        renderer.close(prune=finished)
    run.stats.rendered += rendered
    run.log(
        "pandoc",
        f"{counted(len(sources), 'page')} · {rendered} rendered, {len(sources) - rendered} from the cache",
    )


def wrap(
    run: Render, sources: Mapping[str, _Source], rendered: Iterable[tuple[_Source, RenderedPage]]
) -> list[SearchPage]:
    """Wrap stage: each page in the page template, with its components' payload script; then the search page.

    ``rendered`` gives the pages of ``sources`` with their HTML, as Pandoc renders them.

    Returns
    -------
    list[SearchPage]
        What the search index reads of each page: its text and its components' payloads.
    """
    config = run.config
    pages = {source: item.page for source, item in sources.items()}
    order = [pages[s] for entry in config.sidebar for s in entry.pages() if s in pages]
    footer = run.builder.renderer.inline(config.footer) if config.footer else ""
    written_before = run.stats.written
    found: list[SearchPage] = []
    built: dict[Mount, dict[str, Any]] = {}
    site = [
        config.title,
        site_id(config.root),
        config.description,
        config.profile,
        repr(config.sidebar),
        footer,
    ]
    record = _OutputRecord(
        run, "wrapped.json", [*site, [[p.source, p.output, p.title] for p in pages.values()]]
    )
    for item, out in rendered:
        page, source = item.page, item.page.source
        prev, nxt = pager(order, page)
        here = {m.dom_id: _payload(run.builder, m, source, built) for m in out.mounts}
        payload_keys = [m.payload_key(run.builder) for m in out.mounts]
        made_from = [out.entry, payload_keys] if all(payload_keys) else None
        found.append(
            SearchPage(
                page.title, page.output, page.kind == "notebook", out.body, list(here.values()), made_from
            )
        )
        if out.fresh:
            found[-1].read_ahead()
        data_file = ""
        if here:
            data_file = posixpath.splitext(posixpath.basename(page.output))[0] + ".data.js"
            data_path = posixpath.join(posixpath.dirname(page.output), data_file)
            _write_payloads(run, record, data_path, out.mounts, here)
        # Components, the progress panel and progress marks (quiz list, case library) need the script.
        interactive = bool(here) or 'class="cur-progress"' in out.body or "data-cur-record=" in out.body
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
    record.save()
    search_page = Page("search.html", "search.html", "Search", "markdown")
    body = html_templates("curriculum.site").get_template("search-body.html.j2").render()
    run.write(search_page.output, page_document(config, pages, search_page, body))
    run.log("wrap", f"{counted(len(sources) + 1, 'page')} · {run.stats.written - written_before} written")
    return found


def _write_payloads(
    run: Render, record: _OutputRecord, name: str, mounts: list[Mount], here: dict[str, dict[str, Any]]
) -> None:
    """Write a page's data script, unless the payloads it holds are those of the file already there.

    A payload taken from the memo has a key that names its inputs; a script of
    such payloads only is recognised by their keys, without encoding them again.
    """
    keys = {m.dom_id: m.payload_key(run.builder) for m in mounts}
    known = list(keys) == list(here) and all(keys.values())
    if known and record.kept(name, [list(keys), list(keys.values())]):
        return
    run.write(name, payload_script(here))
    if known:
        record.wrote(name)


class _OutputRecord:
    """What files of the site were made from, so that a file nothing changed is not made again.

    Wrapping renders the page template with the whole sidebar, and the search
    index encodes every page, so their cost grows with the site. Each entry
    names the files one key made (a page; the search index and its texts). An
    entry whose key (its inputs, with the site's navigation and the package)
    is that of the last build, and whose files are still the ones that build
    wrote (the same size and modification time, which the staging folder's
    hard links keep), is left as it is. The record lives in the profile's build
    cache.

    Parameters
    ----------
    run : Render
        The render.
    name : str
        The record's file name in the build cache.
    site : list[Any]
        What every entry depends on besides its own key.
    """

    def __init__(self, run: Render, name: str, site: list[Any]) -> None:
        self._run = run
        self._path = run.cache / name
        shared = json.dumps([package_fingerprint(), machine_key(), site], ensure_ascii=False)
        self._shared = hashlib.sha256(shared.encode()).hexdigest()  # hashed once: it names every page
        try:
            before = json.loads(read_existing(self._path, CACHE_LIMIT) or b"{}")
        except (ValueError, RecursionError):  # a damaged record is no record
            before = {}
        self._before: dict[str, Any] = before if isinstance(before, dict) else {}
        self._now: dict[str, list[Any]] = {}
        self._keys: dict[str, str] = {}

    def kept(
        self, entry: str, key: Any, files: list[str] | None = None, *, as_recorded: bool = False
    ) -> bool:
        """Return whether the files of ``entry`` are unchanged (and count them as written by this render).

        Parameters
        ----------
        entry : str
            The entry's name (a page's path in the site).
        key : Any
            What the files are made from (JSON data).
        files : list[str] | None
            The files the entry makes (default: the one named ``entry``).
        as_recorded : bool
            The files are those the record names for the entry (what they are is
            known only once they are made, as the search index's).
        """
        digest = hashlib.sha256(f"{self._shared}\0{json.dumps(key, ensure_ascii=False)}".encode()).hexdigest()
        self._keys[entry] = digest
        then = self._before.get(entry)
        if not isinstance(then, list) or not then or then[0] != digest:  # checked first: the key is ours
            return False
        if as_recorded:
            files = [str(f[0]) for f in then[1:] if isinstance(f, list) and f]
        names = files if files is not None else [entry]
        now: list[Any] = [digest, *([name, *self._stat(name)] for name in names)]
        if any(stat[1] < 0 for stat in now[1:]) or then != now:
            return False
        self._now[entry] = now
        self._run.stats.files.extend(names)
        return True

    def wrote(self, entry: str, files: list[str] | None = None) -> None:
        """Record the files of ``entry`` as just written."""
        names = files if files is not None else [entry]
        self._now[entry] = [self._keys[entry], *([name, *self._stat(name)] for name in names)]

    def save(self) -> None:
        """Write the record, if it changed."""
        if self._now != self._before:
            write_atomic(self._path, json.dumps(self._now, sort_keys=True), within=self._run.cache)

    def _stat(self, name: str) -> list[int]:
        try:
            info = (self._run.out / name).stat()
        except OSError:
            return [-1, -1]
        return [info.st_size, info.st_mtime_ns]


def assets(run: Render) -> None:
    """Assets stage: the components' and the site's scripts and styles, and the other generated files."""
    written_before = run.stats.written
    files = {**site_assets(), **run.extra}
    for name, text in files.items():
        run.write(name, text)
    run.log("assets", f"{counted(len(files), 'file')} · {run.stats.written - written_before} written")


def search(run: Render, pages: list[SearchPage]) -> None:
    """Search stage: the index of every page and the components on it (encoded again only if it changed).

    When every page says what its text is made from (its rendered body's cache
    entry, its payloads' memo keys) and that is as the last build found, the
    index is not even gathered; otherwise it is, and encoded again only if
    its sections changed.
    """
    written_before = run.stats.written
    record = _OutputRecord(run, "searched.json", [])
    made = [[p.title, p.url, p.notebook, p.made_from] for p in pages]
    known = all(p.made_from is not None for p in pages)
    if not (known and record.kept("pages", made, as_recorded=True)):
        index = site_index(pages)
        files = index.files()
        if not record.kept("search", [index.pages, index.digest(), sorted(index.names_only)], files):
            for name, text in index.scripts().items():
                run.write(name, text)
            record.wrote("search", files)
        if known:
            record.wrote("pages", files)
    record.save()
    run.log(
        "search",
        f"{counted(len(pages), 'page')} indexed · {run.stats.written - written_before} files written",
    )


def prune(run: Render) -> None:
    """Prune stage: remove what the previous build wrote and this one did not (only inside the output)."""
    manifest = run.out / MANIFEST
    try:
        previous = json.loads(read_existing(manifest, CACHE_LIMIT) or b"[]")
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
    write_atomic(manifest, json.dumps(sorted(run.stats.files), indent=0) + "\n", within=run.out)
    run.stats.removed = removed
    run.log("prune", f"{counted(removed, 'stale file')} removed")


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
