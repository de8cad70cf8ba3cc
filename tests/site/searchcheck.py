"""Read a built site's search index back, and rank a query as site.js should.

The index file holds no text; each page's section texts are in ``search/<n>.js``.
``entries`` joins them into one record per section; ``expected`` is a plain
Python statement of the ranking site.js implements (every term in the page's
title, the section's heading or a word of its text; 8, 4 and 1 points; ties
go to lessons first, then in site order), so a browser test can compare the
two.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curriculum.site._record_file import RecordFile, seal
from curriculum.site._search import STOP_WORDS, IndexHeads, normalise, slug
from curriculum.site._search_parts import HEADS_FILE, _heads_text


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


def write_parts(path: Path, record: dict[str, Any]) -> None:
    """Write a search-parts record holding ``record``: its ``shared``, ``index`` name, ``pages``, ``heads``.

    Sealed as the build seals it, its heads in their file (named in the
    record by their digest): a test that changes a record this way changes
    it as only the build's own code could. Any changes since the last base are gone.
    """
    named = None
    if record.get("heads") is not None:
        text = _heads_text(IndexHeads(*record["heads"]))
        path.with_name(HEADS_FILE).write_text(text, encoding="utf-8")
        named = hashlib.sha256(text.encode()).hexdigest()
    index = {"shared": record.get("shared"), "name": record.get("index"), "heads": named}
    base = {"generation": "written by a test", "index": index, "pages": record.get("pages")}
    path.write_text(seal(json.dumps(base, sort_keys=True)), encoding="utf-8")
    path.with_name(f"{path.stem}.changes{path.suffix}").unlink(missing_ok=True)


def read_parts(path: Path) -> dict[str, Any]:
    """Return the search-parts record at ``path`` as :func:`write_parts` takes it."""
    record = RecordFile(path, ("index", "pages"), sealed=True).read()
    index = record["index"]
    heads = IndexHeads.from_text(path.with_name(HEADS_FILE).read_text(encoding="utf-8")).as_json()
    return {"shared": index["shared"], "index": index["name"], "pages": record["pages"], "heads": heads}
