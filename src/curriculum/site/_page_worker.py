"""Pandoc that stays up: one process renders page after page (``pages.lua``) instead of one process a page.

Starting Pandoc costs about 20 ms of processor time, most of it mapping a
200 MB program, which is as much as rendering a small page; a site has a
hundred small pages (the API reference's, the generated quiz and case pages),
so one process per page spent nearly half of Pandoc's time starting. The
Pandoc stage keeps one :class:`PageWorker` per thread; a worker renders each
page exactly as a process of its own would (the same :class:`PagePipeline`).

A page the worker cannot render (Pandoc fails on it, or the worker stops) is
rendered again by a process of its own (:func:`~curriculum.site._pandoc.run_pandoc`),
which reports Pandoc's own message at its place, so an error reads the same either way. A
page the worker does not finish in time is reported as one that process did
not finish, and the worker is stopped.
"""

from __future__ import annotations

import contextlib
import json
import queue
import subprocess
import threading
from typing import IO

from curriculum.errors import BuildError
from curriculum.site._assets import resource
from curriculum.site._pandoc import PagePipeline

__all__ = ["PageWorker", "WorkerClosed"]


class WorkerClosed(BuildError):
    """The worker was closed before it rendered the page: the build no longer needs it."""

    def __init__(self) -> None:
        super().__init__("the build stopped before Pandoc finished this page")


class PageWorker:
    """One ``pandoc lua pages.lua`` process, started on the first page and used by one thread at a time.

    Parameters
    ----------
    pandoc : str
        The Pandoc program.
    """

    def __init__(self, pandoc: str) -> None:
        self._pandoc = pandoc
        self._process: subprocess.Popen[bytes] | None = None
        self._replies: queue.Queue[bytes | None] = queue.Queue()
        self._rendered = 0
        self._lock = threading.Lock()
        self._closed = False
        self.broken = False
        """The worker stopped before its first page: each page gets a process of its own."""

    def render(self, text: str, pipeline: PagePipeline, seconds: float) -> str | None:
        """Return the page's HTML as ``split.html`` writes it, or None if the worker could not render it.

        Raises
        ------
        subprocess.TimeoutExpired
            If the page is not done within ``seconds`` (the worker is then stopped).
        WorkerClosed
            If the worker is closed, or is closed before the page is done: the
            build no longer needs the page (:meth:`close`).
        """
        if self.broken:
            return None
        process = self._process or self._start()
        if process is None or process.stdin is None:
            if self._closed:
                raise WorkerClosed
            return None
        try:
            process.stdin.write(json.dumps(pipeline.job(text)).encode() + b"\n")
            process.stdin.flush()
            line = self._replies.get(timeout=seconds)
        except queue.Empty as exc:
            self._stop(kill=True)
            raise subprocess.TimeoutExpired("pandoc lua pages.lua", seconds) from exc
        except (OSError, ValueError):  # the worker has stopped: its pipe is closed (ValueError: by close)
            line = None
        if line is None:
            if self._closed:
                raise WorkerClosed
            self._stopped()
            return None
        try:
            reply = json.loads(line)
        except ValueError:
            return None
        html = reply.get("html") if isinstance(reply, dict) else None
        if isinstance(html, str):
            self._rendered += 1
            return html
        return None  # Pandoc failed on the page: its own process reports where

    def close(self, *, kill: bool = False) -> None:
        """Stop the worker for good: a page asked of it now, or under way, is given up (WorkerClosed).

        Its process ends when its input does, after the page under way (or is
        killed at once, if asked, or if it does not end). A thread that was
        about to start it, as another closes it, starts none (a process started
        after its close would never end).
        """
        with self._lock:
            self._closed = True
        self._stop(kill=kill)

    def _stop(self, *, kill: bool = False) -> None:
        """Stop the process, if any (the next page starts another, unless the worker is closed)."""
        with self._lock:
            process, self._process = self._process, None
        if process is None:
            return
        if kill:
            process.kill()
        if process.stdin is not None:
            with contextlib.suppress(OSError):  # it may have stopped already
                process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _start(self) -> subprocess.Popen[bytes] | None:
        with self._lock:  # not while another thread closes the worker
            if self._closed:
                return None
            try:
                process = subprocess.Popen(
                    [
                        self._pandoc,
                        "lua",
                        str(resource("pages.lua")),
                        str(resource("split.html")),
                        self._pandoc,
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,  # Pandoc's warnings (a citation it cannot find) are not errors
                )
            except OSError:
                self.broken = True
                return None
            self._replies = queue.Queue()
            self._process = process
        threading.Thread(target=_read_replies, args=(process.stdout, self._replies), daemon=True).start()
        return process

    def _stopped(self) -> None:
        self._stop()
        if self._rendered == 0:
            self.broken = True


def _read_replies(stream: IO[bytes] | None, replies: queue.Queue[bytes | None]) -> None:
    """Hand each line the worker writes to the thread waiting for it; None when it stops."""
    if stream is not None:
        for line in stream:
            replies.put(line)
    replies.put(None)
