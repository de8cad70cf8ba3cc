"""The loader keeps positions, explains YAML's traps and refuses unsafe YAML."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from curriculum.content import check_curriculum, check_paths, load_curriculum, load_files
from curriculum.content._source import Source
from curriculum.content._yaml import parse_yaml
from tests.conftest import PROJECT, dated_back


def _parse(text: str) -> tuple[object, object, list[object]]:
    return parse_yaml(Source(Path("x.yml"), "x.yml", text))


def test_positions_of_keys_and_values() -> None:
    data, locs, problems = _parse(
        "title: T\nitems:\n  - id: a\n    stem: |\n      line one\n      line two\n"
    )
    assert problems == []
    assert locs.value(("title",)) == (1, 8)
    assert locs.key(("items", 0, "stem")) == (4, 5)
    assert locs.value(("items", 0, "id")) == (3, 9)
    # a position inside a block scalar: "two" on line 6
    text = data["items"][0]["stem"]  # type: ignore[index]
    assert locs.inside(("items", 0, "stem"), text.index("two"), text) == (6, 12)


def test_keys_are_always_text() -> None:
    data, _, problems = _parse("no: 1\non: 2\n3: x\n")
    assert problems == [] and data == {"no": 1, "on": 2, "3": "x"}


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    if sys.platform == "win32" or os.geteuid() == 0:
        target = tmp_path / "quizzes"
        target.mkdir()
        (target / "gone.yml").symlink_to(tmp_path / "missing.yml")
        path = target / "gone.yml"
    else:
        path = tmp_path / "quizzes" / "locked.yml"
        path.parent.mkdir()
        path.write_text("title: x\n")
        path.chmod(0)
    diagnostics = check_curriculum(load_files([path]))
    assert [d.code for d in diagnostics] == ["CUR101"]
    assert "cannot read the file" in diagnostics[0].message


def test_project_without_bibliography(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "references.bib").unlink()
    monkeypatch.chdir(project)
    codes = {d.code for d in check_paths([], project).diagnostics}
    assert "CUR316" in codes


def test_paths_inside_a_project_are_checked_in_context(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiz = project / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("objectives: [intro-2]", "objectives: [intro-9]"))
    monkeypatch.chdir(project)
    only_quiz = check_paths([Path("quizzes/intro.yml")], project).diagnostics
    assert [d.code for d in only_quiz] == ["CUR306"]
    only_lesson = check_paths([Path("lessons")], project).diagnostics
    assert only_lesson == []


def test_the_test_project_loads_every_kind() -> None:
    cur = load_curriculum(PROJECT)
    assert set(cur.lessons) == {"intro"} and set(cur.quizzes) == {"intro", "intro-final"}
    assert set(cur.vignettes) == {"first-visit"} and len(cur.exercises) == 2
    assert cur.techniques is not None and cur.bibliography is not None


def test_suppression_silences_only_its_item(project: Path) -> None:
    quiz = project / "quizzes" / "intro.yml"
    text = quiz.read_text().replace("Which finding best predicts", "Which finding would NOT predict")
    quiz.write_text(text)
    codes = [d.code for d in check_curriculum(load_curriculum(project))]
    assert codes.count("L04") == 1
    quiz.write_text(
        text.replace(
            "    type: single\n    objectives: [intro-1]",
            "    type: single\n    suppress:\n      L04: Kept negative to test the suppression."
            "\n    objectives: [intro-1]",
            1,
        )
    )
    assert "L04" not in [d.code for d in check_curriculum(load_curriculum(project))]


def test_copy_of_project_is_independent(project: Path) -> None:
    shutil.rmtree(project / "exercises")
    assert len(load_curriculum(project).exercises) == 0
    assert len(load_curriculum(PROJECT).exercises) == 2


def test_content_files_and_folders_that_link_outside_are_refused_each_once(
    project: Path, tmp_path: Path
) -> None:
    """The loader resolves each folder once (``Confined``), and each file that is a link on its own."""
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(project / "quizzes" / "intro.yml", outside / "stolen.yml")
    shutil.copytree(project / "vignettes", outside / "vignettes")
    (project / "quizzes" / "stolen.yml").symlink_to(outside / "stolen.yml")  # a file that is a link
    shutil.rmtree(project / "vignettes")
    (project / "vignettes").symlink_to(outside / "vignettes")  # a folder that is a link
    (project / "quizzes" / "inside.yml").symlink_to(project / "quizzes" / "intro.yml")  # a link that stays in
    cur = load_curriculum(project)
    refused = sorted(
        (Path(d.path).relative_to(project).as_posix(), d.code) for d in cur.diagnostics if d.code == "CUR106"
    )
    assert refused == [
        ("quizzes/stolen.yml", "CUR106"),
        ("vignettes/first-visit.yml", "CUR106"),
        ("vignettes/techniques.yml", "CUR106"),
    ]
    assert "inside" in cur.quizzes and "stolen" not in cur.quizzes and not cur.vignettes


def test_a_duplicate_bibliography_key_names_both_lines() -> None:
    from curriculum.content._bibliography import read_bibliography

    text = (
        "@comment{x}\n\n@book{a,\n title={A}}\n@string{s = {t}}\n"
        "@article{b,\n title={B}}\n\n@book{a, title={C}}\n"
    )
    bib, problems = read_bibliography(Source(Path("refs.bib"), "refs.bib", text), with_pandoc=False)
    assert bib.keys == {"a": (3, 1), "b": (6, 1)}
    assert [(p.line, p.col, p.code, p.message) for p in problems] == [
        (9, 1, "CUR121", "the key `a` is already used on line 3")
    ]


def test_files_are_named_from_the_working_folder_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from curriculum.content import display_path

    (tmp_path / "work" / "lessons").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "work" / "link").symlink_to(tmp_path / "elsewhere")
    monkeypatch.chdir(tmp_path / "work")
    assert display_path(tmp_path / "work" / "lessons" / "a.ipynb") == "lessons/a.ipynb"
    assert display_path(Path("lessons/../lessons/a.ipynb")) == "lessons/a.ipynb"
    assert display_path(tmp_path / "work" / "link" / "b.yml") == "link/b.yml"  # the link, not its target
    assert display_path(tmp_path / "elsewhere" / "c.yml") == (tmp_path / "elsewhere" / "c.yml").as_posix()


def test_a_file_is_named_relative_to_the_project_as_pathlib_would() -> None:
    from curriculum.content import relative_posix

    root = Path("/p/project")
    for path in [root / "lessons" / "a.ipynb", root / "x.yml", Path("/p/project/lessons/../x.yml")]:
        assert relative_posix(path, root) == path.relative_to(root).as_posix()
    assert relative_posix(Path("/p/project-two/a.yml"), root) is None  # a sibling sharing the prefix
    assert relative_posix(Path("/elsewhere/a.yml"), root) is None
    assert relative_posix(Path("lessons/a.ipynb"), Path(".")) == "lessons/a.ipynb"
    assert relative_posix(Path("/a.yml"), Path("/")) == "a.yml"


def test_a_file_given_as_a_string_is_named_as_relative_posix_names_its_path() -> None:
    """What a build names hundreds of files with (the notebooks' frozen files, the stamp's inputs)."""
    from curriculum.content import relative_namer, relative_posix

    paths = ["/p/project/lessons/a.ipynb", "/p/project/x.yml", "/p/project-two/a.yml", "/elsewhere/a.yml"]
    for root, given in [
        (Path("/p/project"), paths),
        (Path("."), ["lessons/a.ipynb"]),
        (Path("/"), ["/a.yml"]),
    ]:
        named = relative_namer(root)
        assert [named(path) for path in given] == [relative_posix(Path(path), root) for path in given]


def test_content_files_are_listed_as_pathlib_globs_them(project: Path) -> None:
    """Listed as names (``os.scandir``): the files pathlib globs (``*.ipynb``, YAML ``*.y*ml``, ``*.qmd``)."""
    from curriculum.content import FORMATS, project_file_names, project_files
    from curriculum.content._notes import NOTES_FOLDER

    (project / "faculty" / "notes").mkdir(parents=True, exist_ok=True)
    for name in (".yml", "..yml", ".hidden.yml", "a.yml.bak", "b.yaml", "c.ymlx", "d.yXml", "e.YML"):
        (project / "quizzes" / name).write_text("title: x\n")
    (project / "quizzes" / "folder.yml").mkdir()  # a folder that matches is listed (and refused when read)
    for name in (".ipynb", "x.ipynb.txt", "y.IPYNB"):
        (project / "lessons" / name).write_text("{}")
    for name in ("n.qmd", ".q.qmd", "m.md"):
        (project / NOTES_FOLDER / name).write_text("---\n---\n")
    (project / "vignettes").rename(project / "elsewhere")
    (project / "vignettes").write_text("not a folder")
    globbed = sorted((project / "lessons").glob("*.ipynb"), key=os.fspath)
    for folder in FORMATS:
        found = (project / folder).glob("*.y*ml")
        globbed += sorted((p for p in found if p.suffix in (".yml", ".yaml")), key=os.fspath)
    globbed += sorted((project / NOTES_FOLDER).glob("*.qmd"), key=os.fspath)
    globbed.append(project / "references.bib")
    assert project_files(project) == globbed
    assert [os.fspath(p) for p in project_files(project)] == [os.fspath(p) for p in globbed]
    assert project_file_names(project) == [os.fspath(p) for p in globbed]


class _Listed:
    """The content folders listed (``folder_names``) since :meth:`clear`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from curriculum.content import _project

        self.folders: list[str] = []
        listed = _project.folder_names

        def counted(folder: str | os.PathLike[str]) -> list[str]:
            self.folders.append(Path(folder).name)
            return listed(folder)

        monkeypatch.setattr(_project, "folder_names", counted)


def test_a_content_folder_as_it_was_listed_is_not_listed_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build's stamp lists the content, and the load that follows it; so does each build of a process."""
    from curriculum.content import _files, project_file_names

    monkeypatch.setattr(_files, "RACY_NS", 0)  # the folders' change times cannot be dated back
    listed = _Listed(monkeypatch)
    dated_back(project / "lessons")
    names = project_file_names(project)
    assert "lessons" in listed.folders
    listed.folders.clear()
    assert project_file_names(project) == names
    assert "lessons" not in listed.folders
    assert list(load_curriculum(project).lessons) == ["intro"]
    assert "lessons" not in listed.folders


@pytest.mark.parametrize("change", ["added", "removed", "renamed"])
def test_a_content_file_added_removed_or_renamed_is_listed_at_once(
    project: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    from curriculum.content import _files, project_file_names

    monkeypatch.setattr(_files, "RACY_NS", 0)  # as if listed long after: its listing would be kept
    lessons = project / "lessons"
    shutil.copy(lessons / "intro.ipynb", lessons / "second.ipynb")
    dated_back(lessons)
    assert list(load_curriculum(project).lessons) == ["intro", "second"]
    dated_back(lessons, step=1)
    assert list(load_curriculum(project).lessons) == ["intro", "second"]  # kept
    if change == "added":
        shutil.copy(lessons / "intro.ipynb", lessons / "third.ipynb")
    elif change == "removed":
        (lessons / "second.ipynb").unlink()
    else:
        (lessons / "second.ipynb").rename(lessons / "third.ipynb")
    expected = {"added": ["second", "third"], "removed": [], "renamed": ["third"]}[change]
    assert [Path(name).stem for name in project_file_names(project) if "/lessons/" in name][1:] == expected
    assert list(load_curriculum(project).lessons) == ["intro", *expected]


def test_a_content_folder_changed_just_before_it_was_listed_is_listed_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file added in the same clock tick as the listing would leave the folder's times as listed."""
    from curriculum.content import project_file_names

    listed = _Listed(monkeypatch)
    shutil.copy(project / "lessons" / "intro.ipynb", project / "lessons" / "second.ipynb")
    for _ in range(2):
        listed.folders.clear()
        assert any(name.endswith("second.ipynb") for name in project_file_names(project))
        assert "lessons" in listed.folders
