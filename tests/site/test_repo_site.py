"""The real curriculum, built with the Pandoc engine in both profiles, as CI publishes it."""

from __future__ import annotations

import json
import re

import pytest

from curriculum.site import BuildResult
from tests.conftest import REPO
from tests.site.sitecheck import broken_links, outside_loads, pages

pytestmark = pytest.mark.slow


def faculty_snippets() -> list[str]:
    """Distinctive sentences from every facilitator note: each lesson's notes page and vignette notes."""
    import yaml

    snippets = []
    for notes in sorted((REPO / "faculty" / "notes").glob("*.qmd")):
        body = notes.read_text().split("\n---\n", 1)[1]
        seminar = body.split("**Seminar plan", 1)[1]  # past the link back to the lesson
        snippets.append(re.findall(r"[A-Za-z][A-Za-z ,]{40,}", seminar)[0][:40])
    for notebook in sorted((REPO / "lessons").glob("*.ipynb")):  # none left in the notebooks
        cells = json.loads(notebook.read_text())["cells"]
        assert not any('when-profile="faculty"' in "".join(c["source"]) for c in cells), notebook
    for vignette in sorted((REPO / "vignettes").glob("[0-9]*.yml")):
        notes = yaml.safe_load(vignette.read_text()).get("facilitator")
        if notes:
            snippets.append(re.findall(r"[A-Za-z][A-Za-z ,]{30,}", notes)[0][:30])
    return snippets


@pytest.mark.parametrize("profile", ["resident", "faculty"])
def test_repo_site_is_sound(profile: str, request: pytest.FixtureRequest) -> None:
    result: BuildResult = request.getfixturevalue(f"repo_{profile}")
    site = pages(result.out)
    assert len([n for n in site if n.startswith("lessons/")]) == len(list((REPO / "lessons").glob("*.ipynb")))
    assert any(n.startswith("reference/") for n in site), "the API reference is part of the site"
    for name, page in site.items():
        assert page.lang == "en" and page.h1 == 1 and page.title.strip(), name
    assert broken_links(result.out) == []
    assert outside_loads(result.out) == []


def site_text(result: BuildResult) -> str:
    files = [*result.out.rglob("*.html"), *result.out.rglob("*.data.js")]  # pages and their payloads
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def test_facilitator_notes_only_in_the_faculty_build(
    repo_resident: BuildResult, repo_faculty: BuildResult
) -> None:
    snippets = faculty_snippets()
    assert len(snippets) >= 16  # eight lessons and eight vignettes
    resident, faculty = site_text(repo_resident), site_text(repo_faculty)
    for snippet in snippets:
        plain = snippet.replace("'", "&#39;")
        assert snippet not in resident and plain not in resident, snippet
    found = [s for s in snippets if s in faculty or s.replace("'", "\\u0027") in faculty]
    assert len(found) == len(snippets), set(snippets) - set(found)


def test_every_faculty_lesson_links_to_its_notes_and_back(repo_faculty: BuildResult) -> None:
    site = pages(repo_faculty.out)
    for notebook in sorted((REPO / "lessons").glob("*.ipynb")):
        lesson = f"lessons/{notebook.stem}.html"
        assert f"../faculty/notes/{notebook.stem}.html" in site[lesson].links, lesson
        assert f"../../{lesson}" in site[f"faculty/notes/{notebook.stem}.html"].links, notebook.stem


def test_answer_keys_only_in_the_faculty_build(repo_resident: BuildResult, repo_faculty: BuildResult) -> None:
    assert "Answer key (faculty edition)" not in site_text(repo_resident)
    for quiz in (REPO / "quizzes").glob("*.yml"):
        page = (repo_faculty.out / "quiz" / f"{quiz.stem}.html").read_text()
        assert "Answer key (faculty edition)" in page, quiz.stem


def test_disclaimer_and_licences_on_every_page(repo_resident: BuildResult) -> None:
    for path in repo_resident.out.rglob("*.html"):
        text = path.read_text()
        assert "Educational resource, not clinical advice" in text, path
        assert "self-assessment only" in text and "CC BY 4.0" in text and "MIT licence" in text, path


def test_residents_read_no_objective_ids() -> None:
    """Debriefs, scenes and feedback say what an objective asks, never its id (lint L25)."""
    from curriculum.content import check_paths

    report = check_paths([], REPO)
    assert [str(d) for d in report.diagnostics if d.code == "L25"] == []


def test_competency_codes_are_explained(repo_resident: BuildResult) -> None:
    lesson = (repo_resident.out / "lessons" / "02-supportive-1.html").read_text(encoding="utf-8")
    assert '<abbr class="cur-tag" title="ACGME subcompetency Medical Knowledge 4">MK4</abbr>' in lesson
    legend = re.search(r'<p class="cur-tags-legend">(.*?)</p>', lesson, re.S)
    assert legend and "ACGME Psychiatry Milestones" in legend.group(1)
    assert "PC Patient Care" in legend.group(1) and "MK Medical Knowledge" in legend.group(1)
