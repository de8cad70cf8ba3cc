"""Build-time and page-weight benchmarks: our Pandoc build against Jupyter Book 1.x; the preview under load.

Run with ``.venv/bin/python benchmarks/run.py`` (``make bench``). See benchmarks/README.md.
Every build is a fresh subprocess timed with ``time.perf_counter`` from the
outside, so interpreter start-up and imports count, as a user sees them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from _jupyterbook import ensure_venv, version, write_book
from _pageweight import page_weight
from _serve import describe, measure_serve
from _synthetic import grow
from _workspace import copy_content, edit_lesson_prose, edit_quiz, snapshot_package

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"
RESULTS = HERE / "results.json"
KB = 1000  # budgets and tables use 1 KB = 1000 bytes

BUDGETS = {
    "no_change": 0.2,  # seconds
    "quiz_edit": 1.0,  # seconds
    "startup": 0.1,  # seconds, curriculum --version
    "check": 0.5,  # seconds, curriculum check --strict with nothing changed
    "cold_vs_jb": 4.0,  # Jupyter Book's cold build / ours from a fresh clone (with _freeze/)
    "lesson_edit": 5.0,  # seconds
    "page_kb": 150.0,  # KB, the heaviest lesson page
    "lighter_than_jb": 5.0,  # Jupyter Book bytes / ours, the least favourable lesson
    "serve_failed": 0,  # failed requests of 2,000 at concurrency 200 against curriculum serve
}
SERVE_LOAD = {"requests": 2000, "concurrency": 200}


class BuildFailed(RuntimeError):
    """A timed build exited with an error."""


class Builder:
    """Runs one build command in a fresh subprocess and times it."""

    def __init__(
        self, name: str, cmd: list[str], cwd: Path, env: dict[str, str], logs: Path, parse: Any
    ) -> None:
        self.name, self.cmd, self.cwd, self.env, self.logs, self.parse = name, cmd, cwd, env, logs, parse

    def run(self, label: str, cmd: list[str] | None = None) -> dict[str, Any]:
        if label.startswith("cold"):  # a new user's first build: no user-level cache either
            shutil.rmtree(self.env["CURRICULUM_CACHE_DIR"], ignore_errors=True)
        started = time.perf_counter()
        result = subprocess.run(
            cmd or self.cmd, cwd=self.cwd, env=self.env, capture_output=True, text=True, check=False
        )
        seconds = time.perf_counter() - started
        output = result.stdout + result.stderr
        log = self.logs / f"{self.name}-{label}.log"
        log.write_text(output, encoding="utf-8")
        if result.returncode != 0:
            tail = "\n".join(output.strip().splitlines()[-25:])
            raise BuildFailed(f"{self.name} {label}: exit status {result.returncode} (log: {log})\n{tail}")
        row = {"seconds": round(seconds, 3), **self.parse(output)}
        print(f"  {self.name:<13} {label:<16} {seconds:7.2f} s  {_stats_text(row)}", flush=True)
        return row


def _stats_text(row: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in row.items() if k != "seconds")


def parse_ours(output: str) -> dict[str, Any]:
    text = " ".join(output.split())
    m = re.search(r"(\d+) notebooks executed · (\d+) pages rendered · (\d+) files written", text)
    if not m:
        return {}
    return {"executed": int(m[1]), "rendered": int(m[2]), "written": int(m[3])}


def parse_jb(output: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "executed": output.count("Executed notebook in"),
        "cached": output.count("Using cached notebook"),
    }
    m = re.search(r"updating environment: .*?(\d+) added, (\d+) changed, (\d+) removed", output)
    if m:
        row["read"] = int(m[1]) + int(m[2])
    row["written"] = len(re.findall(r"writing output\.\.\. .*?\[\s*\d+%\]", output))
    return row


def median(rows: list[dict[str, Any]]) -> float:
    return round(statistics.median(r["seconds"] for r in rows), 3)


def base_env(venv_bin: Path, snapshot: Path) -> dict[str, str]:
    env = dict(os.environ)
    for key in (
        "CURRICULUM_HOST",
        "CURRICULUM_ROOT",
        "CURRICULUM_PROFILE",
        "QUARTO_PROFILE",
        "QUARTO_DOCUMENT_PATH",
        "QUARTO_PROJECT_ROOT",
        "PYTHONSTARTUP",
        "PYTHONDONTWRITEBYTECODE",  # as a user runs it: byte-code and compiled templates are kept
    ):
        env.pop(key, None)
    env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv_bin.parent)
    env["PYTHONPATH"] = str(snapshot)
    env["COLUMNS"] = "200"  # rich wraps at 80 columns when not on a terminal
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    # Our user-level cache (formatted citations) lives with the run and is emptied before each cold build.
    env["CURRICULUM_CACHE_DIR"] = tempfile.mkdtemp(prefix="user-cache-", dir=snapshot.parent)
    return env


def lesson_weights(site: Path, stems: list[str]) -> dict[str, dict[str, Any]]:
    return {stem: page_weight(site / "lessons" / f"{stem}.html", site).as_dict() for stem in stems}


def spread(weights: dict[str, dict[str, Any]], key: str = "total") -> dict[str, int]:
    totals = [w.get(key, w["total"]) for w in weights.values()]
    return {"min": min(totals), "median": int(statistics.median(totals)), "max": max(totals)}


def contains(path: Path, text: str) -> bool:
    """Whether the page, or the payloads it loads after its text (``<page>.data.js``), holds ``text``."""
    files = [path, path.with_suffix(".data.js")]
    return any(p.is_file() and text in p.read_text(encoding="utf-8") for p in files)


def components(path: Path) -> dict[str, int]:
    html = path.read_text(encoding="utf-8")
    return {
        "static": html.count('class="cur-widget"'),
        "live_widget": html.count("application/vnd.jupyter.widget-view+json"),
    }


# ------------------------------------------------------------------------------------ both


def measure(
    builder: Builder, project: Path, site: Path, index_name: str, stems: list[str], lesson: str, args: Any
) -> dict[str, Any]:
    """The same sequence for both systems: cold, no change, prose edits, a quiz edit, page weights."""
    page = site / "lessons" / f"{lesson}.html"
    out: dict[str, Any] = {"cold": builder.run("cold")}
    out["pages"] = lesson_weights(site, stems)
    out["page_spread"] = spread(out["pages"])
    out["page_spread_all"] = spread(out["pages"], "total_all")
    index = site / index_name
    out["search_index_bytes"] = index.stat().st_size if index.is_file() else None
    # Ours loads each page's section texts (search/<n>.js) only for the results it shows.
    texts = sorted((site / "search").glob("*.js")) if index_name == "search-index.js" else []
    out["search_text_bytes"] = sum(p.stat().st_size for p in texts) if texts else None
    out["components"] = components(page)

    out["no_change_runs"] = [builder.run(f"no-change-{i}") for i in range(args.no_change)]
    out["no_change"] = median(out["no_change_runs"])

    notebook = project / "lessons" / f"{lesson}.ipynb"
    runs = []
    for n in range(args.edits):
        sentence = edit_lesson_prose(notebook, n)
        row = builder.run(f"lesson-edit-{n}")
        row["edit_in_page"] = contains(page, sentence)
        runs.append(row)
    out["lesson_edit_runs"], out["lesson_edit"] = runs, median(runs)

    quiz = _quiz_file(project, lesson)
    marker = edit_quiz(quiz, 0)
    row = builder.run("quiz-edit")
    row["quiz"] = quiz.relative_to(project).as_posix()
    row["edit_in_lesson_page"] = contains(page, marker)
    out["quiz_edit"] = row
    return out


# ------------------------------------------------------------------------------------ ours


def bench_ours(
    project: Path, snapshot: Path, logs: Path, stems: list[str], lesson: str, args: Any
) -> dict[str, Any]:
    venv_bin = Path(sys.executable).parent
    exe = venv_bin / "curriculum"
    if not exe.is_file():
        exe = Path(shutil.which("curriculum") or "curriculum")
    builder = Builder(
        "ours",
        [str(exe), "build", "--engine", "pandoc"],
        project,
        base_env(venv_bin, snapshot),
        logs,
        parse_ours,
    )
    site = project / "_site"
    out: dict[str, Any] = {"command": f"{exe} build --engine pandoc"}

    startup = [builder.run(f"startup-{i}", [str(exe), "--version"]) for i in range(5)]
    out["startup_seconds"] = median(startup)
    out["import_ms"] = import_ms(venv_bin / "python", builder.env)

    out.update(measure(builder, project, site, "search-index.js", stems, lesson, args))
    notebook = project / "lessons" / f"{lesson}.ipynb"

    checks = [builder.run(f"check-{i}", [str(exe), "check", "--strict"]) for i in range(4)]
    out["check_first"], out["check"] = checks[0]["seconds"], median(checks[1:])

    for folder in (site, project / ".curriculum-cache"):
        shutil.rmtree(folder, ignore_errors=True)
    out["cold_no_freeze"] = builder.run("cold-no-freeze", [*builder.cmd, "--no-freeze"])

    if args.profile:
        out["profile"] = {}
        python = str(venv_bin / "python")
        for label, edit in (("no-change", False), ("lesson-edit", True)):
            if edit:
                edit_lesson_prose(notebook, args.edits)
            prof = logs / f"ours-profile-{label}.prof"
            cmd = [
                python,
                "-m",
                "cProfile",
                "-o",
                str(prof),
                "-m",
                "curriculum",
                "build",
                "--engine",
                "pandoc",
            ]
            builder.run(f"profile-{label}", cmd)
            out["profile"][label] = _profile_text(prof)
    return out


def import_ms(python: Path, env: dict[str, str]) -> float:
    """Milliseconds ``python -X importtime`` reports for importing the command line (``curriculum.cli``)."""
    done = subprocess.run(
        [str(python), "-X", "importtime", "-c", "import curriculum.cli"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [line for line in done.stderr.splitlines() if line.rstrip().endswith("| curriculum.cli")]
    return round(int(lines[-1].split("|")[1]) / 1000, 1) if lines else float("nan")


def shrink(project: Path, lessons: int) -> None:
    """Keep the first ``lessons`` lessons (and their content) of a copy of the repository."""
    for folder in ("lessons", "vignettes", "exercises", "faculty/notes", "quizzes", "_freeze/lessons"):
        for path in sorted((project / folder).glob("[0-9][0-9]-*")):
            if int(path.name[:2]) >= lessons:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
    for config in project.glob("_quarto*.yml"):
        kept: list[str] = []
        for line in config.read_text(encoding="utf-8").splitlines(keepends=True):
            m = re.search(r"(?:lessons|notes)/(\d\d)-", line)
            if m and int(m[1]) >= lessons:
                if kept and kept[-1].lstrip().startswith("- text:") and line.lstrip().startswith("href:"):
                    kept.pop()  # the entry's first line
                continue
            kept.append(line)
        config.write_text("".join(kept), encoding="utf-8")


SCALE_EDITS = 7
"""Edits of each kind at each size: the growth a lesson is a difference of medians, which three
builds leave at the mercy of this machine's spread (about 50 ms between runs)."""
STAGE_ROUNDS = 15
"""Edits of each kind (the post-test, a lesson's prose) built inside one process at each size
(``_stage_growth.py``), for each stage's growth."""


def bench_scale(run: Path, snapshot: Path, logs: Path, sizes: list[int]) -> dict[str, Any]:
    """Our build of ``sizes`` lessons: cold, cold from a clone with _freeze/, no change, edits, check.

    The edits take turns between the sizes (a lesson edit at each size, then the
    next round), so that a machine busier for a while slows every size alike:
    the growth is a difference between sizes, which a slow spell during one
    size's edits alone would inflate.
    """
    venv_bin = Path(sys.executable).parent
    exe = str(venv_bin / "curriculum")
    out: dict[str, Any] = {}
    builders: dict[int, tuple[Builder, Path, str]] = {}
    for n in sizes:
        first, clone = run / f"scale-{n}", run / f"scale-{n}-clone"
        copy_content(REPO, first)
        shutil.rmtree(first / "_freeze", ignore_errors=True)
        have = len(list((first / "lessons").glob("*.ipynb")))
        if n > have:
            grow(first, n)
        elif n < have:
            shrink(first, n)
        builder = Builder(
            f"ours-{n}",
            [exe, "build", "--engine", "pandoc"],
            first,
            base_env(venv_bin, snapshot),
            logs,
            parse_ours,
        )
        row: dict[str, Any] = {"lessons": len(list((first / "lessons").glob("*.ipynb")))}
        row["cold_no_freeze"] = builder.run("cold-no-freeze", [*builder.cmd, "--no-freeze"])
        shutil.copytree(first, clone, ignore=shutil.ignore_patterns("_site", "._site.*", ".curriculum-cache"))
        builder.cwd = clone
        row["cold_clone"] = builder.run("cold-clone")
        row["no_change"] = median([builder.run(f"no-change-{i}") for i in range(3)])
        out[str(n)] = row
        builders[n] = builder, clone, sorted(p.stem for p in (clone / "lessons").glob("*.ipynb"))[1]
    for kind, edit in (
        ("lesson_edit", edit_lesson_prose),
        ("quiz_edit", edit_quiz),
        ("posttest_edit", edit_quiz),
    ):
        runs: dict[int, list[dict[str, Any]]] = {n: [] for n in sizes}
        for i in range(SCALE_EDITS):  # a new edit each time, a size after the other; the median counts
            for n, (builder, clone, stem) in builders.items():
                edit(_edited_file(kind, clone, stem), i)
                runs[n].append(builder.run(f"{kind.replace('_', '-')}-{i}"))
        for n, done in runs.items():
            out[str(n)][kind] = {**done[-1], "seconds": median(done), "runs": [r["seconds"] for r in done]}
    for n, (builder, clone, stem) in builders.items():
        row = out[str(n)]
        row["check"] = median([builder.run(f"check-{i}", [exe, "check"]) for i in range(3)][1:])
        row["stamps"] = stamp_seconds(clone)
        shows = f'curriculum.quiz(\\"{_quiz_file(clone, stem).stem}\\")'
        row["quiz_shown_by"] = sum(
            shows in nb.read_text(encoding="utf-8") for nb in clone.glob("lessons/*.ipynb")
        )
    try:
        stages = stage_growth([clone for _, clone, _ in builders.values()], base_env(venv_bin, snapshot))
    except (subprocess.CalledProcessError, ValueError) as exc:  # the figures measured so far still count
        print(f"  stage growth not measured: {exc}", flush=True)
        return out
    for n, (_, clone, _) in builders.items():
        out[str(n)]["stages"] = {kind: by[str(clone)] for kind, by in stages.items() if str(clone) in by}
    return out


def stage_growth(projects: list[Path], env: dict[str, str]) -> dict[str, dict[str, dict[str, float]]]:
    """Return each stage's seconds in builds of each kind of edit of each project, timed inside one process.

    See ``_stage_growth.py``: by the kind of edit and the project's path, the
    median of :data:`STAGE_ROUNDS` builds of each stage, of the whole build and of the build's stamp.
    """
    done = subprocess.run(
        [sys.executable, str(HERE / "_stage_growth.py"), str(STAGE_ROUNDS), *map(str, projects)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, dict[str, dict[str, float]]] = json.loads(done.stdout)
    return found


def stamp_seconds(project: Path) -> float:
    """Return what reading the stamps of every file a build reads costs (the median of five, in seconds).

    A stamp is what a build compares to know a file unchanged: its recorded
    modification time and size (the build's own record, ``digests.json``, which
    also holds its hash). Reading the stamps is decoding that record, one
    ``lstat`` of each file it names (every input: content, notebooks, frozen
    outputs, configuration, pages) and comparing: the least any build that
    knows what changed must do. This is the floor Deliver 5 of the build issue
    measures edit times against.
    """
    record = project / ".curriculum-cache" / "resident" / "digests.json"
    root = os.fspath(project)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        files = json.loads(record.read_bytes())["files"]
        changed = []
        for name, (mtime, size, _) in files.items():
            try:
                info = os.lstat(os.path.join(root, name))
            except OSError:
                changed.append(name)
                continue
            if info.st_mtime_ns != mtime or info.st_size != size:
                changed.append(name)
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 6)


def bench_serve(project: Path, snapshot: Path, lesson: str) -> dict[str, Any]:
    """Load ``curriculum serve`` on our built copy (see ``_serve.py``)."""
    venv_bin = Path(sys.executable).parent
    exe = venv_bin / "curriculum"
    figures = measure_serve(
        project,
        str(exe if exe.is_file() else "curriculum"),
        base_env(venv_bin, snapshot),
        lesson,
        **SERVE_LOAD,
    )
    print(f"  {describe(figures)}", flush=True)
    return figures


def _edited_file(kind: str, project: Path, lesson: str) -> Path:
    """The file an edit of ``kind`` changes: the lesson's notebook, its quiz, or the post-test."""
    if kind == "lesson_edit":
        return project / "lessons" / f"{lesson}.ipynb"
    return _quiz_file(project, lesson) if kind == "quiz_edit" else _posttest_file(project)


def _posttest_file(project: Path) -> Path:
    """The scale's quiz shown on one page at every size: an activity's post-test (the copies show none).

    A lesson's quiz is shown by its lesson's copies too (see ``_synthetic.py``),
    so editing it at 64 lessons re-renders four lessons' payloads and at 16 one:
    work that grows with the copies, which this edit does not have.
    """
    return sorted((project / "quizzes").glob("*posttest*.yml"))[0]


def _quiz_file(project: Path, lesson: str) -> Path:
    quiz = project / "quizzes" / f"{lesson}.yml"
    return quiz if quiz.is_file() else sorted((project / "quizzes").glob("*.yml"))[0]


def _profile_text(prof: Path, limit: int = 25) -> str:
    """Our functions by cumulative time, then everything by own time, with short paths."""
    import io
    import pstats

    stream = io.StringIO()
    stats = pstats.Stats(str(prof), stream=stream)
    stats.sort_stats("cumulative").print_stats(r"[/\\]curriculum[/\\]", limit)
    stats.sort_stats("tottime").print_stats(15)
    text = stream.getvalue()
    for prefix in sorted({p for p in sys.path if p}, key=len, reverse=True):
        text = text.replace(prefix + os.sep, "")
    text = re.sub(r"\S*[/\\]pkg[/\\]curriculum", "curriculum", text)
    return "\n".join(line for line in text.splitlines() if line.strip())


# ------------------------------------------------------------------------------ Jupyter Book


def bench_jb(
    book: Path, snapshot: Path, logs: Path, stems: list[str], lesson: str, args: Any
) -> dict[str, Any]:
    venv = WORK / "jb-venv"
    exe = ensure_venv(venv, REPO, WORK / "jb-venv-install.log")
    title = (yaml.safe_load((book / "_quarto.yml").read_text(encoding="utf-8")).get("website") or {}).get(
        "title", "Curriculum"
    )
    write_book(book, [f"lessons/{stem}" for stem in stems], title)
    env = base_env(venv / "bin", snapshot)
    # The kernel inherits this: component calls return the same static HTML fragments
    # our build publishes, not live widgets that a static page cannot show.
    env["CURRICULUM_HOST"] = "static"
    env["CURRICULUM_ROOT"] = str(book)
    builder = Builder("jupyter-book", [str(exe), "build", str(book)], book, env, logs, parse_jb)
    site = book / "_build" / "html"
    out: dict[str, Any] = {"version": version(exe), "command": f"{exe} build {book}"}

    out.update(measure(builder, book, site, "searchindex.js", stems, lesson, args))
    return out


# ------------------------------------------------------------------------------- reporting


EDIT_KINDS = {"lesson_edit": "one lesson", "quiz_edit": "one quiz", "posttest_edit": "the post-test"}
"""The edits the scale benchmark times, as the report names them."""


def print_resolution(small: dict[str, Any], large: dict[str, Any]) -> None:
    """Print how far apart the edit runs of each size fall, and the least growth a lesson they can show.

    A growth a lesson is a difference of two medians over the lessons added;
    the runs of one size spread by their interquartile range, so a growth
    smaller than the mean of the two sizes' ranges over the lessons added
    cannot be told from the spread.
    """
    added = large["lessons"] - small["lessons"]
    cells, floors = [], []
    for kind, label in EDIT_KINDS.items():
        ranges = [_interquartile(row.get(kind, {}).get("runs") or []) for row in (small, large)]
        if None in ranges:
            continue
        a, b = (float(r) for r in ranges if r is not None)
        floors.append((a + b) / 2 / added)
        cells.append(f"{label} {a * 1000:.0f} / {b * 1000:.0f}")
    if floors:
        print(
            f"  spread of the edit runs (interquartile, ms, at {small['lessons']} / {large['lessons']}"
            f" lessons): {', '.join(cells)}; a growth a lesson under about {max(floors) * 1000:.2f} ms "
            "is within that spread"
        )


def _interquartile(runs: list[float]) -> float | None:
    """Return the interquartile range of ``runs`` (None for fewer than four)."""
    if len(runs) < 4:
        return None
    first, _, third = statistics.quantiles(runs, n=4)
    return third - first


def print_stage_growth(small: dict[str, Any], large: dict[str, Any]) -> None:
    """Print each stage of each kind of edit at the two sizes, inside one process, and its growth a lesson.

    The last rows are the whole build and the build's own stamp (what reading
    every input's stamp costs it): the floor the edit's growth is judged against.
    """
    added = large["lessons"] - small["lessons"]
    kinds = [k for k in ("posttest_edit", "lesson_edit") if k in small["stages"] and k in large["stages"]]
    titles = {"posttest_edit": "post-test edit", "lesson_edit": "lesson edit"}
    print(f"  edits inside one process (median of {STAGE_ROUNDS}, gc off as the command runs), ms:")
    head = "".join(
        f"{titles[k] + ' at':>20}{small['lessons']:>4}{large['lessons']:>10}{'a lesson':>10}" for k in kinds
    )
    print(f"  {'stage':<14}{head}")
    names = [n for k in kinds for n in large["stages"][k] if n not in ("build", "stamp")]
    for name in [*dict.fromkeys(names), "build", "stamp"]:
        cells = ""
        for kind in kinds:
            a, b = small["stages"][kind].get(name), large["stages"][kind].get(name)
            if a is None or b is None:
                cells += f"{'-':>24}{'-':>10}{'-':>10}"
                continue
            cells += f"{a * 1000:>24.2f}{b * 1000:>10.2f}{(b - a) / added * 1000:>10.3f}"
        print(f"  {name:<14}{cells}")


def _ratio(theirs: float | None, ours: float | None) -> str:
    if theirs is None or ours is None or ours == 0:
        return "-"
    return f"{theirs / ours:.2f}x"


def _seconds_under(what: str, key: str, seconds: float) -> dict[str, Any]:
    """Return the budget row of a time that must stay under ``BUDGETS[key]`` seconds."""
    limit = BUDGETS[key]
    return {
        "budget": f"{what} < {limit:g} s",
        "value": seconds,
        "shown": _s(seconds),
        "pass": seconds < limit,
    }


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def _kb(value: float | None) -> str:
    return "-" if value is None else f"{value / KB:,.1f} KB"


def report(results: dict[str, Any]) -> list[dict[str, Any]]:
    ours, jb = results["ours"], results.get("jupyter_book")
    lesson = results["lesson"]
    n_nc, n_ed = results["repetitions"]["no_change"], results["repetitions"]["edits"]

    def j(*keys: str) -> Any:
        value: Any = jb
        for key in keys:
            if value is None:
                return None
            value = value[key]
        return value

    rows = [
        ("cold build, fresh clone (ours with _freeze/)", ours["cold"]["seconds"], j("cold", "seconds"), _s),
        (
            "cold build, every notebook executed (--no-freeze)",
            ours["cold_no_freeze"]["seconds"],
            j("cold", "seconds"),
            _s,
        ),
        (f"no-change rebuild (median of {n_nc})", ours["no_change"], j("no_change"), _s),
        (f"one-lesson prose edit (median of {n_ed})", ours["lesson_edit"], j("lesson_edit"), _s),
        ("one-quiz edit", ours["quiz_edit"]["seconds"], j("quiz_edit", "seconds"), _s),
        ("start-up: curriculum --version (median of 5)", ours["startup_seconds"], None, _s),
        ("check --strict, first run", ours["check_first"], None, _s),
        ("check --strict, nothing changed (median of 3)", ours["check"], None, _s),
        (
            f"page {lesson}: HTML+CSS+JS at load",
            ours["pages"][lesson]["total"],
            j("pages", lesson, "total"),
            _kb,
        ),
        (
            "  + interactive parts, loaded after the text",
            ours["pages"][lesson]["deferred"],
            j("pages", lesson, "deferred"),
            _kb,
        ),
        (
            f"  = everything ({lesson})",
            ours["pages"][lesson]["total_all"],
            j("pages", lesson, "total_all"),
            _kb,
        ),
        (
            f"  everything, gzip-compressed ({lesson})",
            ours["pages"][lesson]["total_all_gzip"],
            j("pages", lesson, "total_all_gzip"),
            _kb,
        ),
        (f"  of which HTML ({lesson})", ours["pages"][lesson]["html"], j("pages", lesson, "html"), _kb),
        ("lesson pages at load: min", ours["page_spread"]["min"], j("page_spread", "min"), _kb),
        ("lesson pages at load: median", ours["page_spread"]["median"], j("page_spread", "median"), _kb),
        ("lesson pages at load: max", ours["page_spread"]["max"], j("page_spread", "max"), _kb),
        ("lesson pages, everything: max", ours["page_spread_all"]["max"], j("page_spread_all", "max"), _kb),
        ("search index loaded on first search", ours["search_index_bytes"], j("search_index_bytes"), _kb),
        ("  section texts, loaded for results shown (all)", ours["search_text_bytes"], None, _kb),
    ]
    width = max(len(r[0]) for r in rows) + 2
    print()
    print(f"{'Measure':<{width}}{'Ours':>14}{'Jupyter Book':>16}{'JB / ours':>12}")
    print("-" * (width + 42))
    for label, mine, theirs, fmt in rows:
        print(f"{label:<{width}}{fmt(mine):>14}{fmt(theirs):>16}{_ratio(theirs, mine):>12}")
    print()
    print(f"importing the command line (python -X importtime, curriculum.cli): {ours['import_ms']} ms")
    scale = results.get("scale")
    if scale:
        print()
        print("Scale: our build as the curriculum grows (seconds; each a fresh subprocess)")
        head = [
            "lessons",
            "cold --no-freeze",
            "cold, clone",
            "no change",
            "one lesson",
            "one quiz",
            "post-test",
            "check",
        ]
        print("".join(f"{h:>18}" for h in head))
        for row in scale.values():
            cells = [
                row["lessons"],
                row["cold_no_freeze"]["seconds"],
                row["cold_clone"]["seconds"],
                row["no_change"],
                row["lesson_edit"]["seconds"],
                row["quiz_edit"]["seconds"],
                row.get("posttest_edit", {}).get("seconds"),
                row["check"],
            ]
            print("".join(f"{c:>18}" for c in cells))
        rows = list(scale.values())
        if len(rows) > 1 and all("stamps" in r for r in rows):
            small, large = rows[0], rows[-1]
            added = large["lessons"] - small["lessons"]

            def grown(pick: Any) -> str:
                return f"{(pick(large) - pick(small)) / added * 1000:.2f} ms"

            print(
                f"  growth a lesson added ({small['lessons']} -> {large['lessons']} lessons): "
                f"no change {grown(lambda r: r['no_change'])}, "
                f"one lesson {grown(lambda r: r['lesson_edit']['seconds'])}, "
                f"one quiz {grown(lambda r: r['quiz_edit']['seconds'])} "
                f"(shown by {large.get('quiz_shown_by')} lessons at {large['lessons']}), "
                f"the post-test {grown(lambda r: r['posttest_edit']['seconds'])}, "
                f"check {grown(lambda r: r['check'])}; "
                f"reading the stamps {grown(lambda r: r['stamps'])} "
                f"(all stamps: {small['stamps'] * 1000:.2f} ms at {small['lessons']}, "
                f"{large['stamps'] * 1000:.2f} ms at {large['lessons']})"
            )
            print_resolution(small, large)
            if "stages" in small and "stages" in large:
                print_stage_growth(small, large)
            for row in rows:
                print(
                    f"  {row['lessons']} lessons, edit runs (s): "
                    f"one lesson {row['lesson_edit'].get('runs')}, one quiz {row['quiz_edit'].get('runs')}, "
                    f"the post-test {row['posttest_edit'].get('runs')}; "
                    f"files an edit wrote: one lesson {row['lesson_edit'].get('written')}, "
                    f"one quiz {row['quiz_edit'].get('written')}, "
                    f"the post-test {row['posttest_edit'].get('written')}"
                )
        for row in scale.values():
            print(
                f"  {row['lessons']} lessons, notebooks executed: cold --no-freeze "
                f"{row['cold_no_freeze'].get('executed')}, clone {row['cold_clone'].get('executed')}, "
                f"lesson edit {row['lesson_edit'].get('executed')}, "
                f"quiz edit {row['quiz_edit'].get('executed')}"
            )
    serve = results.get("serve")
    if serve:
        print(f"preview server: {describe(serve)}")
    machine = results["machine"]
    print(
        f"load average (1/5/15 min) before {machine['load_before']}, after {machine['load_after']} "
        f"on {machine['cpus']} CPUs: other work on the machine inflates and spreads the times"
    )
    for name, data in (("ours", ours), ("Jupyter Book", jb)):
        if data:
            runs = [r["seconds"] for r in data["no_change_runs"]]
            edits = [r["seconds"] for r in data["lesson_edit_runs"]]
            print(f"  {name} runs: no change {runs}, lesson edit {edits}")
    print(
        "work done per build (ours: notebooks executed / pages rendered / files written;"
        " Jupyter Book: notebooks executed / docs read / pages written):"
    )
    for key, label in (
        ("cold", "cold"),
        ("no_change_runs", "no change"),
        ("lesson_edit_runs", "lesson edit"),
        ("quiz_edit", "quiz edit"),
    ):
        mine = ours[key][-1] if isinstance(ours[key], list) else ours[key]
        line = f"  {label:<12} ours {mine.get('executed')}/{mine.get('rendered')}/{mine.get('written')}"
        if jb:
            theirs = jb[key][-1] if isinstance(jb[key], list) else jb[key]
            line += f"   jupyter-book {theirs.get('executed')}/{theirs.get('read')}/{theirs.get('written')}"
        print(line)
    edits = [r["edit_in_page"] for r in ours["lesson_edit_runs"]]
    print(
        f"lesson edit visible in our page: {all(edits)}"
        + (f"; in Jupyter Book's: {all(r['edit_in_page'] for r in jb['lesson_edit_runs'])}" if jb else "")
    )
    print(
        f"quiz edit ({ours['quiz_edit']['quiz']}) visible in the lesson page: ours "
        f"{ours['quiz_edit']['edit_in_lesson_page']}"
        + (
            f", Jupyter Book {jb['quiz_edit']['edit_in_lesson_page']}"
            + ("" if jb["quiz_edit"]["edit_in_lesson_page"] else " (stale: it does not track content files)")
            if jb
            else ""
        )
    )
    print(
        f"components in {lesson}: ours {ours['components']}"
        + (f", Jupyter Book {jb['components']}" if jb else "")
    )
    if jb:
        print()
        print(f"{'lesson page':<30}{'ours':>12}{'Jupyter Book':>16}{'JB / ours':>12}")
        for stem in results["lessons"]:
            mine, theirs = ours["pages"][stem]["total"], jb["pages"][stem]["total"]
            print(f"{stem:<30}{_kb(mine):>12}{_kb(theirs):>16}{_ratio(theirs, mine):>12}")
        w = jb["pages"][lesson]
        if w["search_index_loaded_by_page"]:
            print(
                f"Jupyter Book's page loads its search index eagerly ({w['search_index_loaded_by_page']}, "
                f"{_kb(w['search_index_bytes_counted'])}, counted above); ours loads search-index.js only "
                "when the search box is used (not counted)."
            )
        for name, data in (("ours", ours), ("Jupyter Book", jb)):
            page = data["pages"][lesson]
            print(
                f"{name}: loaded from other hosts at page load: {page['external'] or 'none'}; "
                f"may load on demand from other hosts: {page['external_on_demand'] or 'none'}"
            )
        big = sorted(w["files"].items(), key=lambda kv: -kv[1])[:4]
        print("Jupyter Book's heaviest files for this page: " + ", ".join(f"{k} {_kb(v)}" for k, v in big))

    jb_ratio = None
    if jb:
        # conservative: our page with its interactive parts, against Jupyter Book's page
        ratios = {s: jb["pages"][s]["total_all"] / ours["pages"][s]["total_all"] for s in results["lessons"]}
        worst = min(ratios, key=lambda s: ratios[s])
        jb_ratio = (ratios[worst], worst)
    heaviest = max(results["lessons"], key=lambda s: ours["pages"][s]["total"])
    budgets = [
        _seconds_under("no-change rebuild", "no_change", ours["no_change"]),
        _seconds_under("one-quiz edit", "quiz_edit", ours["quiz_edit"]["seconds"]),
        _seconds_under("curriculum --version", "startup", ours["startup_seconds"]),
        _seconds_under("check --strict, nothing changed", "check", ours["check"]),
        {
            "budget": f"cold build from a fresh clone <= 1/{BUDGETS['cold_vs_jb']:g} of Jupyter Book's",
            "value": ours["cold"]["seconds"],
            "shown": f"{_s(ours['cold']['seconds'])} vs {_s(j('cold', 'seconds'))}",
            "pass": None
            if not jb
            else ours["cold"]["seconds"] * BUDGETS["cold_vs_jb"] <= jb["cold"]["seconds"],
        },
        _seconds_under("one-lesson rebuild", "lesson_edit", ours["lesson_edit"]),
        {
            "budget": f"lesson page at load < {BUDGETS['page_kb']:g} KB (heaviest lesson)",
            "value": ours["pages"][heaviest]["total"],
            "shown": f"{_kb(ours['pages'][heaviest]['total'])} ({heaviest})",
            "pass": ours["pages"][heaviest]["total"] < BUDGETS["page_kb"] * KB,
        },
        {
            "budget": (
                f"curriculum serve: {BUDGETS['serve_failed']} failed of {SERVE_LOAD['requests']:,} "
                f"at concurrency {SERVE_LOAD['concurrency']}"
            ),
            "value": None if serve is None else serve["failed"],
            "shown": "not measured"
            if serve is None
            else f"{serve['failed']} failed, p99 {serve['p99_ms']:.0f} ms",
            "pass": None if serve is None else serve["failed"] <= BUDGETS["serve_failed"],
        },
        {
            "budget": "search index on first search <= Jupyter Book's",
            "value": ours["search_index_bytes"],
            "shown": f"{_kb(ours['search_index_bytes'])} vs {_kb(j('search_index_bytes'))}",
            "pass": None if not jb else ours["search_index_bytes"] <= jb["search_index_bytes"],
        },
        {
            "budget": f">= {BUDGETS['lighter_than_jb']:g}x lighter than Jupyter Book (all bytes, worst)",
            "value": None if jb_ratio is None else round(jb_ratio[0], 3),
            "shown": "not measured" if jb_ratio is None else f"{jb_ratio[0]:.2f}x ({jb_ratio[1]})",
            "pass": None if jb_ratio is None else jb_ratio[0] >= BUDGETS["lighter_than_jb"],
        },
    ]
    print()
    print("Budgets")
    bw = max(len(b["budget"]) for b in budgets) + 2
    for b in budgets:
        verdict = "n/a" if b["pass"] is None else ("PASS" if b["pass"] else "FAIL")
        print(f"  {b['budget']:<{bw}}{b['shown']:>28}   {verdict}")
    return budgets


# ------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--skip-jupyter-book", action="store_true", help="measure our build only")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (2 no-change, 1 edit)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (benchmarks/.work/run)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a budget is missed")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile one no-change and one lesson-edit rebuild of ours with cProfile",
    )
    parser.add_argument("--lesson", default="02-supportive-1", help="the lesson to edit and compare")
    parser.add_argument(
        "--scale",
        default="8,16,64",
        help="lesson counts of the scale benchmark, comma-separated (empty: skip it)",
    )
    args = parser.parse_args(argv)
    args.no_change, args.edits = (2, 1) if args.quick else (5, 3)

    run = WORK / "run"
    if run.exists():
        shutil.rmtree(run)
    logs = run / "logs"
    logs.mkdir(parents=True)
    print(f"work folder {run}", flush=True)
    # Content and package are copied at the same moment, so they match each other.
    snapshot = snapshot_package(REPO, run / "pkg")
    ours_dir, jb_dir = run / "ours", run / "jupyter-book"
    copied = copy_content(REPO, ours_dir)
    if not args.skip_jupyter_book:
        copy_content(REPO, jb_dir)
    stems = sorted(p.stem for p in (ours_dir / "lessons").glob("*.ipynb"))
    if args.lesson not in stems:
        parser.error(f"--lesson {args.lesson}: no lessons/{args.lesson}.ipynb (lessons: {', '.join(stems)})")

    import pypandoc

    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_before": [round(x, 2) for x in os.getloadavg()],
        },
        "pandoc": pypandoc.get_pandoc_version(),
        "copied": copied,
        "lesson": args.lesson,
        "lessons": stems,
        "repetitions": {"no_change": args.no_change, "edits": args.edits},
        "units": {"time": "seconds", "size": "bytes (tables: 1 KB = 1000 bytes)"},
    }
    status = 0
    try:
        print("our build (curriculum build --engine pandoc)", flush=True)
        results["ours"] = bench_ours(ours_dir, snapshot, logs, stems, args.lesson, args)
        print(
            f"curriculum serve under load ({SERVE_LOAD['requests']:,} requests at concurrency "
            f"{SERVE_LOAD['concurrency']})",
            flush=True,
        )
        results["serve"] = bench_serve(ours_dir, snapshot, args.lesson)
        if not args.skip_jupyter_book:
            print("Jupyter Book 1.x (jupyter-book build)", flush=True)
            results["jupyter_book"] = bench_jb(jb_dir, snapshot, logs, stems, args.lesson, args)
        sizes = [int(n) for n in args.scale.split(",") if n.strip()]
        if sizes:
            print(f"scale: our build of {', '.join(map(str, sizes))} lessons", flush=True)
            results["scale"] = bench_scale(run, snapshot, logs, sizes)
    except (BuildFailed, subprocess.CalledProcessError, RuntimeError) as exc:
        print(f"\nBenchmark stopped: {exc}", file=sys.stderr)
        args.keep = True
        status = 2
    results["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    if status == 0:
        budgets = report(results)
        results["budgets"] = budgets
        if args.profile:
            for label, text in results["ours"]["profile"].items():
                print(f"\nProfile of our {label} rebuild (ours by cumulative, then all by own time):\n{text}")
        if args.check and any(b["pass"] is False for b in budgets):
            status = 1
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nfigures written to {RESULTS.relative_to(REPO)}")
    if args.keep:
        print(f"work folder kept: {run}")
    else:
        shutil.rmtree(run, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
