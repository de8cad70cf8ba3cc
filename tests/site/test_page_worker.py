"""A Pandoc worker renders page after page exactly as a Pandoc process of its own renders each;
the API reference's pages are rendered as soon as quartodoc has written them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pypandoc
import pytest

from curriculum.errors import BuildError, ContentError
from curriculum.project import Project
from curriculum.render import GeneratedPage
from curriculum.site import _pandoc
from curriculum.site._citeproc import FormattingAhead
from curriculum.site._page_render import PageRenderer
from curriculum.site._page_worker import PageWorker, WorkerClosed
from curriculum.site._pandoc import PageBibliography, run_pandoc
from curriculum.site._reference import ReferenceJob
from curriculum.site._render_ahead import RenderAhead
from curriculum.site._sources import markdown_page
from curriculum.site._stages import _Slots
from tests.site.test_page_citations import BIB, _formatted

PANDOC = pypandoc.get_pandoc_path()

PAGES = [
    # Pandoc's abbreviations: "No." and "Dr." keep the next word (a no-break space), as on the command line
    "No. I went to Dr. Smith, e.g. on Monday. It was 3 p.m. or so.\n",
    "---\ntitle: A page\nsubtitle: with *front matter*\n---\n\n"
    "# Heading one\n\n## Two\n\n### Three\n\n#### Four\n",
    "| A wide | table whose columns Pandoc sizes |\n|:--|--:|\n| "
    + "a long cell of text that goes on " * 4
    + "| b |\n\n: A caption\n",
    "::: {.callout-note}\n## A note\nInside a callout.\n:::\n\n"
    '::: {.content-visible when-profile="faculty"}\nFaculty only.\n:::\n\n'
    '::: {.content-hidden when-profile="faculty"}\nResidents only.\n:::\n',
    "Links: [a lesson](01-intro.ipynb), [a page](about.qmd#part), [gone](#nowhere), [m](mailto:a@b.org).\n",
    '<div onclick="alert(1)">raw HTML</div>\n\n'
    "[x](javascript:alert(1)) and ![y](data:text/html,z){onerror=alert(1)}\n",
    "```python\nprint('code is not highlighted')\n```\n\nSmart \"quotes\" -- and dashes --- too...\n",
    "Footnote.[^1] Math $x^2$ and ~~struck~~ H~2~O.\n\n[^1]: The note.\n",
    "Beyond ASCII: caf\u00e9, \u6f22\u5b57, an emoji \U0001f600, "
    "a no-break\u00a0space and a line\u2028separator.\n",
]

CITING = [
    "One work [@wright2006]; grouped [@beck1979; @adams2001; @beck1995]; in text @beck1979.\n",
    "## References\n\nThe list goes in its div [@adams2001].\n\n::: {#refs}\n:::\n\n## After\n\nText.\n",
    "A locator [@beck1979, p. 5] goes to citeproc.\n",
    "---\nnocite: '@adams2001'\n---\n\nOne cited [@beck1979].\n",
    "A key the file does not hold [@nobody2000].\n",
]


@pytest.fixture
def worker() -> Iterator[PageWorker]:
    found = PageWorker(PANDOC)
    yield found
    found.close()


@pytest.fixture
def bib(tmp_path: Path) -> PageBibliography:
    return _formatted(tmp_path, BIB)


@pytest.mark.parametrize("source", ["page.qmd", "reference/api.qmd", "lessons/01-intro.ipynb"])
def test_the_worker_writes_what_a_process_of_its_own_writes(worker: PageWorker, source: str) -> None:
    for page in PAGES:  # one worker, page after page: nothing of a page stays for the next
        for profile in ("resident", "faculty"):
            alone = run_pandoc(PANDOC, page, source, None, profile)
            assert run_pandoc(PANDOC, page, source, None, profile, worker=worker) == alone, page
    assert not worker.broken


def test_cited_pages_are_alike_with_the_forms_or_with_citeproc(
    worker: PageWorker, bib: PageBibliography
) -> None:
    for page in CITING:
        forms = bib.forms_for(page)
        assert forms is not None
        assert run_pandoc(
            PANDOC, page, "page.qmd", bib.bib, "resident", None, forms, worker=worker
        ) == run_pandoc(PANDOC, page, "page.qmd", bib.bib, "resident", None, forms), page
        assert run_pandoc(PANDOC, page, "page.qmd", bib.bib, "resident", worker=worker) == run_pandoc(
            PANDOC, page, "page.qmd", bib.bib, "resident"
        ), page


def test_a_generated_page_keeps_its_sanitised_html(worker: PageWorker) -> None:
    page = '```{=html}\n<p class="cur-quiz-stem">Stem quoting <code>cur-widget</code>.</p>\n```\n\nText.\n'
    generated = GeneratedPage(page)
    alone = run_pandoc(PANDOC, page, "quiz/q.qmd", None, "resident", generated)
    assert run_pandoc(PANDOC, page, "quiz/q.qmd", None, "resident", generated, worker=worker) == alone
    assert "cur-widget" in alone[1]
    authored = run_pandoc(PANDOC, page, "quiz/q.qmd", None, "resident", worker=worker)
    assert authored == run_pandoc(PANDOC, page, "quiz/q.qmd", None, "resident")
    assert "cur-widget" not in authored[1]  # written by an author: the markup is removed


def test_a_page_pandoc_fails_on_is_reported_as_its_own_process_reports_it(worker: PageWorker) -> None:
    page = "---\ntitle: [unclosed\n---\n\nText\n"
    with pytest.raises(ContentError) as alone:
        run_pandoc(PANDOC, page, "page.qmd", None, "resident")
    with pytest.raises(ContentError) as by_worker:
        run_pandoc(PANDOC, page, "page.qmd", None, "resident", worker=worker)
    assert by_worker.value.format_message() == alone.value.format_message()
    assert "Pandoc failed" in alone.value.format_message()
    assert (
        run_pandoc(PANDOC, "Next page.\n", "page.qmd", None, "resident", worker=worker)[1]
        == "<p>Next page.</p>"
    )


def test_a_page_not_done_in_time_stops_the_worker_and_the_next_gets_a_new_one(
    worker: PageWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_pandoc(PANDOC, "First.\n", "page.qmd", None, "resident", worker=worker)[1] == "<p>First.</p>"
    first = worker._process
    assert first is not None
    monkeypatch.setattr(_pandoc, "PANDOC_SECONDS", (0.0, 0.0))  # no time at all
    # and the worker cannot answer, however long this thread waits to ask (a busy machine)
    os.kill(first.pid, signal.SIGSTOP)
    with pytest.raises(ContentError) as late:
        run_pandoc(PANDOC, "Slow.\n", "page.qmd", None, "resident", worker=worker)
    assert "Pandoc did not finish this page within 0.0 s" in late.value.format_message()
    assert first.poll() is not None  # killed
    monkeypatch.undo()
    assert run_pandoc(PANDOC, "Again.\n", "page.qmd", None, "resident", worker=worker)[1] == "<p>Again.</p>"
    assert worker._process is not None and worker._process is not first


def test_a_worker_that_stops_is_started_again(worker: PageWorker) -> None:
    assert run_pandoc(PANDOC, "One.\n", "page.qmd", None, "resident", worker=worker)[1] == "<p>One.</p>"
    assert worker._process is not None
    worker._process.kill()
    worker._process.wait()
    # The page it was given is rendered by a process of its own, the next by a new worker.
    assert run_pandoc(PANDOC, "Two.\n", "page.qmd", None, "resident", worker=worker)[1] == "<p>Two.</p>"
    assert run_pandoc(PANDOC, "Three.\n", "page.qmd", None, "resident", worker=worker)[1] == "<p>Three.</p>"
    assert worker._process is not None and worker._process.poll() is None
    assert not worker.broken


def test_a_pandoc_that_cannot_run_the_worker_renders_every_page_alone(tmp_path: Path) -> None:
    fake = tmp_path / "pandoc"
    fake.write_text(f'#!/bin/sh\n[ "$1" = lua ] && exit 3\nexec "{PANDOC}" "$@"\n', encoding="utf-8")
    fake.chmod(0o755)
    worker = PageWorker(str(fake))
    try:
        for n in range(3):
            assert run_pandoc(str(fake), f"Page {n}.\n", "page.qmd", None, "resident", worker=worker)[1] == (
                f"<p>Page {n}.</p>"
            )
        assert worker.broken
        assert worker._process is None
    finally:
        worker.close()


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The Pandoc processes of their own a page is rendered in (not the workers), as their arguments."""
    runs: list[list[str]] = []
    real = subprocess.run

    def counted(args: list[str], *rest: object, **kwargs: object) -> subprocess.CompletedProcess[str]:
        runs.append(list(args))
        return real(args, *rest, **kwargs)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(_pandoc.subprocess, "run", counted)
    return runs


def test_a_build_starts_no_pandoc_process_per_page(tmp_path: Path, started: list[list[str]]) -> None:
    """Every page of the test project is rendered by the two workers: no page needs a process of its own."""
    from tests.site.conftest import build_copy

    _, built = build_copy(tmp_path, "resident")
    assert built.stats.rendered == built.stats.pages >= 8
    assert [a for a in started if "--lua-filter" in a] == []


def _quartodoc_run(project: Path, code: str) -> ReferenceJob:
    """A stand-in for quartodoc's process: a Python child that runs ``code``."""
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return ReferenceJob(project, "key", process)


def _ahead(project: Path, reference: ReferenceJob) -> tuple[RenderAhead, FormattingAhead]:
    """Render ahead for a build of ``project``; its bibliography's formatting, started ahead."""
    from rich.console import Console

    from curriculum.site._context import BuildContext

    config = Project(project).config("resident")
    build = BuildContext(Project(project), "resident", config, None, Console(quiet=True))
    formatting = build.references = FormattingAhead(project)
    ahead = RenderAhead(build, reference)
    ahead.start([])
    return ahead, formatting


def test_the_reference_pages_are_rendered_as_soon_as_quartodoc_is_done(project: Path) -> None:
    reference = project / "reference"
    reference.mkdir()
    (reference / "a.qmd").write_text("# A member\n\nWhat it does.\n", encoding="utf-8")
    (reference / "b.qmd").write_text("---\ntitle: B\n---\n\nAnother.\n", encoding="utf-8")
    ahead, formatting = _ahead(project, _quartodoc_run(project, "pass"))
    ahead.wait()
    renderer = ahead.renderer_for(formatting.formatted(), formatting.text)  # the one the thread renders with
    ahead.close()  # the thread has rendered both pages
    for name in ("a", "b"):
        source = f"reference/{name}.qmd"
        text, _ = markdown_page(project, source)
        assert renderer.has(source, text, _Slots("another-build-token"), False)
        page = renderer.render(source, text, _Slots("the-stage-token"), None)
        assert page.fresh  # rendered in this build, by the thread, not again by the stage
        assert page.body == run_pandoc(PANDOC, text, source, None, "resident")[1]
    renderer.close(prune=True)
    assert len(list(renderer.pages.glob("*.page"))) == 2


def _rendered_pages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the source of each page the renderer is asked to render."""
    from curriculum.site import _page_render

    rendered: list[str] = []
    real = _page_render.PageRenderer.render
    monkeypatch.setattr(
        _page_render.PageRenderer,
        "render",
        lambda self, source, *a, **k: rendered.append(source) or real(self, source, *a, **k),
    )
    return rendered


def test_quartodoc_failing_fails_the_build_and_renders_none_of_its_pages(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    (project / "reference").mkdir()
    (project / "reference" / "a.qmd").write_text("# A\n", encoding="utf-8")
    rendered = _rendered_pages(monkeypatch)
    ahead, _ = _ahead(
        project, _quartodoc_run(project, "import sys; sys.stderr.write('no such module'); sys.exit(1)")
    )
    with pytest.raises(BuildError, match="quartodoc could not generate the API reference: no such module"):
        ahead.wait()
    ahead.close()
    assert not [source for source in rendered if source.startswith("reference/")]


def test_a_worker_closed_before_its_first_page_starts_no_process() -> None:
    """A build that stops (a failed check) while a thread is about to render leaves no Pandoc running."""
    worker = PageWorker(PANDOC)
    worker.close()
    with pytest.raises(WorkerClosed):
        run_pandoc(PANDOC, "Text.\n", "page.qmd", None, "resident", worker=worker)
    assert worker._process is None


def test_a_page_under_way_when_its_worker_is_closed_is_given_up_at_once(worker: PageWorker) -> None:
    """Neither finished nor rendered again by a process of its own: the build no longer needs it."""
    import threading
    import time

    assert run_pandoc(PANDOC, "First.\n", "page.qmd", None, "resident", worker=worker)[1] == "<p>First.</p>"
    process = worker._process
    assert process is not None
    os.kill(process.pid, signal.SIGSTOP)  # the page will not be done before the worker is closed
    outcome: list[BaseException | None] = []

    def render() -> None:
        try:
            run_pandoc(PANDOC, "Second.\n", "page.qmd", None, "resident", worker=worker)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=render)
    thread.start()
    time.sleep(0.2)  # the page is sent: the thread waits for its reply
    started = time.perf_counter()
    worker.close(kill=True)
    thread.join(timeout=30)
    assert time.perf_counter() - started < 3
    assert len(outcome) == 1 and isinstance(outcome[0], WorkerClosed)
    assert process.poll() is not None


def test_a_closed_renderer_gives_up_a_page_rendered_ahead_and_starts_no_process(
    project: Path, tmp_path: Path, started: list[list[str]]
) -> None:
    """Closed before the page renders (a failed check), it starts no Pandoc of its own for a page ahead."""
    renderer = PageRenderer(Project(project).config("resident"), tmp_path / "cache", None, None)
    renderer.close(prune=False)
    with pytest.raises(WorkerClosed):
        renderer.render("page.qmd", "Ahead.\n", _Slots("token"), None, used=False)
    assert started == []
    page = renderer.render("page.qmd", "Asked for.\n", _Slots("token"), None)  # a page the build needs
    assert page.body == "<p>Asked for.</p>" and len(started) == 1


@pytest.mark.parametrize("stop", [True, False], ids=["a failed check", "a failed stage"])
def test_a_build_that_fails_before_it_needs_the_reference_stops_quartodoc(project: Path, stop: bool) -> None:
    """The thread waiting for quartodoc does not hold the failed build up: quartodoc is stopped."""
    import threading
    import time

    job = _quartodoc_run(project, "import time; time.sleep(600)")
    process = job.process
    assert process is not None
    ahead, _ = _ahead(project, job)
    for _ in range(3000):  # until the thread waits for it (it takes the process from the job)
        if job.process is None:
            break
        time.sleep(0.01)
    assert job.process is None
    closing = threading.Thread(target=lambda: ahead.close(stop=stop))
    closing.start()
    closing.join(timeout=30)
    alive = closing.is_alive()
    if alive:
        process.kill()
        closing.join()
    assert not alive, "the build waited for quartodoc"
    assert process.returncode is not None


def test_without_the_references_formatted_ahead_no_page_is_rendered_ahead(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page rendered without its citations' forms would be kept under the name of one rendered with them."""
    from rich.console import Console

    from curriculum.site._context import BuildContext

    rendered = _rendered_pages(monkeypatch)
    assert (project / "references.bib").is_file()
    config = Project(project).config("resident")
    build = BuildContext(Project(project), "resident", config, None, Console(quiet=True))  # none formatted
    ahead = RenderAhead(build, ReferenceJob(project))
    ahead.start([])
    ahead.wait()
    ahead.close()
    assert rendered == []
