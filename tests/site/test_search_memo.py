"""The search stage remembers each page's sections and each section's words: the same index, from the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from curriculum import _memo
from curriculum._memo import memo_session
from curriculum.site import _search
from curriculum.site._postings import encode
from curriculum.site._search import IndexHeads, SearchIndex, SearchPage, site_index

BODY = (
    '<h2 id="alliance">The alliance</h2><p>Bond, tasks and goals predict the outcome.</p>'
    '<h2 id="ruptures">Ruptures &amp; repair</h2><p>Withdrawal and confrontation ruptures; '
    "metacommunication repairs them.</p>"
)
WORKSHEET = {
    "component": "worksheet",
    "key": "w1",
    "title": "Reflection",
    "case_html": "<p>A hard visit.</p>",
    "prompt_html": "<p>What pulled at you?</p>",
}
PAGES = [
    SearchPage("Lesson", "lessons/one.html", True, BODY),
    SearchPage("Other", "other.html", False, "<p>Plain café text, accents folded.</p>"),
]


def refuse(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """Make the search module's functions ``names`` fail if called: what the memo holds is not recomputed."""

    def never(*_: object) -> None:
        raise AssertionError("recomputed what the memo holds")

    for name in names:
        monkeypatch.setattr(_search, name, never)


def test_the_index_from_the_memo_is_the_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = site_index(PAGES).scripts()
    assert "metacommunication" in plain["search/0.js"]
    with memo_session(tmp_path):
        assert site_index(PAGES).scripts() == plain
    _memo._stores.clear()  # a new process: what it needs comes from the files
    refuse(monkeypatch, "_read_sections", "words")
    with memo_session(tmp_path):
        assert site_index(PAGES).scripts() == plain


def test_a_changed_page_is_read_again(tmp_path: Path) -> None:
    with memo_session(tmp_path):
        site_index(PAGES)
    edited = [SearchPage("Lesson", "lessons/one.html", True, BODY.replace("Bond", "Agreement")), PAGES[1]]
    with memo_session(tmp_path):
        index = site_index(edited).scripts()
    assert "Agreement" in index["search/0.js"] and "Bond" not in index["search/0.js"]


def test_pages_named_by_what_they_are_made_from_are_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page's prose by its cache entry and a component's sections by its payload's memo key."""
    worksheet = WORKSHEET
    pages = [
        SearchPage("Lesson", "lessons/one.html", True, BODY, [worksheet], ["entry-1", ["payload-1"]]),
        PAGES[1],
    ]
    plain = site_index([SearchPage(p.title, p.url, p.notebook, p.body, p.payloads) for p in pages]).scripts()
    assert "pulled" in plain["search/0.js"]
    with memo_session(tmp_path):
        assert site_index(pages).scripts() == plain
    _memo._stores.clear()
    refuse(monkeypatch, "_read_sections", "_component_sections")
    with memo_session(tmp_path):
        assert site_index(pages).scripts() == plain
        edited = {**worksheet, "prompt_html": "<p>What did you notice?</p>"}
        changed = [SearchPage("Lesson", "lessons/one.html", True, BODY, [edited], ["entry-1", ["payload-2"]])]
        with pytest.raises(AssertionError, match="recomputed"):
            site_index(changed)  # a new payload key: its sections are read again


def test_the_index_names_pages_without_the_html_every_one_ends_in() -> None:
    index = site_index(PAGES)
    assert [p[1] for p in index.index()["pages"]] == ["lessons/one", "other"]
    with pytest.raises(ValueError, match=r"must end in \.html: notes\.txt"):
        index.add("Notes", "notes.txt", 2, [("", "Notes", "text")])


def test_an_unchanged_page_gives_its_part_with_one_look_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page known by what it is made from: its body is not read, nor its payloads built, for the index."""
    worksheet = WORKSHEET

    def pages(body: Any, payloads: Any) -> list[SearchPage]:
        return [SearchPage("Lesson", "lessons/one.html", True, body, payloads, ["entry-1", ["payload-1"]])]

    plain = site_index(pages(BODY, [worksheet])).scripts()
    with memo_session(tmp_path):
        assert site_index(pages(BODY, [worksheet])).scripts() == plain
    _memo._stores.clear()

    def never() -> Any:
        raise AssertionError("read what the index did not need")

    refuse(monkeypatch, "words", "_read_sections", "_component_sections")
    with memo_session(tmp_path):
        assert site_index(pages(never, never)).index_script() == plain["search-index.js"]
    _memo._stores.clear()
    with memo_session(tmp_path):  # a text script made again: its sections come from their memos
        assert site_index(pages(never, [worksheet])).scripts() == plain


def test_a_part_of_the_wrong_shape_is_made_again() -> None:
    part = _search.PagePart([("", "a", "A")], ["word"])
    assert _search._PARTS.decode(_search._PARTS.encode(part)) == part
    with pytest.raises(ValueError, match="one string a section"):
        _search._part_from_json([[["", "a", "A"]], []])
    with pytest.raises(TypeError):
        _search._part_from_json([[["", "a"]], [""]])


def test_only_the_text_scripts_of_changed_pages_are_read(tmp_path: Path) -> None:
    """A page's text script is named by what the page is made from; its texts are read only to write it."""
    pages = [
        SearchPage("Lesson", "lessons/one.html", True, BODY, [], ["entry-1", []]),
        SearchPage("Other", "other.html", False, "<p>Plain text.</p>", [], ["entry-2", []]),
    ]
    with memo_session(tmp_path):
        first = site_index(pages)
        keys = [first.text_key(n) for n in range(2)]
        assert (
            first.scripts()
            == site_index([SearchPage(p.title, p.url, p.notebook, p.body) for p in pages]).scripts()
        )
    _memo._stores.clear()
    with memo_session(tmp_path):
        again = site_index([SearchPage(p.title, p.url, p.notebook, _unread, [], p.made_from) for p in pages])
        assert [again.text_key(n) for n in range(2)] == keys and again.digest() == first.digest()
        assert again.index_script() == first.index_script()


def _unread() -> str:
    raise AssertionError("a body was read")


def test_the_texts_of_an_unchanged_page_stay_stored_when_another_page_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page's part reused keeps its sections: a later build that must write its text script reads none."""
    first = SearchPage("Lesson", "lessons/one.html", True, BODY, [], ["entry-1", []])
    other = SearchPage("Other", "other.html", False, "<p>Plain text.</p>", [], ["entry-2", []])
    with memo_session(tmp_path):
        site_index([first, other]).scripts()
    _memo._stores.clear()
    edited = SearchPage("Other", "other.html", False, "<p>Edited text.</p>", [], ["entry-3", []])
    with memo_session(tmp_path):
        index = site_index(
            [SearchPage("Lesson", "lessons/one.html", True, _unread, [], ["entry-1", []]), edited]
        )
        assert "Edited" in index.text_script(1)  # its texts read with its part, the page being new
    _memo._stores.clear()
    refuse(monkeypatch, "_read_sections", "_component_sections")
    with memo_session(tmp_path):
        again = site_index(
            [SearchPage("Lesson", "lessons/one.html", True, _unread, [], ["entry-1", []]), edited]
        )
        assert "metacommunication" in again.text_script(0), "the page's texts, from the memo of its sections"


def test_an_index_is_named_by_its_sections_and_words_not_by_what_its_pages_are_made_from() -> None:
    """The build keeps the last index while this name holds: it must change with any word or heading."""
    known = [
        SearchPage("Lesson", "lessons/one.html", True, BODY, [], ["entry-1", []]),
        SearchPage("Other", "other.html", False, "<p>Plain text.</p>", [], ["entry-2", []]),
    ]
    index = site_index(known)
    remade = [known[0], SearchPage("Other", "other.html", False, "<p>Plain text.</p>", [], ["entry-3", []])]
    assert site_index(remade).digest() == index.digest()  # made again, the same words
    edited = [known[0], SearchPage("Other", "other.html", False, "<p>Other text.</p>", [], ["entry-3", []])]
    assert site_index(edited).digest() != index.digest()
    for body in (
        "<h2 id='plain-text'>Plain text</h2>",  # the same words, one heading more
        "<h2 id='plain-text'>Plain text.</h2>",  # only the heading differs
        "<h2 id='other'>Plain text.</h2>",  # only the anchor differs (not the heading's slug)
    ):
        one = site_index([known[0], SearchPage("Other", "other.html", False, body, [], None)])
        for other in (
            "<h2 id='plain-text'>Plain text</h2>",
            "<h2 id='plain-text'>Plain text.</h2>",
            "<h2 id='other'>Plain text.</h2>",
        ):
            two = site_index([known[0], SearchPage("Other", "other.html", False, other, [], None)])
            assert (one.digest() == two.digest()) == (body == other), (body, other)
        assert one.digest() != index.digest()


def test_the_name_of_a_text_script_says_which_page_each_component_is_indexed_on() -> None:
    """A component shown on a lesson is indexed on its own page once there is one, on the lesson before."""
    lesson = SearchPage("Lesson", "lessons/one.html", True, BODY, [WORKSHEET], ["entry-1", ["payload-1"]])
    own = SearchPage(
        "Reflection",
        "exercise/w1.html",
        False,
        f"<div {_search.STANDALONE}></div>",
        [WORKSHEET],
        ["entry-2", ["payload-1"]],
    )
    alone = site_index([lesson])
    assert json.loads(alone.text_key(0)) == [lesson.made_from, ["w1"]]
    both = site_index([lesson, own])
    assert [json.loads(both.text_key(n)) for n in (0, 1)] == [[lesson.made_from, []], [own.made_from, ["w1"]]]
    worksheet = [(page, heading) for page, _, heading in both.sections if heading == "Reflection"]
    assert worksheet == [(1, "Reflection")]  # indexed on its own page only
    assert [(p, h) for p, _, h in alone.sections if h == "Reflection"] == [(0, "Reflection")]


def _made(made_from: Any) -> SearchPage:
    return SearchPage("Lesson", "lessons/one.html", True, BODY, [], made_from, False)


def test_the_parts_record_gives_a_part_only_for_a_page_made_from_what_it_was(tmp_path: Path) -> None:
    """A page made from the same (cache entry, payload keys) gives its recorded digest; another is read."""
    from curriculum.site._search import part_digest
    from curriculum.site._search_parts import PartRecord

    path = tmp_path / "search-parts.json"
    page = _made(["entry", []])
    record = PartRecord(path, "site")
    assert record.placement(page.url) is None and not record.knows(page)
    heads = IndexHeads([["Lesson", "lessons/one", 0, 2]], ["", "The alliance"], {"1": "alliance"})
    record.update(["an index"], [page], ["recorded"], {page.url: (0, ["w1"])}, heads)
    record.save()
    again = PartRecord(path, "site")
    assert again.knows(page) and again.digests([page]) == ["recorded"]
    assert again.placement(page.url) == (0, ["w1"]) and again.recorded_digests([page.url])[0] == "recorded"
    assert again.made_from(page.url) == page.made_from_key == '["entry",[]]'
    assert again.describes(["an index"]) and not again.describes(["another index"])
    assert again.heads() == heads and again.heads() is not again.heads(), "a copy each time: it is patched"
    changed = _made(["another entry", []])
    assert not again.knows(changed) and again.digests([changed]) == [part_digest(changed.part())]
    assert PartRecord(path, "another site").placement(page.url) is None, "another site's record is ignored"


def test_a_page_the_parts_record_gives_is_known_without_encoding_what_it_is_made_from(tmp_path: Path) -> None:
    """The record keeps what a page is made from as data: the page's is compared with it, not encoded.

    Only data of the shape the build gives (strings: an entry and a list of
    keys) is kept so: other data, which could equal data of another JSON text
    (``1 == True``), is never given.
    """
    from curriculum.site._search_parts import PartRecord

    path = tmp_path / "search-parts.json"
    pages = [_made(["entry", ["k"]]), SearchPage("Odd", "odd.html", False, BODY, [], ["entry", [True]])]
    record = PartRecord(path, "site")
    record.update(["an index"], pages, ["d", "e"], {}, None)
    record.save()
    again = [_made(["entry", ["k"]]), SearchPage("Odd", "odd.html", False, BODY, [], ["entry", [1]])]
    record = PartRecord(path, "site")
    assert record.knows(again[0]) and "made_from_key" not in vars(again[0]), "its key was not made"
    assert record.made_from(again[0].url) == again[0].made_from_key == '["entry",["k"]]'
    assert not record.knows(again[1]) and record.made_from(again[1].url) is None
    assert not record.knows(_made(["entry", ["k", "l"]])) and not record.knows(_made(("entry", ["k"])))


def test_heads_a_build_keeps_are_neither_decoded_nor_encoded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record saved again with its heads as they were (a page's entry changed) leaves their text be."""
    from curriculum.site import _search_parts
    from curriculum.site._search_parts import PartRecord

    path = tmp_path / "search-parts.json"
    page = _made(["entry", []])
    heads = IndexHeads([["Lesson", "lessons/one", 0, 2]], ["", "The alliance"], {"1": "alliance"})
    record = PartRecord(path, "site")
    record.update(["an index"], [page], ["recorded"], {page.url: (0, ["w1"])}, heads)
    record.save()
    touched: list[str] = []

    def _seen(data: Any, how: str) -> None:
        if data == heads.as_json() or (isinstance(data, dict) and "heads" in data):
            touched.append(how)

    loads, dumps = json.loads, json.dumps
    monkeypatch.setattr(
        _search_parts.json, "loads", lambda text: _seen(found := loads(text), "decoded") or found
    )
    monkeypatch.setattr(
        _search_parts.json, "dumps", lambda data, **kw: _seen(data, "encoded") or dumps(data, **kw)
    )
    again = PartRecord(path, "site")
    again.update(["an index"], [page], ["changed"], {page.url: (0, ["w1"])}, None)
    again.save()
    assert touched == [], "the heads' text is written back as it was read"
    monkeypatch.undo()
    last = PartRecord(path, "site")
    assert last.recorded_digests([page.url])[0] == "changed" and last.heads() == heads


def test_an_edit_of_one_page_writes_its_entry_and_leaves_the_heads_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record saved with one page's entry changed writes that entry (its changes), sealed; not its heads.

    The heads' file is read only when asked for, and is no heads once changed
    since the record named it (by its digest), as a record changed in place is no record.
    """
    from curriculum.content import _record_changes
    from curriculum.site import _search_parts
    from curriculum.site._search_parts import PartRecord

    path = tmp_path / "search-parts.json"
    pages = [SearchPage("Page", f"page-{n}.html", False, BODY, [], [f"entry-{n}", []]) for n in range(50)]
    heads = IndexHeads([["Lesson", "lessons/one", 0, 2]], ["", "The alliance"], {"1": "alliance"})
    placed = {p.url: (n, []) for n, p in enumerate(pages)}
    record = PartRecord(path, "site")
    record.update(["an index"], pages, ["recorded"] * 50, placed, heads)
    record.save()
    base = path.read_bytes()
    touched: list[str] = []
    for module in (_record_changes, _search_parts):
        write = module.write_atomic
        monkeypatch.setattr(
            module, "write_atomic", lambda p, data, w=write, **kw: touched.append(p.name) or w(p, data, **kw)
        )
    read = _search_parts.read_existing
    monkeypatch.setattr(
        _search_parts, "read_existing", lambda p, n: touched.append(f"read {p.name}") or read(p, n)
    )
    again = PartRecord(path, "site")
    again.update(["an index"], pages, ["changed", *["recorded"] * 49], placed, None)
    again.save()
    assert touched == ["search-parts.changes.json"] and path.read_bytes() == base
    changes = (tmp_path / "search-parts.changes.json").read_text()
    assert changes.startswith('{"digest": ') and "page-0.html" in changes and "page-1.html" not in changes
    last = PartRecord(path, "site")
    assert (
        last.recorded_digests(["page-0.html"])[0] == "changed"
        and last.recorded_digests(["page-1.html"])[0] == "recorded"
    )
    assert last.heads() == heads and touched[-1] == "read search-heads.json"
    named = tmp_path / "search-heads.json"
    named.write_text(named.read_text().replace("The alliance", "Alliance"))  # heads still, of another index
    assert last.has_heads and last.heads() is None


def test_the_parts_a_record_gives_are_kept_in_the_memo_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages the record knows keep their parts unread, in one call: the memo's store is found once."""
    from curriculum.site._search_parts import PartRecord

    path = tmp_path / "search-parts.json"
    pages = [
        SearchPage(f"Page {n}", f"page-{n}.html", False, f"<p>Page {n} text.</p>", [], [f"entry-{n}", []])
        for n in range(5)
    ]
    with memo_session(tmp_path / "memo"):
        record = PartRecord(path, "site")
        digests = record.digests(pages)
        record.update(["an index"], pages, digests, {}, None)
        record.save()
    _memo._stores.clear()
    stores: list[str] = []
    store = _memo.Memo._store
    monkeypatch.setattr(_memo.Memo, "_store", lambda memo: stores.append(memo.namespace) or store(memo))
    unread = [SearchPage(p.title, p.url, False, _unread, [], p.made_from) for p in pages]  # never read
    new = SearchPage("New", "new.html", False, "<p>New text.</p>", [], ["entry-new", []])
    with memo_session(tmp_path / "memo"):
        assert PartRecord(path, "site").digests(unread) == digests
        assert stores.count("search.page") == 1, stores
        new.part()  # a page the record does not know has its part made: the memo's store is written again
    _memo._stores.clear()
    with memo_session(tmp_path / "memo"):
        assert _search.stored_part(new.made_from_key) is not None, "the store was written again"
        assert all(_search.stored_part(page.made_from_key) == page.part() for page in pages), "kept"


def test_what_names_the_pages_is_their_json_made_of_each_ones_key() -> None:
    """The search stage names its pages with the text the JSON encoder makes, in one call: each key as text.

    Each page's key (what it is made from) is encoded once a page, and named by that text.
    """
    from curriculum.site._search_stage import _pages_key

    pages = [
        SearchPage('Café "quoted"', "lessons/one.html", True, _unread, [], ["entrée", ["k1", "k2"]]),
        SearchPage("Other", "other.html", False, _unread, [], ["entry", []]),
        SearchPage("Odd", "odd.html", False, _unread, [], ["entry", [1, None]]),  # any JSON data
    ]
    made = [[p.title, p.url, p.notebook, json.dumps(p.made_from, separators=(",", ":"))] for p in pages]
    assert _pages_key(pages) == json.dumps(made, separators=(",", ":"))
    assert [p.made_from_key for p in pages] == [json.dumps(p.made_from, separators=(",", ":")) for p in pages]


def test_what_names_the_index_is_its_pages_titles_urls_and_kinds_then_their_parts_digests() -> None:
    """The index's name tells pages apart by each title, URL and kind, and by each part's digest (None too).

    Made without encoding the pages as JSON: their texts are joined, after
    their lengths, so that no two lists of pages give the same bytes; the
    pages are hashed once for the two names a patched index is asked about.
    """
    from curriculum.site._search_parts import index_namer
    from curriculum.site._search_stage import _frame

    def page(title: str, url: str, notebook: bool = False, standalone: bool | None = False) -> SearchPage:
        return SearchPage(title, url, notebook, _unread, standalone_known=standalone)

    pages = [page('Café "quoted" \u2014 ü', "lessons/one.html", True), page("Quiz\n", "quizzes/q.html", True)]
    digests = ["abc", None]
    name = index_namer(_frame(pages))(digests)
    others = [
        [page('Café "quoted" \u2014 u', "lessons/one.html", True), pages[1]],  # a title
        [page('Café "quoted" \u2014 ü', "lessons/one.htm", True), pages[1]],  # a URL
        [page('Café "quoted" \u2014 ü', "lessons/one.html"), pages[1]],  # a kind
        [pages[0], page("Quiz\n", "quizzes/q.html", True, True)],  # standalone
        [page('Café "quoted" \u2014 üQ', "lessons/one.html", True), page("uiz\n", "quizzes/q.html", True)],
        [pages[1], pages[0]],  # their order
        pages[:1],  # one page fewer
    ]
    assert len({name, *(index_namer(_frame(other))(digests) for other in others)}) == 1 + len(others)
    assert index_namer(_frame(pages))(["abc", "None0"]) != name != index_namer(_frame(pages))(["abc", "d"])
    assert _frame(pages) == _frame([*pages])  # the same pages, the same bytes
    reads = page(
        "Other", "other.html", standalone=None
    )  # one that reads its body to say whether it is standalone
    reads.body_from = '<div class="cur-standalone"></div>'
    assert _frame([reads]) == _frame([page("Other", "other.html", standalone=True)])
    assert index_namer(_frame([]))([]) == index_namer(_frame([]))([])


def test_a_parts_record_is_read_as_sealed_and_is_none_once_changed_in_place(tmp_path: Path) -> None:
    """A record sealed as this code seals it is trusted as read (no entry is checked one by one).

    Changed in place, even in an entry's digest, it is no record; nor is one of another site.
    """
    from curriculum.site._search_parts import PartRecord
    from tests.site.searchcheck import write_parts

    path = tmp_path / "search-parts.json"
    page = _made(["entry", []])
    write_parts(path, {"shared": "site", "pages": {page.url: [page.made_from, "d", 0, ["w"], "s", "k"]}})
    record = PartRecord(path, "site")
    assert record.knows(page) and record.placement(page.url) == (0, ["w"])
    assert record.digests([page]) == ["d"] and record.script_keys([page]) == ["s"]
    assert PartRecord(path, "another site").placement(page.url) is None
    path.write_text(path.read_text().replace('"d"', '"e"'))
    record = PartRecord(path, "site")
    assert record.placement(page.url) is None and not record.knows(page)
    assert record.placements([page]) is None and record.script_keys([page]) == [""]


def test_heads_the_record_names_are_read_as_written(tmp_path: Path) -> None:
    """Heads whose file is the one the sealed record names (by its digest) are trusted as read.

    This code wrote them with the record: nothing of them is checked one by
    one (not even a page whose number of sections is not its number of
    headings). Changed since, they are none.
    """
    from curriculum.site._search_parts import HEADS_FILE, PartRecord
    from tests.site.searchcheck import write_parts

    path = tmp_path / "search-parts.json"
    heads = [[["Lesson", "one", 0, 2]], ["Intro"], {"0": "top"}]
    write_parts(path, {"shared": "site", "index": "i", "pages": {}, "heads": heads})
    read = PartRecord(path, "site").heads()
    assert read is not None and read.as_json() == heads
    named = path.with_name(HEADS_FILE)
    named.write_text(named.read_text().replace("top", "Top"))
    assert PartRecord(path, "site").heads() is None


def test_heads_replaced_are_the_heads_of_the_index_with_those_sections() -> None:
    """Renaming headings in place gives the heads a new index of the same sections has (anchors included)."""
    index = SearchIndex()
    index.add("Lesson", "lessons/one.html", 0, [("", "", "Intro"), ("the-alliance", "The alliance", "Text")])
    index.add("Other", "other.html", 2, [("goals", "Goals and tasks", "More")])
    heads = index.heads()
    as_they_were = [("the-alliance", "The  alliance"), ("goals", "Goals and tasks")]
    assert not heads.replace(1, as_they_were)
    assert heads.replace(1, [("custom", "The  working\nalliance"), ("goals-and-tasks", "Goals and tasks")])
    again = SearchIndex()
    again.add("Lesson", "lessons/one.html", 0, [("", "", "x"), ("custom", "The working alliance", "x")])
    again.add("Other", "other.html", 2, [("goals-and-tasks", "Goals and tasks", "x")])
    assert heads == again.heads() and heads.script(encode([])) == again.heads().script(encode([]))
    assert heads.anchors == {"1": "custom"}
    assert heads.first_sections() == [0, 2]


def test_a_damaged_parts_record_is_no_record(tmp_path: Path) -> None:
    from curriculum.site._search_parts import PartRecord
    from tests.site.searchcheck import write_parts

    path = tmp_path / "search-parts.json"
    path.write_text('{"shared": "site", "pages": [')
    assert PartRecord(path, "site").placement("lessons/one.html") is None
    write_parts(path, {"shared": "site", "pages": {"lessons/one.html": ["entry", "d", 0, [], "", "k"]}})
    assert PartRecord(path, "site").placement("lessons/one.html") == (0, [])
    path.write_text(path.read_text().replace('"d"', '"e"'))  # changed in place: its digest is another's
    assert PartRecord(path, "site").placement("lessons/one.html") is None


def test_a_page_made_from_what_the_record_says_names_its_script_and_part_as_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record keeps the digest of each page's text script's key and its part's memo key, for reuse.

    A page made from what it was gets both from the record (its part kept by
    the recorded key, nothing hashed); a page made from something new, none.
    """
    from curriculum.site import _search_parts
    from curriculum.site._search import part_key
    from curriculum.site._search_parts import PartRecord

    path = tmp_path / "search-parts.json"
    page, alone = _made(["entry", []]), SearchPage("Other", "other.html", False, BODY, [], ["e2", []])
    heads = IndexHeads([["Lesson", "lessons/one", 0, 2]], ["", "The alliance"], {"1": "alliance"})
    record = PartRecord(path, "site")
    placed = {page.url: (0, ["w1"]), alone.url: (-1, [])}
    record.update(["an index"], [page, alone], ["d", "e"], placed, heads, {0: "script digest"})
    record.save()
    kept: list[list[str]] = []
    monkeypatch.setattr(_search_parts, "keep_parts", lambda keys: kept.append(list(keys)))
    monkeypatch.setattr(_search_parts, "part_key", lambda page: pytest.fail("a part's key made again"))
    again = PartRecord(path, "site")
    assert again.script_keys([page, alone]) == ["script digest", ""]  # the other has no text script
    assert again.digests([page, alone]) == ["d", "e"] and kept == [[part_key(page), part_key(alone)]]
    assert again.script_keys([_made(["another entry", []])]) == [""]


def test_heads_read_back_give_the_script_their_text_until_a_heading_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Heads read from their file are not encoded again for the index script, unless one is replaced."""
    index = SearchIndex()
    index.add("Lesson </b>", "lessons/one.html", 0, [("", "", "Intro"), ("custom", "The alliance", "Text")])
    index.add("Other", "other.html", 2, [("goals", "Goals", "More")])
    heads = index.heads()
    text = heads.as_text()
    read = IndexHeads.from_text(text)
    assert read == heads and read.text == text
    postings = encode(["intro", "alliance text", "more goals"])
    whole = heads.script(postings)
    encoded: list[Any] = []
    real = _search._script_json
    monkeypatch.setattr(_search, "_script_json", lambda value: encoded.append(value) or real(value))
    assert read.script(postings) == whole and encoded == []
    assert not read.replace(1, [("custom", "The  alliance")]) and read.script(postings) == whole
    assert encoded == []
    assert read.replace(1, [("custom", "The working alliance")])
    assert read.script(postings) != whole and len(encoded) == 1
    assert IndexHeads.from_text(IndexHeads([], [], {}).as_text()) == IndexHeads([], [], {})


def test_an_index_script_made_as_bytes_is_the_script_and_gives_its_head_back() -> None:
    """The script joined as bytes from its head is the one written as text; its head is read back from it.

    A heading with a quotation mark, a character beyond ASCII and ``</`` does
    not confuse where the words begin.
    """
    index = SearchIndex()
    sections = [("", "", "Intro"), ("c", 'Say ",words":"', "Text")]
    index.add("Lesson “one” </b>", "lessons/one.html", 0, sections)
    heads = index.heads()
    postings = encode(["intro", "say text words"])
    script = _search.index_script(heads.head(), postings)
    assert script == heads.script(postings).encode()
    assert _search.written_head(script) == heads.head()
    assert _search.written_head(script[:-1]) is None and _search.written_head(b"x" + script) is None
