"""The learner's dashboard (progress.html) on the built test project, in Chromium.

The test project's lesson ``intro`` has three objectives: ``intro-1`` (MK4),
``intro-2`` (MK4, PC4) and ``intro-3`` (PC4, measured by the summative quiz
only). Its formative quiz ``intro`` has two items: q01 (intro-1, key a: "Her
rating of the alliance") and q02 (intro-2, key c: "Largely on the common
stem"). The page has no answer key: the figures come from what the quiz
recorded when the learner checked each answer.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from curriculum.assess import ProgressFile
from curriculum.site import BuildResult
from tests.browser import axe_check, goto, serve

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1100, "height": 900}
PHONE = {"width": 390, "height": 844}
HOSTILE = '<img src=x onerror="window.__pwned=1">'
SHOTS = os.environ.get("CURRICULUM_SCREENSHOTS")


def shot(page: Any, name: str) -> None:
    """Keep a screenshot for review when ``CURRICULUM_SCREENSHOTS=<folder>`` is set."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"dashboard-{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def site(browser: Any, resident_site: tuple[Path, BuildResult]) -> Path:
    return resident_site[1].out


@pytest.fixture(scope="module")
def http(site: Path) -> Iterator[str]:
    with serve(site) as base:
        yield base


def rows(table: Any) -> dict[str, str]:
    """Each body row's heading to its mastery (the last cell), as a screen reader reads them."""
    found = {}
    for row in table.locator("tbody tr").all():
        cells = row.locator("td")
        if cells.count():
            found[row.locator("th").inner_text().strip()] = cells.last.inner_text().strip()
    return found


def axe_light_and_dark(page: Any, label: str) -> None:
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        axe_check(page, f"{label} ({scheme})")


def check_figures(page: Any, objectives: dict[str, str], competencies: dict[str, str]) -> None:
    panel = page.locator(".cur-progress-panel")
    table = panel.get_by_role("table", name="Mastery of the objectives of Introduction")
    expect(table.locator("tbody tr")).to_have_count(3)
    assert rows(table) == objectives
    table = panel.get_by_role("table", name="Mastery per ACGME subcompetency, by competency domain")
    expect(table.locator("th[scope=rowgroup]")).to_have_text(["Patient Care", "Medical Knowledge"])
    assert rows(table) == competencies


def test_answers_given_in_a_quiz_show_as_mastery(open_page: Any, http: str) -> None:
    page = open_page(http + "quiz/intro.html", viewport=DESKTOP)
    quiz = page.locator(".cur-quiz")
    quiz.get_by_label("Her rating of the alliance").check()
    quiz.get_by_role("button", name="Check answer").click()
    expect(quiz.locator(".cur-verdict")).to_contain_text("Correct")
    quiz.get_by_role("button", name="Next").click()
    quiz.get_by_label("On the psychodynamic branch").check()
    quiz.get_by_role("button", name="Check answer").click()
    expect(quiz.locator(".cur-verdict")).to_contain_text("Not")
    stored = page.evaluate(
        "JSON.parse(localStorage.getItem("
        "'curriculum-progress:v1:' + document.documentElement.dataset.curriculumSite))"
    )
    (attempt,) = stored["records"]["quiz:intro"]["state"]["attempts"]
    assert attempt["results"] == {"intro-q01": True, "intro-q02": False}, "the quiz records what it revealed"

    goto(page, http + "progress.html")
    panel = page.locator(".cur-progress-panel")
    expect(panel.locator(".cur-lesson-summary").first).to_have_text(
        "Finished 1 of 5 parts. Objectives assessed: 2 of 3."
    )
    check_figures(
        page,
        {
            "Describe the alliance as a common factor.": "1 of 1 correct (100%)",
            "Place supportive work on the Y model.": "0 of 1 correct (0%)",
            "Apply reflection in a first visit.": "Not yet assessed",
        },
        {"PC4 Patient Care 4": "0 of 1 correct (0%)", "MK4 Medical Knowledge 4": "1 of 2 correct (50%)"},
    )
    # The bar repeats the figure for the eye only; the words carry it.
    bars = panel.locator("meter.cur-mastery-bar")
    expect(bars).to_have_count(4)
    for bar in bars.all():
        expect(bar).to_have_attribute("aria-hidden", "true")
    axe_light_and_dark(page, "dashboard after a quiz")
    page.emulate_media(color_scheme="light")
    shot(page, "desktop")
    page.set_viewport_size(PHONE)
    shot(page, "phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    axe_check(page, "dashboard on a phone")


def test_an_imported_progress_file_shows_from_disk_and_the_name_goes_out_with_the_export(
    open_page: Any, site: Path, tmp_path: Path
) -> None:
    page = open_page((site / "progress.html").as_uri(), viewport=DESKTOP)
    site_id = page.evaluate("document.documentElement.dataset.curriculumSite")
    stamp = "2026-11-23T10:00:00Z"
    attempt = {
        "started": stamp,
        "order": {},
        "responses": {"intro-q01": ["a"], "intro-q02": ["c"]},
        "checked": ["intro-q01", "intro-q02"],
        "submitted": None,
        "score": 1.0,
        "results": {"intro-q01": True, "intro-q02": True},
    }
    upload = tmp_path / "progress.json"
    upload.write_text(
        json.dumps(
            {
                "format": "curriculum-progress",
                "version": 1,
                "site": site_id,
                "updated": stamp,
                "learner": HOSTILE,
                "records": {"quiz:intro": {"updated": stamp, "state": {"attempts": [attempt]}}},
            }
        ),
        encoding="utf-8",
    )
    panel = page.locator(".cur-progress-panel")
    expect(panel.get_by_label("Your name (optional)")).to_have_value("")
    with page.expect_file_chooser() as chooser:
        panel.get_by_role("button", name="Import progress…").click()
    chooser.value.set_files(str(upload))
    expect(panel.locator(".cur-panel-status")).to_contain_text("Imported 1 record: quiz:intro.")
    expect(panel.locator(".cur-panel-status")).to_contain_text(
        f"Your name was set to “{HOSTILE}” from the file."
    )
    expect(panel.get_by_label("Your name (optional)")).to_have_value(HOSTILE)
    assert page.locator(".cur-progress-panel img").count() == 0
    assert page.evaluate("window.__pwned") is None, "the name is text, never markup"
    check_figures(
        page,
        {
            "Describe the alliance as a common factor.": "1 of 1 correct (100%)",
            "Place supportive work on the Y model.": "1 of 1 correct (100%)",
            "Apply reflection in a first visit.": "Not yet assessed",
        },
        {"PC4 Patient Care 4": "1 of 1 correct (100%)", "MK4 Medical Knowledge 4": "2 of 2 correct (100%)"},
    )
    axe_check(page, "dashboard from file:// after an import")

    # The learner renames themself; the export carries the name, and Python's reader reads it.
    name = panel.get_by_label("Your name (optional)")
    name.fill("  Robin   Quinn ")
    name.press("Tab")
    expect(panel.locator(".cur-panel-status")).to_have_text("Your name is saved as “Robin Quinn”.")
    with page.expect_download() as info:
        panel.get_by_role("button", name="Export progress").click()
    exported = tmp_path / "exported.json"
    info.value.save_as(exported)
    data = ProgressFile.model_validate_json(exported.read_text(encoding="utf-8"))
    assert data.learner == "Robin Quinn" and set(data.records) == {"quiz:intro"}
    page.reload()
    expect(page.locator(".cur-progress-panel").get_by_label("Your name (optional)")).to_have_value(
        "Robin Quinn"
    )
