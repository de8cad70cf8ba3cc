"""The Makefile's ``test`` and ``lab`` targets, run by ``make`` against stand-in programs.

The venv's programs (``python``, ``curriculum``, ``jupyter``) and ``id`` are
replaced by scripts that record their arguments and exit as told, so the
targets' own logic is what is tested: both test suites always run and both
are reported; JupyterLab binds 127.0.0.1 and gets ``--allow-root`` only as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

STAND_IN = """#!/bin/sh
echo "$(basename "$0") $*" >> "$MAKE_TEST_LOG"
case "$*" in
  *nbval*) exit "${NOTEBOOK_STATUS:-0}" ;;
  *pytest*) exit "${PACKAGE_STATUS:-0}" ;;
esac
exit 0
"""

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(target: str, tmp_path: Path, uid: int = 1000, **env: str) -> tuple[int, str, list[str]]:
    """Run ``make target`` in the repository with stand-ins; return the status, output and calls."""
    venv = tmp_path / "venv"
    bin_dir = venv / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name in ("python", "curriculum", "jupyter"):
        (bin_dir / name).write_text(STAND_IN)
        (bin_dir / name).chmod(0o755)
    tools = tmp_path / "tools"
    tools.mkdir(exist_ok=True)
    (tools / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (tools / "id").chmod(0o755)
    for stamp in (".installed", ".installed-test"):  # newer than pyproject.toml: nothing to install
        (venv / stamp).touch()
    log = tmp_path / "calls.log"
    log.unlink(missing_ok=True)
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), target, f"VENV={venv}"],
        env={
            **os.environ,
            **env,
            "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
            "MAKE_TEST_LOG": str(log),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    calls = log.read_text().splitlines() if log.exists() else []
    return result.returncode, result.stdout + result.stderr, calls


PARALLEL = ["--numprocesses=auto", "--maxprocesses=4", "--dist=loadfile"]


@pytest.mark.parametrize(("package", "notebooks"), [(0, 0), (1, 0), (0, 1), (2, 1)])
def test_make_test_runs_and_reports_both_suites(tmp_path: Path, package: int, notebooks: int) -> None:
    status, output, calls = make(
        "test", tmp_path, PACKAGE_STATUS=str(package), NOTEBOOK_STATUS=str(notebooks)
    )
    assert [c.split()[:3] for c in calls] == [["python", "-m", "pytest"]] * 2
    assert calls[0].split()[3:] == PARALLEL  # the package tests share the cores, a file to a worker
    assert "--nbval-lax" in calls[1] and "--nbval-cell-timeout=" in calls[1] and "lessons/" in calls[1]
    for label, code in (("package tests:", package), ("lesson notebooks:", notebooks)):
        line = next(line for line in output.splitlines() if label in line)
        assert ("passed" in line) == (code == 0) and (f"exit status {code}" in line) == (code != 0), line
    assert (status == 0) == (package == 0 and notebooks == 0)


@pytest.mark.parametrize("uid", [0, 1000])
def test_make_lab_writes_the_reader_notebooks_and_allows_root_only_as_root(tmp_path: Path, uid: int) -> None:
    status, output, calls = make("lab", tmp_path, uid=uid)
    assert status == 0, output
    assert calls[0] == "curriculum notebooks --out _notebooks"
    lab = calls[1].split()
    assert lab[:2] == ["jupyter", "lab"]
    assert "--ServerApp.root_dir=_notebooks" in lab and "--ServerApp.ip=127.0.0.1" in lab
    assert ("--allow-root" in lab) == (uid == 0)


@pytest.mark.parametrize("package", [0, 1])
def test_make_test_fast_leaves_out_the_browser_and_the_slow_builds(tmp_path: Path, package: int) -> None:
    status, output, calls = make("test-fast", tmp_path, PACKAGE_STATUS=str(package))
    assert calls == [" ".join(["python -m pytest", *PARALLEL, "-m not browser and not slow"])], output
    assert (status == 0) == (package == 0)
