"""Start-up: a command loads only what it needs (measured by ``make bench``; here, what is imported and read).

Each test runs the command in a fresh interpreter, since an import cannot be
undone in this one; the interpreter reports every module it imported and,
through an audit hook, every file it opened.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT

HEAVY = ("pydantic", "nbclient", "nbformat", "jinja2", "nh3", "pypandoc", "yaml", "rich", "markdown_it")
"""Libraries a start-up or a build with nothing to do must not load."""

PROBE = """
import json, sys
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)
from curriculum.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    status = exc.code
print(json.dumps({"status": status, "modules": sorted(sys.modules), "opened": opened}), file=sys.__stdout__)
"""


def probe(args: list[str], cwd: Path) -> dict[str, object]:
    """Run ``curriculum ARGS`` in a fresh interpreter; return its status, modules and files opened."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def copy(tmp_path: Path) -> Path:
    root = _project_copy(tmp_path)
    return root


def heavy(modules: object) -> list[str]:
    assert isinstance(modules, list)
    return [m for m in modules if m.split(".")[0] in HEAVY]


def test_version_imports_no_heavy_library(tmp_path: Path) -> None:
    result = probe(["--version"], tmp_path)
    assert result["status"] == 0
    assert heavy(result["modules"]) == []
    assert not [m for m in result["modules"] if isinstance(m, str) and m.startswith("curriculum.content")]


def test_a_no_change_build_reads_no_content_file_and_loads_nothing_heavy(tmp_path: Path) -> None:
    root = _project_copy(tmp_path)
    assert probe(["build", "--engine", "pandoc"], root)["status"] == 0
    again = probe(["build", "--engine", "pandoc"], root)
    assert again["status"] == 0
    assert heavy(again["modules"]) == []
    inside = [Path(p).resolve() for p in again["opened"] if isinstance(p, str) and Path(p).is_absolute()]
    inside += [
        (root / p).resolve() for p in again["opened"] if isinstance(p, str) and not Path(p).is_absolute()
    ]
    read = sorted(
        p.relative_to(root.resolve()).as_posix() for p in inside if p.is_relative_to(root.resolve())
    )
    # Only the stamps: the last build's record and the site's profile mark (every other file, and
    # every folder, is only stat-ed; no other output file is looked at: a file removed changes its
    # folder's time).
    assert read == [".curriculum-cache/resident/quick.stamp", "_site/.curriculum-profile"]


@pytest.mark.parametrize("removed", ["lessons/intro.html", "search/0.js", "_site/.curriculum-manifest.json"])
def test_an_output_file_removed_takes_the_full_path_which_writes_it_again(
    tmp_path: Path, removed: str
) -> None:
    root = _project_copy(tmp_path)
    assert probe(["build", "--engine", "pandoc"], root)["status"] == 0
    gone = root / removed if removed.startswith("_site") else root / "_site" / removed
    text = gone.read_bytes()
    gone.unlink()
    again = probe(["build", "--engine", "pandoc"], root)
    assert again["status"] == 0 and "pydantic" in again["modules"]  # not taken for a build with nothing to do
    assert gone.read_bytes() == text
    assert heavy(probe(["build", "--engine", "pandoc"], root)["modules"]) == []  # then quick again


def test_a_touched_file_takes_the_full_path_and_still_builds_nothing(tmp_path: Path) -> None:
    root = _project_copy(tmp_path)
    assert probe(["build", "--engine", "pandoc"], root)["status"] == 0
    quiz = root / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text())  # the same text, a new modification time
    again = probe(["build", "--engine", "pandoc"], root)
    assert again["status"] == 0 and "pydantic" in again["modules"]  # the contents were compared
    third = probe(["build", "--engine", "pandoc"], root)
    assert heavy(third["modules"]) == []  # the new times were recorded: quick again


def test_a_quiz_edit_loads_no_exporter_or_notebook_host(tmp_path: Path) -> None:
    """A quiz edit imports the handout's package (its page is made again), not the deck writer's database;
    nor the notebook host. A lesson edit, neither the exporters."""
    root = copy(tmp_path)
    assert probe(["build", "--engine", "pandoc"], root)["status"] == 0
    quiz = root / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("title: Introduction quiz", "title: Opening quiz"))
    again = probe(["build", "--engine", "pandoc"], root)
    assert again["status"] == 0 and "pydantic" in again["modules"]  # a build that did its work
    modules = again["modules"]
    assert isinstance(modules, list)
    assert not {"sqlite3", "curriculum.hosts.notebook", "curriculum.assess"} & set(modules)
    lesson = root / "lessons" / "intro.ipynb"  # its page shows the lesson's overview: static markup
    notebook = json.loads(lesson.read_text())
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "markdown" and "curriculum" not in str(c))
    cell["source"] = [*cell["source"], "\n\nA sentence added to the prose."]
    lesson.write_text(json.dumps(notebook))
    third = probe(["build", "--engine", "pandoc"], root)
    assert third["status"] == 0 and "pydantic" in third["modules"]
    assert not {"curriculum.hosts.notebook", "curriculum.assess", "curriculum.export"} & set(third["modules"])
    assert "curriculum.export" in modules  # the quiz's page and its handout were made again


def test_a_clean_check_is_replayed_without_loading_the_content(tmp_path: Path) -> None:
    root = _project_copy(tmp_path)
    first = probe(["check", "--strict"], root)
    assert first["status"] == 0 and "pydantic" in first["modules"]
    second = probe(["check", "--strict"], root)
    assert second["status"] == 0 and heavy(second["modules"]) == []
    quiz = root / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("title: Introduction quiz", "title: [broken"))
    third = probe(["check", "--strict"], root)
    assert third["status"] == 1  # an edit is seen at once


GC_PROBE = """
import gc, json, sys
import curriculum.site
from curriculum.cli import GC_THRESHOLDS, main
served = {}
def serve(*_, **__):  # the preview server, as its command starts it
    served.update(enabled=gc.isenabled(), thresholds=gc.get_threshold())
curriculum.site.serve = serve
sys.argv = ["curriculum", *sys.argv[1:]]
try:
    main()  # the process's own command line, as the console script calls it
except SystemExit as exc:
    status = exc.code
print(json.dumps({"status": status, "enabled": gc.isenabled(), "frozen": gc.get_freeze_count(),
                  "served": served, "ours": GC_THRESHOLDS}), file=sys.__stdout__)
"""


def _gc_probe(tmp_path: Path, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", GC_PROBE, *args],
        cwd=copy(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    return dict(json.loads(done.stdout.splitlines()[-1]))


def test_a_command_runs_without_the_collector_and_none_at_exit(tmp_path: Path) -> None:
    """A build loads many lasting objects and ends soon: the collector would walk them again and again."""
    result = _gc_probe(tmp_path, "check")
    assert result["status"] == 0 and result["enabled"] is False
    assert result["frozen"] > 10_000  # what the command loaded is left out of the exit's collections


def test_the_preview_server_collects_its_cycles_seldom(tmp_path: Path) -> None:
    """It runs for hours and rebuilds in its process: its garbage must go."""
    result = _gc_probe(tmp_path, "serve", "--no-build")
    assert result["status"] == 0
    assert result["served"] == {"enabled": True, "thresholds": result["ours"]} and result["ours"][0] > 700


def test_a_command_called_from_python_leaves_the_collector_alone() -> None:
    """Tests and other programs call ``main(args)``: the process is theirs."""
    import gc

    from curriculum.cli import main

    before = gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()
    with contextlib.suppress(SystemExit):
        main(["--version"])
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before


def _project_copy(tmp_path: Path) -> Path:
    """Return a copy of the test project in ``tmp_path``, without its site, cache or generated pages."""
    root = tmp_path / "project"
    shutil.copytree(
        PROJECT, root, ignore=shutil.ignore_patterns("_site*", ".curriculum-cache", "quiz", "cases")
    )
    return root


def test_on_coarse_file_times_a_file_removed_in_the_same_tick_is_still_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder's time to the second may not change when a file goes just after the build: look at each."""
    from rich.console import Console

    from curriculum.site import _quick, build_site

    root = _project_copy(tmp_path)
    build_site(root, engine="pandoc", console=Console(quiet=True))
    folder = root / "_site" / "lessons"
    then = folder.stat()
    (folder / "intro.html").unlink()
    os.utime(folder, ns=(then.st_atime_ns, then.st_mtime_ns))  # as a file system of whole seconds leaves it
    assert _quick.last_build(root, "resident", "pandoc", None) is not None  # fine times are trusted
    monkeypatch.setattr(_quick, "COARSE_NS", 1)  # every time is coarse: the files are looked for
    assert _quick.last_build(root, "resident", "pandoc", None) is None


def _quick_looks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Return the list each path the quick stamp looks at is noted in, from now on."""
    from curriculum.site import _quick

    looked: list[str] = []
    stat = _quick.stat_of

    def counted(path: str) -> list[Any]:
        looked.append(path)
        return stat(path)

    monkeypatch.setattr(_quick, "stat_of", counted)
    return looked


def test_the_quick_stamp_stops_at_the_first_file_that_differs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an edit the build takes the full path: files listed after the edited one are not looked at."""
    from curriculum.site import _quick

    files = [tmp_path / f"{n}.txt" for n in range(5)]
    for path in files:
        path.write_text("x")
    record = _quick.stats(str(p) for p in files)
    assert _quick.unchanged(record)
    files[1].write_text("longer")
    looked = _quick_looks(monkeypatch)
    assert not _quick.unchanged(record)
    assert looked == [str(files[0]), str(files[1])]
    assert not _quick.unchanged([*record[:1], "not an entry"]) and not _quick.unchanged([*record[:1], []])
    assert not _quick.unchanged([]), "a record that lists nothing says nothing"


def test_the_file_edited_last_is_the_quick_stamps_first_look(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An author edits the same file again and again: the next build's quick stamp looks at it first."""
    from rich.console import Console

    from curriculum.site import _quick, build_site

    root = _project_copy(tmp_path)
    quiz = root / "quizzes" / "intro.yml"
    build_site(root, engine="pandoc", console=Console(quiet=True))
    quiz.write_text(quiz.read_text().replace("30-year-old", "31-year-old"))
    build_site(root, engine="pandoc", console=Console(quiet=True))
    quiz.write_text(quiz.read_text().replace("31-year-old", "32-year-old"))
    looked = _quick_looks(monkeypatch)
    assert _quick.last_build(root, "resident", "pandoc", None) is None
    assert str(quiz) in looked and len(looked) <= 3, looked  # the quiz, or its folder and the quiz
    monkeypatch.undo()
    build_site(root, engine="pandoc", console=Console(quiet=True))
    assert "32-year-old" in (root / "_site" / "quiz" / "intro.html").read_text()
    assert _quick.last_build(root, "resident", "pandoc", None) is not None


@pytest.mark.parametrize("change", ["edited", "added"])
def test_an_input_changed_while_the_build_runs_is_seen_by_the_next_build(change: str, tmp_path: Path) -> None:
    """The quick stamp records each input and its folder as they were before the build read them."""
    from rich.console import Console

    from curriculum.site import _quick, _stamp, build_site

    root = _project_copy(tmp_path)
    quiz = root / "quizzes" / "intro.yml"
    changed = quiz if change == "edited" else root / "quizzes" / "intro-again.yml"
    commit = _stamp.BuildStamp.commit

    def changed_meanwhile(self: Any, *args: Any, **kwargs: Any) -> None:
        text = quiz.read_text().replace("30-year-old", "31-year-old")  # as the build ends
        changed.write_text(text if change == "edited" else text.replace("id: intro-q0", "id: again-q0"))
        commit(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_stamp.BuildStamp, "commit", changed_meanwhile)
        build_site(root, engine="pandoc", console=Console(quiet=True))
    page = root / "_site" / "quiz" / f"{changed.stem}.html"
    assert not page.is_file() or "31-year-old" not in page.read_text()
    assert _quick.last_build(root, "resident", "pandoc", None) is None, "the change is seen"
    build_site(root, engine="pandoc", console=Console(quiet=True))
    assert "31-year-old" in page.read_text()


def test_a_package_file_is_recorded_as_the_code_key_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package file edited while the build runs (after its code was hashed) is seen by the next build."""
    from types import SimpleNamespace

    from rich.console import Console

    from curriculum import _memo
    from curriculum.site import _quick, _stamp, build_site

    root = _project_copy(tmp_path)
    edited = os.fspath(_memo.package_files()[0])
    looks = _memo.package_looks()
    assert edited in looks and os.fspath(Path(edited).parent) in looks
    now = looks[edited][0]
    then = SimpleNamespace(st_mode=now.st_mode, st_mtime_ns=now.st_mtime_ns - 10**9, st_size=now.st_size)
    read_earlier = {**looks, edited: (then, None)}  # read a second earlier
    monkeypatch.setattr(_stamp, "package_looks", lambda: read_earlier)
    build_site(root, engine="pandoc", console=Console(quiet=True))
    assert _quick.last_build(root, "resident", "pandoc", None) is None, "the file is not as it was read"
    monkeypatch.undo()
    build_site(root, engine="pandoc", console=Console(quiet=True))
    assert _quick.last_build(root, "resident", "pandoc", None) is not None


@pytest.mark.parametrize(
    "damage",
    [*({"files": []}, {"pages": 1e400}, {"warnings": 1e400}), *({"columns": n} for n in (0, 1e400, "1"))],
    ids=["lists nothing", "pages", "warnings", "no columns", "columns", "columns not counted"],
)
def test_a_quick_record_damaged_takes_the_full_path(damage: dict[str, Any], tmp_path: Path) -> None:
    """A record that lists no file, or counts beyond any integer, is no record: the full path is taken.

    So is one whose count of files is not that of its columns.
    """
    from rich.console import Console

    from curriculum.site import _quick, build_site

    root = _project_copy(tmp_path)
    build_site(root, engine="pandoc", console=Console(quiet=True))
    record = root / ".curriculum-cache" / "resident" / _quick.QUICK
    assert _quick.last_build(root, "resident", "pandoc", None) is not None
    header, newline, columns = record.read_bytes().partition(b"\n")
    record.write_bytes(json.dumps({**json.loads(header), **damage}).encode() + newline + columns)
    assert _quick.last_build(root, "resident", "pandoc", None) is None


def test_a_site_another_profile_made_takes_the_full_path(tmp_path: Path) -> None:
    """The output folder naming another profile (both write ``_site``) is not the last build's.

    Every time and size the quick record lists is as it was: the folder's own
    mark says whose site it is.
    """
    from rich.console import Console

    from curriculum.site import _quick, build_site

    root = _project_copy(tmp_path)
    out = build_site(root, engine="pandoc", console=Console(quiet=True)).out
    assert _quick.built_profile(out) == "resident"
    assert _quick.last_build(root, "resident", "pandoc", None) is not None
    mark = out / _quick.PROFILE_MARK
    before = mark.stat()
    mark.write_text("faculty\n", encoding="utf-8")
    os.utime(mark, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert _quick.last_build(root, "resident", "pandoc", None) is None


def test_a_build_given_no_out_after_one_given_out_takes_the_full_path(tmp_path: Path) -> None:
    """The last build wrote where ``--out`` said: the configuration's folder holds an older site.

    Every file the quick record lists is as that build left it, so only the
    record's word that its folder was not the configuration's sends the next
    build, given no ``--out``, down the full path, which writes the edit.
    """
    from rich.console import Console

    from curriculum.site import _quick, build_site

    root = _project_copy(tmp_path)
    quiet = Console(quiet=True)
    site = build_site(root, engine="pandoc", console=quiet).out
    page = root / "index.qmd"
    page.write_text(
        page.read_text(encoding="utf-8") + "\nA sentence written after the first build.\n", "utf-8"
    )
    elsewhere = tmp_path / "elsewhere"
    build_site(root, engine="pandoc", console=quiet, out=elsewhere)
    assert _quick.last_build(root, "resident", "pandoc", elsewhere) is not None
    assert _quick.last_build(root, "resident", "pandoc", None) is None
    assert build_site(root, engine="pandoc", console=quiet).out == site
    assert "written after the first build" in (site / "index.html").read_text(encoding="utf-8")
    assert _quick.last_build(root, "resident", "pandoc", None) is not None


def test_frozen_outputs_changed_in_place_are_built_though_the_notebook_is_not(tmp_path: Path) -> None:
    """A pull may bring a notebook's new frozen outputs with its code as it was: the build shows them.

    The build reads ``_freeze/``, so its files are among what the stamps
    compare: neither the quick path nor the full stamp says nothing changed.
    """
    from rich.console import Console

    from curriculum.site import _quick, build_site

    root = _project_copy(tmp_path)
    config = root / "_quarto.yml"
    config.write_text(config.read_text(encoding="utf-8") + "execute:\n  freeze: auto\n", encoding="utf-8")
    quiet = Console(quiet=True)
    site = build_site(root, engine="pandoc", console=quiet).out
    build_site(root, engine="pandoc", console=quiet)  # the outputs the first build froze, as they are now
    assert _quick.last_build(root, "resident", "pandoc", None) is not None
    page = site / "lessons" / "intro.html"
    assert "first-visit" in page.read_text(encoding="utf-8")  # the case the notebook's second cell shows
    frozen = root / "_freeze" / "lessons" / "intro" / "execute-results" / "curriculum.json"
    data = json.loads(frozen.read_text(encoding="utf-8"))
    data["outputs"][1] = []  # that cell now shows nothing
    frozen.write_text(json.dumps(data), encoding="utf-8")
    assert _quick.last_build(root, "resident", "pandoc", None) is None
    result = build_site(root, engine="pandoc", console=quiet)
    assert result.stats is not None and result.stats.rendered == 1
    assert "first-visit" not in page.read_text(encoding="utf-8")


def test_the_quick_stamp_records_what_the_build_stamp_found_without_looking_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stats the build's stamp took of its inputs and their folders are recorded whole, as taken."""
    from curriculum.site import _quick

    (tmp_path / "a").mkdir()
    extra = tmp_path / "extra.txt"
    extra.write_text("x")
    seen = {str(tmp_path / "a" / "x.md"): [str(tmp_path / "a" / "x.md"), 5, 1]}
    seen[str(tmp_path / "a")] = [str(tmp_path / "a"), 7, 0]
    looked = _quick_looks(monkeypatch)
    files = _quick.watched([str(extra)], [str(tmp_path)], seen)
    assert looked == [str(extra), str(tmp_path)]  # the folder of extra.txt is the project's, looked at last
    found = [seen[str(tmp_path / "a")], seen[str(tmp_path / "a" / "x.md")]]  # the latest first
    assert files == [_quick.stat_of(str(extra)), *found, _quick.stat_of(str(tmp_path))]
