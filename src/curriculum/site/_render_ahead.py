"""Pages rendered ahead of the Pandoc stage, while the content is checked, by the build's one renderer.

Checking the content is a second or more of Python on one core; Pandoc's
renders are processes, which the other core can run meanwhile. Two kinds of
page need nothing the check makes:

- the pages an edit changed (:class:`~curriculum.site._stages.PagesAhead`),
  converted before the content is loaded when the references are formatted
  already;
- the pages whose text is their file as it is (:func:`standalone_pages`): the
  API reference's, once quartodoc has written them if it runs in this build,
  and the Markdown pages that no stage writes. A thread waits for citeproc's
  formatting (which the renderer needs) without holding the interpreter,
  then renders those the page cache does not hold: the Markdown pages at
  once, the API reference's once quartodoc is done. quartodoc is waited for
  by a thread of its own, so the build waits for quartodoc, never for the
  pages rendered ahead.

Both render with the build's renderer, the one the Pandoc stage then uses
(:meth:`RenderAhead.renderer_for`): a page asked for twice is rendered once,
and the stage finds the others in the page cache. Nothing is published from
here: a page's cache entry is named by all its inputs, so a page whose text
the build then makes otherwise is rendered again.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Collection, Mapping
from itertools import filterfalse
from operator import methodcaller
from typing import TYPE_CHECKING

from curriculum.content import BIBLIOGRAPHY, generated_prefixes
from curriculum.errors import BuildError, CurriculumError
from curriculum.site._page_render import PageRenderer
from curriculum.site._page_worker import WorkerClosed
from curriculum.site._sources import markdown_page
from curriculum.site._stages import PagesAhead, _Slots

if TYPE_CHECKING:
    from curriculum.project import SiteConfig
    from curriculum.render import FormattedReference
    from curriculum.site._context import BuildContext
    from curriculum.site._reference import ReferenceJob

__all__ = ["RenderAhead", "standalone_pages"]


def standalone_pages(config: SiteConfig, skip: Collection[str] = ()) -> tuple[list[str], list[str]]:
    """Return the pages of ``config`` whose text needs no content: the API reference's, and the others.

    The others are the ``.qmd`` and ``.md`` pages outside the folders the
    pre-render writes (a page there is made from the content). ``skip``: pages
    left out (those rendered ahead as edited). Sorted out by :func:`filter`,
    in the site's order, no Python step a page.
    """
    skipped = set(skip)
    pages = list(filterfalse(_NOTEBOOK, filterfalse(skipped.__contains__, config.pages())))
    reference = list(filter(_REFERENCE, pages))
    plain = list(filterfalse(methodcaller("startswith", (_REFERENCE_FOLDER, *generated_prefixes())), pages))
    return reference, plain


_REFERENCE_FOLDER = "reference/"
"""Where the API reference's pages are."""
_REFERENCE = methodcaller("startswith", _REFERENCE_FOLDER)
"""Whether a page is the API reference's."""
_NOTEBOOK = methodcaller("endswith", ".ipynb")
"""Whether a page is a notebook."""


class RenderAhead:
    """The build's renderer, made as soon as the references are formatted, and the pages it renders ahead.

    Parameters
    ----------
    build : BuildContext
        The build (its ``references``: the formatting started before the check).
    reference : ReferenceJob
        quartodoc's run (waited for here: its pages are rendered once it is done).
    """

    def __init__(self, build: BuildContext, reference: ReferenceJob) -> None:
        self._build, self._reference = build, reference
        self._quartodoc = reference.process  # stopped by the build's thread while this one waits for it
        self._lock = threading.Lock()
        self._renderer: PageRenderer | None = None
        self._stopped = False
        self._edited: PagesAhead | None = None
        self._formatted = threading.Event()
        self._waited = threading.Event()  # quartodoc is done (or does not run)
        self._set_up = threading.Event()  # the thread has its renderer, or renders nothing
        self._error: BaseException | None = None  # quartodoc's
        self._failed: BaseException | None = None  # the thread's, before it could render
        self._threads: list[threading.Thread] = []

    def start(self, edited: list[str]) -> None:
        """Start rendering ahead: ``edited`` (:func:`~curriculum.site._stages.edited_pages`), then the others.

        The edited pages are converted now, and only if the references are
        formatted already (the check would wait for the conversion); the
        standalone pages are rendered by a thread that waits for citeproc (and,
        for the API reference's, for quartodoc, which another thread waits for).
        """
        build = self._build
        formatting = build.references
        if edited and formatting is not None:
            references = formatting.formatted()  # None: not yet, or failed (formatted after the check)
            renderer = self._made(references, formatting.text) if references is not None else None
            if renderer is not None:
                self._edited = PagesAhead(edited, build.config, renderer, build.cache)
        reference, plain = standalone_pages(build.config, edited)
        if formatting is None:
            self._formatted.set()  # the thread renders without references, or nothing
        else:
            formatting.when_done(self._formatted.set)
        if self._quartodoc is None:
            self._waited.set()
        else:
            self._threads.append(threading.Thread(target=self._wait_quartodoc, name="quartodoc", daemon=True))
        self._threads.append(
            threading.Thread(target=self._run, args=(reference, plain), name="render-ahead", daemon=True)
        )
        for thread in self._threads:
            thread.start()

    def wait(self) -> None:
        """Wait for quartodoc, and for the thread to have its renderer (not for the pages it renders).

        The thread has its renderer as soon as the references are formatted,
        which the build has usually waited for already (its payload builder
        needs them); when the check read another text than the formatting
        began with, this waits for that formatting to end.

        Raises
        ------
        BuildError
            If quartodoc is not installed, fails, or runs out of time; or if
            the thread could not begin rendering ahead (its error, raised here
            rather than printed by the thread).
        CurriculumError
            Likewise, for an error of the thread that is one already.
        """
        if not self._threads:
            self._reference.wait()
            return
        self._waited.wait()
        self._set_up.wait()
        if self._error is not None:
            raise self._error
        failed = self._failed
        if isinstance(failed, CurriculumError):
            raise failed
        if failed is not None:
            raise BuildError(f"cannot render pages ahead of the Pandoc stage: {failed}") from failed

    def renderer_for(
        self, references: Mapping[str, FormattedReference] | None, text: str | None
    ) -> PageRenderer:
        """Return the build's renderer: the one made ahead if it was made from the same bibliography.

        That is, if ``references`` (the payload builder's) and ``text`` (the
        bibliography the check read, which they were formatted from; None:
        none) are those it was made with. The file is not read again: saved
        during the build, it changes neither the pages' citations nor the
        names of their cache entries, which the next build makes anew.
        Otherwise what was rendered ahead is of no use: that renderer is
        closed, and the thread goes on with the new one.
        """
        with self._lock:
            old = self._renderer
            if old is not None and old.bibliography.current(references, text):
                return old
            renderer = self._renderer = PageRenderer(self._build.config, self._build.cache, references, text)
        if old is not None:
            old.close(prune=False)
        return renderer

    def close(self, *, stop: bool = False) -> None:
        """Wait for the rendering ahead to end; with ``stop``, end it at once.

        The build stops it when the check fails (or the build is interrupted):
        the renderer is closed (a page under way is given up), and the thread
        renders nothing more. Otherwise the build has closed the renderer
        already. quartodoc, if it still runs (a failed build), is stopped.
        """
        if stop:
            with self._lock:
                self._stopped = True
                renderer = self._renderer
            self._formatted.set()
            if renderer is not None:
                renderer.close(prune=False)
        if self._quartodoc is not None and not self._waited.is_set():
            self._quartodoc.kill()  # the wait for it ends (with an error no one raises)
        self._reference.cancel()
        if self._edited is not None:
            self._edited.close()
        for thread in self._threads:
            if thread.ident is not None:  # one that could not start is not waited for
                thread.join()

    def _made(
        self, references: dict[str, FormattedReference] | None, text: str | None
    ) -> PageRenderer | None:
        """Return the build's renderer, made from ``references`` and ``text`` if not yet; None if stopped."""
        with self._lock:
            if self._stopped:
                return None
            if self._renderer is None:
                self._renderer = PageRenderer(self._build.config, self._build.cache, references, text)
            return self._renderer

    def _current(self) -> PageRenderer | None:
        """Return the renderer to render with, or None when rendering ahead is over."""
        with self._lock:
            renderer = None if self._stopped else self._renderer
        return None if renderer is None or renderer.closed else renderer

    def _wait_quartodoc(self) -> None:
        """Wait for quartodoc (on a thread of its own), keeping its error for :meth:`wait`."""
        try:
            self._reference.wait()
        except BaseException as exc:  # handed to the build's thread, which raises it
            self._error = exc
        finally:
            self._waited.set()

    def _renderer_ahead(self) -> PageRenderer | None:
        """Wait for the references, then return the renderer to render ahead with (None: render nothing)."""
        self._formatted.wait()  # without the interpreter: citeproc runs in a process
        config, formatting = self._build.config, self._build.references
        references = formatting.formatted() if formatting is not None else None
        # without the references formatted ahead, only a site without a bibliography renders ahead: a page
        # rendered without its citations' forms would be kept under the name of the page rendered with them
        if references is None:
            return None if (config.root / BIBLIOGRAPHY).is_file() else self._made(None, None)
        assert formatting is not None
        return self._made(references, formatting.text)

    def _run(self, reference: list[str], plain: list[str]) -> None:
        try:
            renderer = self._renderer_ahead()
        except BaseException as exc:  # handed to the build's thread, which raises it (not printed here)
            self._failed, renderer = exc, None
        finally:
            self._set_up.set()
        if renderer is None:
            return
        self._render(plain, probe=True)
        self._waited.wait()
        if self._error is not None:
            return  # quartodoc failed: the build fails, and none of its pages is rendered
        quartodoc = self._quartodoc is not None
        if quartodoc:  # every page may have changed, and pages come and go: the ones it wrote
            root = self._build.config.root
            try:
                reference = [
                    p.relative_to(root).as_posix() for p in sorted((root / "reference").glob("*.qmd"))
                ]
            except OSError:
                return  # the Pandoc stage renders them, and reports what is wrong
        self._render(reference, probe=not quartodoc)

    def _render(self, sources: list[str], *, probe: bool) -> None:
        """Render ``sources`` into the page cache; with ``probe``, none if the first one is there.

        Pages an earlier build rendered are in the cache together (a change to
        one of them is an edit, rendered as such): one look tells.
        """
        root, token = self._build.config.root, secrets.token_hex(16)
        for n, source in enumerate(sources):
            renderer = self._current()
            if renderer is None:
                return
            try:
                text, _ = markdown_page(root, source)
                if probe and n == 0 and renderer.has(source, text, _Slots(token), False):
                    return
                renderer.render(source, text, _Slots(token), None, used=False)
            except WorkerClosed:
                continue  # the renderer was closed: the next page finds out why
            except Exception:  # in a thread, an error would print a traceback: the Pandoc stage reports it
                continue
