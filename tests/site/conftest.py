"""Built copies of the test project, shared by the site tests (building takes a few seconds)."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from curriculum.site import BuildResult, build_site
from tests.conftest import PROJECT, REPO


def same_as_a_fresh_build(root: Path, out: Path, tmp_path: Path) -> None:
    """Assert that the site ``out`` of ``root`` is, file for file, what a build of a fresh copy makes.

    The copy is made in ``tmp_path`` (which must not hold one already).
    """
    fresh = tmp_path / "fresh"
    ignore = shutil.ignore_patterns("_site", "._site.*", ".curriculum-cache", "quiz", "cases")
    shutil.copytree(root, fresh, ignore=ignore)
    whole = build_site(fresh, engine="pandoc", console=Console(quiet=True)).out
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(whole) for p in whole.rglob("*") if p.is_file())
    for name in files:
        assert (whole / name).read_bytes() == (out / name).read_bytes(), name


def build_copy(base: Path, profile: str) -> tuple[Path, BuildResult]:
    root = base / f"project-{profile}"
    ignore = shutil.ignore_patterns("_site*", "._site*", ".curriculum-cache", "quiz", "cases")
    shutil.copytree(PROJECT, root, ignore=ignore)
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
    "._site*",
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


def count_payload_builds(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[str, tuple[str, ...]]]:
    """Count, from now on, each time a component kind builds a payload (by kind and arguments)."""
    import dataclasses

    from curriculum.components import COMPONENTS

    built: Counter[tuple[str, tuple[str, ...]]] = Counter()
    for kind, spec in list(COMPONENTS.items()):

        def counting(builder: Any, *args: str, _real: Any = spec.payload, _kind: str = kind) -> Any:
            built[(_kind, args)] += 1
            return _real(builder, *args)

        monkeypatch.setitem(COMPONENTS._specs, kind, dataclasses.replace(spec, payload=counting))
    return built
