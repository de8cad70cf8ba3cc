"""The search stage remembers each page's sections and each section's words: the same index, from the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from curriculum import _memo
from curriculum._memo import memo_session
from curriculum.site import _search
from curriculum.site._search import SearchPage, site_index

BODY = (
    '<h2 id="alliance">The alliance</h2><p>Bond, tasks and goals predict the outcome.</p>'
    '<h2 id="ruptures">Ruptures &amp; repair</h2><p>Withdrawal and confrontation ruptures; '
    "metacommunication repairs them.</p>"
)
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
    worksheet = {
        "component": "worksheet",
        "key": "w1",
        "title": "Reflection",
        "case_html": "<p>A hard visit.</p>",
        "prompt_html": "<p>What pulled at you?</p>",
    }
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
