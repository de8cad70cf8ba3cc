"""The persistent memo of pure text functions: hits, misses, damaged files, what a file keeps."""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import mmap
import os
import sys
import threading
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import curriculum._memo_journal as _memo_journal
from curriculum import _memo
from curriculum._cache import PROJECT_CACHE
from curriculum._memo import Memo, memo_session
from curriculum._plain import MAP_FROM


def _text(data: Any) -> str:
    if not isinstance(data, str):
        raise TypeError("not a string")
    return data


UPPER = Memo[str]("test.upper", 1, str, _text)

FLOOR, SHARE = _memo._JOURNAL_FLOOR, _memo._JOURNAL_SHARE
"""The journal's floor and share, as a build has them: a test's few new entries are journalled."""


@pytest.fixture(autouse=True)
def _compacted_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test's namespace is tiny: its journal is compacted whenever it is written, unless a test says.

    So each session leaves the files with exactly what it used, as a
    compaction does, and the rules of a file rewritten are seen at once; a
    test of the journal puts the floor (:data:`FLOOR`) or the share back.
    """
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", 0)
    monkeypatch.setattr(_memo, "_JOURNAL_SHARE", 1 << 40)


class Calls:
    """A pure function of text that counts its calls (and can refuse to be called)."""

    def __init__(self, *, allowed: bool = True) -> None:
        self.texts: list[str] = []
        self.allowed = allowed

    def __call__(self, text: str) -> Callable[[], str]:
        def compute() -> str:
            assert self.allowed, f"computed {text!r} again"
            self.texts.append(text)
            return text.upper()

        return compute


def new_process() -> None:
    """Forget what this process read, as a new process would."""
    _memo._stores.clear()


def memo_file(root: Path, namespace: str = "test.upper", text: str = "alpha") -> Path:
    """The file that holds (or would hold) the entry of ``text`` (a namespace splits its entries by key)."""
    key = Memo[str](namespace, 1, str, _text).key(text)
    return root / PROJECT_CACHE / "memo" / f"{namespace}.{key[0]}.jsonl"


def memo_text(namespace: str, entries: dict[str, Any]) -> str:
    """A memo file's text: a line naming the namespace, then a line per entry (key, tab, JSON value)."""
    lines = [
        json.dumps({"memo": namespace, "code": _memo.code_key()}),
        *(f"{key}\t{json.dumps(value)}" for key, value in entries.items()),
    ]
    return "\n".join(lines) + "\n"


def read_entries(path: Path) -> dict[str, Any]:
    """The entries of one memo file, parsed."""
    head, *lines = path.read_text().splitlines()
    assert "memo" in json.loads(head)
    return {key: json.loads(value) for key, _, value in (line.partition("\t") for line in lines)}


def stored(root: Path, namespace: str = "test.upper") -> dict[str, Any]:
    """Every entry the files of ``namespace`` hold."""
    entries: dict[str, Any] = {}
    for path in sorted((root / PROJECT_CACHE / "memo").glob(f"{namespace}.?.jsonl")):
        entries.update(read_entries(path))
    return entries


def fill(root: Path, *texts: str, memo: Memo[str] = UPPER, context: str = "") -> Calls:
    calls = Calls()
    with memo_session(root):
        for text in texts:
            assert memo.get(text, calls(text), context=context) == text.upper()
    return calls


def record_first(root: Path, texts: list[str]) -> None:
    """In one session, put ``"first"`` under ``"record"`` and compute ``texts`` (in the same file)."""
    with memo_session(root):
        UPPER.put("record", "first")
        assert all(UPPER.get(text, Calls()(text)) == text.upper() for text in texts)


def test_a_hit_returns_the_stored_value_without_calling_the_function(tmp_path: Path) -> None:
    assert fill(tmp_path, "alpha", "beta", "alpha").texts == ["alpha", "beta"]  # the second alpha: a hit
    new_process()
    refuse = Calls(allowed=False)
    with memo_session(tmp_path):
        assert UPPER.get("alpha", refuse("alpha")) == "ALPHA"
        assert UPPER.get("beta", refuse("beta")) == "BETA"
    entries = read_entries(memo_file(tmp_path))
    memo_file(tmp_path).write_text(memo_text("test.upper", dict.fromkeys(entries, "from the file")))
    new_process()
    with memo_session(tmp_path):
        assert UPPER.get("alpha", refuse("alpha")) == "from the file", "the value comes from the file"


def test_a_changed_text_namespace_version_or_context_misses(tmp_path: Path) -> None:
    fill(tmp_path, "alpha")
    new_process()
    for memo, context in [
        (UPPER, "other context"),
        (Memo[str]("test.other", 1, str, _text), ""),
        (Memo[str]("test.upper", 2, str, _text), ""),
    ]:
        assert fill(tmp_path, "alpha", memo=memo, context=context).texts == ["alpha"]
    assert fill(tmp_path, "alpha!").texts == ["alpha!"]
    keys = {
        UPPER.key("alpha"),
        UPPER.key("alpha", "x"),
        UPPER.key("alpha!"),
        Memo("test.x", 1, str, _text).key("alpha"),
    }
    assert len(keys) == 4


def test_the_code_of_the_package_keys_every_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(tmp_path, "alpha")
    new_process()
    monkeypatch.setattr(_memo, "_code", lambda: "another version of the package")
    monkeypatch.setattr(UPPER, "_prefixes", {})
    assert fill(tmp_path, "alpha").texts == ["alpha"]


def test_outside_a_session_the_function_just_runs_and_nothing_is_written(tmp_path: Path) -> None:
    calls = Calls()
    assert UPPER.get("alpha", calls("alpha")) == UPPER.get("alpha", calls("alpha")) == "ALPHA"
    assert calls.texts == ["alpha", "alpha"]
    assert not (tmp_path / PROJECT_CACHE).exists()


def test_a_file_keeps_only_the_entries_of_the_last_session_that_computed_something(tmp_path: Path) -> None:
    fill(tmp_path, "alpha", "beta")
    new_process()
    fill(tmp_path, "alpha", "gamma")
    entries = stored(tmp_path)
    assert set(entries) == {UPPER.key("alpha"), UPPER.key("gamma")}
    new_process()
    assert fill(tmp_path, "beta", "alpha", "gamma").texts == ["beta"], "beta was dropped"


def test_a_one_text_change_rewrites_only_the_files_of_its_old_and_new_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A namespace's entries are split by the first digit of their key, so an edit rewrites little
    (when it is not journalled: here the journal is compacted at once)."""
    texts = [f"text {n}" for n in range(400)]  # so that every one of the 16 files holds some
    fill(tmp_path, *texts)
    files = sorted((tmp_path / PROJECT_CACHE / "memo").glob("test.upper.?.jsonl"))
    assert len(files) == 16 and set(stored(tmp_path)) == {UPPER.key(t) for t in texts}
    times = {f: f.stat().st_mtime_ns for f in files}
    for f in files:
        os.utime(f, ns=(1, 1))  # an old time, so a rewrite shows whatever the clock's resolution
    monkeypatch.setattr(_memo, "_JOURNAL_SHARE", 1 << 40)  # the journal is compacted at its next write
    new_process()
    edited = [*texts[1:], "text 0, edited"]
    assert fill(tmp_path, *edited).texts == ["text 0, edited"]
    rewritten = {f for f in files if not f.exists() or f.stat().st_mtime_ns != 1}
    assert rewritten == {memo_file(tmp_path, text=t) for t in ["text 0", "text 0, edited"]}, times
    assert set(stored(tmp_path)) == {UPPER.key(t) for t in edited}


def test_a_one_text_change_among_small_files_writes_only_the_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However small the files, appending to the journal costs less than replacing one: the new entry
    is journalled, the old one stays in its file (stale, fewer than the entries used)."""
    texts = [f"text {n}" for n in range(400)]  # so that every one of the 16 files holds some
    fill(tmp_path, *texts)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", FLOOR)  # from now on, what is new is journalled
    assert max(p.stat().st_size for p in memo_file(tmp_path).parent.glob("test.upper.?.jsonl")) < 4096
    before = snapshot(tmp_path)
    new_process()
    edited = [*texts[1:], "text 0, edited"]
    assert fill(tmp_path, *edited).texts == ["text 0, edited"]
    after = snapshot(tmp_path)
    assert {name: after[name] for name in before} == before, "no file was rewritten"
    assert journal_entries(journal_file(tmp_path)) == {UPPER.key("text 0, edited"): "TEXT 0, EDITED"}
    assert UPPER.key("text 0") in stored(tmp_path)
    new_process()
    assert fill(tmp_path, "text 0", *edited).texts == []


def test_a_session_ends_looking_only_at_the_files_the_memo_folder_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder is listed once: a file of the namespace it lacks is neither measured nor removed."""
    fill(tmp_path, "alpha")
    new_process()
    looked: list[str] = []
    remove, size = _memo._remove, _memo._Store.size

    def removed(path: Path) -> None:
        looked.append(path.name)
        remove(path)

    def measured(store: Any, shard: str) -> int:
        looked.append(store.path(shard).name)
        return size(store, shard)

    monkeypatch.setattr(_memo, "_remove", removed)
    monkeypatch.setattr(_memo._Store, "size", measured)
    fill(tmp_path, "beta")
    assert set(looked) <= {memo_file(tmp_path, text=t).name for t in ["alpha", "beta"]}, looked
    assert set(stored(tmp_path)) == {UPPER.key("beta")}, "the entry the session did not use is gone"


@pytest.mark.parametrize("name", ["test.upper.json", "test.upper.3.json"])
def test_the_files_of_an_earlier_version_are_removed(tmp_path: Path, name: str) -> None:
    """One JSON document per namespace, then per first digit: written in the new form, the old goes."""
    legacy = tmp_path / PROJECT_CACHE / "memo" / name
    legacy.parent.mkdir(parents=True)
    legacy.write_text(json.dumps({"memo": "test.upper", "entries": {UPPER.key("alpha"): "OLD"}}))
    assert fill(tmp_path, "alpha").texts == ["alpha"]
    assert not legacy.exists() and stored(tmp_path) == {UPPER.key("alpha"): "ALPHA"}


def test_a_session_that_computes_nothing_new_writes_nothing(tmp_path: Path) -> None:
    fill(tmp_path, "alpha", "beta")
    memo_file(tmp_path).write_text(memo_file(tmp_path).read_text() + " ")  # a mark the writer would remove
    new_process()
    fill(tmp_path, "alpha")
    assert memo_file(tmp_path).read_text().endswith(" ")


def test_a_session_cut_short_keeps_the_entries_it_did_not_reach(tmp_path: Path) -> None:
    fill(tmp_path, "alpha", "beta")
    new_process()
    with pytest.raises(RuntimeError), memo_session(tmp_path):
        UPPER.get("gamma", Calls()("gamma"))
        raise RuntimeError
    entries = stored(tmp_path)
    assert set(entries) == {UPPER.key("alpha"), UPPER.key("beta"), UPPER.key("gamma")}


def test_each_session_of_a_process_keeps_what_it_used(tmp_path: Path) -> None:
    """As ``curriculum serve`` builds again and again in one process."""
    fill(tmp_path, "alpha", "beta")
    fill(tmp_path, "alpha", "gamma")
    entries = stored(tmp_path)
    assert set(entries) == {UPPER.key("alpha"), UPPER.key("gamma")}


def test_without_a_project_the_memo_lives_in_the_user_cache_folder() -> None:
    with memo_session(None):
        UPPER.get("outside", Calls()("outside"))
    key = UPPER.key("outside")
    assert key in read_entries(_memo.cache_dir() / "memo" / f"test.upper.{key[0]}.jsonl")


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe not utf-8",
        b"[1, 2, 3]",
        b'{"memo": "another.memo"}\n',
        b'{"memo": "test.upper"}\nnot an entry\n\tnor this\nshort-key\t"x"\n',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"memo": "test.upper"}\n' + b"0" * 64 + b"\t" + b"[" * 100_000 + b"]" * 100_000 + b"\n",
        b'{"memo": "test.upper"}\n' + b"0" * 64 + b'\t"\xff"\n',
    ],
    ids=[
        "invalid-json",
        "invalid-utf8",
        "not-an-object",
        "foreign",
        "not-entries",
        "deeply-nested",
        "deeply-nested-value",
        "value-not-utf8",
    ],
)
def test_a_damaged_or_foreign_file_is_ignored_and_rebuilt(tmp_path: Path, content: bytes) -> None:
    memo_file(tmp_path).parent.mkdir(parents=True)
    memo_file(tmp_path).write_bytes(content.replace(b"0" * 64, UPPER.key("alpha").encode()))
    assert fill(tmp_path, "alpha").texts == ["alpha"]
    assert stored(tmp_path) == {UPPER.key("alpha"): "ALPHA"}


def test_a_value_of_the_wrong_shape_is_recomputed(tmp_path: Path) -> None:
    memo_file(tmp_path).parent.mkdir(parents=True)
    memo_file(tmp_path).write_text(memo_text("test.upper", {UPPER.key("alpha"): ["not", "a", "string"]}))
    assert fill(tmp_path, "alpha").texts == ["alpha"]


def test_a_file_over_the_size_limit_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(tmp_path, "alpha")
    new_process()
    monkeypatch.setattr(_memo, "MAX_BYTES", memo_file(tmp_path).stat().st_size - 1)
    assert fill(tmp_path, "alpha").texts == ["alpha"]


def test_a_session_inside_another_of_the_same_folder_is_part_of_it(tmp_path: Path) -> None:
    """As a build's check stage is part of the build: what both use is written once, at the end."""
    other = Memo[str]("test.other", 1, str, _text)
    with memo_session(tmp_path):
        UPPER.get("before", Calls()("before"))
        with memo_session(tmp_path):
            UPPER.get("inside", Calls()("inside"))
            other.get("inside", Calls()("inside"))
        assert not stored(tmp_path) and not stored(tmp_path, "test.other")
        UPPER.get("after", Calls()("after"))
    entries = stored(tmp_path)
    assert set(entries) == {UPPER.key("before"), UPPER.key("inside"), UPPER.key("after")}
    assert set(stored(tmp_path, "test.other")) == {other.key("inside")}


def test_a_session_inside_another_of_another_folder_writes_its_own(tmp_path: Path) -> None:
    with memo_session(tmp_path / "a"):
        UPPER.get("a", Calls()("a"))
        with memo_session(tmp_path / "b"):
            UPPER.get("b", Calls()("b"))
        assert set(stored(tmp_path / "b")) == {UPPER.key("b")}
    assert set(stored(tmp_path / "a")) == {UPPER.key("a")}


def test_a_failed_session_does_not_stop_the_next_one_writing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), memo_session(tmp_path):
        UPPER.get("alpha", Calls()("alpha"))
        raise RuntimeError
    fill(tmp_path, "beta")
    assert UPPER.key("beta") in stored(tmp_path)


def test_a_memo_file_from_another_computer_matches_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A memo file committed to a repository cannot plant values (say, HTML the sanitiser never saw)."""
    fill(tmp_path, "alpha")
    new_process()
    monkeypatch.setattr(_memo, "_secret", lambda: "the key of another computer")
    monkeypatch.setattr(UPPER, "_prefixes", {})
    assert fill(tmp_path, "alpha").texts == ["alpha"]


def test_the_computer_key_is_made_once_and_kept_private() -> None:
    key = _memo._secret.__wrapped__()
    path = _memo.cache_dir() / "memo-key"
    assert path.read_text().strip() == key == _memo._secret.__wrapped__() and len(key) == 64
    assert path.stat().st_mode & 0o077 == 0


def test_a_new_release_of_a_memoised_library_keys_every_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    before = _memo._code.__wrapped__()
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "99" if name == "nh3" else real(name))
    assert _memo._code.__wrapped__() != before


def test_a_template_of_the_package_keys_every_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    """A generated page is made with templates: editing one voids what the memo holds (as code does)."""
    monkeypatch.setattr(_memo, "package_digests", _memo.package_digests.__wrapped__)  # read again
    before = _memo._code.__wrapped__()
    template = next(Path(_memo.__file__).parent.rglob("*.j2"))
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda p: real(p) + (b"{# edited #}" if p == template else b""))
    assert _memo._code.__wrapped__() != before


def test_a_link_at_the_memo_file_is_not_followed(tmp_path: Path) -> None:
    """A memo folder can come with a repository: a link in it reads nothing elsewhere."""
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(memo_text("test.upper", {UPPER.key("alpha"): "from elsewhere"}))
    memo_file(tmp_path).parent.mkdir(parents=True)
    memo_file(tmp_path).symlink_to(elsewhere)
    assert fill(tmp_path, "alpha").texts == ["alpha"]
    assert "from elsewhere" in elsewhere.read_text() and not memo_file(tmp_path).is_symlink()


def test_the_memo_folder_is_checked_once_a_session_and_nothing_is_written_where_it_leads_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file is written in one folder: it is checked once (every link followed), not once a file;
    a folder linked outside the project gets nothing written nor removed."""
    import curriculum.content
    import curriculum.content._files

    checks, inside = [], curriculum.content.inside

    def counted(*args: Any, **kwargs: Any) -> Path:
        checks.append(args)
        return inside(*args, **kwargs)

    monkeypatch.setattr(curriculum.content, "inside", counted)
    monkeypatch.setattr(curriculum.content._files, "inside", counted)  # as the writer calls it
    texts = [f"text {n}" for n in range(40)]
    fill(tmp_path, *texts)
    assert len(list(memo_file(tmp_path).parent.glob("test.upper.?.jsonl"))) > 8 and len(checks) == 1
    elsewhere, project = tmp_path / "elsewhere", tmp_path / "project"
    elsewhere.mkdir()
    stale = elsewhere / memo_file(project).name
    stale.write_text(memo_text("test.upper", {UPPER.key("alpha"): "STALE"}))
    (project / PROJECT_CACHE).mkdir(parents=True)
    (project / PROJECT_CACHE / "memo").symlink_to(elsewhere)
    fill(project, "beta")
    assert [p.name for p in elsewhere.iterdir()] == [stale.name], "nothing written or removed there"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_at_the_memo_file_does_not_block(tmp_path: Path) -> None:
    memo_file(tmp_path).parent.mkdir(parents=True)
    os.mkfifo(memo_file(tmp_path))
    done: list[Calls] = []
    worker = threading.Thread(target=lambda: done.append(fill(tmp_path, "alpha")), daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert done and done[0].texts == ["alpha"], "the memo waited on a pipe"


def test_a_value_reused_from_a_memo_keeps_the_entries_it_was_computed_from(tmp_path: Path) -> None:
    """A payload from the memo rests on rendered Markdown no one asked for this time: that stays."""
    outer = Memo[str]("test.outer", 1, str, _text, keeps=("test.upper",))

    def shout(text: str) -> Callable[[], str]:
        return lambda: UPPER.get(text, Calls()(text)) + "!"

    with memo_session(tmp_path):
        assert outer.get("alpha", shout("alpha")) == "ALPHA!"
    new_process()
    with memo_session(tmp_path):
        assert outer.get("alpha", shout("never computed")) == "ALPHA!"  # from the memo
        UPPER.get("beta", Calls()("beta"))  # something new, so the inner memo is written
    assert set(stored(tmp_path)) == {UPPER.key("alpha"), UPPER.key("beta")}
    new_process()
    with memo_session(tmp_path):  # nothing reused: the inner memo keeps what this session used
        assert outer.get("gamma", shout("gamma")) == "GAMMA!"
    assert set(stored(tmp_path)) == {UPPER.key("gamma")}
    assert set(stored(tmp_path, "test.outer")) == {outer.key("gamma")}


def test_a_file_written_by_other_code_counts_as_empty_and_its_entries_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an upgrade no old key can be asked for: a file of other code is not searched, and its
    entries go when it is written again, even in a namespace kept whole."""
    outer = Memo[str]("test.outer", 1, str, _text, keeps=("test.upper",))

    def shout(text: str) -> Callable[[], str]:
        return lambda: UPPER.get(text, Calls()(text)) + "!"

    with memo_session(tmp_path):
        assert outer.get("alpha", shout("alpha")) == "ALPHA!"
    (old_key,) = stored(tmp_path)
    monkeypatch.setattr(_memo, "_code", lambda: "another version")  # what an upgrade changes
    for memo in (outer, UPPER):
        monkeypatch.setattr(memo, "_prefixes", {})  # keys made anew, as in the new version's process
    new_process()
    searched: list[bytes] = []
    search = _memo._search
    monkeypatch.setattr(_memo, "_search", lambda *args, **kw: searched.append(args[2]) or search(*args, **kw))
    with memo_session(tmp_path):
        assert outer.get("alpha", shout("alpha")) == "ALPHA!"  # computed again: a new key
    assert searched == [], "a file of other code is not searched"
    new_process()
    beside = next(t for t in (f"text {n}" for n in range(1000)) if UPPER.key(t)[0] == old_key[0])
    with memo_session(tmp_path):
        assert outer.get("alpha", shout("never")) == "ALPHA!"  # reused: test.upper is kept whole
        UPPER.get(beside, Calls()(beside))  # new in the old file: written again, without the old entry
    assert set(stored(tmp_path)) == {UPPER.key("alpha"), UPPER.key(beside)}
    heads = [f.read_text().partition("\n")[0] for f in (tmp_path / PROJECT_CACHE / "memo").glob("*.jsonl")]
    assert all(json.loads(head)["code"] == "another version" for head in heads)


def test_a_value_reused_is_written_back_as_it_was_read(tmp_path: Path) -> None:
    """Values are parsed only when asked for; one reused goes back to its file unparsed, as it was."""
    key = UPPER.key("alpha")
    other = next(t for t in (f"text {n}" for n in range(1000)) if UPPER.key(t)[0] == key[0])
    memo_file(tmp_path).parent.mkdir(parents=True)
    memo_file(tmp_path).write_text(memo_text("test.upper", {}) + f'{key}\t"\\u0041LPHA"\n')
    with memo_session(tmp_path):
        assert UPPER.get("alpha", Calls(allowed=False)("alpha")) == "ALPHA"
        UPPER.get(other, Calls()(other))  # something new in the same file, so the file is written
    text = memo_file(tmp_path).read_text()
    assert f'{key}\t"\\u0041LPHA"' in text and UPPER.key(other) in text


def test_a_value_held_is_neither_copied_nor_parsed_and_stays_when_its_file_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``held`` asks whether the entry is there, not for its value (a generated page's is large); the
    entry, kept unread, is copied from its file when the session rewrites that file."""
    key = UPPER.key("alpha")
    other = next(t for t in (f"text {n}" for n in range(1000)) if UPPER.key(t)[0] == key[0])
    with memo_session(tmp_path):
        UPPER.get("alpha", Calls()("alpha"))  # the file written sorted: looked up where it lies
    new_process()
    copied: list[bool] = []
    search = _memo._search
    with memo_session(tmp_path):
        with monkeypatch.context() as patched:
            spy = lambda *args, **kw: copied.append(kw.get("value", True)) or search(*args, **kw)  # noqa: E731
            patched.setattr(_memo, "_search", spy)
            patched.setattr(_memo, "_Raw", None)  # a value read whole would be made one
            assert UPPER.held("alpha") == key
            assert UPPER.held("absent") is None
        UPPER.get(other, Calls()(other))  # something new in the same file, so the file is written
    assert copied and not any(copied), "looked up without copying its value"
    assert set(stored(tmp_path)) == {key, UPPER.key(other)}


def test_entries_are_written_sorted_and_found_where_they_lie(tmp_path: Path) -> None:
    """A file's lines are sorted by key and counted in its header; each key is found by binary search."""
    texts = [f"text {n} " + "x" * (n % 300) for n in range(3000)]  # files of a few hundred KB each
    fill(tmp_path, *texts)
    for path in (tmp_path / PROJECT_CACHE / "memo").glob("test.upper.?.jsonl"):
        head, *lines = path.read_bytes().splitlines()
        keys = [line.split(b"\t")[0] for line in lines]
        assert keys == sorted(keys) and json.loads(head)["sorted"] == len(lines)
    new_process()
    searched: list[bytes] = []
    search = _memo._search
    with memo_session(tmp_path):
        _memo._search = lambda *args, **kw: searched.append(args[2]) or search(*args, **kw)  # type: ignore[assignment]
        try:
            calls = Calls(allowed=False)
            assert all(UPPER.get(text, calls(text)) == text.upper() for text in reversed(texts))
            misses = Calls()
            absent = [f"absent {n}" for n in range(200)]
            assert all(UPPER.get(text, misses(text)) == text.upper() for text in absent)
        finally:
            _memo._search = search
    assert misses.texts == absent and len(searched) == len(texts) + len(absent)


@pytest.mark.parametrize("size", [0, 1, 2, 5, 40, 400])
def test_the_search_finds_each_key_and_nothing_else(size: int) -> None:
    keys = sorted(f"{n:064x}".encode() for n in range(0, 7 * size, 7))
    data = b"head\n" + b"".join(key + b"\t" + b'"' + b"v" * (n % 5000) + b'"\n' for n, key in enumerate(keys))
    for n, key in enumerate(keys):
        assert _memo._search(data, 5, key) == b'"' + b"v" * (n % 5000) + b'"'
        assert _memo._search(data, 5, key, value=False) == b""
    for n in range(-1, 7 * size + 1):
        if n % 7 or n < 0:
            assert _memo._search(data, 5, f"{max(n, 0) if n >= 0 else 0:064x}".encode()[:63] + b"g") is None
            if n >= 0:
                assert _memo._search(data, 5, f"{n:064x}".encode()) is None
                assert _memo._search(data, 5, f"{n:064x}".encode(), value=False) is None


@pytest.mark.parametrize("large", [False, True])
def test_a_file_of_the_earlier_unsorted_form_is_still_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, large: bool
) -> None:
    """Its lines in any order (no count in the header): each entry is found; once it changes, it is
    sorted (rewritten, even when it is large: its new entries are not journalled)."""
    if large:
        monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", FLOOR)  # what is new in a file there is journalled
    texts = ["alpha", *(f"text {n}" for n in range(400))]
    # about 25 of them share the first one's file, whatever the computer's key (of 60, none did 1 run in 50)
    key = UPPER.key("alpha")
    same = [t for t in texts if UPPER.key(t)[0] == key[0]]
    new = same.pop()  # computed in the session: the file changes
    entries = {UPPER.key(t): t.upper() for t in reversed(same)}
    memo_file(tmp_path).parent.mkdir(parents=True)
    memo_file(tmp_path).write_text(memo_text("test.upper", entries))
    calls = Calls()
    with memo_session(tmp_path):
        assert all(UPPER.get(t, calls(t)) == t.upper() for t in texts)
    assert new in calls.texts and not set(calls.texts) & set(same), (
        "the unsorted file's entries were all found"
    )
    head, *lines = memo_file(tmp_path).read_text().splitlines()
    assert json.loads(head)["sorted"] == len(same) + 1 == len(lines) and lines == sorted(lines)


def test_a_planted_file_of_one_long_line_is_split_once_not_scanned_at_every_look_up(tmp_path: Path) -> None:
    """A file that says it is sorted but holds a line longer than any value is read whole, once."""
    path = memo_file(tmp_path)
    path.parent.mkdir(parents=True)
    header = {"memo": "test.upper", "code": _memo.code_key(), "sorted": 10**6}
    path.write_bytes(json.dumps(header).encode() + b"\n" + b"7" * (3 << 20))
    searched: list[bytes] = []
    search = _memo._search
    with memo_session(tmp_path):
        _memo._search = lambda *args, **kw: searched.append(args[2]) or search(*args, **kw)  # type: ignore[assignment]
        try:
            texts = [
                t for t in (f"text {n}" for n in range(300)) if UPPER.key(t)[0] == path.name.split(".")[2]
            ]
            assert all(UPPER.get(t, Calls()(t)) == t.upper() for t in texts)
        finally:
            _memo._search = search
    assert len(searched) == 1, "one search finds the long line; the file is split, then looked up in a dict"
    assert json.loads(path.read_text().splitlines()[0])["sorted"] == len(texts)


@contextlib.contextmanager
def _mapped(tmp_path: Path, namespace: str) -> Iterator[tuple[Memo[str], str, Path]]:
    """Yield a memo inside a session that has mapped one of its files, a text stored there, and the file."""
    words = Memo[str](namespace, 1, str, str)
    texts = [f"text {n}" for n in range(3000)]
    with memo_session(tmp_path):
        for text in texts:
            words.get(text, lambda text=text: text.upper() * 200)  # files large enough to be mapped
    _memo._stores.clear()
    first = texts[0]
    same = next(t for t in texts[1:] if words.key(t)[0] == words.key(first)[0])
    with memo_session(tmp_path):
        assert words.get(first, lambda: "computed") == first.upper() * 200  # the file is mapped
        yield words, same, tmp_path / PROJECT_CACHE / "memo" / f"{namespace}.{words.key(first)[0]}.jsonl"


@pytest.mark.skipif(sys.platform == "win32", reason="Windows refuses to cut short a mapped file")
def test_a_memo_file_cut_short_in_place_while_mapped_counts_as_empty(tmp_path: Path) -> None:
    """Another program truncating a mapped file must not kill the build (SIGBUS): its values are computed."""
    with _mapped(tmp_path, "test.cut") as (words, text, shard):
        with shard.open("r+b") as handle:
            handle.truncate(10)
        assert words.get(text, lambda: "computed") == "computed"


@pytest.mark.skipif(sys.platform == "win32", reason="Windows refuses to replace a mapped file")
def test_a_memo_file_replaced_while_mapped_is_still_searched_as_it_was_mapped(tmp_path: Path) -> None:
    """Another build replacing a file whole leaves the mapped one as it was: its values stay found.

    The length checked before each search is the mapped file's own (``fstat``), not the path's.
    """
    with _mapped(tmp_path, "test.replaced") as (words, text, shard):
        shorter = shard.with_suffix(".new")
        shorter.write_bytes(shard.read_bytes()[:10])
        os.replace(shorter, shard)
        assert words.get(text, lambda: "computed") == text.upper() * 200


def test_no_memo_file_stays_mapped_between_sessions(tmp_path: Path) -> None:
    """A kernel or `curriculum serve` outlives its sessions: another process may replace the files."""
    words = Memo[str]("test.mapped", 1, str, str)
    large = "A" * MAP_FROM  # a file too small would be read, not mapped
    with memo_session(tmp_path):
        words.get("a", lambda: large)
    _memo._stores.clear()
    with memo_session(tmp_path):
        assert words.get("a", lambda: "computed") == large
        store = _memo._stores[(tmp_path / PROJECT_CACHE / "memo", "test.mapped")]
        assert [type(shard._data) for shard in store.shards.values()] == [mmap.mmap]
    assert not store.shards, "unmapped when the session ended"


def test_sessions_on_two_threads_share_the_folder_and_the_last_one_writes(tmp_path: Path) -> None:
    """Library use from threads: neither unmaps what the other is searching, nor loses what it computed."""
    words = Memo[str]("test.threads", 1, str, str)
    with memo_session(tmp_path):
        for n in range(2000):
            words.get(f"seed {n}", lambda n=n: f"value {n}")
    _memo._stores.clear()
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            for round_ in range(150):
                with memo_session(tmp_path):
                    for n in range(0, 2000, 7):
                        assert words.get(f"seed {n}", lambda n=n: f"value {n}") == f"value {n}"
                    words.get(f"{name} {round_}", lambda: name)
                    assert words.held(f"seed {7 * round_}") is not None
        except BaseException as exc:  # reported below, with the thread's name
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(name,)) for name in ("a", "b")]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # the threads interleave often
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == [] and not _memo._sessions
    _memo._stores.clear()
    with memo_session(tmp_path):
        assert words.get("seed 7", lambda: "computed") == "value 7"


RAW = Memo[bytes]("test.raw", 1, bytes, bytes, raw=True)


def test_a_raw_memo_keeps_json_text_as_it_is_and_gives_it_back_unparsed(tmp_path: Path) -> None:
    with memo_session(tmp_path):
        assert RAW.get("a", lambda: b'{"x":[1,2]}') == b'{"x":[1,2]}'
        assert RAW.get("b", lambda: b'"two\nlines"') == b'"two\nlines"'  # not one line: not kept
    new_process()
    with memo_session(tmp_path):
        assert RAW.stored("a") == b'{"x":[1,2]}'
        assert RAW.stored("b") is None


def test_a_raw_value_that_replaces_another_in_its_file_is_written(tmp_path: Path) -> None:
    """The file holds as many entries as the session used, but not the same: it is rewritten."""
    shard = RAW.key("old")[0]
    new = next(t for t in (f"new {n}" for n in range(1000)) if RAW.key(t)[0] == shard)
    with memo_session(tmp_path):
        RAW.get("old", lambda: b"1")
    new_process()
    with memo_session(tmp_path):
        RAW.get(new, lambda: b"2")
    new_process()
    with memo_session(tmp_path):
        assert RAW.stored(new) == b"2"
        assert RAW.stored("old") is None


def test_an_entry_kept_unread_stays_when_its_file_is_rewritten_and_one_not_kept_goes(tmp_path: Path) -> None:
    shard = UPPER.key("kept")[0]
    dropped, new = [t for t in (f"text {n}" for n in range(1000)) if UPPER.key(t)[0] == shard][:2]
    fill(tmp_path, "kept", dropped)
    new_process()
    with memo_session(tmp_path):
        UPPER.keep("kept")  # no look-up: the file is not even read for it
        UPPER.keep("never stored")
        assert UPPER.get(new, Calls()(new)) == new.upper()  # the file is rewritten
    assert set(stored(tmp_path)) == {UPPER.key("kept"), UPPER.key(new)}
    new_process()
    with memo_session(tmp_path):
        assert UPPER.get("kept", Calls(allowed=False)("kept")) == "KEPT"
        assert UPPER.stored("never stored") is None


def test_keys_kept_at_once_stay_as_each_kept_alone_does_and_none_keeps_what_they_rest_on(
    tmp_path: Path,
) -> None:
    """:meth:`Memo.keep_keys` keeps each key as :meth:`Memo.keep_key` does; an empty batch reuses nothing."""
    shard = UPPER.key("kept")[0]
    also, dropped, new = [t for t in (f"text {n}" for n in range(3000)) if UPPER.key(t)[0] == shard][:3]
    outer = Memo[str]("test.outer", 1, str, _text, keeps=("test.upper",))
    fill(tmp_path, "kept", also, dropped)
    new_process()
    with memo_session(tmp_path):
        UPPER.keep_keys(iter([UPPER.key("kept"), UPPER.key(also), UPPER.key("never stored")]))
        outer.keep_keys(())  # nothing of the outer memo reused: the inner one is not kept whole
        assert UPPER.get(new, Calls()(new)) == new.upper()  # the file is rewritten
    assert set(stored(tmp_path)) == {UPPER.key("kept"), UPPER.key(also), UPPER.key(new)}


def test_the_files_of_a_namespace_a_memo_replaces_are_removed_when_it_writes(tmp_path: Path) -> None:
    folder = tmp_path / PROJECT_CACHE / "memo"
    folder.mkdir(parents=True)
    retired = folder / "test.retired.3.jsonl"
    retired.write_text('{"memo": "test.retired"}\n')
    fill(tmp_path, "alpha", memo=Memo[str]("test.successor", 1, str, _text, replaces=("test.retired",)))
    assert not retired.exists() and stored(tmp_path, "test.successor")


def test_the_package_files_are_its_code_templates_scripts_and_styles_not_its_byte_code() -> None:
    """Listed folder by folder, as pathlib's recursive glob and suffix would list them."""
    from curriculum._memo import _PACKAGE_SUFFIXES, package_files

    package = Path(_memo.__file__).resolve().parent
    files = package_files()
    assert files == tuple(
        sorted(p for p in package.rglob("*") if p.suffix in _PACKAGE_SUFFIXES and p.is_file())
    )
    assert package / "_memo.py" in files and package / "site" / "resources" / "curriculum.lua" in files
    assert not any("__pycache__" in p.parts for p in files)


def test_the_package_listing_follows_no_link_to_a_folder(tmp_path: Path) -> None:
    """A link loop or a linked folder inside the package neither stops a build nor adds files."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "page.html").write_text("<p></p>")
    (tmp_path / "module.py").write_text("")
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "loop").symlink_to(tmp_path)
    (tmp_path / "elsewhere").symlink_to(tmp_path / "site")
    files = _memo._code_files(tmp_path)
    assert files == (tmp_path / "module.py", tmp_path / "site" / "page.html")
    assert files == tuple(
        sorted(p for p in tmp_path.rglob("*") if p.suffix in (".py", ".html") and p.is_file())
    )


# The journal: a large file's new entries are appended to it, its stale ones stay until it is compacted.

BIG = Memo[str]("test.big", 1, str, _text)


def big_value(text: str) -> str:
    """A value of six kilobytes: 400 of them make files larger than those rewritten at any change."""
    return text.upper() + "." * 6000


def use_big(root: Path, texts: list[str], new: list[str] | None = None) -> None:
    """A session that finds each of ``texts`` stored (computing none) and computes each of ``new``."""

    def refused(text: str) -> Callable[[], str]:
        return lambda: pytest.fail(f"computed {text!r} again")

    with memo_session(root):
        for text in texts:
            assert BIG.get(text, refused(text)) == big_value(text)
        for text in new or []:
            assert BIG.get(text, lambda text=text: big_value(text)) == big_value(text)


def in_file_of(text: str, prefix: str, count: int) -> list[str]:
    """The first ``count`` texts named ``prefix`` and a number whose entries share the file of ``text``'s."""
    shard = UPPER.key(text)[0]
    return [t for t in (f"{prefix} {n}" for n in range(2000)) if UPPER.key(t)[0] == shard][:count]


def journal_file(root: Path, namespace: str = "test.upper") -> Path:
    return root / PROJECT_CACHE / "memo" / f"{namespace}.journal.jsonl"


def journal_entries(path: Path, namespace: str = "test.upper") -> dict[str, Any]:
    """The entries of a journal of this code (key, tab, value, tab, CRC-32); a damaged line is skipped."""
    assert not path.is_symlink() and path.is_file(), f"{path.name} is not a plain file"  # a pipe blocks
    head, _, rest = path.read_bytes().partition(b"\n")
    assert json.loads(head) == {"memo": namespace, "code": _memo.code_key(), "journal": True}
    entries: dict[str, Any] = {}
    for line in rest.split(b"\n")[:-1]:
        body, _, check = line.rpartition(b"\t")
        key, _, value = body.partition(b"\t")
        if check == b"%08x" % zlib.crc32(body) and len(key) == 64:
            with contextlib.suppress(ValueError, RecursionError):  # a value that is not JSON: not an entry
                entries[key.decode()] = json.loads(value)
    return entries


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Each memo file: its inode, time and size (a file replaced has another inode)."""
    return {
        p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_size)
        for p in (root / PROJECT_CACHE / "memo").glob("*.jsonl")
    }


def written(before: dict[str, tuple[int, int, int]], after: dict[str, tuple[int, int, int]]) -> int:
    """The bytes a session wrote: a file new or replaced counts whole, one appended to what it grew by."""
    return sum(
        size if name not in before or before[name][0] != inode else size - before[name][2]
        for name, (inode, _, size) in after.items()
    )


def test_a_small_edit_in_a_large_namespace_writes_only_its_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new entry and one no longer used rewrite no file: the new one is journalled, the old one stays."""
    monkeypatch.setattr(_memo, "_JOURNAL_SHARE", SHARE)
    texts = [f"text {n}" for n in range(400)]
    use_big(tmp_path, [], new=texts)
    files = sorted((tmp_path / PROJECT_CACHE / "memo").glob("test.big.?.jsonl"))
    assert len(files) == 16
    assert not journal_file(tmp_path, "test.big").exists(), "the first session wrote the files whole"
    for path in files:
        os.utime(path, ns=(1, 1))  # an old time, so a rewrite shows whatever the clock's resolution
    before = snapshot(tmp_path)
    new_process()
    use_big(tmp_path, texts[1:], new=["text new"])  # "text 0" is no longer used
    after = snapshot(tmp_path)
    assert {name: after[name] for name in before} == before, "no file of the namespace was rewritten"
    assert set(after) - set(before) == {"test.big.journal.jsonl"}
    assert written(before, after) < 2 * len(big_value("text new"))
    journal = journal_entries(journal_file(tmp_path, "test.big"), "test.big")
    assert journal == {BIG.key("text new"): big_value("text new")}
    new_process()
    use_big(tmp_path, [*texts, "text new"])  # the old entry, left in its file, and the new one, journalled


def test_the_journal_is_compacted_and_the_files_stay_within_a_multiple_of_what_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sessions that each replace a few entries grow the journal until it outgrows a share of the
    files; then (its entries all used: pruning would leave too many) the files are rewritten with
    exactly the entries used, and the journal goes."""
    monkeypatch.setattr(_memo, "_JOURNAL_SHARE", SHARE)
    live = [f"text {n}" for n in range(400)]
    use_big(tmp_path, [], new=live)
    folder = tmp_path / PROJECT_CACHE / "memo"
    journal = journal_file(tmp_path, "test.big")
    journalled = compacted = 0
    for session in range(6 * SHARE):  # the journal outgrows a SHARE-th of the files in 4 * SHARE
        new_process()
        new = [f"session {session} text {n}" for n in range(5)]
        live = live[5:]
        use_big(tmp_path, live, new=new)
        live += new
        keys = {BIG.key(text) for text in live}
        files = list(folder.glob("test.big.?.jsonl"))
        for path in files:  # no file holds more stale entries than entries used
            held = set(read_entries(path))
            assert len(held - keys) <= len(held & keys), path.name
        size = sum(p.stat().st_size for p in files)
        if journal.exists():
            journalled += 1
            assert journal.stat().st_size <= max(_memo._JOURNAL_FLOOR, size // _memo._JOURNAL_SHARE)
            size += journal.stat().st_size
        elif journalled:
            compacted += 1
            assert set(stored(tmp_path, "test.big")) == keys, "the files hold exactly the entries used"
        used = sum(len(json.dumps(big_value(text))) + 66 for text in live)
        assert size <= 2.5 * used
    assert journalled and compacted
    new_process()
    use_big(tmp_path, live)


def test_a_journal_of_stale_entries_is_pruned_not_compacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sessions that each replace one entry (a quiz edited again and again) journal each new one; once
    the journal would outgrow its limit, it is written anew with only the entries used: no file is
    rewritten, and the process that wrote it need not read it again."""
    texts = [f"text {n}" for n in range(400)]
    use_big(tmp_path, [], new=texts)
    monkeypatch.setattr(_memo, "_JOURNAL_SHARE", 1 << 40)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", 4 * len(big_value("edit 0")))  # pruned at the 4th edit
    files = snapshot(tmp_path)
    journal = journal_file(tmp_path, "test.big")
    sizes = []
    for edit in range(6):
        new_process()
        use_big(tmp_path, texts, new=[f"edit {edit}"])  # the edit before is no longer used
        assert {name: snapshot(tmp_path)[name] for name in files} == files, "no file was rewritten"
        sizes.append(journal.stat().st_size)
        assert sizes[-1] <= _memo._JOURNAL_FLOOR
    assert sizes[3] < sizes[2], "pruned"
    assert set(journal_entries(journal, "test.big")) == {BIG.key(f"edit {n}") for n in (3, 4, 5)}
    journal_reads = counted_journal_reads(monkeypatch)
    use_big(tmp_path, [*texts, "edit 5"])  # the same process: it knows what it wrote
    assert not journal_reads
    new_process()
    use_big(tmp_path, [*texts, "edit 5"])


def test_a_pruned_journal_keeps_a_stale_value_whose_file_holds_an_older_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A value put in place of one in a file (a repair) and no longer used stays in the journal when it
    is pruned: without it, the file's older value would be found."""
    same = in_file_of("record", "text", 6)
    record_first(tmp_path, same)
    monkeypatch.setattr(_memo, "_JOURNAL_SHARE", 1 << 40)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", 1000)  # a few lines: pruned within a few sessions
    new_process()
    with memo_session(tmp_path):
        UPPER.put("record", "second")  # journalled: the file keeps "first"
        assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in same)
    edits = in_file_of("record", "edit", 10)  # in a file there: journalled
    for edit in edits:  # "record" is no longer used
        new_process()
        assert fill(tmp_path, *same, edit).texts == [edit]
        assert journal_file(tmp_path).stat().st_size <= 1000
    kept = set(journal_entries(journal_file(tmp_path)))
    assert UPPER.key(edits[0]) not in kept, "pruned"
    assert UPPER.key(edits[-1]) in kept and UPPER.key("record") in kept
    assert read_entries(memo_file(tmp_path, text="record"))[UPPER.key("record")] == "first"
    new_process()
    with memo_session(tmp_path):
        assert UPPER.stored("record") == "second"


def test_a_journal_another_process_appended_to_is_not_pruned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its lines may hold a newer value of a key whose file holds an older one: the journal is
    compacted instead, and left (see the compaction's own test)."""
    same = in_file_of("record", "text", 6)
    *edits, again = in_file_of("record", "edit", 6)  # in a file there: journalled
    edit = edits[-1]
    fill(tmp_path, "record", *same)
    monkeypatch.setattr(_memo, "_JOURNAL_SHARE", 1 << 40)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", 1000)
    for one in edits:  # each no longer used in the next session: the journal is mostly stale
        new_process()
        fill(tmp_path, "record", *same, one)
    new_process()
    pruned = []
    rewrite = _memo._rewrite_journal

    def counted(*args: Any) -> bool:
        done = rewrite(*args)
        pruned.append(done)
        return done

    monkeypatch.setattr(_memo, "_rewrite_journal", counted)
    with memo_session(tmp_path):
        assert all(UPPER.get(t, Calls(allowed=False)(t)) == t.upper() for t in ["record", *same, edit])
        path = journal_file(tmp_path)
        size = path.stat().st_size  # as this process read it
        with another_process(), memo_session(tmp_path):
            UPPER.put("record", "repaired")  # journalled: its file keeps "RECORD"
            assert all(UPPER.get(t, Calls(allowed=False)(t)) == t.upper() for t in same)
        assert journal_entries(path)[UPPER.key("record")] == "repaired"
        monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", size + 10)  # outgrown by this process's one line
        UPPER.get(again, Calls()(again))
    assert pruned == [False]
    assert journal_entries(path)[UPPER.key("record")] == "repaired", "the journal stays"
    new_process()
    with memo_session(tmp_path):
        assert UPPER.stored("record") == "repaired"


def test_a_process_killed_as_it_prunes_the_journal_leaves_the_newest_value_of_each_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The journal is written anew before the files the session rewrites: killed as it rewrites the
    first, the journal's value of a key is the newest, not the one it held before."""
    same = in_file_of("record", "text", 6)
    record_first(tmp_path, same)
    monkeypatch.setattr(_memo, "_JOURNAL_SHARE", 1 << 40)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", 1000)
    new_process()
    with memo_session(tmp_path):
        UPPER.put("record", "second")  # journalled: the file keeps "first"
        assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in same)
    for edit in in_file_of("record", "edit", 3):  # "record" is no longer used
        new_process()
        fill(tmp_path, *same, edit)
    path = journal_file(tmp_path)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", path.stat().st_size + 10)  # outgrown by one line
    pruned, rewrite = [], _memo._rewrite_journal

    def counted(*args: Any) -> bool:
        pruned.append(rewrite(*args))
        return pruned[-1]

    def killed(*args: object) -> None:
        raise Killed

    monkeypatch.setattr(_memo, "_rewrite_journal", counted)
    monkeypatch.setattr(_memo, "_write_shard", killed)
    new_process()
    with pytest.raises(Killed), memo_session(tmp_path):
        UPPER.put("record", "third")  # its file's other entries are not used: it is rewritten
    assert pruned == [True]
    assert set(journal_entries(path)) == {UPPER.key("record")}
    monkeypatch.undo()
    new_process()
    with memo_session(tmp_path):
        assert UPPER.stored("record") == "third"


@pytest.mark.parametrize(
    "damage",
    [
        "cut-short",
        "garbage-lines",
        "deeply-nested-value",
        "value-not-utf8",
        "foreign",
        "other-code",
        "a-file-not-a-journal",
        "invalid-header",
        "too-big",
        "link",
        "pipe",
    ],
)
def test_a_damaged_journal_is_ignored_or_skipped_line_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    """What a journal holds whole is used; a damaged line is skipped, a damaged journal ignored and
    written anew; either way the values are computed again, never a traceback."""
    if damage == "pipe" and not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    texts = in_file_of("alpha", "text", 5)
    fill(tmp_path, *texts)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", FLOOR)  # from now on, what is new is journalled
    path = journal_file(tmp_path)
    header = json.dumps({"memo": "test.upper", "code": _memo.code_key(), "journal": True}).encode() + b"\n"
    alpha, beta = UPPER.key("alpha").encode(), UPPER.key("beta").encode()
    good = _memo_journal.line(beta, b'"FROM THE JOURNAL"')
    bad = _memo_journal.line(alpha, b'"FROM THE JOURNAL"')
    short = b'short\t"x"'
    content = {
        "cut-short": header + good + bad[:-12],
        "garbage-lines": header
        + b"garbage\n\xff\xfe\n\t\t\n"
        + bad.replace(b"JOURNAL", b"JOURNEY")  # its check fails
        + bad[:60]
        + bad[70:]
        + short
        + b"\t%08x\n" % zlib.crc32(short)
        + good,
        "deeply-nested-value": header + _memo_journal.line(alpha, b"[" * 5_000 + b"]" * 5_000) + good,
        "value-not-utf8": header + _memo_journal.line(alpha, b'"\xff"') + good,
        "foreign": header.replace(b"test.upper", b"test.other") + bad + good,
        "other-code": header.replace(_memo.code_key().encode(), b"another version") + bad + good,
        "a-file-not-a-journal": header.replace(b'"journal": true', b'"sorted": 2') + bad + good,
        "invalid-header": b"{not json\n" + bad + good,
    }.get(damage, header + bad + good)
    elsewhere = tmp_path / "elsewhere.jsonl"
    if damage == "link":
        elsewhere.write_bytes(content)
        path.symlink_to(elsewhere)
    elif damage == "pipe":
        os.mkfifo(path)
    else:
        path.write_bytes(content)
    if damage == "too-big":
        monkeypatch.setattr(_memo_journal, "MAX_BYTES", len(content) - 1)
    whole = damage in ("cut-short", "garbage-lines", "deeply-nested-value", "value-not-utf8")
    beta_value = "FROM THE JOURNAL" if whole else "BETA"
    new_process()
    refuse = Calls(allowed=False)
    with memo_session(tmp_path):
        assert all(UPPER.get(text, refuse(text)) == text.upper() for text in texts)
        assert UPPER.get("alpha", Calls()("alpha")) == "ALPHA", "the damaged entry is computed again"
        assert UPPER.get("beta", Calls(allowed=not whole)("beta")) == beta_value
    assert journal_entries(path)[alpha.decode()] == "ALPHA", "journalled anew"
    if damage == "link":
        assert elsewhere.read_bytes() == content and not path.is_symlink()
    new_process()
    with memo_session(tmp_path):
        assert all(UPPER.get(text, refuse(text)) == text.upper() for text in [*texts, "alpha"])
        assert UPPER.get("beta", refuse("beta")) == beta_value


def test_a_session_cut_short_keeps_what_the_files_and_the_journal_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is stale after an error: its new entries are journalled, and when the journal is
    compacted, what it held moves to the files, with every entry they held."""
    texts = in_file_of("text 0", "text", 10)
    journalled, cut_short, compacted = in_file_of("text 0", "new", 3)
    fill(tmp_path, *texts)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", FLOOR)  # from now on, what is new is journalled
    new_process()
    fill(tmp_path, *texts[1:], journalled)  # "text 0" is no longer used: it stays in its file
    assert set(journal_entries(journal_file(tmp_path))) == {UPPER.key(journalled)}
    new_process()
    with pytest.raises(RuntimeError), memo_session(tmp_path):
        UPPER.get(texts[5], Calls(allowed=False)(texts[5]))
        UPPER.get(cut_short, Calls()(cut_short))
        raise RuntimeError
    assert set(journal_entries(journal_file(tmp_path))) == {UPPER.key(journalled), UPPER.key(cut_short)}
    new_process()
    assert fill(tmp_path, *texts, journalled, cut_short).texts == [], "every entry is still held"
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", 0)
    monkeypatch.setattr(_memo, "_JOURNAL_SHARE", 1 << 40)  # the journal is compacted at its next write
    new_process()
    with pytest.raises(RuntimeError), memo_session(tmp_path):
        UPPER.get(texts[5], Calls(allowed=False)(texts[5]))
        UPPER.get(compacted, Calls()(compacted))
        raise RuntimeError
    assert not journal_file(tmp_path).exists()
    every = [*texts, journalled, cut_short, compacted]
    assert set(stored(tmp_path)) == {UPPER.key(text) for text in every}, "the files hold them all"
    new_process()
    assert fill(tmp_path, *every).texts == []


def test_an_entry_kept_unread_that_only_the_journal_holds_stays_when_it_is_compacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = in_file_of("text 0", "text", 10)
    kept, new = in_file_of("text 0", "other", 2)
    fill(tmp_path, *texts)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", FLOOR)  # from now on, what is new is journalled
    new_process()
    fill(tmp_path, *texts, kept)
    assert UPPER.key(kept) in journal_entries(journal_file(tmp_path))
    assert UPPER.key(kept) not in stored(tmp_path), "only the journal holds it"
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", 0)
    monkeypatch.setattr(_memo, "_JOURNAL_SHARE", 1 << 40)  # the journal is compacted at its next write
    new_process()
    with memo_session(tmp_path):
        UPPER.keep(kept)  # not looked up
        assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in texts)
        UPPER.get(new, Calls()(new))
    assert not journal_file(tmp_path).exists()
    assert set(stored(tmp_path)) == {UPPER.key(text) for text in [*texts, kept, new]}
    new_process()
    assert fill(tmp_path, kept, new, *texts).texts == []


def test_a_value_put_in_place_of_one_the_journal_holds_is_the_one_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The journal is asked first: a file rewritten with a new value does not hide it behind the old."""
    same = in_file_of("record", "text", 6)
    fill(tmp_path, *same)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", FLOOR)  # from now on, what is new is journalled
    new_process()
    with memo_session(tmp_path):
        UPPER.put("record", "second")
        assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in same)
    assert journal_entries(journal_file(tmp_path)) == {UPPER.key("record"): "second"}
    new_process()
    with memo_session(tmp_path):
        UPPER.put("record", "third")  # the file's other entries are no longer used: it is rewritten
    assert set(read_entries(memo_file(tmp_path, text="record"))) == {UPPER.key("record")}
    new_process()
    with memo_session(tmp_path):
        assert UPPER.stored("record") == "third"


def test_a_compaction_leaves_no_file_with_an_older_value_of_a_key_the_journal_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file still holding the value a journalled one replaced is rewritten when the journal goes,
    even when a key kept unread that no file holds makes it look as if it held no stale entry."""
    same = in_file_of("record", "text", 6)
    phantom = in_file_of("record", "phantom", 1)[0]
    other = next(t for t in (f"other {n}" for n in range(100)) if UPPER.key(t)[0] != UPPER.key("record")[0])
    new = in_file_of(other, "new", 1)[0]
    same.append(other)  # in another file: a new entry in it is journalled, not written in that file
    record_first(tmp_path, same)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", FLOOR)  # from now on, what is new is journalled
    new_process()
    with memo_session(tmp_path):
        UPPER.put("record", "second")  # a repair: journalled, the file keeps "first" for now
        assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in same)
    assert journal_entries(journal_file(tmp_path)) == {UPPER.key("record"): "second"}
    assert read_entries(memo_file(tmp_path, text="record"))[UPPER.key("record")] == "first"
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", 0)
    monkeypatch.setattr(_memo, "_JOURNAL_SHARE", 1 << 40)  # the journal is compacted at its next write
    new_process()
    with memo_session(tmp_path):  # "record" is not used; a key no file holds is kept in its file's range
        assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in same)
        UPPER.keep(phantom)
        UPPER.get(new, Calls()(new))
    assert not journal_file(tmp_path).exists()
    assert UPPER.key("record") not in stored(tmp_path), "the older value went with the journal"
    new_process()
    with memo_session(tmp_path):
        assert UPPER.stored("record") is None


class Killed(BaseException):
    """The process is killed (raised where a test stops it)."""


@pytest.mark.parametrize("killed_at", ["the first file", "the journal"])
def test_a_process_killed_while_compacting_leaves_the_newest_value_of_each_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, killed_at: str
) -> None:
    """A value put in place of one the journal holds is journalled before the files are rewritten,
    and the journal removed after them: killed as it rewrites the first file or removes the journal,
    neither the journal's older value nor the file's oldest one is found."""
    same = in_file_of("record", "text", 6)
    new = in_file_of("record", "new", 1)[0]
    record_first(tmp_path, same)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", FLOOR)  # from now on, what is new is journalled
    new_process()
    with memo_session(tmp_path):
        UPPER.put("record", "second")  # journalled: the file keeps "first"
        assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in same)
    assert journal_entries(journal_file(tmp_path)) == {UPPER.key("record"): "second"}
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", 0)
    monkeypatch.setattr(_memo, "_JOURNAL_SHARE", 1 << 40)  # the journal is compacted at its next write
    remove, write_shard = _memo._remove, _memo._write_shard

    def killed_at_the_journal(path: Path) -> None:
        if path.name.endswith(".journal.jsonl"):
            raise Killed
        remove(path)

    def killed_at_a_file(*args: object) -> None:
        raise Killed

    if killed_at == "the journal":
        monkeypatch.setattr(_memo, "_remove", killed_at_the_journal)
    else:
        monkeypatch.setattr(_memo, "_write_shard", killed_at_a_file)
    new_process()
    with pytest.raises(Killed), memo_session(tmp_path):
        UPPER.put("record", "third")
        assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in same)
    monkeypatch.setattr(_memo, "_remove", remove)
    monkeypatch.setattr(_memo, "_write_shard", write_shard)
    new_process()
    with memo_session(tmp_path):
        assert UPPER.stored("record") == "third"
        assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in same)
        UPPER.get(new, Calls()(new))  # in the file of "record": the journal is compacted
    assert not journal_file(tmp_path).exists()
    new_process()
    with memo_session(tmp_path):
        assert UPPER.stored("record") == "third"


def test_a_journal_of_other_code_costs_a_small_read_and_goes_when_the_namespace_is_next_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its header is read first: the rest of it (an upgrade's journal, up to megabytes) is not read."""
    fill(tmp_path, "alpha")
    path = journal_file(tmp_path)
    header = json.dumps({"memo": "test.upper", "code": "an older version", "journal": True}).encode() + b"\n"
    path.write_bytes(header + _memo_journal.line(UPPER.key("alpha").encode(), b'"OLD"') * 2000)
    assert path.stat().st_size > 20 * _memo_journal.HEAD
    inode, read = path.stat().st_ino, os.read
    journal_read: list[int] = []

    def counted(fd: int, size: int) -> bytes:
        data = read(fd, size)
        if os.fstat(fd).st_ino == inode:
            journal_read.append(len(data))
        return data

    for session in range(2):
        new_process()
        with monkeypatch.context() as patch:
            patch.setattr(os, "read", counted)
            with memo_session(tmp_path):
                assert UPPER.get("alpha", Calls(allowed=False)("alpha")) == "ALPHA"
        assert 0 < sum(journal_read) <= _memo_journal.HEAD, f"session {session}: only its header was read"
        assert path.exists(), "nothing new was computed: nothing is written"
        journal_read.clear()
    new_process()
    assert fill(tmp_path, "alpha", "beta").texts == ["beta"]
    assert not path.exists(), "removed when the namespace was written"


def counted_journal_reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Count the journal reads from now on: return the list each read's arguments are added to."""
    read, reads = _memo_journal.read_journal, []

    def counted(*args: Any) -> _memo_journal.Journal:
        reads.append(args)
        return read(*args)

    monkeypatch.setattr(_memo_journal, "read_journal", counted)
    return reads


def test_a_journal_is_read_once_while_unchanged_and_again_once_another_process_changed_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One process, session after session (``curriculum serve``, or a session per look-up): another
    process appending to the journal, replacing it or rewriting it in place is seen at the next one."""
    same = in_file_of("record", "text", 6)
    record_first(tmp_path, same)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", FLOOR)  # from now on, what is new is journalled
    new_process()
    with memo_session(tmp_path):
        UPPER.put("record", "v0")  # journalled
        assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in same)
    path, key = journal_file(tmp_path), UPPER.key("record").encode()
    journal_reads = counted_journal_reads(monkeypatch)
    new_process()
    for _ in range(3):
        with memo_session(tmp_path):
            assert UPPER.stored("record") == "v0"
    assert len(journal_reads) == 1, "read once, then reused while unchanged"

    def replaced(value: bytes) -> None:  # another process writes it whole: a new file, as long and as old
        data, mtime = path.read_bytes(), path.stat().st_mtime_ns
        head = data[: data.rindex(b"\n", 0, -1) + 1]  # all but its last line, replaced
        (tmp_path / "new.jsonl").write_bytes(head + _memo_journal.line(key, value))
        assert (tmp_path / "new.jsonl").stat().st_size == path.stat().st_size
        os.utime(tmp_path / "new.jsonl", ns=(mtime, mtime))
        os.replace(tmp_path / "new.jsonl", path)

    def rewritten_in_place(value: bytes) -> None:  # as long, same file: only its time tells
        mtime = path.stat().st_mtime_ns
        size = path.stat().st_size
        line = _memo_journal.line(key, value)
        with path.open("r+b") as handle:  # its last line, rewritten
            handle.seek(size - len(line))
            handle.write(line)
        assert path.stat().st_size == size
        os.utime(path, ns=(mtime + 1_000_000, mtime + 1_000_000))

    changes: list[tuple[str, Callable[[], None]]] = [
        ("v1", lambda: path.write_bytes(path.read_bytes() + _memo_journal.line(key, b'"v1"'))),  # appended
        ("v2", lambda: replaced(b'"v2"')),
        ("v3", lambda: rewritten_in_place(b'"v3"')),
    ]
    for value, change in changes:
        change()
        for _ in range(2):
            with memo_session(tmp_path):
                assert UPPER.stored("record") == value
    assert len(journal_reads) == 4, "read again after each change only"


def test_a_journal_this_process_wrote_is_not_read_again_while_no_other_process_changed_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``curriculum serve``, or a benchmark: the lines a session journalled (written whole, then
    appended) are known to the next session without reading the file again; a new process reads it."""
    same = in_file_of("record", "text", 6)
    record_first(tmp_path, same)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", FLOOR)  # from now on, what is new is journalled
    journal_reads = counted_journal_reads(monkeypatch)
    new_process()
    for value in ("v0", "v1", "v2"):  # the journal written whole, then appended to, twice
        for session in range(2):
            with memo_session(tmp_path):
                if session == 0:
                    UPPER.put("record", value)
                assert UPPER.stored("record") == value
                assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in same)
    assert journal_file(tmp_path).is_file()
    assert len(journal_reads) == 2, "read by the first session only (and before it was written whole)"
    new_process()
    with memo_session(tmp_path):
        assert UPPER.stored("record") == "v2"
    assert len(journal_reads) == 3, "a new process reads it"


def test_a_journal_whose_last_line_lacked_its_newline_is_read_again_once_this_process_appended_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The newline put before the lines appended ends that line, which then counts if its check
    holds: what the file holds is not known from what was read and written, and is read again."""
    same = in_file_of("record", "text", 6)
    record_first(tmp_path, same)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", FLOOR)  # from now on, what is new is journalled
    with memo_session(tmp_path):
        UPPER.put("record", "v0")  # the journal, written whole
        assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in same)
    path = journal_file(tmp_path)
    cut = _memo_journal.line(UPPER.key("other").encode(), b'"FROM ANOTHER PROCESS"')[:-1]
    path.write_bytes(path.read_bytes() + cut)  # another process, killed before its last newline
    with memo_session(tmp_path):
        assert UPPER.stored("other") is None, "a last line without its newline is skipped"
        UPPER.put("record", "v1")  # appended, after a newline
        assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in same)
    assert path.read_bytes().count(b"FROM ANOTHER PROCESS") == 1, "appended to, not written whole"
    with memo_session(tmp_path):
        assert UPPER.stored("record") == "v1"
        assert UPPER.stored("other") == "FROM ANOTHER PROCESS", "the line ended by the newline counts"


@contextlib.contextmanager
def another_process() -> Iterator[None]:
    """Run the block as another process would, in the middle of this one's session: with none of its state."""
    stores, sessions = dict(_memo._stores), list(_memo._sessions)
    _memo._stores.clear()
    _memo._sessions.clear()
    try:
        yield
    finally:
        _memo._stores.clear()
        _memo._stores.update(stores)
        _memo._sessions[:] = sessions


def test_a_process_whose_journal_another_compacted_meanwhile_does_not_write_back_what_it_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its lines cannot go to the journal it read (removed): the journal is read again, not written
    whole with the entries it read, whose older value of a key would hide the one the other wrote."""
    same = in_file_of("record", "text", 6)
    other = next(t for t in (f"other {n}" for n in range(100)) if UPPER.key(t)[0] != UPPER.key("record")[0])
    ours, theirs = in_file_of(other, "new", 2)
    with memo_session(tmp_path):
        UPPER.put("record", "first")
        assert all(UPPER.get(text, Calls()(text)) == text.upper() for text in [*same, other])
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", FLOOR)  # from now on, what is new is journalled
    new_process()
    with memo_session(tmp_path):
        UPPER.put("record", "second")  # journalled
        assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in [*same, other])
    new_process()
    with memo_session(tmp_path):
        assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in [*same, other])
        assert UPPER.held("record") is not None  # the journal is read: "second"
        with another_process(), monkeypatch.context() as patch, memo_session(tmp_path):
            patch.setattr(_memo, "_JOURNAL_FLOOR", 0)
            patch.setattr(_memo, "_JOURNAL_SHARE", 1 << 40)  # its journal is compacted
            UPPER.put("record", "third")
            assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in [*same, other])
            UPPER.get(theirs, Calls()(theirs))
        assert not journal_file(tmp_path).exists()
        UPPER.get(ours, Calls()(ours))  # journalled: the journal read is gone
    assert journal_entries(journal_file(tmp_path)) == {UPPER.key(ours): ours.upper()}
    new_process()
    with memo_session(tmp_path):
        assert UPPER.stored("record") == "third"


@pytest.mark.parametrize("replacing", [False, True])
def test_a_compaction_leaves_the_journal_if_another_process_appended_to_it_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, replacing: bool
) -> None:
    """Its lines may hold a newer value of a key whose file the compaction did not rewrite. (With
    ``replacing``, the compaction first appends a value put in place of one the journal holds.)"""
    same = in_file_of("record", "text", 6)
    other = next(t for t in (f"other {n}" for n in range(100)) if UPPER.key(t)[0] != UPPER.key("record")[0])
    journalled, new = in_file_of(other, "new", 2)
    every = [*same, other]
    fill(tmp_path, "record", *every)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", FLOOR)  # from now on, what is new is journalled
    new_process()
    fill(tmp_path, "record", *every, journalled)  # the journal holds a key of another file
    new_process()
    with memo_session(tmp_path):
        assert all(
            UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in [*every, journalled]
        )
        assert UPPER.get("record", Calls(allowed=False)("record")) == "RECORD"
        with another_process(), memo_session(tmp_path):
            UPPER.put("record", "repaired")  # journalled: its file keeps "RECORD"
            assert all(
                UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in [*every, journalled]
            )
        assert journal_entries(journal_file(tmp_path))[UPPER.key("record")] == "repaired"
        monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", 0)
        monkeypatch.setattr(_memo, "_JOURNAL_SHARE", 1 << 40)  # this one's journal is compacted
        UPPER.get(new, Calls()(new))
        if replacing:
            UPPER.put(journalled, "put again")
    assert read_entries(memo_file(tmp_path, text="record"))[UPPER.key("record")] == "RECORD", "not rewritten"
    assert journal_entries(journal_file(tmp_path))[UPPER.key("record")] == "repaired", "the journal stays"
    new_process()
    with memo_session(tmp_path):
        assert UPPER.stored("record") == "repaired"
        assert UPPER.stored(journalled) == ("put again" if replacing else journalled.upper())


def _journalled_once(root: Path, monkeypatch: pytest.MonkeyPatch, texts: list[str], new: str) -> None:
    """Files of ``texts``, then a session that journals ``new`` (with the journal's :data:`FLOOR`)."""
    fill(root, *texts)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", FLOOR)  # from now on, what is new is journalled
    new_process()
    fill(root, *texts, new)
    assert set(journal_entries(journal_file(root))) == {UPPER.key(new)}
    new_process()


def test_lines_go_only_to_the_journal_read_not_to_a_file_that_replaced_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A journal of other code put in its place meanwhile (another version's build) is replaced whole."""
    texts, (first, second) = in_file_of("alpha", "text", 5), in_file_of("alpha", "new", 2)
    _journalled_once(tmp_path, monkeypatch, texts, first)
    path = journal_file(tmp_path)
    with memo_session(tmp_path):
        assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in [*texts, first])
        head, _, rest = path.read_bytes().partition(b"\n")
        (tmp_path / "other.jsonl").write_bytes(
            head.replace(_memo.code_key().encode(), b"another") + b"\n" + rest
        )
        os.replace(tmp_path / "other.jsonl", path)
        UPPER.get(second, Calls()(second))
    assert set(journal_entries(path)) == {UPPER.key(second)}, "written whole, as this code's"
    new_process()
    with memo_session(tmp_path):
        assert UPPER.get(second, Calls(allowed=False)(second)) == second.upper()


def test_a_journal_linked_to_a_file_elsewhere_is_replaced_not_appended_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second hard link (one a repository could plant): the file outside the memo folder stays as it was."""
    texts, (first, second) = in_file_of("alpha", "text", 5), in_file_of("alpha", "new", 2)
    _journalled_once(tmp_path, monkeypatch, texts, first)
    path, outside = journal_file(tmp_path), tmp_path / "outside.jsonl"
    os.link(path, outside)
    before = outside.read_bytes()
    assert fill(tmp_path, *texts, first, second).texts == [second]
    assert outside.read_bytes() == before
    assert set(journal_entries(path)) == {UPPER.key(first), UPPER.key(second)}
    assert path.stat().st_nlink == 1


def test_a_journal_is_not_appended_past_its_size_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process's lines grew it since it was read: it is written whole (its entries once each)
    rather than made too long to be read."""
    texts, (first, second) = in_file_of("alpha", "text", 5), in_file_of("alpha", "new", 2)
    _journalled_once(tmp_path, monkeypatch, texts, first)
    path = journal_file(tmp_path)
    line = _memo_journal.line(UPPER.key(first).encode(), json.dumps(first.upper()).encode())
    with memo_session(tmp_path):
        assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in [*texts, first])
        path.write_bytes(path.read_bytes() + line * 30)  # another process's, the same entry again
        ours = _memo_journal.line(UPPER.key(second).encode(), json.dumps(second.upper()).encode())
        monkeypatch.setattr(_memo_journal, "MAX_BYTES", path.stat().st_size + len(ours) - 1)
        UPPER.get(second, Calls()(second))
    assert path.stat().st_size < 4 * len(line)
    new_process()
    with memo_session(tmp_path):
        assert all(UPPER.get(t, Calls(allowed=False)(t)) == t.upper() for t in [*texts, first, second])


def test_entries_kept_unread_count_as_held_so_their_file_is_not_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session that keeps a large namespace's entries without reading them (a page reused whole)
    and computes one new entry journals it: no file is rewritten."""
    monkeypatch.setattr(_memo, "_JOURNAL_SHARE", SHARE)
    texts = [f"text {n}" for n in range(400)]
    use_big(tmp_path, [], new=texts)
    before = snapshot(tmp_path)
    new_process()
    with memo_session(tmp_path):
        for text in texts:
            BIG.keep(text)
        BIG.get("text new", lambda: big_value("text new"))
    after = snapshot(tmp_path)
    assert {name: after[name] for name in before} == before, "no file of the namespace was rewritten"
    assert set(journal_entries(journal_file(tmp_path, "test.big"), "test.big")) == {BIG.key("text new")}


def test_a_compaction_leaves_a_file_that_holds_just_its_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One the session used whole, in whose range the journal holds no key, is not rewritten."""
    texts = in_file_of("alpha", "text", 5)
    others = [t for t in (f"other {n}" for n in range(100)) if UPPER.key(t)[0] != UPPER.key("alpha")[0]][:5]
    journalled, new = in_file_of("alpha", "new", 2)
    fill(tmp_path, *texts, *others)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", FLOOR)  # from now on, what is new is journalled
    new_process()
    fill(tmp_path, *texts, *others, journalled)
    before = snapshot(tmp_path)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", 0)
    monkeypatch.setattr(_memo, "_JOURNAL_SHARE", 1 << 40)  # the journal is compacted at its next write
    new_process()
    assert fill(tmp_path, *texts, *others, journalled, new).texts == [new]
    after = snapshot(tmp_path)
    assert not journal_file(tmp_path).exists()
    assert after[memo_file(tmp_path).name] != before[memo_file(tmp_path).name], (
        "its journalled entry moved in"
    )
    untouched = {memo_file(tmp_path, text=text).name for text in others}
    assert {name: after[name] for name in untouched} == {name: before[name] for name in untouched}


def test_a_journal_line_cut_just_before_its_check_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even when what remains looks whole: a value that itself ends in a tab and the check of the
    line cut there (a raw value can hold tabs)."""
    text = "cut"
    texts = [t for t in (f"text {n}" for n in range(200)) if RAW.key(t)[0] == RAW.key(text)[0]][:5]
    key = RAW.key(text).encode()
    cut = b'{"x":1}'
    value = cut + b"\t%08x" % zlib.crc32(key + b"\t" + cut)
    with memo_session(tmp_path):
        for t in texts:
            RAW.get(t, lambda t=t: json.dumps(t).encode())
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", FLOOR)  # from now on, what is new is journalled
    new_process()
    with memo_session(tmp_path):
        for t in texts:
            RAW.get(t, lambda: pytest.fail("computed again"))
        RAW.get(text, lambda: value)
    path = journal_file(tmp_path, "test.raw")
    data = path.read_bytes()
    assert data.endswith(_memo_journal.line(key, value))
    path.write_bytes(data[: -_memo_journal.CHECK - 2])  # its tab, check and newline: killed as it wrote them
    new_process()
    with memo_session(tmp_path):
        assert RAW.get(text, lambda: value) == value, "computed again, not the value cut short"


def test_the_package_is_listed_once_a_process() -> None:
    """The code key, the stamps and the check each ask for the package's files: one listing serves all."""
    assert _memo.package_files() is _memo.package_files()


@pytest.mark.parametrize("written", ["appended", "whole"])
def test_lines_another_process_adds_while_this_one_writes_the_journal_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: str
) -> None:
    """Another process's line that lands between this process's write and its look at the file makes
    the file longer than what this process wrote: the journal it knows is not taken for the file."""
    same = in_file_of("record", "text", 6)
    other = in_file_of("record", "other", 1)[0]
    record_first(tmp_path, same)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", FLOOR)  # from now on, what is new is journalled
    if written == "appended":
        with memo_session(tmp_path):
            UPPER.put("record", "v0")  # the journal, written whole: the next lines are appended
            assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in same)
    path = journal_file(tmp_path)

    def another_appends() -> None:  # another process, between this one's write and its look at the file
        with path.open("ab") as f:
            f.write(_memo_journal.line(UPPER.key(other).encode(), b'"FROM ANOTHER"'))

    real_write, real_replace = os.write, os.replace

    def write_then_another(fd: int, data: Any) -> int:
        n = real_write(fd, data)
        if b'"v1"' in bytes(data):
            another_appends()
        return n

    def replace_then_another(source: Any, target: Any) -> None:
        real_replace(source, target)
        if Path(target) == path:
            another_appends()

    if written == "appended":
        monkeypatch.setattr(os, "write", write_then_another)
    else:
        monkeypatch.setattr(os, "replace", replace_then_another)
    with memo_session(tmp_path):
        UPPER.put("record", "v1")
        assert all(UPPER.get(text, Calls(allowed=False)(text)) == text.upper() for text in same)
    monkeypatch.setattr(os, "write", real_write)
    monkeypatch.setattr(os, "replace", real_replace)
    assert "FROM ANOTHER" in path.read_text()
    with memo_session(tmp_path):
        assert UPPER.stored(other) == "FROM ANOTHER"
        assert UPPER.stored("record") == "v1"


def test_the_values_kept_unread_are_grouped_by_the_file_their_key_falls_in(tmp_path: Path) -> None:
    """Keys kept unread are split among the 16 files by their first hex digit, whatever their order.

    A key kept, then used (its value read or computed), is among the entries used, not those kept unread.
    """
    keys = [f"{digit}{n:063x}" for n in range(3) for digit in reversed(_memo._SHARDS)]
    store = _memo._Store(tmp_path, "test.kept")
    computed = "5" + "f" * 63
    store.wanted.update([*keys, computed])
    store.used[computed] = _memo._Fresh(b'"computed"')  # a value computed: not among those kept unread
    grouped = _memo._kept_by_shard(store)
    assert list(grouped) == list(_memo._SHARDS)
    for shard, found in grouped.items():
        assert found == sorted(k.encode() for k in keys if k.startswith(shard)) and len(found) == 3


def test_a_package_file_that_is_a_link_is_recorded_as_what_it_led_to_when_read(tmp_path: Path) -> None:
    """A link's entry in the quick record is made from what it led to as the code key read it, not later."""
    from curriculum.site._quick import entry_of, stat_of

    target, link = tmp_path / "module.py", tmp_path / "linked.py"
    target.write_text("x = 1\n")
    link.symlink_to(target)
    look = _memo._look(os.fspath(link))
    assert entry_of(os.fspath(link), *look) == stat_of(os.fspath(link))
    os.utime(target, ns=(0, 10**9))  # edited since it was read
    assert entry_of(os.fspath(link), *look) != stat_of(os.fspath(link))
    assert entry_of(os.fspath(target), *_memo._look(os.fspath(target))) == stat_of(os.fspath(target))
    target.unlink()
    gone = os.fspath(link)  # leads nowhere
    assert entry_of(gone, *_memo._look(gone)) == stat_of(gone)


def _pruning(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    pruned: list[bool] = []
    rewrite = _memo._rewrite_journal

    def counted(*args: Any) -> bool:
        pruned.append(rewrite(*args))
        return pruned[-1]

    monkeypatch.setattr(_memo, "_rewrite_journal", counted)
    return pruned


def _stale_journal(root: Path, monkeypatch: pytest.MonkeyPatch, kept: str) -> list[str]:
    same = in_file_of("record", "text", 6)
    fill(root, *same)
    monkeypatch.setattr(_memo, "_JOURNAL_SHARE", 1 << 40)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", 1000)
    new_process()
    fill(root, *same, kept)  # journalled: only the journal holds it
    for edit in in_file_of("record", "edit", 4):  # stale edits
        new_process()
        fill(root, *same, kept, edit)
    assert UPPER.key(kept) in journal_entries(journal_file(root))
    return same


def test_a_pruned_journal_keeps_an_entry_kept_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = in_file_of("record", "kept", 1)[0]
    same = _stale_journal(tmp_path, monkeypatch, kept)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", journal_file(tmp_path).stat().st_size + 10)
    pruned = _pruning(monkeypatch)
    new_process()
    with memo_session(tmp_path):
        UPPER.keep(kept)  # kept unread (a page reused whole)
        assert all(UPPER.get(t, Calls(allowed=False)(t)) == t.upper() for t in same)
        UPPER.get("one more", Calls()("one more"))
    assert pruned == [True]
    new_process()
    with memo_session(tmp_path):
        assert UPPER.stored(kept) == kept.upper(), "the entry kept unread was pruned"


def test_a_session_cut_short_does_not_prune(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = in_file_of("record", "kept", 1)[0]
    same = _stale_journal(tmp_path, monkeypatch, kept)
    monkeypatch.setattr(_memo, "_JOURNAL_FLOOR", journal_file(tmp_path).stat().st_size + 10)
    pruned = _pruning(monkeypatch)
    new_process()
    with pytest.raises(RuntimeError), memo_session(tmp_path):
        assert all(UPPER.get(t, Calls(allowed=False)(t)) == t.upper() for t in same)
        UPPER.get("one more", Calls()("one more"))
        raise RuntimeError("cut short")
    assert pruned == []
    new_process()
    with memo_session(tmp_path):
        assert UPPER.stored(kept) == kept.upper(), "a session cut short dropped what it did not reach"
