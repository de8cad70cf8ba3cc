"""Formatted references from Pandoc's citeproc, for the renderers, cached on disk.

Every page and component cites a work the same way. So the in-text forms
("(Krupnick et al. 1996)", "Krupnick et al. (1996)"), the formatted
reference of every key, its place in the reference list and the works it is
cited together with come from one Pandoc run over the whole bibliography. The
build and the notebook session run it once each and hand the result to
:class:`curriculum.render.Renderer` as plain data; the embedded engine's
pages take it too (``citations.lua``, see :class:`~curriculum.site._pandoc.PageBibliography`).
Quarto runs citeproc on each page itself.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import html
import itertools
import json
import re
import subprocess
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

from curriculum._cache import cache_dir
from curriculum.content import BIBLIOGRAPHY, Bibliography, read_bibliography, read_source, write_atomic
from curriculum.errors import BuildError, CurriculumError
from curriculum.render import FormattedReference

__all__ = ["FormattingAhead", "format_references"]

_FORMAT = 3
"""Version of the cached table's contents (2: in-text forms as plain text, nested spans read; 3: ranks)."""


class _CitationTexts(HTMLParser):
    """Collect each ``<span class="citation">``'s key and plain text, nested spans included.

    citeproc wraps parts of a citation in spans of its own (``nocase`` for a
    braced name, for one), so the citation ends at *its* closing tag, not the
    first one, and only its text is kept.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self._key: str | None = None
        self._depth = 0
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "span":
            return
        if self._key is not None:
            self._depth += 1
            return
        values = dict(attrs)
        if "citation" in (values.get("class") or "").split() and values.get("data-cites"):
            self._key, self._depth, self._text = values["data-cites"] or "", 0, []

    def handle_endtag(self, tag: str) -> None:
        if tag != "span" or self._key is None:
            return
        if self._depth:
            self._depth -= 1
            return
        self.found.append((self._key, "".join(self._text)))
        self._key = None

    def handle_data(self, data: str) -> None:
        if self._key is not None:
            self._text.append(data)


def citation_texts(output: str) -> list[tuple[str, str]]:
    """Return each citation's key and its plain text, from citeproc's HTML."""
    parser = _CitationTexts()
    parser.feed(output)
    parser.close()
    return parser.found


_ENTRY = re.compile(r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>(.*?)</div>', re.DOTALL)
_CLUSTER = re.compile(r'<span class="citation" data-cites="([^"]+)">')
_LINK = re.compile(r'<a href="#ref-([^"]+)"[^>]*>(.*?)</a>', re.DOTALL)
_TAG = re.compile(r"<[^<>]*>")


def format_references(bibliography: Bibliography) -> dict[str, FormattedReference]:
    """Return the formatted forms of every key in ``bibliography``, from Pandoc's citeproc.

    One Pandoc run formats the whole bibliography; the result is cached on disk
    by the bibliography's text and Pandoc's version, so it costs nothing after
    the first time. A cache that cannot be read is rebuilt, one that cannot be
    written only costs time.

    Parameters
    ----------
    bibliography : Bibliography
        The project's ``references.bib``.

    Returns
    -------
    dict[str, FormattedReference]
        Every key's in-text forms and full entry, for :class:`curriculum.render.Renderer`.

    Raises
    ------
    BuildError
        If Pandoc cannot run or cannot read the bibliography.
    """
    import pypandoc

    cached = _cached(bibliography)
    table = _read_cached(cached)
    if table is not None:
        return table
    table = _run_pandoc(bibliography, pypandoc.get_pandoc_path())
    with contextlib.suppress(CurriculumError):  # a cache that cannot be written (read-only home) costs time
        text = json.dumps({k: v.__dict__ for k, v in table.items()}, ensure_ascii=False)
        write_atomic(cached, text)
    return table


def formatted_before(bibliography: Bibliography) -> dict[str, FormattedReference] | None:
    """Return what :func:`format_references` gave for the same text and Pandoc before (its cache), or None.

    Parameters
    ----------
    bibliography : Bibliography
        The bibliography, whose text (with Pandoc's version) names the cache file.

    Returns
    -------
    dict[str, FormattedReference] | None
        The formatted forms, or None when the cache has none (a damaged or
        unreadable cache counts as none: the bibliography is formatted again).
    """
    return _read_cached(_cached(bibliography))


def _read_cached(cached: Path) -> dict[str, FormattedReference] | None:
    """Return the formatted forms a cache file holds; None if it is missing, damaged or unreadable."""
    if not cached.is_file():
        return None
    try:
        data = json.loads(cached.read_text(encoding="utf-8"))
        return {k: FormattedReference(**v) for k, v in data.items()}
    except (OSError, ValueError, TypeError, AttributeError, RecursionError):
        return None


def _cached(bibliography: Bibliography) -> Path:
    """Return the cache file of the formatted forms of ``bibliography`` (by its text and Pandoc's version)."""
    import pypandoc

    version = pypandoc.get_pandoc_version()
    digest = hashlib.sha256(f"{_FORMAT}\n{version}\n{bibliography.text}".encode()).hexdigest()[:20]
    return cache_dir() / f"citations-{digest}.json"


def _run_pandoc(bibliography: Bibliography, pandoc: str) -> dict[str, FormattedReference]:
    keys = sorted(bibliography.keys)
    body = "\n\n".join(f"[@{k}]\n\n@{k}" for k in keys)
    # One citation of every work shows which works citeproc groups under shared names.
    together = "; ".join(f"@{k}" for k in keys)
    document = f"---\nnocite: '@*'\nlink-citations: true\n---\n\n{body}\n\n[{together}]\n"
    # the text the result is cached under, not the file again (it may have been saved since it was read)
    with tempfile.TemporaryDirectory(prefix="curriculum-citeproc-") as folder:
        source = Path(folder) / f"references{bibliography.path.suffix or '.bib'}"
        source.write_text(bibliography.text, encoding="utf-8")
        result = _citeproc_run(pandoc, source, document, bibliography.display)
    cites: dict[str, list[str]] = {}
    for key, text in citation_texts(result.stdout):
        cites.setdefault(key, []).append(text.strip())
    entries = {html.unescape(k): v.strip() for k, v in _ENTRY.findall(result.stdout)}
    rank = {key: place for place, key in enumerate(entries)}  # citeproc lists them in its order
    table = {}
    for key in keys:
        forms = cites.get(key, [])
        paren = forms[0] if forms else key
        if paren.startswith("(") and paren.endswith(")"):
            paren = paren[1:-1]
        narrative = forms[1] if len(forms) > 1 else paren
        table[key] = FormattedReference(
            key, paren, narrative, entries.get(key, html.escape(key)), rank.get(key, len(rank))
        )
    for key, first in _cited_together(result.stdout, table).items():
        table[key] = dataclasses.replace(table[key], group=first)
    return table


def _cited_together(output: str, table: dict[str, FormattedReference]) -> dict[str, str]:
    """Return, for each work citeproc grouped under an earlier one's names, that earlier work's key.

    citeproc cites works by the same authors together ("Colom et al. 2003,
    2009"), judging by the names themselves, not by how they are shown: E.
    and M. Balint are both "Balint", and their works are not grouped. In a
    citation of several works, a work shown by its year alone follows the
    work whose names it shares.
    """
    grouped: dict[str, str] = {}
    for cluster in _CLUSTER.finditer(output):
        keys = html.unescape(cluster.group(1)).split()
        if len(keys) < 2:
            continue
        links = itertools.islice(_LINK.finditer(output, cluster.end()), len(keys))
        first = None
        for link in links:
            key, label = html.unescape(link.group(1)), html.unescape(_TAG.sub("", link.group(2))).strip()
            ref = table.get(key)
            if ref is None:
                break
            if first is not None and label == ref.year and ref.author:
                grouped[key] = first  # the first of a run is never grouped itself
            else:
                first = key
    return grouped


class FormattingAhead:
    """citeproc formatting a project's ``references.bib`` on a thread, started before the check needs it.

    Formatting the whole bibliography takes Pandoc most of a second the first
    time (later builds read the cache). citeproc runs in a Pandoc process, so
    the thread waits on it without holding the interpreter, and the check goes
    on meanwhile. A bibliography formatted before is read from the cache at
    once, without a thread: the references are then :meth:`ready` before the
    content is loaded. The result is used only for the same text the check read.

    Parameters
    ----------
    root : Path
        The project folder.
    """

    def __init__(self, root: Path) -> None:
        self._text: str | None = None
        self._future: Future[dict[str, FormattedReference]] | None = None
        source, problems = read_source(root / BIBLIOGRAPHY, BIBLIOGRAPHY, root)
        if source is None or problems:
            return  # the check reports it
        bibliography, problems = read_bibliography(source, with_pandoc=False)
        if problems:
            return
        self._text = source.text
        formatted = formatted_before(bibliography)  # a bibliography formatted before is ready at once
        if formatted is not None:
            self._future = Future()
            self._future.set_result(formatted)
            return
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="citeproc")
        self._future = pool.submit(format_references, bibliography)
        pool.shutdown(wait=False)

    @property
    def text(self) -> str | None:
        """The bibliography's text being formatted (None: none is, see :meth:`ready`)."""
        return self._text

    def ready(self) -> bool:
        """Whether the formatting started ahead is done, so that :meth:`result` waits for nothing.

        False while citeproc runs (the bibliography changed), and when none was
        started (no bibliography, or one with problems, which the check reports).
        """
        return self._future is not None and self._future.done()

    def when_done(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` once the formatting started ahead is done (at once if it is, or none started).

        On the thread that finishes it: ``callback`` should only signal a thread that waits for it.
        """
        if self._future is None:
            callback()
        else:
            self._future.add_done_callback(lambda _: callback())

    def formatted(self) -> dict[str, FormattedReference] | None:
        """Return the references formatted ahead if they are :meth:`ready`; None rather than wait.

        None too when the formatting failed: what renders ahead renders
        nothing with them, and :meth:`result` formats them again and raises
        what is wrong.
        """
        if self._future is None or not self.ready():
            return None
        try:
            return self._future.result()
        except CurriculumError:
            return None

    def result(self, bibliography: Bibliography) -> dict[str, FormattedReference]:
        """Return the formatted references of ``bibliography`` (those started ahead if its text is the same).

        Raises
        ------
        BuildError
            If Pandoc cannot run or cannot read the bibliography.
        """
        if self._future is not None and bibliography.text == self._text:
            return self._future.result()
        return format_references(bibliography)


def _citeproc_run(
    pandoc: str, bibliography: Path, document: str, shown: str
) -> subprocess.CompletedProcess[str]:
    """Run citeproc on ``document`` with the BibTeX file ``bibliography`` (named ``shown`` in a message).

    Raises
    ------
    BuildError
        If Pandoc cannot run or cannot read the bibliography.
    """
    try:
        result = subprocess.run(
            [
                pandoc,
                "--citeproc",
                "--bibliography",
                str(bibliography),
                "-f",
                "markdown",
                "-t",
                "html",
                "--wrap=none",
            ],
            input=document,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"Pandoc could not format the references: {exc}") from exc
    if result.returncode != 0:
        message = result.stderr.strip().replace(str(bibliography), shown)
        raise BuildError(f"Pandoc could not format the references: {message}")
    return result
