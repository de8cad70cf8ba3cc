"""The build formats the bibliography on a thread while it checks, for the text it checked only."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from curriculum.content import load_curriculum
from curriculum.errors import BuildError
from curriculum.site import _citeproc
from curriculum.site._citeproc import FormattingAhead, format_references, formatted_before
from tests.conftest import PROJECT


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copy(PROJECT / "references.bib", tmp_path / "references.bib")
    return tmp_path


def test_the_result_started_ahead_is_the_result(root: Path) -> None:
    bib = load_curriculum(PROJECT).bibliography
    assert bib is not None
    assert FormattingAhead(root).result(bib) == format_references(bib)


def test_a_bibliography_changed_since_is_formatted_again(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ahead = FormattingAhead(root)
    (root / "references.bib").write_text(
        (root / "references.bib").read_text() + "\n@book{later2020,\n  author = {Later, A.},\n"
        "  title = {Added after},\n  publisher = {P},\n  year = {2020},\n}\n"
    )
    calls: list[str] = []
    real = _citeproc.format_references

    def counted(bibliography: object) -> object:
        calls.append("run")
        return real(bibliography)  # type: ignore[arg-type]

    monkeypatch.setattr(_citeproc, "format_references", counted)
    bib = load_curriculum(root).bibliography
    assert bib is not None and "later2020" in bib.keys
    table = ahead.result(bib)
    assert calls == ["run"] and "Later" in table["later2020"].narrative


def test_a_missing_file_or_duplicate_keys_start_nothing(root: Path) -> None:
    entry = "@book{same2000,\n  author = {A, B},\n  title = {T},\n  publisher = {P},\n  year = {2000},\n}\n"
    (root / "references.bib").write_text(entry + entry)
    assert FormattingAhead(root)._future is None  # the check reports them
    (root / "references.bib").unlink()
    assert FormattingAhead(root)._future is None


def test_a_file_pandoc_cannot_read_fails_only_when_asked(root: Path) -> None:
    (root / "references.bib").write_text("@book{broken2000,\n  title = {no closing brace\n")
    ahead = FormattingAhead(root)  # the check stops the build first, with the entry's place
    bib = load_curriculum(root).bibliography
    assert bib is not None
    with pytest.raises(BuildError, match="Pandoc could not format the references"):
        ahead.result(bib)


@pytest.mark.parametrize("damage", ["[1, 2]", '{"smith2000": 3}', '"text"', "{not json", "[" * 100_000])
def test_a_damaged_formatting_cache_is_formatted_again(damage: str) -> None:
    """A cache file of another shape (a list, a number for a work, too deep) is rebuilt, never a traceback."""
    bib = load_curriculum(PROJECT).bibliography
    assert bib is not None
    table = format_references(bib)
    cached = _citeproc._cached(bib)
    cached.write_text(damage, encoding="utf-8")
    assert formatted_before(bib) is None
    assert FormattingAhead(PROJECT).result(bib) == table
    assert json.loads(cached.read_text(encoding="utf-8")).keys() == table.keys()  # rewritten


def test_a_bibliography_formatted_before_is_ready_at_once(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read from the cache when made, so the build can render an edited page before it loads the content."""
    bib = load_curriculum(root).bibliography
    assert bib is not None
    table = format_references(bib)
    monkeypatch.setattr(_citeproc, "format_references", lambda _: pytest.fail("citeproc ran"))
    ahead = FormattingAhead(root)
    assert ahead.ready() and ahead.formatted() == table == ahead.result(bib)


def test_a_bibliography_never_formatted_is_not_ready_until_citeproc_is_done(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    release = threading.Event()
    real = _citeproc.format_references

    def slow(bibliography: object) -> object:
        release.wait(timeout=20)
        return real(bibliography)  # type: ignore[arg-type]

    (root / "references.bib").write_text((root / "references.bib").read_text() + "\n% a new text\n")
    monkeypatch.setattr(_citeproc, "format_references", slow)
    ahead = FormattingAhead(root)
    assert not ahead.ready() and ahead.formatted() is None  # nothing waits for citeproc
    release.set()
    bib = load_curriculum(root).bibliography
    assert bib is not None and ahead.result(bib) == real(bib)


def test_the_text_read_is_formatted_not_the_file_saved_since(root: Path) -> None:
    """The forms are cached under the text the build read: they are its, whatever the file holds now."""
    bib = load_curriculum(root).bibliography
    assert bib is not None
    key = sorted(bib.keys)[0]
    year = re.search(r"\b(19|20)\d\d\b", format_references(bib)[key].parenthetical)
    assert year is not None
    path = root / "references.bib"
    saved = re.sub(rf"(year\s*=\s*\{{?){year[0]}", r"\g<1>1888", path.read_text(encoding="utf-8"))
    assert saved != path.read_text(encoding="utf-8")
    path.write_text(saved, encoding="utf-8")  # the works' years, not their keys
    _citeproc._cached(bib).unlink()  # formatted again, from the text read before the file was saved
    assert year[0] in format_references(bib)[key].parenthetical
