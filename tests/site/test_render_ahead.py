"""On a cold build, the pages whose text needs no content are rendered while the content is checked.

The API reference's pages (committed, so quartodoc does not run) and the
Markdown pages no stage writes are rendered by the build's renderer on a
thread of their own (:class:`~curriculum.site._render_ahead.RenderAhead`);
the site is the same as a build's that renders them in the Pandoc stage, and
a check that fails stops them at once.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from curriculum.errors import ContentError
from curriculum.site import _check, _page_render, build_site
from tests.conftest import PROJECT
from tests.site.test_page_plan import _children

REFERENCE = {
    "index": "# API reference\n\n- [A member](a.qmd)\n- [Another](b.qmd)\n",
    "a": "# A member { #curriculum.a }\n\nWhat it does, with `code` and *emphasis*.\n",
    "b": "---\ntitle: Another\n---\n\n## Parameters\n\n| Name | Type |\n|--|--|\n| x | int |\n",
}


def _cold_copy(base: Path, name: str) -> Path:
    """A copy of the test project that was never built, with an API reference as a fresh clone has it."""
    root = base / name
    shutil.copytree(PROJECT, root, ignore=shutil.ignore_patterns("_site*", "._site*", ".curriculum-cache"))
    (root / "reference").mkdir()
    for stem, text in REFERENCE.items():
        (root / "reference" / f"{stem}.qmd").write_text(text, encoding="utf-8")
    quarto = root / "_quarto.yml"
    text = quarto.read_text(encoding="utf-8")
    quarto.write_text(text.replace("    - progress.qmd\n", "    - progress.qmd\n    - reference/*.qmd\n", 1))
    return root


def _rendered_by(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Record each page Pandoc renders (not those from the cache): the thread's name and the page."""
    runs: list[tuple[str, str]] = []
    real = _page_render.PageRenderer._rendered

    def rendered(self: Any, name: str, source: str, *args: Any, **options: Any) -> Any:
        runs.append((threading.current_thread().name, source))
        return real(self, name, source, *args, **options)

    monkeypatch.setattr(_page_render.PageRenderer, "_rendered", rendered)
    return runs


def test_a_cold_build_renders_the_reference_pages_while_the_content_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rendered before the check loads the content, once, and published as the Pandoc stage would."""
    root = _cold_copy(tmp_path, "ahead")
    pages = {f"reference/{stem}.qmd" for stem in REFERENCE}
    runs = _rendered_by(monkeypatch)
    done = threading.Event()
    real_load = _check.load_curriculum
    real_render = _page_render.PageRenderer.render

    def render(self: Any, source: str, *args: Any, **options: Any) -> Any:
        page = real_render(self, source, *args, **options)
        if pages <= {s for _, s in runs}:
            done.set()
        return page

    waited: list[bool] = []

    def load(where: Path, **kwargs: Any) -> Any:
        waited.append(done.wait(timeout=30))  # the thread renders them while the check waits
        return real_load(where, **kwargs)

    monkeypatch.setattr(_page_render.PageRenderer, "render", render)
    monkeypatch.setattr(_check, "load_curriculum", load)
    out = build_site(root, engine="pandoc", console=Console(quiet=True)).out
    assert waited == [True], "the reference pages were not rendered before the check"
    assert sorted(s for t, s in runs if s in pages) == sorted(pages)  # once each: the stage took them
    assert {t for t, s in runs if s in pages} == {"render-ahead"}
    assert {"render-ahead"} == {t for t, s in runs if s in ("index.qmd", "progress.qmd")}
    monkeypatch.undo()

    from curriculum.site import _render_ahead

    monkeypatch.setattr(_render_ahead, "standalone_pages", lambda config, skip=(): ([], []))
    whole = build_site(_cold_copy(tmp_path, "stage"), engine="pandoc", console=Console(quiet=True)).out
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(whole) for p in whole.rglob("*") if p.is_file())
    assert any(name.parts[0] == "reference" for name in files)
    for name in files:
        assert (whole / name).read_bytes() == (out / name).read_bytes(), name


def test_a_failing_check_stops_the_pages_rendered_ahead_and_publishes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page under way is given up, no other is begun, and nothing the build started runs on."""
    root = _cold_copy(tmp_path, "failing")
    quiz = root / "quizzes" / "intro.yml"
    quiz.write_text(quiz.read_text() + "\nbroken: [unclosed\n")
    rendering, closed = threading.Event(), threading.Event()
    begun: list[str] = []
    real_rendered, real_close = _page_render.PageRenderer._rendered, _page_render.PageRenderer.close

    def rendered(self: Any, name: str, source: str, *args: Any, **options: Any) -> Any:
        if threading.current_thread().name == "render-ahead":
            begun.append(source)
            rendering.set()
            closed.wait(timeout=30)  # still under way when the check fails
        return real_rendered(self, name, source, *args, **options)

    def close(self: Any, **options: Any) -> None:
        real_close(self, **options)
        closed.set()

    waited: list[bool] = []
    real_load = _check.load_curriculum

    def load(where: Path, **kwargs: Any) -> Any:
        waited.append(rendering.wait(timeout=30))
        return real_load(where, **kwargs)

    monkeypatch.setattr(_page_render.PageRenderer, "_rendered", rendered)
    monkeypatch.setattr(_page_render.PageRenderer, "close", close)
    monkeypatch.setattr(_check, "load_curriculum", load)
    running = set(_children())  # other tests' servers, say
    with pytest.raises(ContentError) as failed:
        build_site(root, engine="pandoc", console=Console(quiet=True))
    assert waited == [True]
    assert any(d.path.endswith("quizzes/intro.yml") for d in failed.value.diagnostics)
    assert len(begun) == 1, "a page was begun after the check failed"
    assert not list((root / ".curriculum-cache" / "resident" / "pages").glob("*.page"))
    assert not [t for t in threading.enumerate() if t.name == "render-ahead"]
    left = {pid: command for pid, command in _children().items() if pid not in running}
    assert left == {}, "a process the build started is still running"
    assert not (root / "_site").exists()


@pytest.mark.parametrize("quartodoc", [False, True])
def test_the_build_renders_on_without_waiting_for_the_pages_rendered_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quartodoc: bool
) -> None:
    """The Pandoc stage begins while the thread still renders ahead, with quartodoc to wait for or not."""
    from curriculum.site import _stages

    root = _cold_copy(tmp_path, "on")
    if quartodoc:
        _fake_quartodoc(monkeypatch, 0)  # the build waits for it alone
    staged = threading.Event()
    waited: list[bool] = []
    real_rendered, real_render_site = _page_render.PageRenderer._rendered, _stages.render_site

    def rendered(self: Any, name: str, source: str, *args: Any, **options: Any) -> Any:
        if threading.current_thread().name == "render-ahead" and not waited:
            waited.append(staged.wait(timeout=30))  # held until the stages begin
        return real_rendered(self, name, source, *args, **options)

    def render_site(run: Any) -> Any:
        staged.set()
        return real_render_site(run)

    monkeypatch.setattr(_page_render.PageRenderer, "_rendered", rendered)
    monkeypatch.setattr(_stages, "render_site", render_site)
    build_site(root, engine="pandoc", console=Console(quiet=True))
    assert waited == [True], "the build waited for the pages rendered ahead before its stages"


def _site(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_a_bibliography_saved_during_the_build_leaves_no_other_texts_citations_in_the_page_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saved after the check read it, before the renderer is made: the next build is one from nothing's."""
    from curriculum.site import _render_ahead

    root = _cold_copy(tmp_path, "saved")
    bib = root / "references.bib"
    old = bib.read_text(encoding="utf-8")
    new = old.replace("year = {2009}", "year = {2019}", 1)
    assert new != old
    checked = threading.Event()
    real_load, real_renderer = _check.load_curriculum, _render_ahead.PageRenderer
    saved: list[bool] = []

    def load(where: Path, **kwargs: Any) -> Any:
        try:
            return real_load(where, **kwargs)  # the check reads the bibliography
        finally:
            checked.set()

    def renderer(*args: Any, **options: Any) -> Any:
        if not saved:  # the first renderer, ahead or the build's: the author saves the file first
            saved.append(checked.wait(timeout=60))
            bib.write_text(new, encoding="utf-8")
        return real_renderer(*args, **options)

    monkeypatch.setattr(_check, "load_curriculum", load)
    monkeypatch.setattr(_render_ahead, "PageRenderer", renderer)
    first = build_site(root, engine="pandoc", console=Console(quiet=True)).out
    assert saved == [True]
    monkeypatch.undo()
    assert b"2009" in (first / "index.html").read_bytes()  # the text the check read
    second = build_site(root, engine="pandoc", console=Console(quiet=True)).out
    fresh = _cold_copy(tmp_path, "fresh")
    (fresh / "references.bib").write_text(new, encoding="utf-8")
    whole = build_site(fresh, engine="pandoc", console=Console(quiet=True)).out
    assert _site(second) == _site(whole)


def _fake_quartodoc(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """quartodoc runs in every build: a child that sleeps ``seconds`` and writes nothing."""
    import subprocess
    import sys

    from curriculum.site import _reference

    def start(root: Path) -> Any:
        code = f"import time; time.sleep({seconds})"
        child = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True)
        return _reference.ReferenceJob(root, "", child)

    monkeypatch.setattr(_reference, "start_reference", start)


def test_a_thread_that_cannot_begin_rendering_ahead_fails_the_build_and_leaves_nothing_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its error is the build's (raised by the build's thread); quartodoc is waited for, not forgotten."""
    from curriculum.errors import BuildError
    from curriculum.site import _render_ahead

    root = _cold_copy(tmp_path, "broken")
    _fake_quartodoc(monkeypatch, 2)
    tried = threading.Event()
    real_renderer, real_for = _render_ahead.PageRenderer, _render_ahead.RenderAhead.renderer_for

    def renderer(*args: Any, **options: Any) -> Any:
        if threading.current_thread().name == "render-ahead":
            tried.set()
            raise OSError(28, "No space left on device")
        return real_renderer(*args, **options)

    def renderer_for(self: Any, *args: Any) -> Any:
        tried.wait(timeout=60)  # the thread makes the renderer first
        return real_for(self, *args)

    monkeypatch.setattr(_render_ahead, "PageRenderer", renderer)
    monkeypatch.setattr(_render_ahead.RenderAhead, "renderer_for", renderer_for)
    running = set(_children())
    outcome: list[BaseException | None] = []

    def build() -> None:
        try:
            build_site(root, engine="pandoc", console=Console(quiet=True))
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    builder = threading.Thread(target=build, daemon=True)
    builder.start()
    builder.join(timeout=120)
    assert not builder.is_alive(), "the build waits for ever"
    assert len(outcome) == 1 and isinstance(outcome[0], BuildError)
    assert "cannot render pages ahead of the Pandoc stage: [Errno 28] No space left on device" in str(
        outcome[0]
    )
    assert not [t for t in threading.enumerate() if t.name in ("render-ahead", "quartodoc")]
    assert {pid: c for pid, c in _children().items() if pid not in running} == {}
    assert not (root / "_site").exists()


def test_a_renderer_that_cannot_be_made_stops_the_head_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build's renderer failing (its cache folder, say) stops what renders ahead, as a failed check."""
    from curriculum.site._render_ahead import RenderAhead

    root = _cold_copy(tmp_path, "no-renderer")
    closed: list[bool] = []
    real_close = RenderAhead.close

    def renderer_for(self: Any, *args: Any) -> Any:
        raise OSError("cannot create the page cache")

    def close(self: Any, *, stop: bool = False) -> None:
        closed.append(stop)
        real_close(self, stop=stop)

    monkeypatch.setattr(RenderAhead, "renderer_for", renderer_for)
    monkeypatch.setattr(RenderAhead, "close", close)
    with pytest.raises(OSError, match="cannot create the page cache"):
        build_site(root, engine="pandoc", console=Console(quiet=True))
    assert closed == [True]
    assert not [t for t in threading.enumerate() if t.name in ("render-ahead", "quartodoc")]
