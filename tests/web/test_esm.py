"""The anywidget side: each component's ES module (``live_esm``) on an anywidget-like model.

JupyterLab is not started here; a page imports the four modules exactly as
anywidget receives them and drives them through a Backbone-like model
(``change:`` callbacks get no arguments, ``off`` removes listeners). This
checks that the modules load as modules, keep the state contract, follow
changes made on the Python side, and that their cleanup removes every
listener and timer.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

HARNESS_JS = """
import quiz from "./quiz.js";
import vignette from "./vignette.js";
import spotter from "./spotter.js";
import worksheet from "./worksheet.js";

const modules = { quiz, vignette, spotter, worksheet };

function fakeModel(attrs) {
  const listeners = new Map();
  const saved = [];
  return {
    saved,
    count: () => [...listeners.values()].reduce((n, list) => n + list.length, 0),
    get: (name) => attrs[name],
    set: (name, value) => {
      attrs[name] = value;
      for (const cb of (listeners.get(`change:${name}`) || []).slice()) cb();
    },
    on: (event, cb) => listeners.set(event, [...(listeners.get(event) || []), cb]),
    off: (event, cb) => {
      if (!event) return listeners.clear();
      listeners.set(event, (listeners.get(event) || []).filter((x) => cb && x !== cb));
    },
    save_changes: () => saved.push(JSON.parse(JSON.stringify(attrs.state))),
    send: () => {},
  };
}

let current = null;
window.harness = {
  mount(name, payload, state) {
    const el = document.createElement("div");
    el.className = "host-el";
    document.body.append(el);
    const model = fakeModel({ payload, state, host: { kind: "live", profile: "faculty" } });
    const cleanup = modules[name].render({ model, el });
    current = { model, el, cleanup };
    return typeof cleanup;
  },
  listeners: () => current.model.count(),
  saved: () => current.model.saved,
  python: (state) => current.model.set("state", state),
  cleanup() {
    current.cleanup();
    return { listeners: current.model.count(), children: current.el.childElementCount };
  },
};
document.documentElement.dataset.ready = "yes";
"""

HARNESS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
  content="default-src 'self'; script-src 'self'; style-src 'self'">
<title>ESM harness</title><link rel="stylesheet" href="curriculum.css">
<script type="module" src="harness.js"></script></head>
<body><main><h1>Harness</h1></main></body></html>
"""


@pytest.fixture(scope="session")
def esm_base(web_root, server):
    from curriculum.web import component_modules, live_esm, stylesheet

    out = web_root / "esm"
    out.mkdir(exist_ok=True)
    for name in component_modules():
        (out / f"{name}.js").write_text(live_esm(name), encoding="utf-8")
    (out / "curriculum.css").write_text(stylesheet(), encoding="utf-8")
    (out / "harness.js").write_text(HARNESS_JS, encoding="utf-8")
    (out / "harness.html").write_text(HARNESS_HTML, encoding="utf-8")
    return server + "esm/"


@pytest.fixture
def harness(open_page, esm_base):
    page = open_page(esm_base + "harness.html")
    page.wait_for_function("document.documentElement.dataset.ready === 'yes'")
    return page


def test_quiz_module_state_contract_and_cleanup(harness, site):
    page = harness
    payload = site.payload("quiz:intro")
    assert page.evaluate("([p]) => harness.mount('quiz', p, {})", [payload]) == "function"
    assert page.evaluate("harness.listeners()") == 1
    page.get_by_label("Her rating of the alliance").check()
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator(".cur-verdict")).to_contain_text("Correct")
    state = page.evaluate("harness.saved()")[-1]
    attempt = state["attempts"][0]
    assert set(attempt) == {"started", "order", "responses", "checked", "submitted", "score", "results"}
    assert attempt["responses"] == {"intro-q01": ["a"]} and attempt["checked"] == ["intro-q01"]
    assert attempt["results"] == {"intro-q01": True}, "what the learner saw, for the dashboard's mastery"
    # Python replaces the state (e.g. a reset): the view follows.
    page.evaluate("harness.python({attempts: []})")
    expect(page.locator(".cur-verdict")).to_have_count(0)
    assert page.evaluate("harness.cleanup()") == {"listeners": 0, "children": 0}


def test_vignette_module_follows_python_and_cleans_up(harness, site):
    page = harness
    payload = site.payload("vignette:first-visit")
    page.evaluate("([p]) => harness.mount('vignette', p, null)", [payload])
    expect(page.locator(".cur-scene-heading")).to_have_text("Step 1")
    page.evaluate("harness.python({path: [{node: 'one', choice: 1}], at: 'two', endings: {}, runs: 1})")
    expect(page.locator(".cur-scene-heading")).to_have_text("Step 2")
    page.get_by_role("button", name="Reflect the weight of it.").click()
    saved = page.evaluate("harness.saved()")[-1]
    assert saved == {
        "path": [{"node": "one", "choice": 1}, {"node": "two", "choice": 0}],
        "at": "two",
        "endings": {},
        "runs": 1,
    }
    assert page.evaluate("harness.cleanup()") == {"listeners": 0, "children": 0}


def test_spotter_module_state(harness, site):
    page = harness
    page.evaluate("([p]) => harness.mount('spotter', p, {})", [site.payload("spotter:spot-the-stem")])
    page.get_by_label("Technique (turn 2)").select_option("reflection")
    page.get_by_label("CBT branch").check()
    assert page.evaluate("harness.saved()")[-1] == {
        "labels": {"1": {"technique": "reflection", "place": "cbt"}},
        "checked": False,
    }
    assert page.evaluate("harness.cleanup()") == {"listeners": 0, "children": 0}


def test_worksheet_module_debounce_flushed_on_cleanup(harness, site):
    page = harness
    page.evaluate("([p]) => harness.mount('worksheet', p, {})", [site.payload("worksheet:intro-thought")])
    page.get_by_label("Situation").fill("typed just before closing")
    assert page.evaluate("harness.saved()") == []  # still debouncing
    assert page.evaluate("harness.cleanup()") == {"listeners": 0, "children": 0}
    saved = page.evaluate("harness.saved()")
    assert len(saved) == 1 and saved[0]["fields"] == {"situation": "typed just before closing"}
    assert saved[0]["updated"].endswith("Z")
    page.wait_for_timeout(600)  # no timer survives the cleanup
    assert len(page.evaluate("harness.saved()")) == 1
