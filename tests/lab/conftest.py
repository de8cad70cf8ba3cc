"""A real JupyterLab for the end-to-end tests, started on 127.0.0.1 and always stopped.

The server runs as a subprocess of the test in a temporary folder: a copy of
the test project (``tests/data/project``) with its reader notebooks
(``_notebooks/``, as ``make lab`` writes them), and its own Jupyter config,
data and runtime folders, IPython folder, home folder and progress file, so
nothing of the user's setup is read or written. The venv's ``share/jupyter``
stays on the data path (it is ``sys.prefix``'s), so the anywidget and
ipywidgets lab extensions are found.

No network: the server binds 127.0.0.1 only; announcements (news) and update
checks are off, and the extension manager is the read-only one (the default
one asks PyPI); the front end is told not to fetch news either; and proxy
variables point at a closed local port, so anything that still tried to go
out would fail instead of reaching another host.

The server stops in the fixture's teardown (terminate, then kill after a
timeout), whatever the test did; a watchdog loaded from the server's config
file also stops it if the test process itself dies (killed CI job).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT

NOTEBOOK = "_notebooks/intro.ipynb"
"""The reader notebook of the test project's lesson, as residents open it (``curriculum notebooks``)."""
NEEDED = ("jupyterlab", "jupyter_server", "ipykernel", "ipywidgets", "anywidget", "nbformat")
LAB_EXTENSIONS = ("anywidget", "@jupyter-widgets/jupyterlab-manager")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0

# Loaded by the server (jupyter_server_config.py in JUPYTER_CONFIG_DIR): stop
# the server when the test process that started it is gone.
WATCHDOG = """\
# Written by tests/lab/conftest.py: stop this server when the test process is gone.
import os, signal, threading, time

def _curriculum_watchdog(parent=int(os.environ["CURRICULUM_LAB_TEST_PID"])):
    while True:
        time.sleep(1)
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            os.kill(os.getpid(), signal.SIGTERM)
            return
        except PermissionError:
            pass

if not any(t.name == "curriculum-watchdog" for t in threading.enumerate()):
    threading.Thread(target=_curriculum_watchdog, name="curriculum-watchdog", daemon=True).start()
"""

# The front end's own switches: no news feed, no update check.
NOTIFICATION_SETTINGS = {"fetchNews": "false", "checkForUpdates": False}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the JupyterLab tests need {reason}")
    pytest.skip(f"JupyterLab tests skipped: {reason}")


def require_jupyter() -> None:
    """Fail in CI, skip elsewhere, when JupyterLab or the widget packages are missing."""
    missing = [name for name in NEEDED if importlib.util.find_spec(name) is None]
    if missing:
        _unavailable(f"{', '.join(missing)} (pip install -e '.[test]')")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def payload_builder(root: Path, profile: str = "resident") -> Any:
    """The project's :class:`~curriculum.render.PayloadBuilder`, built as the session builds it."""
    from curriculum.content import load_curriculum
    from curriculum.hosts.session import site_id
    from curriculum.render import Citations, PayloadBuilder, Renderer

    cur = load_curriculum(root)
    citations = Citations(cur.bibliography) if cur.bibliography is not None else None
    return PayloadBuilder(cur, Renderer(citations), site_id(root), profile)  # type: ignore[arg-type]


@dataclass
class Lab:
    """A running JupyterLab."""

    base: str
    token: str
    root: Path
    progress: Path
    log: Path
    process: subprocess.Popen[bytes]

    def url(self, path: str) -> str:
        """The URL of ``path`` (e.g. ``lab/tree/lessons/x.ipynb``) with the token."""
        return f"{self.base}/{path}?token={self.token}"

    def get(self, path: str, timeout: float = 5.0) -> tuple[int, str]:
        """GET ``path`` with the token (never through a proxy)."""
        headers = {"Authorization": f"token {self.token}"}
        request = urllib.request.Request(f"{self.base}/{path}", headers=headers)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def lab_environment(base: Path, progress: Path) -> dict[str, str]:
    """The server's environment: isolated Jupyter and IPython folders, home, progress file; no proxies out."""
    drop = ("JUPYTER", "JPY_", "IPYTHON", "CURRICULUM_", "QUARTO_", "XDG_")
    proxies = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(drop) and k.lower() not in proxies}
    names = ("home", "jupyter-config", "jupyter-data", "jupyter-runtime", "ipython")
    folders = {name: base / name for name in names}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    closed = "http://127.0.0.1:9"  # the discard port: nothing listens, so any proxied request fails at once
    env.update(
        {
            "HOME": str(folders["home"]),
            "JUPYTER_CONFIG_DIR": str(folders["jupyter-config"]),
            "JUPYTER_DATA_DIR": str(folders["jupyter-data"]),
            "JUPYTER_RUNTIME_DIR": str(folders["jupyter-runtime"]),
            "IPYTHONDIR": str(folders["ipython"]),
            "CURRICULUM_PROGRESS_FILE": str(progress),
            "CURRICULUM_CACHE_DIR": str(base / "cache"),
            "CURRICULUM_LAB_TEST_PID": str(os.getpid()),
            "HTTP_PROXY": closed,
            "HTTPS_PROXY": closed,
            "ALL_PROXY": closed,
            "http_proxy": closed,
            "https_proxy": closed,
            "all_proxy": closed,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "PYTHONUNBUFFERED": "1",
        }
    )
    config = folders["jupyter-config"]
    (config / "jupyter_server_config.py").write_text(WATCHDOG, encoding="utf-8")
    settings = config / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps(NOTIFICATION_SETTINGS), encoding="utf-8"
    )
    return env


def lab_command(port: int, token: str, root: Path) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.open_browser=False",
        "--ServerApp.terminals_enabled=False",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        "--LabApp.collaborative=False",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI containers run as root
    return command


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server (it shuts its kernels down), then kill it after a timeout."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the server's own process group (start_new_session)
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


def wait_until_ready(lab: Lab) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            pytest.fail(f"JupyterLab exited with status {lab.process.returncode}:\n{lab.log_tail()}")
        try:
            status, body = lab.get("api/status", timeout=2)
            if status == 200 and "started" in json.loads(body):
                return
            last = f"HTTP {status}"
        except (OSError, ValueError) as exc:
            last = str(exc)
        time.sleep(0.2)
    pytest.fail(
        f"JupyterLab did not answer on /api/status within {START_TIMEOUT:.0f} s ({last}):\n{lab.log_tail()}"
    )


def check_page_config(lab: Lab) -> None:
    """The lab extensions the widgets need are found, and the front end fetches nothing from outside."""
    status, body = lab.get("lab")
    match = re.search(
        r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', body, re.DOTALL
    )
    assert status == 200 and match, f"/lab did not serve JupyterLab's page (HTTP {status})"
    config: dict[str, Any] = json.loads(match.group(1))
    found = {ext["name"] for ext in config.get("federated_extensions", [])}
    missing = [name for name in LAB_EXTENSIONS if name not in found]
    assert not missing, (
        f"lab extensions not found: {missing} (found {sorted(found)}); the venv's share/jupyter "
        f"({Path(sys.prefix) / 'share' / 'jupyter'}) must stay on the Jupyter data path"
    )
    assert config.get("news", {}).get("disabled") is True, f"news feed not disabled: {config.get('news')}"
    assert config.get("extensionManager", {}).get("can_install") is False, config.get("extensionManager")


@contextlib.contextmanager
def running_lab(base: Path) -> Iterator[Lab]:
    """Copy the test project into ``base``, start JupyterLab on it, yield it, always stop it."""
    root = base / "project"
    ignore = shutil.ignore_patterns("_site*", ".curriculum-cache", "quiz", "cases")
    shutil.copytree(PROJECT, root, ignore=ignore)
    from rich.console import Console

    from curriculum.site._reader import write_reader_notebooks

    write_reader_notebooks(root, console=Console(quiet=True))
    progress = base / "learner" / "progress.json"
    env = lab_environment(base, progress)
    token = secrets.token_hex(16)
    port = free_port()
    log = base / "jupyterlab.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            lab_command(port, token, root),
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    lab = Lab(f"http://127.0.0.1:{port}", token, root, progress, log, process)
    try:
        wait_until_ready(lab)
        check_page_config(lab)
        yield lab
    finally:
        stop(process)


@pytest.fixture(scope="module")
def jupyterlab(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A JupyterLab on 127.0.0.1 serving a copy of the test project (started after the browser is known)."""
    require_jupyter()
    with running_lab(tmp_path_factory.mktemp("jupyterlab")) as lab:
        yield lab
