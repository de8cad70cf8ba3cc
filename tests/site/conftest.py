"""Built copies of the test project, shared by the site tests (building takes a few seconds)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rich.console import Console

from curriculum.site import BuildResult, build_site
from tests.conftest import PROJECT, REPO


def build_copy(base: Path, profile: str) -> tuple[Path, BuildResult]:
    root = base / f"project-{profile}"
    shutil.copytree(
        PROJECT, root, ignore=shutil.ignore_patterns("_site*", ".curriculum-cache", "quiz", "cases")
    )
    result = build_site(root, engine="pandoc", profile=profile, console=Console(quiet=True))
    return root, result


@pytest.fixture(scope="session")
def resident_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    return build_copy(tmp_path_factory.mktemp("resident"), "resident")


@pytest.fixture(scope="session")
def faculty_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    return build_copy(tmp_path_factory.mktemp("faculty"), "faculty")


IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv*",
    "_site*",
    ".curriculum-cache",
    "tests",
    "benchmarks",
    "quiz",
    "cases",
    "reference",
    "__pycache__",
    ".pytest_cache",
    "*.egg-info",
)


def build_repo(base: Path, profile: str) -> BuildResult:
    root = base / "repo"
    shutil.copytree(REPO, root, ignore=IGNORE)
    return build_site(root, engine="pandoc", profile=profile, console=Console(quiet=True))


@pytest.fixture(scope="session")
def repo_resident(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build_repo(tmp_path_factory.mktemp("repo-resident"), "resident")


@pytest.fixture(scope="session")
def repo_faculty(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build_repo(tmp_path_factory.mktemp("repo-faculty"), "faculty")
