"""Shared fixtures: paths to the test data and a disposable copy of the test project."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
PROJECT = DATA / "project"
INVALID = DATA / "invalid"
REPO = Path(__file__).parent.parent


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep caches and progress files of every test out of the user's folders.

    The cache is shared by the session (it only saves work); each test has a
    progress file of its own, so no test sees the answers another one saved.
    Each test starts with no memo in memory, as a new process does (see
    :mod:`curriculum._memo`): what it reads, it reads from its project's files.
    """
    monkeypatch.setattr("curriculum._memo._stores", {})
    base = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("CURRICULUM_CACHE_DIR", str(base / "cache"))
    progress = tmp_path_factory.mktemp("progress")
    monkeypatch.setenv("CURRICULUM_PROGRESS_FILE", str(progress / "progress.json"))
    for name in (
        "CURRICULUM_HOST",
        "CURRICULUM_PROFILE",
        "CURRICULUM_ROOT",
        "QUARTO_DOCUMENT_PATH",
        "QUARTO_PROJECT_ROOT",
        "QUARTO_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the small test project."""
    target = tmp_path / "project"
    shutil.copytree(
        PROJECT,
        target,
        ignore=shutil.ignore_patterns("_site*", "._site*", ".curriculum-cache", "quiz", "cases"),
    )
    return target


pytest_plugins = ["tests.browser"]


def dated_back(folder: Path, *, step: int = 0) -> None:
    """Date a folder back an hour (each ``step`` a second further), as a folder not just changed is."""
    then = time.time_ns() - 3600 * 10**9 - step * 10**9
    os.utime(folder, ns=(then, then))


def aged(root: Path, seconds: float = 60) -> Path:
    """Date every file of ``root`` back, as files not just edited are (the build's records trust those)."""
    then = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            os.utime(path, (then, then))
    return root
