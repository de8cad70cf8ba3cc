"""The client-side search index, built from the rendered pages and the components on them.

Quarto's search loads ``search.json`` with ``fetch``, which browsers refuse
on ``file://`` pages, so our index is a classic script (``search-index.js``)
that sets one global; the search box loads it on first use, so pages stay
light and search works from a zip on disk.

The index is small because it holds no page text: an inverted index from
each normalised word to the sections that contain it (front-coded words,
delta-coded section numbers), and each section's page, anchor and heading.
``site.js`` ranks from that alone; the text for the snippets of the results
it shows comes from one small script per page (``search/<n>.js``), loaded
only for those pages.

What is indexed: the prose of every page (not its reference list) and the
text a learner reads in each component: quiz stems and options, the
scenes and choices of a case, the turns of a spotter, the case and prompt of
a worksheet. Never feedback, rationales, expert labels or model answers, so
no answer can be found by searching.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from json.encoder import encode_basestring_ascii
from typing import Any, ClassVar

from curriculum._memo import Memo, text_value
from curriculum.components import COMPONENTS, dom_id
from curriculum.site._postings import Postings, encode

__all__ = [
    "IndexHeads",
    "PagePart",
    "SearchIndex",
    "SearchPage",
    "compact_entry_keys",
    "entry_and_keys",
    "index_script",
    "keep_parts",
    "made_from_text",
    "page_sections",
    "part_digest",
    "part_key",
    "site_index",
    "slug",
    "stored_part",
    "text_name",
    "text_script",
    "written_head",
]

_BLOCKS = frozenset(
    {
        "p",
        "li",
        "div",
        "section",
        "br",
        "td",
        "th",
        "tr",
        "blockquote",
        "pre",
        "h4",
        "h5",
        "h6",
        "dt",
        "dd",
        "figcaption",
        "caption",
        "table",
        "ul",
        "ol",
        "span",
        "abbr",
        "label",
        "button",
        "summary",
    }
)
"""Elements whose edges separate words; inline ones (links, emphasis) do not. Spans and
abbreviations are included: the lesson overview and citations put words side by side in them."""


class _Sections(HTMLParser):
    """Split a page body into (heading id, heading, text) sections, skipping widgets and scripts."""

    SKIP_TAGS: ClassVar[frozenset[str]] = frozenset({"script", "style", "nav", "noscript", "template"})
    SKIP_CLASSES: ClassVar[frozenset[str]] = frozenset(
        {"cur-widget", "cur-handout", "references", "csl-bib-body", "cur-standalone", "visually-hidden"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[list[str]] = [["", "", ""]]
        self.bibliography: set[int] = set()  # sections that held a reference list
        self._skip_tag: str | None = None
        self._skip_depth = 0
        self._heading: str | None = None
        self._heading_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_tag is not None:
            self._skip_depth += tag == self._skip_tag
            return
        classes = set((dict(attrs).get("class") or "").split())
        if tag in self.SKIP_TAGS or classes & self.SKIP_CLASSES:
            self._skip_tag, self._skip_depth = tag, 1
            if classes & {"references", "csl-bib-body"}:
                self.bibliography.add(len(self.sections) - 1)
            return
        if tag in _BLOCKS:
            self.sections[-1][2] += " "
        if tag in ("h2", "h3"):
            self._heading = dict(attrs).get("id") or ""
            self._heading_text = []

    def handle_endtag(self, tag: str) -> None:
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth -= 1
                if self._skip_depth == 0:
                    self._skip_tag = None
            return
        if tag in _BLOCKS:
            self.sections[-1][2] += " "
        if tag in ("h2", "h3") and self._heading is not None:
            self.sections.append([self._heading, " ".join("".join(self._heading_text).split()), ""])
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._skip_tag is not None:
            return
        if self._heading is not None:
            self._heading_text.append(data)
        else:
            self.sections[-1][2] += data


def _decode_sections(data: Any) -> list[tuple[str, str, str]]:
    if not isinstance(data, list) or not all(
        isinstance(s, list) and len(s) == 3 and all(isinstance(t, str) for t in s) for s in data
    ):
        raise TypeError("a page's sections are [anchor, heading, text] lists")
    return [(a, h, t) for a, h, t in data]


def _decode_words(data: Any) -> list[str]:
    if not isinstance(data, list) or not all(isinstance(w, str) for w in data):
        raise TypeError("a section's words are a list of strings")
    return data


_SECTIONS = Memo[list[tuple[str, str, str]]](
    "search.sections", 1, lambda v: [list(s) for s in v], _decode_sections
)
"""Each page body's sections, across builds (a build re-reads only the pages that changed)."""
_WORDS = Memo[list[str]]("search.words", 1, list, _decode_words)
"""Each section's indexed words, across builds."""
_TEXTS = Memo[str]("search.text", 1, str, text_value)
"""The words of each fragment a component shows, across builds."""
_COMPONENTS = Memo[list[tuple[str, str, str]]](
    "search.component", 1, lambda v: [list(s) for s in v], _decode_sections, keeps=("search.text",)
)
"""Each payload's sections, by the payload's memo key (one look-up, not one per fragment)."""


@dataclass(frozen=True)
class PagePart:
    """What one page gives the search index, besides its sections' text.

    Attributes
    ----------
    sections : list[tuple[str, str, str]]
        Each section: its owner (empty for the page's own text, else the key
        of the component it belongs to), its anchor and its heading. The page's
        own sections come first (:func:`page_sections`), then each component's,
        each component once (:func:`component_sections`); the index keeps a
        component's sections on one page only (see :func:`site_index`).
    words : list[str]
        Each section's indexed words, joined by spaces (a word holds none):
        what the index is made of is read back from the memo at once.
    """

    sections: list[tuple[str, str, str]]
    words: list[str]


def _part_from_json(data: Any) -> PagePart:
    sections, words = data
    part = PagePart(_decode_sections(sections), [text_value(w) for w in words])
    if len(part.words) != len(part.sections):
        raise ValueError("a page's words are one string a section")
    return part


def part_digest(part: PagePart) -> str:
    """Return a digest of a page's part: each section's owner, anchor, heading and words (not its text)."""
    found = hashlib.sha256()
    for (owner, anchor, heading), words in zip(part.sections, part.words, strict=True):
        fields = (owner, anchor, heading, words)
        found.update("".join(f"{len(f)}\0{f}" for f in fields).encode("utf-8", "surrogatepass"))
    return found.hexdigest()


_PARTS = Memo[PagePart](
    "search.page",
    2,
    lambda part: [[list(s) for s in part.sections], part.words],
    _part_from_json,
    keeps=("search.sections", "search.component", "search.text", "search.words"),
    replaces=("search.page-text",),
)
"""Each page's part of the index, by what the page is made from (one look-up a page: an unchanged
page's body is not read, nor its payloads built). A part reused keeps the sections of its body
and components, from which its texts are read again if its text script must be written
(:meth:`SearchPage.texts`)."""


def part_key(page: SearchPage) -> str:
    """Return the key the memo keeps the part of ``page`` under (a page known by what it is made from)."""
    return _PARTS.key(page.made_from_key, "made from")


def keep_parts(keys: Iterable[str]) -> None:
    """Keep the parts the memo keeps under ``keys`` (:func:`part_key`), unread.

    For the pages the last index's record gave the digests and keys of, in
    one call for them all (:meth:`~curriculum._memo.Memo.keep_keys`): the
    memo's store, and what the parts rest on, are found once, not once a page.
    """
    _PARTS.keep_keys(keys)


def stored_part(made_from_key: str) -> PagePart | None:
    """Return the stored part of the page made from ``made_from_key`` (:attr:`SearchPage.made_from_key`)."""
    return _PARTS.stored(made_from_key, context="made from")


def page_sections(body: str | Callable[[], str], made_from: str | None = None) -> list[tuple[str, str, str]]:
    """Return ``(anchor, heading, text)`` for each section of a rendered page body.

    Components and the handout are left out (:func:`component_sections` reads the
    components), and so is a section that holds nothing but a reference list.
    Remembered across builds (:mod:`curriculum._memo`) by the body's text, or by
    ``made_from``, a name of what the body is made from (its page cache entry),
    which spares hashing the body, and reading it (``body`` may be what reads it).
    """
    if made_from is not None:
        return _SECTIONS.get(made_from, lambda: _read_sections(_text_of(body)), context="made from")
    text = _text_of(body)
    return _SECTIONS.get(text, lambda: _read_sections(text))


def _text_of(body: str | Callable[[], str]) -> str:
    return body if isinstance(body, str) else body()


def _read_sections(body: str) -> list[tuple[str, str, str]]:
    parser = _Sections()
    parser.feed(body)
    parser.close()
    out = []
    for n, (anchor, heading, text) in enumerate(parser.sections):
        text = " ".join(text.split())
        if n in parser.bibliography and not text:
            continue
        if heading or text:
            out.append((anchor, heading, text))
    return out


def _text(markup: str) -> str:
    """Return the words of a sanitised HTML fragment (remembered across builds)."""
    return _TEXTS.get(markup, lambda: _read_text(markup))


def _read_text(markup: str) -> str:
    parser = _Sections()
    parser.feed(markup)
    parser.close()
    return " ".join(" ".join(t for _, _, t in parser.sections).split())


def component_sections(payload: dict[str, Any], made_from: str | None = None) -> list[tuple[str, str, str]]:
    """Return ``(anchor, heading, text)`` sections for what a learner reads in one component.

    Only what the component shows before any answer, as its kind's spec says
    (:attr:`curriculum.components.ComponentSpec.search`): quiz stems and options, a
    case's patient, scenes and choices, a spotter's context and turns, a worksheet's
    case and prompt. The anchor is the component's container. Remembered by
    ``made_from`` (the payload's memo key), when given, with one look-up.
    """
    if made_from is not None:
        return _COMPONENTS.get(made_from, lambda: _component_sections(payload))
    return _component_sections(payload)


def _component_sections(payload: dict[str, Any]) -> list[tuple[str, str, str]]:
    spec = COMPONENTS.get(str(payload.get("component")))
    if spec is None:
        return []
    heading, parts = spec.search(payload)
    heading = heading or str(payload.get("title") or "")
    text = " ".join(t for t in map(_text, parts) if t)
    return [(dom_id(str(payload.get("key", ""))), heading, text)] if text or heading else []


# --------------------------------------------------------------------------- the index

NAMES_ONLY = ("reference/",)
"""Pages found by their titles and headings only: the API reference, generated from docstrings,
whose text would double the index for readers who search it by name."""
DOCSTRING_PARTS = frozenset(
    {"Parameters", "Other Parameters", "Returns", "Yields", "Receives", "Raises", "Warns", "Warnings"}
    | {"Attributes", "Methods", "Examples", "Notes", "See Also", "References"}
)
"""Headings that name a part of a docstring, not a member: on a :data:`NAMES_ONLY` page such a
section is part of the one before it (:func:`by_name`), so a search lists members, not every "Returns"."""
REFERENCE_FOLDERS = ("docs/", "reference/", "rules/")
"""Pages for authors and developers: after the lessons and the practice pages for the same score."""
PRACTICE_FOLDERS = ("quiz/", "cases/")


def page_rank(url: str, notebook: bool) -> int:
    """Return how a page ranks among results of the same score.

    Lessons 0, practice pages (quizzes, cases) 1, other pages 2, the authors' reference pages 3.
    """
    if notebook:
        return 0
    if url.startswith(PRACTICE_FOLDERS):
        return 1
    if url.startswith(REFERENCE_FOLDERS):
        return 3
    return 2


def normalise(text: str) -> str:
    """Lower case without accents, as ``site.js`` normalises a query."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not "\u0300" <= c <= "\u036f")


def by_name(sections: list[tuple[str, str, str, str]]) -> list[tuple[str, str, str, str]]:
    """Return a :data:`NAMES_ONLY` page's sections (owner, anchor, heading, text), one a member.

    A section headed by a part of a docstring (:data:`DOCSTRING_PARTS`) is
    added to the section before it, its heading leading its text.
    """
    merged: list[tuple[str, str, str, str]] = []
    for owner, anchor, heading, text in sections:
        if merged and heading in DOCSTRING_PARTS:
            before = merged[-1]
            merged[-1] = (*before[:3], " ".join(t for t in (before[3], heading, text) if t))
        else:
            merged.append((owner, anchor, heading, text))
    return merged


def _indexed_sections(
    url: str, sections: list[tuple[str, str, str, str]]
) -> tuple[list[tuple[str, str, str, str]], list[str]]:
    """Return a page's sections (owner, anchor, heading, text) as the index keeps them, and their words.

    A :data:`NAMES_ONLY` page is found by its title and headings: its
    sections are its members (:func:`by_name`), and no word is needed.
    """
    if url.startswith(NAMES_ONLY):
        merged = by_name(sections)
        return merged, [""] * len(merged)
    return sections, [" ".join(_indexed_words(text)) for *_, text in sections]


_TOKEN = re.compile(r"[^\W_]+")
STOP_WORDS = frozenset(
    {
        "about",
        "after",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "each",
        "every",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "how",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "may",
        "might",
        "more",
        "most",
        "must",
        "no",
        "not",
        "of",
        "on",
        "one",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "which",
        "who",
        "will",
        "with",
        "would",
        "you",
        "your",
    }
)
"""Words too common to narrow a search: not indexed; a query's stop words narrow nothing
(``site.js`` has the same list, sent with the index)."""


def words(text: str) -> set[str]:
    """Return the normalised words of a text that the index holds.

    Words of two characters or longer (a query needs two), stop words left out.
    """
    return {w for w in _TOKEN.findall(normalise(text)) if len(w) > 1 and w not in STOP_WORDS}


def _indexed_words(text: str) -> list[str]:
    """Return :func:`words` of a section's text, sorted; remembered across builds."""
    return _WORDS.get(text, lambda: sorted(words(text)))


_SLUG_DROP = re.compile(r"[^\w\s.-]")
_SLUG_LEAD = re.compile(r"^[^a-z]+")


def slug(heading: str) -> str:
    """Return the identifier Pandoc gives a heading (``site.js`` has the same function).

    An anchor that equals it is not stored.
    """
    text = _SLUG_LEAD.sub("", "-".join(_SLUG_DROP.sub("", heading.lower()).split()))
    return text or "section"


def text_script(page: int, texts: list[str]) -> str:
    """Return ``search/<page>.js``: the text of each section of a page (:meth:`SearchIndex.text_script`)."""
    return _script(
        f"(window.CURRICULUM_SEARCH_TEXT = window.CURRICULUM_SEARCH_TEXT || {{}})[{page}] = ", texts
    )


def _script(name: str, value: Any) -> str:
    return f"{name}{_script_json(value)};\n"


def _script_json(value: Any) -> str:
    """Return ``value`` as JSON in a script: compact, and no ``</`` to end the script's element."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


_COMPACT = json.JSONEncoder(separators=(",", ":"))
"""Encodes JSON without spaces (made once: :func:`json.dumps` with an option makes an encoder a call)."""

STANDALONE = 'class="cur-standalone"'
"""What marks the page of a quiz or a case in its body (the component is the page's subject)."""


@dataclass
class SearchPage:
    """One rendered page, as the search index needs it.

    Attributes
    ----------
    title, url : str
        The page's title and its path in the site.
    notebook : bool
        Whether the page is a lesson notebook.
    body_from : str | Callable[[], str]
        The rendered body, or what reads it when first asked for (:attr:`body`).
    payloads_from : list[dict[str, Any]] | Callable[[], list[dict[str, Any]]]
        The payloads of the components the page shows, or what builds them (:attr:`payloads`).
    made_from : Any
        What the body and payloads are made from, as JSON data (the page cache
        entry and the payloads' memo keys, in the order of ``payloads``), when
        every part is known; else None.
    standalone_known : bool | None
        Whether the page is its components' own (:attr:`standalone`), when known
        without reading the body.
    """

    title: str
    url: str
    notebook: bool
    body_from: str | Callable[[], str]
    payloads_from: list[dict[str, Any]] | Callable[[], list[dict[str, Any]]] = field(default_factory=list)
    made_from: Any = None
    standalone_known: bool | None = None

    @property
    def standalone(self) -> bool:
        """Whether the page is its components' own (a quiz's, a case's: its body says ``cur-standalone``)."""
        return self.standalone_known if self.standalone_known is not None else STANDALONE in self.body

    @functools.cached_property
    def body(self) -> str:
        """The rendered body (read when first asked for: an index whose pages are unchanged needs none)."""
        return self.body_from if isinstance(self.body_from, str) else self.body_from()

    @functools.cached_property
    def payloads(self) -> list[dict[str, Any]]:
        """The payloads of the components the page shows (built when first asked for)."""
        return self.payloads_from if isinstance(self.payloads_from, list) else self.payloads_from()

    def prose(self) -> list[tuple[str, str, str]]:
        """Return the sections of the page's own text (:func:`page_sections`)."""
        if self.made_from:
            return page_sections(lambda: self.body, str(self.made_from[0]))
        return page_sections(self.body)

    def part(self) -> PagePart:
        """Return what the page gives the index (remembered by :attr:`made_from`, when known)."""
        return self._part

    @functools.cached_property
    def _part(self) -> PagePart:
        """The page's part, looked up (or read) once: the build may ask for it ahead of the index."""
        if self.made_from is None:
            return self._read[0]
        return _PARTS.get(self.made_from_key, lambda: self._read[0], context="made from")

    def texts(self) -> list[str]:
        """Return the text of each section of :meth:`part`, in the same order.

        Read when the page's text script is written: almost always a page made
        again, whose part was just read. Otherwise its sections come from the
        memos of its body's and its components' sections, which its part keeps.
        """
        return self._read[1]

    @functools.cached_property
    def made_from_key(self) -> str:
        """:attr:`made_from` as compact JSON (``null`` when it is not known): its part's name in the memo.

        Made at once for the shape the build gives (an entry and a list of
        keys: :func:`compact_entry_keys`), by the JSON encoder for any other.
        """
        return made_from_text(self.made_from)

    @functools.cached_property
    def _read(self) -> tuple[PagePart, list[str]]:
        """Read the page's part and its texts from its body and payloads."""
        sections = [("", anchor, heading, text) for anchor, heading, text in self.prose()]
        for payload, key in {p["key"]: (p, k) for p, k in _with_keys(self)}.values():
            owner = str(payload["key"])
            sections += [
                (owner, anchor, heading, text) for anchor, heading, text in component_sections(payload, key)
            ]
        sections, words = _indexed_sections(self.url, sections)
        return PagePart([s[:3] for s in sections], words), [s[3] for s in sections]

    def homed_texts(self, homed: Iterable[str]) -> list[str]:
        """Return the texts of the page's sections that the index keeps on it.

        Those of its own text, and those of the components in ``homed``: the ones indexed on this page.
        """
        owners = {"", *homed}
        return [
            text
            for (owner, _, _), text in zip(self.part().sections, self.texts(), strict=True)
            if owner in owners
        ]

    def read_ahead(self) -> None:
        """Read the page's part of the index now: the index finds it remembered.

        The build calls it on each page Pandoc has just rendered, while Pandoc
        renders the next ones on the other core.
        """
        self.part()
        self.texts()


def site_index(pages: list[SearchPage]) -> SearchIndex:
    """Index every page's prose and every component once.

    A quiz or a case is indexed on its own page (the one where it is the page's
    subject, marked ``cur-standalone``), not on every lesson that shows it; an
    exercise on the first page that shows it. A page's texts are read only when
    its text script is written (:meth:`SearchIndex.text_script`).
    """
    parts = [page.part() for page in pages]
    home: dict[str, int] = {}
    for n, (page, part) in enumerate(zip(pages, parts, strict=True)):
        for owner, _, _ in part.sections:
            if owner and (owner not in home or (page.standalone and not pages[home[owner]].standalone)):
                home[owner] = n
    index = SearchIndex()
    for n, (page, part) in enumerate(zip(pages, parts, strict=True)):
        taken = [i for i, (owner, _, _) in enumerate(part.sections) if not owner or home[owner] == n]
        homed = sorted({part.sections[i][0] for i in taken} - {""})
        index.add_part(
            page.title,
            page.url,
            page_rank(page.url, page.notebook),
            [part.sections[i][1:] for i in taken],
            [part.words[i] for i in taken],
            functools.partial(_texts_taken, page, taken),
            None if page.made_from is None else text_name(page, homed),
            homed,
        )
    return index


def compact_entry_keys(data: Any) -> str | None:
    """Return ``data`` as compact JSON if it is a string and a list of strings, else None.

    The same text as the JSON encoder's (ASCII, no spaces), without its cost
    of a call: a page's :attr:`~SearchPage.made_from` is encoded once a page.

    Examples
    --------
    >>> compact_entry_keys(["entrée", ["k1", 'say "hi"']]) == _COMPACT.encode(["entrée", ["k1", 'say "hi"']])
    True
    >>> compact_entry_keys(["entry", [1]]) is None and compact_entry_keys(("entry", [])) is None
    True
    """
    if not (type(data) is list and len(data) == 2 and type(data[1]) is list):
        return None
    try:
        return f"[{encode_basestring_ascii(data[0])},[{','.join(map(encode_basestring_ascii, data[1]))}]]"
    except TypeError:  # not strings
        return None


def made_from_text(made_from: Any) -> str:
    """Return what a page is made from (:attr:`SearchPage.made_from`) as compact JSON: its part's name.

    Made at once for the shape the build gives (an entry and a list of
    keys: :func:`compact_entry_keys`), by the JSON encoder for any other.

    Examples
    --------
    >>> made_from_text(["entry", ["k1"]]) == made_from_text(("entry", ["k1"])) == '["entry",["k1"]]'
    True
    """
    return compact_entry_keys(made_from) or _COMPACT.encode(made_from)


def entry_and_keys(made_from: Any) -> bool:
    """Whether ``made_from`` is of the shape the build gives: an entry and a list of keys, all strings.

    Data of that shape equals other data (JSON decoded) only if their JSON
    texts are the same: no number or boolean in it could be taken for another.

    Examples
    --------
    >>> entry_and_keys(["entry", ["k1"]]) and not entry_and_keys(["entry", [1]])
    True
    >>> entry_and_keys(("entry", [])) or entry_and_keys(["entry"])
    False
    """
    return (
        type(made_from) is list
        and len(made_from) == 2
        and isinstance(made_from[0], str)
        and type(made_from[1]) is list
        and all(isinstance(key, str) for key in made_from[1])
    )


def text_name(page: SearchPage, homed: list[str]) -> str:
    """Return what names a page's text script: what the page is made from and the components indexed on it.

    ``[made_from, homed]`` as compact JSON, made of the page's
    :attr:`~SearchPage.made_from_key` (encoded once a page: its part's name too).

    Examples
    --------
    >>> page = SearchPage("T", "t.html", False, "", [], ["entry", ["key"]])
    >>> text_name(page, ["w1"]) == _COMPACT.encode([page.made_from, ["w1"]])
    True
    """
    return f"[{page.made_from_key},[{','.join(map(encode_basestring_ascii, homed))}]]"


def _texts_taken(page: SearchPage, taken: list[int]) -> list[str]:
    """Return the texts of the sections ``taken`` of ``page``'s part."""
    texts = page.texts()
    return [texts[i] for i in taken]


def _with_keys(page: SearchPage) -> list[tuple[dict[str, Any], str | None]]:
    """Return each payload of ``page`` with its memo key (None when the page does not say)."""
    keys = list(page.made_from[1]) if page.made_from else []
    if len(keys) != len(page.payloads):
        keys = [None] * len(page.payloads)
    return [
        (payload, None if key is None else str(key)) for payload, key in zip(page.payloads, keys, strict=True)
    ]


@dataclass
class _IndexedPage:
    title: str
    url: str
    rank: int
    texts: Callable[[], list[str]]
    made_from: str | None
    homed: list[str]


@dataclass
class SearchIndex:
    """The sections of a site, in site order, and the scripts that publish them.

    Attributes
    ----------
    sections : list[tuple[int, str, str]]
        Each section's page (an index into :attr:`pages`), anchor and heading.
    words : list[str]
        Each section's indexed words, joined by spaces (none for a page found by its names only).
    names_only : set[int]
        The pages found by their names only (:data:`NAMES_ONLY`).
    postings : Postings | None
        The postings of :attr:`words`, once :meth:`index` encoded them (kept for the next build).
    """

    sections: list[tuple[int, str, str]] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    names_only: set[int] = field(default_factory=set)
    postings: Postings | None = None
    _pages: list[_IndexedPage] = field(default_factory=list)

    @property
    def pages(self) -> list[tuple[str, str, int]]:
        """Each page's title, URL (relative to the site's root) and rank."""
        return [(page.title, page.url, page.rank) for page in self._pages]

    def add(self, title: str, url: str, rank: int, sections: Iterable[tuple[str, str, str]]) -> None:
        """Add one page and its sections, each an anchor, a heading and a text (see :meth:`add_part`).

        Raises
        ------
        ValueError
            If ``url`` does not end in ``.html`` (the index leaves that out).
        """
        found, words = _indexed_sections(url, [("", *section) for section in sections])
        texts = [text for *_, text in found]
        self.add_part(title, url, rank, [(a, h) for _, a, h, _ in found], words, lambda: texts)

    def add_part(
        self,
        title: str,
        url: str,
        rank: int,
        headed: list[tuple[str, str]],
        words: list[str],
        texts: Callable[[], list[str]],
        made_from: str | None = None,
        homed: Iterable[str] = (),
    ) -> None:
        """Add one page by its sections' anchors, headings and words; their texts are read when needed.

        A page without sections is left out.

        Parameters
        ----------
        title, url : str
            The page's title and its path in the site.
        rank : int
            Its rank (:func:`page_rank`).
        headed : list[tuple[str, str]]
            Each section's anchor and heading.
        words : list[str]
            Each section's indexed words, joined by spaces.
        texts : Callable[[], list[str]]
            Returns each section's text (for the page's text script).
        made_from : str | None
            What the texts are made from, when known (:func:`text_name`): the
            name of the page's text script's content (:meth:`text_key`).
        homed : Iterable[str]
            The components indexed on the page (:meth:`placements`).

        Raises
        ------
        ValueError
            If ``url`` does not end in ``.html`` (the index leaves that out).
        """
        if not url.endswith(".html"):
            raise ValueError(f"a page of the search index must end in .html: {url}")
        if not headed:
            return
        page = len(self._pages)
        self._pages.append(_IndexedPage(title, url, rank, texts, made_from, list(homed)))
        self.sections += [(page, anchor, heading) for anchor, heading in headed]
        if url.startswith(NAMES_ONLY):
            self.names_only.add(page)
            self.words += ["" for _ in headed]
        else:
            self.words += words

    def digest(self) -> str:
        """Return a digest of what :meth:`index` is made from besides :attr:`pages` (not the texts).

        The build keeps the last index while this and :attr:`pages` are as they
        were: an edit that changes what a page is made from but none of its
        sections' headings or words (a quiz's feedback) encodes nothing again.
        """
        found = hashlib.sha256()
        for (page, anchor, heading), words in zip(self.sections, self.words, strict=True):
            head = f"{page}\0{len(anchor)}\0{anchor}{len(heading)}\0{heading}{len(words)}\0{words}"
            found.update(head.encode("utf-8", "surrogatepass"))
        return found.hexdigest()

    def index(self) -> dict[str, Any]:
        """Return the index loaded on first search (``site.js`` reads it; see :meth:`IndexHeads.index`).

        Its postings are encoded anew (:attr:`postings` is then this index's).
        """
        postings = self.postings = encode(self.words)
        return self.heads().index(postings)

    def heads(self) -> IndexHeads:
        """Return what the index says of its pages and sections besides their words."""
        counts = [0] * len(self._pages)
        anchors: dict[str, str] = {}
        for n, (page, anchor, heading) in enumerate(self.sections):
            counts[page] += 1
            if (moved := _anchor(anchor, heading)) is not None:
                anchors[str(n)] = moved
        return IndexHeads(
            [
                [title, url.removesuffix(".html"), rank, n]
                for (title, url, rank), n in zip(self.pages, counts, strict=True)
            ],
            [" ".join(h.split()) for _, _, h in self.sections],
            anchors,
        )

    def files(self) -> list[str]:
        """Return the names of the files :meth:`scripts` returns, in the same order."""
        return ["search-index.js", *(f"search/{page}.js" for page in range(len(self._pages)))]

    def index_script(self) -> str:
        """Return ``search-index.js``: the index loaded on first search (:meth:`index`)."""
        postings = self.postings = encode(self.words)
        return self.heads().script(postings)

    def text_key(self, page: int) -> str:
        """Return what names the text script of ``page`` without its texts.

        For a page known by what it is made from: that, and the components
        indexed on it (:func:`text_name`); for another, a digest of its texts.
        """
        found = self._pages[page]
        if found.made_from is not None:
            return found.made_from
        return hashlib.sha256(json.dumps(found.texts()).encode()).hexdigest()

    def text_script(self, page: int) -> str:
        """Return ``search/<page>.js``: the text of each section of the page, for the snippets of results."""
        return text_script(page, self._pages[page].texts())

    def placements(self) -> dict[str, tuple[int, list[str]]]:
        """Return, for each page known by what it is made from, its number and the components indexed on it.

        By URL; the number names its text script (``search/<n>.js``).
        """
        return {
            page.url: (n, list(page.homed))
            for n, page in enumerate(self._pages)
            if page.made_from is not None
        }

    def scripts(self) -> dict[str, str]:
        """``search-index.js`` and one ``search/<n>.js`` per page with its sections' text."""
        files = {"search-index.js": self.index_script()}
        for page in range(len(self._pages)):
            files[f"search/{page}.js"] = self.text_script(page)
        return files


_INDEX = "window.CURRICULUM_SEARCH = "
"""What ``search-index.js`` sets."""
_WORDS_FIELD = b',"words":"'
"""What follows the heads in ``search-index.js`` (:meth:`IndexHeads.script`): the words, then the postings."""
_END = b'"};\n'
"""How ``search-index.js`` ends (after the postings)."""


def index_script(head: bytes, postings: Postings) -> bytes:
    """Return ``search-index.js`` as UTF-8 bytes: its ``head`` (:meth:`IndexHeads.head`), then ``postings``.

    The one way the script is made (:meth:`IndexHeads.script` gives it as
    text), without a text of the whole script: the head, most often the last script's own
    (:func:`written_head`), is joined as it is, and so is the stream, as bytes.
    """
    words = postings.vocabulary.encode()
    return b"".join((head, _WORDS_FIELD, words, b'","postings":"', postings.stream_bytes, _END))


def written_head(script: bytes) -> bytes | None:
    """Return the head of a ``search-index.js`` written by :func:`index_script` (None: not such a script).

    The script up to its words: neither the words nor the postings hold a
    quotation mark (front-coded words are punctuation, letters and digits;
    the postings URL-safe base64), so the last ``,"words":"`` starts them.
    """
    at = script.rfind(_WORDS_FIELD)
    if not (script.startswith(_INDEX.encode()) and script.endswith(_END)) or at < 0:
        return None
    return script[:at]


def _anchor(anchor: str, heading: str) -> str | None:
    """Return a section's anchor as the index stores it: None when Pandoc derives it from the heading."""
    return None if anchor == (slug(heading) if heading else "") else anchor


@dataclass
class IndexHeads:
    """What the search index says of its pages and sections besides their words.

    Kept by the build with the index's postings, so that an edit that changes
    the words or headings of a few sections, and no page's number of sections,
    makes the index again from them and the changed sections alone
    (:meth:`replace`), without reading the other pages.

    Attributes
    ----------
    pages : list[list[Any]]
        Each page's title, URL without its ``.html``, rank and number of
        sections (a page's sections follow each other).
    headings : list[str]
        Each section's heading (white space made single spaces).
    anchors : dict[str, str]
        By section number, the anchors that are not the one Pandoc derives from the heading.
    text : str | None
        The heads as the index script has them (:meth:`as_text`), when they
        were read from that (:meth:`from_text`) and not changed since.
    """

    pages: list[list[Any]]
    headings: list[str]
    anchors: dict[str, str]
    text: str | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_text(cls, text: str) -> IndexHeads:
        """Return the heads :meth:`as_text` gave as ``text`` (which they keep while they stay as they are)."""
        data = json.loads(text)
        pages = data["pages"]
        headings = data["headings"].split("\n") if pages else []  # each page has a section
        return cls(pages, headings, data["anchors"], text)

    def as_text(self) -> str:
        """Return the heads as the index script has them: the JSON of the index before its words.

        The text they were read from, if they are as they were then (an edit of
        a section's words alone leaves them so): encoded again only once changed.
        """
        return self.text if self.text is not None else _script_json(self._described())

    def head(self) -> bytes:
        """Return ``search-index.js`` up to its words, as UTF-8 bytes (see :func:`index_script`)."""
        return f"{_INDEX}{self.as_text()[:-1]}".encode()

    def sections(self) -> tuple[list[str], list[int]]:
        """Return each page's URL without its ``.html``, and each one's number of sections, in index order."""
        return [str(page[1]) for page in self.pages], [int(page[3]) for page in self.pages]

    def index(self, postings: Postings) -> dict[str, Any]:
        """Return the index with ``postings`` (of these sections' words), as ``site.js`` reads it.

        ``pages`` and ``anchors`` as the attributes; ``headings`` the sections' headings, one a line;
        ``words`` the front-coded vocabulary; ``postings`` the bit stream (:mod:`curriculum.site._postings`).
        """
        return {**self._described(), "words": postings.vocabulary, "postings": postings.stream}

    def _described(self) -> dict[str, Any]:
        """Return the index's fields before its words and postings (see :meth:`index`)."""
        return {
            "version": 3,
            "stop": " ".join(sorted(STOP_WORDS)),
            "pages": self.pages,
            "headings": "\n".join(self.headings),
            "anchors": dict(sorted(self.anchors.items(), key=lambda anchor: int(anchor[0]))),
        }

    def script(self, postings: Postings) -> str:
        """Return ``search-index.js`` with ``postings``: the script of :meth:`index`.

        The words and the postings, most of the index, are put in as they are:
        JSON would write them so, but only after looking at each character (a
        front-coded word is a character of punctuation that says how many it
        shares with the word before, then letters and digits: no quote, no
        backslash, no ``</``; the postings are URL-safe base64).
        """
        return index_script(self.head(), postings).decode()

    def first_sections(self) -> list[int]:
        """Return the number of each page's first section."""
        firsts, n = [], 0
        for page in self.pages:
            firsts.append(n)
            n += int(page[3])
        return firsts

    def replace(self, first: int, sections: list[tuple[str, str]]) -> bool:
        """Put ``sections`` (each an anchor and a heading) in place of as many from section ``first`` on.

        Returns whether that changed the heads (an edit of a section's words alone does not).
        """
        changed = False
        for n, (anchor, heading) in enumerate(sections, first):
            text, moved = " ".join(heading.split()), _anchor(anchor, heading)
            changed = changed or self.headings[n] != text or self.anchors.get(str(n)) != moved
            self.headings[n] = text
            if moved is None:
                self.anchors.pop(str(n), None)
            else:
                self.anchors[str(n)] = moved
        if changed:
            self.text = None  # no longer what they were read from
        return changed

    def as_json(self) -> list[Any]:
        """Return the heads as JSON data (``IndexHeads(*data)`` reads them back)."""
        return [self.pages, self.headings, self.anchors]
