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
import secrets
import subprocess
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from curriculum._version import __version__
from curriculum.components import Mount
from curriculum.content._diagnostics import RULES, Severity
from curriculum.content._files import FileRefused, inside, read_existing
from curriculum.errors import BuildError, ContentError
from curriculum.hosts.session import site_id
from curriculum.hosts.static import mount_element, payload_script
from curriculum.render import PayloadBuilder
from curriculum.site._assets import resource, site_assets
from curriculum.site._config import SiteConfig
from curriculum.site._execute import NotebookCache, package_fingerprint
from curriculum.site._navigation import pager, relative, sidebar_html
from curriculum.site._prerender import GeneratedPage, write_if_changed
from curriculum.site._search import SearchPage, site_index
from curriculum.site._sources import Page, markdown_page, notebook_markdown, output_path, raw_html

__all__ = ["CSP", "CSP_HEADER", "PandocEngine", "RenderStats"]

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
        builder: PayloadBuilder,
        step: Callable[[str, int], None] | None = None,
        generated: Mapping[str, GeneratedPage] | None = None,
        extra: Mapping[str, str] | None = None,
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
        builder : PayloadBuilder
            Builds the components' payloads from the content; its renderer
            renders authored Markdown (the footer).
        step : Callable[[str, int], None] | None
            Progress callback: a stage name and how many units it will take,
            then ``("", 1)`` as each unit finishes.
        generated : Mapping[str, GeneratedPage] | None
            The pre-render's quiz and case pages, by source path: the
            components they show, and where their text comes from.
        extra : Mapping[str, str] | None
            Other generated files to publish (path in the site -> text), such as
            the progress manifest.

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

        generated = generated or {}
        token = secrets.token_hex(16)
        markdown: dict[str, str] = {}
        slots: dict[str, _Slots] = {}
        pages: dict[str, Page] = {}
        for source in sources:
            slots[source] = shown = _Slots(token)
            if source.endswith(".ipynb"):
                text, front = notebook_markdown(executed[root / source], shown.slot)
            else:
                text, front = markdown_page(root, source)
                for block, mount in generated[source].mounts if source in generated else []:
                    if block not in text:
                        raise BuildError(f"{source} was changed after the pre-render wrote it; build again")
                    text = text.replace(block, shown.slot(mount), 1)
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

        def convert(source: str) -> tuple[str, str, list[Mount], bool]:
            text = markdown[source]
            page = generated.get(source)
            text_key = f"{shared}\0{source}\0{page is not None}\0{slots[source].key(text)}"
            key = hashlib.sha256(text_key.encode()).hexdigest()[:32]
            cached = page_cache / f"{key}.json"
            hit = read_existing(cached, CACHE_LIMIT)
            if hit:
                data = json.loads(hit)
                mounts = [m for m in map(Mount.from_json, data.get("mounts", [])) if m is not None]
                return data["toc"], data["body"], mounts, False
            toc, body = self._pandoc(pandoc, text, source, bib, config.profile, page)
            body, mounts = slots[source].fill(body)
            entry = {"toc": toc, "body": body, "mounts": [m.as_json() for m in mounts]}
            write_if_changed(cached, json.dumps(entry), within=cache)
            return toc, body, mounts, True

        with ThreadPoolExecutor(max_workers=2) as pool:
            converted = {}
            for source, result in zip(sources, pool.map(convert, sources), strict=True):
                converted[source] = result
                stats.rendered += result[3]
                tick("", 1)

        written: list[str] = []
        footer = builder.renderer.inline(config.footer) if config.footer else ""
        search: list[SearchPage] = []
        built: dict[Mount, dict[str, Any]] = {}
        for source in sources:
            page = pages[source]
            toc, body, mounts, _ = converted[source]
            prev, nxt = pager(order, page)
            built_here = {m.dom_id: self._payload(builder, m, source, built) for m in mounts}
            notebook = page.kind == "notebook"
            search.append(SearchPage(page.title, page.output, notebook, body, list(built_here.values())))
            payloads = payload_script(built_here)
            data_file = ""
            if payloads:
                data_file = posixpath.splitext(posixpath.basename(page.output))[0] + ".data.js"
                target = posixpath.join(posixpath.dirname(page.output), data_file)
                stats.written += write_if_changed(out / target, payloads, within=out)
                written.append(target)
            # Components, the progress panel and progress marks (quiz list, case library) need the script.
            interactive = bool(payloads) or 'class="cur-progress"' in body or "data-cur-record=" in body
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
        written += self._assets(out, stats)
        for name, text in {**(extra or {}), **site_index(search).scripts()}.items():
            stats.written += write_if_changed(out / name, text, within=out)
            written.append(name)
        written.append(self._search_page(config, out, pages, order, stats))
        stats.removed = self._remove_stale(out, written)
        stats.pages = len(sources)
        stats.files = written
        return stats

    # ------------------------------------------------------------------ stages

    @staticmethod
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

    def _pandoc(
        self,
        pandoc: str,
        text: str,
        source: str,
        bib: Path,
        profile: str,
        generated: GeneratedPage | None = None,
    ) -> tuple[str, str]:
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
