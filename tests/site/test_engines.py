"""Engine choice and the Quarto command line, checked against a fake ``quarto`` that records its calls."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any, ClassVar

import pytest

from curriculum.errors import BuildError, EngineUnavailable
from curriculum.site import BuildContext, Engine, PandocEngine, QuartoEngine, RenderStats, choose_engine
from tests.cli.test_cli import run

FAKE = """#!/usr/bin/env python3
import json, os, sys
if sys.argv[1:] == ["--version"]:
    print("1.9.99")
    sys.exit(0)
record = os.environ["FAKE_QUARTO_RECORD"]
with open(record, "a") as handle:
    handle.write(json.dumps({"args": sys.argv[1:], "cwd": os.getcwd(),
                             "profile": os.environ.get("CURRICULUM_PROFILE"),
                             "host": os.environ.get("CURRICULUM_HOST")}) + "\\n")
sys.exit(int(os.environ.get("FAKE_QUARTO_STATUS", "0")))
"""


@pytest.fixture
def fake_quarto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "quarto"
    script.write_text(FAKE)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    record = tmp_path / "calls.jsonl"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_QUARTO_RECORD", str(record))
    return record


def calls(record: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in record.read_text().splitlines()]


def test_auto_prefers_quarto_when_installed(fake_quarto: Path) -> None:
    assert isinstance(choose_engine("auto"), QuartoEngine)
    assert choose_engine("auto").version() == "Quarto 1.9.99"


def test_auto_falls_back_to_pandoc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert isinstance(choose_engine("auto"), PandocEngine)
    assert choose_engine("pandoc").version().startswith("Pandoc ")


def test_asking_for_missing_quarto_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EngineUnavailable, match=r"quarto\.org/docs/get-started"):
        choose_engine("quarto")
    monkeypatch.chdir(project)
    status, _, err = run(["build", "--engine", "quarto"], capsys)
    assert status == 1 and "--engine pandoc" in err and "Traceback" not in err


def test_quarto_command_line() -> None:
    engine = QuartoEngine("/opt/quarto/bin/quarto")
    root = Path("/p")
    assert engine.command(root, "resident", None) == ["/opt/quarto/bin/quarto", "render", "/p"]
    assert engine.command(root, "faculty", Path("/out")) == [
        "/opt/quarto/bin/quarto",
        "render",
        "/p",
        "--profile",
        "faculty",
        "--output-dir",
        "/out",
    ]


def test_build_with_quarto_checks_then_renders(
    fake_quarto: Path, project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    monkeypatch.setenv("CURRICULUM_HOST", "static")  # must not leak into Quarto's kernels
    status, _, err = run(["build", "--profile", "faculty"], capsys)
    assert status == 0, err
    (call,) = calls(fake_quarto)
    assert call["args"] == ["render", str(project), "--profile", "faculty"]
    assert call["cwd"] == str(project) and call["profile"] == "faculty" and call["host"] is None
    assert "Quarto 1.9.99" in err


def test_quarto_failure_is_a_build_error(
    fake_quarto: Path, project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    monkeypatch.setenv("FAKE_QUARTO_STATUS", "3")
    status, _, err = run(["build", "--engine", "quarto"], capsys)
    assert status == 1 and "quarto render failed with exit status 3" in err


def test_build_stops_on_content_errors(
    fake_quarto: Path, project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("kind: formative", "kind: formativ"))
    monkeypatch.chdir(project)
    status, _, err = run(["build", "--engine", "quarto"], capsys)
    assert status == 1 and "quizzes/intro.yml:3:7" in err
    assert not fake_quarto.exists()


def test_prerender_hook_reads_quartos_profile(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    monkeypatch.setenv("QUARTO_PROFILE", "faculty")
    status, _, err = run(["prerender"], capsys)
    assert status == 0, err
    page = (project / "quiz" / "intro.qmd").read_text()
    assert "Answer key" in page and (project / "_curriculum-assets.html").is_file()


class ToyEngine:
    """An engine in a few lines: the protocol is all the build needs of one."""

    name = "toy"
    unavailable = "the toy engine is switched off (TOY_ENGINE=off)"
    rendered: ClassVar[list[Any]] = []

    def available(self) -> bool:
        return os.environ.get("TOY_ENGINE") != "off"

    def version(self) -> str:
        return "Toy 1"

    def render(self, build: BuildContext) -> RenderStats:
        cur = build.check()
        build.target.mkdir(parents=True, exist_ok=True)
        (build.target / "index.html").write_text(f"{len(cur.quizzes)} quizzes\n")
        build.stage("render", "one page")
        ToyEngine.rendered.append(build)
        return RenderStats(pages=1, written=1)


@pytest.fixture
def toy_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> type[ToyEngine]:
    monkeypatch.setenv("PATH", str(tmp_path))  # no Quarto
    monkeypatch.setattr("curriculum.site._engines.ENGINES", (ToyEngine, QuartoEngine, PandocEngine))
    ToyEngine.rendered = []
    return ToyEngine


def test_every_engine_keeps_the_protocol() -> None:
    for engine in (PandocEngine(), QuartoEngine("/opt/quarto"), ToyEngine()):
        assert isinstance(engine, Engine)


def test_a_new_engine_is_one_class_in_the_list(
    toy_engine: type[ToyEngine],
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert isinstance(choose_engine("auto"), ToyEngine)  # first in the list and available
    monkeypatch.chdir(project)
    status, _, err = run(["build", "--engine", "toy", "--profile", "faculty"], capsys)
    assert status == 0, err
    (build,) = toy_engine.rendered
    assert build.profile == "faculty" and build.project.root == project
    assert (project / "_site" / "index.html").read_text() == "2 quizzes\n"
    assert "Toy 1 · profile faculty" in err and "check      content is valid" in err
    monkeypatch.setenv("TOY_ENGINE", "off")
    assert isinstance(choose_engine("auto"), PandocEngine)  # Quarto is missing too: the last is always there
    with pytest.raises(EngineUnavailable, match="switched off"):
        choose_engine("toy")
    with pytest.raises(BuildError, match="unknown engine 'nope'; use auto, toy, quarto, pandoc"):
        choose_engine("nope")


def test_the_pandoc_build_prints_one_line_per_stage(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    status, _, err = run(["build", "--engine", "pandoc"], capsys)
    assert status == 0, err
    stages = [line.split()[0] for line in err.splitlines() if line.strip()]
    assert [s for s in stages if s in ("engine", "check", *STAGES)] == ["engine", "check", *STAGES]
    assert "1 notebook · 1 run, 0 frozen, 0 from the cache" in err
    status, _, err = run(["build", "--engine", "pandoc"], capsys)
    assert "nothing changed since the last build" in err and "execute" not in err


STAGES = ("pre-render", "execute", "convert", "pandoc", "wrap", "assets", "search", "prune", "render")
