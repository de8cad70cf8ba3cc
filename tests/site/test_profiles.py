"""A profile's file is merged over ``_quarto.yml`` the way Quarto merges configurations.

Quarto (``mergeConfigs`` in its ``src/core/config.ts``) deep-merges mappings,
concatenates lists without repeats (the first occurrence stays; a single value
beside a list counts as a list of one; a null or empty value beside a list gives
way to the other), and replaces every other value. The Pandoc engine must read
the faculty profile exactly as Quarto does, or the two editions would differ by
engine.
"""

from __future__ import annotations

from typing import Any

import pytest

from curriculum.project import load_config
from curriculum.project._config import _merge
from tests.conftest import REPO


@pytest.mark.parametrize(
    ("base", "over", "merged"),
    [
        ({"a": 1, "b": {"c": 2, "d": 3}}, {"b": {"d": 4, "e": 5}}, {"a": 1, "b": {"c": 2, "d": 4, "e": 5}}),
        ({"render": ["a.qmd", "b.qmd"]}, {"render": ["c.qmd"]}, {"render": ["a.qmd", "b.qmd", "c.qmd"]}),
        ({"render": ["a.qmd", "b.qmd"]}, {"render": ["b.qmd", "a.qmd"]}, {"render": ["a.qmd", "b.qmd"]}),
        ({"x": "a.qmd"}, {"x": ["b.qmd"]}, {"x": ["a.qmd", "b.qmd"]}),
        ({"x": ["a.qmd"]}, {"x": "b.qmd"}, {"x": ["a.qmd", "b.qmd"]}),
        ({"x": ["a.qmd"]}, {"x": None}, {"x": ["a.qmd"]}),
        ({"x": None}, {"x": ["a.qmd"]}, {"x": ["a.qmd"]}),
        ({"x": ["a.qmd"]}, {"x": []}, {"x": ["a.qmd"]}),
        ({"x": [{"section": "S", "contents": ["a"]}]}, {"x": [{"section": "S", "contents": ["a"]}]}, None),
        ({"title": "Site"}, {"title": "Faculty site"}, {"title": "Faculty site"}),
        ({"footer": {"left": "x"}}, {"footer": "plain"}, {"footer": "plain"}),
        ({"toc": True}, {"toc": None}, {"toc": None}),
    ],
)
def test_merge_follows_quarto(
    base: dict[str, Any], over: dict[str, Any], merged: dict[str, Any] | None
) -> None:
    assert _merge(base, over) == (merged if merged is not None else base)


def test_the_faculty_profile_adds_the_notes_to_the_render_list_and_the_sidebar() -> None:
    resident, faculty = load_config(REPO), load_config(REPO, "faculty")
    assert resident.raw["project"]["render"] == faculty.raw["project"]["render"][:-1]
    assert faculty.raw["project"]["render"][-1] == "faculty/notes/*.qmd"
    notes = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "faculty" / "notes").glob("*.qmd"))
    assert len(notes) == len(list((REPO / "lessons").glob("*.ipynb")))  # one per lesson
    assert [e.text for e in faculty.sidebar] == [*(e.text for e in resident.sidebar), "Facilitator notes"]
    assert faculty.sidebar[-1].pages() == notes  # every lesson's notes, in lesson order
    assert set(notes) <= set(faculty.pages()) and not set(notes) & set(resident.pages())
    assert faculty.output_dir == "_site-faculty" and faculty.footer.startswith("Faculty edition")
    assert faculty.title == resident.title
