"""Authored text and imported progress are untrusted: no payload ever runs."""

from __future__ import annotations

import json

import pytest
import yaml
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CHECK_DOM = """() => {
  const inside = [...document.querySelectorAll('.cur-widget *')];
  return {
    xss: window.__xss,
    scripts: inside.filter((e) => e.tagName === 'SCRIPT' && !e.classList.contains('cur-payload'))
      .length,
    handlers: inside.filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length,
    jsLinks: inside.filter((e) => /^\\s*javascript:/i.test(e.getAttribute('href') || '')).length,
    media: inside.filter((e) => /^(img|svg|iframe|object|embed)$/i.test(e.tagName)).length,
    styles: inside.filter((e) => e.hasAttribute('style')).length,
  };
}"""


def poison(value, xss):
    return f"{value} {xss}"


def poisoned_project(tools, dest):
    """A copy of the test project with the payloads in every authored text field."""
    xss = tools.XSS
    root = tools.copy_project(
        dest, {"exercises/intro-thought.yml": tools.EXTRA_FILES["exercises/intro-thought.yml"]}
    )

    def edit(rel, change):
        path = root / rel
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def quiz(q):
        q["title"] = poison(q["title"], xss)
        q["instructions"] = xss
        for item in q["items"]:
            item["stem"] = poison(item["stem"], xss)
            item["rationale"] = poison(item["rationale"], xss)
            for option in item["options"]:
                option["text"] = poison(option["text"], xss)
                option["feedback"] = poison(option["feedback"], xss)

    def vignette(v):
        v["title"] = poison(v["title"], xss)
        v["patient"]["summary"] = poison(v["patient"]["summary"], xss)
        v["discussion"] = [poison(q, xss) for q in v["discussion"]]
        v["facilitator"] = poison(v["facilitator"], xss)
        for node in v["nodes"].values():
            node["scene"] = poison(node["scene"], xss)
            if node.get("debrief"):
                node["debrief"] = poison(node["debrief"], xss)
            if node.get("outcome"):
                node["outcome"] = poison(node["outcome"], xss)
            for choice in node.get("choices", []):
                choice["text"] = poison(choice["text"], xss)
                choice["feedback"] = poison(choice["feedback"], xss)

    def techniques(t):
        for entry in t["techniques"]:
            entry["name"] = poison(entry["name"], xss)
            entry["definition"] = poison(entry["definition"], xss)

    def spotter(s):
        s["title"] = poison(s["title"], xss)
        s["context"] = poison(s["context"], xss)
        for turn in s["turns"]:
            turn["speaker"] = poison(turn["speaker"], xss)
            turn["text"] = poison(turn["text"], xss)
            if turn.get("reason"):
                turn["reason"] = poison(turn["reason"], xss)

    def worksheet(w):
        for key in ("title", "case", "prompt"):
            w[key] = poison(w[key], xss)
        w["example"] = {k: poison(v, xss) for k, v in w["example"].items()}

    edit("quizzes/intro.yml", quiz)
    edit("vignettes/first-visit.yml", vignette)
    edit("vignettes/techniques.yml", techniques)
    edit("exercises/spot-the-stem.yml", spotter)
    edit("exercises/intro-thought.yml", worksheet)

    # Objective texts live in the lesson's front matter (a raw cell).
    nb_path = root / "lessons" / "intro.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    raw = "".join(nb["cells"][0]["source"])
    front = yaml.safe_load(raw.strip().strip("-"))
    for objective in front["objectives"]:
        objective["text"] = poison(objective["text"], xss)
    nb["cells"][0]["source"] = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n"
    nb_path.write_text(json.dumps(nb), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def xss_base(tools, web_root, server, site):
    """The XSS site (faculty build, so facilitator notes are included too)."""
    out = web_root / "xss"
    project = poisoned_project(tools, web_root / "xss-project")
    tools.build_site(
        project,
        out,
        [
            (
                "all.html",
                "Every component, poisoned",
                [
                    ("quiz", "intro"),
                    ("vignette", "first-visit"),
                    ("spotter", "spot-the-stem"),
                    ("worksheet", "intro-thought"),
                ],
            )
        ],
        profile="faculty",
    )
    return {"http": server + "xss/", "file": out.as_uri() + "/"}


def assert_clean(page):
    page.wait_for_timeout(150)  # let any error/load event fire
    found = page.evaluate(CHECK_DOM)
    assert found == {
        "xss": None,
        "scripts": 0,
        "handlers": 0,
        "jsLinks": 0,
        "media": 0,
        "styles": 0,
    }, found


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_authored_payloads_never_run(open_page, xss_base, scheme, tools):
    page = open_page(xss_base[scheme] + "all.html")
    assert_clean(page)
    # Plain-text fields show the payload as text.
    expect(page.locator(".cur-quiz h3")).to_contain_text("<script>window.__xss=1</script>")
    expect(page.locator(".cur-vignette h3")).to_contain_text('<img src=x onerror="window.__xss=1">')

    quiz = page.locator(".cur-quiz")
    quiz.locator(".cur-options input").first.check()
    quiz.get_by_role("button", name="Check answer").click()
    expect(quiz.locator(".cur-feedback")).to_be_visible()
    quiz.get_by_role("button", name="Next →").click()
    quiz.locator(".cur-options input").first.check()
    quiz.get_by_role("button", name="Check answer").click()
    expect(quiz.locator(".cur-result")).to_be_visible()
    assert_clean(page)

    v = page.locator(".cur-vignette")
    for _ in range(4):
        v.locator(".cur-choice").first.click()
        v.get_by_role("button", name="Continue →").click()
    expect(v.locator(".cur-ending")).to_be_visible()
    expect(v.locator(".cur-facilitator")).to_contain_text("Run as a role-play")
    v.get_by_role("button", name="Seminar view").click()
    expect(v.locator(".cur-map-node")).to_have_count(6)
    assert_clean(page)

    s = page.locator(".cur-spotter")
    s.locator("select").select_option(index=1)
    s.locator(".cur-places input").first.check()
    s.get_by_role("button", name="Check labels").click()
    expect(s.locator(".cur-score")).to_be_visible()
    s.locator("details summary").click()

    ws = page.locator(".cur-worksheet")
    ws.get_by_label("Situation").fill(tools.XSS)
    ws.get_by_role("button", name="Compare with an example").click()
    expect(ws.locator(".cur-yours").first).to_have_text(tools.XSS)
    with page.expect_download():
        ws.get_by_role("button", name="Download my worksheet").click()
    assert_clean(page)


def test_imported_progress_payloads_never_run(open_page, base, tools):
    page = open_page(base + "all.html")
    xss = tools.XSS
    text = json.dumps(
        {
            "format": "curriculum-progress",
            "version": 1,
            "site": "test",
            "updated": "2026-01-01T00:00:00Z",
            "records": {
                "worksheet:intro-thought": {
                    "updated": "2026-01-01T00:00:00Z",
                    "state": {"fields": {"situation": xss, xss: xss}, "updated": xss},
                },
                "spotter:spot-the-stem": {
                    "updated": "2026-01-01T00:00:00Z",
                    "state": {
                        "labels": {"1": {"technique": xss, "place": xss}, xss: {}},
                        "checked": True,
                    },
                },
                "quiz:intro": {
                    "updated": "2026-01-01T00:00:00Z",
                    "state": {
                        "attempts": [
                            {
                                "started": xss,
                                "order": {"intro-q01": [xss, "a"]},
                                "responses": {"intro-q01": [xss]},
                                "checked": ["intro-q01", xss],
                                "submitted": xss,
                                "score": None,
                            }
                        ]
                    },
                },
                "vignette:first-visit": {
                    "updated": "2026-01-01T00:00:00Z",
                    "state": {
                        "path": [{"node": xss, "choice": 0}],
                        "at": xss,
                        "endings": {xss: 3},
                        "runs": xss,
                    },
                },
                f"quiz:{xss}": {"updated": "2026-01-01T00:00:00Z", "state": {"attempts": []}},
                xss: {"updated": xss, "state": xss},
            },
        }
    )
    panel = page.locator(".cur-progress-panel")
    with page.expect_file_chooser() as chooser:
        panel.get_by_role("button", name="Import progress…").click()
    chooser.value.set_files(
        files=[{"name": "evil.json", "mimeType": "application/json", "buffer": text.encode()}]
    )
    status = panel.locator(".cur-panel-status")
    expect(status).to_contain_text("Imported 4 records")
    expect(status).to_contain_text(
        "Ignored 2 records with an unexpected shape: quiz:<script>window.__xss=1</script>"
    )
    expect(page.locator(".cur-worksheet").get_by_label("Situation")).to_have_value(xss)
    expect(page.locator(".cur-spotter .cur-turn-result")).to_contain_text(f"you chose {xss}")
    expect(page.locator(".cur-quiz .cur-verdict")).to_contain_text("Not the best answer")
    expect(page.locator(".cur-vignette .cur-scene-heading")).to_have_text("Step 1")
    assert_clean(page)
    tools.reload(page)
    assert_clean(page)
