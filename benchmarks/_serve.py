"""``curriculum serve`` under load: a class opening the preview at once.

Starts ``curriculum serve --no-build --port 0`` on a built project (127.0.0.1,
a free port), reads the address it prints (with a deadline), then sends
``requests`` GETs, ``concurrency`` at a time, from an asyncio client: five
URLs in turn (the home page, the component script, a lesson, its payloads,
the search index), each on a new connection (HTTP/1.1, ``Connection: close``)
with a 30 s timeout. A request is ok when it gets ``200`` and the whole body.
Latencies count every request, failed ones at the moment they failed.

Run alone (builds a copy of the content first)::

    .venv/bin/python benchmarks/_serve.py [--requests 2000] [--concurrency 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
TIMEOUT = 30.0  # seconds per request
START_TIMEOUT = 120.0  # seconds for the server to print its address


def _paths(site: Path, lesson: str) -> list[str]:
    paths = ["index.html", "assets/curriculum.js", f"lessons/{lesson}.html", "search-index.js"]
    if (site / "lessons" / f"{lesson}.data.js").is_file():
        paths.insert(3, f"lessons/{lesson}.data.js")
    missing = [p for p in paths if not (site / p).is_file()]
    if missing:
        raise RuntimeError(f"the built site lacks {missing}")
    return paths


async def _get(port: int, path: str) -> tuple[str, float]:
    """One GET on a new connection; return ``ok`` or what went wrong, and the seconds it took."""
    started = time.perf_counter()

    async def fetch() -> str:
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            request = f"GET /{path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n"
            writer.write(request.encode())
            await writer.drain()
            response = await reader.read()  # until the server closes the connection
        finally:
            writer.close()
        head, _, body = response.partition(b"\r\n\r\n")
        if not head.startswith((b"HTTP/1.0 200", b"HTTP/1.1 200")):
            return f"status {head[:12].decode(errors='replace')}"
        length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        return "ok" if length is None or int(length.group(1)) == len(body) else "short body"

    try:
        outcome = await asyncio.wait_for(fetch(), TIMEOUT)
    except TimeoutError:
        outcome = "timeout"
    except OSError as exc:
        outcome = type(exc).__name__
    return outcome, time.perf_counter() - started


async def _load(port: int, paths: list[str], requests: int, concurrency: int) -> list[tuple[str, float]]:
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> tuple[str, float]:
        async with gate:
            return await _get(port, paths[i % len(paths)])

    return await asyncio.gather(*(one(i) for i in range(requests)))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class _Server:
    """``curriculum serve`` in its own process group; its address read from stderr by a thread."""

    def __init__(self, command: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)
        self.lines.put(None)

    def port(self) -> int:
        deadline = time.monotonic() + START_TIMEOUT
        seen = ""
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            seen += line
            match = re.search(r"serving\s+http://127\.0\.0\.1:(\d+)/", seen)
            if match:
                return int(match.group(1))
        raise RuntimeError(
            f"curriculum serve did not print its address within {START_TIMEOUT:.0f} s:\n{seen}"
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)


def measure_serve(
    project: Path,
    curriculum: str,
    env: dict[str, str],
    lesson: str,
    requests: int = 2000,
    concurrency: int = 200,
) -> dict[str, Any]:
    """Serve the built ``project`` with ``curriculum serve`` and load it; return the figures."""
    paths = _paths(project / "_site", lesson)
    server = _Server([curriculum, "serve", "--no-build", "--port", "0", "--engine", "pandoc"], project, env)
    try:
        port = server.port()
        started = time.perf_counter()
        results = asyncio.run(_load(port, paths, requests, concurrency))
        seconds = time.perf_counter() - started
    finally:
        server.stop()
    outcomes = Counter(outcome for outcome, _ in results)
    latencies = [elapsed for _, elapsed in results]
    return {
        "requests": requests,
        "concurrency": concurrency,
        "paths": paths,
        "ok": outcomes.pop("ok", 0),
        "failed": sum(outcomes.values()),
        "failures": dict(outcomes),
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 1),
        "p90_ms": round(_percentile(latencies, 0.90) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
        "seconds": round(seconds, 2),
        "per_second": round(requests / seconds, 1),
    }


def describe(figures: dict[str, Any]) -> str:
    """One line for the benchmark's output."""
    failures = ", ".join(f"{k} {v}" for k, v in figures["failures"].items())
    return (
        f"curriculum serve, {figures['requests']:,} requests at concurrency {figures['concurrency']}: "
        f"{figures['ok']:,} ok, {figures['failed']:,} failed{f' ({failures})' if failures else ''}; "
        f"p50 {figures['p50_ms']:.1f} ms, p90 {figures['p90_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms, "
        f"max {figures['max_ms']:.1f} ms; {figures['per_second']:,.0f} requests/s"
    )


def main(argv: list[str] | None = None) -> int:
    from _workspace import copy_content

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--lesson", default="02-supportive-1")
    args = parser.parse_args(argv)
    here = Path(__file__).resolve().parent
    work = here / ".work" / "serve"
    shutil.rmtree(work, ignore_errors=True)
    copy_content(here.parent, work)
    exe = str(Path(sys.executable).parent / "curriculum")
    env = {**os.environ, "COLUMNS": "200"}
    try:
        subprocess.run([exe, "build", "--engine", "pandoc"], cwd=work, env=env, check=True, timeout=1800)
        figures = measure_serve(work, exe, env, args.lesson, args.requests, args.concurrency)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(describe(figures))
    return 0 if figures["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
