"""A content file parsed before is read back from the memo: the same data and locations, dates included."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from curriculum import _memo
from curriculum._memo import memo_session
from curriculum.content import _yaml
from curriculum.content._source import Source
from curriculum.content._yaml import parse_yaml
from tests.conftest import REPO

FILES = sorted([*REPO.glob("quizzes/*.yml"), *REPO.glob("vignettes/*.yml"), *REPO.glob("activities/*.yml")])


def _source(path: Path) -> Source:
    return Source(path, path.name, path.read_text(encoding="utf-8"))


def test_every_content_file_comes_back_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = [parse_yaml(_source(p)) for p in FILES]
    with memo_session(tmp_path):
        for path in FILES:
            parse_yaml(_source(path))
    _memo._stores.clear()

    def never(_source: Source) -> None:
        raise AssertionError("parsed again a file the memo holds")

    monkeypatch.setattr(_yaml, "_parse", never)
    with memo_session(tmp_path):
        remembered = [parse_yaml(_source(p)) for p in FILES]
    assert remembered == fresh
    released = [
        data["released"] for data, _, _ in remembered if isinstance(data, dict) and "released" in data
    ]
    assert released and all(type(d) is datetime.date for d in released)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # a duplicate key: reported every time
        "values: !!set {a, b}\n",  # a value JSON cannot hold
        'when: 2026-12-04 10:30:00\nkey:\n  "\\0date": x\n',  # a key that looks like the memo's tag
        "# only a comment\n",
    ],
)
def test_what_the_memo_cannot_hold_is_parsed_each_time(tmp_path: Path, text: str) -> None:
    source = Source(tmp_path / "x.yml", "x.yml", text)
    first = parse_yaml(source)
    with memo_session(tmp_path):
        assert parse_yaml(source) == first
    _memo._stores.clear()
    with memo_session(tmp_path):
        assert parse_yaml(source) == first


def test_remembered_locations_are_decoded_only_when_asked_for(tmp_path: Path) -> None:
    """Most documents of a build are never asked where anything is: their locations stay one string."""
    path = FILES[0]
    fresh = parse_yaml(_source(path))[1]
    with memo_session(tmp_path):
        parse_yaml(_source(path))
    _memo._stores.clear()
    with memo_session(tmp_path):
        _, locs, _ = parse_yaml(_source(path))
    assert "values" not in vars(locs)
    assert locs.value(("title",)) == fresh.value(("title",)) and "values" in vars(locs)
    assert locs == fresh


@pytest.mark.parametrize("stored", ["not json", "[1, 2]", '[[["a", 1]], [], [], []]', "[" * 5000])
def test_damaged_remembered_locations_come_from_the_file_again(stored: str) -> None:
    source = _source(FILES[0])
    fresh = parse_yaml(source)[1]
    locs = _yaml._StoredLocMap(stored, source)
    assert locs.key(("title",)) == fresh.key(("title",)) and locs == fresh
