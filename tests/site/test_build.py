"""The Pandoc engine on the test project: pages, links, CSP, profiles, cache, determinism."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from curriculum.site import CSP, BuildResult, build_site
from tests.site.sitecheck import broken_links, outside_loads, pages, parse

Site = tuple[Path, BuildResult]


def out(site: Site) -> Path:
    return site[1].out


def test_every_page_is_built(resident_site: Site) -> None:
    names = set(pages(out(resident_site)))
    assert {
        "index.html",
        "lessons/intro.html",
        "quiz/index.html",
        "quiz/intro.html",
        "quiz/intro-final.html",
        "cases/index.html",
        "cases/first-visit.html",
        "progress.html",
        "search.html",
    } <= names
    for asset in (
        "assets/curriculum.js",
        "assets/curriculum.css",
        "assets/site.js",
        "assets/site.css",
        "search-index.js",
    ):
        assert (out(resident_site) / asset).is_file()


@pytest.mark.parametrize("fixture", ["resident_site", "faculty_site"])
def test_pages_have_title_lang_one_h1_and_the_csp(fixture: str, request: pytest.FixtureRequest) -> None:
    site = request.getfixturevalue(fixture)
    for name, page in pages(out(site)).items():
        assert page.lang == "en", name
        assert page.h1 == 1, name
        assert page.title.strip().endswith("Test curriculum"), name
        assert page.title.count("Test curriculum") == 1, name
        assert CSP in (out(site) / name).read_text(), name


@pytest.mark.parametrize("fixture", ["resident_site", "faculty_site"])
def test_links_and_anchors_resolve_and_nothing_loads_from_elsewhere(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    site = request.getfixturevalue(fixture)
    assert broken_links(out(site)) == []
    assert outside_loads(out(site)) == []


def all_text(folder: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in (".html", ".js", ".json")
    )


def test_resident_build_has_no_faculty_material(resident_site: Site) -> None:
    text = all_text(out(resident_site))
    assert "FACULTY-ONLY-MARKER" not in text
    assert "FACILITATOR-NOTES-MARKER" not in text  # the lesson's facilitator notes page
    assert "faculty/notes/" not in text  # no page, link or sidebar entry
    assert not (out(resident_site) / "faculty").exists()
    assert "Run as a role-play in pairs." not in text  # the vignette's facilitator notes
    assert "Answer key" not in text


def test_faculty_build_has_it(faculty_site: Site) -> None:
    text = all_text(out(faculty_site))
    assert "FACULTY-ONLY-MARKER" in text
    assert "Run as a role-play in pairs." in text
    assert "Answer key (faculty edition)" in (out(faculty_site) / "quiz" / "intro-final.html").read_text()


def test_faculty_lessons_and_their_notes_link_to_each_other(faculty_site: Site) -> None:
    notes = out(faculty_site) / "faculty" / "notes" / "intro.html"
    page = parse(notes)
    assert "FACILITATOR-NOTES-MARKER" in notes.read_text()
    assert "../../lessons/intro.html" in page.links  # back to the lesson
    assert 'id="ref-krupnick1996"' in notes.read_text()  # the notes' citations resolve
    lesson = parse(out(faculty_site) / "lessons" / "intro.html")
    assert "../faculty/notes/intro.html" in lesson.links
    sidebar = (out(faculty_site) / "index.html").read_text().split('class="sidebar"', 1)[1]
    assert "Facilitator notes" in sidebar and "faculty/notes/intro.html" in sidebar.split("</nav>", 1)[0]


def test_a_resident_build_refuses_to_publish_notes(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project / "_quarto.yml"
    config.write_text(config.read_text().replace("  render:\n", "  render:\n    - faculty/notes/*.qmd\n"))
    err = build_errors(project, monkeypatch, capsys)
    assert "CUR601: the resident edition would publish facilitator notes: faculty/notes/intro.qmd" in err


@pytest.mark.parametrize("fixture", ["resident_site", "faculty_site"])
def test_summative_quiz_ships_no_answers(fixture: str, request: pytest.FixtureRequest) -> None:
    site = request.getfixturevalue(fixture)
    page = (out(site) / "quiz" / "intro-final.html").read_text()
    assert 'data-payloads="intro-final.data.js"' in page and "cur-payload" not in page
    payload = deferred_payloads(out(site) / "quiz" / "intro-final.data.js")["cur-quiz-intro-final"]
    assert payload["kind"] == "summative"
    for item in payload["items"]:
        assert not {"answer", "rationale_html", "references"} & set(item)
        assert all(set(option) == {"id", "html"} for option in item["options"])
    # No feedback or rationale text anywhere in the resident site; faculty see rationales in the key table.
    text = all_text(out(site))
    assert "SUMMATIVE-FEEDBACK" not in text
    if fixture == "resident_site":
        assert "SUMMATIVE-RATIONALE" not in text
    else:
        key_table = page.split("Answer key (faculty edition)", 1)[1]
        assert "SUMMATIVE-RATIONALE-1" in key_table


def deferred_payloads(path: Path) -> dict[str, Any]:
    """The payloads a page's ``.data.js`` registers (a JSON object inside one assignment)."""
    text = path.read_text(encoding="utf-8")
    start = text.index("{", text.index("{},") + 3)
    return dict(json.loads(text[start : text.rindex("}") + 1]))


def test_pages_ship_their_text_first(resident_site: Site) -> None:
    lesson = (out(resident_site) / "lessons" / "intro.html").read_text()
    assert "cur-payload" not in lesson and 'data-payload="deferred"' in lesson
    assert 'data-bundle="../assets/curriculum.js"' in lesson and 'data-payloads="intro.data.js"' in lesson
    assert '<script src="../assets/curriculum.js"' not in lesson
    payloads = deferred_payloads(out(resident_site) / "lessons" / "intro.data.js")
    assert {p["component"] for p in payloads.values()} == {"quiz", "vignette"}
    index = (out(resident_site) / "index.html").read_text()
    assert "data-bundle" not in index, "a page without components loads no component code"
    assert 'data-bundle="assets/curriculum.js"' in (out(resident_site) / "progress.html").read_text()


def test_citations_and_references_render(resident_site: Site) -> None:
    page = (out(resident_site) / "index.html").read_text()
    assert 'href="#ref-plakun2009"' in page and 'id="ref-plakun2009"' in page
    lesson = (out(resident_site) / "lessons" / "intro.html").read_text()
    assert 'id="ref-krupnick1996"' in lesson
    assert 'class="cur-widget" data-component="quiz"' in lesson and "curriculum.overview" not in lesson


def test_search_index_covers_prose_and_components_not_answers(resident_site: Site) -> None:
    from tests.site.searchcheck import entries

    site = out(resident_site)
    index = (site / "search-index.js").read_text()
    assert index.startswith("window.CURRICULUM_SEARCH = ")
    found = entries(site)
    assert any(e.url.startswith("lessons/intro.html") and "alliance" in e.text.lower() for e in found)
    by_url = {e.url: e for e in found}
    # What a learner reads in each component is found where the component is the page's subject.
    quiz = by_url["quiz/intro.html#cur-quiz-intro"]
    assert "doubts that treatment can help her" in quiz.text and "Her rating of the alliance" in quiz.text
    assert "lessons/intro.html#cur-quiz-intro" not in by_url  # once, on its own page
    case = by_url["cases/first-visit.html#cur-vignette-first-visit"]
    assert case.heading == "The case: scenes and choices" and len(case.text) > 100
    assert not [
        e for e in found if e.heading in ("Take the quiz", "Work through the case")
    ]  # screen readers' only
    # Every result leads to its section: an anchor derived from the heading exists on the page.
    for e in found:
        page, _, anchor = e.url.partition("#")
        assert not anchor or f'id="{anchor}"' in (site / page).read_text(), e.url
    # Never an answer: feedback, rationale, expert reasons.
    files = "\n".join(p.read_text() for p in [site / "search-index.js", *(site / "search").glob("*.js")])
    for secret in (
        "Correct: the alliance predicted outcome",
        "in psychotherapy and in pharmacotherapy alike",
        "says back the patient's meaning",
        "SUMFB",
        "SUMRAT",
    ):
        assert secret not in files, secret


def test_no_change_rebuild_does_nothing_and_is_deterministic(tmp_path: Path, resident_site: Site) -> None:
    root = resident_site[0]
    before = {p: p.read_bytes() for p in out(resident_site).rglob("*") if p.is_file()}
    again = build_site(root, engine="pandoc", console=Console(quiet=True))
    assert again.stats is not None
    assert (again.stats.executed, again.stats.rendered, again.stats.written, again.stats.removed) == (
        0,
        0,
        0,
        0,
    )
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns("_site", ".curriculum-cache"))
    build_site(fresh, engine="pandoc", console=Console(quiet=True))
    after = {p.relative_to(out(resident_site)): b for p, b in before.items()}
    rebuilt = {
        p.relative_to(fresh / "_site"): p.read_bytes() for p in (fresh / "_site").rglob("*") if p.is_file()
    }
    assert rebuilt == after


def test_editing_prose_or_a_quiz_executes_nothing(tmp_path: Path) -> None:
    from tests.site.conftest import build_copy

    root, _ = build_copy(tmp_path, "resident")
    notebook = root / "lessons" / "intro.ipynb"
    data = json.loads(notebook.read_text())
    data["cells"][2]["source"] = [
        "## The alliance\n",
        "\n",
        "An edited sentence about bond, tasks and goals.\n",
    ]
    notebook.write_text(json.dumps(data, indent=1))
    result = build_site(root, engine="pandoc", console=Console(quiet=True))
    assert result.stats is not None
    assert (result.stats.executed, result.stats.rendered) == (0, 1)
    assert "An edited sentence" in (result.out / "lessons" / "intro.html").read_text()
    quiz = root / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("Introduction quiz", "Introduction quiz, revised"))
    result = build_site(root, engine="pandoc", console=Console(quiet=True))
    # A quiz is data: its pages are rendered again from the file, and no kernel runs.
    assert result.stats is not None and result.stats.executed == 0
    assert result.stats.notebooks == {"lessons/intro.ipynb": "cached"}
    assert "Introduction quiz, revised" in (result.out / "quiz" / "intro.html").read_text()
    assert "Introduction quiz, revised" in (result.out / "lessons" / "intro.data.js").read_text()


def test_stale_pages_are_removed(tmp_path: Path) -> None:
    from tests.site.conftest import build_copy

    root, first = build_copy(tmp_path, "resident")
    assert (first.out / "cases" / "first-visit.html").is_file()
    (root / "vignettes" / "first-visit.yml").unlink()
    notebook = root / "lessons" / "intro.ipynb"
    notebook.write_text(
        notebook.read_text()
        .replace("vignettes: [first-visit]", "vignettes: []")
        .replace('curriculum.vignette(\\"first-visit\\")', 'curriculum.overview(\\"intro\\")')
    )
    result = build_site(root, engine="pandoc", console=Console(quiet=True))
    assert result.stats is not None and result.stats.removed >= 1
    assert not (result.out / "cases" / "first-visit.html").exists()


def test_a_new_vignette_gets_its_page_and_a_rebuild_reads_the_configuration_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from curriculum.project import _facts
    from tests.site.conftest import build_copy

    root, _ = build_copy(tmp_path, "resident")
    second = (root / "vignettes" / "first-visit.yml").read_text().replace("first-visit", "second-visit")
    (root / "vignettes" / "second-visit.yml").write_text(second)
    loaded: list[str] = []
    load = _facts.load_config

    def counted(root: Path, profile: str = "resident", **options: Any) -> Any:
        loaded.append(profile)
        return load(root, profile, **options)

    monkeypatch.setattr(_facts, "load_config", counted)
    result = build_site(root, engine="pandoc", console=Console(quiet=True))
    assert (result.out / "cases" / "second-visit.html").is_file()  # written by the pre-render, then rendered
    assert loaded.count("resident") == 2  # the pre-render added a page: its patterns are matched again
    loaded.clear()
    (root / "vignettes" / "second-visit.yml").write_text(second + "\n")
    build_site(root, engine="pandoc", console=Console(quiet=True))
    assert loaded.count("resident") == 1  # no page came or went: the configuration read first stands


def build_errors(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    """Build ``project`` through the CLI, expect exit status 1 and no traceback; return stderr."""
    from tests.cli.test_cli import run

    monkeypatch.chdir(project)
    status, _, err = run(["build", "--engine", "pandoc"], capsys)
    assert status == 1 and "Traceback" not in err
    return err


def test_a_failing_notebook_stops_the_build_with_its_path(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = project / "lessons" / "intro.ipynb"
    notebook.write_text(notebook.read_text().replace('curriculum.quiz(\\"intro\\")', "1 / 0"))
    err = build_errors(project, monkeypatch, capsys)
    assert (
        "lessons/intro.ipynb:70:6: error CUR603: cell 5 raised ZeroDivisionError: division by zero "
        "(fix the code; run the notebook in JupyterLab to see the traceback)"
    ) in err


def test_a_page_that_cannot_be_read_is_reported(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "progress.qmd").unlink()
    err = build_errors(project, monkeypatch, capsys)
    assert "_quarto.yml:22:13: error CUR602: the page `progress.qmd` does not exist" in err


def test_a_broken_quarto_yml_is_located(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "_quarto.yml").write_text("website:\n  title: x\n   sidebar: []\n")
    assert "_quarto.yml:3:" in build_errors(project, monkeypatch, capsys)


def test_a_sidebar_entry_that_is_not_understood_is_located(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project / "_quarto.yml"
    config.write_text(config.read_text().replace("      - index.qmd\n", "      - index.qmd\n      - 42\n", 1))
    err = build_errors(project, monkeypatch, capsys)
    assert "_quarto.yml:15:9: error CUR601: a sidebar entry is not understood" in err


def test_front_matter_pandoc_cannot_read_is_located_before_pandoc(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "progress.qmd").write_text("---\ntitle: [unclosed\n---\n\nText\n")
    assert "progress.qmd:3:1: error CUR110: front matter: " in build_errors(project, monkeypatch, capsys)


def test_pandoc_failure_names_the_page(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from curriculum.site import _page_render
    from curriculum.site._page_worker import PageWorker

    real = _page_render.run_pandoc

    def failing(pandoc: str, *args: object, worker: PageWorker | None = None) -> tuple[str, str]:
        missing = pandoc + "-missing"
        return real(missing, *args, worker=PageWorker(missing))  # type: ignore[arg-type]

    monkeypatch.setattr(_page_render, "run_pandoc", failing)
    assert "Pandoc did not run" in build_errors(project, monkeypatch, capsys)


def test_only_pages_whose_inputs_changed_are_wrapped_again(tmp_path: Path) -> None:
    """A quiz edit rewrites the quiz's pages; a page edited by hand in the output is made again."""
    from tests.site.conftest import build_copy

    root, first = build_copy(tmp_path, "resident")
    pages = {p.relative_to(first.out): p for p in first.out.rglob("*.html")}
    times = {name: p.stat().st_mtime_ns for name, p in pages.items()}
    quiz = root / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("Introduction quiz", "Introduction quiz, revised"))
    (first.out / "index.html").write_text("edited by hand")
    result = build_site(root, engine="pandoc", console=Console(quiet=True))
    changed = {name for name, p in pages.items() if p.stat().st_mtime_ns != times[name]}
    assert changed == {Path("quiz/intro.html"), Path("quiz/index.html"), Path("index.html")}
    assert "edited by hand" not in (result.out / "index.html").read_text()
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns("_site", ".curriculum-cache"))
    build_site(fresh, engine="pandoc", console=Console(quiet=True))
    files = sorted(p.relative_to(result.out) for p in result.out.rglob("*") if p.is_file())
    assert files == sorted(
        p.relative_to(fresh / "_site") for p in (fresh / "_site").rglob("*") if p.is_file()
    )
    for name in files:  # the same bytes as a build from nothing: pages, payloads, the search index
        assert (fresh / "_site" / name).read_bytes() == (result.out / name).read_bytes(), name


def test_the_search_index_is_encoded_again_only_when_what_it_holds_changed(project: Path) -> None:
    """A footer edit wraps every page again but leaves the index; a damaged index file is made again."""
    first = build_site(project, engine="pandoc", console=Console(quiet=True))
    index = first.out / "search-index.js"
    texts = sorted((first.out / "search").glob("*.js"))
    before = {p: p.stat().st_mtime_ns for p in [index, *texts]}
    config = project / "_quarto.yml"
    config.write_text(config.read_text().replace("website:\n", "website:\n  page-footer: A new footer\n", 1))
    second = build_site(project, engine="pandoc", console=Console(quiet=True))
    assert "A new footer" in (second.out / "index.html").read_text()
    assert {p: p.stat().st_mtime_ns for p in before} == before
    assert second.stats is not None and {"search-index.js", *(f"search/{p.name}" for p in texts)} <= set(
        second.stats.files
    )  # still the build's own files, which the prune stage keeps
    damaged = second.out / "search" / texts[0].name
    original = damaged.read_bytes()
    damaged.write_text("edited by hand")
    config.write_text(config.read_text().replace("A new footer", "Another footer"))
    third = build_site(project, engine="pandoc", console=Console(quiet=True))
    assert (third.out / "search" / texts[0].name).read_bytes() == original


def test_a_page_is_wrapped_again_when_the_site_id_changes(project: Path) -> None:
    """The site id (the main configuration's title) keys progress: a profile's own title hides its change."""
    faculty = project / "_quarto-faculty.yml"
    faculty.write_text(faculty.read_text().replace("website:\n", "website:\n  title: Test curriculum\n", 1))
    build_site(project, engine="pandoc", profile="faculty", console=Console(quiet=True))
    main = project / "_quarto.yml"
    main.write_text(main.read_text().replace("title: Test curriculum", "title: Renamed curriculum", 1))
    result = build_site(project, engine="pandoc", profile="faculty", console=Console(quiet=True))
    assert 'data-curriculum-site="renamed-curriculum"' in (result.out / "index.html").read_text()


def test_a_damaged_wrap_record_is_ignored(project: Path) -> None:
    record = project / ".curriculum-cache" / "resident" / "wrapped.json"
    record.parent.mkdir(parents=True)
    record.write_text("[" * 100_000 + "]" * 100_000)
    result = build_site(project, engine="pandoc", console=Console(quiet=True))
    assert (result.out / "index.html").is_file()


def test_cached_pages_from_another_computer_or_damaged_are_rendered_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page cache holds finished HTML: a planted or damaged entry must never reach the site."""
    from curriculum import _memo

    root = project
    with monkeypatch.context() as elsewhere:  # the repository's author builds, then commits a doctored cache
        elsewhere.setattr(_memo, "_secret", lambda: "the key of another computer")
        first = build_site(root, engine="pandoc", console=Console(quiet=True))
    pages = sorted((root / ".curriculum-cache" / "resident" / "pages").glob("*.page"))
    assert first.stats is not None and len(pages) == first.stats.rendered
    for page in pages:
        page.write_text(page.read_text() + "<script>alert(1)</script>")
    shutil.rmtree(first.out)
    ours = build_site(root, engine="pandoc", console=Console(quiet=True))
    assert ours.stats is not None and ours.stats.rendered == first.stats.rendered
    assert "alert(1)" not in all_text(ours.out)
    damage = ["{not json\n<p>b</p>", '{"toc": 1}\n<p>b</p>', '{"toc": ""}', '{"toc": ""}\n\xff']
    for n, page in enumerate(sorted((root / ".curriculum-cache" / "resident" / "pages").glob("*.page"))):
        page.write_bytes(damage[n % len(damage)].encode("latin-1"))
    index = root / "index.qmd"
    index.write_text(index.read_text() + "\nOne more sentence.\n")
    damaged = build_site(
        root, engine="pandoc", console=Console(quiet=True)
    )  # the other pages' HTML is not read
    assert damaged.stats is not None and damaged.stats.rendered == 1
    shutil.rmtree(damaged.out)  # every page is wrapped again: every damaged entry is read, and rendered again
    again = build_site(root, engine="pandoc", console=Console(quiet=True))
    assert again.stats is not None and again.stats.rendered == first.stats.rendered - 1
    assert "<p>b</p>" not in all_text(again.out)
    for page in (root / ".curriculum-cache" / "resident" / "pages").glob("*.page"):
        page.write_bytes(page.read_bytes()[:-60])  # cut short: its head and what is left still read
    shutil.rmtree(again.out)
    cut = build_site(root, engine="pandoc", console=Console(quiet=True))
    assert cut.stats is not None and cut.stats.rendered == first.stats.rendered


def test_the_page_cache_holds_the_current_pages_only(project: Path) -> None:
    first = build_site(project, engine="pandoc", console=Console(quiet=True))
    cache = project / ".curriculum-cache" / "resident"
    before = {p.name for p in (cache / "pages").glob("*.page")}
    assert first.stats is not None and len(before) == first.stats.pages
    (cache / "pages" / "0123456789abcdef0123456789abcdef.page").write_text("{}\n")
    (cache / "pages" / "0123456789abcdef0123456789abcdef.json").write_text("{}")  # an earlier build's form
    (cache / "bibliography" / "0123456789abcdef0123456789abcdef.bib").write_text("@misc{x,}")
    index = project / "index.qmd"
    index.write_text(index.read_text() + "\nA new sentence citing [@krupnick1996].\n")
    build_site(project, engine="pandoc", console=Console(quiet=True))
    after = {p.name for p in (cache / "pages").iterdir()}
    assert len(after) == len(before) and len(after - before) == 1  # the edited page's old entry is gone
    subsets = [s.read_text() for s in (cache / "bibliography").glob("*.bib")]
    assert subsets and "@misc{x,}" not in subsets
    assert any("krupnick1996" in s and "plakun2009" in s for s in subsets)


def test_each_component_payload_is_built_once_per_build(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quiz shows on its own page and in its lesson: the build makes its payload once for both."""
    from tests.site.conftest import count_payload_builds

    built = count_payload_builds(monkeypatch)
    result = build_site(project, engine="pandoc", console=Console(quiet=True))
    assert built[("quiz", ("intro",))] == 1 and set(built.values()) == {1}
    shown = [p for p in result.out.rglob("*.data.js") if "quiz:intro" in p.read_text()]
    assert len(shown) >= 2, shown  # the quiz's page and the lesson's


def test_a_quiz_edit_rewrites_only_the_data_scripts_that_show_it(tmp_path: Path) -> None:
    """The other pages' payloads are recognised by their keys; a script edited by hand is made again."""
    from tests.site.conftest import build_copy

    root, first = build_copy(tmp_path, "resident")
    scripts = {p.relative_to(first.out): p for p in first.out.rglob("*.data.js")}
    shows = {name for name, p in scripts.items() if '"quiz:intro"' in p.read_text()}
    assert len(shows) >= 2 and len(scripts) > len(shows)
    for p in scripts.values():
        os.utime(p, ns=(1, 1))
    other = next(p for name, p in scripts.items() if name not in shows)
    original = other.read_bytes()
    other.write_text("edited by hand")
    os.utime(other, ns=(2, 2))
    quiz = root / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("Introduction quiz", "Introduction quiz, revised"))
    result = build_site(root, engine="pandoc", console=Console(quiet=True))
    rewritten = {name for name, p in scripts.items() if p.stat().st_mtime_ns not in (1, 2)}
    assert rewritten == shows | {other.relative_to(result.out)}
    assert other.read_bytes() == original
    assert all("Introduction quiz, revised" in scripts[name].read_text() for name in shows)


def test_payloads_and_generated_pages_that_stand_are_not_looked_up(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Their files' records name the keys they were made from: a prose edit searches the memo for none.

    A memo that lost them since leaves the files as they are, and an edit
    that needs them again makes them again: the site is a fresh build's.
    """
    from curriculum import _memo
    from curriculum.site import _generated_record
    from tests.site.conftest import same_as_a_fresh_build

    monkeypatch.setattr(_generated_record, "RACY_NS", 0)  # generated pages just written are trusted too
    build_site(project, engine="pandoc", console=Console(quiet=True))
    held: list[str] = []
    real = _memo.Memo.held
    monkeypatch.setattr(
        _memo.Memo, "held", lambda memo, text, **kw: held.append(memo.namespace) or real(memo, text, **kw)
    )
    lesson, quiz = project / "lessons" / "intro.ipynb", project / "quizzes" / "intro.yml"
    _edit_cell(lesson, "predicts outcome", "predicts a better outcome")
    build_site(project, engine="pandoc", console=Console(quiet=True))
    assert not {"render.payload", "render.generated-page"} & set(held), held
    for lost in (project / ".curriculum-cache" / "memo").glob("render.*.jsonl"):
        lost.unlink()
    _edit_cell(lesson, "predicts a better outcome", "predicts outcome")
    result = build_site(project, engine="pandoc", console=Console(quiet=True))
    same_as_a_fresh_build(project, result.out, tmp_path / "1")
    quiz.write_text(quiz.read_text().replace("Introduction quiz", "Introduction quiz, revised"))
    result = build_site(project, engine="pandoc", console=Console(quiet=True))
    same_as_a_fresh_build(project, result.out, tmp_path / "2")


def test_the_index_is_not_even_gathered_while_no_page_text_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each page says what its text is made from (cache entry, payload keys): the same, no index work."""
    from curriculum.site import _search, _search_stage

    build_site(project, engine="pandoc", console=Console(quiet=True))
    config = project / "_quarto.yml"
    config.write_text(config.read_text().replace("website:\n", "website:\n  page-footer: A footer\n", 1))
    with monkeypatch.context() as never:
        never.setattr(_search_stage, "site_index", lambda pages: pytest.fail("the index was gathered"))
        build_site(project, engine="pandoc", console=Console(quiet=True))
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("Introduction quiz", "Introduction quiz on the alliance"))
    gathered: list[int] = []  # the quiz's page has the quiz's title: a page renamed, the index is gathered
    real = _search_stage.site_index
    monkeypatch.setattr(_search_stage, "site_index", lambda pages: gathered.append(1) or real(pages))
    scripted: list[int] = []
    script = _search.SearchIndex.text_script
    monkeypatch.setattr(_search.SearchIndex, "text_script", lambda i, n: scripted.append(n) or script(i, n))
    result = build_site(project, engine="pandoc", console=Console(quiet=True))
    assert gathered and "Introduction quiz on the alliance" in (result.out / "search-index.js").read_text()
    texts = len(list((result.out / "search").glob("*.js")))
    assert 0 < len(scripted) <= 3 < texts, "only the text scripts of the pages that show the quiz are made"


def test_an_edit_that_changes_no_indexed_word_encodes_no_index(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feedback edit changes a payload (what the pages are made from), not a word the index holds.

    Only the parts of the pages that show the quiz are read (the last index's
    record gives every other page's), found as they were, and the index is
    neither gathered, nor encoded again, nor read from the last postings; the
    postings stay. (Whether the postings are read ahead while a page renders
    is a matter of timing, tested on its own: no read ahead here.)
    """
    from curriculum.site import _search, _search_parts, _search_stage

    first = build_site(project, engine="pandoc", console=Console(quiet=True))
    postings = project / ".curriculum-cache" / "resident" / "search-postings"
    before = postings.stat().st_mtime_ns
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("predicted outcome", "predicted the outcome"))
    read: list[str] = []
    digest = _search_parts.part_digest
    monkeypatch.setattr(_search_parts, "part_digest", lambda part: read.append("part") or digest(part))
    monkeypatch.setattr(_search_stage, "site_index", lambda pages: pytest.fail("the index was gathered"))
    monkeypatch.setattr(
        _search.SearchIndex, "index_script", lambda *a: pytest.fail("the index was encoded again")
    )
    monkeypatch.setattr(
        _search_stage.KeptPostings, "patched", lambda *a: pytest.fail("the index was patched")
    )
    monkeypatch.setattr(_search_stage, "read_kept", lambda *a: pytest.fail("the last postings were read"))
    monkeypatch.setattr(_search_stage.SearchRecords, "read_ahead", lambda self: None)
    result = build_site(project, engine="pandoc", console=Console(quiet=True))
    assert "predicted the outcome" in (result.out / "quiz" / "intro.data.js").read_text()
    shows = [p for p in result.out.rglob("*.data.js") if "predicted the outcome" in p.read_text()]
    assert first.stats is not None and 0 < len(read) == len(shows) < first.stats.pages
    assert postings.stat().st_mtime_ns == before


def test_the_index_kept_by_its_pages_parts_is_named_with_one_hash(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What names the index (its pages and their parts' digests) is hashed once, for both records."""
    import hashlib
    import types

    from curriculum.site import _output_record, _search_parts, _search_stage, _stages

    build_site(project, engine="pandoc", console=Console(quiet=True))
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("predicted outcome", "predicted the outcome"))
    hashed: list[int] = []
    searching = [False]

    def counted(hash_: Callable[..., Any]) -> Callable[..., Any]:
        def hashing(data: bytes = b"", **kw: Any) -> Any:
            if searching[0] and b"index.html" in data:  # what names the index holds each URL
                hashed.append(len(data))
            return hash_(data, **kw)

        return hashing

    counting = types.SimpleNamespace(sha256=counted(hashlib.sha256), blake2b=counted(hashlib.blake2b))
    monkeypatch.setattr(_search_parts, "hashlib", counting)
    monkeypatch.setattr(_output_record, "hashlib", counting)
    search = _stages.search

    def flagged(*args: Any) -> None:
        searching[0] = True
        try:
            search(*args)
        finally:
            searching[0] = False

    monkeypatch.setattr(_stages, "search", flagged)
    monkeypatch.setattr(_search_stage, "site_index", lambda pages: pytest.fail("the index was gathered"))
    build_site(project, engine="pandoc", console=Console(quiet=True))
    assert len(hashed) == 1, hashed


def test_a_second_edit_that_changes_no_indexed_word_gathers_no_index_either(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index kept by its pages' parts is recorded as the index it is: the next such edit keeps it too."""
    from curriculum.site import _search_stage

    build_site(project, engine="pandoc", console=Console(quiet=True))
    quiz = project / "quizzes" / "intro.yml"
    for new in ("predicted the outcome", "predicted the final outcome"):
        quiz.write_text(
            quiz.read_text().replace("predicted outcome", new).replace("predicted the outcome", new)
        )
        with monkeypatch.context() as never:
            never.setattr(_search_stage, "site_index", lambda pages: pytest.fail("the index was gathered"))
            result = build_site(project, engine="pandoc", console=Console(quiet=True))
        assert new in (result.out / "quiz" / "intro.data.js").read_text()


def test_a_text_edit_that_keeps_every_word_remakes_only_the_text_scripts_of_its_pages(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An option's punctuation is in its page's text script (the snippets), not in the index's words.

    The index is kept without being gathered, the text scripts of the pages
    that show the quiz are made again from their own parts, and every search
    file is what a build from nothing makes.
    """
    from curriculum.site import _search_stage

    first = build_site(project, engine="pandoc", console=Console(quiet=True))
    index = first.out / "search-index.js"
    scripts = {p: p.stat().st_mtime_ns for p in [index, *(first.out / "search").glob("*.js")]}
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("Her rating of the alliance,", "Her rating of the alliance!,"))
    with monkeypatch.context() as never:
        never.setattr(_search_stage, "site_index", lambda pages: pytest.fail("the index was gathered"))
        result = build_site(project, engine="pandoc", console=Console(quiet=True))
    remade = [p for p, then in scripts.items() if p.stat().st_mtime_ns != then]
    assert remade and index not in remade and len(remade) < len(scripts) - 1
    assert all("Her rating of the alliance!" in p.read_text() for p in remade)
    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("_site", ".curriculum-cache"))
    whole = build_site(fresh, engine="pandoc", console=Console(quiet=True))
    for path in scripts:
        name = path.relative_to(result.out)
        assert (whole.out / name).read_bytes() == path.read_bytes(), name


def test_each_search_file_is_looked_at_once_a_build_and_recorded_as_it_was_then(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index's list of files names each as its own entry found or wrote it: it is not looked at twice.

    A build that changed a page (the parts record says so) does not name its
    page list; the next build whose pages are made from the same keeps the
    index by the pages' parts, and names the list; the one after finds that
    list as it was, and keeps every search file.
    """
    from collections import Counter

    from curriculum.site import _output_record, _search_stage

    build_site(project, engine="pandoc", console=Console(quiet=True))
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("Her rating of the alliance,", "Her rating of the alliance!,"))
    looked: Counter[str] = Counter()
    look = _output_record.size_and_time  # what an output record learns of a file, each time it looks at one
    look_all = _output_record._sizes_and_times  # ... or of files, looked at at once (None: each, then)
    staging = os.path.join(project, "._site.building", "")  # where the build writes the site
    with monkeypatch.context() as counted:
        counted.setattr(
            _output_record,
            "size_and_time",
            lambda path: looked.update([path.removeprefix(staging)]) or look(path),
        )
        counted.setattr(
            _output_record,
            "_sizes_and_times",
            lambda folder, names: (
                ((found := look_all(folder, names)) is not None and looked.update(names)) or found
            ),
        )
        build_site(project, engine="pandoc", console=Console(quiet=True))
    searched = {name: n for name, n in looked.items() if name.startswith("search")}
    assert len(searched) > 2 and set(searched.values()) == {1}, searched
    config = project / "_quarto.yml"
    config.write_text(config.read_text().replace("website:\n", "website:\n  page-footer: A footer\n", 1))
    with monkeypatch.context() as never:
        never.setattr(_search_stage, "site_index", lambda pages: pytest.fail("the index was gathered"))
        build_site(project, engine="pandoc", console=Console(quiet=True))
    config.write_text(config.read_text().replace("A footer", "Another footer"))
    monkeypatch.setattr(
        _search_stage, "_by_parts", lambda *args: pytest.fail("the list of files was not kept")
    )
    build_site(project, engine="pandoc", console=Console(quiet=True))


def test_a_build_that_changed_a_page_does_not_name_the_page_list(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parts record says which pages are made from something new: the page list is not encoded.

    (It cannot be the last build's list, each page's key is in it.) The
    search files are those of a build from nothing.
    """
    from curriculum.site import _search_stage

    build_site(project, engine="pandoc", console=Console(quiet=True))
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("Her rating of the alliance,", "Her rating of the alliance!,"))
    with monkeypatch.context() as never:
        never.setattr(_search_stage, "_pages_key", lambda pages: pytest.fail("the page list was named"))
        result = build_site(project, engine="pandoc", console=Console(quiet=True))
    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("_site", ".curriculum-cache"))
    whole = build_site(fresh, engine="pandoc", console=Console(quiet=True))
    made = [result.out / "search-index.js", *(result.out / "search").glob("*.js")]
    assert len(made) > 2 and len(made) == 1 + len(list((whole.out / "search").glob("*.js")))
    for path in made:
        name = path.relative_to(result.out)
        assert (whole.out / name).read_bytes() == path.read_bytes(), name


def _edit_cell(lesson: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in the lesson's one Markdown cell that holds it."""
    notebook = json.loads(lesson.read_text(encoding="utf-8"))
    cells = [c for c in notebook["cells"] if c["cell_type"] == "markdown" and old in "".join(c["source"])]
    assert len(cells) == 1, old
    cells[0]["source"] = "".join(cells[0]["source"]).replace(old, new, 1)
    lesson.write_text(json.dumps(notebook), encoding="utf-8")


def _show_quiz(lesson: Path, quiz: str) -> None:
    """Add a code cell that shows ``quiz`` to the end of the lesson."""
    notebook = json.loads(lesson.read_text(encoding="utf-8"))
    source = f'curriculum.quiz("{quiz}")'
    cell = {"cell_type": "code", "id": "show-quiz", "metadata": {}, "outputs": [], "source": source}
    notebook["cells"].append(cell)
    notebook["cells"][-1]["execution_count"] = None
    lesson.write_text(json.dumps(notebook), encoding="utf-8")


def test_an_index_patched_is_named_twice_with_its_pages_framed_once(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lesson edit that patches the index asks of it by its parts' digests now and as recorded.

    The pages (titles, URLs, kinds) are framed and hashed once for both names, each a list of digests apart.
    """
    from curriculum.site import _search_parts, _search_stage

    build_site(project, engine="pandoc", console=Console(quiet=True))
    encoded: list[int] = []
    frame = _search_stage._frame

    def counting(pages: Any) -> Any:
        encoded.append(len(pages))
        return frame(pages)

    namer = _search_parts.index_namer
    named: list[int] = []
    monkeypatch.setattr(_search_stage, "index_namer", lambda framed: named.append(1) or namer(framed))
    monkeypatch.setattr(_search_stage, "_frame", counting)
    done: list[str] = []
    patch = _search_stage.KeptPostings.patched
    monkeypatch.setattr(_search_stage.KeptPostings, "patched", lambda *a: done.append("patched") or patch(*a))
    _edit_cell(project / "lessons" / "intro.ipynb", "predicts outcome", "predicts zygomorphic outcome")
    build_site(project, engine="pandoc", console=Console(quiet=True))
    assert done == ["patched"] and len(encoded) == 1 and named == [1], encoded


def test_an_index_patched_by_its_changed_sections_is_the_index_of_a_build_from_nothing(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Words added and removed, a heading renamed, a quiz's stem edited: the index is patched.

    Only the changed sections' words are encoded again (from search-postings),
    and no other page's part is read; the heads (headings, anchors) are
    encoded and written again only when a heading changed. Postings kept of
    another index, a section added, a component shown: the index is
    gathered. After each edit, every search file is what a build from nothing makes.
    """
    from curriculum.site import _search_parts, _search_stage

    build_site(project, engine="pandoc", console=Console(quiet=True))
    postings = project / ".curriculum-cache" / "resident" / "search-postings"
    assert postings.is_file()
    done: list[str] = []
    gather, patch = _search_stage.site_index, _search_stage.KeptPostings.patched
    monkeypatch.setattr(_search_stage, "site_index", lambda pages: done.append("gathered") or gather(pages))
    monkeypatch.setattr(_search_stage.KeptPostings, "patched", lambda *a: done.append("patched") or patch(*a))
    heads_text = _search_parts._heads_text
    monkeypatch.setattr(_search_parts, "_heads_text", lambda h: done.append("heads") or heads_text(h))
    lesson, quiz = project / "lessons" / "intro.ipynb", project / "quizzes" / "intro.yml"
    changes = postings.with_name("search-postings.changes")
    kept: list[tuple[bytes, bytes]] = []

    def keeping_the_postings(edit: Callable[[], None]) -> Callable[[], None]:
        return lambda: kept.append((postings.read_bytes(), changes.read_bytes())) or edit()

    def with_postings_of_an_edit_before() -> None:  # as many sections, other words: another index's
        postings.write_bytes(kept[-1][0])
        changes.write_bytes(kept[-1][1])
        _edit_cell(lesson, "## The working alliance", "## The therapeutic alliance")

    edits: list[tuple[Callable[[], None], str, str]] = [
        (
            lambda: _edit_cell(lesson, "predicts outcome", "predicts zygomorphic outcome"),
            ["patched"],
            "zygomorphic",
        ),
        (lambda: _edit_cell(lesson, "predicts zygomorphic", "foretells"), ["patched"], "foretells"),
        (
            keeping_the_postings(lambda: _edit_cell(lesson, "## The alliance", "## The working alliance")),
            ["patched", "heads"],
            "working",
        ),
        (with_postings_of_an_edit_before, ["gathered", "heads"], "therapeutic"),
        (
            lambda: quiz.write_text(
                quiz.read_text().replace("recurrent depression", "recurrent melancholia")
            ),
            ["patched"],
            "melancholia",
        ),
        (
            lambda: _edit_cell(lesson, "[@krupnick1996].", "[@krupnick1996].\n\n## Ruptures\n\nA rupture."),
            ["gathered", "heads"],
            "ruptures",
        ),
        (lambda: _show_quiz(lesson, "intro-final"), ["gathered", "heads"], "ruptures"),  # components changed
    ]
    for n, (edit, how, word) in enumerate(edits):
        edit()
        done.clear()
        result = build_site(project, engine="pandoc", console=Console(quiet=True))
        assert done == how, (n, done)
        texts = [p.read_text(encoding="utf-8") for p in [*result.out.glob("search/*.js")]]
        heads = (result.out / "search-index.js").read_text(encoding="utf-8")  # words are front-coded
        assert any(word in text.lower() for text in [heads, *texts]), (n, word)
        fresh = tmp_path / f"fresh-{n}"
        shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("_site", ".curriculum-cache"))
        whole = build_site(fresh, engine="pandoc", console=Console(quiet=True))
        searched = sorted(
            p.relative_to(whole.out) for p in [whole.out / "search-index.js", *whole.out.glob("search/*.js")]
        )
        assert searched == sorted(
            p.relative_to(result.out)
            for p in [result.out / "search-index.js", *result.out.glob("search/*.js")]
        )
        for name in searched:
            assert (result.out / name).read_bytes() == (whole.out / name).read_bytes(), (n, name)


def test_an_edit_of_words_alone_patches_the_index_without_reading_its_heads(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lesson edit that changes words, not headings, takes the heads as the last script has them.

    The heads' file is neither read nor decoded (where each page's sections
    are is in the parts record); the last script is read once, for its bytes
    up to its words. A heading renamed reads the heads. Either way the index
    is a build from nothing's.
    """
    from curriculum.site import _search, _search_parts, _search_stage

    build_site(project, engine="pandoc", console=Console(quiet=True))
    done: list[str] = []
    heads, last = _search_parts.PartRecord.heads, _search_stage._last_head
    monkeypatch.setattr(_search_parts.PartRecord, "heads", lambda self: done.append("heads") or heads(self))
    monkeypatch.setattr(_search_stage, "_last_head", lambda *a: done.append("last") or last(*a))
    decode = _search.IndexHeads.from_text
    monkeypatch.setattr(_search.IndexHeads, "from_text", lambda text: done.append("decoded") or decode(text))
    lesson = project / "lessons" / "intro.ipynb"
    for n, (edit, how) in enumerate(
        [
            (lambda: _edit_cell(lesson, "predicts outcome", "predicts zygomorphic outcome"), ["last"]),
            (lambda: _edit_cell(lesson, "## The alliance", "## The working alliance"), ["heads", "decoded"]),
            (lambda: _edit_cell(lesson, "predicts zygomorphic", "foretells"), ["last"]),
        ]
    ):
        edit()
        done.clear()
        result = build_site(project, engine="pandoc", console=Console(quiet=True))
        assert done == how, (n, done)
        fresh = tmp_path / f"fresh-{n}"
        shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("_site", ".curriculum-cache"))
        whole = build_site(fresh, engine="pandoc", console=Console(quiet=True))
        for name in ["search-index.js", *(p.name for p in (whole.out / "search").glob("*.js"))]:
            path = name if name == "search-index.js" else f"search/{name}"
            assert (result.out / path).read_bytes() == (whole.out / path).read_bytes(), (n, path)


@pytest.mark.parametrize("damage", ["heading", "number beyond", "another number"])
def test_a_parts_record_damaged_in_place_patches_nothing(project: Path, tmp_path: Path, damage: str) -> None:
    """A heading changed in the record is refused by its digest; a page placed elsewhere, by its heads.

    (The record signed again after the damage, as only this code could: the heads still say whose
    sections are where.) Either way the index is gathered, as a build from nothing makes it.
    """
    from tests.site.searchcheck import read_parts, write_parts

    build_site(project, engine="pandoc", console=Console(quiet=True))
    parts = project / ".curriculum-cache" / "resident" / "search-parts.json"
    record = read_parts(parts)
    if damage == "heading":  # in the heads' file, which the record names by their digest
        record["heads"][1][-1] = "A heading no page has"
        heads = parts.with_name("search-heads.json")
        heads.write_text(json.dumps(record["heads"], sort_keys=True), encoding="utf-8")
    else:
        assert record["pages"]["lessons/intro.html"][2] not in (-1, 0, 99)
        record["pages"]["lessons/intro.html"][2] = 99 if damage == "number beyond" else 0
        write_parts(parts, record)
    _edit_cell(project / "lessons" / "intro.ipynb", "predicts outcome", "predicts zygomorphic outcome")
    result = build_site(project, engine="pandoc", console=Console(quiet=True))
    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("_site", ".curriculum-cache"))
    whole = build_site(fresh, engine="pandoc", console=Console(quiet=True))
    assert (result.out / "search-index.js").read_bytes() == (whole.out / "search-index.js").read_bytes()


def test_a_folder_planted_where_the_postings_are_kept_does_not_stop_the_build(project: Path) -> None:
    """search-postings only saves time: a folder in its place is neither read nor a failure."""
    planted = project / ".curriculum-cache" / "resident" / "search-postings"
    planted.mkdir(parents=True)
    result = build_site(project, engine="pandoc", console=Console(quiet=True))
    assert (result.out / "search-index.js").is_file() and planted.is_dir()


def test_a_profile_built_after_another_into_the_same_folder_is_built_again(tmp_path: Path) -> None:
    """A faculty build into the resident's folder (a project without a faculty output folder) is replaced.

    Nothing the resident edition reads changed, but its folder holds the
    faculty edition (facilitator notes, answer keys): the next resident build
    must make it again, not say that nothing changed.
    """
    from tests.site.conftest import build_copy, same_as_a_fresh_build

    root, resident = build_copy(tmp_path, "resident")
    faculty = build_site(root, engine="pandoc", profile="faculty", console=Console(quiet=True))
    assert faculty.out == resident.out and (faculty.out / "faculty" / "notes" / "intro.html").is_file()
    again = build_site(root, engine="pandoc", console=Console(quiet=True))
    assert again.stats is not None and again.stats.written > 0
    same_as_a_fresh_build(root, again.out, tmp_path / "fresh")
    # Twice: the second faculty build starts from the spare, the resident's old folder (review finding)
    build_site(root, engine="pandoc", profile="faculty", console=Console(quiet=True))
    faculty = build_site(root, engine="pandoc", profile="faculty", console=Console(quiet=True), freeze=False)
    assert (faculty.out / "faculty" / "notes" / "intro.html").is_file()
    again = build_site(root, engine="pandoc", console=Console(quiet=True))
    assert not (again.out / "faculty" / "notes" / "intro.html").exists()
    same_as_a_fresh_build(root, again.out, tmp_path / "fresh-again")


def test_a_quiz_edit_makes_the_quiz_index_without_validating_the_other_quizzes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the index shows of each quiz, and each lesson's title, is remembered by the text's digest."""
    from curriculum.content import _project
    from tests.site.conftest import build_copy, same_as_a_fresh_build

    root, _ = build_copy(tmp_path, "resident")
    validated: list[str] = []
    model = _project._IndexedDocument.model.func  # type: ignore[attr-defined]
    monkeypatch.setattr(
        _project._IndexedDocument, "model", property(lambda doc: validated.append(doc.display) or model(doc))
    )
    quiz = root / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("Introduction quiz", "Introduction quiz, revised"))
    result = build_site(root, engine="pandoc", console=Console(quiet=True))
    index = (result.out / "quiz" / "index.html").read_text()
    assert "Introduction quiz, revised" in index and "intro-final.html" in index
    assert not [d for d in validated if "quizzes" in Path(d).parts or "lessons" in Path(d).parts], validated
    monkeypatch.undo()
    same_as_a_fresh_build(root, result.out, tmp_path)


def test_an_edit_of_one_page_writes_a_few_entries_of_the_search_record(project: Path) -> None:
    """The page list's entry holds its key only (its files are the other entries'): not written whole.

    A build that changed a page does not name the page list: it has no entry.
    """
    import json

    from curriculum.site._record_file import unsealed

    build_site(project, engine="pandoc", console=Console(quiet=True))
    index = project / "index.qmd"
    index.write_text(index.read_text() + "\nOne more sentence about alliances.\n")
    build_site(project, engine="pandoc", console=Console(quiet=True))
    changes = project / ".curriculum-cache" / "resident" / "searched.changes.json"
    changed = json.loads(unsealed(changes.read_bytes()) or b"")
    entries = changed["set"]["entries"]
    assert "pages" not in entries and len(entries) <= 2, changed


def test_an_index_patched_with_other_words_is_written_without_reading_the_last_one_back(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lesson edit that changes words changes the index: search-index.js is written, not compared first.

    A heading changed only in its white space changes no byte of it: it is compared, and left as it is.
    Hand-edited before either build, it is made again all the same.
    """
    from curriculum.site import _stages

    build_site(project, engine="pandoc", console=Console(quiet=True))
    lesson = project / "lessons" / "intro.ipynb"
    writes: list[tuple[str, bool]] = []
    write = _stages.Render.write
    monkeypatch.setattr(
        _stages.Render,
        "write",
        lambda self, name, text, **kw: (
            writes.append((name, kw.get("changed", False))) or write(self, name, text, **kw)
        ),
    )
    for edit, compared in (
        (lambda: _edit_cell(lesson, "predicts outcome", "predicts zygomorphic outcome"), False),
        (lambda: _edit_cell(lesson, "## The alliance", "## The  alliance"), True),
    ):
        edit()
        index = project / "_site" / "search-index.js"
        index.write_text(index.read_text(encoding="utf-8").replace("Lesson", "Lesson!"), encoding="utf-8")
        writes.clear()
        result = build_site(project, engine="pandoc", console=Console(quiet=True))
        assert ("search-index.js", not compared) in writes, writes
        fresh = tmp_path / f"fresh-{compared}"
        shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("_site", ".curriculum-cache"))
        whole = build_site(fresh, engine="pandoc", console=Console(quiet=True))
        assert (result.out / "search-index.js").read_bytes() == (whole.out / "search-index.js").read_bytes()


def test_a_lesson_edit_reads_the_postings_the_last_build_kept_without_hashing_them(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parts record names the stamps of the postings' files: the next edit trusts them by those.

    Only a file not as stamped (changed since, or of another) is hashed, and
    the index is the one a build from nothing makes.
    """
    from curriculum.site import _postings

    build_site(project, engine="pandoc", console=Console(quiet=True))
    lesson = project / "lessons" / "intro.ipynb"
    _edit_cell(lesson, "predicts outcome", "predicts zygomorphic outcome")
    build_site(project, engine="pandoc", console=Console(quiet=True))
    hashed: list[int] = []
    digest = _postings._digest
    monkeypatch.setattr(
        _postings, "_digest", lambda head, body: hashed.append(len(body)) or digest(head, body)
    )
    _edit_cell(lesson, "predicts zygomorphic outcome", "predicts xylophonic outcome")
    result = build_site(project, engine="pandoc", console=Console(quiet=True))
    base = project / ".curriculum-cache" / "resident" / _postings.POSTINGS
    assert base.is_file() and hashed and max(hashed) < base.stat().st_size // 4, hashed  # the changes only
    assert "xylophonic" in (result.out / "search-index.js").read_text()
