"""Nothing authored becomes script or a component: the review's payloads, built and opened.

The hostile copy of the test project (``tests/site/hostile.py``) is built in both editions.
The static tests read every page and data script; the browser tests open the pages from
``file://`` and over http, where ``open_page`` fails on any dialog, script error or CSP
violation, and check that the page's real components mount and work.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from rich.console import Console

from curriculum.components import Mount
from curriculum.hosts.static import mount_element
from curriculum.site import CSP, CSP_HEADER, build_site
from curriculum.site._pandoc_engine import _Slots
from tests.browser import serve
from tests.conftest import REPO
from tests.site.hostile import hostile_project

PROFILES = ("resident", "faculty")
REAL_MOUNTS = {"lessons/intro.html": {"cur-vignette-first-visit", "cur-quiz-intro"}}
SCRIPT_URL = re.compile(r"^(javascript|vbscript|data:text/html)", re.IGNORECASE)
DATA_PREFIX = "window.CURRICULUM_PAYLOADS = Object.assign(window.CURRICULUM_PAYLOADS || {}, "


def test_a_placeholder_needs_the_builds_token() -> None:
    slots = _Slots("c0ffee")
    real = slots.slot(Mount("quiz", ("intro",)))
    assert "c0ffee" in real and real.startswith("```{=html}")
    forged = "<!--curriculum-mount::0--><!--curriculum-mount:other:0--><!--curriculum-mount:c0ffee:1-->"
    body, shown = slots.fill(f"{forged}<!--curriculum-mount:c0ffee:0-->")
    assert body == forged + mount_element(Mount("quiz", ("intro",)))
    assert shown == [Mount("quiz", ("intro",))]
    assert "c0ffee" not in slots.key(real), "the cache key does not change from build to build"


@pytest.fixture(scope="module")
def hostile_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = hostile_project(tmp_path_factory.mktemp("hostile"))
    return {
        profile: build_site(
            root, engine="pandoc", profile=profile, out=root / f"_out-{profile}", console=Console(quiet=True)
        ).out
        for profile in PROFILES
    }


class _Elements(HTMLParser):
    """Every start tag of a page, with its attributes (character references decoded)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.inline_scripts = 0
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values))
        self._script = tag == "script" and "src" not in values

    def handle_data(self, data: str) -> None:
        if self._script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag: str) -> None:
        self._script = False


def elements(page: Path) -> _Elements:
    parser = _Elements()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def data_script(path: Path) -> dict[str, Any]:
    """The payloads of a data script, which must be exactly one JSON object in one assignment."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith(DATA_PREFIX) and text.endswith(");\n"), text[:200]
    value = json.loads(text[len(DATA_PREFIX) : -len(");\n")])
    assert isinstance(value, dict)
    return value


@pytest.mark.parametrize("profile", PROFILES)
def test_data_scripts_hold_only_the_builds_payloads(profile: str, hostile_sites: dict[str, Path]) -> None:
    out = hostile_sites[profile]
    scripts = sorted(out.rglob("*.data.js"))
    assert scripts, "the hostile site has components"
    for script in scripts:
        payloads = data_script(script)
        page = script.with_name(script.name.replace(".data.js", ".html"))
        mounts = {
            attrs["id"]
            for tag, attrs in elements(page).tags
            if "cur-widget" in attrs.get("class", "").split()
        }
        assert set(payloads) == mounts, script
        for dom_id, payload in payloads.items():
            assert dom_id == "cur-" + payload["key"].replace(":", "-")
    lesson = out / "lessons" / "intro.data.js"
    assert set(data_script(lesson)) == REAL_MOUNTS["lessons/intro.html"]
    assert "alert(" not in lesson.read_text(encoding="utf-8")


@pytest.mark.parametrize("profile", PROFILES)
def test_no_page_holds_live_script_markup_or_a_forged_mount(
    profile: str, hostile_sites: dict[str, Path]
) -> None:
    out = hostile_sites[profile]
    for page in sorted(out.rglob("*.html")):
        found = elements(page)
        name = page.relative_to(out).as_posix()
        assert found.inline_scripts == 0, name
        for tag, attrs in found.tags:
            assert not [a for a in attrs if a.startswith("on")], (name, tag, attrs)
            for attribute in ("href", "src", "action", "formaction"):
                assert not SCRIPT_URL.match(attrs.get(attribute, "").strip()), (name, tag, attrs)
            classes = attrs.get("class", "").split()
            if "cur-widget" in classes:
                assert attrs.get("data-payload") == "deferred", (name, attrs)
            assert "cur-payload" not in classes, (name, attrs)
            assert attrs.get("id") not in {"cur-evil", "cur-evil-output", "cur-evil-encoded"}, name
    lesson = (out / "lessons" / "intro.html").read_text(encoding="utf-8")
    assert "A forged mount from a fenced div." in lesson, "the fenced div keeps its text, not its class"
    for generated in ("quiz/fence.html", "cases/index.html"):
        text = (out / generated).read_text(encoding="utf-8")
        assert "fencediv-generated" in text, "the stem's code block is shown as text"
        assert 'id="fencediv-generated"' not in text
    case = (out / "cases" / "fence-case.html").read_text(encoding="utf-8")
    heading = case[case.index("<h1>") : case.index("</h1>")]
    assert heading.startswith("<h1>Fence title\n---\n") and "&lt;script&gt;alert(" in heading


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["file", "http"])
@pytest.mark.parametrize("profile", PROFILES)
def test_forged_components_run_nothing_and_real_ones_work(
    profile: str, scheme: str, hostile_sites: dict[str, Path], open_page: Any
) -> None:
    out = hostile_sites[profile]
    names = ["lessons/intro.html", "quiz/fence.html", "cases/index.html", "cases/fence-case.html"]
    with serve(out) as base:
        for name in names:
            # open_page fails the test on any dialog, script error or CSP violation on these pages.
            page = open_page((out / name).resolve().as_uri() if scheme == "file" else base + name)
            mounted = set(page.evaluate(MOUNTED_IDS))
            assert mounted == set(page.evaluate("Object.keys(window.CURRICULUM_PAYLOADS || {})")), name
            for link in page.locator("main a").all():
                assert not SCRIPT_URL.match((link.get_attribute("href") or "").strip()), name
            if name == "lessons/intro.html":
                assert mounted == REAL_MOUNTS[name]
                quiz = page.locator("#cur-quiz-intro")
                quiz.get_by_label("Her rating of the alliance").check()
                quiz.get_by_role("button", name="Check answer").click()
                expect(quiz.locator(".cur-verdict")).to_contain_text("Correct")
                vignette = page.locator("#cur-vignette-first-visit")
                vignette.get_by_role("button", name="Say back his doubt.").click()
                expect(vignette).to_contain_text("It shows you heard him.")
                page.get_by_text("hover me").hover()
            if name == "quiz/fence.html":
                assert mounted == {"cur-quiz-fence"}


MOUNTED_IDS = "[...document.querySelectorAll('.cur-widget[data-cur-mounted]')].map((e) => e.id)"


def test_the_header_policy_is_the_page_policy_and_more() -> None:
    assert CSP_HEADER.startswith(CSP + "; ")
    directives = dict(d.strip().split(" ", 1) for d in CSP_HEADER.split(";"))
    assert directives["frame-ancestors"] == "'none'" and directives["base-uri"] == "'none'"


def test_the_guides_web_server_lines_send_the_header_policy() -> None:
    guide = (REPO / "docs" / "authoring.md").read_text(encoding="utf-8")
    nginx = re.search(r'^add_header Content-Security-Policy "([^"]+)" always;$', guide, re.MULTILINE)
    apache = re.search(r'^Header always set Content-Security-Policy "([^"]+)"$', guide, re.MULTILINE)
    assert nginx and apache
    assert nginx.group(1) == apache.group(1) == CSP_HEADER


@contextlib.contextmanager
def _serve_with_headers(folder: Path, headers: dict[str, str]) -> Iterator[str]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def end_headers(self) -> None:
            for name, value in headers.items():
                self.send_header(name, value)
            super().end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.mark.browser
@pytest.mark.parametrize("header", [True, False])
def test_with_the_header_no_other_site_can_frame_a_page(
    header: bool, resident_site: tuple[Path, Any], open_page: Any, tmp_path: Path
) -> None:
    """Chromium refuses to show the page in another origin's frame when the header policy is sent."""
    sent = {"Content-Security-Policy": CSP_HEADER} if header else {}
    with _serve_with_headers(resident_site[1].out, sent) as site:
        (tmp_path / "frame.html").write_text(f'<iframe src="{site}index.html"></iframe>', encoding="utf-8")
        with _serve_with_headers(tmp_path, {}) as other:  # another port: another origin
            page = open_page()
            page.goto(other + "frame.html")
            page.wait_for_timeout(500)
            [frame] = page.main_frame.child_frames
            if header:
                assert not frame.url.startswith(site), frame.url
            else:
                assert frame.url == f"{site}index.html"
                expect(frame.locator("h1")).to_be_visible()
