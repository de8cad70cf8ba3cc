"""The pager's previous and next links, in sidebar order."""

from __future__ import annotations

from curriculum.site._navigation import Pager
from curriculum.site._sources import Page


def _page(name: str, folder: str = "lessons") -> Page:
    return Page(f"{folder}/{name}.ipynb", f"{folder}/{name}.html", name.title(), "notebook")


def test_each_page_links_to_its_neighbours_in_sidebar_order() -> None:
    first, middle, last = _page("one"), _page("two"), _page("three", "quiz")
    pager = Pager([first, middle, last])
    assert pager.around(first) == (None, {"href": "two.html", "title": "Two"})
    assert pager.around(middle) == (
        {"href": "one.html", "title": "One"},
        {"href": "../quiz/three.html", "title": "Three"},
    )
    assert pager.around(last) == ({"href": "../lessons/two.html", "title": "Two"}, None)
    assert pager.around(_page("elsewhere")) == (None, None)  # not in the sidebar: no pager


def test_a_page_listed_twice_is_placed_where_it_first_is() -> None:
    first, second, third = _page("one"), _page("two"), _page("three")
    pager = Pager([first, second, third, first])
    assert pager.around(first) == (None, {"href": "two.html", "title": "Two"})
    assert pager.around(third) == ({"href": "two.html", "title": "Two"}, {"href": "one.html", "title": "One"})
