"""``curriculum check`` loads the content through the memo: after one edit, only that file is read again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from curriculum import _memo
from curriculum.content import _yaml, load_curriculum
from curriculum.site import check_site


def test_a_check_after_one_edit_parses_only_the_edited_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, first = check_site(project, execute=False)
    _memo._stores.clear()  # a new process: what it needs comes from the memo's files
    quiz = project / "quizzes" / "intro.yml"
    text = quiz.read_text(encoding="utf-8")
    quiz.write_text(text.replace("Introduction quiz", "Introduction quiz, revised"), encoding="utf-8")
    parsed: list[str] = []
    real = _yaml._parse

    def counted(source: Any) -> Any:
        parsed.append(Path(source.display).name)
        return real(source)

    monkeypatch.setattr(_yaml, "_parse", counted)
    cur, again = check_site(project, execute=False)
    assert parsed == ["intro.yml"]
    assert again == first
    assert cur.quizzes["intro"].model.title.endswith("revised")


def test_an_unchanged_notes_page_is_not_read_again_and_its_problems_stay_reported(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A facilitator-notes page is content: its page problems are kept by its text's digest."""
    from curriculum.site import _check

    notes = project / "faculty" / "notes" / "intro.qmd"
    notes.write_text(notes.read_text(encoding="utf-8") + "\n```{python}\nprint(1)\n```\n", encoding="utf-8")
    _, first = check_site(project, execute=False)
    assert [d.code for d in first if d.path.endswith("notes/intro.qmd")] == ["CUR602"], first
    _memo._stores.clear()  # a new process
    read: list[str] = []
    real = _check.markdown_page
    monkeypatch.setattr(_check, "markdown_page", lambda root, page: read.append(page) or real(root, page))
    _, again = check_site(project, execute=False)
    assert again == first and [d.message for d in again] == [d.message for d in first]
    assert read and "faculty/notes/intro.qmd" not in read


def _notes_with_a_problem(project: Path) -> None:
    notes = project / "faculty" / "notes" / "intro.qmd"
    notes.write_text(notes.read_text(encoding="utf-8") + "\n```{python}\nprint(1)\n```\n", encoding="utf-8")


def test_a_notes_page_problems_cost_no_memo_look_up(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """They are kept in one file read whole (a look-up a page), not asked of the memo page by page."""
    from tests.content.test_memo_checks import memo_asks

    _notes_with_a_problem(project)
    _, first = check_site(project, execute=False)
    _memo._stores.clear()
    asked = memo_asks(monkeypatch)
    _, again = check_site(project, execute=False)
    assert again == first and "site.page-problems" not in asked


def test_the_page_problems_make_no_path_object_of_a_lesson_or_notes_the_index_holds(project: Path) -> None:
    """Which pages are content files is told by the files' names as listed."""
    from curriculum.project import Project
    from curriculum.site._check import page_problems
    from tests.conftest import aged

    aged(project)
    check_site(project, execute=False)
    _memo._stores.clear()
    cur = load_curriculum(project)
    docs = [*cur.lessons.values(), *cur.notes.values()]
    assert docs and all("path" not in doc.__dict__ for doc in docs)
    page_problems(Project(project).config("resident"), cur)
    assert all("path" not in doc.__dict__ for doc in docs)


@pytest.mark.parametrize(
    "held",
    [
        None,
        "ab",
        [],
        ["other/page.qmd", []],
        ["faculty/notes/intro.qmd", [[1]]],
        ["faculty/notes/intro.qmd", {}],
    ],
    ids=repr,
)
def test_kept_page_problems_of_another_shape_or_page_are_read_again(
    project: Path, monkeypatch: pytest.MonkeyPatch, held: Any
) -> None:
    """A damaged record of page problems gives no traceback and loses no problem: the page is read again."""
    import json

    from curriculum.project import CACHE_DIR
    from curriculum.site import _check

    _notes_with_a_problem(project)
    _, first = check_site(project, execute=False)
    path = project / CACHE_DIR / _check.PAGE_PROBLEMS
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["documents"], "the notes pages' problems are kept"
    data["documents"] = {name: [entry[0], held] for name, entry in data["documents"].items()}
    path.write_text(json.dumps(data), encoding="utf-8")
    read: list[str] = []
    real = _check.markdown_page
    monkeypatch.setattr(_check, "markdown_page", lambda root, page: read.append(page) or real(root, page))
    _, again = check_site(project, execute=False)
    assert again == first and "faculty/notes/intro.qmd" in read


def test_a_page_the_profiles_name_alike_is_read_once(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The faculty profile names the resident's pages where ``_quarto.yml`` does: the same problems."""
    from curriculum.site import _check

    read: list[str] = []
    real = _check.markdown_page

    def counted(root: Path, page: str) -> Any:
        read.append(page)
        return real(root, page)

    monkeypatch.setattr(_check, "markdown_page", counted)
    check_site(project, execute=False)
    assert read.count("index.qmd") == 1


def test_the_pages_of_every_profile_are_checked_as_each_alone(project: Path) -> None:
    """A page missing is reported where each profile names it (one the overlay alone names, too)."""
    from curriculum.project import Project
    from curriculum.site._check import page_problems

    (project / "progress.qmd").unlink()
    overlay = project / "_quarto-faculty.yml"
    text = overlay.read_text(encoding="utf-8")
    overlay.write_text(
        text.replace("    - faculty/notes/*.qmd\n", "    - faculty/notes/*.qmd\n    - gone.qmd\n")
    )
    cur, diagnostics = check_site(project, execute=False)
    missing = sorted(
        (Path(d.path).name, d.message) for d in diagnostics if d.message.endswith("does not exist")
    )
    assert missing == [
        ("_quarto-faculty.yml", "the page `gone.qmd` does not exist"),
        ("_quarto.yml", "the page `progress.qmd` does not exist"),
    ]
    alone = {
        d for profile in ("resident", "faculty") for d in page_problems(Project(project).config(profile), cur)
    }
    assert alone <= set(diagnostics)


def test_the_page_problems_look_at_no_lesson_nor_generated_page_a_pattern_matches(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lesson loaded, or a page the build generates in a folder a pattern names, has no problem to find."""
    import shutil

    from curriculum.project import Project
    from curriculum.site import _check

    shutil.copy(
        project / "lessons" / "intro.ipynb", project / "lessons" / "second.ipynb"
    )  # matched by a pattern
    (project / "quiz").mkdir(exist_ok=True)
    (project / "quiz" / "intro.qmd").write_text("# As the pre-render writes it\n", encoding="utf-8")
    cur = load_curriculum(project)
    config = Project(project).config("resident")
    looked: list[str] = []
    monkeypatch.setattr(
        _check._PageCheck, "_generated", lambda self, config, page, *at: looked.append(page) or []
    )
    real = _check.os.path.join
    monkeypatch.setattr(_check.os.path, "join", lambda *parts: looked.append(parts[-1]) or real(*parts))
    problems = _check.page_problems(config, cur)
    lessons = [page for page in config.pages() if page.startswith("lessons/") and page not in config.named]
    generated = [page for page in config.pages() if page.startswith(("quiz/", "cases/"))]
    matched = [page for page in generated if page not in config.named]
    assert lessons == ["lessons/second.ipynb"] and matched == ["quiz/intro.qmd"] and problems == []
    assert not {*lessons, *matched} & set(looked)
    assert [page for page in looked if page.startswith(("quiz/", "cases/"))] == [
        page for page in generated if page in config.named
    ]


def test_an_unchanged_notes_page_kept_with_no_problem_is_not_looked_at_alone(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notes pages kept with no problem are found all at once; an edited one is looked at and read."""
    from curriculum.project import CACHE_DIR
    from curriculum.site import _check

    _, first = check_site(project, execute=False)
    record = project / CACHE_DIR / _check.PAGE_PROBLEMS
    kept = record.read_bytes()
    _memo._stores.clear()  # a new process
    looked: list[str] = []
    real = _check._kept
    monkeypatch.setattr(
        _check, "_kept", lambda kept, doc, root, page: looked.append(page) or real(kept, doc, root, page)
    )
    _, again = check_site(project, execute=False)
    assert again == first and looked == [] and record.read_bytes() == kept, "kept, as it was"
    _notes_with_a_problem(project)
    _, edited = check_site(project, execute=False)
    assert looked == ["faculty/notes/intro.qmd"]
    assert [d.code for d in edited if d.path.endswith("notes/intro.qmd")] == ["CUR602"]


def test_a_notes_page_no_profile_lists_leaves_the_kept_problems(project: Path) -> None:
    """Only the pages of the profiles are kept: one they stop listing is not kept by its unchanged text."""
    import json

    from curriculum.project import CACHE_DIR
    from curriculum.site import _check

    check_site(project, execute=False)
    record = project / CACHE_DIR / _check.PAGE_PROBLEMS
    assert any(name.endswith("notes/intro.qmd") for name in json.loads(record.read_text())["documents"])
    overlay = project / "_quarto-faculty.yml"
    overlay.write_text("project:\n  render:\n    - index.qmd\n", encoding="utf-8")
    check_site(project, execute=False)
    assert not any(name.endswith("notes/intro.qmd") for name in json.loads(record.read_text())["documents"])
