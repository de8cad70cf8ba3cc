"""Execute lesson notebooks for the static host, with a content-addressed cache.

Each notebook runs in its own kernel (two at a time) with
``CURRICULUM_HOST=static``, so its component calls return static HTML. The
outputs are cached under a key made of the notebook's code and front matter,
the package (its version and every source and web file), the content files
the components read, every lesson's front matter, and the profile: a rebuild
with nothing changed executes nothing, and editing a lesson's prose executes
nothing either.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from curriculum._version import __version__
from curriculum.components import COMPONENTS
from curriculum.content._calls import parse_cells
from curriculum.content._diagnostics import RULES, Diagnostic, Severity
from curriculum.content._files import FileRefused, read_bytes, read_existing
from curriculum.content._nesting import nesting_problem
from curriculum.content._notebook import Cell, notebook_cells
from curriculum.content._project import display_path, project_files
from curriculum.content._source import size_limit
from curriculum.errors import BuildError, ContentError
from curriculum.site._config import DEFAULT_TIMEOUT
from curriculum.site._prerender import write_if_changed

__all__ = ["NotebookCache", "package_fingerprint"]

E_EXECUTE = RULES.add("CUR603", Severity.error, "A lesson notebook failed to execute.")


def _hash_files(paths: Iterable[Path], base: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(base).as_posix().encode())
        digest.update(b"\0")
        digest.update(_read_bytes(path, base))
        digest.update(b"\0")
    return digest.hexdigest()


def _read_bytes(path: Path, root: Path) -> bytes:
    try:
        return read_bytes(path, size_limit(path), root=root)
    except FileRefused as refused:
        raise ContentError([refused.at(display_path(path))]) from refused


_FINGERPRINT: str | None = None


def package_fingerprint() -> str:
    """Return a hash of the package version and every file of the package."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        package = Path(__file__).resolve().parents[1]
        files = [
            p
            for p in package.rglob("*")
            if p.is_file() and p.suffix in (".py", ".js", ".css", ".lua", ".j2", ".html")
        ]
        _FINGERPRINT = hashlib.sha256(f"{__version__}:{_hash_files(files, package)}".encode()).hexdigest()
    return _FINGERPRINT


_CACHE_LIMIT = 256 << 20
"""Largest cached outputs read back."""


class NotebookCache:
    """Executed notebooks' outputs, stored by a hash of what can change them.

    Outputs depend only on a notebook's code cells and front matter, on the
    content files its component calls name (plus the techniques, the
    bibliography and every lesson's front matter, which all payloads read;
    in the faculty profile, which lessons have facilitator notes), on the
    package, and on the profile; prose does not run. So editing a
    lesson's text executes nothing, and editing one quiz executes only the
    lessons that show it. A call whose id is not a literal depends on every
    content file.

    Parameters
    ----------
    root : Path
        The project folder.
    folder : Path
        Where outputs are cached.
    profile : str
        The build profile (faculty pages differ).
    timeout : int
        Seconds each code cell may run (``execute: timeout`` in ``_quarto.yml``).
    """

    def __init__(self, root: Path, folder: Path, profile: str, timeout: int = DEFAULT_TIMEOUT) -> None:
        self.root = root
        self.folder = folder
        self.profile = profile
        self.timeout = timeout
        self._content = [p for p in project_files(root) if p.suffix != ".ipynb"]
        common = [
            p for p in self._content if p.name in ("techniques.yml", "techniques.yaml") or p.suffix == ".bib"
        ]
        fronts = [_cells(self._read(p)[0], {"raw"})[:1] for p in sorted(root.glob("lessons/*.ipynb"))]
        # The faculty overview links to a lesson's facilitator notes when they exist.
        notes = sorted(p.stem for p in self._content if p.suffix == ".qmd") if profile == "faculty" else []
        self._shared = hashlib.sha256(
            f"{package_fingerprint()}:{_hash_files(common, root)}:{fingerprint_json(fronts)}:"
            f"{fingerprint_json(notes)}:{profile}:{sys.version_info[:2]}".encode()
        ).hexdigest()

    def dependencies(self, notebook: dict[str, Any]) -> list[Path]:
        """Return the content files the notebook's component calls read."""
        wanted = set()
        for code in parse_cells([source for _, source in _cells(notebook, {"code"})]):
            if code.error is not None or any(call.dynamic for call in code.calls):
                return self._content
            for call in code.calls:
                spec = COMPONENTS.get(call.function)  # None: overview, which reads the lessons' front matter
                if spec is not None and call.args[-1] is not None:
                    wanted.add(f"{spec.content.folder}/{call.args[-1]}")
        return [p for p in self._content if f"{p.parent.name}/{p.stem}" in wanted]

    def key(self, notebook: dict[str, Any]) -> str:
        """Return the cache key of a notebook (its front matter, code and dependencies, not its prose)."""
        deps = _hash_files(self.dependencies(notebook), self.root)
        return fingerprint_json([self._shared, deps, _cells(notebook, {"raw", "code"})])[:32]

    def executed(
        self,
        notebooks: list[Path],
        on_done: Callable[[Path, bool], None] | None = None,
        workers: int = 2,
    ) -> dict[Path, Any]:
        """Return every notebook with outputs, executing only those whose key is not cached.

        Parameters
        ----------
        notebooks : list[Path]
            Lesson notebooks.
        on_done : Callable[[Path, bool], None] | None
            Called after each notebook with whether it was executed (False: cached).
        workers : int
            Kernels run at once.

        Returns
        -------
        dict[Path, dict]
            Notebooks (as JSON data) with the outputs of their code cells.

        Raises
        ------
        ContentError
            If a cell raises, runs longer than the timeout, kills its kernel or
            shows something the site cannot publish; each problem is located at its cell.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        results: dict[Path, Any] = {}
        todo = []
        for path in notebooks:
            nb, _ = self._read(path)
            cached = self.folder / f"{self.key(nb)}.json"
            hit = read_existing(cached, _CACHE_LIMIT)
            if hit:
                results[path] = _with_outputs(nb, json.loads(hit))
                if on_done:
                    on_done(path, False)
            else:
                todo.append((path, cached))
        if todo:
            env = {
                "CURRICULUM_HOST": "static",
                "CURRICULUM_PROFILE": self.profile,
                "CURRICULUM_ROOT": str(self.root),
                "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            }
            saved = {k: os.environ.get(k) for k in env}
            os.environ.update(env)
            try:
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    runs = [pool.submit(self._run, path) for path, _ in todo]
                    problems: list[Diagnostic] = []
                    for (path, cached), run in zip(todo, runs, strict=True):
                        try:
                            nb = run.result()
                        except ContentError as exc:
                            problems += exc.diagnostics
                            continue
                        results[path] = nb
                        outputs = [c.get("outputs", []) for c in nb["cells"] if c.get("cell_type") == "code"]
                        write_if_changed(cached, json.dumps(outputs, ensure_ascii=False), within=self.folder)
                        if on_done:
                            on_done(path, True)
                    if problems:
                        raise ContentError(problems)
            finally:
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
        return results

    def _read(self, path: Path) -> tuple[dict[str, Any], str]:
        """Return a notebook's data and its text, read inside the project and within the size limit."""
        text = _read_bytes(path, self.root).decode("utf-8-sig", errors="replace")
        data: dict[str, Any] = json.loads(text)
        return data, text

    def _run(self, path: Path) -> Any:
        import nbformat
        from jupyter_client.manager import AsyncKernelManager
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

        data, text = self._read(path)
        cells = notebook_cells(text, data.get("cells", []))
        nb = nbformat.reads(text, as_version=4)
        sockets = tempfile.mkdtemp(prefix="curriculum-kernel-")
        running = [0]

        class LocalKernelManager(AsyncKernelManager):
            """IPC sockets keep kernel traffic off the network (and ipykernel's TCP warning off the log)."""

            def __init__(self, **kwargs: Any) -> None:
                if os.name != "nt":  # an absolute socket path: the kernel runs in the notebook's folder
                    kwargs.setdefault("transport", "ipc")
                    kwargs.setdefault("ip", os.path.join(sockets, "kernel"))
                super().__init__(**kwargs)

        def started(cell: Any, cell_index: int, **_: Any) -> None:
            running[0] = cell_index

        client = NotebookClient(
            nb,
            kernel_manager_class=LocalKernelManager,
            timeout=self.timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
            on_cell_start=started,
        )
        display = display_path(path)

        def failed(message: str, hint: str) -> ContentError:
            cell = cells[running[0]] if running[0] < len(cells) else None
            where = cell.pos(0) if cell is not None else (1, 1)
            return ContentError([E_EXECUTE.at(display, where, f"cell {running[0] + 1} {message}", hint)])

        try:
            # The kernel's own stderr is noise here (a killed kernel prints ZMQ tracebacks);
            # what went wrong reaches us through the messages and is reported below.
            client.execute(stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        except CellTimeoutError as exc:
            raise failed(
                f"ran longer than the {self.timeout} s a cell may run",
                "make the cell finish sooner (a loop that never ends?), or raise `execute: timeout` "
                "(seconds per cell) in _quarto.yml",
            ) from exc
        except DeadKernelError as exc:
            raise failed(
                "stopped the Python kernel (a crash, `os._exit`, or running out of memory)",
                "run the notebook in JupyterLab to see what the cell does",
            ) from exc
        except CellExecutionError as exc:
            raise failed(
                f"raised {exc.ename}: {_clip(exc.evalue)}",
                "fix the code; run the notebook in JupyterLab to see the traceback",
            ) from exc
        except Exception as exc:  # the kernel could not start: an installation problem, not the content
            raise BuildError(
                f"{display}: could not start a Python kernel to execute the notebook: "
                f"{type(exc).__name__}: {_clip(str(exc))}"
            ) from exc
        finally:
            shutil.rmtree(sockets, ignore_errors=True)
        executed = json.loads(nbformat.writes(nb))
        problems = _output_problems(executed, cells, display)
        if problems:
            raise ContentError(problems)
        return executed


def _output_problems(nb: dict[str, Any], cells: tuple[Cell, ...], display: str) -> list[Diagnostic]:
    """Return what in the code cells' outputs the site cannot publish, located at each cell."""
    problems: list[Diagnostic] = []
    for index, cell in enumerate(nb.get("cells", [])):
        at = cells[index].pos(0) if index < len(cells) else (1, 1)

        def problem(message: str, hint: str, index: int = index, at: tuple[int, int] = at) -> None:
            problems.append(E_EXECUTE.at(display, at, f"cell {index + 1} {message}", hint))

        for out in cell.get("outputs", []):
            if out.get("output_type") not in ("display_data", "execute_result"):
                continue
            data = out.get("data", {})
            if "text/html" in data and 'class="cur-problem"' in _text(data["text/html"]):
                problem(
                    f"shows an error box instead of a component: {_clip(_text(data.get('text/plain', '')))}",
                    "fix the id or the content it names; `curriculum check` lists the content's problems",
                )
            elif "text/html" not in data and "application/vnd.jupyter.widget-view+json" in data:
                problem(
                    "displayed a live widget while building the site",
                    "component calls must see CURRICULUM_HOST=static; call them through `curriculum.`",
                )
            for mime in ("image/png", "image/jpeg"):
                if mime in data:
                    try:
                        base64.b64decode(_text(data[mime]).replace("\n", ""), validate=True)
                    except (ValueError, TypeError):
                        problem(
                            f"displayed an {mime} image whose data is not valid base64",
                            "display the image with IPython.display.Image, or remove the output",
                        )
            if "text/markdown" in data:
                deep = nesting_problem(_text(data["text/markdown"]))
                if deep is not None:
                    problems.append(deep.diagnostic(display, at, f"the Markdown cell {index + 1} displays"))
    return problems


def _text(value: Any) -> str:
    return "".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:297] + "..."


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _cells(nb: dict[str, Any], kinds: set[str]) -> list[tuple[str, str]]:
    return [(c.get("cell_type", ""), _source(c)) for c in nb.get("cells", []) if c.get("cell_type") in kinds]


def _with_outputs(nb: dict[str, Any], outputs: list[Any]) -> dict[str, Any]:
    code = iter(outputs)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = next(code, [])
    return nb


def fingerprint_json(data: Any) -> str:
    """Return a stable hash of JSON-serialisable ``data``."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
