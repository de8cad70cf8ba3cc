"""The cohort report and a feedback page in Chromium, opened from file:// as faculty open them.

Each page must load nothing but itself (``open_page`` fails the test on any
other request, a dialog, a script error or a CSP violation), pass axe-core,
name every chart for assistive technology, and print.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.assess.cohorts import QUIZ, add_quiz, attempt, cohort, progress_file, run
from tests.browser import axe_check

pytestmark = pytest.mark.browser

XSS = '<img src=x onerror="alert(1)">Eve'


@pytest.fixture
def outputs(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    add_quiz(project)
    monkeypatch.chdir(project)
    cohort(project / "collected", 36, names=[XSS])
    done = attempt(
        {"intro-q01": ["a"], "intro-q02": ["b"]}, started="2026-11-01T10:00:00Z", submitted=None, score=0.5
    )
    progress_file(project / "collected", "sam.json", {"quiz:intro": {"attempts": [done]}})
    (project / "collected" / "broken.json").write_text("{")
    status, _, err = run(["report", "collected", "--out", "out"], capsys)
    assert status == 1, err  # the broken file is reported; the report is complete
    status, _, err = run(["grade", "collected", "--quiz", QUIZ, "--out", "graded"], capsys)
    assert status == 1, err
    return project


def test_the_report_is_self_contained_accessible_and_prints(
    open_page: Any, outputs: Path, tmp_path: Path
) -> None:
    url = (outputs / "out" / "report.html").as_uri()
    page = open_page(url)
    assert page.watch.requests == [url]  # nothing but the page itself
    expect(page.locator("h1")).to_have_text("Cohort report")
    expect(page.locator("h2", has_text="Cohort final test")).to_be_visible()
    assert page.locator("table:not(:has(caption))").count() == 0
    charts = page.locator("svg[role=img]")
    assert charts.count() == 2 * 2 + 1  # per quiz a distribution and a scatter plot; one heatmap
    for i in range(charts.count()):
        name = charts.nth(i).evaluate(
            "svg => svg.getAttribute('aria-labelledby').split(' ')"
            ".map(id => document.getElementById(id).textContent)"
        )
        assert len(name) == 2 and all(len(part) > 10 for part in name), name
    expect(page.locator(".problems")).to_contain_text("broken.json")
    expect(page.get_by_role("row", name=re.compile("Eve"))).to_have_count(1)  # the name shown as text
    assert page.locator("img").count() == 0
    axe_check(page, "cohort report")

    page.emulate_media(media="print")
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf), format="A4")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", data)) >= 3


def test_a_feedback_page_is_self_contained_and_accessible(open_page: Any, outputs: Path) -> None:
    pages = sorted((outputs / "graded" / "feedback").glob("*.html"))
    assert len(pages) == 36
    hostile = next(p for p in pages if "eve" in p.name)
    url = hostile.as_uri()
    page = open_page(url)
    assert page.watch.requests == [url]
    expect(page.locator("h1")).to_contain_text("Cohort final test")
    expect(page.locator(".summary")).to_contain_text(XSS)  # as text: nothing ran, no image
    assert page.locator("img").count() == 0
    expect(page.locator("section.item")).to_have_count(6)
    expect(page.locator(".references li")).to_have_count(1)
    axe_check(page, "feedback page")
