"""Each page hands citeproc only the entries it can cite, and renders the same HTML as with the whole file."""

from __future__ import annotations

from pathlib import Path

import pypandoc
import pytest

from curriculum.site._pandoc import PageBibliography, may_cite, run_pandoc

BIB = """% a comment before the entries
@string{jpp = {Journal of Psychiatric Practice}}

@article{plakun2009,
  author = {Plakun, Eric M. and Sudak, Donna M. and Goldberg, David},
  title = {The {Y} model: an integrated, evidence-based approach},
  journal = jpp,
  year = {2009},
}

@book{beck1979,
  author = {Beck, Aaron T.},
  title = {Cognitive Therapy of Depression},
  publisher = {Guilford Press},
  year = {1979},
}

@article{beck1979b,
  author = {Beck, Aaron T.},
  title = {A second work},
  journal = {Journal},
  year = {1979},
}
"""


@pytest.fixture
def bib(tmp_path: Path) -> PageBibliography:
    (tmp_path / "references.bib").write_text(BIB, encoding="utf-8")
    return _of_file(tmp_path / "references.bib")


def _of_file(path: Path) -> PageBibliography:
    """The pages' bibliography of the file ``path`` as it is now (its cache beside it)."""
    return PageBibliography(path, path.parent / "cache", text=path.read_text(encoding="utf-8"))


def _html(text: str, bib: Path | None) -> tuple[str, str]:
    return run_pandoc(pypandoc.get_pandoc_path(), text, "page.qmd", bib, "resident")


def test_a_page_without_an_at_sign_is_rendered_without_citeproc(bib: PageBibliography) -> None:
    text = "# Heading\n\nNo citation here, [a link](https://example.org).\n"
    assert not may_cite(text)
    assert bib.for_page(text) is None
    assert _html(text, None) == _html(text, bib.bib)


def test_a_page_gets_only_the_entries_it_cites_with_the_strings(bib: PageBibliography) -> None:
    subset = bib.for_page("As shown [@plakun2009, p. 5].\n")
    assert subset is not None and subset != bib.bib
    text = subset.read_text(encoding="utf-8")
    assert "@article{plakun2009," in text and "@string{jpp" in text
    assert "beck1979" not in text


def test_trailing_punctuation_is_not_part_of_a_key(bib: PageBibliography) -> None:
    subset = bib.for_page("@beck1979. And @beck1979b: both.\n")
    assert subset is not None
    text = subset.read_text(encoding="utf-8")
    assert "@book{beck1979," in text and "@article{beck1979b," in text and "plakun2009" not in text


@pytest.mark.parametrize(
    "page",
    [
        "Two works [@beck1979; @beck1979b] and @plakun2009 in text.\n",
        "Year only [-@plakun2009], a locator [see @beck1979, pp. 3-4].\n",
        "An address someone@example.org and a key not in the file [@nobody2000].\n",
    ],
)
def test_the_subset_renders_the_same_html_as_the_whole_file(bib: PageBibliography, page: str) -> None:
    assert _html(page, bib.for_page(page)) == _html(page, bib.bib)


@pytest.mark.parametrize(
    "page",
    ["A braced key @{plakun2009}.\n", "---\nnocite: '@*'\n---\n\nEverything.\n"],
)
def test_braced_keys_and_nocite_everything_get_the_whole_file(bib: PageBibliography, page: str) -> None:
    assert _whole(bib, page)


def _whole(bib: PageBibliography, page: str) -> bool:
    """Whether the page gets the whole text the bibliography read (not the file, which may have changed)."""
    found = bib.for_page(page)
    return found is not None and found != bib.bib and found.read_text(encoding="utf-8") == bib.text


def test_the_whole_file_is_the_text_read_not_the_file_saved_since(bib: PageBibliography) -> None:
    text = bib.bib.read_text(encoding="utf-8")
    bib.bib.write_text(text.replace("2009", "2019"), encoding="utf-8")  # saved after it was read
    assert _whole(bib, "A braced key @{plakun2009}.\n") and bib.text == text


def test_a_crossref_gets_the_whole_file(tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_text(
        BIB + "\n@incollection{part2001,\n  crossref = {beck1979},\n  title = {A chapter},\n}\n",
        encoding="utf-8",
    )
    bib = _of_file(tmp_path / "refs.bib")
    assert _whole(bib, "See [@part2001].\n")


def test_subsets_are_content_addressed(bib: PageBibliography) -> None:
    first = bib.for_page("[@plakun2009]\n")
    assert first is not None
    assert bib.for_page("Again @plakun2009, in other words.\n") == first
    assert bib.for_page("[@beck1979]\n") != first


def test_an_xdata_gets_the_whole_file(tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_text(
        "@xdata{guilford,\n  publisher = {Guilford Press},\n}\n\n"
        "@book{beck1967,\n  author = {Beck, Aaron T.},\n  title = {Depression},\n"
        "  xdata = {guilford},\n  year = {1967},\n}\n",
        encoding="utf-8",
    )
    bib = _of_file(tmp_path / "refs.bib")
    page = "See [@beck1967].\n"
    assert _whole(bib, page)
    assert "Guilford Press" in _html(page, bib.for_page(page))[1]


def test_a_subset_planted_in_the_cache_is_replaced(bib: PageBibliography) -> None:
    """A file at a subset's name is used only if it holds the subset (a cache can come with a repository)."""
    page = "[@plakun2009]\n"
    subset = bib.for_page(page)
    assert subset is not None
    wanted = subset.read_text(encoding="utf-8")
    subset.write_text("@book{plakun2009,\n  title = {Planted},\n}\n", encoding="utf-8")
    assert bib.for_page(page) == subset and subset.read_text(encoding="utf-8") == wanted


def test_a_key_that_starts_with_a_letter_of_another_script_is_in_the_subset(tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_text(
        BIB + "\n@book{Öst2020,\n  author = {Öst, Lars-Göran},\n  title = {A Book},\n  year = {2020},\n}\n",
        encoding="utf-8",
    )
    bib = _of_file(tmp_path / "refs.bib")
    page = "As @Öst2020 shows.\n"
    assert _html(page, bib.for_page(page)) == _html(page, bib.bib)
