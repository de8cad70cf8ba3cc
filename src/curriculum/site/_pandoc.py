"""Pandoc itself: one page's Markdown to HTML, with citeproc and our Lua filters, in bounded time.

When Pandoc fails on a page the build generated, the problem is located in
the authored file the failing text comes from (:meth:`~curriculum.render.GeneratedPage.locate`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import subprocess
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curriculum._memo import machine_key
from curriculum.content import E_PANDOC, read_existing, write_atomic
from curriculum.errors import BuildError, ContentError
from curriculum.render import FormattedReference, GeneratedPage
from curriculum.site._assets import resource

if TYPE_CHECKING:
    from curriculum.site._page_worker import PageWorker

__all__ = [
    "CACHE_LIMIT",
    "CITEPROC",
    "E_PANDOC",
    "PANDOC_RTS",
    "PANDOC_SECONDS",
    "PageBibliography",
    "PagePipeline",
    "may_cite",
    "page_pipeline",
    "pandoc_seconds",
    "run_pandoc",
]

PANDOC_SECONDS = (60.0, 200e-6)
"""Pandoc's time limit for a page: a base and a share per character (it reads plain text at ~3 µs each)."""
PANDOC_RTS = ("+RTS", "-A8m", "-H24m", "-RTS")
"""Pandoc's memory settings for a page. The wheel's Pandoc starts with a 64 MB heap (``-H64m``),
which every run touches page by page: for pages that keep less than a megabyte live, a
24 MB heap makes a site's Pandoc runs a tenth faster (a lesson page a fifth)."""
CACHE_LIMIT = 64 << 20
"""Largest cache entry or manifest read back (a page's HTML is far smaller)."""
_SPLIT = "<!--curriculum:body-->"
_KEY = re.compile(r"@(\w[\w:.#$%&\-+?<>~/]*)")
"""What may be a citation key after an ``@`` (Pandoc's rule: a letter of any script, digit or ``_`` first)."""
_TRAILING = ":.#$%&-+?<>~/"
_BIB_START = re.compile(r"^[ \t]*@", re.MULTILINE)
_BIB_ENTRY = re.compile(r"@([A-Za-z]+)[ \t]*[{(][ \t]*([^,\s{}()]+)[ \t]*,")
"""An entry's start: its type and key (the same rule as :func:`curriculum.content.read_bibliography`)."""
_NOT_ENTRIES = {"comment", "string", "preamble"}
_CROSSREF = re.compile(r"\b(?:crossref|xdata)[ \t]*=", re.IGNORECASE)
"""A field by which an entry takes fields from another (which the page may not cite)."""
_PANDOC_PLACE = re.compile(r"line (\d+), column (\d+)")
_COLGROUP = re.compile(r"<colgroup>(?:[^<]++|<(?!/?colgroup>))*+</colgroup>\s*")
_STYLE_ATTRIBUTE = re.compile(r'(<[a-z][a-z0-9]*+\b[^<>]*?) style="[^"]*+"')


class PageBibliography:
    """The bibliography each page hands to citeproc: only the entries it can cite.

    citeproc reads its whole bibliography on every run, which for a few hundred
    entries is a third of the time Pandoc spends on a page that cites. Each
    page gets a BibTeX file of the entries whose keys follow an ``@`` in its
    Markdown, in the file's order, with every ``@string``, ``@preamble`` and
    comment kept (a small content-addressed file in the build cache).
    citeproc formats only the entries a page cites, so the page's HTML is the
    same as with the whole file. A page with a braced key (``@{...}``), a
    ``nocite`` of everything or a ``crossref`` or ``xdata`` gets the whole file.

    Citations are written by ``citations.lua`` from the forms the site's one
    citeproc run over the whole bibliography gave each work (``formatted``),
    the forms the components and reference pages show: each page gets them
    in a small JSON file (:meth:`forms_for`), and a page with a citation they
    cannot write (a locator, a prefix) is handed to citeproc by the filter.

    Parameters
    ----------
    bib : Path
        The project's bibliography (BibTeX); it may not exist.
    cache : Path
        The folder for the pages' subsets.
    formatted : Mapping[str, FormattedReference] | None
        Every key's formatted forms (:func:`curriculum.site.format_references`);
        without them citeproc formats every page that cites.
    pandoc : str | None
        Pandoc, to read the entries' HTML into its own document form once for
        every page (kept in ``cache``); without it each page reads the HTML
        of its entries itself.
    text : str | None
        The bibliography's text ``formatted`` was formatted from (None: there
        is none), which the pages are cut from and keyed by: a file saved
        since then changes neither.
    """

    def __init__(
        self,
        bib: Path,
        cache: Path,
        formatted: Mapping[str, FormattedReference] | None = None,
        pandoc: str | None = None,
        *,
        text: str | None,
    ) -> None:
        self.bib, self.cache = bib, cache
        self.formatted = formatted or {}
        """Every key's formatted forms: what :meth:`forms_for` hands the pages."""
        self._pandoc = pandoc
        self._blocks: dict[str, str] | None = None
        self.text = text
        """The bibliography's text (None without one): what the pages are keyed by and cut from."""
        self._chunks: list[tuple[str | None, str]] | None = None
        self._lock = threading.Lock()  # pages render on two threads; the file is split once
        self._used: set[str] = set()

    def current(self, formatted: Mapping[str, FormattedReference] | None, text: str | None) -> bool:
        """Whether this was made with ``formatted``, formatted from the bibliography's ``text`` (None: none).

        A renderer made before the content was loaded is used by the build
        only if it renders the pages from the bibliography the check read.
        The file itself is not read: saved since, it changes neither.
        """
        return self.formatted == (formatted or {}) and self.text == text

    def for_page(self, text: str) -> Path | None:
        """Return the bibliography for a page's Markdown, or None when the page cannot cite."""
        if self.text is None or not may_cite(text):
            return None
        chunks = self._split()
        keys = _keys_in(text)
        chosen = "".join(chunk for key, chunk in chunks if key is None or key in keys)
        if "@{" in text or "@*" in text or _CROSSREF.search(chosen):
            chosen = self.text  # the whole text, not the file: it may have been saved since
        return self._write(chosen, ".bib")

    def forms_for(self, text: str) -> Path | None:
        """Return the formatted forms of the works a page's Markdown may cite, for ``citations.lua``.

        The file is a JSON list, in citeproc's order, of ``[key, author, year,
        entry HTML, group, entry]`` (see :class:`~curriculum.render.FormattedReference`),
        where ``entry`` is the HTML read by Pandoc, as its JSON document form
        (a div), or null; None when the page cannot cite or no forms were given.
        """
        if not self.formatted or not may_cite(text):
            return None
        found = sorted(
            (ref for key in _keys_in(text) if (ref := self.formatted.get(key))), key=lambda r: r.rank
        )
        blocks = self._entry_blocks()
        rows = [[ref.key, ref.author, ref.year, ref.html, ref.group, blocks.get(ref.key)] for ref in found]
        return self._write(json.dumps(rows, ensure_ascii=False), ".json")

    def _entry_blocks(self) -> dict[str, str]:
        """Return each entry's HTML as Pandoc's JSON form of a div, read by one Pandoc run (kept on disk).

        Reading HTML was a tenth of Pandoc's time on a page that cites; its
        JSON form is read at once. Empty without Pandoc or when it fails (the
        pages then read the HTML).
        """
        with self._lock:
            if self._blocks is None:
                self._blocks = self._read_entries() if self._pandoc and self.formatted else {}
            return self._blocks

    def _read_entries(self) -> dict[str, str]:
        assert self._pandoc is not None
        refs = sorted(self.formatted.values(), key=lambda r: r.key)
        html = "".join(f'<div id="ref-{escape(r.key)}">{r.html}</div>' for r in refs)
        # The computer's key: a file planted in a repository's cache folder matches no name.
        stamp = f"{machine_key()}\0{self._pandoc}:{Path(self._pandoc).stat().st_mtime_ns}\0{html}"
        name = f"entries-{hashlib.sha256(stamp.encode()).hexdigest()[:32]}.json"
        self._used.add(name)
        try:
            kept = json.loads(read_existing(self.cache / name, CACHE_LIMIT) or b"null")
        except (ValueError, RecursionError):
            kept = None
        if isinstance(kept, dict) and all(isinstance(v, str) for v in kept.values()):
            return kept
        try:
            result = subprocess.run(
                [self._pandoc, "-f", "html", "-t", "json"],
                input=html,
                capture_output=True,
                text=True,
                timeout=pandoc_seconds(html),
                check=False,
            )
            document = json.loads(result.stdout) if result.returncode == 0 else {}
        except (OSError, subprocess.TimeoutExpired, ValueError):
            return {}
        blocks = {}
        for div in document.get("blocks", []) if isinstance(document, dict) else []:
            if isinstance(div, dict) and div.get("t") == "Div":
                key = str(div["c"][0][0]).removeprefix("ref-")
                blocks[key] = json.dumps({"t": "Div", "c": [["", [], []], div["c"][1]]}, ensure_ascii=False)
        write_atomic(self.cache / name, json.dumps(blocks, ensure_ascii=False), within=self.cache)
        return blocks

    def _write(self, text: str, suffix: str) -> Path:
        path = self.cache / f"{hashlib.sha256(text.encode()).hexdigest()[:32]}{suffix}"
        write_atomic(path, text, within=self.cache)  # a file already there is trusted only if it holds this
        with self._lock:
            self._used.add(path.name)
        return path

    def prune(self) -> None:
        """Remove the files no page of this build asked for (earlier versions of the pages or the file)."""
        if self.cache.is_dir():
            for old in [*self.cache.glob("*.bib"), *self.cache.glob("*.json")]:
                if old.name not in self._used:
                    old.unlink(missing_ok=True)

    def _split(self) -> list[tuple[str | None, str]]:
        """Return the file as (key, text) chunks, one per entry; other chunks have no key."""
        with self._lock:
            if self._chunks is None:
                text = self.text or ""
                starts = {m.start(): m.end() - 1 for m in _BIB_START.finditer(text)}  # line -> its @
                bounds = [0, *starts, len(text)]
                chunks = []
                for a, b in itertools.pairwise(bounds):
                    if a == b:
                        continue
                    found = _BIB_ENTRY.match(text, starts[a]) if a in starts else None
                    entry = found is not None and found.group(1).lower() not in _NOT_ENTRIES
                    chunks.append((found.group(2) if found and entry else None, text[a:b]))
                self._chunks = chunks
            return self._chunks


CITEPROC = "citeproc"
"""A step of :attr:`PagePipeline.filters` that is citeproc itself, not a Lua filter."""


@dataclass(frozen=True)
class PagePipeline:
    """How Pandoc renders one page: what reads it, the metadata it gets and the filters it passes.

    One description serves the two ways a page is rendered: a Pandoc process of
    its own (:meth:`args`) and a worker that renders page after page
    (:meth:`job`, read by ``pages.lua``). Both write the HTML with the
    ``split.html`` template, a table of contents three levels deep, no line
    wrapping and no syntax highlighting.

    Attributes
    ----------
    reader : str
        Pandoc's input format, with its extensions.
    meta : tuple[tuple[str, str | bool], ...]
        The metadata set as ``-M`` sets it (over the page's own).
    bibliography : str | None
        The bibliography citeproc reads.
    filters : tuple[str, ...]
        The Lua filters' paths, in order, with :data:`CITEPROC` where citeproc runs.
    """

    reader: str
    meta: tuple[tuple[str, str | bool], ...]
    bibliography: str | None
    filters: tuple[str, ...]

    def args(self, pandoc: str) -> list[str]:
        """Return the command that renders the page, reading its Markdown from standard input."""
        args = [pandoc, "-f", self.reader, "-t", "html5", "-s", "--template", str(resource("split.html"))]
        # The site styles code as plain text; highlighting would only add spans, line anchors
        # and, for a language named by an alias (sh, js, text), half a second of Pandoc's time.
        args += ["--toc", "--toc-depth=3", "--wrap=none", "--syntax-highlighting=none"]
        for key, value in self.meta:
            args += ["-M", f"{key}={'true' if value is True else value}"]
        if self.bibliography is not None:
            args += ["--bibliography", self.bibliography]
        for step in self.filters:
            args += ["--citeproc"] if step == CITEPROC else ["--lua-filter", step]
        return [*args, *PANDOC_RTS]

    def job(self, text: str) -> dict[str, Any]:
        """Return the job ``pages.lua`` renders the page from."""
        meta: dict[str, str | bool] = dict(self.meta)
        if self.bibliography is not None:
            meta["bibliography"] = self.bibliography
        return {"text": text, "reader": self.reader, "meta": meta, "filters": list(self.filters)}


def page_pipeline(
    source: str, bib: Path | None, profile: str, generated: bool = False, forms: Path | None = None
) -> PagePipeline:
    """Return how Pandoc renders the page ``source`` (see :func:`run_pandoc` for the arguments).

    Raw HTML is read only on the API reference's pages (quartodoc writes it);
    the pre-render sanitises that of the pages it generates (see ``safety.lua``).
    """
    reader = "markdown-implicit_figures" + ("" if source.startswith("reference/") else "-raw_html")
    meta: list[tuple[str, str | bool]] = [
        ("curriculum-profile", profile),
        ("link-citations", True),
        ("pagetitle", "page"),
    ]
    filters = [str(resource("curriculum.lua"))]
    if bib is not None and forms is not None:
        meta.append(("curriculum-citations", str(forms)))
        filters.append(str(resource("citations.lua")))
    elif bib is not None:
        filters.append(CITEPROC)
    if generated:
        meta.append(("curriculum-generated", True))
    filters.append(str(resource("safety.lua")))  # last: it also sees citeproc's links
    return PagePipeline(reader, tuple(meta), None if bib is None else str(bib), tuple(filters))


def run_pandoc(
    pandoc: str,
    text: str,
    source: str,
    bib: Path | None,
    profile: str,
    generated: GeneratedPage | None = None,
    forms: Path | None = None,
    *,
    worker: PageWorker | None = None,
) -> tuple[str, str]:
    """Render one page's Markdown with Pandoc; return its table of contents and its body.

    The page is rendered by ``worker`` (see :mod:`curriculum.site._page_worker`)
    when one is given and it can; else, or when Pandoc fails on the page, by
    a Pandoc process of its own, whose error is the one reported.

    When Pandoc fails on a generated page, the problem is located in the
    authored file the failing text comes from. ``bib`` is the bibliography
    citeproc reads (see :class:`PageBibliography`); without one, the page is
    rendered without citeproc. ``forms`` are the formatted forms of the works
    the page may cite (:meth:`PageBibliography.forms_for`): with them
    ``citations.lua`` writes the citations, and hands the page to citeproc
    only for a citation they cannot write.

    Raises
    ------
    ContentError
        If Pandoc fails or runs out of time on the page.
    BuildError
        If Pandoc cannot be run.
    """
    pipeline = page_pipeline(source, bib, profile, generated is not None, forms)
    seconds = pandoc_seconds(text)
    if worker is not None:
        try:
            html = worker.render(text, pipeline, seconds)
        except subprocess.TimeoutExpired as exc:
            raise _timed_out(source, seconds) from exc
        if html is not None:
            return _page_parts(html)
    args = pipeline.args(pandoc)
    try:
        result = subprocess.run(
            args, input=text, capture_output=True, text=True, timeout=seconds, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise _timed_out(source, seconds) from exc
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
    return _page_parts(result.stdout)


def _timed_out(source: str, seconds: float) -> ContentError:
    """Return the error of a page Pandoc did not finish within ``seconds``."""
    return ContentError(
        [
            E_PANDOC.at(
                source,
                (1, 1),
                f"Pandoc did not finish this page within {seconds} s",
                "Pandoc slows down sharply on deeply nested brackets, very long runs of backticks "
                "or many unclosed `<`; simplify such text",
            )
        ]
    )


def _page_parts(html: str) -> tuple[str, str]:
    """Return the table of contents and the body of what Pandoc wrote with ``split.html``."""
    toc, _, body = html.partition(_SPLIT)
    # Pandoc sizes wide tables with style attributes, which the CSP (style-src 'self') would block.
    body = _STYLE_ATTRIBUTE.sub(r"\1", _COLGROUP.sub("", body))
    return toc.strip(), body.strip()


def _keys_in(text: str) -> set[str]:
    """Return what may be a citation key in a page's Markdown (each word after an ``@``)."""
    return {m.group(1).rstrip(_TRAILING) for m in _KEY.finditer(text)}


def may_cite(text: str) -> bool:
    """Return whether a page's Markdown can hold a citation (or a ``nocite``): whether it has an ``@``.

    citeproc reads the style, the locale and the whole bibliography on every
    run, which is nine tenths of Pandoc's time on a page; a page without an
    ``@`` cannot cite, and renders to the same HTML without it.
    """
    return "@" in text


def pandoc_seconds(text: str) -> float:
    """Return how long Pandoc may take for a page: bounded, and proportional to its size."""
    base, per_char = PANDOC_SECONDS
    return round(base + per_char * len(text), 1)
