"""The branching vignette on static pages: walk, feedback, endings, Back, Restart, seminar view."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def focused_key(page):
    return page.evaluate("document.activeElement && document.activeElement.getAttribute('data-key')")


def choose(page, text):
    page.get_by_role("button", name=text).click()
    page.get_by_role("button", name="Continue →").click()


def test_walk_to_each_ending_with_back_and_restart(open_page, base, tools):
    page = open_page(base + "vignette.html")
    v = page.locator(".cur-vignette")
    expect(v.locator("h3")).to_have_text("A first visit")
    expect(v.locator(".cur-patient")).to_contain_text("age 52")
    expect(v.locator(".cur-scene-heading")).to_have_text("Step 1")
    expect(v.get_by_role("button", name="← Back")).to_be_disabled()

    # A choice shows its feedback with badges, then Continue moves on.
    page.get_by_role("button", name="Say back his doubt.").click()
    box = v.locator(".cur-choice-feedback")
    expect(box.locator("h5")).to_have_text("✓ Feedback: helpful choice")
    badges = box.locator(".cur-badges")
    expect(badges).to_contain_text("✓ Helpful")
    expect(badges).to_contain_text("Technique: Reflection")
    expect(badges).to_contain_text("Modality: Common factor")
    expect(badges).to_contain_text("Y model: Stem")
    expect(box).to_contain_text("It shows you heard him.")
    expect(box).to_contain_text("Saying back the patient's meaning")
    assert focused_key(page) == "feedback"
    assert "Helpful choice" in tools.live_text(page, ".cur-vignette")
    page.get_by_role("button", name="Continue →").click()
    expect(v.locator(".cur-scene-heading")).to_have_text("Step 2")
    expect(v.locator(".cur-scene")).to_have_text("He describes his week.")
    assert focused_key(page) == "scene"

    # An unhelpful/neutral choice is shown by word and icon too.
    page.get_by_role("button", name="Suggest a walk each day.").click()
    expect(v.locator(".cur-badges .cur-quality")).to_have_text("◐ Neutral")
    # Back undoes it.
    page.get_by_role("button", name="← Back").click()
    expect(v.locator(".cur-choice-feedback")).to_have_count(0)
    expect(v.locator(".cur-scene-heading")).to_have_text("Step 2")
    choose(page, "Reflect the weight of it.")
    choose(page, "Agree on what to cover.")
    choose(page, "Ask how the visit was for him.")

    # The good ending: outcome, debrief, path summary, discussion.
    ending = v.locator(".cur-ending")
    expect(ending.locator(".cur-scene-heading")).to_have_text("Ending: Alliance begun")
    assert focused_key(page) == "scene"
    expect(ending.locator(".cur-debrief")).to_contain_text("The alliance predicts outcome")
    # Only the parts of the debrief that fit this path: agenda setting was used, nothing was neutral.
    expect(ending.locator(".cur-debrief-part")).to_have_count(1)
    expect(ending.locator(".cur-debrief-part")).to_have_text(
        "Agreeing on what to cover shared the work of the visit with him."
    )
    expect(ending.locator(".cur-path ol > li")).to_have_count(4)
    expect(ending.locator(".cur-tally")).to_have_text("4 helpful, 0 neutral, 0 unhelpful choices.")
    expect(ending).to_contain_text("Techniques you used: Reflection, Agenda setting.")
    expect(ending.locator(".cur-endings")).to_have_text("Endings you have reached: 1 of 2 (Alliance begun).")
    expect(ending.locator(".cur-discussion li")).to_have_text("What did the helpful choices have in common?")
    expect(ending.locator(".cur-facilitator")).to_have_count(0)  # resident build
    state = tools.stored(page)["records"]["vignette:first-visit"]["state"]
    assert state == {
        "path": [
            {"node": "one", "choice": 0},
            {"node": "two", "choice": 0},
            {"node": "three", "choice": 0},
            {"node": "four", "choice": 0},
        ],
        "at": "good",
        "endings": {"good": 1},
        "runs": 1,
    }

    # Back from the ending, take the other branch to the second ending.
    page.get_by_role("button", name="← Back").click()
    expect(v.locator(".cur-scene-heading")).to_have_text("Step 4")
    choose(page, "Close with the prescription.")
    expect(v.locator(".cur-scene-heading")).to_have_text("Ending: A visit without a conversation")
    expect(v.locator(".cur-tally")).to_have_text("3 helpful, 1 neutral, 0 unhelpful choices.")
    expect(v.locator(".cur-endings")).to_contain_text("2 of 2")

    # Reload keeps the place; Restart starts again and keeps the record of runs.
    tools.reload(page)
    expect(v.locator(".cur-scene-heading")).to_have_text("Ending: A visit without a conversation")
    page.get_by_role("button", name="Restart the case").click()
    expect(v.locator(".cur-scene-heading")).to_have_text("Step 1")
    assert focused_key(page) == "scene"
    state = tools.stored(page)["records"]["vignette:first-visit"]["state"]
    assert state["path"] == [] and state["at"] == "one"
    assert state["endings"] == {"good": 1, "plain": 1} and state["runs"] == 2


def test_seminar_view_shows_the_whole_map(open_page, base, tools):
    page = open_page(base + "vignette.html")
    v = page.locator(".cur-vignette")
    toggle = v.get_by_role("button", name="Seminar view")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    nodes = v.locator(".cur-map-node")
    expect(nodes).to_have_count(6)
    expect(nodes.locator("h5")).to_have_text(
        [
            "Scene 1",
            "Scene 2",
            "Scene 3",
            "Scene 4",
            "Ending: Alliance begun",
            "Ending: A visit without a conversation",
        ]
    )
    # Every choice with its feedback and badges.
    expect(v.locator(".cur-map-choices > li")).to_have_count(8)
    expect(v.locator(".cur-map-choices")).to_contain_text(
        ["It shows you heard him.", "Useful later, early now."]
    )
    expect(v.locator(".cur-seminar .cur-quality-unhelpful")).to_have_text("✗ Unhelpful")
    expect(v.locator(".cur-seminar .cur-discussion")).to_be_visible()
    # Path-dependent parts of a debrief, each with the paths it fits, in words.
    expect(v.locator(".cur-seminar .cur-debrief-when")).to_have_text(
        ["Shown when the path used Agenda setting:", "Shown when the path had a choice judged neutral:"]
    )
    # "Leads to" links move to the scene inside the component.
    link = v.locator(".cur-next a").first
    target = link.get_attribute("href")[1:]
    link.click()
    assert page.evaluate("document.activeElement.id") == target
    assert v.locator(f"#{target} h5").text_content() == "Scene 2"
    # Closing it returns to the walk-through, unchanged.
    toggle.click()
    expect(v.locator(".cur-scene-heading")).to_have_text("Step 1")
    assert tools.stored(page) == {}


def test_a_debrief_praises_only_what_the_path_did(open_page, base):
    page = open_page(base + "vignette.html")
    v = page.locator(".cur-vignette")
    choose(page, "Tell him to trust the plan.")
    choose(page, "Suggest a walk each day.")
    choose(page, "Decide for him.")
    choose(page, "Ask how the visit was for him.")
    ending = v.locator(".cur-ending")
    expect(ending.locator(".cur-scene-heading")).to_have_text("Ending: Alliance begun")
    # No agenda was agreed on this path, and two steps were neutral.
    expect(ending.locator(".cur-debrief-part")).to_have_text(
        ["A neutral step on the way cost a little time; the reflections around it kept him talking."]
    )


def test_keyboard_only_vignette_step(open_page, http_base):
    page = open_page(http_base + "vignette.html")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('cur-choice')"):
            break
    else:
        pytest.fail("Tab never reached a choice")
    page.keyboard.press("Enter")
    assert focused_key(page) == "feedback"
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Continue →":
            break
    else:
        pytest.fail("Tab never reached Continue")
    page.keyboard.press("Space")
    assert focused_key(page) == "scene"
    expect(page.locator(".cur-scene-heading")).to_have_text("Step 2")
