"""Run tests again and again under CPU load, to show they neither hang nor flake.

    .venv/bin/python -m tests.stability                       # the tests that wait on processes, 10 runs
    .venv/bin/python -m tests.stability --runs 20 --burners 3 tests/site/test_serve.py

Each run is a fresh ``pytest`` process while ``--burners`` CPU-bound processes
spin beside it. Inside a run, pytest-timeout fails a hung test after
``--test-timeout`` seconds (its teardown then stops the servers the test
started); a whole run that still outlives ``--run-timeout`` is killed and
counted as a hang. The script prints one line per run and a summary, and
exits 1 if any run failed or hung. See CONTRIBUTING.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PROCESS_TESTS = [
    "tests/site/test_serve.py",  # curriculum serve in a subprocess
    "tests/lab/test_reader_notebooks.py",  # a kernel (nbclient) runs a reader notebook
    "tests/lab/test_jupyterlab.py",  # a real JupyterLab server and Chromium
    "tests/cli/test_makefile.py",  # make and its stand-in programs
    "tests/cli/test_cli.py::test_module_entry_point",
    "tests/assess/test_progress.py::test_two_processes_writing_at_once_lose_nothing",
]
"""Every test that starts a process and waits on it."""


def _burn() -> None:
    while True:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("tests", nargs="*", help="pytest node ids (default: the process-waiting tests)")
    parser.add_argument("--runs", type=int, default=10, help="how many times to run them (default 10)")
    parser.add_argument("--burners", type=int, default=2, help="CPU-bound processes beside them (default 2)")
    parser.add_argument("--test-timeout", type=int, default=300, help="seconds before one test fails (300)")
    parser.add_argument("--run-timeout", type=int, default=1200, help="seconds before a run is killed (1200)")
    args = parser.parse_args(argv)
    tests = args.tests or PROCESS_TESTS
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        f"timeout={args.test_timeout}",
        *tests,
    ]
    print(f"{args.runs} runs of: {' '.join(tests)}")
    print(f"beside {args.burners} CPU-bound processes, on {os.cpu_count()} CPUs", flush=True)
    context = multiprocessing.get_context("spawn")
    burners = [context.Process(target=_burn, daemon=True) for _ in range(args.burners)]
    for burner in burners:
        burner.start()
    results: list[tuple[str, float]] = []
    try:
        for run in range(1, args.runs + 1):
            started = time.monotonic()
            process = subprocess.Popen(
                command,
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
            try:
                output, _ = process.communicate(timeout=args.run_timeout)
                verdict = "passed" if process.returncode == 0 else f"FAILED (exit {process.returncode})"
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                output, _ = process.communicate(timeout=30)
                verdict = f"HUNG (killed after {args.run_timeout} s)"
            seconds = time.monotonic() - started
            summary = output.strip().splitlines()[-1] if output.strip() else ""
            results.append((verdict, seconds))
            print(f"run {run:>3}: {verdict:<28} {seconds:7.1f} s   {summary}", flush=True)
            if not verdict.startswith("passed"):
                print(output[-4000:])
    finally:
        for burner in burners:
            burner.terminate()
            burner.join(timeout=10)
    passed = sum(1 for verdict, _ in results if verdict == "passed")
    hung = sum(1 for verdict, _ in results if verdict.startswith("HUNG"))
    times = [seconds for _, seconds in results]
    print(
        f"\n{passed} of {len(results)} runs passed, {len(results) - passed - hung} failed, {hung} hung; "
        f"wall time per run min {min(times):.1f} s, median {statistics.median(times):.1f} s, "
        f"max {max(times):.1f} s"
    )
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
