"""`curriculum report` over a synthetic cohort: 1,000 learners x 300 items, with two planted faults.

Run with ``.venv/bin/python benchmarks/report.py`` (``make bench`` runs it first). See
benchmarks/README.md. The script writes a throw-away project (one lesson with 30 objectives,
one summative quiz of 300 five-option items) and 1,000 response files drawn from a
three-parameter logistic model, then times the whole command in a fresh subprocess (start-up,
reading and checking every file, the statistics, the HTML page and the CSV files), as a
faculty member would wait for it. Two faults are planted and must be flagged:

- a miskeyed item: the quiz keys option a, but the learners who know the answer choose b
  (expected flags: ``negative-rpb`` and ``key-not-modal``);
- a non-functioning distractor: option e of another item is almost never chosen (``nfd``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
LEARNERS, ITEMS, OPTIONS, OBJECTIVES = 1000, 300, "abcde", 30
MISKEYED, NFD_ITEM, NFD_OPTION = 150, 42, "e"
BUDGET, GOAL = 2.0, 0.5  # seconds, the whole command
QUIZ = "bench-final"
COMPETENCIES = ["PC4", "MK4", "ICS1", "PROF1", "SBP2", "PBLI1"]


def item_id(j: int) -> str:
    return f"bench-q{j:03d}"


def write_project(root: Path) -> None:
    """A minimal project: one lesson with 30 objectives, one summative quiz of 300 items."""
    (root / "lessons").mkdir(parents=True)
    (root / "quizzes").mkdir()
    (root / "_quarto.yml").write_text("project:\n  type: website\nwebsite:\n  title: Bench curriculum\n")
    (root / "references.bib").write_text(
        "@article{krupnick1996,\n  author = {Krupnick, Janice L.},\n  title = {The role of the alliance},\n"
        "  journal = {J Consult Clin Psychol},\n  year = {1996},\n  volume = {64},\n  pages = {532--539}\n}\n"
    )
    front = {
        "title": "Benchmark lesson",
        "lesson-id": "bench",
        "duration": 60,
        "objectives": [
            {
                "id": f"bench-{o + 1}",
                "text": f"Objective number {o + 1}.",
                "competencies": [COMPETENCIES[o % 6]],
            }
            for o in range(OBJECTIVES)
        ],
        "quiz": QUIZ,
    }
    notebook = {
        "cells": [{"cell_type": "raw", "metadata": {}, "source": "---\n" + yaml.safe_dump(front) + "---"}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (root / "lessons" / "bench.ipynb").write_text(json.dumps(notebook))
    items = [
        {
            "id": item_id(j),
            "type": "single",
            "objectives": [f"bench-{j % OBJECTIVES + 1}"],
            "stem": f"A 40-year-old woman with depression asks question {j}. Which response is best?",
            "options": [
                {"id": o, "text": f"Response {o} to case {j}", "feedback": "Because."} for o in OPTIONS
            ],
            "answer": "a",
            "rationale": "The alliance predicts outcome [@krupnick1996].",
            "references": ["krupnick1996"],
        }
        for j in range(ITEMS)
    ]
    quiz = {
        "title": "Benchmark final",
        "lesson": "bench",
        "kind": "summative",
        "pass_mark": 0.6,
        "items": items,
    }
    (root / "quizzes" / f"{QUIZ}.yml").write_text(yaml.safe_dump(quiz, sort_keys=False))


def write_responses(folder: Path, seed: int = 2024) -> None:
    """1,000 response files from a 3PL model; the key is option a, except the planted faults."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=LEARNERS)
    b = rng.normal(-0.4, 1.0, size=ITEMS)
    a = rng.uniform(0.6, 2.0, size=ITEMS)
    p = 0.2 + 0.8 / (1 + np.exp(-1.7 * a * (theta[:, None] - b)))
    correct = rng.random((LEARNERS, ITEMS)) < p
    weights = rng.dirichlet([3, 3, 3, 3], size=ITEMS)  # how attractive each wrong option is
    weights[NFD_ITEM] = [0.5, 0.3, 0.199, 0.001]
    wrong_pick = np.array([rng.choice(4, size=LEARNERS, p=w) for w in weights]).T  # learners x items
    truth = np.zeros(ITEMS, dtype=int)  # index into OPTIONS of what knowers choose
    truth[MISKEYED] = 1
    chosen = np.where(correct, truth, 0)
    for j in range(ITEMS):
        wrong = [k for k in range(len(OPTIONS)) if k != truth[j]]
        chosen[~correct[:, j], j] = np.array(wrong)[wrong_pick[~correct[:, j], j]]
    folder.mkdir(parents=True)
    order = {item_id(j): list(OPTIONS) for j in range(ITEMS)}
    for i in range(LEARNERS):
        record = {
            "format": "curriculum-responses",
            "version": 1,
            "site": "bench-curriculum",
            "quiz": QUIZ,
            "learner": f"Learner {i:04d}",
            "submitted": f"2026-11-{1 + i % 28:02d}T{8 + i % 10:02d}:{i % 60:02d}:00Z",
            "responses": {item_id(j): [OPTIONS[chosen[i, j]]] for j in range(ITEMS)},
            "order": order,
        }
        (folder / f"learner-{i:04d}.json").write_text(json.dumps(record, indent=2))


def run_report(exe: str, project: Path, out: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    if out.exists():
        shutil.rmtree(out)
    started = time.perf_counter()
    result = subprocess.run(
        [exe, "report", "responses", "--out", str(out), "--norms", str(out / "norms.json")],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return time.perf_counter() - started, result


def statistics_only(project: Path) -> float:
    """The statistics alone, in this process: the matrix of answers is already in memory."""
    from curriculum.assess._statistics import item_statistics, kr20

    codes = np.zeros((LEARNERS, ITEMS), dtype=np.uint16)
    for i, path in enumerate(sorted((project / "responses").glob("*.json"))):
        data = json.loads(path.read_text())
        codes[i] = [1 << OPTIONS.index(data["responses"][item_id(j)][0]) for j in range(ITEMS)]
    keys = np.ones(ITEMS, dtype=np.uint16)
    started = time.perf_counter()
    stats = item_statistics(codes, keys)
    kr20(stats.scored)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs of the command (the median counts)")
    parser.add_argument("--keep", action="store_true", help="keep the synthetic project and its report")
    parser.add_argument("--check", action="store_true", help="exit 1 when the budget is missed")
    args = parser.parse_args(argv)
    exe = str(Path(sys.executable).parent / "curriculum")
    if not Path(exe).is_file():
        exe = shutil.which("curriculum") or "curriculum"
    work = Path(tempfile.mkdtemp(prefix="curriculum-report-bench-"))
    project = work / "project"
    print(
        f"curriculum report: synthetic cohort of {LEARNERS:,} learners x {ITEMS} items in {work}", flush=True
    )
    write_project(project)
    write_responses(project / "responses")
    out = project / "report"
    times, result = [], None
    for _ in range(max(1, args.runs)):
        seconds, result = run_report(exe, project, out)
        times.append(seconds)
    assert result is not None
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        print(f"curriculum report exited with {result.returncode}", file=sys.stderr)
        return 2
    with (out / "items.csv").open(newline="", encoding="utf-8") as handle:
        items = {row["item"]: row for row in csv.DictReader(handle)}
    with (out / "quizzes.csv").open(newline="", encoding="utf-8") as handle:
        quiz = next(csv.DictReader(handle))
    miskey = items[item_id(MISKEYED)]["flags"].split(";")
    nfd = items[item_id(NFD_ITEM)]["nfd"].split()
    planted = {
        f"miskeyed {item_id(MISKEYED)} flagged negative-rpb and key-not-modal": {
            "negative-rpb",
            "key-not-modal",
        }
        <= set(miskey),
        f"{item_id(NFD_ITEM)} option {NFD_OPTION} flagged non-functioning": NFD_OPTION in nfd,
    }
    counts: dict[str, int] = {}
    for row in items.values():
        for code in filter(None, row["flags"].split(";")):
            counts[code] = counts.get(code, 0) + 1
    median = statistics.median(times)
    stats_seconds = statistics_only(project)
    figures: dict[str, Any] = {
        "learners": LEARNERS,
        "items": ITEMS,
        "seconds_median": round(median, 3),
        "seconds_runs": [round(t, 3) for t in times],
        "statistics_only_seconds": round(stats_seconds, 4),
        "kr20": float(quiz["kr20"]),
        "sem": float(quiz["sem"]),
        "mean": float(quiz["mean"]),
        "sd": float(quiz["sd"]),
        "flags": dict(sorted(counts.items())),
        "miskeyed_item_flags": miskey,
        "planted_found": planted,
        "report_html_bytes": (out / "report.html").stat().st_size,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(f"  whole command, median of {len(times)}: {median:.2f} s  (runs {figures['seconds_runs']})")
    print(f"  statistics alone (NumPy, answers in memory): {stats_seconds * 1000:.1f} ms")
    print(
        f"  quiz: mean {quiz['mean']} of {ITEMS}, SD {quiz['sd']}, KR-20 {quiz['kr20']}, SEM {quiz['sem']}, "
        f"decision consistency {quiz['decision_consistency']} (kappa {quiz['kappa']})"
    )
    print(f"  item flags: {', '.join(f'{k} {v}' for k, v in figures['flags'].items())}")
    for label, found in planted.items():
        print(f"  planted: {label}: {'yes' if found else 'NO'}")
    print(
        f"  report.html {figures['report_html_bytes'] / 1000:.0f} KB; load average {figures['load_average']}"
    )
    verdict = "PASS" if median < BUDGET else "FAIL"
    goal = "met" if median < GOAL else "not met"
    print(f"  budget: curriculum report < {BUDGET:g} s: {median:.2f} s {verdict} (goal {GOAL:g} s: {goal})")
    (HERE / "results-report.json").write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    if args.keep:
        print(f"  kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    if not all(planted.values()):
        print("a planted fault was not flagged", file=sys.stderr)
        return 1
    return 1 if args.check and median >= BUDGET else 0


if __name__ == "__main__":
    sys.exit(main())
