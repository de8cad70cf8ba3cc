"""Checks of a built site that several tests share: links, anchors, titles and outside loads."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class Page(HTMLParser):
    """What the checks need from one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.loads: list[str] = []
        self.lang: str | None = None
        self.h1 = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "html":
            self.lang = a.get("lang")
            # the components' script and payloads, which site.js loads after the text
            self.loads += [v for k in ("data-bundle", "data-payloads") if (v := a.get(k))]
        if tag == "h1":
            self.h1 += 1
        if tag == "title":
            self._in_title = True
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        for attr in ("src", "srcset", "data", "poster"):
            if a.get(attr):
                self.loads.append(a[attr] or "")
        if tag == "link" and a.get("href"):
            self.loads.append(a["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def pages(out: Path) -> dict[str, Page]:
    return {p.relative_to(out).as_posix(): parse(p) for p in sorted(out.rglob("*.html"))}


def is_external(url: str) -> bool:
    scheme = urlsplit(url).scheme
    return scheme not in ("", "data") or url.startswith("//")


def broken_links(out: Path) -> list[str]:
    """Every internal link or load whose file or anchor does not exist."""
    site = pages(out)
    problems = []
    for name, page in site.items():
        for url in page.links + page.loads:
            if is_external(url) or url.startswith(("mailto:", "data:")):
                continue
            parts = urlsplit(url)
            target = (
                posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(parts.path)))
                if parts.path
                else name
            )
            if not (out / target).is_file():
                problems.append(f"{name}: {url} -> missing file {target}")
                continue
            if parts.fragment and target.endswith(".html"):
                ids = site[target].ids
                if parts.fragment not in ids:
                    problems.append(f"{name}: {url} -> missing anchor #{parts.fragment}")
    return problems


def outside_loads(out: Path) -> list[str]:
    """Every resource a page would load from another host."""
    return [f"{name}: {url}" for name, page in pages(out).items() for url in page.loads if is_external(url)]
