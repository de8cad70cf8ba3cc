"""The project's facts, from one owner: site id, profiles, active profile, a build's inputs and stamps."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from curriculum.content import _files
from curriculum.errors import ContentError
from curriculum.project import Project, _config, active_profile, digest, path_texts, site_id
from tests.conftest import dated_back


@pytest.mark.parametrize(
    ("ours", "quartos", "expected"),
    [
        ("", "", "resident"),
        ("faculty", "", "faculty"),
        ("", "faculty", "faculty"),
        ("", "draft, faculty", "faculty"),  # Quarto's profiles are a comma-separated list
        ("", "faculty-draft", "resident"),  # a profile whose name only contains the word is another profile
        ("resident", "", "resident"),
    ],
)
def test_the_active_profile_is_read_one_way(ours: str, quartos: str, expected: str) -> None:
    assert active_profile({"CURRICULUM_PROFILE": ours, "QUARTO_PROFILE": quartos}) == expected


def test_the_site_id_is_the_title_and_never_fails(project: Path) -> None:
    assert site_id(project) == "test-curriculum"  # the fixture's website title
    config = project / "_quarto.yml"
    text = config.read_text()
    config.write_text(text.replace("title: Test curriculum", "title: Test curriculuX", 1))
    os.utime(config, ns=(config.stat().st_atime_ns, config.stat().st_mtime_ns + 1_000_000))
    assert site_id(project) == "test-curriculux"  # read once per version of the file, even of one size
    config.write_text(text.replace("title: Test curriculum", "title: Ünïcode & Co — 2", 1))
    assert site_id(project) == "n-code-co-2"
    config.write_text("website: [unclosed\n")
    assert site_id(project) == "project"  # the folder's name: the check says what is wrong
    config.write_text("website:\n  sidebar: []\n")
    assert site_id(project) == "project"
    assert Project(project).site_id == "project"


def test_the_inputs_are_what_a_build_reads(project: Path) -> None:
    facts = Project(project)
    inputs = {p.relative_to(project).as_posix() for p in facts.inputs("resident")}
    assert {"_quarto.yml", "_quarto-faculty.yml", "references.bib", "lessons/intro.ipynb"} <= inputs
    assert {"quizzes/intro.yml", "index.qmd"} <= inputs
    assert not any(name.startswith(("quiz/", "cases/", "rules/")) for name in inputs)  # generated, not read
    faculty = {p.relative_to(project).as_posix() for p in facts.inputs("faculty")}
    assert "faculty/notes/intro.qmd" in faculty and faculty >= inputs  # notes are content, and a page there
    (project / "faculty" / "extra.qmd").write_text("---\ntitle: Extra\n---\n\nText.\n")
    config = project / "_quarto-faculty.yml"
    config.write_text(
        config.read_text().replace(
            "    - faculty/notes/*.qmd", "    - faculty/notes/*.qmd\n    - faculty/extra.qmd"
        )
    )
    assert project / "faculty" / "extra.qmd" in facts.inputs("faculty")
    assert project / "faculty" / "extra.qmd" not in facts.inputs("resident")
    (project / "_quarto.yml").write_text("project: [unclosed\n")
    broken = {p.relative_to(project).as_posix() for p in facts.inputs("resident")}
    assert "_quarto.yml" in broken and "quizzes/intro.yml" in broken and "index.qmd" not in broken


def test_the_input_names_are_the_inputs_paths_each_once(project: Path) -> None:
    """Joined as strings, they are the paths' own strings: a page that is also content is named once."""
    facts = Project(project)
    for profile in ("resident", "faculty"):
        names = facts.input_names(profile)
        assert names == sorted(set(names)) == [os.fspath(p) for p in facts.inputs(profile)]
        assert all(os.fspath(Path(name)) == name for name in names)
        assert names.count(os.fspath(project / "lessons" / "intro.ipynb")) == 1  # content, and a page


@pytest.mark.parametrize("root", ["/p/project", "/", ".", "relative/project"])
def test_path_texts_are_what_joining_paths_gives(root: str) -> None:
    names = [
        "a.qmd",
        "a/b.qmd",
        "./a.qmd",
        "a/./b.qmd",
        "a//b.qmd",
        "a/",
        "a/.",
        ".",
        "/abs.qmd",
        "a/../b.qmd",
    ]
    assert path_texts(Path(root), names) == [os.fspath(Path(root) / name) for name in names]
    for name in names:  # one name among clean ones, and clean ones alone (joined at once)
        some = ["a.qmd", name, "b/c.qmd"]
        assert path_texts(Path(root), some) == [os.fspath(Path(root) / n) for n in some], name
    assert path_texts(Path(root), iter(["a.qmd", "b/c.qmd"])) == [
        os.fspath(Path(root) / n) for n in ("a.qmd", "b/c.qmd")
    ]


def test_a_stamp_and_a_digest_change_when_an_input_changes(project: Path) -> None:
    facts = Project(project)
    inputs = facts.inputs()
    stamp, key = facts.stamp(inputs), facts.digest(inputs)
    assert facts.stamp(inputs) == stamp and facts.digest(inputs) == key
    page = project / "index.qmd"
    page.write_text(page.read_text() + "\nOne more line.\n")
    assert facts.stamp(inputs) != stamp and facts.digest(inputs) != key


def test_an_unreadable_input_changes_the_digest_or_is_refused(project: Path, tmp_path: Path) -> None:
    facts = Project(project)
    page = project / "index.qmd"
    before = facts.digest([page])
    page.unlink()
    os.symlink(tmp_path / "elsewhere.qmd", page)  # leads outside the project
    assert facts.digest([page]) != before  # a build key: it only changes
    with pytest.raises(ContentError) as refused:
        digest([page], project)  # a cache key of content: refused, located at the file
    assert [(d.code, Path(d.path).name) for d in refused.value.diagnostics] == [("CUR106", "index.qmd")]


def test_the_configuration_is_read_once_per_profile_unless_asked_again(project: Path) -> None:
    facts = Project(project)
    first = facts.config("resident")
    (project / "_quarto.yml").write_text("project: [unclosed\n")
    assert facts.config("resident") is first
    with pytest.raises(ContentError):
        facts.config("resident", reread=True)


def test_each_render_pattern_is_matched_once_for_every_profile_until_read_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The faculty edition's patterns are the resident's and the notes': it matches only the notes."""
    globbed: list[str] = []
    glob = Path.glob
    monkeypatch.setattr(Path, "glob", lambda self, pattern: globbed.append(pattern) or glob(self, pattern))
    facts = Project(project)
    resident = facts.config("resident").pages()
    before = list(globbed)
    faculty = facts.config("faculty").pages()
    again = [p for p in globbed[len(before) :] if p in before]
    assert not again, f"matched twice: {again}"
    globbed.clear()
    fresh = Project(project)
    assert fresh.config("faculty").pages() == faculty and fresh.config("resident").pages() == resident
    (project / "cases").mkdir(exist_ok=True)
    (project / "cases" / "new-page.qmd").write_text("# A new page\n")
    assert "cases/new-page.qmd" not in facts.config("resident").pages()  # as it was read
    assert "cases/new-page.qmd" in facts.config("resident", reread=True).pages()  # matched again
    assert "cases/new-page.qmd" in facts.config("faculty", reread=True).pages()


class _Listed:
    """The folders a load of the configuration lists for its render patterns (``folder_entries``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folders: list[str] = []
        listed = _config.folder_entries

        def counted(folder: str | os.PathLike[str]) -> list[os.DirEntry[str]]:
            self.folders.append(Path(folder).name)
            return listed(folder)

        monkeypatch.setattr(_config, "folder_entries", counted)

    def pages(self, project: Path, profile: str = "resident") -> list[str]:
        """Return the pages a new reader of the project finds (as each build of a process does)."""
        self.folders.clear()
        return Project(project).config(profile).pages()


def test_a_render_pattern_is_matched_with_a_look_at_its_folder_while_the_folder_is_as_listed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each build of ``curriculum serve`` reads the configuration again: an unchanged folder is not
    listed again, nor each of its files looked at."""
    monkeypatch.setattr(_files, "RACY_NS", 0)  # the folders' change times cannot be dated back
    listed = _Listed(monkeypatch)
    dated_back(project / "lessons")
    first = listed.pages(project)
    assert "lessons/intro.ipynb" in first and "lessons" in listed.folders
    assert listed.pages(project) == first
    assert "lessons" not in listed.folders, "listed again though unchanged"
    assert "faculty/notes/intro.qmd" in listed.pages(project, "faculty")


@pytest.mark.parametrize("change", ["added", "removed", "renamed", "made a folder"])
def test_a_page_added_removed_or_renamed_in_a_pattern_s_folder_changes_the_pages_at_once(
    project: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    monkeypatch.setattr(_files, "RACY_NS", 0)  # as if listed long after: its listing would be kept
    listed = _Listed(monkeypatch)
    lessons = project / "lessons"
    (lessons / "second.ipynb").write_bytes((lessons / "intro.ipynb").read_bytes())
    dated_back(lessons)
    assert "lessons/second.ipynb" in listed.pages(project)
    dated_back(lessons, step=1)
    assert "lessons/second.ipynb" in listed.pages(project)  # kept
    if change == "added":
        (lessons / "third.ipynb").write_bytes((lessons / "intro.ipynb").read_bytes())
    elif change == "removed":
        (lessons / "second.ipynb").unlink()
    elif change == "renamed":
        (lessons / "second.ipynb").rename(lessons / "third.ipynb")
    else:  # the page's file replaced by a folder of its name (which the pattern matches all the same)
        (lessons / "second.ipynb").unlink()
        (lessons / "second.ipynb").mkdir()
    pages = listed.pages(project)
    assert "lessons" in listed.folders
    expected = {
        "added": {"lessons/second.ipynb", "lessons/third.ipynb"},
        "removed": set(),
        "renamed": {"lessons/third.ipynb"},
        "made a folder": {"lessons/second.ipynb"},
    }[change]
    assert {
        page for page in pages if page.startswith("lessons/") and page != "lessons/intro.ipynb"
    } == expected


def test_a_folder_changed_just_before_it_was_listed_is_listed_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file added in the same clock tick as the listing would leave the folder's time as listed."""
    listed = _Listed(monkeypatch)
    (project / "lessons" / "second.ipynb").write_bytes((project / "lessons" / "intro.ipynb").read_bytes())
    for _ in range(2):
        assert "lessons/second.ipynb" in listed.pages(project)
        assert "lessons" in listed.folders


def test_a_pattern_that_matches_a_link_is_matched_again_at_each_load(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A link's target can change while its folder does not: one leading out of the project is refused."""
    monkeypatch.setattr(_files, "RACY_NS", 0)
    listed = _Listed(monkeypatch)
    (project / "shared").mkdir()
    (project / "shared" / "linked.ipynb").write_bytes((project / "lessons" / "intro.ipynb").read_bytes())
    (project / "via").symlink_to("shared")
    (project / "lessons" / "linked.ipynb").symlink_to("../via/linked.ipynb")
    dated_back(project / "lessons")
    assert "lessons/linked.ipynb" in listed.pages(project)
    assert "lessons/linked.ipynb" in listed.pages(project)
    assert "lessons" in listed.folders, "a folder with a link matched is listed at each load"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "linked.ipynb").write_bytes(b"{}")
    (project / "via").unlink()
    (project / "via").symlink_to(outside)  # the project's folder changes, the lessons' does not
    with pytest.raises(ContentError) as refused:
        listed.pages(project)
    assert [d.code for d in refused.value.diagnostics] == ["CUR106"]
