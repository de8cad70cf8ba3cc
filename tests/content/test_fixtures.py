"""Every rule has an invalid fixture; its diagnostics are user-facing copy, so they are snapshotted.

Standalone fixtures live in ``tests/data/invalid/<rule>[-case].<ext>``; rules that need a
project are overlays in ``tests/data/invalid/project/<rule>/`` copied over the test project.
The fixture's name says which rule it must trigger.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from curriculum.content import RULES, check_paths, format_diagnostics
from tests.conftest import INVALID, PROJECT

STANDALONE = sorted(p for p in INVALID.iterdir() if p.is_file())
OVERLAYS = sorted(p for p in (INVALID / "project").iterdir() if p.is_dir())


def _code(name: str) -> str:
    stem = name.split(".")[0]
    match = re.match(r"^(cur\d{3}|l\d{2}|phi-[a-r])", stem)
    assert match, f"fixture {name} does not start with a rule code"
    return match.group(1).upper()


@pytest.mark.parametrize("path", STANDALONE, ids=[p.name for p in STANDALONE])
def test_standalone_fixture(path: Path, monkeypatch: pytest.MonkeyPatch, snapshot: object) -> None:
    monkeypatch.chdir(INVALID)
    report = check_paths([Path(path.name)], INVALID)
    codes = {d.code for d in report.diagnostics}
    assert _code(path.name) in codes, format_diagnostics(report.diagnostics)
    for d in report.diagnostics:
        assert d.path == path.name and d.line >= 1 and d.col >= 1
    assert format_diagnostics(report.diagnostics) == snapshot


@pytest.mark.parametrize("overlay", OVERLAYS, ids=[p.name for p in OVERLAYS])
def test_project_fixture(
    overlay: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, snapshot: object
) -> None:
    target = tmp_path / "project"
    shutil.copytree(PROJECT, target)
    shutil.copytree(overlay, target, dirs_exist_ok=True)
    monkeypatch.chdir(target)
    report = check_paths([], target)
    assert _code(overlay.name) in {d.code for d in report.diagnostics}
    assert format_diagnostics(report.diagnostics) == snapshot


def test_a_file_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CUR104, on a fixture written here: a content file one line longer than 1 MiB."""
    path = tmp_path / "cur104.yml"
    path.write_text("title: x\n" + "# padding line\n" * ((1 << 20) // 15 + 1), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    report = check_paths([Path(path.name)], tmp_path)
    assert format_diagnostics(report.diagnostics) == (
        "cur104.yml:1:1: error CUR104: the file is larger than 1 MiB, the most a content file of this kind "
        "may be (split it into smaller files, or check that this is the file you meant)"
    )


def test_every_rule_has_a_fixture() -> None:
    covered = {_code(p.name) for p in [*STANDALONE, *OVERLAYS]}
    tested_elsewhere = {
        "CUR101",  # unreadable file: tests/content/test_loader.py (permissions)
        "CUR106",  # a path outside the project: tests/site/test_hostile.py, tests/site/test_containment.py
        "CUR107",  # a named pipe: tests/site/test_hostile.py (git cannot hold one)
        "CUR108",  # a link loop: tests/site/test_hostile.py
        "CUR104",  # a file over the size limit: generated below (1 MiB is too much to keep in git)
        "CUR316",  # no references.bib: tests/content/test_loader.py
        "CUR601",
        "CUR602",
        "CUR603",
        "CUR604",  # site build: tests/site/
        "CUR605",  # a stale _freeze/: tests/site/test_freeze.py
        "CUR606",  # a stale reference/: tests/site/test_reference.py
        # activities: tests/content/test_activities.py, one case per kind of bad input
        "CUR320",
        "CUR321",
        "CUR322",
        "CUR323",
        "CUR511",
        "CUR512",
        "CUR513",
    }
    missing = set(RULES) - covered - tested_elsewhere
    assert not missing, f"rules without an invalid fixture: {sorted(missing)}"


def test_fixture_project_is_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT)
    report = check_paths([], PROJECT)
    assert report.diagnostics == []
