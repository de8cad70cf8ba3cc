"""Frozen execution: ``_freeze/`` reused while the code is unchanged, refreshed by the build, checked in CI.

A fake kernel (``NotebookCache._run``) records which notebooks run, so these
tests assert on the engine's own record of work done (:class:`Ran`) in a
fraction of a second; ``test_build.py`` runs real kernels.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from curriculum.site._execute import FREEZE_DIR, LEARNT_FILE, NotebookCache, Ran
from curriculum.site._reference import KEY_FILE, reference_key
from tests.cli.test_cli import run


def lesson(root: Path, name: str, code: str, front: str = "title: x") -> Path:
    path = root / "lessons" / f"{name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    cells = [
        {"cell_type": "raw", "metadata": {}, "source": f"---\n{front}\n---"},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": code},
    ]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


@pytest.fixture
def kernel(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A fake kernel: each run is recorded; each code cell displays its source, with an execution count."""
    runs: list[str] = []

    def fake_run(self: NotebookCache, path: Path, digest: str | None = None) -> Any:
        runs.append(path.name)
        nb = copy.deepcopy(self._read_as(path, digest)[0])
        for n, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
            cell["outputs"] = [
                {
                    "output_type": "execute_result",
                    "execution_count": n + 1,
                    "metadata": {},
                    "data": {"text/plain": [cell["source"]]},
                },
                {"output_type": "stream", "name": "stderr", "text": f"warning from {path}\n"},
            ]
        return nb

    monkeypatch.setattr(NotebookCache, "_run", fake_run)
    return runs


def build(root: Path, freeze: Any = "auto", **kwargs: Any) -> list[Ran]:
    """One execute stage as the build runs it, with a fresh build cache unless it is the project's."""
    done: list[Ran] = []
    cache = NotebookCache(root, root / ".curriculum-cache" / "executed", freeze=freeze, **kwargs)
    cache.executed(sorted((root / "lessons").glob("*.ipynb")), done.extend)
    return done


def hows(done: list[Ran]) -> dict[str, str]:
    return {r.path.name: r.how for r in done}


def test_each_notebook_done_is_named_relative_to_the_project(tmp_path: Path, kernel: list[str]) -> None:
    """As the build's report lists it (``RenderStats.notebooks``), executed or not."""
    lesson(tmp_path, "a", "1")
    assert [(r.name, r.how) for r in build(tmp_path)] == [("lessons/a.ipynb", "executed")]
    lesson(tmp_path, "b.v2", "2")
    assert [(r.name, r.how) for r in build(tmp_path)] == [
        ("lessons/a.ipynb", "frozen"),
        ("lessons/b.v2.ipynb", "executed"),
    ]
    cache = NotebookCache(tmp_path, tmp_path / "cache", freeze="auto")
    assert (
        cache.frozen_name(tmp_path / "lessons" / "b.v2.ipynb")
        == "_freeze/lessons/b.v2/execute-results/curriculum.json"
    )
    with pytest.raises(ValueError, match="is not in the project"):
        cache.frozen_name(tmp_path.parent / "elsewhere.ipynb")


def test_the_notebooks_stored_are_reported_at_once_then_each_executed_as_it_is_done(
    tmp_path: Path, kernel: list[str]
) -> None:
    """One report of every notebook whose outputs are stored: the build's progress takes one step for them."""
    for name in ("a", "b"):
        lesson(tmp_path, name, "1")
    build(tmp_path)
    lesson(tmp_path, "c", "2")
    lesson(tmp_path, "d", "3")
    reports: list[list[tuple[str, str]]] = []
    cache = NotebookCache(tmp_path, tmp_path / ".curriculum-cache" / "executed", freeze="auto")
    cache.executed(
        sorted((tmp_path / "lessons").glob("*.ipynb")),
        lambda ran: reports.append([(r.name, r.how) for r in ran]),
        workers=1,
    )
    assert reports == [
        [("lessons/a.ipynb", "frozen"), ("lessons/b.ipynb", "frozen")],
        [("lessons/c.ipynb", "executed")],
        [("lessons/d.ipynb", "executed")],
    ]


def test_notebooks_named_as_the_configuration_lists_them_are_named_as_by_their_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name joined to the root as a string is the notebook's own: it is not found again from its path."""
    names = ["lessons/a.ipynb", "lessons/b.v2.ipynb", "./lessons/c.ipynb"]
    looked: list[str] = []
    real = NotebookCache._relative
    monkeypatch.setattr(
        NotebookCache, "_relative", lambda self, text: looked.append(text) or real(self, text)
    )
    given = NotebookCache(tmp_path, tmp_path / "cache")
    texts = given.named(names)
    assert texts == [os.fspath(tmp_path / name) for name in names]
    assert looked == [texts[2]], "only the name that is not the path's own"
    by_path = NotebookCache(tmp_path, tmp_path / "cache")
    assert [given.frozen_name(text) for text in texts] == [by_path.frozen_name(text) for text in texts]
    assert [given.frozen_path(text) for text in texts] == [by_path.frozen_path(tmp_path / n) for n in names]
    assert given.frozen_name(texts[2]) == "_freeze/lessons/c/execute-results/curriculum.json"
    with pytest.raises(ValueError, match="is not in the project"):
        given.named([os.fspath(tmp_path.parent / "elsewhere.ipynb")])
    looked.clear()
    clean = NotebookCache(tmp_path, tmp_path / "cache")
    assert clean.named(names[:2]) == texts[:2] and not looked  # every name its path's own: compared at once
    assert [clean.frozen_name(text) for text in texts[:2]] == [given.frozen_name(text) for text in texts[:2]]


def test_notebooks_named_by_their_paths_as_strings_are_taken_as_their_paths(
    tmp_path: Path, kernel: list[str]
) -> None:
    """How the build names them (it makes no path object for a notebook it does not read)."""
    a = lesson(tmp_path, "a", "1")
    build(tmp_path)
    cache = NotebookCache(tmp_path, tmp_path / ".curriculum-cache" / "executed", freeze="auto")
    done: list[Ran] = []
    by_text = cache.executed([str(a)], done.extend)
    assert [(r.file, r.path, r.how, r.name) for r in done] == [(str(a), a, "frozen", "lessons/a.ipynb")]
    by_path = cache.executed([a])
    assert list(by_text) == [a] and len(by_text) == 1 and by_text[a] == by_path[a]
    assert by_text.outputs_digest(a) == by_path.outputs_digest(str(a))
    assert cache.prune([str(a)]) == 0 and kernel == ["a.ipynb"]


def test_a_fresh_clone_uses_the_frozen_outputs_and_runs_no_kernel(tmp_path: Path, kernel: list[str]) -> None:
    lesson(tmp_path, "a", "1 + 1")
    assert hows(build(tmp_path)) == {"a.ipynb": "executed"}
    frozen = tmp_path / FREEZE_DIR / "lessons" / "a" / "execute-results" / "curriculum.json"
    assert frozen.is_file()
    clone = tmp_path / "clone"
    clone.mkdir()
    (clone / "lessons").mkdir()
    (clone / "lessons" / "a.ipynb").write_bytes((tmp_path / "lessons" / "a.ipynb").read_bytes())
    (clone / FREEZE_DIR).mkdir()
    import shutil

    shutil.copytree(tmp_path / FREEZE_DIR, clone / FREEZE_DIR, dirs_exist_ok=True)
    assert hows(build(clone)) == {"a.ipynb": "frozen"}
    assert kernel == ["a.ipynb"]  # only the first build ran a kernel


def test_the_frozen_file_is_deterministic_small_and_machine_free(tmp_path: Path, kernel: list[str]) -> None:
    lesson(tmp_path, "a", "1 + 1")
    build(tmp_path)
    frozen = tmp_path / FREEZE_DIR / "lessons" / "a" / "execute-results" / "curriculum.json"
    first = frozen.read_bytes()
    build(tmp_path, refresh=True)  # executed again: the same bytes
    assert frozen.read_bytes() == first and kernel == ["a.ipynb", "a.ipynb"]
    text = first.decode()
    assert str(tmp_path) not in text and "execution_count" not in text and "stream" not in text
    record = json.loads(text)
    assert record["engine"] == "curriculum" and record["format"] == 1
    assert record["outputs"] == [
        [{"output_type": "display_data", "data": {"text/plain": "1 + 1"}, "metadata": {}}]
    ]


def test_a_code_edit_executes_again_and_refreshes_the_freeze(tmp_path: Path, kernel: list[str]) -> None:
    lesson(tmp_path, "a", "1 + 1")
    lesson(tmp_path, "b", "2 + 2")
    build(tmp_path)
    lesson(tmp_path, "a", "1 + 2")
    assert hows(build(tmp_path)) == {"a.ipynb": "executed", "b.ipynb": "frozen"}
    lesson(tmp_path, "a", "1 + 2", front="title: a new title")  # front matter is not code
    assert hows(build(tmp_path)) == {"a.ipynb": "frozen", "b.ipynb": "frozen"}


def test_an_execution_option_change_executes_again(tmp_path: Path, kernel: list[str]) -> None:
    lesson(tmp_path, "a", "1 + 1")
    build(tmp_path, options={"echo": False})
    assert hows(build(tmp_path, options={"echo": False, "freeze": "auto"})) == {"a.ipynb": "frozen"}
    assert hows(build(tmp_path, options={"echo": False, "timeout": 30})) == {"a.ipynb": "executed"}
    lesson(tmp_path, "a", "1 + 1", front="title: x\nexecute:\n  timeout: 20")
    assert hows(build(tmp_path, options={"echo": False, "timeout": 30})) == {"a.ipynb": "executed"}


def test_no_freeze_executes_everything(tmp_path: Path, kernel: list[str]) -> None:
    lesson(tmp_path, "a", "1 + 1")
    build(tmp_path)
    assert hows(build(tmp_path, refresh=True)) == {"a.ipynb": "executed"}


def test_freeze_true_keeps_the_outputs_even_when_the_code_changed(tmp_path: Path, kernel: list[str]) -> None:
    lesson(tmp_path, "a", "1 + 1")
    build(tmp_path, freeze=True)
    lesson(tmp_path, "a", "1 + 2")
    assert hows(build(tmp_path, freeze=True)) == {"a.ipynb": "frozen"}
    assert hows(build(tmp_path, freeze="auto")) == {"a.ipynb": "executed"}


def test_freeze_false_writes_no_freeze_but_uses_the_build_cache(tmp_path: Path, kernel: list[str]) -> None:
    lesson(tmp_path, "a", "1 + 1")
    build(tmp_path, freeze=False)
    assert not (tmp_path / FREEZE_DIR).exists()
    assert hows(build(tmp_path, freeze=False)) == {"a.ipynb": "cached"}
    lesson(tmp_path, "b", "2", front="title: b\nexecute:\n  freeze: auto")  # a notebook may freeze itself
    build(tmp_path, freeze=False)
    assert (tmp_path / FREEZE_DIR / "lessons" / "b" / "execute-results" / "curriculum.json").is_file()


def test_stale_missing_and_orphaned_freezes_are_reported_and_pruned(
    tmp_path: Path, kernel: list[str]
) -> None:
    lesson(tmp_path, "a", "1 + 1")
    lesson(tmp_path, "b", "2 + 2")
    build(tmp_path)
    quarto = tmp_path / FREEZE_DIR / "lessons" / "gone" / "execute-results" / "html.json"
    quarto.parent.mkdir(parents=True)
    quarto.write_text("{}")  # Quarto's own file: never ours to judge or remove
    (quarto.parent / "curriculum.json").write_text(
        (quarto.parent.parent.parent / "a" / "execute-results" / "curriculum.json").read_text()
    )
    lesson(tmp_path, "a", "1 + 2")
    lesson(tmp_path, "c", "3")
    cache = NotebookCache(tmp_path, tmp_path / "cache", freeze="auto", write_freeze=False)
    notebooks = sorted((tmp_path / "lessons").glob("*.ipynb"))
    found = {(Path(d.path).name, d.code): d.message for d in cache.stale(notebooks)}
    assert set(found) == {("a.ipynb", "CUR605"), ("c.ipynb", "CUR605"), ("curriculum.json", "CUR605")}
    assert "changed since its outputs were frozen in _freeze/lessons/a/" in found["a.ipynb", "CUR605"]
    assert "has no frozen outputs" in found["c.ipynb", "CUR605"]
    assert NotebookCache(tmp_path, tmp_path / "cache", freeze="auto").prune(notebooks) == 1
    assert quarto.is_file() and not (quarto.parent / "curriculum.json").exists()


def test_pruning_does_not_follow_a_link_to_a_folder(tmp_path: Path, kernel: list[str]) -> None:
    """A folder linked into _freeze/ (a repository can ship one) is not searched: nothing there is removed."""
    lesson(tmp_path, "a", "1 + 1")
    build(tmp_path)
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    kept = elsewhere / "gone" / "execute-results" / "curriculum.json"
    kept.parent.mkdir(parents=True)
    frozen = tmp_path / FREEZE_DIR / "lessons" / "a" / "execute-results" / "curriculum.json"
    kept.write_text(frozen.read_text())
    (tmp_path / FREEZE_DIR / "lessons" / "linked").symlink_to(elsewhere, target_is_directory=True)
    notebooks = sorted((tmp_path / "lessons").glob("*.ipynb"))
    cache = NotebookCache(tmp_path, tmp_path / "cache", freeze="auto")
    assert cache.stale(notebooks) == [] and cache.prune(notebooks) == 0
    assert kept.is_file()


def test_a_freeze_folder_that_links_out_of_the_project_is_neither_read_nor_pruned(
    tmp_path: Path, kernel: list[str]
) -> None:
    """A repository can ship _freeze/ itself as a link: nothing beyond it is judged or removed."""
    project = tmp_path / "project"
    lesson(project, "a", "1 + 1")
    elsewhere = tmp_path / "elsewhere"
    victim = elsewhere / "lessons" / "gone" / "execute-results" / "curriculum.json"
    victim.parent.mkdir(parents=True)
    victim.write_text('{"hash": "x", "outputs": []}')
    (project / FREEZE_DIR).symlink_to(elsewhere, target_is_directory=True)
    notebooks = sorted((project / "lessons").glob("*.ipynb"))
    cache = NotebookCache(project, project / "cache", freeze="auto")
    assert all("gone" not in d.path for d in cache.stale(notebooks))
    assert cache.prune(notebooks) == 0 and victim.is_file()


def test_check_strict_fails_on_a_stale_freeze_and_names_the_command(
    project: Path, kernel: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project / "_quarto.yml"
    config.write_text(config.read_text() + "execute:\n  freeze: auto\n")
    monkeypatch.chdir(project)
    status, out, _ = run(["check", "--strict"], capsys)
    assert status == 1
    assert "lessons/intro.ipynb:1:1: warning CUR605: has no frozen outputs in _freeze/lessons/intro/" in out
    assert "run `curriculum build`" in out and "commit _freeze/" in out
    assert not (project / FREEZE_DIR).exists()  # the check reads _freeze/, never writes it
    assert run(["check"], capsys)[0] == 0  # a warning: only --strict (CI) fails


def test_check_strict_fails_on_a_stale_reference_and_names_the_command(
    project: Path, kernel: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project / "_quarto.yml"
    section = "quartodoc:\n  package: curriculum\n  dir: reference\n  sections: []\n"
    config.write_text(config.read_text(encoding="utf-8") + section, encoding="utf-8")
    monkeypatch.chdir(project)
    status, out, _ = run(["check", "--strict"], capsys)
    assert status == 1
    assert f"{KEY_FILE}:1:1: warning CUR606: there is no API reference (reference/index.qmd)" in out
    assert "run `curriculum build`" in out and "then commit reference/" in out
    assert not (project / "reference").exists()  # the check runs no quartodoc
    (project / "reference").mkdir()
    (project / "reference" / "index.qmd").write_text("# API reference\n", encoding="utf-8")
    key = reference_key(project)
    assert key is not None
    (project / KEY_FILE).write_text(key.text(), encoding="utf-8")
    assert run(["check", "--strict"], capsys)[0] == 0
    (project / KEY_FILE).write_text(key.text().replace("sources ", "sources 0"), encoding="utf-8")
    status, out, _ = run(["check", "--strict"], capsys)  # the key is watched: the clean check is not replayed
    assert status == 1 and "CUR606: says reference/ was generated from other Python files" in out


def test_a_notebook_known_by_its_digest_is_read_only_when_asked_for(
    tmp_path: Path, kernel: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its outputs' key is remembered by its text's digest; a notebook edited since is not shown stale."""
    import hashlib

    from curriculum import _memo
    from curriculum._memo import memo_session
    from curriculum.errors import ContentError

    path = lesson(tmp_path, "a", "print(1)")
    digests = {str(path): hashlib.sha256(path.read_text().encode()).hexdigest()}
    cache = NotebookCache(tmp_path, tmp_path / ".curriculum-cache" / "executed", freeze="auto")
    with memo_session(tmp_path):
        first = cache.executed([path], digests=digests)
    assert kernel == ["a.ipynb"]
    _memo._stores.clear()  # a new process
    read: list[str] = []
    real = NotebookCache._read
    monkeypatch.setattr(NotebookCache, "_read", lambda self, p: read.append(p.name) or real(self, p))
    with memo_session(tmp_path):
        again = cache.executed([path], digests=digests)
        assert read == [] and again.outputs_digest(path) == first.outputs_digest(path)
        assert again[path] == cache.executed([path])[path]  # as one read at once
        assert read == ["a.ipynb", "a.ipynb"]
        later = cache.executed([path], digests=digests)
        path.write_text(path.read_text().replace("print(1)", "print(2)"))  # after the content was loaded
        with pytest.raises(ContentError) as raised:
            later[path]
    (problem,) = raised.value.diagnostics
    assert (problem.code, problem.message) == ("CUR101", "the file changed while it was being read")
    assert kernel == ["a.ipynb"], "no kernel ran for the known notebook"


@pytest.mark.parametrize("refresh", [False, True], ids=["read", "known"])
def test_a_notebook_saved_while_the_build_runs_is_refused_not_run_as_the_old_text(
    tmp_path: Path, kernel: list[str], refresh: bool
) -> None:
    """Saved after the content was loaded: its outputs must not be kept under the key of the text checked."""
    import hashlib

    from curriculum import _memo
    from curriculum._memo import memo_session
    from curriculum.errors import ContentError

    path = lesson(tmp_path, "a", "6*7")
    digests = {str(path): hashlib.sha256(path.read_text().encode()).hexdigest()}
    folder = tmp_path / ".curriculum-cache" / "executed"
    with memo_session(tmp_path):
        NotebookCache(tmp_path, folder, freeze="auto").executed([path], digests=digests)
    stored = {p.name: p.read_text() for p in folder.glob("*.json")}
    path.write_text(path.read_text().replace("6*7", "6*9"))  # saved once the content was loaded
    if not refresh:  # a new process without the memo or its record: the notebook is read to know its key
        _memo._stores.clear()
        shutil.rmtree(tmp_path / ".curriculum-cache" / "memo")
        (tmp_path / ".curriculum-cache" / LEARNT_FILE).unlink()
    cache = NotebookCache(tmp_path, folder, freeze="auto", refresh=refresh)  # refresh: known, run again
    with memo_session(tmp_path), pytest.raises(ContentError) as raised:
        cache.executed([path], digests=digests)
    (problem,) = raised.value.diagnostics
    assert (problem.code, problem.message) == ("CUR101", "the file changed while it was being read")
    assert {p.name: p.read_text() for p in folder.glob("*.json")} == stored, "nothing kept under the old key"
    assert (
        "6*9"
        not in (tmp_path / FREEZE_DIR / "lessons" / "a" / "execute-results" / "curriculum.json").read_text()
    )


def _built_twice(tmp_path: Path) -> tuple[Path, dict[str, str], NotebookCache, Any, Any]:
    """Execute a one-cell lesson, then take it again as the next build does; return both results.

    Returns the lesson, its text's digest (as the content index gives it), the
    cache, and what each of the two builds got.
    """
    import hashlib

    from curriculum._memo import memo_session
    from tests.conftest import aged

    path = lesson(tmp_path, "a", "print(1)")
    digests = {str(path): hashlib.sha256(path.read_text().encode()).hexdigest()}
    cache = NotebookCache(tmp_path, tmp_path / ".curriculum-cache" / "resident" / "executed", freeze="auto")
    with memo_session(tmp_path):
        first = cache.executed([path], digests=digests)
    aged(tmp_path)  # as files are when the next build runs (the record trusts no file of its own tick)
    with memo_session(tmp_path):
        second = cache.executed([path], digests=digests)
    return path, digests, cache, first, second


def test_frozen_outputs_unchanged_since_the_last_build_are_read_only_when_asked_for(
    tmp_path: Path, kernel: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quiz edit reads no `_freeze/` record; one changed once the build chose it is refused (CUR101)."""
    from curriculum import _memo
    from curriculum._memo import memo_session
    from curriculum.errors import ContentError
    from curriculum.site import _execute

    path, digests, cache, first, second = _built_twice(tmp_path)
    shown = second[path]  # as the frozen record gives it
    _memo._stores.clear()  # a new process
    records: list[str] = []
    real = _execute._record
    monkeypatch.setattr(_execute, "_record", lambda p: records.append(p.parent.parent.name) or real(p))
    with memo_session(tmp_path):
        again = cache.executed([path], digests=digests)
        assert records == [] and again.outputs_digest(path) == first.outputs_digest(path)
        assert again[path] == shown and records == ["a"]  # read when its page is made again
        later = cache.executed([path], digests=digests)
    frozen = tmp_path / FREEZE_DIR / "lessons" / "a" / "execute-results" / "curriculum.json"
    frozen.write_text(frozen.read_text().replace("print(1)", "print(3)"))  # once the build chose it
    with pytest.raises(ContentError) as raised:
        later[path]
    assert raised.value.diagnostics[0].code == "CUR101"
    assert kernel == ["a.ipynb"]


def test_frozen_files_the_caller_hashed_are_not_looked_at_again(
    tmp_path: Path, kernel: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build's stamp hashed each frozen file as the build began: the execute stage takes those hashes."""
    import hashlib

    from curriculum.site import _stamp

    path, digests, cache, first, _ = _built_twice(tmp_path)
    b = lesson(tmp_path, "b", "print(2)")
    build(tmp_path)  # b's outputs frozen too
    names = [f"{FREEZE_DIR}/lessons/{n}/execute-results/curriculum.json" for n in ("a", "b")]
    hashed = {name: hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() for name in names}
    given: list[str] = []
    real = _stamp.FileDigests.digest

    def digest(self: Any, paths: Any, **options: Any) -> str:
        paths = list(map(str, paths))
        given.extend(Path(p).relative_to(tmp_path).as_posix() for p in paths)
        return real(self, paths, **options)

    monkeypatch.setattr(_stamp.FileDigests, "digest", digest)
    done: list[Ran] = []
    again = cache.executed([path, b], done.extend, digests=digests, hashed=hashed)
    assert given == [] and [r.how for r in done] == ["frozen", "frozen"]
    assert again.outputs_digest(path) == first.outputs_digest(path)
    cache.executed([path, b], digests=digests, hashed={names[0]: hashed[names[0]]})
    assert given == [names[1]], "one the caller did not hash is hashed here"
    assert kernel == ["a.ipynb", "b.ipynb"]


@pytest.mark.parametrize("record", ["ours", "foreign", "damaged"])
def test_a_notebook_as_the_last_build_learnt_it_asks_the_memo_nothing(
    tmp_path: Path, kernel: list[str], monkeypatch: pytest.MonkeyPatch, record: str
) -> None:
    """Its key and its frozen file's are taken from the record; one from elsewhere or damaged is no record."""
    from curriculum import _memo
    from curriculum._memo import memo_session
    from curriculum.site import _execute

    path, digests, cache, first, _ = _built_twice(tmp_path)  # the second learns the frozen file
    from curriculum.site._record_file import seal, unsealed

    learnt = tmp_path / ".curriculum-cache" / "resident" / LEARNT_FILE
    first_line, rest = (unsealed(learnt.read_bytes()) or b"").split(b"\n")
    header, data = json.loads(first_line), json.loads(rest)
    assert header["token"] and header["outputs"] == [first.outputs_digest(path)]
    if record == "foreign":
        header["tie"] = "0" * 64
    elif record == "damaged":  # by code of ours: sealed as it is (and no token names such an entry)
        data["notebooks"][str(path)][4] = ["a key", "a digest", "more"]
        del header["token"], header["outputs"]
    learnt.write_text(seal(json.dumps(header) + "\n" + json.dumps(data)))
    _memo._stores.clear()  # a new process
    asked: list[str] = []
    for memo in (_execute._KNOWN, _execute._FROZEN):
        real = memo.stored
        spy = lambda text, real=real, **kw: asked.append(text) or real(text, **kw)  # noqa: E731
        monkeypatch.setattr(memo, "stored", spy)
    with memo_session(tmp_path):
        again = cache.executed([path], digests=digests)
    assert again.outputs_digest(path) == first.outputs_digest(path) and kernel == ["a.ipynb"]
    assert len(asked) == {"ours": 0, "foreign": 2, "damaged": 1}[record]


def test_a_notebook_whose_text_and_frozen_file_are_as_learnt_is_taken_at_once(
    tmp_path: Path, kernel: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its outputs are the frozen ones its record names: where they are stored is not looked for again.

    A frozen file hashed other than learnt is looked at as before, and the
    record of a notebook taken at once is kept as it was.
    """
    from curriculum._memo import memo_session
    from curriculum.site import _execute

    path, digests, cache, first, second = _built_twice(tmp_path)
    learnt = tmp_path / ".curriculum-cache" / "resident" / LEARNT_FILE
    record = learnt.read_bytes()
    looked: list[str] = []
    real = _execute.NotebookCache._stored

    def stored(self: NotebookCache, file: str, *args: Any) -> Any:
        looked.append(file)
        return real(self, file, *args)

    monkeypatch.setattr(_execute.NotebookCache, "_stored", stored)
    done: list[Ran] = []
    with memo_session(tmp_path):
        again = cache.executed([path], done.extend, digests=digests)
    assert looked == [] and [r.how for r in done] == ["frozen"] and learnt.read_bytes() == record
    assert again.outputs_digest(path) == first.outputs_digest(path) and again[path] == second[path]
    name = f"{FREEZE_DIR}/lessons/a/execute-results/curriculum.json"
    with memo_session(tmp_path):
        other = cache.executed([path], digests=digests, hashed={name: "0" * 64})  # not the file's hash
    assert looked == [str(path)] and other.outputs_digest(path) == first.outputs_digest(path)
    assert kernel == ["a.ipynb"]


def test_a_notebook_taken_as_learnt_makes_nothing_of_its_own_until_it_is_read(
    tmp_path: Path, kernel: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its outputs' digest is all the build keeps of it; what reads its outputs is made when it is read."""
    from curriculum._memo import memo_session
    from curriculum.site import _execute

    path, digests, cache, first, second = _built_twice(tmp_path)
    made: list[str] = []
    shown, digest = second[path], first.outputs_digest(path)  # read before _Outputs is replaced

    class Counted(_execute._Outputs):
        def __new__(cls, file: str, *args: Any) -> Any:
            made.append(file)
            return super().__new__(cls)

    monkeypatch.setattr(_execute, "_Outputs", Counted)
    with memo_session(tmp_path):
        again = cache.executed([path], digests=digests)
        assert again.outputs_digests([str(path)]) == [digest] and made == []
        assert again[path] == shown and len(made) == 1
        assert again[path] == shown and len(made) == 1, "read once"
    assert list(again) == [path] and tmp_path / "other.ipynb" not in again
    assert kernel == ["a.ipynb"]


def _rewritten(learnt: Path, old: str, new: str) -> None:
    """Replace ``old`` with ``new`` in the learnt record as this code would have written it (sealed again)."""
    from curriculum.site._record_file import seal, unsealed

    raw = learnt.read_bytes()
    body = unsealed(raw)
    text = (raw if body is None else body).decode().replace(old, new)
    learnt.write_text(text if body is None else seal(text))


def test_a_learnt_record_damaged_in_place_is_no_record(tmp_path: Path, kernel: list[str]) -> None:
    """One hex digit of an outputs' digest changed: the build reads the frozen file, not CUR101 forever."""
    from curriculum._memo import memo_session

    path, digests, cache, first, second = _built_twice(tmp_path)
    learnt = tmp_path / ".curriculum-cache" / "resident" / LEARNT_FILE
    digest = first.outputs_digest(path)
    text = learnt.read_text()
    assert digest in text
    learnt.write_text(text.replace(digest, ("1" if digest[0] != "1" else "2") + digest[1:]))
    for _ in range(2):  # this build, and the next
        with memo_session(tmp_path):
            again = cache.executed([path], digests=digests)
        assert again.outputs_digest(path) == digest and again[path] == second[path]
    assert kernel == ["a.ipynb"]


def test_a_frozen_file_as_hashed_that_holds_other_outputs_than_learnt_is_read(
    tmp_path: Path, kernel: list[str]
) -> None:
    """A record of ours that names other outputs than the file's: the entry is forgotten, the file read."""
    from curriculum._memo import memo_session

    path, digests, cache, first, second = _built_twice(tmp_path)
    learnt = tmp_path / ".curriculum-cache" / "resident" / LEARNT_FILE
    digest = first.outputs_digest(path)
    wrong = ("1" if digest[0] != "1" else "2") + digest[1:]
    _rewritten(learnt, digest, wrong)
    with memo_session(tmp_path):
        again = cache.executed([path], digests=digests)
        assert again[path] == second[path], "the file's outputs, no CUR101"
    assert wrong not in learnt.read_text(), "the entry is forgotten"
    with memo_session(tmp_path):
        later = cache.executed([path], digests=digests)
    assert later.outputs_digest(path) == digest and later[path] == second[path]
    assert kernel == ["a.ipynb"]


def test_a_frozen_record_replaced_while_it_was_being_hashed_is_not_remembered_as_the_other(
    tmp_path: Path, kernel: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `git checkout` between hashing the record and reading it: later builds see the record as it is."""
    import hashlib

    from curriculum import _memo
    from curriculum._memo import memo_session
    from curriculum.site import _stamp
    from tests.conftest import aged

    path = lesson(tmp_path, "a", "print(1)")
    digests = {str(path): hashlib.sha256(path.read_text().encode()).hexdigest()}
    cache = NotebookCache(tmp_path, tmp_path / ".curriculum-cache" / "resident" / "executed", freeze=True)
    with memo_session(tmp_path):
        cache.executed([path], digests=digests)
    frozen = tmp_path / FREEZE_DIR / "lessons" / "a" / "execute-results" / "curriculum.json"
    ours = frozen.read_text()
    theirs = ours.replace("print(1)", "print(2)")  # another branch's record of the same notebook
    aged(tmp_path)
    _memo._stores.clear()
    real = _stamp.FileDigests.digest

    def racing(self: Any, paths: Any, **options: Any) -> str:
        found = real(self, paths, **options)
        frozen.write_text(theirs)  # switched just after it was hashed
        return found

    monkeypatch.setattr(_stamp.FileDigests, "digest", racing)
    with memo_session(tmp_path):
        cache.executed([path], digests=digests)
    monkeypatch.setattr(_stamp.FileDigests, "digest", real)
    frozen.write_text(ours)  # switched back
    for _ in range(2):  # later builds, during which nothing changes
        aged(tmp_path)
        _memo._stores.clear()
        with memo_session(tmp_path):
            shown = cache.executed([path], digests=digests)[path]
        assert "print(1)" in json.dumps(shown)


def test_a_look_at_some_notebooks_outputs_executes_nothing_and_keeps_the_record_of_them_all(
    tmp_path: Path, kernel: list[str]
) -> None:
    """What the build's render ahead of an edited lesson asks: the others' frozen files stay known unread."""
    from curriculum.site import _stamp
    from tests.conftest import aged

    a = lesson(tmp_path, "a", "1 + 1")
    lesson(tmp_path, "b", "2 + 2")
    build(tmp_path)
    aged(tmp_path)
    build(tmp_path)  # the frozen files the first wrote are recorded
    record = tmp_path / ".curriculum-cache" / "frozen-digests.json"
    changes = record.with_name("frozen-digests.changes.json")
    before = record.read_bytes(), changes.read_bytes() if changes.exists() else None
    c = lesson(tmp_path, "c", "3 + 3")  # new: only a run would give it outputs
    kernel.clear()
    cache = NotebookCache(tmp_path, tmp_path / ".curriculum-cache" / "executed", freeze="auto")
    looked = cache.executed([a, c], execute=False)  # the edited ones, not b
    assert list(looked) == [a] and kernel == []
    assert (record.read_bytes(), changes.read_bytes() if changes.exists() else None) == before
    hashed: list[int] = []
    real = _stamp.FileDigests.digest

    def digest(self: Any, paths: Any, **options: Any) -> str:
        found = real(self, paths, **options)
        hashed.append(self.read)
        return found

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_stamp.FileDigests, "digest", digest)
        assert hows(build(tmp_path)) == {"a.ipynb": "frozen", "b.ipynb": "frozen", "c.ipynb": "executed"}
    assert hashed == [0]  # the frozen files, as recorded: none read again


@pytest.mark.parametrize("freeze", [1, 0, 1.0, "true", None])
def test_a_kept_notebook_key_with_a_freeze_of_another_type_is_no_entry(freeze: object) -> None:
    """A kept ``freeze`` is True, False or "auto" exactly: 1 or 0 (equal to True and False) is damage."""
    from curriculum.site._execute import _decode_known

    with pytest.raises(ValueError):
        _decode_known([freeze, "key"])
    assert _decode_known([True, "key"]) == (True, "key") and _decode_known(["auto", "k"]) == ("auto", "k")


def _pruning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Path], list[int]]:
    """Two frozen lessons; each listing of ``_freeze/`` a prune makes is counted (appended to the list).

    Folders changed just before a listing are trusted (``RACY_NS`` 0): these
    tests wait for the clock to move on before each change instead.
    """
    from curriculum.site import _execute

    monkeypatch.setattr(_execute, "RACY_NS", 0)
    lesson(tmp_path, "a", "1 + 1")
    lesson(tmp_path, "b", "2 + 2")
    build(tmp_path)
    listings: list[int] = []
    real = NotebookCache._frozen_listing

    def counted(self: NotebookCache) -> Any:
        listings.append(1)
        return real(self)

    monkeypatch.setattr(NotebookCache, "_frozen_listing", counted)
    return sorted((tmp_path / "lessons").glob("*.ipynb")), listings


def _later() -> None:
    """Wait for the file system's clock to move on: a change made now gives a folder other times."""
    import time

    time.sleep(0.05)


def _prune(root: Path, notebooks: list[Path]) -> int:
    return NotebookCache(root, root / ".curriculum-cache" / "executed", freeze="auto").prune(notebooks)


def test_a_prune_lists_freeze_only_when_a_folder_in_it_changed_or_a_notebook_left(
    tmp_path: Path, kernel: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit that leaves the notebooks and _freeze/ as they were costs a look at each folder, no listing."""
    notebooks, listings = _pruning(tmp_path, monkeypatch)
    assert _prune(tmp_path, notebooks) == 0 and len(listings) == 1  # no record yet: listed, recorded
    assert _prune(tmp_path, notebooks) == 0 and len(listings) == 1  # as it was: not listed
    assert (
        _prune(tmp_path, notebooks[:1]) == 1 and len(listings) == 3
    )  # b left: listed, and again once pruned
    assert not (tmp_path / FREEZE_DIR / "lessons" / "b").exists()
    assert _prune(tmp_path, notebooks[:1]) == 0 and len(listings) == 3
    assert _prune(tmp_path, notebooks) == 0 and len(listings) == 3  # b back, without its frozen file yet


@pytest.mark.parametrize("where", ["gone", "a/execute-results/deep", "gone-with-its-time-set-back"])
def test_a_stale_frozen_file_added_by_hand_is_pruned_whatever_folder_it_is_in(
    tmp_path: Path, kernel: list[str], monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """A file appears only by changing its folder: deep in the tree, or with the folder's time set back."""
    notebooks, listings = _pruning(tmp_path, monkeypatch)
    assert _prune(tmp_path, notebooks) == 0 and _prune(tmp_path, notebooks) == 0 and len(listings) == 1
    ours = tmp_path / FREEZE_DIR / "lessons" / "a" / "execute-results" / "curriculum.json"
    stale = (
        tmp_path / FREEZE_DIR / "lessons" / where.split("-with")[0] / "execute-results" / "curriculum.json"
    )
    first_new = next(p for p in reversed(stale.parents) if not p.exists())
    before = first_new.parent.stat()
    _later()
    stale.parent.mkdir(parents=True)
    stale.write_text(ours.read_text())
    if where.endswith("set-back"):
        os.utime(first_new.parent, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert _prune(tmp_path, notebooks) == 1 and not stale.exists() and not first_new.exists()
    assert ours.is_file()


def test_a_prune_trusts_no_record_of_folders_changed_as_they_were_listed(
    tmp_path: Path, kernel: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder written in the same clock tick as its listing may change unseen: the next prune lists again.

    So does one whose record is damaged, was written on another computer or by other code, or
    names a folder no path can be (a NUL in it); and every prune where a folder's change time
    is not one (Windows).
    """
    from curriculum.site import _execute

    notebooks, listings = _pruning(tmp_path, monkeypatch)
    monkeypatch.setattr(_execute, "RACY_NS", 10**12)  # every folder is "just written"
    assert _prune(tmp_path, notebooks) == 0 and _prune(tmp_path, notebooks) == 0 and len(listings) == 2
    monkeypatch.setattr(_execute, "RACY_NS", 0)
    assert _prune(tmp_path, notebooks) == 0 and _prune(tmp_path, notebooks) == 0 and len(listings) == 3
    record = tmp_path / ".curriculum-cache" / _execute.FOLDERS_FILE
    first, rest = record.read_text().split("\n")
    header, folders = json.loads(first), json.loads(rest)
    for damaged_header, damaged_folders in (
        ({**header, "key": "0" * 64}, folders),
        ({**header, "names": "x"}, folders),
        ({**header, "digest": 1}, folders),
        (header, {"_freeze": [1]}),
        (header, {**folders, "_freeze/x\u0000y": [1, 2, 3]}),
    ):
        record.write_text(json.dumps(damaged_header) + "\n" + json.dumps(damaged_folders))
        count = len(listings)
        assert _prune(tmp_path, notebooks) == 0 and len(listings) == count + 1
    for damage in ("{", json.dumps(header) + "\n{", "[]\n{}"):
        record.write_text(damage)
        count = len(listings)
        assert _prune(tmp_path, notebooks) == 0 and len(listings) == count + 1
    monkeypatch.setattr("curriculum._memo.code_key", lambda: "other code")
    count = len(listings)
    assert _prune(tmp_path, notebooks) == 0 and len(listings) == count + 1
    monkeypatch.setattr(_execute, "_CHANGE_TIMES", False)
    assert (
        _prune(tmp_path, notebooks) == 0 and _prune(tmp_path, notebooks) == 0 and len(listings) == count + 3
    )


def _looked(root: Path) -> dict[str, os.stat_result | None]:
    """Return the own status of each folder of ``root``'s _freeze/ and of the project, as a stamp has them."""
    found = [os.fspath(root)] + [os.fspath(p) for p in (root / FREEZE_DIR).rglob("*") if p.is_dir()]
    found.append(os.fspath(root / FREEZE_DIR))
    return {path: (os.lstat(path) if os.path.lexists(path) else None) for path in found}


def test_a_prune_takes_the_folders_as_the_stamp_looked_at_them_and_lists_when_they_differ(
    tmp_path: Path, kernel: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stamp's look at _freeze/'s folders stands for the prune's own: no look again, no record's statuses.

    A folder it lacks or has more of than the record, or one changed (its time set back by hand
    too: its change time), and the prune looks at the folders itself, as without the stamp's.
    """
    from curriculum.site import _execute

    notebooks, listings = _pruning(tmp_path, monkeypatch)
    cache = NotebookCache(tmp_path, tmp_path / ".curriculum-cache" / "executed", freeze="auto")
    assert cache.prune(notebooks) == 0 and len(listings) == 1  # recorded
    looked_again: list[int] = []
    statuses = _execute._statuses

    def counted(folders: list[str]) -> list[list[int] | None]:
        looked_again.append(1)
        return statuses(folders)

    monkeypatch.setattr(_execute, "_statuses", counted)
    assert cache.prune(notebooks, _looked(tmp_path)) == 0 and not looked_again and len(listings) == 1
    partial = {p: s for p, s in _looked(tmp_path).items() if not p.endswith("execute-results")}
    assert cache.prune(notebooks, partial) == 0 and looked_again == [1] and len(listings) == 1
    ours = tmp_path / FREEZE_DIR / "lessons" / "a" / "execute-results" / "curriculum.json"
    stale = tmp_path / FREEZE_DIR / "lessons" / "gone" / "execute-results" / "curriculum.json"
    lessons = tmp_path / FREEZE_DIR / "lessons"
    before = lessons.stat()
    _later()
    stale.parent.mkdir(parents=True)
    stale.write_text(ours.read_text())
    os.utime(lessons, ns=(before.st_atime_ns, before.st_mtime_ns))  # its time set back: its ctime is not
    looked = {p: s for p, s in _looked(tmp_path).items() if "gone" not in p}  # the new folders unseen
    assert cache.prune(notebooks, looked) == 1 and not stale.exists() and ours.is_file()
    assert len(listings) == 3  # listed, and again once pruned
    assert cache.prune(notebooks, _looked(tmp_path)) == 0 and len(listings) == 3


def test_a_stale_frozen_file_added_through_a_freeze_folder_that_is_a_link_is_pruned(
    tmp_path: Path, kernel: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """_freeze/ may link to a folder in the project: the prune lists that folder, so it looks at that one."""
    notebooks, listings = _pruning(tmp_path, monkeypatch)
    (tmp_path / FREEZE_DIR).rename(tmp_path / "frozen")
    (tmp_path / FREEZE_DIR).symlink_to(tmp_path / "frozen", target_is_directory=True)
    assert _prune(tmp_path, notebooks) == 0 and _prune(tmp_path, notebooks) == 0 and len(listings) == 1
    _later()
    stale = tmp_path / "frozen" / "gone" / "execute-results" / "curriculum.json"  # of a notebook gone.ipynb
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    assert _prune(tmp_path, notebooks) == 1 and not stale.exists()


def test_the_folders_statuses_taken_at_once_are_each_one_as_taken_alone(tmp_path: Path) -> None:
    """One ``stat`` a folder while all are there; a folder gone, or a name no folder has: None."""
    from curriculum.site import _execute

    (tmp_path / "a" / "b").mkdir(parents=True)
    there = [os.fspath(tmp_path / "a"), os.fspath(tmp_path / "a" / "b")]
    for folders in (there, [*there, os.fspath(tmp_path / "gone")], [*there, "x\0y"]):
        assert _execute._statuses(folders) == [_execute._status(folder) for folder in folders]
    info = os.stat(there[0])
    assert _execute._statuses(there[:1]) == [[info.st_ino, info.st_mtime_ns, info.st_ctime_ns]]


def test_the_notebooks_as_learnt_are_found_at_once_each_by_its_text_and_frozen_file(tmp_path: Path) -> None:
    """A notebook is taken when its text's digest and its frozen file's hash are both as learnt.

    And when that file holds the outputs of the key its text gives, or its ``freeze`` is ``true``.
    """
    from curriculum.site._execute import _Learnt

    learnt = _Learnt(tmp_path / "learnt.json", "context")
    for file, freeze, made in (
        ("a", "auto", ["Ka", "Oa"]),
        ("b", "auto", ["another key", "Ob"]),
        ("c", True, ["another key", "Oc"]),
        ("d", False, ["Kd", "Od"]),
        ("e", "auto", []),
        ("f", "auto", ["Kf", "Of"]),
    ):
        learnt.learn(file, f"D{file}", freeze, f"K{file}")
        learnt.learn_frozen(file, f"H{file}", made)
    learnt.save()
    again = _Learnt(tmp_path / "learnt.json", "context")
    files = ["a", "b", "c", "d", "e", "f", "g"]
    digests = {file: f"D{file}" for file in files}
    helds = ["Ha", "Hb", "Hc", "Hd", "He", "another hash", "Hg"]
    assert again.unchanged_all(files, digests, helds) == {"a": ("Oa", "Ha", "Da"), "c": ("Oc", "Hc", "Dc")}
    assert again.unchanged_all(files, {**digests, "a": "another text"}, helds) == {"c": ("Oc", "Hc", "Dc")}
    assert _Learnt(tmp_path / "learnt.json", "other context").unchanged_all(files, digests, helds) == {}


def test_the_notebooks_as_learnt_are_taken_whole_by_the_token_without_parsing_the_entries(
    tmp_path: Path,
) -> None:
    """A record that learnt every notebook named, each taken from its frozen file, names them by a token.

    The same notebooks in the same order, with the same texts and frozen files, are taken by it, their
    entries unread; any other list is compared entry by entry. A notebook forgotten drops the token.
    """
    from curriculum.site import _execute
    from curriculum.site._execute import _Learnt

    path = tmp_path / "learnt.json"
    files, helds = ["a", "b"], ["Ha", "Hb"]
    digests = {file: f"D{file}" for file in files}
    learnt = _Learnt(path, "context")
    assert learnt.unchanged_all(files, digests, helds) == {}
    for file in files:
        learnt.learn(file, f"D{file}", "auto", f"K{file}")
        learnt.learn_frozen(file, f"H{file}", [f"K{file}", f"O{file}"])
    learnt.save()
    taken = {"a": ("Oa", "Ha", "Da"), "b": ("Ob", "Hb", "Db")}
    again = _Learnt(path, "context")
    assert again.unchanged_all(files, digests, helds) == taken and again._parsed is None
    saved = path.read_bytes()
    again.save()
    assert path.read_bytes() == saved and again._parsed is None
    for other_files, other_digests, other_helds in (
        (["b", "a"], digests, ["Hb", "Ha"]),  # another order
        (files, {**digests, "b": "another text"}, helds),
        (files, digests, ["Ha", None]),
        (["a"], digests, ["Ha"]),
    ):
        other = _Learnt(path, "context")
        found = other.unchanged_all(other_files, other_digests, other_helds)
        assert other._parsed is not None
        assert found == {f: taken[f] for f in found} and ("a" in found) == (other_digests["a"] == "Da")
    whole = _Learnt(path, "context")
    whole.unchanged_all(files, digests, helds)
    whole.forget("a")  # found wrong: written again without it, and without the token
    after = _Learnt(path, "context")
    assert after._token is None and after.unchanged_all(files, digests, helds) == {"b": taken["b"]}
    assert _execute._learnt_token(files, ["Da", None], helds) is None
