"""Fixtures for the browser tests of the components on static pages.

The pages are built from the real test project (``tests/data/project``)
through the real Python side: ``load_curriculum`` -> ``PayloadBuilder`` ->
``static_fragment``, with ``curriculum.js`` and ``curriculum.css`` from
``curriculum.web``, under a strict Content-Security-Policy. Variants (a
post-test, a summative test, an all-at-once quiz, a worksheet with an
example, an XSS-laden copy) are written as extra YAML into copies of the
project in a temporary folder.

One Chromium (Debian's, never a downloaded one) serves the whole session;
every test gets a fresh browser context, so localStorage starts empty.
Every page records its requests, dialogs, page errors and CSP violations,
and the ``page`` fixtures fail the test if any request leaves the test
server (or ``file://``), if a dialog opens, or if a script error occurs.
"""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from tests.browser import axe_check, goto, reload, serve

PROJECT = Path(__file__).resolve().parents[1] / "data" / "project"
SITE = "test"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
)
# A page style of our own (the site's layout is not under test): a readable
# column, and the page follows the system's light or dark scheme.
PAGE_CSS = """
:root { color-scheme: light dark; }
body { margin: 0; background: Canvas; color: CanvasText; line-height: 1.5;
       font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 48rem; margin: 0 auto; padding: 1rem; }
"""

# --------------------------------------------------------------------------- variants

EXTRA_FILES: dict[str, str] = {
    "quizzes/intro-post.yml": """\
title: Introduction post-test
lesson: intro
kind: posttest
pass_mark: 0.7
suppress:
  CUR504: A two-item post-test keeps the test project small.
items:
  - id: post-q01
    type: single
    objectives: [intro-1]
    stem: |
      A resident sees a 40-year-old man with depression who asks what matters most.
      Which factor best predicts his outcome across treatments?
    options:
      - {id: a, text: His rating of the alliance, feedback: "Right: the alliance predicts outcome."}
      - {id: b, text: The dose of his medication, feedback: "Dose was not the finding here."}
      - {id: c, text: The season of the year, feedback: "Season was not the finding here."}
    answer: a
    rationale: The alliance predicted outcome in every arm [@krupnick1996].
    references: [krupnick1996]
  - id: post-q02
    type: single
    objectives: [intro-2]
    stem: |
      A resident plans supportive work with a 50-year-old woman with bipolar disorder.
      Where on the Y model does this work mostly sit?
    options:
      - {id: a, text: On the psychodynamic branch, feedback: "The branch holds psychodynamic work."}
      - {id: b, text: On the shared stem, feedback: "Right: supportive work sits on the stem."}
      - {id: c, text: On the CBT branch, feedback: "The branch holds CBT work."}
    answer: b
    rationale: Supportive work sits largely on the stem [@plakun2009].
    references: [plakun2009]
""",
    "quizzes/intro-final.yml": """\
title: Introduction final test
lesson: intro
kind: summative
pass_mark: 0.7
suppress:
  CUR504: A two-item test keeps the test project small.
items:
  - id: final-q01
    type: single
    objectives: [intro-1]
    stem: |
      A resident meets a 35-year-old man with depression at his first visit.
      Which factor best predicts his outcome?
    options:
      - {id: a, text: The quality of the alliance, feedback: "SUMFB-1A the alliance is keyed."}
      - {id: b, text: The number of pills prescribed, feedback: "SUMFB-1B pills are not keyed."}
      - {id: c, text: The length of the waiting list, feedback: "SUMFB-1C waiting is not keyed."}
    answer: a
    rationale: SUMRAT-1 the keyed answer is the alliance [@krupnick1996].
    references: [krupnick1996]
  - id: final-q02
    type: multiple
    objectives: [intro-2]
    stem: |
      A resident sorts techniques for a 60-year-old woman with schizophrenia.
      Which of these sit on the stem of the Y model?
    options:
      - {id: a, text: Reflective listening, feedback: "SUMFB-2A reflection is keyed."}
      - {id: b, text: Supportive advice, feedback: "SUMFB-2B advice is keyed."}
      - {id: c, text: Transference interpretation, feedback: "SUMFB-2C not keyed."}
    answer: [a, b]
    rationale: SUMRAT-2 reflection and advice sit on the stem [@plakun2009].
    references: [plakun2009]
""",
    "quizzes/intro-all.yml": """\
title: Introduction review, all on one page
lesson: intro
kind: formative
layout: all-at-once
shuffle: false
instructions: Answer each item and check it.
suppress:
  CUR504: A two-item quiz keeps the test project small.
items:
  - id: all-q01
    type: single
    objectives: [intro-1]
    stem: |
      A resident meets a 28-year-old woman with depression.
      Which factor best predicts her outcome?
    options:
      - {id: a, text: The alliance, feedback: "Right: the alliance."}
      - {id: b, text: Her height, feedback: "Height is not a predictor."}
    answer: a
    rationale: The alliance predicts outcome [@krupnick1996].
    references: [krupnick1996]
  - id: all-q02
    type: multiple
    objectives: [intro-2]
    stem: |
      A resident lists techniques for a 33-year-old man with schizophrenia.
      Which of these sit on the stem of the Y model?
    options:
      - {id: a, text: Reflective listening, feedback: "Right: reflection is a stem technique."}
      - {id: b, text: Supportive advice, feedback: "Right: advice is supportive."}
      - {id: c, text: Transference interpretation, feedback: "That is psychodynamic branch work."}
    answer: [a, b]
    rationale: Reflection and advice sit on the stem [@plakun2009].
    references: [plakun2009]
""",
    "exercises/intro-spot-three.yml": """\
kind: spotter
title: Spot three techniques
lesson: intro
objectives: [intro-2]
context: A fictional second visit.
techniques: [reflection, advice, agenda-setting]
turns:
  - speaker: clinician
    text: What would you like us to cover today?
    technique: agenda-setting
    reason: The clinician agrees the session's topics with the patient first.
  - {speaker: patient, text: "My sleep, mostly."}
  - speaker: clinician
    text: The nights have been hard for you.
    technique: reflection
    reason: The clinician says back the feeling in the patient's words.
  - speaker: clinician
    text: Try going to bed at the same time each night this week.
    technique: advice
    reason: The clinician recommends one specific step.
references: [plakun2009]
""",
    "exercises/intro-thought.yml": """\
kind: thought-record
title: A thought record
lesson: intro
case: A fictional resident after a hard call night.
prompt: Fill in the record for the moment the patient walked out.
example:
  situation: Tuesday 3 am, the patient left the interview room.
  emotions: Shame 70, worry 50.
references: [plakun2009]
""",
}

SUMMATIVE_SECRETS = [
    "SUMFB-1A",
    "SUMFB-1B",
    "SUMFB-1C",
    "SUMFB-2A",
    "SUMFB-2B",
    "SUMFB-2C",
    "SUMRAT-1",
    "SUMRAT-2",
]

XSS_PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    "[x](javascript:window.__xss=1)",
    '<svg onload="window.__xss=1">',
    "<b><i>unclosed",
    '"><script>window.__xss=1</script>',
    "'><img src=x onerror=window.__xss=1>",
    '<a href="javascript:window.__xss=1">click</a>',
]
XSS = " ".join(XSS_PAYLOADS)
PAYLOAD_TAG = '<script type="application/json" class="cur-payload">'


# Each page: (file name, heading, [(component, id), ...]).
PAGES: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("quiz.html", "Formative quiz", [("quiz", "intro")]),
    ("quiz-all.html", "Quiz, all items at once", [("quiz", "intro-all")]),
    ("posttest.html", "Post-test", [("quiz", "intro-post")]),
    ("summative.html", "Summative test", [("quiz", "intro-final")]),
    ("vignette.html", "Case vignette", [("vignette", "first-visit")]),
    ("spotter.html", "Technique spotter", [("spotter", "spot-the-stem")]),
    ("spotter-three.html", "Technique spotter, three turns", [("spotter", "intro-spot-three")]),
    (
        "worksheet.html",
        "Worksheets",
        [("worksheet", "intro-thought"), ("worksheet", "intro-reflection")],
    ),
    (
        "all.html",
        "Every component",
        [
            ("quiz", "intro"),
            ("vignette", "first-visit"),
            ("spotter", "spot-the-stem"),
            ("worksheet", "intro-thought"),
        ],
    ),
]


@dataclass
class Site:
    """A built test site: its folder, the payloads of its components, its pages."""

    root: Path
    payloads: dict[str, dict[str, Any]] = field(default_factory=dict)
    pages: list[str] = field(default_factory=list)

    def payload(self, key: str) -> dict[str, Any]:
        return self.payloads[key]


def copy_project(dest: Path, extra: dict[str, str] | None = None) -> Path:
    """Copy the test project to ``dest`` and add ``extra`` files (path -> text)."""
    shutil.copytree(PROJECT, dest)
    for rel, text in (extra or {}).items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return dest


def page_html(title: str, fragments: list[str], *, site: str = SITE) -> str:
    """A test page: lang, h1/h2, the progress panel, assets, strict CSP."""
    body = "\n".join(fragments)
    return f"""<!doctype html>
<html lang="en" data-curriculum-site="{html.escape(site)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="assets/page.css">
<link rel="stylesheet" href="assets/curriculum.css">
<script src="assets/curriculum.js"></script>
</head>
<body>
<main>
<h1>{html.escape(title)}</h1>
<h2>Exercise</h2>
{body}
<div class="cur-progress"></div>
</main>
</body>
</html>
"""


def build_site(
    project: Path,
    out: Path,
    pages: list[tuple[str, str, list[tuple[str, str]]]],
    *,
    profile: str = "resident",
    extra_pages: dict[str, str] | None = None,
) -> Site:
    """Build pages from ``project`` into ``out`` through the real Python side."""
    from curriculum.content import load_curriculum
    from curriculum.hosts.static import static_fragment
    from curriculum.render import Citations, PayloadBuilder, Renderer
    from curriculum.web import classic_bundle, stylesheet

    cur = load_curriculum(project)
    assert not cur.diagnostics, "\n".join(str(d) for d in cur.diagnostics)
    builder = PayloadBuilder(cur, Renderer(Citations(cur.bibliography)), site=SITE, profile=profile)  # type: ignore[arg-type]
    kinds = {ident: ex.model.kind for ident, ex in cur.exercises.items()}
    site = Site(root=out)
    (out / "assets").mkdir(parents=True, exist_ok=True)
    (out / "assets" / "curriculum.js").write_text(classic_bundle(), encoding="utf-8")
    (out / "assets" / "curriculum.css").write_text(stylesheet(), encoding="utf-8")
    (out / "assets" / "page.css").write_text(PAGE_CSS, encoding="utf-8")
    for name, title, parts in pages:
        fragments = []
        for component, ident in parts:
            if component == "quiz":
                payload = builder.quiz(ident)
            elif component == "vignette":
                payload = builder.vignette(ident)
            elif component == "spotter":
                payload = builder.spotter(ident)
            else:
                payload = builder.worksheet(kinds[ident], ident)
            site.payloads[payload["key"]] = payload
            fragments.append(static_fragment(payload))
        (out / name).write_text(page_html(title, fragments), encoding="utf-8")
        site.pages.append(name)
    for name, text in (extra_pages or {}).items():
        (out / name).write_text(text, encoding="utf-8")
        site.pages.append(name)
    return site


# --------------------------------------------------------------------------- sites and server


@pytest.fixture(scope="session")
def web_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web")


@pytest.fixture(scope="session")
def site(web_root: Path) -> Site:
    """The main test site: the test project plus the variants."""
    project = copy_project(web_root / "project", EXTRA_FILES)
    broken = page_html(
        "Broken parts",
        [
            '<div class="cur-widget" data-component="quiz" id="cur-broken">'
            f'{PAYLOAD_TAG}{{"key": "quiz:broken", oops</script></div>',
            '<div class="cur-widget" data-component="nosuch" id="cur-nosuch">'
            f'{PAYLOAD_TAG}{{"key": "nosuch:x"}}</script></div>',
            '<div class="cur-widget" data-component="quiz" id="cur-bad-shape">'
            f'{PAYLOAD_TAG}{{"key": "quiz:odd", "items": 3}}</script></div>',
        ],
    )
    built = build_site(project, web_root / "main", PAGES)
    # The broken page also carries one healthy component, which must still work.
    healthy = (web_root / "main" / "spotter.html").read_text(encoding="utf-8")
    start = healthy.index('<div class="cur-widget"')
    end = healthy.index('<div class="cur-progress">')
    broken = broken.replace('<div class="cur-progress">', healthy[start:end] + '<div class="cur-progress">')
    (web_root / "main" / "broken.html").write_text(broken, encoding="utf-8")
    return built


@pytest.fixture(scope="session")
def server(web_root: Path) -> Iterator[str]:
    """Serve ``web_root`` on 127.0.0.1 (a free port); yields the base URL."""
    with serve(web_root) as url:
        yield url


@pytest.fixture(params=["http", "file"])
def base(request: pytest.FixtureRequest, site: Site, server: str, web_root: Path) -> str:
    """The main site's base URL, over http and from file://."""
    if request.param == "http":
        return server + "main/"
    return (web_root / "main").as_uri() + "/"


@pytest.fixture
def http_base(site: Site, server: str) -> str:
    return server + "main/"


def stored(page: Any, site: str = SITE) -> dict[str, Any]:
    """The progress object in localStorage."""
    text = page.evaluate(f"localStorage.getItem('curriculum-progress:v1:{site}')")
    return json.loads(text) if text else {}


def live_text(page: Any, scope: str = ".cur-component") -> str:
    """The text of the first live region in ``scope``, once it has been written."""
    page.wait_for_function(
        "(s) => (document.querySelector(s + ' .cur-live') || {}).textContent",
        arg=scope,
    )
    return page.locator(f"{scope} .cur-live").first.text_content() or ""


@pytest.fixture(scope="session")
def tools() -> Any:
    """The helpers above, for tests (conftest modules are not imported by name)."""
    import types

    return types.SimpleNamespace(
        goto=goto,
        reload=reload,
        stored=stored,
        live_text=live_text,
        axe_check=axe_check,
        copy_project=copy_project,
        build_site=build_site,
        page_html=page_html,
        SITE=SITE,
        XSS=XSS,
        XSS_PAYLOADS=XSS_PAYLOADS,
        SUMMATIVE_SECRETS=SUMMATIVE_SECRETS,
        EXTRA_FILES=EXTRA_FILES,
        PAGES=PAGES,
    )
