"""The technique spotter and the worksheet on static pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_spotter_label_check_try_again(open_page, base, tools):
    page = open_page(base + "spotter.html")
    s = page.locator(".cur-spotter")
    expect(s.locator(".cur-turn")).to_have_count(3)
    expect(s.locator(".cur-turn-marked")).to_have_count(1)
    expect(s.locator("select")).to_have_count(1)

    # A wrong technique, the right place.
    s.get_by_label("Technique (turn 2)").select_option(label="Advice")
    s.get_by_label("Stem: common factors and supportive").check()
    tools.reload(page)  # labels are kept
    expect(s.get_by_label("Technique (turn 2)")).to_have_value("advice")
    expect(s.get_by_label("Stem: common factors and supportive")).to_be_checked()
    s.get_by_role("button", name="Check labels").click()
    result = s.locator(".cur-turn-result")
    expect(result.locator(".cur-verdict").nth(0)).to_have_text(
        "✗ Technique: you chose Advice; the expert label is Reflection."
    )
    expect(result.locator(".cur-verdict").nth(1)).to_have_text(
        "✓ Y model: Stem: common factors and supportive, as the expert placed it."
    )
    expect(result.locator(".cur-reason")).to_contain_text("says back the patient's meaning")
    expect(s.locator(".cur-score")).to_have_text("0 of 1 techniques, 1 of 1 places.")
    assert tools.live_text(page, ".cur-spotter").startswith("0 of 1 techniques, 1 of 1 places.")
    expect(s.get_by_label("Technique (turn 2)")).to_be_disabled()
    state = tools.stored(page)["records"]["spotter:spot-the-stem"]["state"]
    assert state == {
        "labels": {"1": {"technique": "advice", "place": "stem"}},
        "checked": True,
        "result": {"techniques": 0, "places": 1, "total": 1},
    }

    # Try again clears the labels; then all correct.
    s.get_by_role("button", name="Try again").click()
    expect(s.get_by_label("Technique (turn 2)")).to_be_focused()
    expect(s.get_by_label("Technique (turn 2)")).to_have_value("")
    s.get_by_label("Technique (turn 2)").select_option("reflection")
    s.get_by_label("Stem: common factors and supportive").check()
    s.get_by_role("button", name="Check labels").click()
    expect(s.locator(".cur-score")).to_have_text("1 of 1 techniques, 1 of 1 places.")
    expect(s.locator(".cur-turn-result .cur-bad")).to_have_count(0)


def test_spotter_asks_before_showing_the_labels_of_unlabelled_turns(open_page, base, tools):
    page = open_page(base + "spotter-three.html")
    s = page.locator(".cur-spotter")
    expect(s.locator(".cur-meta")).to_have_text(re.compile(r"^Label the 3 marked turns: "))
    # One turn fully labelled, one half labelled, one not at all.
    s.get_by_label("Technique (turn 1)").select_option("agenda-setting")
    s.locator(".cur-turn").nth(0).get_by_label("Stem: common factors and supportive").check()
    s.get_by_label("Technique (turn 3)").select_option("reflection")
    s.get_by_role("button", name="Check labels").click()

    confirm = s.get_by_role("group", name=re.compile("^2 of 3 marked turns are not labelled yet"))
    expect(confirm).to_be_visible()
    expect(confirm.get_by_role("button", name="Keep labelling")).to_be_focused()
    assert "2 of 3 marked turns are not labelled yet" in tools.live_text(page, ".cur-spotter")
    expect(s.locator(".cur-turn-result")).to_have_count(0)  # nothing given away yet
    state = tools.stored(page)["records"]["spotter:intro-spot-three"]["state"]
    assert state.get("checked") is False

    # Keep labelling: back to the first turn still open.
    confirm.get_by_role("button", name="Keep labelling").click()
    expect(confirm).to_have_count(0)
    expect(s.get_by_label("Technique (turn 3)")).to_be_focused()
    expect(s.locator(".cur-turn-result")).to_have_count(0)

    # Check anyway: the labels are shown, with the count of missing labels announced.
    s.get_by_role("button", name="Check labels").click()
    s.get_by_role("button", name="Check anyway").click()
    expect(s.locator(".cur-turn-result")).to_have_count(3)
    expect(s.locator(".cur-score")).to_have_text("2 of 3 techniques, 0 of 3 places.")
    expect(s.get_by_role("heading", name="Your labels")).to_be_focused()
    assert tools.live_text(page, ".cur-spotter") == (
        "2 of 3 techniques, 0 of 3 places. 2 of the turns had a label missing."
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_spotter_confirmation_is_accessible(open_page, http_base, tools, scheme):
    page = open_page(http_base + "spotter-three.html", color_scheme=scheme)
    page.locator(".cur-spotter").get_by_role("button", name="Check labels").click()
    expect(page.get_by_role("button", name="Keep labelling")).to_be_focused()
    tools.axe_check(page, f"spotter confirmation ({scheme})")
    page.get_by_role("button", name="Check anyway").click()
    tools.axe_check(page, f"spotter after checking ({scheme})")


def test_worksheet_type_reload_compare_download_clear(open_page, base, tools):
    page = open_page(base + "worksheet.html")
    ws = page.locator(".cur-worksheet").first
    expect(ws.locator("h3")).to_have_text("A thought record")
    expect(ws.locator(".cur-case")).to_contain_text("hard call night")
    compare = ws.get_by_role("button", name="Compare with an example")
    expect(compare).to_be_disabled()
    situation = ws.get_by_label("Situation")
    expect(situation).to_have_attribute("aria-describedby", situation.get_attribute("id") + "-help")
    situation.click()
    page.keyboard.type("Night shift, <b>bold</b> & the patient left.")
    expect(compare).to_be_enabled()
    ws.get_by_label("Emotions").fill("Shame 80\nWorry 40")
    page.wait_for_function(
        "() => (localStorage.getItem('curriculum-progress:v1:test') || '').includes('Worry 40')"
    )
    record = tools.stored(page)["records"]["worksheet:intro-thought"]
    assert record["state"]["fields"] == {
        "situation": "Night shift, <b>bold</b> & the patient left.",
        "emotions": "Shame 80\nWorry 40",
    }
    assert record["state"]["updated"].endswith("Z")

    tools.reload(page)
    expect(ws.get_by_label("Situation")).to_have_value("Night shift, <b>bold</b> & the patient left.")
    expect(ws.get_by_label("Emotions")).to_have_value("Shame 80\nWorry 40")
    expect(ws.locator(".cur-saved")).to_contain_text("Saved")

    ws.get_by_role("button", name="Compare with an example").click()
    panel = ws.locator(".cur-compare")
    expect(panel.locator("h4")).to_be_focused()
    first = panel.locator(".cur-compare-field").first
    expect(first.locator(".cur-yours")).to_have_text("Night shift, <b>bold</b> & the patient left.")
    expect(first.locator(".cur-example")).to_contain_text("Tuesday 3 am")
    expect(panel.locator(".cur-yours b")).to_have_count(0)  # the learner's text is never markup
    # Typing updates the comparison in place.
    ws.get_by_label("Situation").fill("Changed")
    expect(first.locator(".cur-yours")).to_have_text("Changed")

    with page.expect_download() as info:
        ws.get_by_role("button", name="Download my worksheet").click()
    download = info.value
    assert download.suggested_filename == "intro-thought.md"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith("# A thought record\n")
    assert "## Situation\n\nChanged\n" in text
    assert "## Emotions\n\nShame 80\nWorry 40\n" in text
    assert "## Outcome\n\n_(empty)_\n" in text

    ws.get_by_role("button", name="Clear…").click()
    expect(ws.get_by_role("button", name="Cancel")).to_be_focused()
    ws.get_by_role("button", name="Cancel").click()
    expect(ws.get_by_label("Situation")).to_have_value("Changed")
    ws.get_by_role("button", name="Clear…").click()
    ws.get_by_role("button", name="Clear the worksheet").click()
    expect(ws.get_by_label("Situation")).to_have_value("")
    expect(ws.get_by_label("Situation")).to_be_focused()
    assert tools.stored(page)["records"]["worksheet:intro-thought"]["state"]["fields"] == {}

    # The reflection worksheet has no example: no Compare button.
    reflection = page.locator(".cur-worksheet").nth(1)
    expect(reflection.get_by_role("button", name="Compare with an example")).to_have_count(0)
    expect(reflection.locator(".cur-prompt-text")).to_have_text("What surprised you in this lesson?")
