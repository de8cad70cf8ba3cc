"""The browser code's unit tests (``tests/js/*.test.js``), run by ``node --test``, in the pytest run."""

from __future__ import annotations

import subprocess

from tests import node


def test_node_unit_tests_pass():
    done = subprocess.run(
        [node.node(), "--test", "tests/js/"],
        capture_output=True,
        text=True,
        cwd=node.REPO,
        timeout=node.DEADLINE,
        check=False,
    )
    summary = [line for line in done.stdout.splitlines() if line.startswith(("# pass", "# fail"))]
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert summary and summary[0] != "# pass 0", done.stdout[-2000:]
