"""The activity in JupyterLab: ``curriculum.activity(id)`` as a widget over the learner's progress file.

The widget is handed the post-test's saved state (``records``) when it is
made, and what the learner does in it (the evaluation, the certificate) is
saved in the same progress file as the record ``activity:<id>``, listed by
``curriculum.progress()``. Rendered for the site, the same call gives the
static fragment.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import curriculum
from curriculum.assess import ProgressStore
from curriculum.hosts.display import StaticComponent
from curriculum.hosts.notebook import progress_table
from curriculum.hosts.widget import widget_class
from curriculum.project import site_id
from tests.conftest import DATA

POSTTEST = {
    "attempts": [{"started": "2026-12-04T09:00:00Z", "submitted": "2026-12-04T09:30:00Z", "score": 1.0}]
}
EVALUATION = {
    "likert": {"objectives": 4},
    "change": "yes",
    "bias": "yes",
    "comments": "<script>alert(1)</script>",
    "submitted": "2026-12-04T10:00:00Z",
}


@pytest.fixture
def with_activity(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(DATA / "activity", project, dirs_exist_ok=True)
    monkeypatch.setenv("CURRICULUM_ROOT", str(project))
    return project


def test_the_widget_reads_the_posttest_and_saves_the_evaluation(with_activity: Path) -> None:
    store = ProgressStore.for_site(site_id(with_activity))
    store.save("quiz:welcome-post", POSTTEST)
    widget: Any = curriculum.activity("welcome")
    assert isinstance(widget, widget_class("activity"))
    assert widget.payload["needs"] == ["quiz:welcome-pre", "quiz:welcome-post"]
    assert widget.payload["pass_mark"] == 0.75 and widget.payload["hours"] == 1.5
    assert widget.records == {"quiz:welcome-post": POSTTEST}  # the pre-test was not taken
    widget.state = {"evaluation": EVALUATION, "name": ""}
    assert store.get("activity:welcome") == {"evaluation": EVALUATION, "name": ""}
    rows = {(r["component"], r["id"]): r for r in progress_table(site_id(with_activity)).rows}
    assert rows["activity", "welcome"]["status"] == "evaluation completed"
    certificate = {"name": "Ana", "issued": "2026-12-04T10:05:00Z", "score": 1.0}
    widget.state = {"evaluation": EVALUATION, "name": "Ana", "certificate": certificate}
    rows = {(r["component"], r["id"]): r for r in progress_table(site_id(with_activity)).rows}
    assert rows["activity", "welcome"]["status"] == "certificate issued"
    assert rows["activity", "welcome"]["score"] == "100%"


def test_rendered_for_the_site_it_is_the_static_fragment(
    with_activity: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Quarto's render: the static host that loads the content (our own build gets a reference by id)
    monkeypatch.setenv("QUARTO_DOCUMENT_PATH", str(with_activity / "lessons" / "intro.ipynb"))
    shown = curriculum.activity("welcome")
    assert isinstance(shown, StaticComponent)
    assert shown.payload["statement"].startswith("This certificate records self-assessment")
    assert shown.payload["lessons"] == [{"id": "intro", "title": shown.payload["lessons"][0]["title"]}]
