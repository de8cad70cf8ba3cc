"""The build's search stage: the index of every page, made again only as far as the pages changed.

The index (:class:`~curriculum.site._search.SearchIndex`) is a function of the
site's pages, in order, and of each page's part
(:class:`~curriculum.site._search.PagePart`). Gathering it reads every page's
part, and encoding it every word of every section, both of which grow with
the curriculum. So the stage does the least of three things:

1. **Keep it.** When every page says what it is made from and that is as the
   last build found (an edit that touched no page, or only a page's
   template), nothing is read. The parts record tells first, in one pass,
   whether a page is made from something new: then the page list is not
   even named (encoded), and it is recorded again by the next build that
   changes no page.
2. **Keep or patch it by the changed pages' parts.** Otherwise only the pages
   made from something new have their parts read (the last index's record,
   :class:`~curriculum.site._search_parts.PartRecord`, gives the others'
   digests). If those parts are as they were (a quiz's feedback edited), the
   index is kept. If a changed page keeps its sections and the components on
   it, but their words or headings changed (a sentence, a stem), the index is
   made from the last one's heads and postings and the changed sections
   alone: the page's part of the last index is found in the memo by what the
   page was made from, and only the words the changed sections gained or lost
   are encoded again (:func:`~curriculum.site._postings.patch`); the other
   words' bits are copied as bytes. The heads are read only if a changed
   section's heading or anchor differs: else the new script begins with the
   last one's bytes, up to its words (:func:`_last_head`).
3. **Gather it** from every page's part, and encode it whole: the first
   build, a page added, removed or renamed, a section added, or a component
   moved to another page.

In the first two, an unchanged page costs a look-up in a record; only the
changed pages' text scripts are made again. Every way makes the same files
(tests compare them with a build from nothing).
"""

from __future__ import annotations

import contextlib
import functools
import operator
from array import array
from collections.abc import Callable, Mapping, Sequence
from itertools import compress, repeat
from typing import TYPE_CHECKING, Any

from curriculum._plain import RECORD_LIMIT, read_existing
from curriculum._words import counted
from curriculum.errors import CurriculumError
from curriculum.site._output_record import KeyDigest, KeyText, OutputRecord
from curriculum.site._postings import POSTINGS, KeptPostings, Postings, Stamp, keep_postings, read_kept
from curriculum.site._record_file import looked_up
from curriculum.site._search import (
    IndexHeads,
    PagePart,
    SearchPage,
    index_script,
    part_digest,
    site_index,
    stored_part,
    text_name,
    text_script,
    written_head,
)
from curriculum.site._search_parts import (
    PARTS_RECORD,
    IndexName,
    PartRecord,
    Placement,
    index_name,
    index_namer,
    index_text,
)

if TYPE_CHECKING:
    from curriculum.site._stages import Render

__all__ = ["SearchRecords", "search"]


class SearchRecords:
    """What the search stage keeps of the last build: files and what made them, postings, pages' parts.

    Read when the stage needs them, or ahead, while Pandoc renders the pages
    the last build did not make so (:meth:`read_ahead`): such a page most
    likely changes the index's words, which are encoded again from the last postings.

    Parameters
    ----------
    run : Render
        The render.
    """

    def __init__(self, run: Render) -> None:
        self._run = run
        self._kept: list[Stamp] | None = None  # the postings' files' stamps once this build kept them

    @functools.cached_property
    def record(self) -> OutputRecord:
        """The record of the search files the last build wrote."""
        run = self._run
        return OutputRecord(run.cache / "searched.json", run.out, [], run.stats.files.extend)

    @functools.cached_property
    def parts(self) -> PartRecord:
        """What each page gave the last index (:class:`PartRecord`)."""
        return PartRecord(self._run.cache / PARTS_RECORD, self.record.shared)

    @functools.cached_property
    def postings(self) -> KeptPostings | None:
        """The last index's postings (None: there are none, none this code can read, or another index's).

        A file of theirs that has the stamp the parts record names is read as it is, not hashed again.
        """
        name = self.parts.index_name
        if name is None:
            return None
        return read_kept(self._run.cache / POSTINGS, _postings_key(self, name), self.parts.postings_stamps)

    def kept(self, stamps: list[Stamp]) -> None:
        """Note the stamps of the postings' files this build kept (none: it could not)."""
        self._kept = stamps

    def stamps(self) -> list[Stamp]:
        """Return the stamps the parts record is to name the postings' files by (:meth:`PartRecord.update`).

        Those this build kept; else those of the files it read and checked; else those recorded.
        """
        if self._kept is not None:
            return self._kept
        read = self.__dict__.get("postings")  # read by this build (a cached property)
        return read.stamps if read is not None else self.parts.postings_stamps

    def read_ahead(self) -> None:
        """Read the records and the last postings now (while Pandoc works)."""
        _ = self.postings


def _postings_key(records: SearchRecords, index: str) -> str:
    """Return what the postings of the index named ``index`` are kept under (this code, computer and site)."""
    return f"{records.record.shared} {index}"


def search(run: Render, pages: list[SearchPage], records: SearchRecords | None = None) -> None:
    """Search stage: the index of every page and the components on it (see the module's description).

    ``records`` is what the stage keeps of the last build (perhaps read ahead: see
    :func:`~curriculum.site._stages.render_site`).
    """
    written_before = run.stats.written
    records = records or SearchRecords(run)
    record = records.record
    known = None not in map(_MADE_FROM, pages)
    # a page made from what the parts record does not say: the page list is not the last one, and is
    # not named (encoded) to be compared; else its entry holds its key only: its files are the other
    # entries', each kept as recorded
    list_named = known and records.parts.gives_all(pages)
    kept = list_named and record.kept("pages", _pages_key(pages), []) and record.rest_as_recorded()
    if not kept and not (known and _by_parts(run, pages, records, list_named)):
        _gather(run, pages, records, known, list_named)
    record.save()
    run.log(
        "search",
        f"{counted(len(pages), 'page')} indexed · {run.stats.written - written_before} files written",
    )


def _pages_key(pages: list[SearchPage]) -> KeyText:
    """Return what names the site's pages as the index has them: title, URL, kind, what each is made from.

    ``[[title, url, notebook, made_from], ...]`` as compact JSON, encoded in
    one call, ``made_from`` as the text of each page's
    :attr:`~curriculum.site._search.SearchPage.made_from_key` (encoded once a page).
    """
    return index_text([[p.title, p.url, p.notebook, p.made_from_key] for p in pages])


_TITLE, _URL, _MADE_FROM = (operator.attrgetter(name) for name in ("title", "url", "made_from"))
_NOTEBOOK, _STANDALONE = operator.attrgetter("notebook"), operator.attrgetter("standalone_known")
_FIRST = operator.itemgetter(0)


def _frame(pages: list[SearchPage]) -> bytes:
    """Return what names the site's pages as the index has them, but for their parts: titles, URLs, kinds.

    The number of pages and each title's and URL's length (in characters, as
    machine words), each page's kinds (whether it is a notebook, plus two if
    it is standalone) as a byte, then the titles and the URLs one after the
    other (UTF-8): pages that differ in any of these give other bytes. Made by
    maps and joins over the pages (no Python step a page, no character
    escaped as JSON would): what the index is named by
    (:func:`~curriculum.site._search_parts.index_namer`).
    """
    titles, urls = list(map(_TITLE, pages)), list(map(_URL, pages))
    standalone = list(map(_STANDALONE, pages))
    if None in standalone:  # a page that reads its body to say
        standalone = [page.standalone for page in pages]
    lengths = array("Q", [len(pages), *map(len, titles), *map(len, urls)])
    kinds = bytes(map(operator.add, map(_NOTEBOOK, pages), map(operator.add, standalone, standalone)))
    return lengths.tobytes() + kinds + "".join([*titles, *urls]).encode("utf-8", "surrogatepass")


class _Scripts:
    """The site's text scripts, as the parts record places their pages: their names, keys and numbers.

    Taken by maps over the pages (no Python step for a page whose script the
    record names, nor an object made for it beyond its name, key and number).

    Parameters
    ----------
    pages : list[SearchPage]
        The site's pages.
    placed : dict[str, Placement]
        Where the last index had each page, by URL (a page with no section, at -1, has no script).
    recorded : list[str]
        What the search stage's record names each page's script's key by, as the
        parts record says (``""``: not known, :meth:`PartRecord.script_keys`).
    """

    def __init__(self, pages: list[SearchPage], placed: dict[str, Placement], recorded: list[str]) -> None:
        self._pages = pages
        self._where = where = list(looked_up(placed, map(_URL, pages)))
        self._numbers = numbers = list(map(_FIRST, where))
        indexed = list(map(operator.le, repeat(0), numbers))
        names = list(map("search/%d.js".__mod__, compress(numbers, indexed)))
        self.numbers = dict(zip(names, compress(numbers, indexed), strict=True))
        """Each script's number, by its name."""
        self.keys: dict[str, KeyText | KeyDigest] = dict(
            zip(names, map(KeyDigest, compress(recorded, indexed)), strict=True)
        )
        """What names each script as the index names it (its key, :meth:`SearchIndex.text_key`), by its name:
        the digest the record names it by, else (a page made from something new) its key."""
        for n in compress(range(len(pages)), map(operator.and_, indexed, map(operator.not_, recorded))):
            self.keys[f"search/{numbers[n]}.js"] = KeyText(text_name(pages[n], where[n][1]))

    def text(self, name: str) -> str:
        """Return the text script ``name`` (of a page found by its number: one search of a list)."""
        at = self._numbers.index(self.numbers[name])
        return text_script(self._numbers[at], self._pages[at].homed_texts(self._where[at][1]))


def _by_parts(run: Render, pages: list[SearchPage], records: SearchRecords, list_named: bool) -> bool:
    """Keep the index, or patch it, by the parts of the pages made from something new (see the module).

    Then write the changed pages' text scripts. Returns False, having written
    nothing, when the index must be gathered. ``list_named``: the page list
    was named to the record (see :func:`_remember`).
    """
    record, parts = records.record, records.parts
    placed = parts.placements(pages)  # where the last index had each page
    if placed is None:
        return False  # a page the last index did not have
    # each text script: its page, as placed, and what names it as the index names it (SearchIndex.text_key)
    scripts = _Scripts(pages, placed, parts.script_keys(pages))
    digests = parts.digests(pages)  # only the parts of pages made from something new are read
    name = index_namer(_frame(pages))
    key = name(digests)  # hashed once, for both records and the postings
    heads: IndexHeads | None = None  # None: the recorded heads stay as they are
    if not (parts.describes(key) and parts.has_heads and record.kept("search-index.js", KeyText(key))):
        written, heads = _patched(run, pages, records, (name, key), digests, placed)
        if not written:
            return False  # gathered (and recorded with its heads)
        record.wrote("search-index.js", key=KeyText(key))

    _write_texts(run, record, scripts.keys, scripts.text)  # an unchanged page's script is kept unread
    _remember(records, key, pages, digests, placed, heads, scripts.numbers, list_named)
    return True


def _patched(
    run: Render,
    pages: list[SearchPage],
    records: SearchRecords,
    named: tuple[Callable[[Sequence[str | None]], IndexName], IndexName],
    digests: list[str],
    placed: dict[str, Placement],
) -> tuple[bool, IndexHeads | None]:
    """Write the index made from the last one's heads and postings and the changed pages' sections.

    Returns whether it wrote the index, and the new index's heads if they
    are to be recorded (None: the changed sections' headings and anchors are
    as they were, and the heads are neither encoded nor written again). It
    writes nothing when a changed page's sections are not where the last
    index had them: its number of indexed sections or the components on it
    changed, or its part of the last index is not in the memo, or the
    records are not of the last index. ``named`` gives what names the index
    of these pages by their parts' digests (:func:`~curriculum.site._search_parts.index_namer`) and the new
    index's name, and ``digests`` are its pages' parts' digests.

    Where each page's sections are (their number, each page's URL) is in the
    parts record (:meth:`~curriculum.site._search_parts.PartRecord.sections`):
    the heads are read (and decoded) only when a changed section's heading
    or anchor differs, or the record does not hold that. Else the new script
    begins as the last one does (:func:`_last_head`), its bytes joined as they
    are, and only its words and postings are made again.
    """
    parts = records.parts
    name, key = named
    before = parts.recorded_digests(list(map(_URL, pages)))
    if not parts.describes(name(before)):
        return False, None  # the records are not those of the last index of these pages
    sections = parts.sections()
    heads = parts.heads() if sections is None else None  # a record that does not say: its heads do
    if sections is None and heads is not None:
        sections = heads.sections()
    if sections is None:
        return False, None
    urls, counts = sections
    words_then: dict[int, str] = {}
    words_now: dict[int, str] = {}
    renamed: list[tuple[int, list[tuple[str, str]]]] = []  # sections whose headings or anchors may differ
    # the pages whose parts changed, taken by one map: the others cost no Python step
    for page in compress(pages, map(operator.ne, digests, before)):
        n, homed = placed[page.url]
        if n != -1 and not (0 <= n < len(urls) and urls[n] == page.url.removesuffix(".html")):
            return False, None  # a record that does not place the page where the last index had it
        made_from = parts.made_from(page.url)
        old = None if made_from is None else stored_part(made_from)
        if old is None:
            return False, None
        new = page.part()
        taken_then, taken_now = _taken(old, homed), _taken(new, homed)
        count = 0 if n < 0 else counts[n]
        if _owners(old) != _owners(new) or not len(taken_then) == len(taken_now) == count:
            return False, None  # its sections moved, or its components (where each is indexed may change)
        first = sum(counts[:n]) if n > 0 else 0
        for offset, (i, j) in enumerate(zip(taken_then, taken_now, strict=True)):
            words_then[first + offset] = old.words[i]
            words_now[first + offset] = new.words[j]
        headed = [new.sections[j][1:] for j in taken_now]
        if headed != [old.sections[i][1:] for i in taken_then]:
            renamed.append((first, headed))
    kept = records.postings
    if kept is None or kept.base.sections != sum(counts):
        return False, None
    try:
        patched = kept.patched(words_then, words_now)
    except ValueError:  # a damaged record: the index is gathered and encoded whole
        return False, None
    changed = False
    if renamed:
        heads = heads or parts.heads()
        if heads is None or heads.sections() != sections:
            return False, None  # heads of another index than the record's
        for first, headed in renamed:
            changed = heads.replace(first, headed) or changed
    head = _last_head(run, records) if heads is None else heads.head()
    if head is None:  # the last script is not as written: the heads are read
        heads = parts.heads()
        if heads is None or heads.sections() != sections:
            return False, None
        head = heads.head()
    # a word moved or a heading changed: the index is not the last one (the file is not read back)
    run.write("search-index.js", index_script(head, patched.postings), changed=patched is not kept or changed)
    _keep_postings(run, records, patched, key)
    # heads read for a record that does not hold where the sections are are recorded again, with that
    return True, heads if changed or parts.sections() is None else None


def _last_head(run: Render, records: SearchRecords) -> bytes | None:
    """Return the last index's script up to its words (:func:`~curriculum.site._search.written_head`).

    Read from the site's folder if the search record says it stands as
    written for the index the parts record describes (its key, its size and
    time): the file the last build wrote, as a kept file is trusted. None:
    not so (changed by hand, another index's), which the heads' file then
    gives. An edit that changes no heading neither reads, hashes nor decodes
    the heads: their bytes are the last script's.
    """
    name = records.parts.index_name
    if name is None or not records.record.stands("search-index.js", KeyText(name)):
        return None
    script = read_existing(run.out / "search-index.js", RECORD_LIMIT)
    return None if script is None else written_head(script)


def _taken(part: PagePart, homed: list[str]) -> list[int]:
    """Return which sections of a page's part the index has on the page: its own, its homed components'."""
    home = set(homed)
    return [i for i, (owner, _, _) in enumerate(part.sections) if not owner or owner in home]


def _owners(part: PagePart) -> set[str]:
    """Return the components whose sections a page's part holds."""
    return {owner for owner, _, _ in part.sections if owner}


def _keep_postings(
    run: Render, records: SearchRecords, postings: Postings | KeptPostings, key: IndexName
) -> None:
    """Keep the postings of the index named ``key`` for the next build (only to save time).

    Postings patched are kept as their changes since those last kept whole (:func:`keep_postings`).
    The stamps of their files are noted for the parts record (:meth:`SearchRecords.stamps`).
    """
    stamps: list[Stamp] = []  # none: none kept is trusted
    with contextlib.suppress(CurriculumError, OSError):
        stamps = keep_postings(run.cache / POSTINGS, postings, _postings_key(records, key))
    records.kept(stamps)


def _gather(
    run: Render, pages: list[SearchPage], records: SearchRecords, known: bool, list_named: bool
) -> None:
    """Gather the index from every page's part; encode it again if its sections or words changed.

    ``list_named``: the page list was named to the record (see :func:`_remember`).
    """
    record = records.record
    index = site_index(pages)
    digests = [part_digest(p.part()) for p in pages] if known else []
    key = index_namer(_frame(pages))(digests) if known else index_name([index.pages, index.digest()])
    if not record.kept("search-index.js", KeyText(key)):
        run.write("search-index.js", index.index_script())
        if index.postings is not None and known:
            _keep_postings(run, records, index.postings, key)
        record.wrote("search-index.js")
    numbers = {name: page for page, name in enumerate(index.files()[1:])}
    keys = {name: KeyText(index.text_key(page)) for name, page in numbers.items()}
    # a page's texts are read only if its script is written
    _write_texts(run, record, keys, lambda name: index.text_script(numbers[name]))
    if known:
        _remember(records, key, pages, digests, index.placements(), index.heads(), numbers, list_named)


def _write_texts(
    run: Render, record: OutputRecord, keys: Mapping[str, KeyText | KeyDigest], text: Callable[[str], str]
) -> None:
    """Write each text script ``keys`` names that is not kept as made from its key (``text`` makes it)."""
    for name in record.to_make(keys):
        run.write(name, text(name))
        record.wrote(name)


def _remember(
    records: SearchRecords,
    key: Any,
    pages: list[SearchPage],
    digests: list[str],
    placements: dict[str, Placement],
    heads: IndexHeads | None,
    numbers: Mapping[str, int],
    list_named: bool,
) -> None:
    """Record the index named ``key`` for the next build: its page list, and each page's part and placement.

    ``numbers`` gives each text script's number, by its name (the search
    record names its key by the digest the parts record keeps); ``heads``
    None: the recorded heads stay. The page list is recorded only if it was
    named (``list_named``, :func:`_pages_key`): a build that changed a page,
    known from the parts record, does not encode it; the next build that
    changes none finds no page list then, keeps or patches the index by the
    parts (:func:`_by_parts`), and records it.
    """
    record = records.record
    if list_named:
        record.wrote("pages", [])  # its files are the other entries'
    named = dict(zip(numbers.values(), record.digests_of(list(numbers)), strict=True))
    records.parts.update(key, pages, digests, placements, heads, named, records.stamps())
    with contextlib.suppress(CurriculumError, OSError):  # kept only to save time
        records.parts.save()
