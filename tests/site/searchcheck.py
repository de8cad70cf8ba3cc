"""Read a built site's search index back, and rank a query as site.js should.

The index file holds no text; each page's section texts are in ``search/<n>.js``.
``entries`` joins them into one record per section; ``expected`` is a plain
Python statement of the ranking site.js implements (every term in the page's
title, the section's heading or a word of its text; 8, 4 and 1 points; ties
go to lessons first, then in site order), so a browser test can compare the
two.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curriculum.site._search import STOP_WORDS, normalise, slug
from curriculum.site._search_parts import _heads_text, _signed_text


@dataclass
class Entry:
    """One indexed section."""

    id: int
    page: str
    url: str
    heading: str
    text: str
    rank: int
    text_indexed: bool

    @property
    def haystack(self) -> str:
        return normalise(f"{self.page} {self.heading} {self.text}")


def _value(script: str, after: str = " = ") -> Any:
    return json.loads(script.split(after, 1)[1].strip().rstrip(";"))


def index_data(out: Path) -> dict[str, Any]:
    return dict(_value((out / "search-index.js").read_text(encoding="utf-8")))


def entries(out: Path) -> list[Entry]:
    data = index_data(out)
    found, n = [], 0
    for p, (title, path, rank, count) in enumerate(data["pages"]):
        url = f"{path}.html"  # the index leaves out what every page's path ends in
        texts = _value((out / "search" / f"{p}.js").read_text(encoding="utf-8"), f"[{p}] = ")
        headings = data["headings"].split("\n")
        for k in range(count):
            heading = headings[n]
            anchor = data["anchors"].get(str(n), slug(heading) if heading else "")
            found.append(
                Entry(
                    n,
                    title,
                    url + (f"#{anchor}" if anchor else ""),
                    heading,
                    texts[k],
                    rank,
                    not url.startswith("reference/"),
                )
            )
            n += 1
    return found


_TOKEN = re.compile(r"[^\W_]+")


def expected(out: Path, query: str) -> list[str]:
    """The result URLs site.js should list for ``query``, best first."""
    terms = [t for t in normalise(query).split() if len(t) > 1]
    scored = []
    for e in entries(out):
        words = {w for w in _TOKEN.findall(normalise(e.text)) if len(w) > 1 and w not in STOP_WORDS}
        score, ok = 0, True
        for t in terms:
            tokens = [w for w in _TOKEN.findall(t) if len(w) > 1]
            meaningful = [w for w in tokens if w not in STOP_WORDS]
            found = False
            if t in normalise(e.page):
                score, found = score + 8, True
            if t in normalise(e.heading):
                score, found = score + 4, True
            if tokens and not meaningful:
                found = True
            elif e.text_indexed and meaningful and all(any(m in w for w in words) for m in meaningful):
                score, found = score + 1, True
            ok = ok and found
        if ok and terms:
            scored.append((-score, e.rank, e.id, e.url))
    return [url for *_, url in sorted(scored)]


def signed_parts(record: dict[str, Any]) -> str:
    """Return the text of a search-parts record's file holding ``record`` (its ``heads`` and the rest).

    Signed as the build signs it: a test that changes a record this way
    changes it as only the build's own code could.
    """
    rest = {key: value for key, value in record.items() if key != "heads"}
    return _signed_text(_heads_text(record.get("heads")), json.dumps(rest, sort_keys=True))
