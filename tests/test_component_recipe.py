"""CONTRIBUTING.md's recipe for a new component kind, followed end to end with a toy kind.

The toy (``tests/data/toy/``) is one spec (``toy_kind.py``), one ES module
(``toy.js``), one ``curriculum new`` template (``toy.yml.j2``) and one fixture
(``hello.yml``); nothing else of the package changes. With it the kind is
created by ``curriculum new``, checked, shown by the notebook host (static and
live), listed in the learner's progress, and built into the site: its mount
on the lesson's page, its payload, its part in the progress manifest, its
text in the search index, its module in the site's script, and drawn in
Chromium.

The package's own kinds are registered in ``components/_builtin.py``; the toy
registers itself when ``toy_kind`` is imported, so the lesson's code cell
imports it for the kernel that runs the lesson, and the test removes it again.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
import pytest
from rich.console import Console

import curriculum
import curriculum.web
from curriculum.assess import ProgressStore
from curriculum.components import COMPONENTS, Mount
from curriculum.content import FORMATS, new_kinds, parse_cells
from curriculum.hosts.display import Problem, StaticComponent
from curriculum.hosts.notebook import component_function, progress_table
from curriculum.hosts.static import MOUNT_MIME, static_fragment
from curriculum.hosts.widget import widget_class
from curriculum.project import site_id
from curriculum.site import build_site
from curriculum.site._assets import site_assets
from tests.browser import goto, serve, wait_until
from tests.cli.test_cli import run
from tests.conftest import DATA

TOY = DATA / "toy"
CELL = 'import toy_kind\n\ncurriculum.toy("hello")'


def _forget_caches() -> None:
    """Drop what was linked or derived before the toy was registered (or after it was removed)."""
    site_assets.cache_clear()
    widget_class.cache_clear()
    component_function.cache_clear()
    for name in ("classic_bundle", "component_esm", "live_esm"):
        cached = getattr(curriculum.web, name, None)
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()
    forget = getattr(curriculum.web, "forget", None)
    if callable(forget):
        forget()


@pytest.fixture
def toy(project: Path) -> Iterator[ModuleType]:
    """The test project with the toy kind: its files, a fixture, a lesson cell that shows it; registered."""
    lessons = project / "lessons"
    for name in ("toy_kind.py", "toy.js", "toy.yml.j2"):
        shutil.copy(TOY / name, lessons / name)  # the kernel runs in lessons/, so `import toy_kind` finds it
    (project / "toys").mkdir()
    shutil.copy(TOY / "hello.yml", project / "toys" / "hello.yml")
    notebook = nbformat.read(lessons / "intro.ipynb", as_version=4)
    notebook.cells.insert(-1, nbformat.v4.new_markdown_cell("## Say it back"))
    notebook.cells.insert(-1, nbformat.v4.new_code_cell(CELL))
    nbformat.write(notebook, lessons / "intro.ipynb")
    spec = importlib.util.spec_from_file_location("toy_kind", lessons / "toy_kind.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["toy_kind"] = module
    spec.loader.exec_module(module)  # registers the kind
    _forget_caches()
    try:
        yield module
    finally:
        COMPONENTS.unregister("toy")
        sys.modules.pop("toy_kind", None)
        _forget_caches()


def test_the_kind_is_everywhere_once_registered_and_nowhere_after(toy: ModuleType) -> None:
    assert list(COMPONENTS)[-1] == "toy" and FORMATS["toys"].model is toy.Toy
    assert "toy" in new_kinds()
    assert Mount.from_json({"component": "toy", "args": ["hello"]}) == Mount("toy", ("hello",))
    assert Mount.from_json({"component": "toy", "args": []}) is None  # its one parameter is required
    (code,) = parse_cells([CELL])
    assert [(c.function, c.args) for c in code.calls] == [("toy", ("hello",))]
    function = curriculum.toy  # type: ignore[attr-defined]
    assert function.__name__ == "toy" and list(function.__signature__.parameters) == ["toy_id"]
    fragment = static_fragment({"component": "toy", "key": "toy:hello", "id": "hello"})
    assert 'data-component="toy" id="cur-toy-hello"' in fragment
    assert "This toy needs JavaScript" in fragment
    COMPONENTS.unregister("toy")
    try:
        assert "toys" not in FORMATS and "toy" not in new_kinds()
        assert Mount.from_json({"component": "toy", "args": ["hello"]}) is None
        with pytest.raises(AttributeError):
            curriculum.toy  # type: ignore[attr-defined]  # noqa: B018
    finally:
        COMPONENTS.register(toy.SPEC)


def test_new_check_notebook_progress_and_site(
    toy: ModuleType, project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    # curriculum new: the kind's template, in the kind's folder.
    status, out, err = run(["new", "toy", "greet"], capsys)
    assert status == 0, err
    assert "toys/greet.yml" in out and (project / "toys" / "greet.yml").is_file()
    # curriculum schema: the kind's format has its JSON Schema for editors, with the model's fields.
    status, _, err = run(["schema", "--out", "schemas"], capsys)
    assert status == 0, err
    schema = json.loads((project / "schemas" / "toy.schema.json").read_text())
    assert (
        set(schema["properties"]) == {"title", "greeting", "lesson"}
        and schema["additionalProperties"] is False
    )
    # curriculum check: the new file loads, the lesson's call resolves, the notebook runs in a kernel.
    status, out, err = run(["check", "--strict"], capsys)
    assert status == 0, out + err
    (project / "toys" / "greet.yml").unlink()

    # The notebook host, rendering for the site: our build's reference, and Quarto's static fragment.
    monkeypatch.setenv("CURRICULUM_ROOT", str(project))
    monkeypatch.setenv("CURRICULUM_HOST", "static")
    reference = curriculum.toy("hello")  # type: ignore[attr-defined]
    assert reference._repr_mimebundle_()[MOUNT_MIME] == {"component": "toy", "args": ["hello"]}
    monkeypatch.delenv("CURRICULUM_HOST")
    monkeypatch.setenv("QUARTO_DOCUMENT_PATH", str(project / "lessons" / "toy.ipynb"))
    shown = curriculum.toy("hello")  # type: ignore[attr-defined]
    assert isinstance(shown, StaticComponent)
    assert shown.payload["greeting_html"] == "Hello from the <em>toy</em> kind."
    missing = curriculum.toy("hallo")  # type: ignore[attr-defined]
    assert isinstance(missing, Problem)
    assert missing.message.startswith("there is no toy `hallo` (did you mean `hello`?)")

    # The learner's progress: the kind's own status line.
    ProgressStore.for_site(site_id(project)).save("toy:hello", {"said": 2})
    rows = {(r["component"], r["id"]): r for r in progress_table(site_id(project)).rows}
    assert rows["toy", "hello"]["status"] == "said 2 times"

    # The site: the lesson page mounts it, with its payload, in the manifest and the search index.
    result = build_site(project, engine="pandoc", console=Console(quiet=True))
    page = (result.out / "lessons" / "intro.html").read_text()
    assert '<div class="cur-widget" data-component="toy" id="cur-toy-hello" data-payload="deferred">' in page
    data = (result.out / "lessons" / "intro.data.js").read_text()
    assert '"greeting":"Hello from the *toy* kind."' in data
    manifest = (result.out / "progress-manifest.js").read_text()
    part = json.loads(manifest.removeprefix("window.CURRICULUM_MANIFEST = ").removesuffix(";\n"))
    intro = next(lesson for lesson in part["lessons"] if lesson["id"] == "intro")
    assert {"key": "toy:hello", "kind": "toy", "title": "A first greeting", "total": 1} in [
        {k: p[k] for k in ("key", "kind", "title", "total")} for p in intro["parts"]
    ]
    snippets = "".join(path.read_text() for path in (result.out / "search").glob("*.js"))
    assert "Hello from the toy kind." in snippets


def test_the_site_script_and_the_widget_carry_its_module(
    toy: ModuleType, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "Say it back" in site_assets()["assets/curriculum.js"]
    monkeypatch.setenv("CURRICULUM_ROOT", str(project))
    widget: Any = curriculum.toy("hello")  # type: ignore[attr-defined]
    assert isinstance(widget, widget_class("toy"))
    esm = widget._esm
    assert "Say it back" in (esm.read_text() if isinstance(esm, Path) else str(esm))


@pytest.mark.browser
def test_the_built_page_draws_it(toy: ModuleType, project: Path, open_page: Any) -> None:
    result = build_site(project, engine="pandoc", console=Console(quiet=True))
    with serve(result.out) as base:
        page = open_page()
        goto(page, f"{base}/lessons/intro.html")
        toy_element = page.locator("#cur-toy-hello")
        assert toy_element.locator(".toy-greeting").inner_text() == "Hello from the *toy* kind."
        toy_element.get_by_role("button").click()
        wait_until(page, "document.querySelector('#cur-toy-hello button').textContent.includes('(1)')")
