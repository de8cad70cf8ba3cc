"""Browser-test plumbing shared by every suite: Debian's Chromium, watched pages, axe-core, servers.

A pytest plugin (registered in ``tests/conftest.py``). Browser tests use
Playwright for Python with the Chromium from Debian's package, never a
downloaded browser; in CI a missing browser fails loudly, elsewhere the tests
are skipped with the reason. Every page opened through ``open_page`` fails its
test if it requests anything from another host, opens a dialog, throws, or
violates the Content-Security-Policy.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Records CSP violations so a test can assert there are none.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""

MOUNTED = (
    "document.querySelectorAll('.cur-widget').length"
    " === document.querySelectorAll('.cur-widget[data-cur-mounted]').length"
)


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 at a free port until the block ends; yields the base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            if not isinstance(sys.exc_info()[1], ConnectionError):  # the browser left the page mid-reply
                super().handle_error(request, client_address)

    handler = functools.partial(Quiet, directory=str(folder))
    httpd = Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright; fails in CI when missing, skips elsewhere."""
    executable = shutil.which("chromium")
    reason = None
    if executable is None:
        reason = "Chromium is not on the PATH (apt-get install chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "Playwright is not installed (pip install -e '.[test]')"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests need Chromium: {reason}")
        pytest.skip(f"browser tests skipped: {reason}")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@dataclass
class Watch:
    """What a page did that a test may assert on."""

    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


def allowed_url(url: str) -> bool:
    """Loopback, local files and in-page URLs: anything else is another host."""
    return url.startswith(("http://127.0.0.1:", "http://localhost:", "file://", "blob:", "data:", "about:"))


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh context: ``open_page(url, **context_options)``.

    The returned page has ``page.watch`` (a :class:`Watch`). At teardown the
    test fails if any request went elsewhere than a loopback server or
    ``file://``, a dialog opened, a script error or a CSP violation occurred.
    """
    contexts: list[Any] = []
    pages: list[Any] = []

    def opener(
        url: str | None = None,
        *,
        context: Any = None,
        init_script: str | None = None,
        allow_errors: bool = False,
        **options: Any,
    ) -> Any:
        if context is None:
            options.setdefault("viewport", {"width": 1000, "height": 900})
            context = browser.new_context(accept_downloads=True, **options)
            context.add_init_script(CSP_WATCH)
            if init_script:
                context.add_init_script(init_script)
            contexts.append(context)
        page = context.new_page()
        watch = Watch()
        page.on("request", lambda r: watch.requests.append(r.url))

        def on_dialog(dialog: Any) -> None:
            watch.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda e: watch.errors.append(str(e)))
        page.on("console", lambda m: watch.console.append(f"{m.type}: {m.text}"))
        page.watch = watch
        page.allow_errors = allow_errors
        pages.append(page)
        if url:
            goto(page, url)
        return page

    yield opener
    try:
        for page in pages:
            watch = page.watch
            foreign = [u for u in watch.requests if not allowed_url(u)]
            assert not foreign, f"requests to other hosts: {foreign}"
            assert not watch.dialogs, f"dialogs opened: {watch.dialogs}"
            if not page.allow_errors:
                assert not watch.errors, f"page errors: {watch.errors}"
            if not page.is_closed():
                violations = page.evaluate("window.__cspViolations || []")
                assert not violations, f"CSP violations: {violations}"
    finally:
        for context in contexts:
            context.close()


def wait_until(page: Any, expression: str, arg: Any = None, timeout: float = 15_000) -> Any:
    """Poll ``expression`` in the page until it is truthy; return its value.

    Playwright's ``wait_for_function`` polls by evaluating a string inside
    the page, which our Content-Security-Policy forbids (no ``unsafe-eval``);
    ``page.evaluate`` goes through the debugging protocol and is exempt.
    """
    deadline = time.monotonic() + timeout / 1000
    while True:
        value = page.evaluate(expression, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout / 1000:.0f} s waiting for: {expression}")
        page.wait_for_timeout(50)


def goto(page: Any, url: str) -> None:
    """Load ``url`` and wait until every component is mounted."""
    page.goto(url)
    wait_until(page, MOUNTED)


def reload(page: Any) -> None:
    page.reload()
    wait_until(page, MOUNTED)


@functools.cache
def _axe_source() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return str(Axe().axe_script)


_SETTLE = """Promise.race([
  Promise.all(document.getAnimations()
    .filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime ?? Infinity))
    .map((a) => a.finished.catch(() => null))),
  new Promise((resolve) => setTimeout(resolve, 2000)),
])"""
"""Wait for the page's finite transitions to end (never for a spinner that runs forever; 2 s at most)."""


def axe_check(page: Any, label: str, include: list[str] | None = None) -> None:
    """Run axe-core (bundled by axe-playwright-python); fail listing every violation.

    Parameters
    ----------
    page : Page
        The page, in the state to audit.
    label : str
        Names the page in the failure message.
    include : list[str] | None
        CSS selectors to audit instead of the whole document (e.g. the
        widgets inside JupyterLab, whose own interface is not ours to fix).
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())  # injected once per page
    # Colours mid-transition (after a colour-scheme switch) are neither state: audit the settled page.
    page.evaluate(_SETTLE)
    context = {"include": include} if include else "document"
    results = page.evaluate(
        "([context]) => axe.run(context === 'document' ? document : context, {resultTypes: ['violations']})",
        [context],
    )
    violations = results["violations"]
    summary = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(str(n["target"][-1]) for n in v["nodes"][:5])
        + "\n    "
        + v["nodes"][0].get("failureSummary", "").replace("\n", " ")
        for v in violations
    ]
    assert not violations, f"axe violations on {label}:\n" + "\n".join(summary)
