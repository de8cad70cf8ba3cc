"""An activity completed end to end in Chromium, from the built site opened from disk (``file://``).

The test project with the welcome activity (``tests/data/activity/``: a
one-item pre-test and a four-item post-test over the project's one lesson) is
built once for this module. A learner takes the pre-test, fails the post-test,
retries it (the options are reshuffled), passes, evaluates the activity, and
prints the certificate; the PDF's text is read back with pypdf. Before the
pass and the evaluation the certificate page says what is missing; a name and
a comment full of markup are shown as text and never run; axe-core finds no
violation on the start, evaluation and certificate pages.
"""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from rich.console import Console

from curriculum.site import build_site
from tests.browser import axe_check, goto
from tests.conftest import DATA, PROJECT

pytestmark = [pytest.mark.browser]

XSS_NAME = 'Ana <b>Ruiz</b> <img src=x onerror="window.__xss=1">'
XSS_TEXT = "<script>window.__xss=1</script><img src=x onerror=window.__xss=1>"
WRONG = "The size of the waiting room"
NORMS = {  # as `curriculum report --norms` writes them (docs/reports.md)
    "format": "curriculum-norms",
    "version": 1,
    "site": "test-curriculum",
    "generated": "2026-12-01",
    "min_respondents": 5,
    "quizzes": {
        "welcome-post": {
            "title": "Welcome post-test",
            "items": ["wel-post-01", "wel-post-02", "wel-post-03", "wel-post-04"],
            "n": 12,
            "mean": 0.625,
            "sd": 0.2,
            "provisional": True,
            "distribution": [1, 1, 3, 4, 3],
            "percentiles": [4.2, 12.5, 29.2, 58.3, 87.5],
        }
    },
}
RIGHT = [
    "His rating of the alliance",
    "Her rating of the alliance",
    "On the shared stem",
    "On the shared stem",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Path:
    """The test project with the welcome activity, built by the Pandoc engine."""
    root = tmp_path_factory.mktemp("activity") / "project"
    shutil.copytree(
        PROJECT, root, ignore=shutil.ignore_patterns("_site*", ".curriculum-cache", "quiz", "cases")
    )
    shutil.copytree(DATA / "activity", root, dirs_exist_ok=True)
    config = root / "_quarto.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("    - cases/*.qmd\n", "    - cases/*.qmd\n    - activity/*.qmd\n")
    text = text.replace(
        "        contents:\n          - lessons/intro.ipynb",
        "        contents:\n          - activity/welcome.qmd\n          - lessons/intro.ipynb",
    )
    text += "curriculum:\n  norms: norms.json\n"
    config.write_text(text, encoding="utf-8")
    (root / "norms.json").write_text(json.dumps(NORMS), encoding="utf-8")
    return build_site(root, engine="pandoc", console=Console(quiet=True)).out


def _url(site: Path, name: str) -> str:
    return (site / name).resolve().as_uri()


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CURRICULUM_SHOTS", str(tmp_path)))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _records(page: Any) -> dict[str, Any]:
    raw = page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('curriculum-progress:v1:'))"
        ".map(k => localStorage.getItem(k))[0] || '{}'"
    )
    return dict(json.loads(raw).get("records", {}))


def _answer_all(page: Any, choices: list[str]) -> None:
    quiz = page.locator(".cur-quiz")
    for n, text in enumerate(choices):
        quiz.locator(".cur-option label", has_text=text).first.click()
        if n < len(choices) - 1:
            quiz.get_by_role("button", name="Next →").click()
    quiz.get_by_role("button", name="Submit all").click()
    expect(quiz.locator(".cur-result")).to_be_visible()


def test_an_activity_from_start_to_certificate(open_page: Any, site: Path, tmp_path: Path) -> None:
    shots = _shots(tmp_path)
    page = open_page(_url(site, "activity/welcome.html"))
    start = page.locator(".cur-activity")
    expect(start).to_contain_text("Welcome self-assessment")
    expect(start).to_contain_text("75% of the post-test items answered correctly")
    expect(start).to_contain_text("not accredited CME credit unless an accredited provider issues it")
    expect(start).to_contain_text("not clinical advice")
    expect(start).to_contain_text("No relevant financial relationships")
    expect(start.locator(".cur-activity-objectives li")).to_have_text(  # in authored order
        ["Place supportive work on the Y model.", "Describe the alliance as a common factor."]
    )
    links = start.locator(".cur-activity-steps a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "../quiz/welcome-pre.html",
        "../lessons/intro.html",
        "../quiz/welcome-post.html",
        "welcome-evaluation.html",
        "welcome-certificate.html",
    ]
    axe_check(page, "activity start page")
    page.screenshot(path=str(shots / "activity-start.png"), full_page=True)

    # Before the pass and the evaluation: no certificate, and what is missing, with links.
    goto(page, _url(site, "activity/welcome-certificate.html"))
    cert = page.locator(".cur-activity")
    expect(cert.locator(".cur-certificate-sheet")).to_have_count(0)
    expect(cert.locator(".cur-activity-missing")).to_be_visible()
    expect(cert.get_by_role("link", name="Pass the post-test")).to_have_attribute(
        "href", "../quiz/welcome-post.html"
    )
    expect(cert.get_by_role("link", name="Complete the evaluation")).to_have_attribute(
        "href", "welcome-evaluation.html"
    )
    expect(cert.get_by_role("textbox")).to_have_count(0)

    # The pre-test, then the post-test failed, retried with the options reshuffled, and passed.
    goto(page, _url(site, "quiz/welcome-pre.html"))
    _answer_all(page, ["Her rating of the alliance"])
    goto(page, _url(site, "quiz/welcome-post.html"))
    expect(page.locator(".page-meta a")).to_have_attribute("href", "../activity/welcome.html")
    expect(page.locator(".cur-quiz .cur-meta")).to_contain_text("Pass mark: 75%")
    _answer_all(page, [WRONG] * 4)
    expect(page.locator(".cur-pass")).to_contain_text("Not yet passed")
    expect(page.locator(".cur-norms")).to_have_text(
        "Cohort norms (12 learners, provisional): mean 62.5%. Your score is at about the 4th percentile."
    )
    expect(page.locator(".cur-rationale").first).to_be_visible()
    expect(page.locator(".cur-item-refs").first).to_be_visible()
    page.get_by_role("button", name="Try again: new attempt").click()
    attempts = _records(page)["quiz:welcome-post"]["state"]["attempts"]
    assert len(attempts) == 2 and attempts[0]["order"] != attempts[1]["order"]
    _answer_all(page, RIGHT)
    expect(page.locator(".cur-pass")).to_contain_text("Passed")
    expect(page.locator(".cur-norms")).to_contain_text("at about the 88th percentile")

    goto(page, _url(site, "activity/welcome-certificate.html"))
    expect(page.locator(".cur-activity-missing")).to_be_visible()
    expect(page.get_by_role("link", name="Pass the post-test")).to_have_count(0)
    expect(page.get_by_role("link", name="Complete the evaluation")).to_be_visible()

    # The evaluation: incomplete answers are refused, then recorded with the free text as text.
    goto(page, _url(site, "activity/welcome-evaluation.html"))
    evaluation = page.locator(".cur-activity")
    evaluation.get_by_role("button", name="Submit the evaluation").click()
    expect(evaluation.locator(".cur-hint")).to_contain_text("Rate 5 statements still unrated.")
    axe_check(page, "activity evaluation page")
    for group in evaluation.locator(".cur-activity-likert fieldset").all():
        group.get_by_label("Agree", exact=True).check()
    evaluation.get_by_label("Yes", exact=True).check()
    evaluation.get_by_label("Yes, free of commercial bias").check()
    evaluation.get_by_label("What will you change, if anything? (optional)").fill(XSS_TEXT)
    evaluation.get_by_label("Other comments on the activity (optional)").fill("Clear cases.")
    evaluation.get_by_role("button", name="Submit the evaluation").click()
    expect(evaluation).to_contain_text("Thank you: your evaluation is recorded.")
    evaluation.get_by_role("button", name="Change my evaluation").click()
    expect(evaluation.get_by_label("What will you change, if anything? (optional)")).to_have_value(XSS_TEXT)

    # The certificate: the name as typed, shown and printed as text.
    goto(page, _url(site, "activity/welcome-certificate.html"))
    cert = page.locator(".cur-activity")
    cert.get_by_label("Your name, as it should appear on the certificate").fill(XSS_NAME)
    cert.get_by_role("button", name="Issue my certificate").click()
    sheet = cert.locator(".cur-certificate-sheet")
    expect(sheet.locator(".cur-certificate-name")).to_have_text(XSS_NAME)
    expect(sheet).to_contain_text("Welcome self-assessment")
    expect(sheet).to_contain_text("100%")
    assert sheet.locator("img, b, script").count() == 0
    axe_check(page, "activity certificate page")
    page.screenshot(path=str(shots / "activity-certificate.png"), full_page=True)
    state = _records(page)["activity:welcome"]["state"]
    assert state["name"] == XSS_NAME and state["certificate"]["score"] == 1
    assert state["evaluation"]["change_text"] == XSS_TEXT and state["evaluation"]["likert"]["objectives"] == 4

    pdf = shots / "certificate.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4")
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    assert len(reader.pages) == 1
    words = " ".join(unicodedata.normalize("NFKC", reader.pages[0].extract_text()).split())  # no ligatures
    for expected in (
        "Certificate of completion",
        "Ana <b>Ruiz</b>",
        "Welcome self-assessment",
        "Post-test score",
        "100% (pass mark 75%)",
        "Estimated hours 1.5",
        "records self-assessment; it is not accredited CME credit unless an accredited provider issues it",
    ):
        assert expected in words, words
    assert "Change the name" not in words and "Print or save" not in words
    assert page.evaluate("window.__xss") is None

    # The progress page lists the activity with the kind's own status.
    page.emulate_media(media="screen")
    goto(page, _url(site, "progress.html"))
    expect(page.locator(".cur-progress")).to_contain_text("Welcome self-assessment")
    expect(page.locator(".cur-progress")).to_contain_text("Certificate issued (post-test 100%)")
    assert page.evaluate("window.__xss") is None
