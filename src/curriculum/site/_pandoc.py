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
from html import escape
from pathlib import Path

from curriculum._memo import machine_key
from curriculum.content import E_PANDOC, read_existing, write_atomic
from curriculum.errors import BuildError, ContentError
from curriculum.render import FormattedReference, GeneratedPage
from curriculum.site._assets import resource

__all__ = [
    "CACHE_LIMIT",
    "E_PANDOC",
    "PANDOC_SECONDS",
    "PageBibliography",
    "may_cite",
    "pandoc_seconds",
    "run_pandoc",
]

PANDOC_SECONDS = (60.0, 200e-6)
"""Pandoc's time limit for a page: a base and a share per character (it reads plain text at ~3 µs each)."""
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
    """

    def __init__(
        self,
        bib: Path,
        cache: Path,
        formatted: Mapping[str, FormattedReference] | None = None,
        pandoc: str | None = None,
    ) -> None:
        self.bib, self.cache = bib, cache
        self.formatted = formatted or {}
        """Every key's formatted forms: what :meth:`forms_for` hands the pages."""
        self._pandoc = pandoc
        self._blocks: dict[str, str] | None = None
        self.text = bib.read_text(encoding="utf-8") if bib.is_file() else None
        """The file's text (None without one), read once: what the pages are keyed by and cut from."""
        self._chunks: list[tuple[str | None, str]] | None = None
        self._lock = threading.Lock()  # pages render on two threads; the file is split once
        self._used: set[str] = set()

    def for_page(self, text: str) -> Path | None:
        """Return the bibliography for a page's Markdown, or None when the page cannot cite."""
        if self.text is None or not may_cite(text):
            return None
        chunks = self._split()
        keys = _keys_in(text)
        chosen = "".join(chunk for key, chunk in chunks if key is None or key in keys)
        if "@{" in text or "@*" in text or _CROSSREF.search(chosen):
            return self.bib
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


def run_pandoc(
    pandoc: str,
    text: str,
    source: str,
    bib: Path | None,
    profile: str,
    generated: GeneratedPage | None = None,
    forms: Path | None = None,
) -> tuple[str, str]:
    """Render one page's Markdown with Pandoc; return its table of contents and its body.

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
        # The site styles code as plain text; highlighting would only add spans, line anchors
        # and, for a language named by an alias (sh, js, text), half a second of Pandoc's time.
        "--syntax-highlighting=none",
        "--lua-filter",
        str(resource("curriculum.lua")),
        "-M",
        f"curriculum-profile={profile}",
        "-M",
        "link-citations=true",
        "-M",
        "pagetitle=page",
    ]
    if bib is not None and forms is not None:
        args += ["--bibliography", str(bib), "--lua-filter", str(resource("citations.lua"))]
        args += ["-M", f"curriculum-citations={forms}"]
    elif bib is not None:
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
