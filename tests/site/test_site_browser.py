"""The real curriculum's website in Debian's Chromium: navigation, search, components, print, axe.

The repository is built once per profile per session (in a temporary copy,
with ``build_repo``) and served from 127.0.0.1; some tests open the built
files directly (``file://``), as a resident would from a zip on a hospital
computer. Every page is opened through ``open_page``, which fails the test on
any request to another host, a dialog, a script error or a CSP violation.
Nothing here depends on the wording of a lesson: words, counts and titles are
read from the sources and the built search index.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import expect

from curriculum.export import handout_order
from curriculum.site import BuildResult
from tests.browser import MOUNTED, axe_check, goto, serve, wait_until
from tests.conftest import REPO
from tests.site.searchcheck import Entry, entries, expected, index_data, normalise

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSONS = sorted(p.stem for p in (REPO / "lessons").glob("*.ipynb"))
QUIZZES = sorted(p.stem for p in (REPO / "quizzes").glob("*.yml"))
VIGNETTES = sorted(p.stem for p in (REPO / "vignettes").glob("[0-9]*.yml"))
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


# --------------------------------------------------------------------------- the built sites


@pytest.fixture(scope="session")
def resident_out(browser: Any, repo_resident: BuildResult) -> Path:
    """The resident edition of the real curriculum (shared with test_repo_site.py)."""
    return repo_resident.out


@pytest.fixture(scope="session")
def faculty_out(browser: Any, repo_faculty: BuildResult) -> Path:
    return repo_faculty.out


@pytest.fixture(scope="session")
def http(resident_out: Path) -> Iterator[str]:
    with serve(resident_out) as base:
        yield base


@pytest.fixture(scope="session")
def faculty_http(faculty_out: Path) -> Iterator[str]:
    with serve(faculty_out) as base:
        yield base


def file_url(out: Path, name: str) -> str:
    return (out / name).resolve().as_uri()


def clean(page: Any) -> None:
    """Assert the current document had no CSP violation or script error (checked before leaving it)."""
    assert page.evaluate("window.__cspViolations") == [], page.url
    assert page.watch.errors == [], page.url


def visit(page: Any, url: str) -> None:
    """Leave the current document (checking it) and open ``url``."""
    if page.url.startswith(("http", "file")):
        clean(page)
    goto(page, url)


# --------------------------------------------------------------------------- search index helpers


def unique_word(index: list[Entry], where: str = "lessons/") -> tuple[str, Entry]:
    """A word found in exactly one indexed section of the whole site, in a section under ``where``.

    The search box matches substrings of page titles, headings and the words of the text, so
    the word must not occur inside any other entry, not even as part of a longer word.
    """
    haystacks = [e.haystack for e in index]
    for entry in index:
        page, _, anchor = entry.url.partition("#")
        if not (page.startswith(where) and (anchor or where != "lessons/")):
            continue
        for word in sorted(set(re.findall(r"\b[a-z]{10,}\b", normalise(entry.text)))):
            if sum(word in h for h in haystacks) == 1:
                return word, entry
    raise AssertionError(f"no word occurs in exactly one section under {where}")


SECTION_TEXT = """(id) => {
  const heading = document.getElementById(id);
  const headings = Array.from(document.querySelectorAll("main h2, main h3"));
  const next = headings[headings.indexOf(heading) + 1];
  const range = document.createRange();
  range.setStartAfter(heading);
  if (next) range.setEndBefore(next); else range.setEndAfter(document.querySelector("main").lastChild);
  const box = heading.getBoundingClientRect();
  return {text: range.toString(), top: box.top, bottom: box.bottom, height: window.innerHeight};
}"""


# --------------------------------------------------------------------------- 1. navigation


def test_sidebar_and_pager_lead_through_the_lessons(open_page: Any, http: str) -> None:
    page = open_page(http + "index.html", viewport=DESKTOP)
    nav = page.locator("#site-nav")
    assert nav.locator("[aria-current=page]").get_attribute("href") == "index.html"

    link = f'a[href="lessons/{LESSONS[0]}.html"]'
    first = nav.locator(link)
    expect(first).to_be_hidden()  # its section is folded on the home page
    nav.locator("details", has=page.locator(link)).locator("summary").click()
    first.click()
    wait_until(page, MOUNTED)
    assert page.url.endswith(f"lessons/{LESSONS[0]}.html")
    current = nav.locator("[aria-current=page]")
    expect(current).to_have_count(1)
    assert current.get_attribute("href") == f"{LESSONS[0]}.html"
    expect(current).to_be_visible()  # the current lesson's section is open
    expect(current).to_have_text(page.locator("main h1").inner_text())

    clean(page)
    page.locator(".pager a[rel=next]").click()
    wait_until(page, MOUNTED)
    assert page.url.endswith(f"lessons/{LESSONS[1]}.html")
    current = nav.locator("[aria-current=page]")
    expect(current).to_have_count(1)
    assert current.get_attribute("href") == f"{LESSONS[1]}.html"
    expect(current).to_have_text(page.locator("main h1").inner_text())
    assert page.locator(".pager a[rel=prev]").get_attribute("href") == f"{LESSONS[0]}.html"


def test_menu_button_on_a_phone(open_page: Any, http: str) -> None:
    page = open_page(http + f"lessons/{LESSONS[2]}.html", viewport=PHONE, has_touch=True, is_mobile=True)
    button = page.get_by_role("button", name="Menu")
    nav = page.locator("#site-nav")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()

    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    expect(nav.locator("[aria-current=page]")).to_be_visible()
    button.click()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()

    button.click()
    nav.locator("a").first.focus()
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    expect(button).to_be_focused()

    # On a wide screen the sidebar is always there and the button is not.
    page.set_viewport_size(DESKTOP)
    expect(button).to_be_hidden()
    expect(nav).to_be_visible()


# --------------------------------------------------------------------------- 2. search


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_search_finds_a_word_and_the_keyboard_opens_it(
    scheme: str, open_page: Any, resident_out: Path, request: pytest.FixtureRequest
) -> None:
    word, entry = unique_word(entries(resident_out))
    start = (
        request.getfixturevalue("http") + "index.html"
        if scheme == "http"
        else file_url(resident_out, "index.html")
    )
    page = open_page(start, viewport=DESKTOP)
    box = page.get_by_role("searchbox", name="Search the curriculum")
    box.click()
    box.press_sequentially(word, delay=20)
    results = page.locator("#search-results")
    expect(results).to_be_visible()
    links = results.get_by_role("link")
    expect(links).to_have_count(1)
    expect(links.first).to_contain_text(entry.page)
    expect(page.locator("#search-status")).to_have_text("1 result")
    expect(results.locator("mark").first).to_have_text(re.compile(word, re.I))

    box.press("ArrowDown")
    expect(links.first).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(entry.url) + "$"))
    wait_until(page, MOUNTED)
    anchor = entry.url.partition("#")[2]
    section = page.evaluate(SECTION_TEXT, anchor)
    assert word in normalise(section["text"]), f"{word!r} is not in section #{anchor}"
    assert 0 <= section["top"] < section["height"] / 3, (
        f"#{anchor} is not at the top of the window: {section['top']}"
    )
    # The table of contents marks the section being read.
    expect(page.locator(f'.page-toc a[href="#{anchor}"]')).to_have_attribute("aria-current", "location")
    expect(page.locator(".page-toc a[aria-current]")).to_have_count(1)


def test_search_page_lists_results_for_the_query(open_page: Any, http: str, resident_out: Path) -> None:
    word, entry = unique_word(entries(resident_out))
    page = open_page(http + f"search.html?q={word}", viewport=DESKTOP)
    results = page.locator(".search-page-results li")
    expect(results).to_have_count(1)
    expect(results.get_by_role("link")).to_have_attribute("href", entry.url)
    expect(page.get_by_role("searchbox")).to_have_value(word)
    # Enter in the box opens the full results page (a plain form: it works without the script too).
    page.get_by_role("searchbox").fill("alliance")
    page.get_by_role("searchbox").press("Enter")
    page.wait_for_url(re.compile(r"search\.html\?q=alliance$"))
    expect(page.locator(".search-page-results li").first).to_be_visible()
    assert page.locator(".search-page-results li").count() > 1


def page_results(page: Any) -> list[str]:
    return page.locator(".search-page-results a").evaluate_all("as => as.map(a => a.getAttribute('href'))")


@pytest.mark.parametrize("query", ["alliance", "progress", "supportive reassurance", "the frame", "Y model"])
def test_search_counts_every_match_and_ranks_lessons_first(
    query: str, open_page: Any, http: str, resident_out: Path
) -> None:
    want = expected(resident_out, query)
    assert len(want) > 20 or query != "alliance", "alliance is in more sections than one page of results"
    page = open_page(http + f"search.html?q={query}", viewport=DESKTOP)
    status = page.locator(".search-page-status")
    shown = min(20, len(want))
    cut = f", the first {shown} shown." if len(want) > 20 else "."
    expect(status).to_have_text(f"{len(want)} results for “{query}”{cut}")
    expect(page.locator(".search-page-results li")).to_have_count(shown)
    assert page_results(page) == want[:shown]
    # More results on request, focus on the first new one, until all are shown.
    more = page.locator(".search-page-more")
    while len(page_results(page)) < len(want):
        before = len(page_results(page))
        expect(more).to_be_visible()
        more.click()
        expect(page.locator(".search-page-results li")).to_have_count(min(before + 20, len(want)))
        expect(page.locator(".search-page-results a").nth(before)).to_be_focused()
    expect(more).to_be_hidden()
    assert page_results(page) == want
    expect(status).to_have_text(f"{len(want)} results for “{query}”.")
    # For the same score, a lesson never comes after an authors' reference page.
    ranks = {e.url: (e.rank, e.id) for e in entries(resident_out)}
    assert any(ranks[u][0] == 0 for u in want)


def test_the_search_box_says_how_many_and_links_to_all(open_page: Any, http: str, resident_out: Path) -> None:
    want = expected(resident_out, "alliance")
    page = open_page(http + "index.html", viewport=DESKTOP)
    box = page.get_by_role("searchbox", name="Search the curriculum")
    box.fill("alliance")
    expect(page.locator("#search-status")).to_have_text(f"{len(want)} results, the first 8 shown")
    links = page.locator("#search-results a")
    expect(links).to_have_count(9)
    expect(links.last).to_have_text(f"All {len(want)} results for “alliance”")
    links.last.click()
    page.wait_for_url(re.compile(r"search\.html\?q=alliance$"))
    expect(page.locator(".search-page-results li")).to_have_count(20)


def test_reference_lists_are_not_hits(resident_out: Path) -> None:
    index = entries(resident_out)
    assert not [e.url for e in index if normalise(e.heading) in ("references", "bibliography")]
    # A word of a lesson's bibliography that its prose does not use finds nothing in that lesson.
    lesson = (resident_out / "lessons" / f"{LESSONS[0]}.html").read_text(encoding="utf-8")
    refs = re.sub(r"<[^>]+>", " ", lesson.split('id="refs"', 1)[1].split("</main>", 1)[0])
    prose = normalise(" ".join(e.text for e in index if e.url.startswith(f"lessons/{LESSONS[0]}")))
    only_there = [w for w in set(re.findall(r"[a-z]{8,}", normalise(refs))) if w not in prose]
    assert only_there, "the bibliography has words of its own"
    for word in sorted(only_there)[:5]:
        assert not [u for u in expected(resident_out, word) if u.startswith(f"lessons/{LESSONS[0]}")], word


@pytest.mark.parametrize("where", ["quiz/", "cases/", "lessons/"])
def test_quiz_case_and_exercise_text_is_searchable(
    where: str, open_page: Any, http: str, resident_out: Path
) -> None:
    index = entries(resident_out)
    if where == "lessons/":  # an exercise: its text is on its lesson's page, under its anchor
        candidates = [e for e in index if "#cur-spotter-" in e.url or "#cur-worksheet-" in e.url]
        word, entry = next(
            (w, e)
            for e in candidates
            for w in sorted(set(re.findall(r"\b[a-z]{10,}\b", normalise(e.text))))
            if sum(w in x.haystack for x in index) == 1
        )
    else:
        word, entry = unique_word(index, where)
    page = open_page(http + f"search.html?q={word}", viewport=DESKTOP)
    results = page.locator(".search-page-results a")
    expect(results).to_have_count(1)
    expect(results).to_have_attribute("href", entry.url)
    expect(results.locator(".search-snippet mark")).to_have_text(re.compile(word, re.I))
    # Answers stay out: no feedback, rationale or expert reason is in any search file.
    files = [resident_out / "search-index.js", *(resident_out / "search").glob("*.js")]
    text = "\n".join(f.read_text(encoding="utf-8") for f in files)
    quiz = yaml.safe_load((REPO / "quizzes" / f"{QUIZZES[0]}.yml").read_text(encoding="utf-8"))
    rationale = " ".join(quiz["items"][0]["rationale"].split())[:60]
    assert rationale not in text
    feedback = " ".join(quiz["items"][0]["options"][0]["feedback"].split())[:60]
    assert feedback not in text


def test_the_first_search_loads_no_page_text(resident_out: Path) -> None:
    data = index_data(resident_out)
    assert set(data) == {"version", "stop", "pages", "headings", "anchors", "words", "postings"}
    longest = max(len(e.text) for e in entries(resident_out))
    assert longest > 2000 and all(len(h) < 300 for h in data["headings"].split("\n"))
    pages_html: dict[str, str] = {}
    for e in entries(resident_out):  # every result leads to an anchor that exists
        page, _, anchor = e.url.partition("#")
        html = pages_html.setdefault(page, (resident_out / page).read_text(encoding="utf-8"))
        assert not anchor or f'id="{anchor}"' in html, e.url


# --------------------------------------------------------------------------- 3. components mount


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_component_of_a_lesson_mounts_from_disk(
    lesson: str, open_page: Any, resident_out: Path
) -> None:
    page = open_page(file_url(resident_out, f"lessons/{lesson}.html"), viewport=DESKTOP)
    widgets = page.locator(".cur-widget")
    assert widgets.count() >= 2, "a lesson shows at least its case and its quiz"
    expect(page.locator(".cur-widget:not([data-cur-mounted])")).to_have_count(0)
    for i in range(widgets.count()):
        expect(widgets.nth(i)).to_be_visible()
    requested = {u for u in page.watch.requests if not u.startswith("data:")}
    assert all(u.startswith("file://") for u in requested), requested
    clean(page)


def test_case_and_quiz_pages_mount_over_http(open_page: Any, http: str) -> None:
    page = open_page(viewport=DESKTOP)
    for name in [f"cases/{v}.html" for v in VIGNETTES] + [f"quiz/{q}.html" for q in QUIZZES]:
        visit(page, http + name)
        assert page.locator(".cur-widget[data-cur-mounted]").count() >= 1, name
        # The sidebar does not list the page: it shows the section's index (the library, the quizzes).
        parent = page.locator("#site-nav a.nav-parent")
        expect(parent).to_have_attribute("href", "index.html")
        expect(parent).to_be_visible()
    visit(page, http + "progress.html")
    expect(page.get_by_role("button", name="Export progress")).to_be_visible()
    clean(page)


# --------------------------------------------------------------------------- 4. print


def test_quiz_handout_prints(open_page: Any, http: str, tmp_path: Path) -> None:
    quiz = QUIZZES[0]
    items = yaml.safe_load((REPO / "quizzes" / f"{quiz}.yml").read_text(encoding="utf-8"))["items"]
    page = open_page(http + f"quiz/{quiz}.html", viewport=DESKTOP)
    handout = page.locator(".cur-handout")
    expect(handout).to_be_hidden()
    expect(page.locator(".cur-widget[data-component=quiz]")).to_be_visible()

    page.emulate_media(media="print")
    expect(handout).to_be_visible()
    expect(handout.locator(".handout-item")).to_have_count(len(items))
    for i, item in enumerate(items):
        entry = handout.locator(".handout-item").nth(i)
        expect(entry).to_be_visible()
        options = entry.locator(".handout-options li")
        expect(options).to_have_count(len(item["options"]))
        # each with its own letter, as on screen, in the sheet's fixed order (not the file's)
        letters = handout_order(quiz, item["id"], [option["id"] for option in item["options"]])
        assert letters != [option["id"] for option in item["options"]]
        expect(options.locator(".option-letter")).to_have_text([f"{letter}." for letter in letters])
    for hidden in (
        ".cur-widget[data-component=quiz]",
        ".site-header",
        "#site-nav",
        ".site-search",
        ".pager",
        ".skip-link",
    ):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator(".site-footer")).to_contain_text("not clinical advice")

    pdf = tmp_path / f"{quiz}.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=False)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000
    assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 2  # twelve items do not fit on one page


PRINT_STUB = "window.__printed = 0; window.print = () => { window.__printed += 1; };"


def test_printing_a_case_prints_the_whole_case(open_page: Any, http: str, tmp_path: Path) -> None:
    case = VIGNETTES[2]
    nodes = yaml.safe_load((REPO / "vignettes" / f"{case}.yml").read_text(encoding="utf-8"))["nodes"]
    page = open_page(http + f"cases/{case}.html", viewport=DESKTOP, init_script=PRINT_STUB)
    widget = page.locator(".cur-vignette")
    expect(widget.locator(".cur-map-node")).to_have_count(0)  # the walk-through: one step

    # Printing from the browser's menu (beforeprint) prints every scene, then the walk-through returns.
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    expect(widget.locator(".cur-map-node")).to_have_count(len(nodes))
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    expect(widget.locator(".cur-map-node")).to_have_count(0)
    expect(widget.locator(".cur-scene-heading")).to_have_text("Step 1")

    # The button says what it does: it opens the seminar view and prints it.
    widget.get_by_role("button", name="Print the whole case").click()
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")
    scenes = widget.locator(".cur-map-node")
    expect(scenes).to_have_count(len(nodes))
    for i in range(len(nodes)):
        expect(scenes.nth(i)).to_be_visible()
    for hidden in (".cur-toolbar", ".site-header", "#site-nav", ".pager"):
        expect(page.locator(hidden)).to_be_hidden()
    pdf = tmp_path / f"{case}.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes())) >= 4  # the whole case, not one step


def test_a_printout_of_one_step_says_how_to_print_the_case(open_page: Any, http: str) -> None:
    page = open_page(http + f"cases/{VIGNETTES[0]}.html", viewport=DESKTOP)
    note = page.locator(".cur-print-note")
    expect(note).to_be_hidden()
    page.emulate_media(media="print")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Print the whole case")


@pytest.mark.parametrize("kind", ["quiz", "cases"])
def test_a_phone_shows_a_quiz_or_case_title_once(kind: str, open_page: Any, http: str) -> None:
    name = QUIZZES[2] if kind == "quiz" else VIGNETTES[2]
    page = open_page(http + f"{kind}/{name}.html", viewport={"width": 375, "height": 812})
    title = page.locator("main h1").inner_text()
    shown = page.evaluate(
        """(title) => Array.from(document.querySelectorAll("main h1, main h2, main h3, main h4"))
             .filter((h) => h.textContent.trim() === title)
             .filter((h) => { const r = h.getBoundingClientRect(); return r.width > 2 && r.height > 2; })
             .length""",
        title,
    )
    assert shown == 1, f"{title!r} is shown {shown} times"
    # The component still has its heading for screen readers, and the question starts on the first screen.
    expect(page.locator(".cur-component .cur-title")).to_have_text(title)
    first = ".cur-item-heading" if kind == "quiz" else ".cur-patient"
    assert page.locator(first).bounding_box()["y"] < 812


def test_wide_tables_say_that_they_scroll(open_page: Any, http: str) -> None:
    page = open_page(viewport={"width": 375, "height": 812})
    regions = page.locator("main .table-scroll[role=region]")
    # The first lesson with a table wider than a phone (and no empty header cell, a content
    # matter axe reports on its own).
    for lesson in LESSONS:
        visit(page, http + f"lessons/{lesson}.html")
        if regions.count() and not page.locator("main th:empty").count():
            break
    assert regions.count() >= 1, "no lesson table is wider than a phone"
    region = regions.first
    expect(region).to_have_attribute("tabindex", "0")
    expect(region).to_have_accessible_name(re.compile(r"^Table.*\(scrolls sideways\)$"))
    hint = region.locator("xpath=preceding-sibling::p[contains(@class, 'scroll-hint')]")
    expect(hint).to_be_visible()
    expect(hint).to_have_text("Scroll sideways to see the whole table.")
    region.focus()
    expect(region).to_be_focused()
    before = region.evaluate("el => el.scrollLeft")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    wait_until(page, "(b) => document.activeElement.scrollLeft > b", before)
    axe_light_and_dark(page, "phone lesson with a wide table")
    # On a wide screen the same table fits: no region, no hint, no tab stop.
    page.set_viewport_size(DESKTOP)
    consistent = """Array.from(document.querySelectorAll("main .table-scroll")).every((el) =>
        (el.scrollWidth > el.clientWidth + 1) === (el.getAttribute("role") === "region")
        && (el.getAttribute("role") === "region") === !el.previousElementSibling.hidden)"""
    wait_until(page, consistent)
    assert page.locator("main .table-scroll:not([role])").count() >= 1, "some table fits at 1280 px"


# --------------------------------------------------------------------------- 5. accessibility

PAGE_TYPES = {
    "home": "index.html",
    "lesson": f"lessons/{LESSONS[0]}.html",
    "quiz page": f"quiz/{QUIZZES[0]}.html",
    "quiz index": "quiz/index.html",
    "case library": "cases/index.html",
    "case page": f"cases/{VIGNETTES[0]}.html",
    "progress": "progress.html",
    "search page": "search.html?q=alliance",
    "faculty guide": "faculty/index.html",
    "authoring guide": "docs/authoring.html",
    "API reference": "reference/render.PayloadBuilder.html",
}


def settle(page: Any) -> None:
    """Wait for CSS transitions (buttons fade between colour schemes) so axe sees the final colours."""
    page.evaluate("Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)))")


def axe_light_and_dark(page: Any, label: str) -> None:
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        settle(page)
        axe_check(page, f"{label} ({scheme})")


@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_axe_finds_nothing(kind: str, open_page: Any, http: str) -> None:
    page = open_page(http + PAGE_TYPES[kind], viewport=DESKTOP)
    if kind == "case library":
        page.get_by_label("Approach").select_option(index=1)
        expect(page.locator(".case-card[hidden]").first).to_be_attached()
    if kind == "search page":
        expect(page.locator(".search-page-results a").first).to_be_visible()
    axe_light_and_dark(page, kind)


def test_axe_finds_nothing_on_the_faculty_edition(open_page: Any, faculty_http: str) -> None:
    page = open_page(faculty_http + f"lessons/{LESSONS[0]}.html", viewport=DESKTOP)
    expect(page.locator(".profile-faculty").first).to_be_visible()
    expect(page.locator(".edition")).to_have_text("Faculty edition")
    axe_light_and_dark(page, "faculty lesson")
    page.get_by_role("link", name="Facilitator notes for this lesson").click()
    expect(page).to_have_url(re.compile(rf"faculty/notes/{LESSONS[0]}\.html$"))
    expect(page.locator("h1")).to_contain_text("Facilitator notes")
    axe_light_and_dark(page, "a lesson's facilitator notes")
    visit(page, faculty_http + f"quiz/{QUIZZES[0]}.html")
    expect(page.locator(".answer-key")).to_be_visible()
    axe_light_and_dark(page, "faculty quiz page with its answer key")


def test_the_answer_key_names_what_learners_see_and_fits_the_page(open_page: Any, faculty_http: str) -> None:
    quiz = QUIZZES[2]
    items = yaml.safe_load((REPO / "quizzes" / f"{quiz}.yml").read_text(encoding="utf-8"))["items"]
    page = open_page(faculty_http + f"quiz/{quiz}.html", viewport=DESKTOP)
    key = page.locator("table.answer-key")
    expect(key).to_be_visible()
    rows = key.locator("tbody tr")
    expect(rows).to_have_count(len(items))
    # The key gives each answer's letter and text; the quiz on screen shows the same letter beside
    # the same text, whatever order the options were shuffled into.
    widget = page.locator(".cur-quiz")
    for n, item in enumerate(items[:3]):
        answer = item["answer"] if isinstance(item["answer"], list) else [item["answer"]]
        cell = rows.nth(n).locator("td").first
        for letter in answer:
            text = next(o["text"] for o in item["options"] if o["id"] == letter)
            expect(cell).to_contain_text(f"{letter}. {text}")
            if n == 0:
                on_screen = widget.locator(f'input[value="{letter}"] + label')
                expect(on_screen).to_have_text(f"{letter}. {text}")
    # Nothing is cut off at 1280 px: the table stays inside the text column, no cell overflows.
    box = page.evaluate(
        """() => {
          const main = document.querySelector("main").getBoundingClientRect();
          const table = document.querySelector("table.answer-key");
          const t = table.getBoundingClientRect();
          const cells = Array.from(table.querySelectorAll("th, td"));
          return {main: [main.left, main.right], table: [t.left, t.right],
                  scrolls: table.scrollWidth > table.clientWidth + 1,
                  overflowing: cells.filter((c) => c.scrollWidth > c.clientWidth + 1).length,
                  page: document.documentElement.scrollWidth > window.innerWidth};
        }"""
    )
    assert box["main"][0] - 1 <= box["table"][0] and box["table"][1] <= box["main"][1] + 1, box
    assert not box["scrolls"] and box["overflowing"] == 0 and not box["page"], box
    axe_light_and_dark(page, "faculty quiz page with its answer key")


def test_axe_on_a_phone_with_the_menu_and_search_open(open_page: Any, http: str) -> None:
    page = open_page(http + f"lessons/{LESSONS[0]}.html", viewport=PHONE)
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("searchbox").fill("alliance")
    expect(page.locator("#search-results a").first).to_be_visible()
    axe_light_and_dark(page, "phone with menu and search open")


# --------------------------------------------------------------------------- progress


def manifest(out: Path) -> dict[str, Any]:
    text = (out / "progress-manifest.js").read_text(encoding="utf-8")
    return dict(json.loads(text.split("=", 1)[1].strip().rstrip(";")))


def progress_file(site: str, parts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Return a progress file as the site exports it: a finished quiz, a case, a spotter, a worksheet."""
    now = "2026-12-04T13:00:00Z"
    quiz, case, spotter, sheet = (parts[k] for k in ("quiz", "vignette", "spotter", "worksheet"))
    records = {
        quiz["key"]: {
            "attempts": [
                {
                    "started": now,
                    "order": {},
                    "responses": {},
                    "checked": [],
                    "submitted": None,
                    "score": 8 / 12,
                }
            ]
        },
        case["key"]: {"path": [], "at": "x", "endings": {"somewhere": 1}, "runs": 1},
        spotter["key"]: {"labels": {}, "checked": True, "result": {"techniques": 5, "places": 7, "total": 9}},
        sheet["key"]: {"fields": {"anything": "My answer."}, "updated": now},
    }
    return {
        "format": "curriculum-progress",
        "version": 1,
        "site": site,
        "updated": now,
        "records": {k: {"updated": now, "state": v} for k, v in records.items()},
    }


def test_the_progress_page_lists_every_lesson_and_what_was_done(
    open_page: Any, http: str, resident_out: Path, tmp_path: Path
) -> None:
    lessons = manifest(resident_out)["lessons"]
    assert [lesson["id"] for lesson in lessons] == LESSONS
    # One part of each kind from one lesson, to import as done; a quiz item answered on its page.
    first = {p["kind"]: p for lesson in lessons for p in lesson["parts"]}
    chosen = next(lesson for lesson in lessons if {p["kind"] for p in lesson["parts"]} >= set(first))
    parts: dict[str, Any] = {}
    for part in chosen["parts"]:  # the lesson's own quiz comes first (a lesson may list others)
        parts.setdefault(part["kind"], part)
    other_quiz = next(  # another lesson's own (formative) quiz
        next(p for p in lesson["parts"] if p["kind"] == "quiz")
        for lesson in lessons
        if lesson is not chosen and any(p["kind"] == "quiz" for p in lesson["parts"])
    )

    page = open_page(http + other_quiz["url"], viewport=DESKTOP)
    widget = page.locator(".cur-quiz")
    widget.locator(".cur-options input").first.check()
    widget.get_by_role("button", name="Check answer").click()
    expect(widget.locator(".cur-verdict")).to_be_visible()

    visit(page, http + "progress.html")
    site = page.evaluate("document.documentElement.dataset.curriculumSite")
    upload = tmp_path / "progress.json"
    upload.write_text(json.dumps(progress_file(site, parts)), encoding="utf-8")
    page.locator(".cur-progress-panel input[type=file]").set_input_files(str(upload))
    expect(page.locator(".cur-panel-status")).to_contain_text("Imported 4 records")

    panel = page.locator(".cur-progress-panel")
    others = manifest(resident_out)["other"]  # parts no lesson lists (an activity and its tests), last
    expect(panel.locator(".cur-progress-lesson")).to_have_count(len(lessons) + (1 if others else 0))
    total = sum(len(lesson["parts"]) for lesson in lessons) + len(others)
    expect(panel.locator(".cur-part")).to_have_count(total)
    expect(panel.locator(".cur-progress-summary")).to_have_text(
        f"You have finished 4 of {total} parts, and started 1 more."
    )

    def row(part: dict[str, Any]) -> Any:
        return panel.locator(".cur-part", has=page.get_by_role("link", name=part["title"], exact=True))

    n = parts["quiz"]["total"]
    expect(row(parts["quiz"])).to_contain_text(f"Finished: 8 of {n} correct (66.7%)")
    expect(row(parts["vignette"])).to_contain_text(f"1 of {parts['vignette']['total']} endings reached")
    expect(row(parts["spotter"])).to_contain_text("Checked: 5 of 9 techniques, 7 of 9 places right")
    expect(row(parts["worksheet"])).to_contain_text(re.compile(r"[Ww]ritten"))
    expect(row(other_quiz)).to_contain_text(f"1 of {other_quiz['total']} items checked")
    for part in parts.values():
        expect(row(part)).to_have_class(re.compile(r"cur-record-done"))
    expect(row(other_quiz)).to_have_class(re.compile(r"cur-record-started"))
    # Readable titles, and every link leads to its part (an exercise to its place in the lesson).
    for link in panel.get_by_role("link").all():
        href = link.get_attribute("href") or ""
        path, _, anchor = href.partition("#")
        assert (resident_out / path).is_file(), href
        if anchor:
            assert f'id="{anchor}"' in (resident_out / path).read_text(encoding="utf-8"), href
    axe_light_and_dark(page, "progress page with progress")

    # The quiz list and the case library mark what is done.
    visit(page, http + "quiz/index.html")
    mark = page.locator(f'[data-cur-record="{parts["quiz"]["key"]}"]')
    expect(mark).to_have_text(f"✓Finished: 8 of {n} correct (66.7%)")
    expect(page.locator(f'[data-cur-record="{other_quiz["key"]}"]')).to_contain_text("1 of")
    expect(page.locator(".cur-record-new").first).to_have_text("○Not started")
    axe_light_and_dark(page, "quiz list with progress")
    visit(page, http + "cases/index.html")
    mark = page.locator(f'[data-cur-record="{parts["vignette"]["key"]}"]')
    expect(mark).to_contain_text("Your progress: ")
    expect(mark).to_contain_text(f"1 of {parts['vignette']['total']} endings reached")
    axe_light_and_dark(page, "case library with progress")

    # Clearing empties the list's marks at once.
    visit(page, http + "progress.html")
    page.get_by_role("button", name="Clear my progress…").click()
    page.get_by_role("button", name="Delete my progress").click()
    expect(panel.locator(".cur-record-done")).to_have_count(0)
    expect(panel.locator(".cur-progress-summary")).to_have_text(f"You have finished 0 of {total} parts.")


def test_the_progress_page_lists_the_lessons_from_disk(open_page: Any, resident_out: Path) -> None:
    page = open_page(file_url(resident_out, "progress.html"), viewport={"width": 375, "height": 812})
    others = 1 if manifest(resident_out)["other"] else 0  # the group of parts no lesson lists
    expect(page.locator(".cur-progress-lesson")).to_have_count(len(LESSONS) + others)
    expect(page.locator(".cur-part a").first).to_have_attribute("href", re.compile(r"^(lessons|cases|quiz)/"))
    clean(page)


# --------------------------------------------------------------------------- 6. case library


def test_case_library_filters(open_page: Any, http: str) -> None:
    page = open_page(http + "cases/index.html", viewport=DESKTOP)
    cards = page.locator(".case-card")
    total = cards.count()
    assert total == len(VIGNETTES)
    count = page.locator(".library-count")
    expect(count).to_have_text(f"Showing {total} of {total} cases")
    approach = page.get_by_label("Approach")
    values = [v for v in approach.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
    assert len(values) >= 2
    for value in values:
        approach.select_option(value)
        wanted = page.locator(f'.case-card[data-modality="{value}"]')
        n = wanted.count()
        assert n >= 1
        expect(page.locator(".case-card:visible")).to_have_count(n)
        for i in range(n):
            expect(wanted.nth(i)).to_be_visible()
        expect(page.locator(f'.case-card:not([data-modality="{value}"])')).to_have_count(total - n)
        expect(page.locator(f'.case-card:not([data-modality="{value}"]):visible')).to_have_count(0)
        expect(count).to_have_text(f"Showing {n} of {total} cases")
    # A combination that matches nothing says so; "All" brings every case back.
    approach.select_option(values[0])
    setting = page.get_by_label("Setting")
    settings = set(setting.locator("option").evaluate_all("os => os.map(o => o.value)")) - {""}
    used = set(
        page.locator(f'.case-card[data-modality="{values[0]}"]').evaluate_all(
            "cs => cs.map(c => c.dataset.setting)"
        )
    )
    if settings - used:
        setting.select_option(sorted(settings - used)[0])
        expect(count).to_have_text(f"Showing 0 of {total} cases")
        setting.select_option("")
    approach.select_option("")
    expect(page.locator(".case-card:visible")).to_have_count(total)
    expect(count).to_have_text(f"Showing {total} of {total} cases")


# --------------------------------------------------------------------------- screenshots for review

SHOTS = os.environ.get("CURRICULUM_SCREENSHOTS")
SHOT_PAGES = {
    "home": "index.html",
    "lesson": f"lessons/{LESSONS[2]}.html",
    "quiz": f"quiz/{QUIZZES[2]}.html",
    "cases": "cases/index.html",
    "case": f"cases/{VIGNETTES[2]}.html",
    "search": "search.html?q=alliance",
    "docs": "docs/authoring.html",
    "reference": "reference/render.PayloadBuilder.html",
}


@pytest.mark.skipif(not SHOTS, reason="set CURRICULUM_SCREENSHOTS=<folder> to write screenshots for review")
@pytest.mark.parametrize(
    ("label", "width", "scheme", "media"),
    [
        ("desktop", 1280, "light", "screen"),
        ("dark", 1280, "dark", "screen"),
        ("phone", 390, "light", "screen"),
        ("print", 794, "light", "print"),
    ],
)
def test_screenshots(label: str, width: int, scheme: str, media: str, open_page: Any, http: str) -> None:
    out = Path(str(SHOTS))
    out.mkdir(parents=True, exist_ok=True)
    page = open_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    for name, url in SHOT_PAGES.items():
        visit(page, http + url)
        page.emulate_media(media=media)
        page.screenshot(path=str(out / f"site-{name}-{label}.png"), full_page=media == "print")
        if label == "phone" and name == "lesson":
            page.get_by_role("button", name="Menu").click()
            page.screenshot(path=str(out / f"site-{name}-{label}-menu.png"))
    clean(page)


# --------------------------------------------------------------------------- 7. small and dark


def test_no_horizontal_scrolling_at_320_px_in_dark_mode(open_page: Any, http: str) -> None:
    page = open_page(viewport={"width": 320, "height": 640}, color_scheme="dark")
    names = [
        "index.html",
        "cases/index.html",
        f"cases/{VIGNETTES[0]}.html",
        f"quiz/{QUIZZES[0]}.html",
        *(f"lessons/{lesson}.html" for lesson in LESSONS),
    ]
    for name in names:
        visit(page, http + name)
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{name} scrolls sideways at 320 px: {widths}"
        if name == "cases/index.html":
            page.get_by_role("button", name="Menu").click()
            widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert widths[0] <= widths[1], f"the open menu scrolls sideways at 320 px: {widths}"
    clean(page)
