"""Where an edit's work grows with the curriculum, counted in instructions, stage by stage.

The scale benchmark (``run.py``) times builds from outside, and ``_stage_growth.py``
times their stages inside one process; both measure seconds, which this machine's
load moves by more than 48 lessons add to an edit (see the benchmark README: the
spread of the edit runs). This script counts the instructions the processor
runs instead (Valgrind's callgrind), which no load changes: a difference of a
thousand instructions a lesson is a real one.

For each size it copies the repository's content, grows it to that many lessons
(``_synthetic.grow``, as ``run.py`` does) and builds it once; then, under
callgrind, one process edits and builds it again and again (the first two
builds warm the caches and are not counted), and asks callgrind
(``callgrind_control``) for the counts at every stage line the build prints, so
each stage's instructions are counted apart. The same process then takes the
build's own stamp (:class:`~curriculum.site._stamp.BuildStamp`: the status of
every file the build reads, with their recorded hashes), the floor an edit may
grow by. It prints, for each stage, the instructions of one edit build at each
size and their growth for each lesson added, then the whole build's and the
stamp's.

With ``--fresh``, each counted build is a process of its own (``curriculum build``, as a
user runs it), counted whole, threads included, and Pandoc not: no stage lines, but nothing a
process keeps from one build to the next can flatter the count. ``--edit none`` then counts a
build with nothing to do.

Usage: ``python benchmarks/instructions.py [--edit posttest|lesson|none] [--fresh] [--builds N]
[--sizes 16 64]``

Needs Valgrind (the Debian package ``valgrind``). A few minutes at each size.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work" / "instructions"
_WARM = 2
"""Builds of each process not counted: the first after a copy redoes what is keyed by its path."""
_STAMPS = 5
"""Stamps taken after the builds, whose counts are averaged."""
_TRIGGER = re.compile(r"^desc: Trigger: dump (\S+)$", re.M)
_SUMMARY = re.compile(r"^summary: (\d+)$", re.M)


def _child(edit: str, builds: int, project: Path) -> None:
    """Edit and build ``project`` under callgrind, counted at every stage line; then take its stamp."""
    from _stage_growth import EDITS, _stamp
    from rich.console import Console

    from curriculum.site import build_site

    counting = False

    def dump(label: str) -> None:
        if counting:
            subprocess.run(
                ["callgrind_control", "-d", label, str(os.getpid())], capture_output=True, check=False
            )

    class Clock(Console):
        """A console that asks for the counts at each stage line; it prints nothing."""

        def __init__(self) -> None:
            super().__init__(file=io.StringIO())

        def print(self, *objects: Any, **kwargs: Any) -> None:
            line = str(objects[0]) if objects else ""
            dump("stage:" + line.removeprefix("[bold]").split("[/]")[0])

    change, edited = EDITS[f"{edit}_edit"]
    for i in range(_WARM + builds):
        change(edited(project), 7000 + i)
        counting = i >= _WARM
        dump("before")
        build_site(project, engine="pandoc", console=Clock())
        dump("stage:after")  # the memo's write, after the last line
    for _ in range(_STAMPS):
        dump("before")
        _stamp(project)
        dump("stamp")
    counting = False


def _prepared(size: int) -> Path:
    """Return a built copy of the content grown (or shrunk) to ``size`` lessons."""
    from _synthetic import grow
    from _workspace import copy_content
    from run import shrink

    project = WORK / f"scale-{size}"
    shutil.rmtree(project, ignore_errors=True)
    copy_content(REPO, project)
    have = len(list((project / "lessons").glob("*.ipynb")))
    if size > have:
        grow(project, size)
    elif size < have:
        shrink(project, size)
    exe = Path(sys.executable).parent / "curriculum"
    subprocess.run([str(exe), "build", "--engine", "pandoc"], cwd=project, check=True, capture_output=True)
    return project


def _counts(size: int, edit: str, builds: int) -> dict[str, float]:
    """Return the instructions of each stage of one edit build of ``size`` lessons, and of one stamp."""
    project = _prepared(size)
    out = WORK / f"callgrind-{size}.out"
    for old in WORK.glob(f"callgrind-{size}.out*"):
        old.unlink()
    subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--child",
            edit,
            str(builds),
            str(project),
        ],
        check=True,
        capture_output=True,
    )
    totals: dict[str, int] = defaultdict(int)
    for dump in WORK.glob(f"callgrind-{size}.out.*"):
        text = dump.read_text(encoding="utf-8", errors="replace")
        trigger, summary = _TRIGGER.search(text), _SUMMARY.search(text)
        if trigger and summary:
            totals[trigger.group(1)] += int(summary.group(1))
    counts = {
        label.removeprefix("stage:"): n / builds for label, n in totals.items() if label.startswith("stage:")
    }
    counts["build"] = sum(counts.values())
    counts["stamp"] = totals["stamp"] / _STAMPS
    return counts


def _fresh_count(size: int, edit: str, builds: int) -> float:
    """Return the instructions of one ``curriculum build`` process of ``size`` lessons after ``edit``.

    Two builds after an edit warm the caches uncounted; then each of ``builds`` edits is built by a
    process under callgrind, counted whole (``--edit none``: the same builds, with no edit).
    """
    from _stage_growth import EDITS

    project = _prepared(size)
    counted = []
    for i in range(_WARM + builds):
        if edit != "none":
            change, edited = EDITS[f"{edit}_edit"]
            change(edited(project), 8000 + i)
        out = WORK / f"fresh-{size}.out"
        valgrind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] if i >= _WARM else []
        build = [*valgrind, sys.executable, "-m", "curriculum", "build", "--engine", "pandoc"]
        subprocess.run(build, cwd=project, check=True, capture_output=True)
        if valgrind:
            summary = _SUMMARY.search(out.read_text(encoding="utf-8", errors="replace"))
            counted.append(int(summary.group(1)) if summary else 0)
            out.unlink()
    return sum(counted) / builds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--edit", choices=["posttest", "lesson", "none"], default="posttest", help="the edit built"
    )
    parser.add_argument("--fresh", action="store_true", help="count each build as a process of its own")
    parser.add_argument("--builds", type=int, default=2, help="edit builds counted at each size")
    parser.add_argument("--sizes", type=int, nargs=2, default=[16, 64], metavar="N", help="the two sizes")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        edit, builds, project = args.child
        _child(edit, int(builds), Path(project))
        return 0
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print("instructions.py needs Valgrind (apt-get install valgrind)", file=sys.stderr)
        return 1
    small, large = args.sizes
    if args.fresh:
        fresh = {n: _fresh_count(n, args.edit, args.builds) for n in (small, large)}
        print(f"{args.edit} edit, each build a process of its own: instructions (millions)")
        print(f"  {small} lessons {fresh[small] / 1e6:.1f}, {large} lessons {fresh[large] / 1e6:.1f}")
        growth = (fresh[large] - fresh[small]) / (large - small)
        print(f"  growth: {growth / 1e3:.1f} thousand a lesson added")
        return 0
    if args.edit == "none":
        parser.error("--edit none needs --fresh (a build with nothing to do prints no stage lines)")
    counts = {n: _counts(n, args.edit, args.builds) for n in (small, large)}
    added = large - small
    print(f"{args.edit} edit: instructions of one build (millions) and their growth for each lesson added")
    print(f"  {'stage':12s} {small:>9d} {large:>9d}   growth (thousands a lesson)")
    names = [n for n in counts[large] if n not in ("build", "stamp")] + ["build", "stamp"]
    for name in names:
        a, b = counts[small].get(name, 0.0), counts[large].get(name, 0.0)
        print(f"  {name:12s} {a / 1e6:9.1f} {b / 1e6:9.1f}   {(b - a) / added / 1e3:9.1f}")
    build = counts[large]["build"] - counts[small]["build"]
    stamp = counts[large]["stamp"] - counts[small]["stamp"]
    print(f"  the build grows {build / stamp:.1f} times as much as its stamp for each lesson added")
    return 0


if __name__ == "__main__":
    sys.exit(main())
