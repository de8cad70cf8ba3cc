"""Where an edit's time grows with the curriculum: each stage of one build, timed inside the process.

A build timed from outside carries interpreter start-up and the machine's
spread (tens of milliseconds between runs of the same build), which is larger
than what 48 more lessons add to an edit. So this script, run by ``run.py``
as a subprocess of its own, imports the package once and builds each project
again and again inside the process, as the command line does (the garbage
collector off: see ``curriculum.cli``). Each round edits the post-test (the
quiz shown on one page at every size) of every project, one size after the
other, and builds it; then, as many rounds again, edits the prose of one
lesson (the scale benchmark's lesson edit: ``_workspace.edit_lesson_prose``)
and builds it. The time between the lines the stages print is each stage's
(the build's own stamp is taken before the content is checked, so it counts
in the ``check`` line). It also times the build's own stamp of the same project: the
:class:`~curriculum.site._stamp.BuildStamp` every build takes first, which
``stat``s each file the build reads (the floor of what an edit may cost a
lesson). It prints one JSON object: for each kind of edit (``posttest_edit``,
``lesson_edit``) and each project, the median of each stage's seconds, of
the whole build's, and of the stamp's.

Usage: ``python _stage_growth.py ROUNDS PROJECT...``
"""

from __future__ import annotations

import gc
import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _workspace import edit_lesson_prose, edit_quiz
from rich.console import Console

from curriculum.project import Project
from curriculum.site import build_site
from curriculum.site._stamp import BuildStamp


class _StageClock(Console):
    """A console that notes when each stage prints its line (``[bold]name[/] ...``), and prints nothing."""

    def __init__(self) -> None:
        super().__init__(file=io.StringIO())
        self.marks: list[tuple[float, str]] = []

    def print(self, *objects: Any, **kwargs: Any) -> None:
        line = str(objects[0]) if objects else ""
        self.marks.append((time.perf_counter(), line.removeprefix("[bold]").split("[/]")[0]))


def _build(project: Path, clock: _StageClock) -> dict[str, float]:
    """Build ``project`` once; return each stage's seconds (from the previous line) and the total."""
    clock.marks.clear()
    started = time.perf_counter()
    build_site(project, engine="pandoc", console=clock)
    seconds = {"build": time.perf_counter() - started}
    before = started
    for at, stage in clock.marks:
        seconds[stage] = seconds.get(stage, 0.0) + at - before
        before = at
    return seconds


def _stamp(project: Path) -> float:
    """Return the seconds the build's stamp of ``project`` takes (its inputs' status and recorded hashes)."""
    root = Project(project)
    config = root.config("resident")
    started = time.perf_counter()
    BuildStamp(root, "resident", project / config.output_dir, root.cache / "resident" / "build.json")
    return time.perf_counter() - started


EDITS: dict[str, tuple[Callable[[Path, int], str], Callable[[Path], Path]]] = {
    "posttest_edit": (edit_quiz, lambda project: sorted((project / "quizzes").glob("*posttest*.yml"))[0]),
    "lesson_edit": (edit_lesson_prose, lambda project: sorted((project / "lessons").glob("*.ipynb"))[1]),
}
"""Each kind of edit: what edits the file, and which file of a project (as ``run.py`` picks them)."""


def _medians(rounds: int, projects: list[Path], kind: str, clock: _StageClock) -> dict[str, dict[str, float]]:
    """Build ``rounds`` edits of ``kind`` of each project, the projects taking turns; medians by project."""
    edit, edited = EDITS[kind]
    files = {p: edited(p) for p in projects}
    times: dict[Path, list[dict[str, float]]] = {p: [] for p in projects}
    for i in range(rounds + 1):  # the first round warms the caches and is dropped
        for project in projects:
            edit(files[project], 9000 + i)
            seconds = _build(project, clock)
            seconds["stamp"] = _stamp(project)
            if i:
                times[project].append(seconds)
    out = {}
    for project, runs in times.items():
        names = list(dict.fromkeys(name for run in runs for name in run))
        out[str(project)] = {name: statistics.median(run.get(name, 0.0) for run in runs) for name in names}
    return out


def main(argv: list[str]) -> int:
    rounds, projects = int(argv[0]), [Path(p) for p in argv[1:]]
    gc.disable()  # as `curriculum` runs (cli.GC_THRESHOLDS)
    clock = _StageClock()
    print(json.dumps({kind: _medians(rounds, projects, kind, clock) for kind in EDITS}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
