"""The embedded engine: render the site with the Pandoc from the pypandoc-binary wheel.

Stages, each logged by the build: execute notebooks (cached), convert every
page to Pandoc Markdown, render each with citeproc and our Lua filter
(cached by the hash of everything that affects the result), wrap each in the
page template, copy the assets, build the search index, and remove files a
previous build wrote that this one no longer produces. Output is
deterministic: the same sources give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from curriculum._fragment import defer_payloads
from curriculum._session import site_id
from curriculum._version import __version__
from curriculum.content._diagnostics import RULES, Severity
from curriculum.content._files import FileRefused, inside, read_existing
from curriculum.errors import BuildError, ContentError
from curriculum.render import Renderer
from curriculum.site._assets import resource, site_assets
from curriculum.site._config import SiteConfig
from curriculum.site._execute import NotebookCache, package_fingerprint
from curriculum.site._navigation import pager, relative, sidebar_html
from curriculum.site._prerender import write_if_changed
from curriculum.site._search import index_script, page_sections
from curriculum.site._sources import Page, markdown_page, notebook_markdown, output_path

__all__ = ["CSP", "PandocEngine", "RenderStats"]

E_PANDOC = RULES.add("CUR604", Severity.error, "Pandoc could not render a page.")
MANIFEST = ".curriculum-manifest.json"
PANDOC_SECONDS = (60.0, 200e-6)
"""Pandoc's time limit for a page: a base and a share per character (it reads plain text at ~3 µs each)."""
CACHE_LIMIT = 64 << 20
"""Largest cache entry or manifest read back (a page's HTML is far smaller)."""
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
"""The Content-Security-Policy of every page: nothing may load from another host."""
_SPLIT = "<!--curriculum:body-->"
_COLGROUP = re.compile(r"<colgroup>(?:[^<]++|<(?!/?colgroup>))*+</colgroup>\s*")
_STYLE_ATTRIBUTE = re.compile(r'(<[a-z][a-z0-9]*+\b[^<>]*?) style="[^"]*+"')
_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("curriculum.site", "templates"),
    autoescape=True,
    keep_trailing_newline=True,
)


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
    """

    executed: int = 0
    rendered: int = 0
    written: int = 0
    removed: int = 0
    pages: int = 0
    files: list[str] = field(default_factory=list)


class PandocEngine:
    """Render the site with the embedded Pandoc."""

    name = "pandoc"

    def available(self) -> bool:
        """Pandoc ships inside the pypandoc-binary wheel, so it is always available."""
        return True

    def version(self) -> str:
        """Return Pandoc's version."""
        import pypandoc

        return f"Pandoc {pypandoc.get_pandoc_version()}"

    def render(
        self,
        config: SiteConfig,
        out: Path,
        cache: Path,
        renderer: Renderer,
        step: Callable[[str, int], None] | None = None,
    ) -> RenderStats:
        """Render every page of ``config`` into ``out``.

        Parameters
        ----------
        config : SiteConfig
            The site's structure.
        out : Path
            The output folder.
        cache : Path
            The build cache folder.
        renderer : Renderer
            Renders authored Markdown (used for the footer).
        step : Callable[[str, int], None] | None
            Progress callback: a stage name and how many units it will take,
            then ``("", 1)`` as each unit finishes.

        Returns
        -------
        RenderStats
            Counts of what was done.
        """
        import pypandoc

        stats = RenderStats()
        pandoc = pypandoc.get_pandoc_path()
        root = config.root
        sources = config.pages()
        notebooks = [root / s for s in sources if s.endswith(".ipynb")]
        tick = step or (lambda _name, _n: None)

        tick("Executing notebooks", len(notebooks))

        def executed_one(_path: Path, ran: bool) -> None:
            stats.executed += ran
            tick("", 1)

        executed = NotebookCache(root, cache / "executed", config.profile, config.execute_timeout).executed(
            notebooks, executed_one
        )

        markdown: dict[str, str] = {}
        pages: dict[str, Page] = {}
        for source in sources:
            if source.endswith(".ipynb"):
                text, front = notebook_markdown(executed[root / source])
            else:
                text, front = markdown_page(root, source)
            title = str(front.get("title") or Path(source).stem.replace("-", " ").capitalize())
            pages[source] = Page(
                source,
                output_path(source),
                title,
                "notebook" if source.endswith(".ipynb") else "markdown",
            )
            markdown[source] = text
        order = [pages[s] for entry in config.sidebar for s in entry.pages() if s in pages]

        tick("Rendering pages", len(sources))
        bib = root / (config.bibliography or "references.bib")
        shared = hashlib.sha256(
            "\0".join(
                [
                    package_fingerprint(),
                    self.version(),
                    config.profile,
                    bib.read_text(encoding="utf-8") if bib.is_file() else "",
                ]
            ).encode()
        ).hexdigest()
        page_cache = cache / "pages"
        page_cache.mkdir(parents=True, exist_ok=True)

        def convert(source: str) -> tuple[str, str, bool]:
            text = markdown[source]
            key = hashlib.sha256(f"{shared}\0{source}\0{text}".encode()).hexdigest()[:32]
            cached = page_cache / f"{key}.json"
            hit = read_existing(cached, CACHE_LIMIT)
            if hit:
                data = json.loads(hit)
                return data["toc"], data["body"], False
            toc, body = self._pandoc(pandoc, text, source, bib, config.profile)
            write_if_changed(cached, json.dumps({"toc": toc, "body": body}), within=cache)
            return toc, body, True

        with ThreadPoolExecutor(max_workers=2) as pool:
            converted = {}
            for source, result in zip(sources, pool.map(convert, sources), strict=True):
                converted[source] = result
                stats.rendered += result[2]
                tick("", 1)

        written: list[str] = []
        footer = renderer.inline(config.footer) if config.footer else ""
        search: list[dict[str, str]] = []
        for source in sources:
            page = pages[source]
            toc, body, _ = converted[source]
            prev, nxt = pager(order, page)
            body, payloads = defer_payloads(body)
            data_file = ""
            if payloads:
                data_file = posixpath.splitext(posixpath.basename(page.output))[0] + ".data.js"
                target = posixpath.join(posixpath.dirname(page.output), data_file)
                stats.written += write_if_changed(out / target, payloads, within=out)
                written.append(target)
            interactive = bool(payloads) or 'class="cur-progress"' in body
            document = _document(
                config,
                pages,
                page,
                body,
                toc=toc,
                prev=prev,
                next=nxt,
                footer=footer,
                description=config.description,
                interactive=interactive,
                payloads=data_file,
            )
            if write_if_changed(out / page.output, document, within=out):
                stats.written += 1
            written.append(page.output)
            for anchor, heading, text in page_sections(body):
                url = page.output + (f"#{anchor}" if anchor else "")
                search.append({"page": page.title, "url": url, "heading": heading, "text": text})
        written += self._assets(out, stats)
        written.append(self._search_page(config, out, pages, order, stats))
        if write_if_changed(out / "search-index.js", index_script(search), within=out):
            stats.written += 1
        written.append("search-index.js")
        stats.removed = self._remove_stale(out, written)
        stats.pages = len(sources)
        stats.files = written
        return stats

    # ------------------------------------------------------------------ stages

    def _pandoc(self, pandoc: str, text: str, source: str, bib: Path, profile: str) -> tuple[str, str]:
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
            raise ContentError(
                [
                    E_PANDOC.at(
                        source,
                        (1, 1),
                        f"Pandoc failed: {' '.join(result.stderr.split())}",
                        "check the page's Markdown near the reported place",
                    )
                ]
            )
        toc, _, body = result.stdout.partition(_SPLIT)
        # Pandoc sizes wide tables with style attributes, which the CSP (style-src 'self') would block.
        body = _STYLE_ATTRIBUTE.sub(r"\1", _COLGROUP.sub("", body))
        return toc.strip(), body.strip()

    def _assets(self, out: Path, stats: RenderStats) -> list[str]:
        files = site_assets()
        for name, text in files.items():
            stats.written += write_if_changed(out / name, text, within=out)
        return list(files)

    def _search_page(
        self,
        config: SiteConfig,
        out: Path,
        pages: dict[str, Page],
        order: list[Page],
        stats: RenderStats,
    ) -> str:
        page = Page("search.html", "search.html", "Search", "markdown")
        body = (
            '<p class="search-page-intro">Results for your search appear below. Type in the search box '
            'at the top of any page.</p><ol class="search-page-results" aria-live="polite"></ol>'
        )
        document = _document(config, pages, page, body)
        stats.written += write_if_changed(out / "search.html", document, within=out)
        return "search.html"

    def _remove_stale(self, out: Path, written: list[str]) -> int:
        """Remove files the previous build wrote and this one did not: only ever inside ``out``."""
        manifest = out / MANIFEST
        try:
            previous = json.loads(read_existing(manifest, CACHE_LIMIT) or b"[]")
        except ValueError:
            previous = []
        removed = 0
        for name in set(previous if isinstance(previous, list) else []) - set(written):
            target = out / str(name)
            try:  # the manifest is a file in the output folder, which a repository may ship: trust no name
                inside(out, target.parent, what="the output folder")
            except FileRefused:
                continue
            if target.is_symlink() or target.is_file():
                target.unlink()
                removed += 1
        write_if_changed(manifest, json.dumps(sorted(written), indent=0) + "\n", within=out)
        return removed


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
