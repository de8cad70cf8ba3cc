"""The quiz component on static pages: formative, pre/post test, summative, layouts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from tests import node

pytestmark = pytest.mark.browser

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def shown_order(page, scope=".cur-quiz"):
    return page.locator(f"{scope} .cur-options input").evaluate_all("els => els.map(e => e.value)")


def focused_key(page):
    return page.evaluate("document.activeElement && document.activeElement.getAttribute('data-key')")


def test_formative_quiz_feedback_score_reload_retry(open_page, base, site, tools):
    page = open_page(base + "quiz.html")
    quiz = page.locator(".cur-quiz")
    expect(quiz.locator("h3")).to_have_text("Introduction quiz")
    expect(quiz.locator(".cur-item-heading")).to_have_text("Item 1 of 2")
    assert tools.stored(page) == {}, "opening a quiz must not write progress"

    # Item 1: the keyed answer.
    first_order = shown_order(page)
    assert sorted(first_order) == ["a", "b", "c", "d"]
    page.get_by_label("Her rating of the alliance").check()
    page.get_by_role("button", name="Check answer").click()
    verdict = quiz.locator(".cur-verdict")
    expect(verdict).to_contain_text("Correct: this is the best answer.")
    expect(verdict.locator(".cur-icon")).to_have_text("✓")
    expect(quiz.locator(".cur-option-notes")).to_contain_text("The alliance predicted outcome in every arm")
    expect(quiz.locator(".cur-rationale")).to_contain_text("NIMH depression collaborative study")
    expect(quiz.locator(".cur-item-refs")).to_contain_text("Krupnick")
    assert "Correct." in tools.live_text(page, ".cur-quiz")
    assert focused_key(page) == "feedback:intro-q01"
    expect(quiz.locator("input").first).to_be_disabled()

    # The citation points at this instance's reference list, and following it stays inside.
    cite = quiz.locator(".cur-rationale a[href*='ref-krupnick1996']")
    href = cite.get_attribute("href")
    assert href.startswith("#cur-quiz-intro") and href.endswith("-ref-krupnick1996")
    assert quiz.locator(href).count() == 1
    cite.click()
    assert page.evaluate("document.activeElement.id") == href[1:]

    # Item 2: a wrong answer.
    page.get_by_role("button", name="Next →").click()
    assert focused_key(page) == "item:intro-q02"
    page.get_by_label("On the cognitive-behavioural branch").check()
    page.get_by_role("button", name="Check answer").click()
    expect(verdict).to_contain_text("Not the best answer")
    expect(verdict.locator(".cur-icon")).to_have_text("✗")
    expect(quiz.locator(".cur-option-key")).to_contain_text("Largely on the common stem")
    expect(quiz.locator(".cur-option-key .cur-mark")).to_contain_text("✓ the best answer")
    expect(quiz.locator(".cur-option-chosen .cur-mark")).to_contain_text("✗ Your choice: not correct")
    # Each option keeps its authored letter, whatever the order on screen (the answer key uses it).
    for letter in "abcd":
        expect(quiz.locator(f"input[value={letter}] + label .cur-option-letter")).to_have_text(f"{letter}.")
    expect(quiz.locator(".cur-option-key label")).to_have_text("c. Largely on the common stem")
    # The key's feedback, shown to a learner who chose another option, does not begin "Correct".
    key_note = quiz.locator(".cur-option-note.cur-good")
    expect(key_note.locator(".cur-note-label")).to_contain_text("Best answer: c. Largely on the common stem")
    expect(key_note.locator(".cur-note-text")).to_have_text(
        "Supportive therapy sits largely on the shared stem."
    )
    expect(quiz.locator(".cur-item-objectives")).to_contain_text("Place supportive work on the Y model")
    result = quiz.locator(".cur-result")
    expect(result).to_contain_text("You answered 1 of 2 items correctly (50%).")
    expect(result).to_contain_text("Describe the alliance as a common factor: 1 of 1 correct")
    expect(result).to_contain_text("Place supportive work on the Y model: 0 of 1 correct")
    assert "Quiz finished: 1 of 2 correct." in tools.live_text(page, ".cur-quiz")

    progress = tools.stored(page)
    assert (
        progress["format"] == "curriculum-progress"
        and progress["version"] == 1
        and progress["site"] == "test"
    )
    record = progress["records"]["quiz:intro"]
    assert ISO.match(record["updated"])
    attempt = record["state"]["attempts"][0]
    assert attempt["responses"] == {"intro-q01": ["a"], "intro-q02": ["b"]}
    assert attempt["checked"] == ["intro-q01", "intro-q02"]
    assert attempt["score"] == 0.5 and attempt["submitted"] is None and ISO.match(attempt["started"])
    assert attempt["order"]["intro-q01"] == first_order

    # Reload: progress kept, same option order.
    tools.reload(page)
    expect(quiz.locator(".cur-result")).to_contain_text("1 of 2 items correctly")
    assert shown_order(page) == attempt["order"]["intro-q01"]
    expect(quiz.locator(".cur-verdict")).to_contain_text("Correct")

    # Retry: a new attempt with a new option order, stored and reproducible from its seed.
    page.get_by_role("button", name="Try again: new attempt").click()
    assert "New attempt started" in tools.live_text(page, ".cur-quiz")
    assert focused_key(page) == "item:intro-q01"
    expect(quiz.locator(".cur-verdict")).to_have_count(0)
    state = tools.stored(page)["records"]["quiz:intro"]["state"]
    first, second = state["attempts"]
    assert second["responses"] == {} and second["checked"] == [] and second["score"] is None
    for item in ("intro-q01", "intro-q02"):
        assert sorted(second["order"][item]) == sorted(first["order"][item])
        assert second["order"][item] != first["order"][item], "each attempt draws a new option order"
    assert shown_order(page) == second["order"]["intro-q01"]
    items = site.payload("quiz:intro")["items"]
    seed = f"quiz:intro#1@{second['started']}"
    again = node.run(
        'import { drawOrder } from "./src/curriculum/web/random.js";\n'
        "console.log(JSON.stringify(drawOrder(DATA.items, DATA.seed, DATA.previous, true)));",
        {"items": items, "seed": seed, "previous": first["order"]},
    )
    assert again == second["order"], "the stored order is the one drawn from the attempt's seed"
    tools.reload(page)
    assert shown_order(page) == second["order"]["intro-q01"]
    expect(quiz.locator(".cur-history")).to_have_text("Earlier attempts: 50%.")


def test_check_without_answer_asks_for_one(open_page, http_base, tools):
    page = open_page(http_base + "quiz.html")
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator(".cur-hint")).to_have_text("Select an answer first.")
    assert tools.live_text(page, ".cur-quiz") == "Select an answer first."
    assert tools.stored(page) == {}


def test_posttest_submit_score_against_pass_mark(open_page, base, tools):
    page = open_page(base + "posttest.html")
    quiz = page.locator(".cur-quiz")
    expect(quiz.locator(".cur-meta")).to_contain_text("Pass mark: 70%.")
    expect(quiz.get_by_role("button", name="Check answer")).to_have_count(0)

    # Submitting with unanswered items asks first.
    page.get_by_role("button", name="Submit all").click()
    expect(quiz.locator(".cur-confirm")).to_contain_text(
        "2 items are unanswered and will count as incorrect."
    )
    page.get_by_role("button", name="Keep answering").click()
    expect(quiz.locator(".cur-confirm")).to_have_count(0)

    page.get_by_label("His rating of the alliance").check()
    expect(quiz.locator(".cur-count")).to_have_text("1 of 2 items answered.")
    page.get_by_role("button", name="Next →").click()
    page.get_by_label("On the CBT branch").check()
    expect(quiz.locator(".cur-verdict")).to_have_count(0)  # no feedback before submitting
    page.get_by_role("button", name="Submit all").click()
    result = quiz.locator(".cur-result")
    expect(result).to_contain_text("You answered 1 of 2 items correctly (50%).")
    expect(result.locator(".cur-pass")).to_have_text("✗ Not yet passed: the pass mark is 70%.")
    assert "Not yet passed." in tools.live_text(page, ".cur-quiz")
    # The review shows every item with its feedback and rationale, answers locked.
    expect(quiz.locator(".cur-item")).to_have_count(2)
    expect(quiz.locator(".cur-rationale")).to_have_count(2)
    expect(quiz.locator(".cur-item input:not([disabled])")).to_have_count(0)
    attempt = tools.stored(page)["records"]["quiz:intro-post"]["state"]["attempts"][0]
    assert attempt["score"] == 0.5 and ISO.match(attempt["submitted"])
    # Submitting records each item's result (for the dashboard's mastery, which has no key).
    assert attempt["results"] == {"post-q01": True, "post-q02": False}

    page.get_by_role("button", name="Try again: new attempt").click()
    page.get_by_label("His rating of the alliance").check()
    page.get_by_role("button", name="Next →").click()
    page.get_by_label("On the shared stem").check()
    page.get_by_role("button", name="Submit all").click()
    expect(quiz.locator(".cur-pass")).to_have_text("✓ Passed: the pass mark is 70%.")
    tools.reload(page)
    expect(quiz.locator(".cur-pass")).to_contain_text("Passed")
    expect(quiz.locator(".cur-history")).to_have_text("Earlier attempts: 50%.")


def test_summative_page_carries_no_answer_key(site, tools):
    source = (site.root / "summative.html").read_text(encoding="utf-8")
    for secret in tools.SUMMATIVE_SECRETS:
        assert secret not in source, f"{secret} leaked into the summative page"
    for key in ('"answer"', "feedback_html", "rationale_html", '"references":["'):
        assert key not in source, f"{key} present in the summative page"
    # The same checks do find the key in a formative page (so they can fail).
    formative = (site.root / "quiz.html").read_text(encoding="utf-8")
    assert '"answer"' in formative and "feedback_html" in formative and "rationale_html" in formative


def test_summative_download_response_file(open_page, base, tools):
    page = open_page(base + "summative.html")
    quiz = page.locator(".cur-quiz")
    page.get_by_label("The quality of the alliance").check()
    page.get_by_role("button", name="Next →").click()
    page.get_by_label("Reflective listening").check()
    page.get_by_label("Supportive advice").check()
    page.get_by_role("button", name="Download response file…").click()
    name = page.get_by_label("Your name (optional, written into the file)")
    expect(name).to_be_focused()
    name.fill("Dr Test <b>resident</b>")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download", exact=True).click()
    download = info.value
    assert download.suggested_filename == "intro-final-responses.json"
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["format"] == "curriculum-responses" and data["version"] == 1
    assert data["site"] == "test" and data["quiz"] == "intro-final"
    assert data["learner"] == "Dr Test <b>resident</b>"
    assert ISO.match(data["submitted"])
    assert data["responses"] == {"final-q01": ["a"], "final-q02": ["a", "b"]}
    assert sorted(data["order"]) == ["final-q01", "final-q02"]
    assert sorted(data["order"]["final-q02"]) == ["a", "b", "c"]

    expect(quiz.locator(".cur-result h4")).to_have_text("Response file downloaded")
    expect(quiz.locator("input[type=checkbox]:not([disabled])")).to_have_count(0)
    # Nothing about correctness is ever shown.
    for selector in (".cur-verdict", ".cur-mark", ".cur-feedback", ".cur-option-key", ".cur-pass"):
        expect(quiz.locator(selector)).to_have_count(0)
    assert "correct" not in (quiz.text_content() or "").lower().replace("incorrect", "")
    attempt = tools.stored(page)["records"]["quiz:intro-final"]["state"]["attempts"][0]
    assert attempt["submitted"] == data["submitted"] and attempt["score"] is None
    tools.reload(page)
    expect(quiz.locator(".cur-result h4")).to_have_text("Response file downloaded")
    expect(quiz.locator("input:not([disabled])")).to_have_count(0)


def test_all_at_once_layout_and_multiple_items(open_page, base, tools):
    page = open_page(base + "quiz-all.html")
    quiz = page.locator(".cur-quiz")
    expect(quiz.locator(".cur-item")).to_have_count(2)
    expect(quiz.locator(".cur-pager")).to_have_count(0)
    expect(quiz.locator(".cur-instructions")).to_have_text("Answer each item and check it.")
    # shuffle: false keeps the authored order.
    first = quiz.locator(".cur-item").nth(0)
    second = quiz.locator(".cur-item").nth(1)
    assert first.locator("input").evaluate_all("els => els.map(e => e.value)") == ["a", "b"]
    assert second.locator("input").evaluate_all("els => els.map(e => e.value)") == ["a", "b", "c"]
    expect(second.locator("legend")).to_have_text("Select all that apply")
    second.get_by_label("Reflective listening").check()
    second.get_by_role("button", name="Check answer").click()
    expect(second.locator(".cur-verdict")).to_contain_text("Not quite")
    expect(second.locator(".cur-option-key")).to_have_count(2)
    first.get_by_label("The alliance").check()
    first.get_by_role("button", name="Check answer").click()
    expect(first.locator(".cur-verdict")).to_contain_text("Correct")
    expect(quiz.locator(".cur-result")).to_contain_text("You answered 1 of 2 items correctly (50%).")


def test_keyboard_only_formative_item(open_page, http_base):
    page = open_page(http_base + "quiz.html")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "radio":
            break
    else:
        pytest.fail("Tab never reached an answer option")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Check answer":
            break
    else:
        pytest.fail("Tab never reached Check answer")
    page.keyboard.press("Enter")
    expect(page.locator(".cur-quiz .cur-verdict")).to_be_visible()
    assert (focused_key(page) or "").startswith("feedback:")
    # The focus ring is visible on keyboard focus.
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
