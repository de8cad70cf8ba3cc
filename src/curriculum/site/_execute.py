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

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from curriculum._version import __version__
from curriculum.content._diagnostics import RULES, Severity
from curriculum.content._project import project_files
from curriculum.errors import BuildError, ContentError

__all__ = ["NotebookCache", "package_fingerprint"]

E_EXECUTE = RULES.add("CUR603", Severity.error, "A lesson notebook failed to execute.")
TIMEOUT = 180


def _hash_files(paths: Iterable[Path], base: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(base).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


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


_CALL = re.compile(
    r"""curriculum\.(quiz|vignette|spotter|worksheet)\(\s*["']([^"']+)["']\s*(?:,\s*["']([^"']+)["'])?"""
)
_DYNAMIC_CALL = re.compile(r"""curriculum\.(?:quiz|vignette|spotter|worksheet)\(\s*[^"'\s)]""")
_FOLDERS = {"quiz": "quizzes", "vignette": "vignettes", "spotter": "exercises", "worksheet": "exercises"}


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
    """

    def __init__(self, root: Path, folder: Path, profile: str) -> None:
        self.root = root
        self.folder = folder
        self.profile = profile
        self._content = [p for p in project_files(root) if p.suffix != ".ipynb"]
        common = [
            p for p in self._content if p.name in ("techniques.yml", "techniques.yaml") or p.suffix == ".bib"
        ]
        fronts = [_cells(_read(p), {"raw"})[:1] for p in sorted(root.glob("lessons/*.ipynb"))]
        # The faculty overview links to a lesson's facilitator notes when they exist.
        notes = sorted(p.stem for p in self._content if p.suffix == ".qmd") if profile == "faculty" else []
        self._shared = hashlib.sha256(
            f"{package_fingerprint()}:{_hash_files(common, root)}:{fingerprint_json(fronts)}:"
            f"{fingerprint_json(notes)}:{profile}:{sys.version_info[:2]}".encode()
        ).hexdigest()

    def dependencies(self, notebook: dict[str, Any]) -> list[Path]:
        """Return the content files the notebook's component calls read."""
        code = "\n".join(source for _, source in _cells(notebook, {"code"}))
        if _DYNAMIC_CALL.search(code):
            return self._content
        wanted = set()
        for kind, first, second in _CALL.findall(code):
            folder = _FOLDERS[kind]
            ident = second if kind == "worksheet" and second else first
            if kind != "worksheet" or second:
                wanted.add(f"{folder}/{ident}")
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
            If a notebook raises an error while executing.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        results: dict[Path, Any] = {}
        todo = []
        for path in notebooks:
            nb = _read(path)
            cached = self.folder / f"{self.key(nb)}.json"
            if cached.is_file():
                results[path] = _with_outputs(nb, json.loads(cached.read_text(encoding="utf-8")))
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
                    for (path, cached), nb in zip(
                        todo, pool.map(self._run, [t[0] for t in todo]), strict=True
                    ):
                        results[path] = nb
                        outputs = [c.get("outputs", []) for c in nb["cells"] if c.get("cell_type") == "code"]
                        tmp = cached.with_suffix(".tmp")
                        tmp.write_text(json.dumps(outputs, ensure_ascii=False), encoding="utf-8")
                        tmp.replace(cached)
                        if on_done:
                            on_done(path, True)
            finally:
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
        return results

    def _run(self, path: Path) -> Any:
        import nbformat
        from jupyter_client.manager import AsyncKernelManager
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError

        nb = nbformat.read(path, as_version=4)
        sockets = tempfile.mkdtemp(prefix="curriculum-kernel-")

        class LocalKernelManager(AsyncKernelManager):
            """IPC sockets keep kernel traffic off the network (and ipykernel's TCP warning off the log)."""

            def __init__(self, **kwargs: Any) -> None:
                if os.name != "nt":  # an absolute socket path: the kernel runs in the notebook's folder
                    kwargs.setdefault("transport", "ipc")
                    kwargs.setdefault("ip", os.path.join(sockets, "kernel"))
                super().__init__(**kwargs)

        client = NotebookClient(
            nb,
            kernel_manager_class=LocalKernelManager,
            timeout=TIMEOUT,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        display = path.relative_to(self.root).as_posix()
        try:
            client.execute()
        except CellExecutionError as exc:
            raise ContentError(
                [
                    E_EXECUTE.at(
                        display,
                        (1, 1),
                        f"a cell raised an error: {_first_line(exc)}",
                        "run the notebook in JupyterLab to see the error",
                    )
                ]
            ) from exc
        except Exception as exc:  # kernel died, timeout, missing kernel
            raise BuildError(
                f"{display}: could not execute the notebook: {type(exc).__name__}: {exc}"
            ) from exc
        finally:
            shutil.rmtree(sockets, ignore_errors=True)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                if (
                    out.get("output_type") == "display_data"
                    and "text/html" not in out.get("data", {})
                    and "application/vnd.jupyter.widget-view+json" in out.get("data", {})
                ):
                    raise BuildError(
                        f"{display}: a cell displayed a live widget while building the site; "
                        "component calls must see CURRICULUM_HOST=static"
                    )
        return json.loads(nbformat.writes(nb))


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


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


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    errors = [line for line in text if "Error" in line]
    return (errors[-1] if errors else text[-1] if text else type(exc).__name__)[:300]


def fingerprint_json(data: Any) -> str:
    """Return a stable hash of JSON-serialisable ``data``."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
