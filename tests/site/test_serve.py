"""``curriculum serve``: binds 127.0.0.1 on a free port, serves the site, rebuilds on change, stops."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.site.conftest import build_copy


def _read_until(process: subprocess.Popen[str], pattern: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    seen = ""
    assert process.stderr is not None
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line and process.poll() is not None:
            break
        seen += line
        if re.search(pattern, seen):
            return seen
    raise AssertionError(f"did not see {pattern!r} in:\n{seen}")


def test_serve_previews_and_rebuilds_on_change(tmp_path: Path) -> None:
    root, _ = build_copy(tmp_path, "resident")
    process = subprocess.Popen(
        [sys.executable, "-m", "curriculum", "serve", "--port", "0", "--no-build", "--engine", "pandoc"],
        cwd=root,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**__import__("os").environ, "COLUMNS": "200"},
    )
    try:
        url = re.search(
            r"http://127\.0\.0\.1:\d+/", _read_until(process, r"serving\s+http://127\.0\.0\.1:\d+/")
        )
        assert url is not None
        with urllib.request.urlopen(url.group() + "index.html", timeout=10) as response:
            assert response.status == 200 and b"Test curriculum" in response.read()
        page = root / "index.qmd"
        page.write_text(page.read_text().replace("A test home page", "An edited home page"))
        _read_until(process, r"render\s+\d+ pages")
        with urllib.request.urlopen(url.group() + "index.html", timeout=10) as response:
            assert b"An edited home page" in response.read()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode is not None
