"""Pages cite from the site's one citeproc run: the same HTML as citeproc, one form per work site-wide."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pypandoc
import pytest

from curriculum.content import read_bibliography, read_source
from curriculum.site._citeproc import format_references
from curriculum.site._pandoc import PageBibliography, run_pandoc

BIB = """@article{wright2006,
  author = {Wright, Jesse H.},
  year = {2006},
  title = {Cognitive behavior therapy: basic principles and recent advances},
  journal = {Focus},
}

@book{beck1979,
  author = {Beck, Aaron T.},
  year = {1979},
  title = {Cognitive Therapy of Depression},
  publisher = {Guilford Press},
}

@article{beck1995,
  author = {Beck, Aaron T.},
  title = {A later work},
  journal = {Journal},
  year = {1995},
}

@book{balint1957,
  author = {Balint, Michael},
  title = {The Doctor, His Patient and the Illness},
  publisher = {Pitman},
  year = {1957},
}

@article{balint1969,
  author = {Balint, Enid},
  title = {The possibilities of patient-centered medicine},
  journal = {Journal of the Royal College of General Practitioners},
  year = {1969},
}

@book{adams2001,
  author = {Adams, Ann},
  title = {A first book},
  publisher = {P},
  year = {2001},
}
"""


def _formatted(tmp_path: Path, text: str, *, read_entries: bool = True) -> PageBibliography:
    """A project bibliography of ``text``, with the forms of the site's one citeproc run."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "references.bib"
    path.write_text(text, encoding="utf-8")
    source, _ = read_source(path, "references.bib", tmp_path)
    assert source is not None
    formatted = format_references(read_bibliography(source, with_pandoc=False)[0])
    pandoc = pypandoc.get_pandoc_path() if read_entries else None
    return PageBibliography(path, tmp_path / "cache", formatted, pandoc, text=text)


@pytest.fixture
def bib(tmp_path: Path) -> PageBibliography:
    return _formatted(tmp_path, BIB)


def _with_forms(text: str, bib: PageBibliography) -> tuple[str, str]:
    return run_pandoc(
        pypandoc.get_pandoc_path(), text, "page.qmd", bib.bib, "resident", None, bib.forms_for(text)
    )


def _with_citeproc(text: str, bib: PageBibliography) -> tuple[str, str]:
    return run_pandoc(pypandoc.get_pandoc_path(), text, "page.qmd", bib.bib, "resident")


@pytest.mark.parametrize(
    "page",
    [
        "One work [@wright2006].\n",
        "Two works [@wright2006; @adams2001], in the order written.\n",
        "In text: @beck1979 wrote it. The year only [-@beck1995].\n",
        "Works by one author are cited together [@beck1979; @adams2001; @beck1995].\n",
        "Two authors named Balint are not [@balint1957; @balint1969].\n",
        "## References\n\nThe list goes in its div [@adams2001].\n\n::: {#refs}\n:::\n\n## After\n\nText.\n",
        "No citation here, but an address: someone@example.org.\n",
    ],
)
def test_citations_from_the_table_are_what_citeproc_writes(bib: PageBibliography, page: str) -> None:
    assert bib.forms_for(page) is not None
    assert _with_forms(page, bib) == _with_citeproc(page, bib)


def test_entries_read_once_or_by_each_page_are_the_same(tmp_path: Path) -> None:
    """The entries' HTML read by one Pandoc run for every page, or by each page, gives the same page."""
    page = "Works [@beck1979; @adams2001; @beck1995], @wright2006 and [@balint1969].\n"
    once = _formatted(tmp_path / "once", BIB)
    each = _formatted(tmp_path / "each", BIB, read_entries=False)
    forms, by_page = once.forms_for(page), each.forms_for(page)
    assert forms is not None and by_page is not None
    assert all(isinstance(row[5], str) for row in json.loads(forms.read_text(encoding="utf-8")))
    assert all(row[5] is None for row in json.loads(by_page.read_text(encoding="utf-8")))
    assert _with_forms(page, once) == _with_forms(page, each) == _with_citeproc(page, once)
    entries = next((tmp_path / "once" / "cache").glob("entries-*.json"))
    entries.write_text("{not json", encoding="utf-8")  # a damaged file is made again
    again = _formatted(tmp_path / "once", BIB)
    assert _with_forms(page, again) == _with_forms(page, each)
    assert json.loads(entries.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "page",
    [
        "A locator [@beck1979, p. 5].\n",
        "A prefix [see @beck1979].\n",
        "A key the file does not hold [@nobody2000].\n",
        "---\nnocite: '@adams2001'\n---\n\nOne cited [@beck1979].\n",
        "---\nlink-citations: false\n---\n\nNot linked [@beck1979].\n",
        "---\nreferences:\n- id: inline2000\n  title: Inline\n---\n\nSee [@beck1979].\n",
    ],
)
def test_a_page_the_table_cannot_write_goes_to_citeproc(bib: PageBibliography, page: str) -> None:
    assert _with_forms(page, bib) == _with_citeproc(page, bib)


def test_a_work_is_cited_alike_on_every_page(tmp_path: Path) -> None:
    """Two works by one author in one year are "2020a" and "2020b" on every page, as in the components."""
    entry = "@book{{smith2020{0},\n  author = {{Smith, Jo}},\n  title = {{{1}}},\n  year = {{2020}},\n}}\n\n"
    bib = _formatted(tmp_path, entry.format("x", "Alpha") + entry.format("y", "Beta"))
    page = "Only the second work [@smith2020y].\n"
    _, body = _with_forms(page, bib)
    assert bib.formatted["smith2020y"].parenthetical == "Smith 2020b"
    assert ">Smith 2020b</a>" in body and "Smith, Jo. 2020b." in body
    assert ">Smith 2020</a>" in _with_citeproc(page, bib)[1]  # citeproc alone: only what the page cites


def test_the_table_knows_which_works_share_their_names(bib: PageBibliography) -> None:
    groups = {key: ref.group for key, ref in bib.formatted.items()}
    assert groups["beck1995"] == "beck1979" and groups["beck1979"] == "beck1979"
    assert groups["balint1969"] == "balint1969" and groups["balint1957"] == "balint1957"
    ranks = sorted(bib.formatted, key=lambda key: bib.formatted[key].rank)
    assert ranks == ["adams2001", "balint1969", "balint1957", "beck1979", "beck1995", "wright2006"]


def test_script_in_an_entry_does_not_reach_the_page(bib: PageBibliography) -> None:
    """An entry's HTML is read as a document and passes the safety filter like any page's text."""
    evil = dataclasses.replace(
        bib.formatted["beck1979"],
        html='Beck. <a href="javascript:alert(1)">here</a> <img src="x" onerror="alert(2)"> '
        '<script>alert(3)</script><span class="cur-widget">w</span>',
    )
    bib.formatted = {**bib.formatted, "beck1979": evil}
    _, body = _with_forms("See [@beck1979].\n", bib)
    assert "Beck." in body and "here" in body
    for bad in ("javascript:", "onerror", "<script", "alert(3)", "cur-widget"):
        assert bad not in body.lower()


def test_a_damaged_forms_file_goes_to_citeproc(bib: PageBibliography) -> None:
    page = "Works [@beck1979; @beck1995].\n"
    forms = bib.forms_for(page)
    assert forms is not None
    forms.write_text("[[1, 2", encoding="utf-8")
    html = run_pandoc(pypandoc.get_pandoc_path(), page, "page.qmd", bib.bib, "resident", None, forms)
    assert html == _with_citeproc(page, bib)


def test_a_page_gets_the_forms_of_the_works_it_may_cite_only(bib: PageBibliography) -> None:
    forms = bib.forms_for("[@beck1995] and @adams2001.\n")
    assert forms is not None
    text = forms.read_text(encoding="utf-8")
    assert '"beck1995"' in text and '"adams2001"' in text and "wright2006" not in text
    assert bib.forms_for("No at sign.\n") is None
    bib.prune()  # a file this build asked for stays
    assert forms.is_file()


def test_entries_planted_in_the_cache_by_another_computer_are_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A repository can ship its cache folder: its entries file names another computer's key."""
    from curriculum.site import _pandoc

    page = "See [@beck1979].\n"
    with monkeypatch.context() as elsewhere:
        elsewhere.setattr(_pandoc, "machine_key", lambda: "the key of another computer")
        planted = _formatted(tmp_path, BIB)
        planted.forms_for(page)
    entries = next((tmp_path / "cache").glob("entries-*.json"))
    script = {
        "t": "Div",
        "c": [["", [], []], [{"t": "RawBlock", "c": ["html", "<script>alert(1)</script>"]}]],
    }
    entries.write_text(json.dumps({"beck1979": json.dumps(script)}), encoding="utf-8")
    _, body = _with_forms(page, _formatted(tmp_path, BIB))
    assert "Beck, Aaron T. 1979." in body and "alert(1)" not in body
