"""The embedded engine: render the site with the Pandoc from the pypandoc-binary wheel.

A build with this engine runs under a lock (one build of a project at a
time), stops at once when nothing it reads changed since the last successful
build (:class:`~curriculum.site._stamp.BuildStamp`), checks the content,
writes the generated pages, then renders into a staging folder that replaces
the site only when every stage has finished (``_staging.py``). The stages,
each a function that prints one line:

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
import subprocess
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from filelock import FileLock, Timeout
from markupsafe import Markup

from curriculum._version import __version__
from curriculum.components import Mount
from curriculum.content import RULES, FileRefused, Severity, inside, read_existing, write_atomic
from curriculum.errors import BuildError, ContentError
from curriculum.hosts.static import mount_element, payload_script
from curriculum.project import SiteConfig, package_fingerprint, site_id
from curriculum.render import GeneratedPage, PayloadBuilder, html_templates, raw_html
from curriculum.site._assets import resource, site_assets
from curriculum.site._execute import NotebookCache
from curriculum.site._manifest import MANIFEST_SCRIPT, manifest_script
from curriculum.site._navigation import pager, relative, sidebar_html
from curriculum.site._search import SearchPage, site_index
from curriculum.site._sources import Page, markdown_page, notebook_markdown, output_path
from curriculum.site._staging import recover, staged_output
from curriculum.site._stamp import MANIFEST, BuildStamp

if TYPE_CHECKING:
    from curriculum.site._context import BuildContext, Step

__all__ = [
    "CSP",
    "CSP_HEADER",
    "MANIFEST",
    "PandocEngine",
    "Render",
    "RenderStats",
    "render_site",
    "run_pandoc",
]

E_PANDOC = RULES.add("CUR604", Severity.error, "Pandoc could not render a page.")
PANDOC_SECONDS = (60.0, 200e-6)
"""Pandoc's time limit for a page: a base and a share per character (it reads plain text at ~3 µs each)."""
CACHE_LIMIT = 64 << 20
"""Largest cache entry or manifest read back (a page's HTML is far smaller)."""
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
"""The Content-Security-Policy of every page: nothing may load from another host."""
CSP_HEADER = f"{CSP}; frame-ancestors 'none'"
"""The same policy for a ``Content-Security-Policy`` response header (``curriculum serve``, a web server).

A header can carry what a ``<meta>`` policy cannot: ``frame-ancestors 'none'``
(no other site may show the pages in a frame). ``base-uri 'none'`` is in both.
"""
_SPLIT = "<!--curriculum:body-->"
_PANDOC_PLACE = re.compile(r"line (\d+), column (\d+)")
_COLGROUP = re.compile(r"<colgroup>(?:[^<]++|<(?!/?colgroup>))*+</colgroup>\s*")
_STYLE_ATTRIBUTE = re.compile(r'(<[a-z][a-z0-9]*+\b[^<>]*?) style="[^"]*+"')
_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("curriculum.site", "templates"),
    autoescape=True,
    keep_trailing_newline=True,
)
"""The page template's environment (Jinja's own escaping; a page ends with a newline)."""


@dataclass
class RenderStats:
    """What a render did.

    Attributes
    ----------
    executed : int
        Notebooks executed (not taken from the cache).
    rendered : int
        Pages Pandoc rendered (not taken from the cache).
    written : int
        Files written because their bytes changed.
    removed : int
        Stale files removed.
    pages : int
        Pages in the site.
    files : list[str]
        Every file the render wrote or kept, relative to the output folder.
    """

    executed: int = 0
    rendered: int = 0
    written: int = 0
    removed: int = 0
    pages: int = 0
    files: list[str] = field(default_factory=list)


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
        """Return ``text`` and its components as a stable cache key (the token left out)."""
        parts = text.split(f"<!--curriculum-mount:{self.token}:")
        return json.dumps([parts, [m.as_json() for m in self.mounts]], ensure_ascii=False)

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


class PandocEngine:
    """Render the site with the embedded Pandoc."""

    name = "pandoc"
    unavailable = "Pandoc comes inside the pypandoc-binary wheel: reinstall curriculum to get it back"

    def available(self) -> bool:
        """Pandoc ships inside the pypandoc-binary wheel, so it is always available."""
        return True

    def version(self) -> str:
        """Return Pandoc's version."""
        import pypandoc

        return f"Pandoc {pypandoc.get_pandoc_version()}"

    def render(self, build: BuildContext) -> RenderStats:
        """Build the site of ``build``, under the project's build lock.

        Raises
        ------
        ContentError
            If the content has errors, or a page cannot be rendered (located).
        BuildError
            If a stage fails.
        """
        try:
            build.project.cache.mkdir(exist_ok=True)
        except OSError as exc:
            raise BuildError(f"cannot create the build cache {build.project.cache}: {exc.strerror}") from exc
        lock = FileLock(str(build.project.cache / "build.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            build.stage("waiting", "for another build of this project to finish")
            lock.acquire()
        try:
            return self._render(build)
        finally:
            lock.release()

    def _render(self, build: BuildContext) -> RenderStats:
        try:
            recover(build.target)  # a build killed while swapping folders left the previous site aside
        except OSError as exc:
            raise BuildError(f"cannot repair {build.target} after an interrupted build: {exc}") from exc
        stamp = BuildStamp(build.project, build.profile, build.target, build.cache / "build.json")
        if stamp.unchanged():
            build.warnings = stamp.warnings
            build.stage("render", f"nothing changed since the last build · {build.seconds:.1f} s")
            return RenderStats(pages=len(build.config.pages()))
        cur = build.check()
        builder = build.builder(cur)
        generated = build.prerender(cur, builder)
        config = build.project.config(build.profile, reread=True)  # the API reference may have added pages
        with build.progress() as step, staged_output(build.target) as staging:
            run = Render(config, staging, build.cache, builder, step, build.stage, generated.pages)
            run.extra[MANIFEST_SCRIPT] = manifest_script(cur)
            stats = render_site(run)
        stamp.commit(build.warnings)
        build.stage(
            "render",
            f"{stats.pages} pages · {stats.executed} notebooks executed · {stats.rendered} pages rendered · "
            f"{stats.written} files written · {stats.removed} removed · {build.seconds:.1f} s",
        )
        return stats


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
    stats : RenderStats
        What has been done.
    """

    config: SiteConfig
    out: Path
    cache: Path
    builder: PayloadBuilder
    step: Step = _still
    log: Callable[[str, str], None] = _quiet
    generated: Mapping[str, GeneratedPage] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    stats: RenderStats = field(default_factory=RenderStats)

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
    toc: str = ""
    body: str = ""
    mounts: list[Mount] = field(default_factory=list)


def render_site(run: Render) -> RenderStats:
    """Render every page of ``run.config`` into ``run.out``, stage by stage.

    Returns
    -------
    RenderStats
        Counts of what was done.
    """
    sources = convert(run, execute(run))
    pandoc(run, sources)
    pages = wrap(run, sources)
    assets(run)
    search(run, pages)
    prune(run)
    run.stats.pages = len(sources)
    return run.stats


def execute(run: Render) -> dict[Path, Any]:
    """Execute stage: run the notebooks whose outputs are not cached; return every notebook with outputs."""
    root = run.config.root
    notebooks = [root / s for s in run.config.pages() if s.endswith(".ipynb")]
    run.step("Executing notebooks", len(notebooks))

    def done(_path: Path, ran: bool) -> None:
        run.stats.executed += ran
        run.step("", 1)

    cache = NotebookCache(root, run.cache / "executed", run.config.profile, run.config.execute_timeout)
    executed = cache.executed(notebooks, done)
    cached = len(notebooks) - run.stats.executed
    run.log(
        "execute", f"{_count(len(notebooks), 'notebook')} · {run.stats.executed} run, {cached} from the cache"
    )
    return executed


def convert(run: Render, executed: Mapping[Path, Any]) -> dict[str, _Source]:
    """Convert stage: every page as Pandoc Markdown, each component a placeholder no text can forge."""
    root = run.config.root
    token = secrets.token_hex(16)
    sources: dict[str, _Source] = {}
    for source in run.config.pages():
        slots = _Slots(token)
        if source.endswith(".ipynb"):
            text, front = notebook_markdown(executed[root / source], slots.slot)
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
    run.log("convert", f"{_count(len(sources), 'page')} to Pandoc Markdown")
    return sources


def pandoc(run: Render, sources: Mapping[str, _Source]) -> None:
    """Pandoc stage: render each page's Markdown to HTML (citeproc, our filters), cached by its inputs."""
    import pypandoc

    config = run.config
    executable = pypandoc.get_pandoc_path()
    run.step("Rendering pages", len(sources))
    bib = config.root / (config.bibliography or "references.bib")
    shared = hashlib.sha256(
        "\0".join(
            [
                package_fingerprint(),
                f"Pandoc {pypandoc.get_pandoc_version()}",
                config.profile,
                bib.read_text(encoding="utf-8") if bib.is_file() else "",
            ]
        ).encode()
    ).hexdigest()
    page_cache = run.cache / "pages"
    page_cache.mkdir(parents=True, exist_ok=True)

    def one(item: _Source) -> bool:
        source = item.page.source
        generated = run.generated.get(source)
        text_key = f"{shared}\0{source}\0{generated is not None}\0{item.slots.key(item.markdown)}"
        cached = page_cache / f"{hashlib.sha256(text_key.encode()).hexdigest()[:32]}.json"
        hit = read_existing(cached, CACHE_LIMIT)
        if hit:
            data = json.loads(hit)
            item.toc, item.body = data["toc"], data["body"]
            item.mounts = [m for m in map(Mount.from_json, data.get("mounts", [])) if m is not None]
            return False
        toc, body = run_pandoc(executable, item.markdown, source, bib, config.profile, generated)
        item.toc, (item.body, item.mounts) = toc, item.slots.fill(body)
        entry = {"toc": item.toc, "body": item.body, "mounts": [m.as_json() for m in item.mounts]}
        write_atomic(cached, json.dumps(entry), within=run.cache)
        return True

    rendered = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        for ran in pool.map(one, sources.values()):
            rendered += ran
            run.step("", 1)
    run.stats.rendered += rendered
    run.log(
        "pandoc",
        f"{_count(len(sources), 'page')} · {rendered} rendered, {len(sources) - rendered} from the cache",
    )


def wrap(run: Render, sources: Mapping[str, _Source]) -> list[SearchPage]:
    """Wrap stage: each page in the page template, with its components' payload script; then the search page.

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
    for source, item in sources.items():
        page = item.page
        prev, nxt = pager(order, page)
        here = {m.dom_id: _payload(run.builder, m, source, built) for m in item.mounts}
        found.append(
            SearchPage(page.title, page.output, page.kind == "notebook", item.body, list(here.values()))
        )
        payloads = payload_script(here)
        data_file = ""
        if payloads:
            data_file = posixpath.splitext(posixpath.basename(page.output))[0] + ".data.js"
            run.write(posixpath.join(posixpath.dirname(page.output), data_file), payloads)
        # Components, the progress panel and progress marks (quiz list, case library) need the script.
        interactive = bool(payloads) or 'class="cur-progress"' in item.body or "data-cur-record=" in item.body
        document = _document(
            config,
            pages,
            page,
            item.body,
            toc=item.toc,
            prev=prev,
            next=nxt,
            footer=footer,
            description=config.description,
            interactive=interactive,
            payloads=data_file,
        )
        run.write(page.output, document)
    search_page = Page("search.html", "search.html", "Search", "markdown")
    body = html_templates("curriculum.site").get_template("search-body.html.j2").render()
    run.write(search_page.output, _document(config, pages, search_page, body))
    run.log("wrap", f"{_count(len(sources) + 1, 'page')} · {run.stats.written - written_before} written")
    return found


def assets(run: Render) -> None:
    """Assets stage: the components' and the site's scripts and styles, and the other generated files."""
    written_before = run.stats.written
    files = {**site_assets(), **run.extra}
    for name, text in files.items():
        run.write(name, text)
    run.log("assets", f"{_count(len(files), 'file')} · {run.stats.written - written_before} written")


def search(run: Render, pages: list[SearchPage]) -> None:
    """Search stage: the search index of every page and the components on it."""
    written_before = run.stats.written
    scripts = site_index(pages).scripts()
    for name, text in scripts.items():
        run.write(name, text)
    run.log(
        "search", f"{_count(len(pages), 'page')} indexed · {run.stats.written - written_before} files written"
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
    run.log("prune", f"{_count(removed, 'stale file')} removed")


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


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


def run_pandoc(
    pandoc: str,
    text: str,
    source: str,
    bib: Path,
    profile: str,
    generated: GeneratedPage | None = None,
) -> tuple[str, str]:
    """Render one page's Markdown with Pandoc; return its table of contents and its body.

    When Pandoc fails on a generated page, the problem is located in the
    authored file the failing text comes from.

    Raises
    ------
    ContentError
        If Pandoc fails or runs out of time on the page.
    BuildError
        If Pandoc cannot be run.
    """
    reader = "markdown-implicit_figures" + ("" if source.startswith("reference/") else "-raw_html")
    args = [
        pandoc,
        "-f",
        reader,
        "-t",
        "html5",
        "-s",
        "--template",
        str(resource("split.html")),
        "--toc",
        "--toc-depth=3",
        "--wrap=none",
        "--lua-filter",
        str(resource("curriculum.lua")),
        "-M",
        f"curriculum-profile={profile}",
        "-M",
        "link-citations=true",
        "-M",
        "pagetitle=page",
    ]
    if bib.is_file():
        args += ["--citeproc", "--bibliography", str(bib)]
    if generated is not None:  # its raw HTML is sanitised by the pre-render (see safety.lua)
        args += ["-M", "curriculum-generated=true"]
    args += ["--lua-filter", str(resource("safety.lua"))]  # last: it also sees citeproc's links
    seconds = pandoc_seconds(text)
    try:
        result = subprocess.run(
            args, input=text, capture_output=True, text=True, timeout=seconds, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise ContentError(
            [
                E_PANDOC.at(
                    source,
                    (1, 1),
                    f"Pandoc did not finish this page within {seconds} s",
                    "Pandoc slows down sharply on deeply nested brackets, very long runs of backticks "
                    "or many unclosed `<`; simplify such text",
                )
            ]
        ) from exc
    except OSError as exc:
        raise BuildError(f"{source}: Pandoc did not run: {exc}") from exc
    if result.returncode != 0:
        message = " ".join(result.stderr.split())
        path, place, hint = source, (1, 1), "check the page's Markdown near the reported place"
        if generated is not None:  # the page is written by the build: name the author's file instead
            found = _PANDOC_PLACE.search(message)
            origin = generated.locate(*map(int, found.groups())) if found else None
            if origin is not None:
                (path, place), hint = origin, f"check this text, which the page {source} shows"
        raise ContentError([E_PANDOC.at(path, place, f"Pandoc failed: {message}", hint)])
    toc, _, body = result.stdout.partition(_SPLIT)
    # Pandoc sizes wide tables with style attributes, which the CSP (style-src 'self') would block.
    body = _STYLE_ATTRIBUTE.sub(r"\1", _COLGROUP.sub("", body))
    return toc.strip(), body.strip()


def pandoc_seconds(text: str) -> float:
    """Return how long Pandoc may take for a page: bounded, and proportional to its size."""
    base, per_char = PANDOC_SECONDS
    return round(base + per_char * len(text), 1)


def _document(
    config: SiteConfig,
    pages: dict[str, Page],
    page: Page,
    body: str,
    *,
    toc: str = "",
    prev: dict[str, str] | None = None,
    next: dict[str, str] | None = None,
    footer: str = "",
    description: str = "",
    interactive: bool = False,
    payloads: str = "",
) -> str:
    """Wrap a rendered page body in the site's page template."""
    rel = "../" * page.depth
    return _ENV.get_template("page.html.j2").render(
        lang="en",
        profile=config.profile,
        site=site_id(config.root),
        rel=rel,
        csp=CSP,
        version=__version__,
        title=page.title,
        site_title=config.title,
        description=description,
        subtitle=None,
        sidebar=_markup(sidebar_html(config.sidebar, pages, page)),
        body=_markup(body),
        toc=_markup(toc) if toc.strip() else "",
        prev=prev,
        next=next,
        footer=_markup(footer),
        about=_about(pages, page),
        bundle=f"{rel}assets/curriculum.js" if interactive else "",
        payloads=payloads,
    )


def _about(pages: dict[str, Page], current: Page) -> str | None:
    about = pages.get("about.qmd")
    return relative(current.output, about.output) if about else None


def _markup(text: str) -> Markup:
    return Markup(text)
