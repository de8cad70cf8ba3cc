"""Bytes a browser downloads to show one page: the HTML plus the CSS and JS it loads.

Sizes are uncompressed bytes; ``gzip`` also gives what a compressing server
would send (informational). Followed: ``<link rel=stylesheet href>``,
``<link rel=preload|modulepreload as=script|style>``, ``<script src>``, and
``@import`` inside the stylesheets found. Each file is
counted once per page. Not counted: images, fonts, source maps, and anything
fetched later by script (our search index is such a file; it is reported on
its own). Our pages name on ``<html>`` the components' script and payloads
that ``site.js`` loads right after the text (``data-bundle``,
``data-payloads``): those are measured as ``deferred``, and ``total_all``
adds them, so both what a reader waits for and everything the page will
download are reported. A file on another host cannot be sized without the network, so it is
listed under ``external`` instead; URLs of scripts that page code may load
later from another host (for example Thebe from unpkg.com) are listed under
``external_on_demand``.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

SEARCH_INDEX_NAMES = ("search-index.js", "searchindex.js", "search.json")
_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)""")
_REMOTE_ASSET = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}/[^\s"'`<>()\\]*\.(?:m?js|css)\b""")


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str]] = []
        self.deferred: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.deferred += [a[k] for k in ("data-payloads", "data-bundle") if a.get(k)]
        if tag == "link":
            rel = a.get("rel", "").lower().split()
            if "stylesheet" in rel and a.get("href"):
                self.refs.append(("css", a["href"]))
            elif {"preload", "modulepreload"} & set(rel) and a.get("as") in ("script", "style"):
                self.refs.append(("js" if a["as"] == "script" else "css", a.get("href", "")))
        elif tag == "script":
            if a.get("src"):
                self.refs.append(("js", a["src"]))
            elif a.get("type", "text/javascript") in (
                "",
                "text/javascript",
                "module",
                "application/javascript",
            ):
                self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline.append(data)


@dataclass
class PageWeight:
    """What one page costs to load."""

    page: str
    html: int
    css: int = 0
    js: int = 0
    files: dict[str, int] = field(default_factory=dict)
    external: list[str] = field(default_factory=list)
    external_on_demand: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    search_index_loaded: str | None = None
    search_index_bytes: int = 0
    gzip: int = 0
    deferred: int = 0
    deferred_gzip: int = 0
    deferred_files: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """HTML + CSS + JS bytes."""
        return self.html + self.css + self.js

    @property
    def total_all(self) -> int:
        """The page with everything it loads after the text (the interactive parts)."""
        return self.total + self.deferred

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "page": self.page,
            "total": self.total,
            "total_gzip": self.gzip,
            "deferred": self.deferred,
            "deferred_files": self.deferred_files,
            "total_all": self.total_all,
            "total_all_gzip": self.gzip + self.deferred_gzip,
            "html": self.html,
            "css": self.css,
            "js": self.js,
            "files": self.files,
            "external": self.external,
            "external_on_demand": self.external_on_demand,
            "missing": self.missing,
            "search_index_loaded_by_page": self.search_index_loaded,
            "search_index_bytes_counted": self.search_index_bytes,
        }


def _gzipped(data: bytes) -> int:
    """Bytes on the wire from a server that compresses (gzip level 6, a common default)."""
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def _local(href: str, base: Path, site: Path) -> Path | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("//"):
        return None
    path = unquote(parts.path)
    target = (site / path.lstrip("/")) if path.startswith("/") else (base / path)
    return target.resolve()


def page_weight(page: Path, site: Path) -> PageWeight:
    """Measure ``page`` (an HTML file inside the built ``site`` folder)."""
    site = site.resolve()
    page = page.resolve()
    text = page.read_text(encoding="utf-8")
    parser = _Refs()
    parser.feed(text)
    parser.close()
    weight = PageWeight(page.relative_to(site).as_posix(), len(text.encode("utf-8")))
    weight.gzip = _gzipped(text.encode("utf-8"))
    seen: set[Path] = set()
    queue = [(kind, href, page.parent) for kind, href in parser.refs]
    scripts = list(parser.inline)
    while queue:
        kind, href, base = queue.pop(0)
        target = _local(href, base, site)
        if target is None:
            if href not in weight.external:
                weight.external.append(href)
            continue
        if target in seen:
            continue
        seen.add(target)
        if not target.is_file() or site not in target.parents:
            weight.missing.append(href)
            continue
        size = target.stat().st_size
        weight.gzip += _gzipped(target.read_bytes())
        name = target.relative_to(site).as_posix()
        weight.files[name] = size
        if kind == "css":
            weight.css += size
            css = target.read_text(encoding="utf-8", errors="replace")
            queue += [("css", ref, target.parent) for ref in _IMPORT.findall(css)]
        else:
            weight.js += size
            scripts.append(target.read_text(encoding="utf-8", errors="replace"))
        if target.name in SEARCH_INDEX_NAMES:
            weight.search_index_loaded = name
            weight.search_index_bytes = size
    for href in parser.deferred:
        target = _local(href, page.parent, site)
        if target is None or not target.is_file():
            weight.missing.append(href)
            continue
        if target in seen:
            continue
        seen.add(target)
        data = target.read_bytes()
        weight.deferred += len(data)
        weight.deferred_gzip += _gzipped(data)
        weight.deferred_files[target.relative_to(site).as_posix()] = len(data)
    for script in scripts:
        for url in _REMOTE_ASSET.findall(script):
            if url not in weight.external and url not in weight.external_on_demand:
                weight.external_on_demand.append(url)
    return weight
