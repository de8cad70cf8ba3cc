"""The widgets in a real JupyterLab: run a lesson through the UI, answer, find the answers on disk.

``conftest.py`` starts JupyterLab on 127.0.0.1 over a copy of the test
project, with the reader notebook of its lesson (what ``make lab`` opens: it
shows the ``first-visit`` vignette and the ``intro`` quiz), and a progress
file of its own. Debian's Chromium (through Playwright) opens the reader
notebook, checks that it reads properly before anything runs (the lesson's
title, objectives and how to start; no raw fences, citation keys or front
matter), runs every cell from the Run menu,
and a learner's clicks go through anywidget to the kernel, which writes the
progress file. The page may talk to the local server only. axe-core audits
the components (not JupyterLab's own interface) in the light and the dark
theme. Set
``CURRICULUM_SCREENSHOTS=<folder>`` to keep screenshots for review.

Nothing depends on the wording of the test content: option ids, item ids and
the vignette's start come from the payloads the package builds.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser import axe_check
from tests.lab.conftest import NOTEBOOK, Lab, payload_builder

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORT = {"width": 1280, "height": 1800}
WAIT_MS = 30_000
SHOTS = os.environ.get("CURRICULUM_SCREENSHOTS")

# Light theme values of --cur-focus and --cur-link (curriculum.css).
OUTLINE = """(el) => { const s = getComputedStyle(el);
  return [s.outlineStyle, s.outlineWidth, s.outlineOffset, s.outlineColor]; }"""
FOCUS_RING = ["solid", "3px", "2px", "rgb(11, 92, 173)"]
LINK = "(el) => { const s = getComputedStyle(el); return [s.color, s.textDecorationLine]; }"
LINK_STYLE = ["rgb(11, 92, 173)", "underline"]

TOKENS = """(el) => {
  const style = getComputedStyle(el);
  return { bg: style.getPropertyValue("--cur-bg").trim(), border: style.borderTopStyle,
           background: style.backgroundColor };
}"""


def axe_widgets(page: Any, label: str) -> None:
    """axe-core on the component roots (``.cur-component``) only, not on JupyterLab's own interface."""
    assert page.locator(".cur-component").count() >= 2
    axe_check(page, label, include=[".cur-component"])


def menu(page: Any, top: str, item: str, submenu: str | None = None) -> None:
    """Choose ``top > [submenu >] item`` from JupyterLab's menu bar."""
    page.get_by_role("menuitem", name=top, exact=True).click()
    if submenu:
        # JupyterLab's submenu entries have no role; they are list items of the open menu.
        page.locator(".lm-Menu-item[data-type='submenu']").filter(
            has_text=re.compile(rf"^{submenu}\s*$")
        ).hover()
    page.get_by_role("menuitem", name=item, exact=True).click()


def wait_for_progress(lab: Lab, done: Any, timeout: float = 15.0) -> dict[str, Any]:
    """Poll the progress file (the kernel writes it) until ``done(records)`` holds."""
    deadline = time.monotonic() + timeout
    records: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            records = json.loads(lab.progress.read_text(encoding="utf-8"))["records"]
        except (OSError, ValueError, KeyError):
            records = {}
        if done(records):
            return records
        time.sleep(0.1)
    pytest.fail(
        f"the progress file {lab.progress} never held the answers; last records: {records}\n"
        f"JupyterLab log:\n{lab.log_tail()}"
    )


def other_hosts(urls: list[str]) -> list[str]:
    """URLs whose host is not 127.0.0.1 (a blob: URL counts by its origin; data: and about: stay local)."""
    out = []
    for url in urls:
        if url.startswith(("data:", "about:")):
            continue
        host = urlsplit(url[len("blob:") :] if url.startswith("blob:") else url).hostname
        if host != "127.0.0.1":
            out.append(url)
    return out


def shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"jupyterlab-{name}.png"), full_page=True)


def lab_objectives(lab: Lab) -> list[Any]:
    """The objectives of the lab project's lessons."""
    from curriculum.content import load_curriculum

    return [o for doc in load_curriculum(lab.root).lessons.values() for o in doc.model.objectives]


def test_lesson_widgets_in_jupyterlab(jupyterlab: Lab, open_page: Any) -> None:
    lab = jupyterlab
    build = payload_builder(lab.root)
    quiz_payload, vignette_payload = build.quiz("intro"), build.vignette("first-visit")
    first, second = quiz_payload["items"][0], quiz_payload["items"][1]
    answer = first["answer"][0]
    start = vignette_payload["start"]

    # The system prefers dark; JupyterLab's own theme (Light, then Dark) must win.
    page = open_page(viewport=VIEWPORT, color_scheme="dark")
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(lab.url(f"lab/tree/{NOTEBOOK}"))

    # Before anything runs, the reader notebook reads as a lesson: its first cell is
    # rendered Markdown with the title, the objectives and how to start.
    cells = json.loads((lab.root / NOTEBOOK).read_text(encoding="utf-8"))["cells"]
    kinds = [cell["cell_type"] for cell in cells]
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
    expect(notebook.locator(".jp-Cell")).to_have_count(len(cells), timeout=WAIT_MS)
    intro = notebook.locator(".jp-Cell").first.locator(".jp-RenderedMarkdown")
    expect(intro.locator("h1")).to_have_text(re.compile(r"^Introduction"), timeout=WAIT_MS)
    expect(intro.locator("ol > li")).to_have_count(3)
    expect(intro).to_contain_text("Run ▸ Run All Cells")
    prose = notebook.locator(".jp-MarkdownCell .jp-RenderedMarkdown").all_inner_texts()
    assert len(prose) == kinds.count("markdown") and "(Krupnick et al. 1996)" in "\n".join(prose)
    assert not re.search(r":::|\[@|lesson-id:", "\n".join(prose)), prose
    shot(page, "reader-opened")

    # Run every cell through the menu once the kernel is ready (Run All while the
    # kernel is still starting runs nothing).
    expect(page.locator("#jp-main-statusbar")).to_contain_text("| Idle", timeout=WAIT_MS)
    menu(page, "Run", "Run All Cells")

    quiz = notebook.locator(".jp-OutputArea-output .cur-component.cur-quiz")
    vignette = notebook.locator(".jp-OutputArea-output .cur-component.cur-vignette")
    expect(quiz).to_be_visible(timeout=WAIT_MS)
    expect(vignette).to_be_visible(timeout=WAIT_MS)
    expect(quiz.locator("h3")).to_have_text(quiz_payload["title"])
    expect(vignette.locator("h3")).to_have_text(vignette_payload["title"])

    # The stylesheet reached the page and follows JupyterLab's Light theme, not the system's dark.
    assert quiz.evaluate(TOKENS) == {"bg": "#ffffff", "border": "solid", "background": "rgb(255, 255, 255)"}
    shot(page, "light-0")

    # Keys pressed inside a widget stay there: arrows move between the options
    # (not to another cell), and single-key notebook commands do not fire.
    options = quiz.locator("input[type=radio]")
    expect(options).to_have_count(len(first["options"]))
    options.first.focus()
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_be_checked()
    expect(options.nth(1)).to_be_focused()
    for key in ("m", "d", "d"):
        page.keyboard.press(key)
    expect(notebook.locator(".jp-Cell")).to_have_count(len(cells))
    expect(notebook.locator(".jp-MarkdownCell")).to_have_count(kinds.count("markdown"))
    expect(quiz).to_be_visible()

    # Our focus ring and link style hold against JupyterLab's own (.jp-ThemedContainer) rules.
    check = quiz.get_by_role("button", name="Check answer")
    page.keyboard.press("Tab")
    expect(check).to_be_focused()
    assert check.evaluate(OUTLINE) == FOCUS_RING
    link = quiz.locator("a[href]").first
    link.hover()
    assert link.evaluate(LINK) == LINK_STYLE

    # The learner picks the best answer with the mouse and checks it.
    choice = quiz.locator(f"input[type=radio][value='{answer}']")
    quiz.locator(f"label[for='{choice.get_attribute('id')}']").click()
    expect(choice).to_be_checked()
    quiz.get_by_role("button", name="Check answer").click()
    expect(quiz.locator(".cur-feedback .cur-verdict.cur-good")).to_be_visible()

    # ... and makes the first choice of the vignette.
    vignette.locator("button.cur-choice").first.click()
    expect(vignette.locator(".cur-choice-feedback")).to_be_visible()

    def saved(records: dict[str, Any]) -> bool:
        attempts = records.get("quiz:intro", {}).get("state", {}).get("attempts") or [{}]
        path = records.get("vignette:first-visit", {}).get("state", {}).get("path")
        return (
            attempts[-1].get("responses", {}).get(first["id"]) == [answer]
            and first["id"] in attempts[-1].get("checked", [])
            and path == [{"node": start, "choice": 0}]
        )

    records = wait_for_progress(lab, saved)
    attempt = records["quiz:intro"]["state"]["attempts"][-1]
    assert len(records["quiz:intro"]["state"]["attempts"]) == 1
    assert sorted(attempt["order"]) == sorted(item["id"] for item in quiz_payload["items"])
    assert attempt["submitted"] is None and attempt["score"] is None  # one of two items checked
    assert attempt["results"] == {first["id"]: True}  # what the learner saw, for the dashboard
    assert records["vignette:first-visit"]["state"] == {
        "path": [{"node": start, "choice": 0}],
        "at": start,
        "endings": {},
        "runs": 1,
    }
    shot(page, "light-1")
    axe_widgets(page, "the quiz and the vignette in JupyterLab (light theme)")

    # Running the cells again makes new widgets that start from the saved progress.
    page.evaluate(
        "() => document.querySelectorAll('.cur-component').forEach((el) => { el.dataset.old = 'yes'; })"
    )
    menu(page, "Run", "Run All Cells")
    quiz = notebook.locator(".jp-OutputArea-output .cur-component.cur-quiz:not([data-old])")
    vignette = notebook.locator(".jp-OutputArea-output .cur-component.cur-vignette:not([data-old])")
    expect(quiz.locator(f"[data-key='item:{second['id']}']")).to_be_visible(timeout=WAIT_MS)
    expect(vignette.locator(".cur-choice-feedback")).to_be_visible(timeout=WAIT_MS)

    # JupyterLab's Dark theme: the components follow it.
    menu(page, "Settings", "JupyterLab Dark", submenu="Theme")
    page.wait_for_function("document.body.dataset.jpThemeLight === 'false'", timeout=WAIT_MS)
    expect(quiz).to_have_css("background-color", "rgb(22, 27, 34)")
    assert quiz.evaluate(TOKENS)["bg"] == "#161b22"
    shot(page, "dark")
    axe_widgets(page, "the quiz and the vignette in JupyterLab (dark theme)")

    # A cell added at the end shows the learner's dashboard from the progress file.
    notebook.locator(".jp-Cell").last.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    expect(notebook.locator(".jp-Cell")).to_have_count(len(cells) + 1)
    page.keyboard.press("Enter")
    page.keyboard.type("import curriculum; curriculum.progress()")
    page.keyboard.press("Shift+Enter")
    board = notebook.locator(".jp-OutputArea-output .cur-dashboard")
    expect(board).to_be_visible(timeout=WAIT_MS)
    table = board.get_by_role("table", name="Mastery of the objectives of Introduction")
    objective = build.quiz("intro")["items"][0]["objectives"][0]
    text = next(o.text for o in lab_objectives(lab) if o.id == objective)
    expect(table.get_by_role("row", name=re.compile(re.escape(text)))).to_contain_text(
        "1 of 1 correct (100%)"
    )
    shot(page, "dashboard")
    axe_check(page, "curriculum.progress() in JupyterLab (dark theme)", include=[".cur-dashboard"])

    # Only the local server was ever asked for anything.
    foreign = other_hosts(page.watch.requests + sockets)
    assert not foreign, f"requests to other hosts: {foreign}"
    assert sockets and all(url.startswith("ws://127.0.0.1:") for url in sockets), sockets
    errors = [line for line in page.watch.console if line.startswith("error:")]
    assert not errors, f"console errors: {errors}"
