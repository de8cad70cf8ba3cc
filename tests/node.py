"""Run the browser code's modules under Node.js, from a test.

The pure modules (scoring, shuffling, the search ranking ...) are ES modules that Node imports
as they are (``package.json`` says ``"type": "module"``). :func:`run` evaluates a module script
with the repository as its folder and returns what it prints as JSON. Node is a development
tool of this project: CI has it; elsewhere, a test that needs it is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
DEADLINE = 60


def node() -> str:
    """Return the path of ``node``; skip the test without it, except on CI (where it must be)."""
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Node.js is not installed, and CI must run the browser code's tests")
        pytest.skip("Node.js is not installed")
    return found


def run(script: str, data: Any = None) -> Any:
    """Run ``script`` (an ES module; ``DATA`` holds ``data``) and return its ``console.log`` as JSON.

    Module paths in ``import`` statements are relative to the repository
    (``./src/curriculum/web/scoring.js``).
    """
    source = f"const DATA = {json.dumps(data)};\n{script}"
    done = subprocess.run(
        [node(), "--input-type=module", "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=DEADLINE,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
