"""The page plan: a page made from what the last build made it from is taken as it was, and is the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from curriculum.site import build_site
from curriculum.site._record_file import RecordFile
from tests.site.conftest import build_copy, same_as_a_fresh_build


def _quiet(root: Path, **options: Any) -> Path:
    return build_site(root, engine="pandoc", console=Console(quiet=True), **options).out


@pytest.fixture
def converted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages the convert stage turns into Pandoc Markdown (the others are taken as they were).

    Not those converted to be rendered ahead (:class:`~curriculum.site._stages.PagesAhead`).
    """
    from curriculum.site import _stages

    seen: list[str] = []
    real_page, real_notebook = _stages.markdown_page, _stages.notebook_markdown
    real_ahead = _stages.PagesAhead._converted
    ahead = [False]

    def converted_ahead(*args: Any) -> Any:
        ahead[0] = True
        try:
            return real_ahead(*args)
        finally:
            ahead[0] = False

    def stage() -> bool:
        return not ahead[0]

    def page(root: Path, source: str) -> Any:
        if stage():
            seen.append(source)
        return real_page(root, source)

    def notebook(nb: Any, *args: Any) -> Any:
        if stage():
            seen.append("a notebook")
        return real_notebook(nb, *args)

    monkeypatch.setattr(_stages, "markdown_page", page)
    monkeypatch.setattr(_stages, "notebook_markdown", notebook)
    monkeypatch.setattr(_stages.PagesAhead, "_converted", staticmethod(converted_ahead))
    return seen


def test_a_quiz_edit_converts_only_the_page_whose_text_it_changes(
    tmp_path: Path, converted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quiz's page; not the lessons that show it, nor the quiz list, whose HTML is not even read."""
    from curriculum.site import _execute, _page_render

    root, _ = build_copy(tmp_path, "resident")
    converted.clear()
    _quiet(root)  # nothing changed: the build stops before converting anything
    assert converted == []
    quiz = root / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("doubts that treatment", "doubts that any treatment"))
    read: list[bytes | None] = []
    real = _page_render._cached_page
    monkeypatch.setattr(_page_render, "_cached_page", lambda data: read.append(data) or real(data))
    notebooks: list[str] = []
    reader = _execute.NotebookCache._read
    monkeypatch.setattr(
        _execute.NotebookCache, "_read", lambda self, path: notebooks.append(path.name) or reader(self, path)
    )
    out = _quiet(root)
    assert converted == ["quiz/intro.qmd"]
    assert read == [None]  # the quiz page's new entry, looked for before Pandoc renders it; no other page's
    assert notebooks == [], "no lesson notebook is read: each is known by its digest"
    assert "doubts that any treatment" in (out / "quiz" / "intro.html").read_text()
    same_as_a_fresh_build(root, out, tmp_path)


def test_every_page_is_converted_when_what_all_share_changes_or_with_no_freeze(
    tmp_path: Path, converted: list[str]
) -> None:
    """A lesson's front matter is read by every overview and payload; --no-freeze takes nothing as it was."""
    import json

    root, _ = build_copy(tmp_path, "resident")
    notebook = next((root / "lessons").glob("*.ipynb"))
    data = json.loads(notebook.read_text())
    data["cells"][0]["source"] = "".join(data["cells"][0]["source"]).replace("title: ", "title: Revised ", 1)
    notebook.write_text(json.dumps(data, indent=1))
    converted.clear()
    out = _quiet(root)
    every = len(converted)
    assert every > 5
    same_as_a_fresh_build(root, out, tmp_path)
    converted.clear()
    _quiet(root, freeze=False)
    assert len(converted) == every


def test_a_kept_page_whose_cache_entry_is_gone_is_converted_and_rendered_again(
    tmp_path: Path, converted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from curriculum.site import _render_ahead

    root, _ = build_copy(tmp_path, "resident")
    # not rendered ahead either: their entries would be there again before the convert stage looks
    monkeypatch.setattr(_render_ahead, "standalone_pages", lambda config, skip=(): ([], []))
    entries = sorted((root / ".curriculum-cache" / "resident" / "pages").glob("*.page"))
    for entry in entries:
        entry.unlink()
    quiz = root / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("Introduction quiz", "Introduction quiz, revised"))
    converted.clear()
    out = _quiet(root)
    assert len(converted) == len(entries)
    same_as_a_fresh_build(root, out, tmp_path)


def test_a_damaged_entry_read_for_a_kept_page_is_rendered_again(tmp_path: Path, converted: list[str]) -> None:
    """A kept page's HTML is read only when a file must be made again; a damaged entry is then made anew."""
    root, first = build_copy(tmp_path, "resident")
    entries = list((root / ".curriculum-cache" / "resident" / "pages").glob("*.page"))
    for entry in entries:
        entry.write_text("not a page")
    (first.out / "index.html").write_text("edited by hand")  # its wrap must be made again: its HTML is read
    quiz = root / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text().replace("doubts that treatment", "doubts that any treatment"))
    converted.clear()
    out = _quiet(root)
    assert sorted(converted) == ["index.qmd", "quiz/intro.qmd"] and len(entries) > 2
    assert "edited by hand" not in (out / "index.html").read_text()
    same_as_a_fresh_build(root, out, tmp_path)


def test_a_plan_record_changed_in_place_is_no_record(tmp_path: Path, converted: list[str]) -> None:
    """The plan's record is sealed: an entry changed by hand, even to one of a sound shape, is not taken.

    Every page is then converted, and the site is the one a fresh build makes
    (an entry taken as it was would have given the progress page the title written in).
    """
    root, _ = build_copy(tmp_path, "resident")
    cache = root / ".curriculum-cache" / "resident"
    for name in ("pages.json", "pages.changes.json"):
        record = cache / name
        if record.is_file():
            record.write_text(record.read_text().replace('"Your progress"', '"Written in"'))
    _edit(root / "quizzes" / "intro.yml", "doubts that treatment", "doubts that any treatment")
    converted.clear()
    out = _quiet(root)
    assert "progress.qmd" in converted and len(converted) > 5
    assert "Written in" not in (out / "progress.html").read_text()
    same_as_a_fresh_build(root, out, tmp_path)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


EDITS = {  # each: the file, the text replaced, its replacement, and what of it the site then shows
    "an authored page": ("index.qmd", "A test home page", "The test home page", "The test home page"),
    "a vignette's scene": ("vignettes/first-visit.yml", "not sure why", "unsure why", "unsure why he came"),
    "a lesson's prose": ("lessons/intro.ipynb", "predicts outcome", "predicts the outcome", "the outcome"),
    "a reference": (
        "references.bib",
        "An Integrated, Evidence",
        "An Integrated and Evidence",
        "Integrated and Evidence",
    ),
    "the sidebar": ("_quarto.yml", "      - section: Practice", "      - section: Practise", ">Practise<"),
    "a quiz's title": (
        "quizzes/intro.yml",
        "title: Introduction quiz",
        "title: Opening quiz",
        "Opening quiz",
    ),
}


def test_after_each_kind_of_edit_the_site_is_the_site_a_fresh_build_makes(tmp_path: Path) -> None:
    """Edits one after another, each built on the last: every build equals a build from nothing."""
    root, _ = build_copy(tmp_path, "resident")
    for n, (what, (name, old, new, shown)) in enumerate(EDITS.items()):
        _edit(root / name, old, new)
        out = _quiet(root)
        assert any(shown in p.read_text() for p in out.rglob("*") if p.suffix in (".html", ".js")), what
        same_as_a_fresh_build(root, out, tmp_path / f"after-{n}")


def test_a_generated_page_changed_in_the_same_tick_as_it_was_recorded_is_written_again(
    tmp_path: Path,
) -> None:
    """Its size and time are as recorded, but it changed within two seconds of the record: it is compared."""
    import os

    root, _ = build_copy(tmp_path, "resident")
    page = root / "quiz" / "intro.qmd"
    text, info = page.read_text(), page.stat()
    page.write_text(text.replace("Introduction", "Introductiom", 1))  # the same size
    os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns))  # and the same time
    _edit(root / "index.qmd", "A test home page", "The test home page")  # something to build
    out = _quiet(root)
    assert page.read_text() == text
    same_as_a_fresh_build(root, out, tmp_path)


def test_the_pages_pandoc_need_not_render_are_wrapped_while_it_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edited page's render does not hold up the other pages, nor the reading of the last search index.

    The edited page's render waits until the wrap stage has taken every other
    page and the search stage has read the last index's postings; a build that
    waited for the render first would wait here until the timeout.
    """
    import threading

    from curriculum.site import _page_plan, _page_render, _render_ahead, _search_stage, _stages

    root, _ = build_copy(tmp_path, "resident")
    _edit(root / "index.qmd", "A test home page", "The test home page")
    plan = RecordFile(root / ".curriculum-cache" / "resident" / "pages.json", ("pages",), sealed=True)
    pages = len(plan.read()["pages"])
    made: list[str] = []
    others_wrapped, postings_read = threading.Event(), threading.Event()
    waited: list[bool] = []
    real_made, real_keep, real_render, real_postings = (
        _page_plan.PagePlan.made,
        _page_plan.PagePlan.keep,
        _page_render.PageRenderer.render,
        _search_stage.read_kept,
    )

    def wrapped(source: str) -> None:
        made.append(source)
        if len(made) == pages - 1:
            others_wrapped.set()

    def made_page(self: Any, source: str, page: Any) -> None:
        wrapped(source)
        real_made(self, source, page)

    def kept_page(self: Any, sources: Any) -> None:  # the pages that stand as the last build made them
        names = list(sources)
        for source in names:
            wrapped(source)
        real_keep(self, names)

    def read_postings(*args: Any) -> Any:
        found = real_postings(*args)
        if others_wrapped.is_set():
            postings_read.set()
        return found

    def render(self: Any, source: str, *args: Any, **options: Any) -> Any:
        waited.append(postings_read.wait(timeout=20))
        return real_render(self, source, *args, **options)

    monkeypatch.setattr(_page_plan.PagePlan, "made", made_page)
    monkeypatch.setattr(_page_plan.PagePlan, "keep", kept_page)
    monkeypatch.setattr(_page_render.PageRenderer, "render", render)
    monkeypatch.setattr(_search_stage, "read_kept", read_postings)
    monkeypatch.setattr(_stages, "edited_pages", lambda config, changed: [])  # no render ahead of the stage
    monkeypatch.setattr(_render_ahead, "standalone_pages", lambda config, skip=(): ([], []))
    out = _quiet(root)
    assert waited == [True], "the edited page's render held up the other pages or the search stage"
    assert made[-1] == "index.qmd" and len(made) == pages
    assert "The test home page" in (out / "index.html").read_text()
    same_as_a_fresh_build(root, out, tmp_path)


class _Pool:
    """A stand-in for the Pandoc stage's thread pool: each page's render is done at once, or when told."""

    def __init__(self, at_once: bool) -> None:
        self.at_once = at_once
        self.waiting: list[tuple[Any, Any, tuple[Any, ...]]] = []

    def __call__(self, max_workers: int) -> _Pool:
        return self

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn: Any, *args: Any) -> Any:
        from concurrent.futures import Future

        future: Future[Any] = Future()
        if self.at_once:
            future.set_result(fn(*args))
        else:
            self.waiting.append((future, fn, args))
        return future

    def finish(self) -> None:
        for future, fn, args in self.waiting:
            future.set_result(fn(*args))


@pytest.mark.parametrize("at_once", [True, False], ids=["from the cache", "still rendering"])
def test_work_meanwhile_is_done_only_while_a_page_is_still_being_rendered(
    monkeypatch: pytest.MonkeyPatch, at_once: bool
) -> None:
    """The last search postings are read ahead to fill the wait for Pandoc: with nothing to wait for, not."""
    from types import SimpleNamespace

    from curriculum.site import _stages
    from curriculum.site._page_render import RenderedPage
    from curriculum.site._sources import Page

    pool = _Pool(at_once)
    monkeypatch.setattr(_stages, "ThreadPoolExecutor", pool)
    renderer = SimpleNamespace(
        render=lambda source, *args: RenderedPage(f"{source}.page", "", "<p>New.</p>", fresh=not at_once),
        close=lambda prune: None,
    )
    run = SimpleNamespace(
        renderer=lambda: renderer,
        step=lambda *args: None,
        generated={},
        stats=SimpleNamespace(rendered=0),
        log=lambda *args: None,
    )

    def source(name: str, rendered: RenderedPage | None) -> Any:
        page = Page(name, name.replace(".qmd", ".html"), name, "markdown")
        return _stages._Source(page, "" if rendered else "New.", SimpleNamespace(), rendered=rendered)

    sources = {"kept.qmd": source("kept.qmd", RenderedPage("kept.page")), "new.qmd": source("new.qmd", None)}
    called: list[bool] = []

    def meanwhile() -> None:
        called.append(True)
        pool.finish()  # the page is rendered while the work meanwhile is done

    pages = [item.page.source for item, _ in _stages.pandoc(run, sources, meanwhile=meanwhile)]  # type: ignore[arg-type]
    assert pages == ["kept.qmd", "new.qmd"]
    assert called == ([] if at_once else [True])


def _children() -> dict[int, str]:
    """Return the processes this one started that are still running, with their commands (from /proc)."""
    import os

    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if int(fields[1]) == os.getpid() and fields[0] != "Z":
                found[int(entry.name)] = command
    return found


def _render_waits_for_the_load(monkeypatch: pytest.MonkeyPatch, page: str) -> list[bool]:
    """Make the content's load wait until ``page`` is being rendered; return whether each load saw it."""
    import threading

    from curriculum.site import _check, _page_render

    rendering = threading.Event()
    waited: list[bool] = []
    real_load, real_render = _check.load_curriculum, _page_render.PageRenderer.render

    def load(root: Path, **kwargs: Any) -> Any:
        waited.append(rendering.wait(timeout=20))
        return real_load(root, **kwargs)

    def render(self: Any, source: str, *args: Any, **options: Any) -> Any:
        if source == page:
            rendering.set()
        return real_render(self, source, *args, **options)

    monkeypatch.setattr(_check, "load_curriculum", load)
    monkeypatch.setattr(_page_render.PageRenderer, "render", render)
    return waited


def test_an_edited_page_is_rendered_while_the_content_is_loaded_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, converted: list[str]
) -> None:
    """Pandoc's render of the page an author edited starts before the content is loaded.

    The load waits for the render to start; a build that rendered only after
    the load (or the check) would wait here until the timeout.
    """
    root, _ = build_copy(tmp_path, "resident")
    _edit(root / "index.qmd", "A test home page", "The test home page")
    waited = _render_waits_for_the_load(monkeypatch, "index.qmd")
    converted.clear()
    out = _quiet(root)
    assert waited == [True], "the edited page was not rendered while the content was loaded"
    assert converted == ["index.qmd"]  # by the convert stage too, which finds it rendered
    assert "The test home page" in (out / "index.html").read_text()
    same_as_a_fresh_build(root, out, tmp_path)


def _pandoc_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each page Pandoc renders (in a worker or a process of its own), not those from the cache."""
    from curriculum.site import _page_render

    runs: list[str] = []
    real = _page_render.PageRenderer._rendered

    def rendered(self: Any, name: str, source: str, *args: Any, **options: Any) -> Any:
        runs.append(source)
        return real(self, name, source, *args, **options)

    monkeypatch.setattr(_page_render.PageRenderer, "_rendered", rendered)
    return runs


@pytest.mark.parametrize("profile", ["resident", "faculty"])
def test_an_edited_lesson_rendered_ahead_is_the_page_the_build_publishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, profile: str
) -> None:
    """Converted ahead from its front matter, its prerequisites' and its notes, the lesson is rendered once.

    A page converted ahead from other content than the build's (an overview
    without the link to the facilitator notes, say) would be rendered again.
    """
    root, _ = build_copy(tmp_path, profile)
    _edit(root / "lessons" / "intro.ipynb", "predicts outcome", "predicts the outcome")
    runs = _pandoc_runs(monkeypatch)
    out = build_site(root, engine="pandoc", profile=profile, console=Console(quiet=True)).out
    assert runs == ["lessons/intro.ipynb"]
    assert "predicts the outcome" in (out / "lessons" / "intro.html").read_text()


def test_the_overview_content_holds_what_an_edited_lesson_overview_reads(tmp_path: Path) -> None:
    import json

    from curriculum.site._stages import overview_content

    root, _ = build_copy(tmp_path, "resident")
    data = json.loads((root / "lessons" / "intro.ipynb").read_text())
    front = "".join(data["cells"][0]["source"]).replace("lesson-id: intro\n", "lesson-id: next\n")
    data["cells"][0]["source"] = front.replace("duration: 45\n", "duration: 45\nprerequisites: [intro]\n")
    (root / "lessons" / "next.ipynb").write_text(json.dumps(data))
    part = overview_content(root, ["lessons/next.ipynb", "index.qmd"])
    assert sorted(part.lessons) == ["intro", "next"]
    assert list(part.notes) == []  # `next` has none; `intro` is only a prerequisite
    part = overview_content(root, ["lessons/intro.ipynb"])
    assert list(part.lessons) == ["intro"] and list(part.notes) == ["intro"]
    assert not part.quizzes and not part.vignettes  # nothing else is loaded


@pytest.mark.parametrize(
    "edit",
    [
        ("An Integrated, Evidence", "An Integrated and Evidence"),  # the formatted references change
        (
            "@article{",
            "% a comment the references do not show\n@article{",
        ),  # only the text, which keys the pages
    ],
)
def test_a_bibliography_edited_while_the_build_starts_is_the_one_its_pages_cite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: tuple[str, str]
) -> None:
    """Edited after the renderer was made ahead, before the check read it: that renderer is not used."""
    import threading

    from curriculum.site import _check, _page_render

    root, _ = build_copy(tmp_path, "resident")
    _edit(root / "index.qmd", "A test home page", "The test home page")
    runs: list[str] = []
    rendering = threading.Event()
    real_load, real_rendered = _check.load_curriculum, _page_render.PageRenderer._rendered

    def rendered(self: Any, name: str, source: str, *args: Any, **options: Any) -> Any:
        runs.append(source)
        rendering.set()
        return real_rendered(self, name, source, *args, **options)

    def load(where: Path, **kwargs: Any) -> Any:
        assert rendering.wait(timeout=20)  # the page is being rendered ahead
        _edit(root / "references.bib", *edit)
        return real_load(where, **kwargs)

    monkeypatch.setattr(_page_render.PageRenderer, "_rendered", rendered)
    monkeypatch.setattr(_check, "load_curriculum", load)
    out = _quiet(root)
    assert runs.count("index.qmd") == 2  # ahead, then with the bibliography the check read
    monkeypatch.setattr(_check, "load_curriculum", real_load)
    same_as_a_fresh_build(root, out, tmp_path)


def test_a_page_that_cannot_be_converted_ahead_leaves_the_others_rendered_ahead(tmp_path: Path) -> None:
    from curriculum.project import Project
    from curriculum.site._stages import PagesAhead

    root, _ = build_copy(tmp_path, "resident")
    (root / "index.qmd").write_text("# Home\n\n```{python}\n1 + 1\n```\n")  # the stages report it
    config = Project(root).config("resident")
    pages = PagesAhead._converted(
        ["index.qmd", "progress.qmd"], config, root / ".curriculum-cache" / "resident"
    )
    assert [source for source, _, _ in pages] == ["progress.qmd"]


def test_a_lesson_whose_code_changed_is_not_rendered_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its outputs are not stored: the execute stage runs it, and then its page is rendered."""
    import json

    from curriculum.site import _page_render

    root, _ = build_copy(tmp_path, "resident")
    notebook = sorted((root / "lessons").glob("*.ipynb"))[0]
    data = json.loads(notebook.read_text())
    code = next(cell for cell in data["cells"] if cell["cell_type"] == "code")
    code["source"] = "".join(code["source"]) + "\n1 + 1\n"
    notebook.write_text(json.dumps(data, indent=1))
    asked: list[bool] = []
    real = _page_render.PageRenderer.render

    def render(self: Any, source: str, *args: Any, **options: Any) -> Any:
        if source.endswith(".ipynb"):
            asked.append(options.get("used", True))
        return real(self, source, *args, **options)

    monkeypatch.setattr(_page_render.PageRenderer, "render", render)
    out = _quiet(root)
    assert asked == [True], "the lesson was rendered ahead of its execution"
    same_as_a_fresh_build(root, out, tmp_path)


def test_a_check_that_fails_while_a_page_renders_ahead_reports_the_content_and_leaves_nothing_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from curriculum.errors import ContentError

    root, first = build_copy(tmp_path, "resident")
    before = (first.out / "index.html").read_bytes()
    _edit(root / "index.qmd", "A test home page", "The test home page")
    quiz = root / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text() + "\nbroken: [unclosed\n")
    waited = _render_waits_for_the_load(monkeypatch, "index.qmd")
    running = set(_children())  # other tests' servers, say
    with pytest.raises(ContentError) as failed:
        _quiet(root)
    assert waited == [True]
    assert any(d.path.endswith("quizzes/intro.yml") for d in failed.value.diagnostics)
    assert not [t for t in threading.enumerate() if t.name == "pages-ahead"]
    left = {pid: command for pid, command in _children().items() if pid not in running}
    assert left == {}, "a process the build started is still running"
    assert (first.out / "index.html").read_bytes() == before


def test_an_edited_page_does_not_make_the_check_wait_for_citeproc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the bibliography edited too, nothing is rendered ahead: the check runs while citeproc formats."""
    import threading

    from curriculum.site import _check, _citeproc

    root, _ = build_copy(tmp_path, "resident")
    _edit(root / "index.qmd", "A test home page", "The test home page")
    bib = root / "references.bib"
    bib.write_text(bib.read_text().replace("The {Y} Model", "The {Y} model"))
    checking = threading.Event()
    waited: list[bool] = []
    real_format, real_check = _citeproc.format_references, _check.check_curriculum

    def format_references(bibliography: Any) -> Any:
        waited.append(checking.wait(timeout=20))
        return real_format(bibliography)

    def check(cur: Any, **options: Any) -> Any:
        checking.set()
        return real_check(cur, **options)

    monkeypatch.setattr(_citeproc, "format_references", format_references)
    monkeypatch.setattr(_check, "check_curriculum", check)
    out = _quiet(root)
    assert waited and all(waited), "the check waited for citeproc"
    assert "The test home page" in (out / "index.html").read_text()


@pytest.fixture
def made_again(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages whose payloads the wrap stage asks for, without suffix (the others stand as made)."""
    from curriculum.site import _stages

    seen: list[str] = []
    real = _stages._PagePayloads.__init__

    def payloads(self: Any, builder: Any, mounts: Any, source: str, *args: Any) -> None:
        seen.append(_stem(source))
        real(self, builder, mounts, source, *args)

    monkeypatch.setattr(_stages._PagePayloads, "__init__", payloads)
    return seen


def _stem(name: str) -> str:
    """Return a page's source or output without its suffix (``lessons/intro.ipynb``: ``lessons/intro``)."""
    return name.rsplit(".", 1)[0]


def _showing(out: Path, key: str) -> set[str]:
    """Return the pages, without suffix, whose data script holds the component ``key``."""
    return {
        _stem(_stem(p.relative_to(out).as_posix())) for p in out.rglob("*.data.js") if key in p.read_text()
    }


def test_a_page_stands_unless_a_document_its_components_show_changed(
    tmp_path: Path, made_again: list[str]
) -> None:
    """After a quiz edit only the pages that show the quiz ask for their payloads; the others stand."""
    root, first = build_copy(tmp_path, "resident")
    shows = _showing(first.out, '"quiz:intro"')
    assert len(shows) >= 2 and len(_showing(first.out, '"key"')) > len(shows)
    made_again.clear()
    _edit(root / "quizzes" / "intro.yml", "doubts that treatment", "doubts that any treatment")
    out = _quiet(root)
    assert set(made_again) == shows, made_again
    assert all("doubts that any treatment" in (out / f"{s}.data.js").read_text() for s in shows)
    same_as_a_fresh_build(root, out, tmp_path)


def test_the_pages_that_stand_are_taken_at_once_with_no_call_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, made_again: list[str]
) -> None:
    """After a one-page edit the plan is asked about that page only, and no page that stands makes components.

    The pages whose inputs are as they were are taken from the plan at once
    (:meth:`PagePlan.kept_pages`), their components named as the record names
    them: none is made into a :class:`Mount` (nor its payload asked for) unless
    the index reads it. The site is the one a fresh build makes.
    """
    from curriculum.site import _page_plan, _page_render

    asked: list[str] = []
    made: list[Any] = []
    real_kept, real_mounts = _page_plan.PagePlan.kept, _page_plan.mounts_of

    def kept(self: Any, source: str) -> Any:
        asked.append(source)
        return real_kept(self, source)

    def mounts(data: Any) -> Any:
        made.append(data)
        return real_mounts(data)

    root, _ = build_copy(tmp_path, "resident")
    monkeypatch.setattr(_page_plan.PagePlan, "kept", kept)
    monkeypatch.setattr(_page_plan, "mounts_of", mounts)
    monkeypatch.setattr(_page_render, "mounts_of", mounts)
    made_again.clear()
    _edit(root / "index.qmd", "A test home page", "The test home page")
    out = _quiet(root)
    assert asked == ["index.qmd"] and made == [] and made_again == ["index"]
    assert "The test home page" in (out / "index.html").read_text()
    same_as_a_fresh_build(root, out, tmp_path)


def test_a_damaged_note_or_a_changed_file_leaves_no_page_standing(
    tmp_path: Path, made_again: list[str]
) -> None:
    """A record whose note was changed in place is none; a page whose data script changed is made again.

    (The wrap record is sealed: its notes are trusted as read, so a note given
    another page's payload keys leaves no page standing. A data script edited
    by hand is made again, and only its page.)
    """
    import json

    root, _ = build_copy(tmp_path, "resident")
    record = root / ".curriculum-cache" / "resident" / "wrapped.json"
    seal, body = record.read_text().split("\n", 1)
    data = json.loads(body)
    notes = data["notes"]
    damaged, other, edited = sorted(name for name, (_, _, keys) in notes.items() if keys)[:3]
    notes[damaged][2] = notes[other][2]  # another page's payload keys
    record.write_text(f"{seal}\n{json.dumps(data, sort_keys=True)}")
    made_again.clear()
    _edit(root / "index.qmd", "A test home page", "The test home page")
    out = _quiet(root)
    assert _stem(damaged) in made_again and _stem(other) in made_again
    same_as_a_fresh_build(root, out, tmp_path / "damaged")
    script = out / f"{_stem(edited)}.data.js"
    original = script.read_bytes()
    script.write_text("edited by hand")
    made_again.clear()
    _edit(root / "index.qmd", "The test home page", "A test home page")
    out = _quiet(root)
    assert script.read_bytes() == original
    assert sorted(made_again) == sorted([_stem(edited), "index"])  # and the page edited
    same_as_a_fresh_build(root, out, tmp_path / "changed")


def test_a_page_whose_payload_reads_another_document_is_made_again_when_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, made_again: list[str]
) -> None:
    """A payload that reads a document besides its own is not known by its own: its page never stands so."""
    import dataclasses

    from curriculum.components import COMPONENTS

    spec = COMPONENTS["quiz"]

    def reading(builder: Any, ident: str) -> Any:
        payload = spec.payload(builder, ident)
        if ident == "intro":  # the intro quiz's payload shows the final quiz's first stem
            payload = {
                **payload,
                "instructions_html": builder.curriculum.quizzes["intro-final"].model.items[0].stem,
            }
        return payload

    monkeypatch.setitem(COMPONENTS._specs, "quiz", dataclasses.replace(spec, payload=reading))
    root, first = build_copy(tmp_path, "resident")
    shows = _showing(first.out, '"quiz:intro"')
    made_again.clear()
    _edit(root / "quizzes" / "intro-final.yml", "his daughter insisted", "his son insisted")
    out = _quiet(root)
    assert shows <= set(made_again) and len(_showing(out, '"key"')) > len(set(made_again))
    assert all("his son insisted" in (out / f"{s}.data.js").read_text() for s in shows)
    same_as_a_fresh_build(root, out, tmp_path)


def test_the_page_cache_is_listed_once_not_looked_at_for_each_kept_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a kept page's cache entry is there is told by one listing of the folder, not a stat a page.

    The prune at the end of the Pandoc stage takes that listing (with the entries written since) too.
    """
    import os
    import types

    from curriculum.site import _page_render

    root, _ = build_copy(tmp_path, "resident")
    pages = os.fspath(root / ".curriculum-cache" / "resident" / "pages")
    calls: list[tuple[str, str]] = []

    def spied(name: str, real: Any) -> Any:
        def call(path: Any, *args: Any, **kwargs: Any) -> Any:
            if os.fspath(path).startswith(pages):
                calls.append((name, os.fspath(path)))
            return real(path, *args, **kwargs)

        return call

    path = types.SimpleNamespace(**{**vars(os.path), "isfile": spied("isfile", os.path.isfile)})
    spy = types.SimpleNamespace(**{**vars(os), "path": path, "scandir": spied("scandir", os.scandir)})
    spy.stat = spied("stat", os.stat)
    monkeypatch.setattr(_page_render, "os", spy)
    _edit(root / "quizzes" / "intro.yml", "doubts that treatment", "doubts that any treatment")
    out = _quiet(root)
    assert [name for name, _ in calls] == ["scandir"]  # for the kept pages and the prune
    same_as_a_fresh_build(root, out, tmp_path)


def test_a_folder_named_as_a_page_cache_entry_is_no_entry_and_left_alone(tmp_path: Path) -> None:
    """Nothing of the build's makes one: the prune passes it by, and the pages are made as from nothing."""
    root, _ = build_copy(tmp_path, "resident")
    stray = root / ".curriculum-cache" / "resident" / "pages" / f"{'0' * 64}.page"
    stray.mkdir()
    _edit(root / "quizzes" / "intro.yml", "doubts that treatment", "doubts that any treatment")
    out = _quiet(root)
    assert stray.is_dir()
    same_as_a_fresh_build(root, out, tmp_path)


def test_the_prune_removes_what_was_listed_and_what_was_rendered_since_unless_a_page_used_it(
    tmp_path: Path,
) -> None:
    """The folder listed once for the kept pages: a page rendered ahead after it, then not used, goes."""
    from curriculum.project import Project
    from curriculum.site._page_render import PageRenderer
    from curriculum.site._stages import _Slots

    root, _ = build_copy(tmp_path, "resident")
    cache = root / ".curriculum-cache" / "resident"
    before = sorted(p.name for p in (cache / "pages").glob("*.page"))
    renderer = PageRenderer(Project(root).config("resident"), cache, None, None)
    assert renderer.held([before[0]]) == {before[0]}  # lists the folder
    assert [page.entry for page in renderer.taken([before[0]], [""], [lambda: ("", "")])] == [before[0]]
    # the entries the cache holds, found at once among those asked for
    assert renderer.held([before[1], f"{'0' * 32}.page", before[0]]) == {before[0], before[1]}
    renderer.render("ahead.qmd", "Rendered ahead, then not needed.\n", _Slots("token"), None, used=False)
    used = renderer.render("used.qmd", "Asked for.\n", _Slots("token"), None)
    assert len({p.name for p in (cache / "pages").glob("*.page")} - set(before)) == 2
    renderer.close(prune=True)
    assert sorted(p.name for p in (cache / "pages").glob("*.page")) == sorted([*before[:2], used.entry])


def test_a_page_taken_as_it_was_compiles_no_placeholder_pattern(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page's placeholder pattern is compiled when its HTML is filled: a page taken as it was has none."""
    import re

    from curriculum.site import _stages

    root, first = build_copy(tmp_path, "resident")
    compiled: list[str] = []
    real_compile, real_fill = re.compile, _stages._Slots.fill
    fills: list[str] = []

    def compile_(pattern: Any, *args: Any) -> Any:
        if isinstance(pattern, str) and pattern.startswith("<!--curriculum-mount:"):
            compiled.append(pattern)
        return real_compile(pattern, *args)

    def fill(self: Any, body: str) -> Any:
        fills.append(self.token)
        return real_fill(self, body)

    monkeypatch.setattr(_stages.re, "compile", compile_)
    monkeypatch.setattr(_stages._Slots, "fill", fill)
    _edit(root / "quizzes" / "intro.yml", "doubts that treatment", "doubts that any treatment")
    out = _quiet(root)
    assert first.stats is not None and first.stats.pages > 5
    assert 1 <= len(compiled) == len(fills) < 3  # the edited quiz page's (rendered ahead, perhaps, too)
    same_as_a_fresh_build(root, out, tmp_path)


def test_a_cache_entry_naming_a_component_that_is_none_is_rendered_again(tmp_path: Path) -> None:
    """Not taken with that component left out: its body shows the component, which its page would lack."""
    import json

    root, _ = build_copy(tmp_path, "resident")
    cache = root / ".curriculum-cache" / "resident"
    entries = {}
    for entry in (cache / "pages").glob("*.page"):
        head, _, body = entry.read_bytes().partition(b"\n")
        entries[entry] = (json.loads(head), body)
    damaged, (head, body) = max(entries.items(), key=lambda item: len(item[1][0]["mounts"]))
    assert len(head["mounts"]) > 1
    head["mounts"][0]["args"] = ["../not an id"]
    damaged.write_bytes(json.dumps(head).encode() + b"\n" + body)
    for record in cache.glob("pages*.json"):  # no page taken as it was: each is asked of the cache
        record.unlink()
    _edit(root / "quizzes" / "intro.yml", "doubts that treatment", "doubts that any treatment")
    out = _quiet(root)
    same_as_a_fresh_build(root, out, tmp_path)


def test_the_plan_hashes_only_the_pages_the_build_writes_the_stamp_hashed_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An authored page's hash is the one the build stamp took as the build began: its file is looked at once.

    The pages the build writes after the stamp (the pre-render's, the API
    reference) are hashed by the plan itself, but for those the pre-render knows
    as it wrote them (it recorded their hashes then: a quiz's page, a case's); an
    authored page edited is still seen.
    """
    from curriculum.content import generated_dirs
    from curriculum.site import _page_plan

    root, _ = build_copy(tmp_path, "resident")
    given: list[str] = []
    real = _page_plan.FileDigests.digest

    def digest(self: Any, paths: Any, **options: Any) -> str:
        paths = list(paths)
        if self.path.name == "page-digests.json":  # the plan's own record (the stamp's is another)
            given.extend(Path(p).relative_to(self.root).as_posix() for p in paths)
        return real(self, paths, **options)

    monkeypatch.setattr(_page_plan.FileDigests, "digest", digest)
    _edit(root / "index.qmd", "A test home page", "The test home page")
    out = _quiet(root)
    written = tuple(f"{folder}/" for folder in generated_dirs())
    assert all(page.startswith(written) for page in given), given
    assert not any(page.startswith(("quiz/", "cases/")) for page in given), given
    assert "The test home page" in (out / "index.html").read_text()
    same_as_a_fresh_build(root, out, tmp_path)


def test_a_page_the_build_writes_is_not_taken_at_the_stamp_s_hash() -> None:
    """The API reference is an input (committed), but quartodoc may write it after the stamp hashed it."""
    from curriculum.site._stages import _authored

    hashed = {"index.qmd": "a", "reference/index.qmd": "b", "quiz/intro.qmd": "c", "rules/index.qmd": "d"}
    sources = [*hashed, "docs/new.qmd"]
    assert _authored(hashed, sources) == {"index.qmd": "a"}


def test_a_build_takes_the_frozen_files_hashes_from_its_stamp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stamp hashed each notebook's ``_freeze/`` file as the build began: the execute stage does not."""
    import shutil

    from curriculum.site import _stamp
    from tests.conftest import PROJECT

    root = tmp_path / "project"
    shutil.copytree(PROJECT, root, ignore=shutil.ignore_patterns("_site*", "._site*", ".curriculum-cache"))
    config = root / "_quarto.yml"
    config.write_text(config.read_text() + "execute:\n  freeze: auto\n")
    _quiet(root)
    assert list((root / "_freeze").rglob("*.json")), "the project has frozen outputs"
    given: list[str] = []
    real = _stamp.FileDigests.digest

    def digest(self: Any, paths: Any, **options: Any) -> str:
        paths = list(paths)
        if self.path.name == "frozen-digests.json":  # the execute stage's own record (the stamp's is another)
            given.extend(map(str, paths))
        return real(self, paths, **options)

    monkeypatch.setattr(_stamp.FileDigests, "digest", digest)
    _edit(root / "quizzes" / "intro.yml", "doubts that treatment", "doubts that any treatment")
    out = _quiet(root)
    assert given == []
    same_as_a_fresh_build(root, out, tmp_path)


def test_a_page_saved_while_the_build_runs_and_then_put_back_is_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stamp hashed version A; the author saved B before the page was read; then put A back.

    The build is not recorded as made from A, nor the page made of B under A's key: the build
    after the undo (nothing else changed) shows A.
    """
    from curriculum.site import _context

    root, _ = build_copy(tmp_path, "resident")
    index = root / "index.qmd"
    a = index.read_text().replace("A test home page", "Version-A home page")
    index.write_text(a)
    check = _context.BuildContext.check

    def saved_meanwhile(self: Any, *args: Any, **kwargs: Any) -> Any:
        index.write_text(a.replace("Version-A", "Version-B"))  # after the stamp, before the page is read
        return check(self, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(_context.BuildContext, "check", saved_meanwhile)
        assert "Version-B" in (_quiet(root) / "index.html").read_text()
    index.write_text(a)  # put back: as the stamp hashed it
    out = _quiet(root)
    assert "Version-A" in (out / "index.html").read_text()
    same_as_a_fresh_build(root, out, tmp_path)


def test_the_documents_digests_taken_at_once_are_those_asked_for_one_by_one(tmp_path: Path) -> None:
    """Every document's digest as the wrap takes them all at once is the one the builder gives for its name.

    A name that is no document (every document of a table, one the content
    lacks, a lesson) is left out: the wrap asks the builder for it.
    """
    from curriculum.content import load_curriculum
    from curriculum.render import PayloadBuilder, Renderer
    from curriculum.site._stages import _document_digest
    from tests.site.conftest import PROJECT

    builder = PayloadBuilder(load_curriculum(PROJECT), Renderer(), "test-site")
    digests = builder.document_digests()
    assert len(digests) >= 5 and all(digest for digest in digests.values())
    assert digests == {name: _document_digest(builder, name) for name in digests}
    assert not any(name.endswith("/*") or name.startswith("lessons/") for name in digests)


def test_pages_taken_at_once_are_as_each_made_alone_and_read_only_when_asked(tmp_path: Path) -> None:
    """Each taken page names its entry and components, is not fresh, and reads its HTML once, when asked.

    An entry gone by then is made again (its page's ``again``).
    """
    from curriculum.components import Mount
    from curriculum.project import Project
    from curriculum.site._page_render import PageRenderer, RenderedPage

    root, _ = build_copy(tmp_path, "resident")
    cache = root / ".curriculum-cache" / "resident"
    entry = sorted(p.name for p in (cache / "pages").glob("*.page"))[0]
    renderer = PageRenderer(Project(root).config("resident"), cache, None, None)
    again: list[str] = []
    shows = '[["quiz", ["intro"]]]'
    first, gone = renderer.taken(
        [entry, f"{'0' * 32}.page"],
        [shows, ""],
        [lambda: again.append("first") or ("", ""), lambda: again.append("gone") or ("toc", "body")],
    )
    assert isinstance(first, RenderedPage) and (first.entry, first.shows, first.fresh) == (
        entry,
        shows,
        False,
    )
    assert first.mounts == [Mount("quiz", ("intro",))] and gone.mounts == []
    assert first.body and first.toc is not None and first.body == first.body and not again
    assert (gone.toc, gone.body) == ("toc", "body") and (gone.toc, gone.body) == ("toc", "body")
    assert again == ["gone"]  # once
    alone = RenderedPage("e", "t", "b", [], True)
    assert (alone.entry, alone.toc, alone.body, alone.mounts, alone.fresh) == ("e", "t", "b", [], True)
