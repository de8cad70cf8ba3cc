"""Accessibility (axe-core, light and dark), small screens and print."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def interact_quiz(page):
    quiz = page.locator(".cur-quiz").first
    quiz.get_by_label("Her rating of the alliance").check()
    quiz.get_by_role("button", name="Check answer").click()
    expect(quiz.locator(".cur-feedback")).to_be_visible()
    quiz.get_by_role("button", name="Next →").click()
    quiz.get_by_label("On the psychodynamic branch").check()
    quiz.get_by_role("button", name="Check answer").click()
    expect(quiz.locator(".cur-result")).to_be_visible()


def interact_posttest(page):
    page.get_by_label("His rating of the alliance").check()
    page.get_by_role("button", name="Submit all").click()
    page.get_by_role("button", name="Submit anyway").click()
    expect(page.locator(".cur-pass")).to_be_visible()


def interact_summative(page):
    page.get_by_label("The quality of the alliance").check()
    page.get_by_role("button", name="Download response file…").click()
    expect(page.locator(".cur-confirm")).to_be_visible()


def interact_all(page):
    item = page.locator(".cur-item").nth(1)
    item.get_by_label("Reflective listening").check()
    item.get_by_role("button", name="Check answer").click()
    expect(item.locator(".cur-feedback")).to_be_visible()


def interact_vignette(page):
    v = page.locator(".cur-vignette").first
    v.get_by_role("button", name="Tell him to trust the plan.").click()
    expect(v.locator(".cur-choice-feedback")).to_be_visible()


def walk_vignette(page):
    v = page.locator(".cur-vignette").first
    if v.get_by_role("button", name="Continue →").count():
        v.get_by_role("button", name="Continue →").click()
    for _ in range(4):
        if v.locator(".cur-ending").count():
            break
        v.locator(".cur-choice").last.click()
        v.get_by_role("button", name="Continue →").click()
    expect(v.locator(".cur-ending")).to_be_visible()


def seminar(page):
    page.locator(".cur-vignette").first.get_by_role("button", name="Seminar view").click()
    expect(page.locator(".cur-seminar")).to_be_visible()


def interact_spotter(page):
    s = page.locator(".cur-spotter").first
    s.locator("select").select_option("advice")
    s.get_by_label("CBT branch").check()
    s.locator("details summary").click()
    s.get_by_role("button", name="Check labels").click()
    expect(s.locator(".cur-score")).to_be_visible()


def interact_worksheet(page):
    ws = page.locator(".cur-worksheet").first
    ws.get_by_label("Situation").fill("Night shift.\nA long line that should wrap " + "word " * 40)
    ws.get_by_role("button", name="Compare with an example").click()
    expect(ws.locator(".cur-compare")).to_be_visible()


def interact_panel(page):
    page.get_by_role("button", name="Clear my progress…").click()
    expect(page.locator(".cur-progress-panel .cur-confirm")).to_be_visible()


AXE_PAGES = {
    "quiz.html": [interact_quiz],
    "quiz-all.html": [interact_all],
    "posttest.html": [interact_posttest],
    "summative.html": [interact_summative],
    "vignette.html": [interact_vignette, walk_vignette, seminar],
    "spotter.html": [interact_spotter],
    "worksheet.html": [interact_worksheet, interact_panel],
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", sorted(AXE_PAGES))
def test_axe_no_violations(open_page, http_base, tools, name, scheme):
    page = open_page(http_base + name, color_scheme=scheme)
    tools.axe_check(page, f"{name} ({scheme}, initial)")
    for step in AXE_PAGES[name]:
        step(page)
        tools.axe_check(page, f"{name} ({scheme}, after {step.__name__})")


def test_components_structure(open_page, http_base):
    page = open_page(http_base + "all.html")
    found = page.evaluate("""() => ({
      topHeadings: document.querySelectorAll('.cur-component h1, .cur-component h2').length,
      titles: [...document.querySelectorAll('.cur-component > .cur-body > :first-child')]
        .map(e => e.tagName),
      lang: document.querySelectorAll('.cur-widget [lang]').length,
      live: document.querySelectorAll('.cur-component > [aria-live="polite"]').length,
      components: document.querySelectorAll('.cur-component').length,
    })""")
    assert found["topHeadings"] == 0
    assert found["titles"] == ["H3", "H3", "H3", "H3"]
    assert found["lang"] == 0, "components take the page's language"
    assert found["live"] == found["components"] == 4


def no_horizontal_scroll(page, label):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 320, f"horizontal scrolling at 320 px ({label}): {width}px wide"


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_320px_no_horizontal_scroll(open_page, http_base, site, scheme):
    base = http_base if scheme == "http" else site.root.as_uri() + "/"
    page = open_page(base + "all.html", viewport={"width": 320, "height": 640})
    no_horizontal_scroll(page, "initial")
    interact_quiz(page)
    no_horizontal_scroll(page, "quiz feedback")
    interact_vignette(page)
    walk_vignette(page)
    no_horizontal_scroll(page, "vignette ending")
    seminar(page)
    no_horizontal_scroll(page, "seminar view")
    interact_spotter(page)
    interact_worksheet(page)
    no_horizontal_scroll(page, "spotter checked, worksheet compared")
    interact_panel(page)
    no_horizontal_scroll(page, "progress panel confirm")


SHOTS = os.environ.get("CURRICULUM_SCREENSHOTS")


@pytest.mark.skipif(not SHOTS, reason="set CURRICULUM_SCREENSHOTS=<folder> to write screenshots for review")
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1000, 320])
def test_screenshots(open_page, http_base, scheme, width):
    out = Path(SHOTS)
    out.mkdir(parents=True, exist_ok=True)
    for name, steps in AXE_PAGES.items():
        page = open_page(http_base + name, color_scheme=scheme, viewport={"width": width, "height": 800})
        page.screenshot(path=str(out / f"{name[:-5]}-{width}-{scheme}-0.png"), full_page=True)
        for i, step in enumerate(steps, 1):
            step(page)
            page.screenshot(path=str(out / f"{name[:-5]}-{width}-{scheme}-{i}.png"), full_page=True)
        page.close()


def test_print_hides_controls_keeps_content(open_page, http_base):
    page = open_page(http_base + "all.html", reduced_motion="reduce")
    interact_quiz(page)
    interact_vignette(page)
    walk_vignette(page)
    assert page.evaluate("getComputedStyle(document.querySelector('.cur-button')).transitionDuration") == "0s"
    page.emulate_media(media="print")
    shown = page.evaluate("""() => {
      const visible = (sel) => [...document.querySelectorAll(sel)]
        .some((e) => e.getClientRects().length > 0);
      return {
        buttons: visible('.cur-component .cur-button:not(.cur-choice)'),
        panel: visible('.cur-progress-panel'),
        feedback: visible('.cur-quiz .cur-feedback'),
        result: visible('.cur-quiz .cur-result p'),
        ending: visible('.cur-ending .cur-path'),
        stem: visible('.cur-quiz .cur-stem'),
        colour: getComputedStyle(document.querySelector('.cur-quiz')).color,
      };
    }""")
    assert shown == {
        "buttons": False,
        "panel": False,
        "feedback": True,
        "result": True,
        "ending": True,
        "stem": True,
        "colour": "rgb(0, 0, 0)",
    }
