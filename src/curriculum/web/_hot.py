"""anywidget's hot reload for the components, in development.

anywidget reloads a widget's front end in a running notebook when the file its
``_esm`` names changes (with ``ANYWIDGET_HMR=1`` and the ``watchfiles``
package; see anywidget's documentation). A component's module is linked from
several sources (:mod:`._bundle`), so in that mode :func:`live_module` writes
the linked module to a file, names that file, and a watcher links it again
whenever one of its sources changes. Otherwise the module is the text itself.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
from pathlib import Path

from curriculum._cache import cache_dir
from curriculum.web import _bundle

__all__ = ["hot_reload", "live_module"]

_lock = threading.Lock()
_written: dict[str, Path] = {}
_watcher: threading.Thread | None = None


def hot_reload() -> bool:
    """Return whether anywidget reloads changed modules here (``ANYWIDGET_HMR=1`` and watchfiles)."""
    return os.environ.get("ANYWIDGET_HMR") == "1" and importlib.util.find_spec("watchfiles") is not None


def live_module(kind: str) -> str | Path:
    """Return a widget's ``_esm`` for a component kind: the module, or in development its file.

    Parameters
    ----------
    kind : str
        A component kind.

    Returns
    -------
    str | Path
        :func:`curriculum.web.live_esm`; with hot reload, the file
        ``<cache>/live/<kind>.js`` that holds it and is linked again when a
        source changes.
    """
    if not hot_reload():
        return _bundle.live_esm(kind)
    path = cache_dir() / "live" / f"{kind}.js"
    with _lock:
        _write(path, _bundle.live_esm(kind))
        _written[kind] = path
        _watch()
    return path


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` unless it holds it (a rename, so a reader never sees half a file)."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def relink() -> None:
    """Read the sources again and rewrite every module file written so far."""
    _bundle.forget()
    with _lock:
        for kind, path in _written.items():
            try:
                _write(path, _bundle.live_esm(kind))
            except (OSError, ValueError) as error:  # a source being edited may not link yet
                print(f"[curriculum] {kind}: not reloaded: {error}", file=sys.stderr)


def _watch() -> None:
    global _watcher
    if _watcher is not None:
        return
    import watchfiles

    folders = {str(_bundle.WEB), *(str(path.parent) for path in _bundle.component_modules().values())}

    def scripts(_change: object, name: str) -> bool:
        return name.endswith(".js")

    def run() -> None:
        for _changes in watchfiles.watch(*sorted(folders), watch_filter=scripts):
            relink()

    _watcher = threading.Thread(target=run, name="curriculum-hot-reload", daemon=True)
    _watcher.start()
