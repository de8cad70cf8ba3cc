"""The command line: every exit status, the templates, the schemas, and no traceback for authors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import curriculum.cli
from curriculum.cli import main
from curriculum.content._schema import SCHEMAS, schema_text
from curriculum.content._templates import new_kinds
from tests.conftest import INVALID, REPO


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["--version"], capsys)
    assert status == 0 and out.startswith("curriculum, version ")


def test_clean_project_exits_0(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    status, out, err = run(["check", "--strict"], capsys)
    assert status == 0 and out == "" and "Check passed" in err


def test_clean_project_in_json_is_an_empty_list(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    status, out, _ = run(["check", "--strict", "--format", "json"], capsys)
    assert status == 0 and json.loads(out) == []


@pytest.mark.parametrize("path", sorted(p.name for p in INVALID.iterdir() if p.is_file()))
def test_every_invalid_fixture_exits_1_with_a_location(
    path: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(INVALID)
    status, out, err = run(["check", "--strict", path], capsys)
    assert status == 1
    assert out.startswith(f"{path}:") and "Traceback" not in out + err
    first = out.splitlines()[0].split(":")
    assert first[1].isdigit() and first[2].isdigit()


def test_warnings_fail_only_with_strict(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(INVALID)
    assert run(["check", "l24.yml"], capsys)[0] == 0
    assert run(["check", "--strict", "l24.yml"], capsys)[0] == 1


@pytest.mark.parametrize(
    "args",
    [
        ["check", "no-such-file.yml"],
        ["check", "--format", "xml"],
        ["frobnicate"],
        ["new", "quiz"],
        ["new", "essay", "x"],
    ],
)
def test_usage_errors_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(args, capsys)
    assert status == 2 and "Traceback" not in err


def test_outside_a_project_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    status, _, err = run(["check"], capsys)
    assert status == 2 and "not a curriculum project" in err


def test_a_bug_says_so_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("simulated failure")

    monkeypatch.chdir(project)
    monkeypatch.setattr("curriculum.site._check.check_project", boom)
    status, _, err = run(["check"], capsys)
    assert status == curriculum.cli.BUG_EXIT
    assert "This is a bug in curriculum" in err and "simulated failure" in err and "Traceback" not in err
    status, _, err = run(["--debug", "check"], capsys)
    assert "Traceback" in err


def test_json_and_github_formats(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(INVALID)
    _, out, _ = run(["check", "--format", "json", "cur204.yml"], capsys)
    data = json.loads(out)
    assert data[0]["code"] == "CUR204" and data[0]["line"] == 3 and data[0]["severity"] == "error"
    _, out, _ = run(["check", "--format", "github", "cur204.yml"], capsys)
    assert out.startswith("::error file=cur204.yml,line=3,col=7,title=CUR204::")


@pytest.mark.parametrize("kind", new_kinds())
def test_new_templates_pass_strict(
    kind: str, project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    status, out, _ = run(["new", kind, f"new-{kind}"], capsys)
    assert status == 0 and "Created" in out
    status, out, err = run(["check", "--strict"], capsys)
    assert status == 0, out + err
    status, _, err = run(["new", kind, f"new-{kind}"], capsys)
    assert status == 2 and "already exists" in err


def test_new_refuses_a_bad_id(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    status, _, err = run(["new", "quiz", "Bad Id"], capsys)
    assert status == 2 and "not a valid id" in err


def test_committed_schemas_are_current() -> None:
    from curriculum.assess import ProgressFile

    for name, model in {**SCHEMAS, "progress": ProgressFile}.items():
        committed = (REPO / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")
        assert committed == schema_text(name, model), (
            f"run `curriculum schema` to update schemas/{name}.schema.json"
        )


def test_schema_command_writes_every_schema(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    status, _, _ = run(["schema"], capsys)
    assert status == 0
    for name in SCHEMAS:
        schema = json.loads((project / "schemas" / f"{name}.schema.json").read_text())
        assert schema["$schema"].endswith("2020-12/schema")


def test_templates_reference_the_schemas() -> None:
    templates = REPO / "src" / "curriculum" / "content" / "templates"
    for path in templates.glob("*.yml.j2"):
        assert path.read_text().startswith("# yaml-language-server: $schema=../schemas/")


def test_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "curriculum", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0 and "version" in result.stdout


def test_rules_lists_every_registered_rule(capsys: pytest.CaptureFixture[str]) -> None:
    import curriculum.site  # noqa: F401
    from curriculum.content import RULES

    status, out, _ = run(["rules"], capsys)
    assert status == 0
    for code in RULES:
        assert code in out


def test_rules_reference_page_lists_every_rule() -> None:
    from curriculum.content import RULES
    from curriculum.content._rules_doc import rules_markdown

    page = rules_markdown()
    assert page.startswith("---\ntitle:")
    assert all(f"`{code}`" in page for code in RULES)


def test_progress_command_imports_and_exports(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from curriculum.assess import ProgressStore
    from curriculum.hosts.session import site_id

    monkeypatch.chdir(project)
    exported = tmp_path / "from-the-site.json"
    ProgressStore(exported, site_id(project)).save("quiz:intro", {"attempts": []})
    status, out, _ = run(["progress", "--import", str(exported)], capsys)
    assert status == 0 and "Imported 1 record" in out
    status, out, _ = run(["progress"], capsys)
    assert status == 0 and "quiz" in out and "intro" in out
    status, out, _ = run(["progress", "--export", str(tmp_path / "back.json")], capsys)
    assert status == 0 and "Exported 1 record" in out
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    status, _, err = run(["progress", "--import", str(bad)], capsys)
    assert status == 1 and "not a progress file" in err and "Traceback" not in err


def test_progress_command_says_when_nothing_is_saved(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(project)
    monkeypatch.setenv("CURRICULUM_PROGRESS_FILE", str(tmp_path / "progress.json"))
    status, out, _ = run(["progress"], capsys)
    assert status == 0 and out.strip().endswith("nothing is saved yet.")


def test_escape_sequences_in_a_file_name_reach_the_terminal_as_text(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Adversarial case u03: a file name that would clear the screen and turn the terminal red."""
    name = "adv\x1b[2J\x1b[31mRED\x1b[0m.yml"
    (project / "quizzes" / name).write_text((project / "quizzes" / "intro.yml").read_text())
    monkeypatch.chdir(project)
    status, out, err = run(["check", f"quizzes/{name}"], capsys)
    assert status == 1 and "\x1b" not in out + err
    assert out.startswith("quizzes/adv\\x1b[2J\\x1b[31mRED\\x1b[0m.yml:1:1: error CUR302: ")
