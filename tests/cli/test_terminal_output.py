"""Untrusted text in diagnostics (file names, authored text) is shown, never obeyed, by a terminal."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from curriculum.content import Diagnostic, Severity, format_diagnostics
from curriculum.content._diagnostics import printable
from curriculum.errors import BuildError

HOSTILE_NAME = "adv\x1b[2J\x1b[31mRED\x1b[0m"


def test_the_text_format_escapes_what_a_terminal_would_act_on() -> None:
    d = Diagnostic(
        f"quizzes/{HOSTILE_NAME}.yml",
        1,
        1,
        "CUR302",
        Severity.error,
        "bad\nquizzes/forged.yml:1:1: error CUR000: a forged line \u202eevil\u202c \x9b31m \u200b",
        "hint\r",
    )
    text = format_diagnostics([d])
    assert "\n" not in text and "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
    assert "\\x1b[2J" in text and "\\n" in text and "\\u202e" in text and "\\x9b" in text and "\\r" in text
    assert text.startswith("quizzes/adv\\x1b[2J\\x1b[31mRED\\x1b[0m.yml:1:1: error CUR302: bad\\n")


def test_printable_keeps_line_breaks_only_when_asked() -> None:
    assert printable("a\nb\x07") == "a\\nb\\x07"
    assert printable("a\nb\x07", keep_newlines=True) == "a\nb\\x07"
    assert printable("plain text, é and 😀 stay") == "plain text, é and 😀 stay"


def test_github_annotations_cannot_be_ended_or_forged() -> None:
    d = Diagnostic("a,b:c.yml", 2, 3, "L01", Severity.warning, "100%\n::error::forged", "")
    line = format_diagnostics([d], "github")
    assert line == "::warning file=a%2Cb%3Ac.yml,line=2,col=3,title=L01::100%25%0A::error::forged"
    assert "\n" not in line


def _tty_output(command: list[str], cwd: Path) -> bytes:
    """Run ``command`` with its output on a pseudo-terminal (as `script` would) and return the bytes."""
    main, secondary = pty.openpty()
    process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=secondary, stderr=secondary)
    os.close(secondary)
    output = b""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(main, 65536)
                except OSError:  # the terminal closed: the command is done
                    break
                if not chunk:
                    break
                output += chunk
            elif process.poll() is not None:
                break
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        os.close(main)
    return output


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are a POSIX feature")
def test_check_on_a_terminal_prints_an_escape_in_a_file_name_as_text(project: Path) -> None:
    """The review's u03: `curriculum check` in a terminal cleared the screen and turned it red."""
    shutil.copy(project / "quizzes" / "intro.yml", project / "quizzes" / f"{HOSTILE_NAME}.yml")
    output = _tty_output([sys.executable, "-m", "curriculum", "check"], project)
    assert b"CUR302" in output, output
    assert b"\x1b[2J" not in output, "the file name's escape sequence reached the terminal"
    assert b"adv\\x1b[2J\\x1b[31mRED\\x1b[0m.yml" in output


def test_other_errors_are_escaped_too(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from curriculum import cli

    def fail(*args: object, **kwargs: object) -> None:
        raise BuildError(f"lessons/{HOSTILE_NAME}.ipynb: could not execute the notebook\nsecond line")

    monkeypatch.setattr("curriculum.site.build_site", fail)
    with pytest.raises(SystemExit):
        cli.main(["build"])
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[2J" in err and "notebook\nsecond line" in err
