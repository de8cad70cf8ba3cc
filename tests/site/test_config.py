"""The `_quarto.yml` model check and build share: every shape problem located where it was written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from curriculum.errors import ContentError
from curriculum.project import load_config
from curriculum.site._check import check_site

BASE = """\
project:
  type: website
  output-dir: _site
website:
  title: Test curriculum
  sidebar:
    contents:
      - index.qmd
      - section: Lessons
        contents:
          - lessons/intro.ipynb
      - section: Practice
        contents:
          - quiz/index.qmd
          - cases/index.qmd
          - progress.qmd
bibliography: references.bib
"""


def problems(project: Path, config: str, overlay: str | None = None) -> list[str]:
    """Write the configuration (and a faculty overlay), check the project without executing it."""
    (project / "_quarto.yml").write_text(config, encoding="utf-8")
    if overlay is not None:
        (project / "_quarto-faculty.yml").write_text(overlay, encoding="utf-8")
    os.chdir(project)
    _, diagnostics = check_site(project, execute=False)
    return [d.format() for d in diagnostics]


@pytest.fixture(autouse=True)
def _back_to_start() -> object:
    start = Path.cwd()
    yield
    os.chdir(start)


def test_the_test_project_configuration_is_clean(project: Path) -> None:
    assert problems(project, BASE) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "    contents:\n      - index.qmd\n",
            "    contents: index.qmd\n    x:\n      - index.qmd\n",
            "_quarto.yml:7:15: error CUR203: `contents` must be a list, not text",
            id="contents-a-string",
        ),
        pytest.param(
            "  output-dir: _site\n",
            "  output-dir: _site\n  render: index.qmd\n",
            "_quarto.yml:4:11: error CUR203: `render` must be a list, not text",
            id="render-a-string",
        ),
        pytest.param(
            "website:\n  title: Test curriculum\n",
            "website: my site\nweb:\n  title: Test curriculum\n",
            "_quarto.yml:4:10: error CUR203: `website` must be a mapping of keys to values, not text",
            id="website-a-string",
        ),
        pytest.param(
            "project:\n  type: website\n  output-dir: _site\n",
            "project: [a, b]\n",
            "_quarto.yml:1:10: error CUR203: `project` must be a mapping of keys to values, not a list",
            id="project-a-list",
        ),
        pytest.param(
            "        contents:\n          - quiz/index.qmd\n",
            "        contents: quiz/index.qmd\n        x:\n          - quiz/index.qmd\n",
            "_quarto.yml:13:19: error CUR601: a section's `contents` must be a list of entries",
            id="section-contents-a-string",
        ),
        pytest.param(
            "      - index.qmd\n",
            "      - index.qmd\n      - notes.qmd\n",
            "_quarto.yml:9:9: error CUR602: the page `notes.qmd` does not exist",
            id="missing-page",
        ),
        pytest.param(
            "          - quiz/index.qmd\n",
            "          - quiz/index.qmd\n          - quiz/no-such-quiz.qmd\n",
            "_quarto.yml:15:13: error CUR602: `quiz/no-such-quiz.qmd` is in a folder the build generates, "
            "but the content produces no such page",
            id="unknown-generated-page",
        ),
        pytest.param(
            "      - index.qmd\n",
            "      - index.qmd\n      - references.bib\n",
            "_quarto.yml:9:9: error CUR601: `references.bib` is not a page",
            id="not-a-page",
        ),
        pytest.param(
            "      - index.qmd\n",
            "      - index.qmd\n      - text: Elsewhere\n        href: /etc/hostname.md\n",
            "_quarto.yml:10:15: error CUR106: the page `/etc/hostname.md` is an absolute path",
            id="absolute-href",
        ),
        pytest.param(
            "  output-dir: _site\n",
            "  output-dir: _site\n  render:\n    - ../*.md\n",
            "_quarto.yml:5:7: error CUR106: the render entry `../*.md` uses `..`",
            id="render-pattern-climbing-out",
        ),
        pytest.param(
            "bibliography: references.bib\n",
            "bibliography: ../references.bib\n",
            "_quarto.yml:17:15: error CUR106: the bibliography `../references.bib` uses `..`",
            id="bibliography-outside",
        ),
        pytest.param(
            "bibliography: references.bib\n",
            "bibliography: refs.bib\n",
            "_quarto.yml:17:15: error CUR601: the bibliography `refs.bib` is not references.bib, which the "
            "check, the components and the pages cite from (name `references.bib` (move the entries there))",
            id="bibliography-another-file",
        ),
        pytest.param(
            "  output-dir: _site\n",
            "  output-dir: lessons/site\n",
            "_quarto.yml:3:15: error CUR601: the output folder `lessons/site` is inside a content folder",
            id="output-in-a-content-folder",
        ),
        pytest.param(
            "bibliography: references.bib\n",
            "bibliography: references.bib\nexecute:\n  timeout: 0\n",
            "_quarto.yml:19:12: error CUR205: `timeout` must be greater than 0; found 0",
            id="timeout-zero",
        ),
        pytest.param(
            "bibliography: references.bib\n",
            "bibliography: references.bib\nexecute:\n  timeout: a while\n",
            "_quarto.yml:19:12: error CUR203: `timeout` must be a whole number, not text",
            id="timeout-words",
        ),
    ],
)
def test_a_configuration_the_build_cannot_use_is_located(
    project: Path, old: str, new: str, expected: str
) -> None:
    assert old in BASE
    found = problems(project, BASE.replace(old, new, 1))
    assert any(p.startswith(expected) for p in found), found


def test_a_profile_overlay_is_checked_and_located_in_its_own_file(project: Path) -> None:
    overlay = "website:\n  sidebar:\n    contents:\n      - index.qmd\n      - ../secret.md\n"
    found = problems(project, BASE, overlay)
    assert found == [
        "_quarto-faculty.yml:5:9: error CUR106: the page `../secret.md` uses `..`; the build reads and "
        "writes only inside the project (write the path relative to the project folder, without `..`)"
    ]
    found = problems(project, BASE, "project: nowhere\n")
    assert [p.split(" (")[0] for p in found] == [
        "_quarto-faculty.yml:1:10: error CUR203: `project` must be a mapping of keys to values, not text"
    ]


def test_pages_that_lead_outside_through_links_are_refused(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n")
    os.symlink(secret, project / "linked.md")
    config = BASE.replace("      - index.qmd\n", "      - index.qmd\n      - linked.md\n", 1)
    found = problems(
        project, config.replace("  output-dir: _site\n", "  output-dir: _site\n  render: ['*.md']\n")
    )
    assert [p.split(": error ")[0] + " " + p.split(": error ")[1][:6] for p in found] == [
        "_quarto.yml:4:12 CUR106",  # the pattern that matched the link
        "_quarto.yml:10:9 CUR106",  # the sidebar entry naming it
    ]
    assert all("leads to " + str(secret) in p for p in found)


def test_a_render_pattern_asks_no_matched_page_whether_it_is_a_link(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder's listing tells which matches are links: none is looked at again, one by one."""
    docs = project / "docs"
    docs.mkdir()
    for i in range(5):
        (docs / f"p{i}.md").write_text("# x\n")
    (docs / "lnk.md").symlink_to(docs / "p0.md")  # a link inside: followed, and kept
    config = BASE.replace("  output-dir: _site\n", "  output-dir: _site\n  render: ['docs/*.md']\n")
    (project / "_quarto.yml").write_text(config, encoding="utf-8")
    looked: list[str] = []
    islink = os.path.islink

    def spy(path: str | os.PathLike[str]) -> bool:
        looked.append(os.fspath(path))
        return islink(path)

    monkeypatch.setattr(os.path, "islink", spy)
    pages = load_config(project).extra_pages
    assert pages == ["docs/lnk.md", *(f"docs/p{i}.md" for i in range(5))]
    assert not set(looked) & {os.path.join(project, page) for page in pages}  # the pattern's is, once


def test_pages_in_a_folder_that_leads_outside_are_refused(project: Path, tmp_path: Path) -> None:
    """Each folder's links are followed once for all the paths the configuration names (Confined)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.md").write_text("# A\n")
    (outside / "b.md").write_text("# B\n")
    os.symlink(outside, project / "linked")
    config = BASE.replace(
        "      - index.qmd\n", "      - index.qmd\n      - linked/a.md\n      - linked/b.md\n", 1
    )
    found = problems(project, config)
    assert [p.split(": error ")[0] + " " + p.split(": error ")[1][:6] for p in found] == [
        "_quarto.yml:9:9 CUR106",
        "_quarto.yml:10:9 CUR106",
    ]
    assert all("leads to " + str(outside) in p for p in found)


def test_a_page_that_is_a_pipe_is_refused_without_reading_it(project: Path) -> None:
    (project / "progress.qmd").unlink()
    os.mkfifo(project / "progress.qmd")
    found = problems(project, BASE)
    assert found == [
        "progress.qmd:1:1: error CUR107: `progress.qmd` is a named pipe (FIFO), not a file "
        "(content folders hold only regular files; remove it or replace it by a file)"
    ]


def test_a_bibliography_that_is_a_pipe_is_refused_before_pandoc_reads_it(project: Path) -> None:
    os.mkfifo(project / "refs.bib")
    found = problems(project, BASE.replace("bibliography: references.bib", "bibliography: refs.bib"))
    assert [p.split(" (content")[0] for p in found] == [
        "_quarto.yml:17:15: error CUR107: `refs.bib` is a named pipe (FIFO), not a file"
    ]


def test_the_configuration_carries_the_execution_timeout(project: Path) -> None:
    assert load_config(project).execute_timeout == 300
    (project / "_quarto.yml").write_text(BASE + "execute:\n  echo: false\n  timeout: 7\n")
    assert load_config(project).execute_timeout == 7


def test_load_config_raises_every_problem_at_once(project: Path) -> None:
    config = BASE.replace("      - index.qmd\n", "      - ../a.md\n      - 42\n      - b.txt\n", 1)
    (project / "_quarto.yml").write_text(config)
    with pytest.raises(ContentError) as error:
        load_config(project)
    assert [d.code for d in error.value.diagnostics] == ["CUR106", "CUR601", "CUR601"]


def test_render_patterns_match_as_pathlib_globs_them(project: Path) -> None:
    """A pattern with wildcards in its file name only lists its folder, as names: the pages pathlib globs."""
    from curriculum.project._config import PAGE_SUFFIXES, _ignored

    docs = project / "docs"
    (docs / "deep").mkdir(parents=True)
    for name in ("a.md", ".hidden.md", "_draft.md", "README.md", "b.qmd", "c.txt", "deep/d.md"):
        (docs / name).write_text("# x\n")
    (docs / "folder.md").mkdir()  # a folder that matches is listed (and refused as no page when read)
    (docs / "lnk.md").symlink_to(docs / "a.md")  # a link that stays inside
    (project / "afile").write_text("not a folder")
    patterns = ["docs/*.md", "docs/[ab].*", "docs/?.m*", "*.qmd", "docs/*/*.md", "d*/*.md", "**/*.md"]
    patterns += ["missing/*.md", "afile/*.md", "docs/deep/*.md"]
    render = "".join(f"    - {p!r}\n" for p in patterns)
    config = BASE.replace("  output-dir: _site\n", f"  output-dir: _site\n  render:\n{render}")
    (project / "_quarto.yml").write_text(config, encoding="utf-8")
    globbed: dict[str, None] = {}
    for pattern in patterns:
        found = sorted(p.relative_to(project).as_posix() for p in project.glob(pattern))
        globbed.update(dict.fromkeys(m for m in found if not _ignored(m) and m.endswith(PAGE_SUFFIXES)))
    assert load_config(project).extra_pages == list(globbed)
    assert "docs/a.md" in globbed and "docs/lnk.md" in globbed and "docs/deep/d.md" in globbed


@pytest.mark.parametrize(
    ("render", "expected"),
    [
        pytest.param(
            "  render:\n    - docs/extra.md\n    - docs/extra.qmd\n",
            "_quarto.yml:6:7: error CUR601: `docs/extra.qmd` and `docs/extra.md` would both be the page "
            "`docs/extra.html` (keep one of them, or rename the other)",
            id="both-named",
        ),
        pytest.param(
            "  render:\n    - docs/extra.qmd\n    - docs/*.md\n",
            "_quarto.yml:6:7: error CUR601: `docs/extra.md` and `docs/extra.qmd` would both be the page "
            "`docs/extra.html`",
            id="one-matched-by-a-pattern",
        ),
    ],
)
def test_two_pages_written_to_one_file_are_refused_where_the_second_is_named(
    project: Path, render: str, expected: str
) -> None:
    """Of two such pages the site would show one, and an edit of the other could win (a stale site)."""
    (project / "docs").mkdir(exist_ok=True)
    (project / "docs" / "extra.md").write_text("# From the md\n", encoding="utf-8")
    (project / "docs" / "extra.qmd").write_text("# From the qmd\n", encoding="utf-8")
    found = problems(project, BASE.replace("  output-dir: _site\n", "  output-dir: _site\n" + render, 1))
    assert [p for p in found if "would both be" in p] == [next(p for p in found if p.startswith(expected))]


@pytest.mark.parametrize(
    "written", ["./index.qmd", "index.qmd/", ".//index.qmd", "./././index.qmd", "index.qmd"]
)
def test_a_page_named_in_another_spelling_is_the_page_by_its_clean_path(project: Path, written: str) -> None:
    """A path is cleaned as :func:`posixpath.normpath` cleans it (one already clean is taken as it is)."""
    (project / "_quarto.yml").write_text(
        BASE.replace("      - index.qmd\n", f"      - {written}\n"), encoding="utf-8"
    )
    config = load_config(project)
    assert config.pages()[0] == "index.qmd" and "index.qmd" in config.named
    assert config.sidebar[0].href == "index.qmd"
