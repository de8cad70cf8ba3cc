"""``curriculum serve``: a local preview that rebuilds when sources change.

The server binds 127.0.0.1 only and serves the built folder: one thread per
connection and a listen backlog that holds a burst of connections (the
standard library's default of 5 drops them under load), no directory listings
and no hidden files, and the site's security headers on every response. A
watcher polls the files the build reads (:meth:`curriculum.project.Project.inputs`:
the content, the configuration and every page it names) once a second and
rebuilds incrementally. The
baseline it compares with is taken before the first build, so an edit made
while the site builds, or just after the address is printed, is never missed.
A failed rebuild, whatever the cause, is printed on one line and the last
good site stays up. Ctrl-C stops both.
"""

from __future__ import annotations

import functools
import http.server
import io
import os
import posixpath
import threading
import time
import urllib.parse
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO

from rich.console import Console
from rich.markup import escape

from curriculum.errors import CurriculumError
from curriculum.project import Project, Stamp
from curriculum.site._build import build_site
from curriculum.site._policy import CSP_HEADER

__all__ = ["SECURITY_HEADERS", "make_server", "serve", "source_stamp"]

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP_HEADER,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
"""Headers sent with every response, errors included (``no-cache``: a preview changes under the reader)."""


def source_stamp(project: Project, profile: str) -> Stamp:
    """Return the modification time and size of everything a build of ``profile`` reads."""
    return project.stamp(project.inputs(profile))


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files with the site's headers; no listings, no hidden files, no version banner."""

    server_version = "curriculum-serve"
    sys_version = ""

    def end_headers(self) -> None:
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        if any(part.startswith(".") for part in posixpath.normpath(path).split("/")):
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        return super().send_head()

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(HTTPStatus.NOT_FOUND, "File not found")
        return None

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    request_queue_size = 1024  # the kernel caps it at net.core.somaxconn
    daemon_threads = True


def make_server(folder: Path, port: int = 0) -> http.server.ThreadingHTTPServer:
    """Return a server for ``folder`` on ``127.0.0.1:port``, listening but not yet serving.

    Parameters
    ----------
    folder : Path
        The built site.
    port : int
        The port; 0 picks a free one.

    Returns
    -------
    ThreadingHTTPServer
        Call ``serve_forever()`` (in a thread) to answer requests.
    """
    handler = functools.partial(_Handler, directory=str(folder))
    return _Server(("127.0.0.1", port), handler)


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
    project = Project(root)
    stamp = source_stamp(project, profile)  # before building and serving: later edits all count as changes
    if build_first:
        build_site(root, engine=engine, profile=profile, console=console)
    out = root / project.config(profile, reread=True).output_dir
    if not (out / "index.html").is_file():
        build_site(root, engine=engine, profile=profile, console=console)
    server = make_server(out, port)
    thread = threading.Thread(target=server.serve_forever, name="curriculum-serve", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    console.print(f"[bold]serving[/]    {url}  (Ctrl-C to stop; pages rebuild when sources change)")
    try:
        while True:
            time.sleep(1)
            current = source_stamp(project, profile)
            if current == stamp:
                continue
            stamp = current
            console.print("[bold]change[/]     rebuilding…")
            _rebuild(root, engine, profile, console)
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        server.shutdown()
        server.server_close()


def _rebuild(root: Path, engine: str, profile: str, console: Console) -> None:
    """Rebuild; report any failure on one line and keep serving the last good site."""
    try:
        build_site(root, engine=engine, profile=profile, console=console)
    except CurriculumError as exc:
        console.print(f"[red]rebuild failed[/]: {escape(exc.format_message())}")
        console.print("           the last good site stays up; fix the problem and save again")
    except Exception as exc:  # a bug must not take the preview down
        console.print(
            f"[red]rebuild failed[/] (internal error, a bug in curriculum): "
            f"{type(exc).__name__}: {escape(str(exc))}; the last good site stays up"
        )
