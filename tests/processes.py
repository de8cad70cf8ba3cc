"""Child processes in tests: every wait has a deadline that fires, and the child always stops.

A blocking ``readline()`` on a child's pipe cannot time out: if the child
stays silent, the test waits for ever. :class:`Output` reads the pipe in a
thread into a queue, so :meth:`Output.wait_for` waits with a real deadline.
:func:`running` starts a child in its own process group and, whatever the
test did, interrupts it, waits a bounded time, then kills the whole group.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

STOP_TIMEOUT = 20.0


class Output:
    """The lines a child writes to one pipe, collected by a reader thread.

    Parameters
    ----------
    stream : IO[str]
        The child's ``stdout`` or ``stderr`` (opened in text mode).
    """

    def __init__(self, stream: IO[str]) -> None:
        self.text = ""
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        try:
            for line in stream:
                self._lines.put(line)
        finally:
            self._lines.put(None)  # end of output: the child closed the pipe or exited

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str]:
        """Wait until everything read so far matches ``pattern``; fail after ``timeout`` seconds.

        Raises
        ------
        AssertionError
            When the deadline passes or the output ends first; the message holds the output.
        """
        deadline = time.monotonic() + timeout
        ended = False
        while True:
            match = re.search(pattern, self.text)
            if match:
                return match
            left = deadline - time.monotonic()
            if ended or left <= 0:
                why = "the output ended" if ended else f"{timeout:.0f} s passed"
                raise AssertionError(f"{why} before {pattern!r} appeared; output so far:\n{self.text}")
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                ended = True
            else:
                self.text += line


@contextlib.contextmanager
def running(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[str]]:
    """Run ``command`` for the duration of the block (stderr piped, stdout discarded), then stop it.

    Stopping sends SIGINT (Ctrl-C), waits up to :data:`STOP_TIMEOUT` seconds,
    then kills the child's process group.
    """
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen[str]) -> None:
    """Interrupt ``process``; kill its process group if it has not exited within the timeout."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # the child and anything it started (its group)
            process.wait(timeout=STOP_TIMEOUT)
