"""A build's pages through Pandoc: each from the page cache, or rendered by a worker and kept there.

The Pandoc stage asks for every page; a page can also be asked for earlier,
on a thread of its own while the content is checked (the pages an edit changed,
and those whose text needs no content: :mod:`._render_ahead`). A page asked for twice at once is rendered
once: the second asker waits for the first. The cache entry's name is a hash of everything the
page's HTML depends on, so a page is rendered again only when one of them
changed (see :meth:`PageRenderer.render`).
"""

from __future__ import annotations

import collections
import functools
import hashlib
import itertools
import json
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Protocol

from curriculum._memo import machine_key
from curriculum.components import Mount
from curriculum.content import BIBLIOGRAPHY, read_existing, write_atomic
from curriculum.project import SiteConfig, package_fingerprint
from curriculum.render import FormattedReference, GeneratedPage
from curriculum.site._page_plan import mounts_of
from curriculum.site._page_worker import PageWorker, WorkerClosed
from curriculum.site._pandoc import CACHE_LIMIT, PageBibliography, run_pandoc

__all__ = ["PageRenderer", "RenderedPage", "Slots"]


class Slots(Protocol):
    """The components of a page's Markdown, held in places Pandoc leaves alone (see ``_stages._Slots``)."""

    def key(self, text: str) -> str:
        """Return a digest of ``text`` and its components that does not depend on the build."""

    def fill(self, body: str) -> tuple[str, list[Mount]]:
        """Return the body with each component in its place, and the components."""


class RenderedPage:
    """A page's HTML as Pandoc wrote it, with its components in place.

    Parameters
    ----------
    entry : str
        The name of its page cache entry (a hash of its inputs).
    toc : str
        The table of contents (read from the cache entry when ``read`` is given).
    body : str
        The body (likewise).
    mounts : list[Mount] | None
        The components in the body.
    fresh : bool
        Pandoc rendered it in this build (it was not in the cache).
    read : Callable[[], tuple[str, str]] | None
        Reads the table of contents and the body when first asked for (a page
        the build did not need to read, see :meth:`PageRenderer.taken`).
    shows : str | None
        The components in the body as a record names them (one text: see
        :func:`~curriculum.site._page_plan.shows_of`), made into :attr:`mounts`
        when first asked for (a page whose files stand never asks), instead of ``mounts``.
    """

    def __init__(
        self,
        entry: str,
        toc: str = "",
        body: str = "",
        mounts: list[Mount] | None = None,
        fresh: bool = False,
        *,
        read: Callable[[], tuple[str, str]] | None = None,
        shows: str | None = None,
    ) -> None:
        self.entry = entry
        self._mounts = mounts if shows is None else None
        self.shows = shows
        self.fresh = fresh
        self._parts = (toc, body)
        self._read = read

    # What a page made by :meth:`unread` has without setting it: no HTML yet, not rendered by this build.
    _mounts: list[Mount] | None = None
    _parts: tuple[str, str] = ("", "")
    fresh: bool = False

    @classmethod
    def unread(
        cls, entries: Sequence[str], shows: Iterable[str], reads: Iterable[Callable[[], tuple[str, str]]]
    ) -> list[RenderedPage]:
        """Return a page of each cache entry of ``entries``: its components ``shows``, its HTML by ``reads``.

        As ``RenderedPage(entry, shows=..., read=...)`` makes each, but all at
        once: the objects are made, and their three attributes set, by
        :func:`map` (the others are the class's), no Python call a page.
        """
        pages = list(map(cls.__new__, itertools.repeat(cls, len(entries))))
        for name, values in (("entry", entries), ("shows", shows), ("_read", reads)):
            collections.deque(map(setattr, pages, itertools.repeat(name), values), maxlen=0)
        return pages

    @property
    def mounts(self) -> list[Mount]:
        """The components in the body."""
        if self._mounts is None:
            self._mounts = list(mounts_of(self.shows or ""))
        return self._mounts

    @property
    def toc(self) -> str:
        """The table of contents."""
        return self._html()[0]

    @property
    def body(self) -> str:
        """The body."""
        return self._html()[1]

    def _html(self) -> tuple[str, str]:
        if self._read is not None:
            self._parts, self._read = self._read(), None
        return self._parts


class PageRenderer:
    """Renders a build's pages with Pandoc, one worker per thread, through the page cache.

    Parameters
    ----------
    config : SiteConfig
        The site (its root, bibliography and profile).
    cache : Path
        The profile's build cache (pages go in ``pages/``).
    references : Mapping[str, FormattedReference] | None
        Every work's formatted forms, from the site's one citeproc run.
    text : str | None
        The bibliography's text ``references`` were formatted from (None: the
        site has none). The pages' citations are cut from it and their cache
        entries named by it, never by the file read again: a file saved since
        would name pages whose citations are another text's.
    """

    def __init__(
        self,
        config: SiteConfig,
        cache: Path,
        references: Mapping[str, FormattedReference] | None,
        text: str | None,
    ) -> None:
        import pypandoc

        self.profile = config.profile
        self.executable = pypandoc.get_pandoc_path()
        self.cache = cache
        self.bibliography = PageBibliography(
            config.root / BIBLIOGRAPHY,
            cache / "bibliography",
            references,
            self.executable,
            text=text,
        )
        self.shared = hashlib.sha256(
            "\0".join(
                [
                    package_fingerprint(),
                    machine_key(),  # a page planted in a repository's cache folder matches no key
                    f"Pandoc {pypandoc.get_pandoc_version()}",
                    config.profile,
                    self.bibliography.text or "",
                ]
            ).encode()
        ).hexdigest()
        """A digest of what every page's HTML depends on besides its own inputs."""
        self.pages = cache / "pages"
        self.pages.mkdir(parents=True, exist_ok=True)
        self.used: set[str] = set()
        """The cache entries of the pages the Pandoc stage asked for (the others are removed at its end)."""
        self._lock = threading.Lock()
        self._running: dict[str, Future[RenderedPage]] = {}
        self._workers: list[PageWorker] = []
        self._listed: set[str] | None = None  # the cache's entries when the build first took one as it was
        self._written: set[str] = set()  # the entries written since (each a page rendered by this build)
        self._mine = threading.local()
        self.closed = False
        """The build is done with the renderer (the Pandoc stage is over, or the build failed before it):
        a page asked for now gets a Pandoc process of its own; one rendered ahead, under way, is given up."""

    def entry(self, source: str, markdown: str, slots: Slots, generated: bool) -> str:
        """Return the name of the cache entry of a page made from these inputs."""
        key = f"{self.shared}\0{source}\0{generated}\0{slots.key(markdown)}"
        return f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.page"

    def render(
        self, source: str, markdown: str, slots: Slots, generated: GeneratedPage | None, *, used: bool = True
    ) -> RenderedPage:
        """Return the page: from the cache, from a render of it under way, or rendered now (and kept).

        Parameters
        ----------
        source : str
            The page's path in the project.
        markdown : str
            Its Pandoc Markdown, components in their slots.
        slots : Slots
            Its components.
        generated : GeneratedPage | None
            The pre-render's page, when the build wrote it.
        used : bool
            The page is part of the site (False for a page rendered ahead of the Pandoc stage).

        Raises
        ------
        ContentError
            If Pandoc fails or runs out of time on the page.
        WorkerClosed
            If a page rendered ahead (not ``used``) is given up: the renderer is closed.
        """
        name = self.entry(source, markdown, slots, generated is not None)
        with self._lock:
            if used:
                self.used.add(name)
            running = self._running.get(name)
            if running is None:
                mine: Future[RenderedPage] = Future()
                self._running[name] = mine
        if running is not None:
            found = running.result()
            return RenderedPage(name, found.toc, found.body, list(found.mounts), found.fresh)
        try:
            page = self._cached(name) or self._rendered(
                name, source, markdown, slots, generated, ahead=not used
            )
        except BaseException as exc:
            mine.set_exception(exc)
            with self._lock:
                del self._running[name]  # asked again, it is rendered again (and fails again)
            raise
        mine.set_result(page)
        return page

    def held(self, entries: Iterable[str]) -> set[str]:
        """Return those of the cache entries ``entries`` the page cache holds (the build uses them).

        The build knows the pages' inputs are those of these entries (see
        :class:`~curriculum.site._page_plan.PagePlan`), so it need not make
        them again to name them. Whether an entry is there is told by a listing
        of the cache's folder, made on the first call: one set operation for all
        the pages, not a stat a page.
        """
        with self._lock:
            if self._listed is None:  # the folder listed once
                self._listed = set(self._entries())
            found = self._listed.intersection(entries)
            self.used |= found
        return found

    def taken(
        self, entries: Sequence[str], shows: Iterable[str], again: Iterable[Callable[[], tuple[str, str]]]
    ) -> list[RenderedPage]:
        """Return the page of each cache entry of ``entries`` (:meth:`held` found them), HTML read when asked.

        Each page's components are those its text of ``shows`` names (see
        :class:`RenderedPage`). An entry found damaged, or gone, when its HTML
        is read is made by its ``again`` (the page converted and rendered).
        All at once (:meth:`RenderedPage.unread`): no Python call a page.
        """
        reads = map(functools.partial, itertools.repeat(self._kept_html), entries, again)
        return RenderedPage.unread(entries, shows, reads)

    def _kept_html(self, entry: str, again: Callable[[], tuple[str, str]]) -> tuple[str, str]:
        """Return the table of contents and body of the cache entry ``entry`` (made ``again``: none there)."""
        hit = self._cached(entry)
        return (hit.toc, hit.body) if hit is not None else again()

    def has(self, source: str, markdown: str, slots: Slots, generated: bool) -> bool:
        """Return whether the page is in the cache or being rendered."""
        name = self.entry(source, markdown, slots, generated)
        with self._lock:
            return name in self._running or (self.pages / name).is_file()

    def close(self, *, prune: bool) -> None:
        """Stop the workers; with ``prune``, remove the cache entries no page asked for.

        Every page the build asked for is rendered by then, so a worker still
        rendering is rendering ahead a page the build did not need: it is
        killed, and that page given up (:class:`~curriculum.site._page_worker.WorkerClosed`).
        """
        with self._lock:
            self.closed = True
            workers = list(self._workers)
        for worker in workers:
            worker.close(kill=True)
        if prune:  # only the current pages stay (and no entry of an earlier version, *.json)
            for name in self._present() - self.used:
                (self.pages / name).unlink(missing_ok=True)
            self.bibliography.prune()

    def _present(self) -> set[str]:
        """Return the entries in the cache's folder: as listed for the kept pages, with those written since.

        The folder is listed once a build: again only when no page was taken
        as it was (no listing was made). An entry another process wrote
        meanwhile stays until the next build's prune.
        """
        with self._lock:
            if self._listed is None:
                return set(self._entries())
            return self._listed | self._written

    def _entries(self) -> list[str]:
        """Return the names in the cache's folder that are page cache entries (``*.page``, ``*.json``).

        A folder of such a name is none (nothing of the build's makes one): it is left as it is.
        """
        with os.scandir(self.pages) as found:
            return [e.name for e in found if e.name.endswith((".page", ".json")) and not e.is_dir()]

    def _worker(self) -> PageWorker | None:
        """Return this thread's Pandoc worker (started on its first page that is not in the cache)."""
        worker: PageWorker | None = getattr(self._mine, "worker", None)
        if worker is None:
            with self._lock:
                if self.closed:
                    return None
                worker = self._mine.worker = PageWorker(self.executable)
                self._workers.append(worker)
        return worker

    def _cached(self, name: str) -> RenderedPage | None:
        hit = _cached_page(read_existing(self.pages / name, CACHE_LIMIT))
        return None if hit is None else RenderedPage(name, *hit)

    def _rendered(
        self,
        name: str,
        source: str,
        markdown: str,
        slots: Slots,
        generated: GeneratedPage | None,
        *,
        ahead: bool,
    ) -> RenderedPage:
        """Render the page with Pandoc and keep it in the cache.

        Raises
        ------
        WorkerClosed
            If the page is rendered ahead and the renderer is closed: the build
            no longer needs it, so no Pandoc process of its own is started for it.
        """
        worker = self._worker()
        if worker is None and ahead:
            raise WorkerClosed
        cites = self.bibliography.for_page(markdown)
        forms = self.bibliography.forms_for(markdown) if cites is not None else None
        toc, html = run_pandoc(
            self.executable, markdown, source, cites, self.profile, generated, forms, worker=worker
        )
        body, mounts = slots.fill(html)
        raw = body.encode("utf-8")
        head = json.dumps({"toc": toc, "mounts": [m.as_json() for m in mounts], "bytes": len(raw)})
        write_atomic(self.pages / name, head.encode() + b"\n" + raw, within=self.cache)
        with self._lock:
            self._written.add(name)
        return RenderedPage(name, toc, body, mounts, fresh=True)


def _cached_page(data: bytes | None) -> tuple[str, str, list[Mount]] | None:
    """Return a page cache entry's table of contents, body and mounts; None for a missing or damaged one.

    An entry is a line of JSON (the table of contents, the mounts and the
    body's length in bytes), then the body as it is: a body is most of a page,
    and decoding it as a JSON string cost more than reading it. An entry cut
    short or grown since it was written, or naming a component that is none,
    is damaged (its body would show a component its page has no payload for).
    """
    head, newline, body = (data or b"").partition(b"\n")
    try:
        entry = json.loads(head) if newline else None
    except (ValueError, RecursionError):
        return None
    if not isinstance(entry, dict) or entry.get("bytes") != len(body):
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    toc, mounts = entry.get("toc"), entry.get("mounts", [])
    if not isinstance(toc, str) or not isinstance(mounts, list):
        return None
    found = [Mount.from_json(m) for m in mounts]
    shown = [m for m in found if m is not None]
    return (toc, text, shown) if len(shown) == len(found) else None
