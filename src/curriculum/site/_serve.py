"""``curriculum serve``: a local preview that rebuilds when sources change.

The server binds 127.0.0.1 only and serves the built folder. A watcher polls
the sources once a second and rebuilds incrementally; a failed rebuild is
printed and the last good site stays up. Ctrl-C stops both.
"""

from __future__ import annotations

import functools
import http.server
import threading
import time
from pathlib import Path

from rich.console import Console

from curriculum.content._project import project_files
from curriculum.errors import CurriculumError
from curriculum.site._build import build_site
from curriculum.site._config import load_config

__all__ = ["serve", "source_stamp"]


def source_stamp(root: Path) -> tuple[tuple[str, float], ...]:
    """Return the modification times of everything a build reads."""
    paths = set(project_files(root))
    for pattern in ("*.qmd", "*.md", "_quarto*.yml", "faculty/*.qmd", "docs/*.md"):
        paths.update(root.glob(pattern))
    return tuple(sorted((str(p), p.stat().st_mtime) for p in paths if p.is_file()))


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(
    root: Path,
    *,
    port: int = 8000,
    profile: str = "resident",
    engine: str = "auto",
    build_first: bool = True,
    console: Console | None = None,
) -> None:
    """Build (optionally), serve on ``127.0.0.1:port``, and rebuild on change until interrupted."""
    console = console or Console(stderr=True)
    if build_first:
        build_site(root, engine=engine, profile=profile, console=console)
    out = root / load_config(root, profile).output_dir
    if not (out / "index.html").is_file():
        build_site(root, engine=engine, profile=profile, console=console)
    handler = functools.partial(_Handler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    console.print(f"[bold]serving[/]    {url}  (Ctrl-C to stop; pages rebuild when sources change)")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stamp = source_stamp(root)
    try:
        while True:
            time.sleep(1)
            current = source_stamp(root)
            if current == stamp:
                continue
            stamp = current
            console.print("[bold]change[/]     rebuilding…")
            try:
                build_site(root, engine=engine, profile=profile, console=console)
            except CurriculumError as exc:
                console.print(f"[red]rebuild failed[/]: {exc.format_message()}")
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        server.shutdown()
        server.server_close()
