"""Hostile and broken projects: the 21 "bad failures" of the adversarial review, and case m3.

Each case is one change to a copy of the test project (already built once, so
its site and build cache exist), made in ``tmp_path`` next to an ``outside``
folder that stands for the builder's own files. ``curriculum check`` and
``curriculum build`` then run as real processes with a timeout, and each must
exit 1 with a located ``path:line:col: error CODE`` line naming the rule, print
no traceback, leave the previous site as it was, and touch nothing outside the
project.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.console import Console

from curriculum.site import build_site
from tests.conftest import PROJECT

TIMEOUT = 180
"""Seconds a command may take before the test fails: a hang is a failure, never a wait."""


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test project, built once: every case starts from its site and its cache."""
    root = tmp_path_factory.mktemp("baseline") / "project"
    shutil.copytree(
        PROJECT, root, ignore=shutil.ignore_patterns("_site*", ".curriculum-cache", "quiz", "cases")
    )
    build_site(root, engine="pandoc", console=Console(quiet=True))
    return root


@dataclass
class Case:
    """One hostile change: what it does, the rule it must trip, and the file the message names."""

    change: Callable[[Path, Path], None]
    code: str
    path: str
    slow: bool = False

    @property
    def name(self) -> str:
        return self.change.__name__


def _quiz(root: Path, name: str, **fields: str) -> None:
    """Write ``quizzes/<name>``: the intro quiz with fresh item ids and the first item's ``fields``."""
    text = (root / "quizzes" / "intro.yml").read_text(encoding="utf-8")
    text = re.sub(r"id: (intro-q\d+)", rf"id: {Path(name).stem}-\1", text)
    for key, value in fields.items():
        start = text.index(f"\n    {key}: ") + len(f"\n    {key}: ")
        end = re.compile(r"\n    [a-z]+:").search(text, start)
        assert end is not None
        text = text[:start] + json.dumps(value) + text[end.start() :]
    (root / "quizzes" / name).write_text(text, encoding="utf-8")


def _cell(root: Path, cell: dict[str, object], timeout: int | None = None) -> None:
    """Insert a cell into the test lesson (and set ``execute: timeout``)."""
    notebook = root / "lessons" / "intro.ipynb"
    data = json.loads(notebook.read_text(encoding="utf-8"))
    data["cells"].insert(2, {"metadata": {}, "id": "hostile", **cell})
    notebook.write_text(json.dumps(data, indent=1), encoding="utf-8")
    if timeout is not None:
        config = root / "_quarto.yml"
        config.write_text(config.read_text(encoding="utf-8") + f"execute:\n  timeout: {timeout}\n")


def _code(root: Path, source: str, timeout: int | None = None) -> None:
    _cell(root, {"cell_type": "code", "execution_count": None, "outputs": [], "source": source}, timeout)


def _config(root: Path, old: str, new: str) -> None:
    config = root / "_quarto.yml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new, 1), encoding="utf-8")


def _sidebar(root: Path, entry: str) -> None:
    _config(root, "      - index.qmd\n", f"      - index.qmd\n      - {entry}\n")


# The changes, named after the review's cases (adversarial.md, area 1, "Bad failures").
def r01(root: Path, _: Path) -> None:  # a 200 KB stem of "1-1-1-..."
    _quiz(root, "adv.yml", stem="A 30-year-old man. " + "1-" * 100_000 + "\n\nWhich response is best?")


def r02(root: Path, _: Path) -> None:  # a rationale of "[" and 40,000 citation keys, never closed
    _quiz(root, "adv.yml", rationale="[" + "@krupnick1996 " * 40_000)


def f04(root: Path, _: Path) -> None:
    os.symlink("/dev/zero", root / "quizzes" / "adv.yml")


def f05(root: Path, _: Path) -> None:
    os.mkfifo(root / "quizzes" / "adv.yml")


def n08(root: Path, _: Path) -> None:
    _code(root, "while True:\n    pass", timeout=2)


def n15(root: Path, _: Path) -> None:
    _cell(root, {"cell_type": "markdown", "source": "> " * 20_000 + "deep"})


def n10(root: Path, _: Path) -> None:
    _code(root, "display({'image/png': 'not base64 at all!!'}, raw=True)")


def n13(root: Path, _: Path) -> None:
    _cell(root, {"cell_type": "markdown", "source": 42})


def c06(root: Path, _: Path) -> None:
    _config(root, "website:\n  title: Test curriculum\n", "website: my site\nx:\n  title: x\n")


def c07(root: Path, _: Path) -> None:
    config = root / "_quarto.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text("project: [a, b]\n" + text[text.index("website:") :], encoding="utf-8")


def c11(root: Path, outside: Path) -> None:
    _config(root, "  render:\n", f"  render:\n    - {outside}/c11.md\n")


def f03(root: Path, _: Path) -> None:
    os.symlink("b.yml", root / "quizzes" / "a.yml")
    os.symlink("a.yml", root / "quizzes" / "b.yml")


def n09(root: Path, _: Path) -> None:
    _code(root, "import os\nos._exit(1)")


def x03(root: Path, _: Path) -> None:
    _quiz(root, "adv.yml")
    _quiz(root, "adv.yaml")


def x04(root: Path, _: Path) -> None:
    _quiz(root, "index.yml")


def x05(root: Path, _: Path) -> None:
    shutil.copy(root / "vignettes" / "first-visit.yml", root / "vignettes" / "index.yml")


def n11(root: Path, _: Path) -> None:
    _code(root, "curriculum.quiz('no-such-quiz')")


def n16(root: Path, _: Path) -> None:
    _cell(root, {"cell_type": "weird", "source": ["hi"]})


def c10(root: Path, _: Path) -> None:
    _sidebar(root, "../outside/c10.md")


def c12(root: Path, outside: Path) -> None:
    _config(root, "  output-dir: _site\n", f"  output-dir: {outside}/c12-out\n")


def f01(root: Path, outside: Path) -> None:
    os.symlink(outside / "secret-quiz.yml", root / "quizzes" / "adv.yml")


LESSON = "lessons/intro.ipynb"
CASES = [
    Case(r01, "CUR205", "quizzes/adv.yml"),  # a text field is at most 20,000 characters
    Case(r02, "CUR205", "quizzes/adv.yml"),
    Case(f04, "CUR106", "quizzes/adv.yml"),  # leads outside the project
    Case(f05, "CUR107", "quizzes/adv.yml"),  # not a regular file
    Case(n08, "CUR603", LESSON, slow=True),  # the cell ran longer than `execute: timeout`
    Case(n15, "CUR122", LESSON),  # nested too deeply for Pandoc
    Case(n10, "CUR603", LESSON, slow=True),  # an image that is not base64
    Case(n13, "CUR117", LESSON),  # not valid nbformat
    Case(c06, "CUR203", "_quarto.yml"),  # a value of the wrong type
    Case(c07, "CUR203", "_quarto.yml"),
    Case(c11, "CUR106", "_quarto.yml"),
    Case(f03, "CUR108", "quizzes/a.yml"),  # a link that loops
    Case(n09, "CUR603", LESSON, slow=True),  # the kernel died
    Case(x03, "CUR312", "quizzes/adv.yml"),  # two files, one id
    Case(x04, "CUR318", "quizzes/index.yml"),  # a reserved id
    Case(x05, "CUR318", "vignettes/index.yml"),
    Case(n11, "CUR317", LESSON),  # a code cell names content that does not exist
    Case(n16, "CUR117", LESSON),
    Case(c10, "CUR106", "_quarto.yml"),
    Case(c12, "CUR106", "_quarto.yml"),
    Case(f01, "CUR106", "quizzes/adv.yml"),
]


def _tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (links as links) and a hash of its bytes."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _run(root: Path, *args: str) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, "-m", "curriculum", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def _outside(base: Path) -> Path:
    outside = base / "outside"
    outside.mkdir()
    (outside / "target.txt").write_text("the builder's own file\n", encoding="utf-8")
    (outside / "c10.md").write_text("# Read from outside\n\nSECRET text from outside the project.\n")
    quiz = (PROJECT / "quizzes" / "intro.yml").read_text(encoding="utf-8")
    (outside / "secret-quiz.yml").write_text(quiz.replace("Introduction quiz", "SECRET quiz from outside"))
    return outside


def _assert_clean_failure(status: int, output: str, case: Case) -> None:
    assert "Traceback" not in output and "Internal error" not in output, output[-3000:]
    assert status == 1, output[-3000:]
    located = re.compile(rf"^(Error: )?{re.escape(case.path)}:\d+:\d+: error {case.code}: ", re.M)
    assert located.search(output), output[-3000:]


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.name, marks=[pytest.mark.slow] if c.slow else []) for c in CASES]
)
def test_hostile_change_fails_cleanly_inside_the_project(case: Case, baseline: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(baseline, root, symlinks=True)
    outside = _outside(tmp_path)
    case.change(root, outside)
    before_outside = _tree(tmp_path / "outside")
    before_site = _tree(root / "_site")

    for args in (["check"], ["build", "--engine", "pandoc"]):
        status, output = _run(root, *args)
        _assert_clean_failure(status, output, case)

    assert _tree(tmp_path / "outside") == before_outside
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside", "project"]
    assert _tree(root / "_site") == before_site, "a failed build changed the published site"
    assert not any(
        "SECRET" in p.read_text(errors="ignore") for p in (root / "_site").rglob("*") if p.is_file()
    )


def test_m3_a_removed_sidebar_entry_never_deletes_a_file_outside(baseline: Path, tmp_path: Path) -> None:
    """Case m3: a sidebar path climbing out of the project is refused, and stale pruning stays inside."""
    root = tmp_path / "project"
    shutil.copytree(baseline, root, symlinks=True)
    outside = _outside(tmp_path)
    before = _tree(outside)
    _sidebar(root, "../" * 12 + str(outside).lstrip("/") + "/target.txt")
    status, output = _run(root, "build", "--engine", "pandoc")
    assert status == 1 and re.search(r"^Error: _quarto\.yml:\d+:\d+: error CUR106: ", output, re.M), output
    # The stale-file pruning trusts no name in the manifest, which a repository can ship in _site/.
    shutil.copy(baseline / "_quarto.yml", root / "_quarto.yml")
    manifest = root / "_site" / ".curriculum-manifest.json"
    names = json.loads(manifest.read_text(encoding="utf-8"))
    planted = [
        *names,
        "../../outside/target.txt",
        str(outside / "target.txt"),
        "lessons/../../../outside/c10.md",
    ]
    manifest.write_text(json.dumps(planted), encoding="utf-8")
    (root / "_site" / "stale.html").write_text("from an earlier build")
    manifest.write_text(json.dumps([*planted, "stale.html"]), encoding="utf-8")
    (root / "index.qmd").write_text((root / "index.qmd").read_text() + "\nOne more sentence.\n")
    status, output = _run(root, "build", "--engine", "pandoc")
    assert status == 0, output
    assert _tree(outside) == before
    assert not (root / "_site" / "stale.html").exists(), "a stale file inside the site is still removed"
