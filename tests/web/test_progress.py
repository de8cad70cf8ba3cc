"""The static host: progress in localStorage, export/import/clear, tabs, failures contained."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def make_progress(records, *, site="test", version=1, fmt="curriculum-progress"):
    return json.dumps(
        {
            "format": fmt,
            "version": version,
            "site": site,
            "updated": "2026-01-01T00:00:00Z",
            "records": records,
        }
    )


def do_some_work(page):
    quiz = page.locator(".cur-quiz")
    quiz.get_by_label("Her rating of the alliance").check()
    quiz.get_by_role("button", name="Check answer").click()
    expect(quiz.locator(".cur-verdict")).to_contain_text("Correct")
    v = page.locator(".cur-vignette")
    v.get_by_role("button", name="Say back his doubt.").click()
    v.get_by_role("button", name="Continue →").click()
    expect(v.locator(".cur-scene-heading")).to_have_text("Step 2")
    ws = page.locator(".cur-worksheet")
    ws.get_by_label("Situation").fill("Ward round, 9 am.")
    ws.get_by_label("Situation").blur()
    page.wait_for_function(
        "() => (localStorage.getItem('curriculum-progress:v1:test') || '').includes('Ward round')"
    )


def test_export_clear_import_restores(open_page, base, tmp_path, tools):
    page = open_page(base + "all.html")
    panel = page.locator(".cur-progress-panel")
    expect(panel.locator("h2")).to_have_text("Saved in this browser")
    expect(panel).to_contain_text("Your answers are saved in this browser only")
    do_some_work(page)

    with page.expect_download() as info:
        panel.get_by_role("button", name="Export progress").click()
    download = info.value
    assert download.suggested_filename == "test-progress.json"
    exported = tmp_path / "test-progress.json"
    download.save_as(exported)
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert data["format"] == "curriculum-progress" and data["version"] == 1 and data["site"] == "test"
    assert sorted(data["records"]) == [
        "quiz:intro",
        "vignette:first-visit",
        "worksheet:intro-thought",
    ]
    for record in data["records"].values():
        assert set(record) == {"updated", "state"}
    expect(panel.locator(".cur-panel-status")).to_have_text("Your progress was saved as test-progress.json.")

    panel.get_by_role("button", name="Clear my progress…").click()
    expect(panel.get_by_role("button", name="Cancel")).to_be_focused()
    panel.get_by_role("button", name="Delete my progress").click()
    expect(panel.locator(".cur-panel-status")).to_contain_text("was deleted")
    expect(page.locator(".cur-quiz .cur-verdict")).to_have_count(0)
    expect(page.locator(".cur-vignette .cur-scene-heading")).to_have_text("Step 1")
    expect(page.locator(".cur-worksheet").get_by_label("Situation")).to_have_value("")
    assert tools.stored(page) == {}

    with page.expect_file_chooser() as chooser:
        panel.get_by_role("button", name="Import progress…").click()
    chooser.value.set_files(str(exported))
    expect(panel.locator(".cur-panel-status")).to_have_text(
        "Imported 3 records: Introduction quiz, A first visit, A thought record."
    )
    expect(page.locator(".cur-quiz .cur-verdict")).to_contain_text("Correct")
    expect(page.locator(".cur-vignette .cur-scene-heading")).to_have_text("Step 2")
    expect(page.locator(".cur-worksheet").get_by_label("Situation")).to_have_value("Ward round, 9 am.")
    tools.reload(page)
    expect(page.locator(".cur-worksheet").get_by_label("Situation")).to_have_value("Ward round, 9 am.")

    # Importing the same file again changes nothing.
    with page.expect_file_chooser() as chooser:
        page.locator(".cur-progress-panel").get_by_role("button", name="Import progress…").click()
    chooser.value.set_files(str(exported))
    expect(page.locator(".cur-panel-status")).to_have_text(
        "Nothing new to import. Kept 3 records of yours that were as new or newer."
    )


def test_import_merges_newer_wins_and_reports_bad_files(open_page, http_base, tools):
    page = open_page(http_base + "all.html")
    do_some_work(page)
    mine = tools.stored(page)["records"]
    a_minute_ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    newer_quiz = {"updated": a_minute_ahead, "state": {"attempts": []}}  # within the clock-skew allowance
    older_sheet = {
        "updated": "2000-01-01T00:00:00Z",
        "state": {"fields": {"situation": "old"}, "updated": None},
    }
    text = make_progress(
        {
            "quiz:intro": newer_quiz,
            "worksheet:intro-thought": older_sheet,
            "spotter:spot-the-stem": {
                "updated": "2026-01-01T00:00:00Z",
                "state": {"labels": "nope"},
            },
            "vignette:first-visit": {"updated": "not a date", "state": {"path": [], "at": "one"}},
            "nonsense": {"updated": "2026-01-01T00:00:00Z", "state": {}},
            "quiz:x": [],
        }
    )
    report = page.evaluate("t => Curriculum.importProgress(t)", text)
    assert (
        report["ok"]
        and report["imported"] == ["quiz:intro"]
        and report["kept"] == ["worksheet:intro-thought"]
    )
    assert sorted(report["ignored"]) == [
        "nonsense",
        "quiz:x",
        "spotter:spot-the-stem",
        "vignette:first-visit",
    ]
    assert "Ignored 4 records with an unexpected shape" in report["message"]
    after = tools.stored(page)["records"]
    assert after["quiz:intro"] == newer_quiz
    assert after["worksheet:intro-thought"] == mine["worksheet:intro-thought"]
    assert after["vignette:first-visit"] == mine["vignette:first-visit"]
    expect(page.locator(".cur-quiz .cur-verdict")).to_have_count(0)  # the newer, empty quiz record won

    bad = {
        "this is not json": "not valid JSON",
        json.dumps({"format": "something-else"}): "not a curriculum progress file",
        make_progress({}, version=2): "has version 2; this site reads version 1",
        make_progress({}, site="another-site"): "belongs to another site (“another-site”)",
        json.dumps({"format": "curriculum-progress", "version": 1, "records": []}): "has no records",
    }
    before = tools.stored(page)
    for text, expected in bad.items():
        report = page.evaluate("t => Curriculum.importProgress(t)", text)
        assert not report["ok"] and expected in report["message"], report
        assert report["message"].endswith("Nothing was imported.")
    assert tools.stored(page)["records"] == before["records"]


def test_a_record_dated_in_the_future_or_oddly_never_wins(open_page, http_base, tools):
    """The review's H06: a record dated 9999 overwrote the learner's newer text."""
    page = open_page(http_base + "all.html")
    do_some_work(page)
    mine = tools.stored(page)["records"]
    future = {"updated": "9999-12-31T23:59:59Z", "state": {"fields": {"situation": "FROM-FUTURE-FILE"}}}
    odd = {"updated": "2030", "state": {"attempts": []}}  # Date.parse reads it; it is not a timestamp
    text = make_progress({"worksheet:intro-thought": future, "quiz:intro": odd})
    report = page.evaluate("t => Curriculum.importProgress(t)", text)
    assert report["ok"] and report["imported"] == [] and report["kept"] == []
    assert sorted(report["ignored"]) == ["quiz:intro", "worksheet:intro-thought"]
    assert (
        "Ignored 2 records dated in the future or not dated as a progress file dates them"
        in report["message"]
    )
    assert tools.stored(page)["records"] == mine
    expect(page.locator(".cur-worksheet").get_by_label("Situation")).to_have_value("Ward round, 9 am.")


def test_two_tabs_stay_in_step(open_page, http_base):
    first = open_page(http_base + "quiz.html")
    second = open_page(http_base + "quiz.html", context=first.context)
    first.locator(".cur-quiz").get_by_label("Her rating of the alliance").check()
    first.get_by_role("button", name="Check answer").click()
    expect(second.locator(".cur-quiz .cur-verdict")).to_contain_text("Correct")
    second.get_by_role("button", name="Next →").click()
    second.get_by_label("Largely on the common stem").check()
    second.get_by_role("button", name="Check answer").click()
    expect(first.locator(".cur-quiz .cur-result")).to_contain_text("2 of 2 items correctly")


NO_STORAGE = """
Object.defineProperty(window, "localStorage", {
  configurable: true,
  get() { throw new DOMException("The operation is insecure.", "SecurityError"); },
});
"""


def test_without_localstorage_keeps_state_in_memory(open_page, base):
    page = open_page(base + "quiz.html", init_script=NO_STORAGE)
    expect(page.locator(".cur-progress-panel .cur-notice")).to_contain_text(
        "This browser does not let the site save your answers"
    )
    page.get_by_label("Her rating of the alliance").check()
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator(".cur-quiz .cur-verdict")).to_contain_text("Correct")
    page.get_by_role("button", name="Next →").click()
    page.get_by_role("button", name="← Previous").click()
    expect(page.locator(".cur-quiz .cur-verdict")).to_contain_text("Correct")
    exported = page.evaluate("Curriculum.exportProgress()")
    assert list(exported["records"]) == ["quiz:intro"]


def test_broken_parts_fail_in_place(open_page, base):
    page = open_page(base + "broken.html", allow_errors=False)
    errors = page.locator(".cur-error")
    expect(errors).to_have_count(3)
    expect(errors.nth(0)).to_contain_text("This quiz cannot be shown: its data is damaged.")
    expect(errors.nth(1)).to_contain_text("asks for a component this site does not have (“nosuch”)")
    expect(errors.nth(2)).to_contain_text("This quiz could not start")
    assert any("[curriculum]" in line for line in page.watch.console)
    # The healthy component on the same page works.
    s = page.locator(".cur-spotter")
    s.get_by_label("Technique (turn 2)").select_option("reflection")
    s.get_by_label("Stem: common factors and supportive").check()
    s.get_by_role("button", name="Check labels").click()
    expect(s.locator(".cur-score")).to_have_text("1 of 1 techniques, 1 of 1 places.")


def test_requests_stay_on_the_test_server(open_page, http_base, server):
    page = open_page(http_base + "all.html")
    do_some_work(page)
    urls = sorted(set(page.watch.requests))
    assert urls == sorted(
        {
            http_base + "all.html",
            http_base + "assets/page.css",
            http_base + "assets/curriculum.css",
            http_base + "assets/curriculum.js",
        }
    )


def test_an_import_into_full_storage_keeps_the_records_and_the_name_in_memory(open_page, base):
    """A file with a name, imported when the browser refuses to store more: nothing is dropped."""
    page = open_page(base + "quiz.html")
    full = "() => { throw new DOMException('full', 'QuotaExceededError'); }"
    page.evaluate(f"() => {{ Storage.prototype.setItem = {full}; }}")
    text = json.dumps(
        {
            "format": "curriculum-progress",
            "version": 1,
            "site": "test",
            "updated": "2026-01-01T00:00:00Z",
            "learner": "Dr Alex Rivera",
            "records": {"quiz:intro": {"updated": "2026-01-01T00:00:00Z", "state": {"attempts": []}}},
        }
    )
    report = page.evaluate("t => Curriculum.importProgress(t)", text)
    assert report["ok"] and report["imported"] == ["quiz:intro"]
    assert "Your name was set to “Dr Alex Rivera”" in report["message"]
    assert "could not save them permanently" in report["message"]
    exported = page.evaluate("Curriculum.exportProgress()")
    assert list(exported["records"]) == ["quiz:intro"] and exported.get("learner") == "Dr Alex Rivera"
