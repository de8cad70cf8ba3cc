"""The bibliography: which keys ``references.bib`` defines, and where.

Checks need only the keys and their lines, which a small scan finds without
a BibTeX library; formatting entries for display is Pandoc's job (citeproc),
done by the renderers so that the site and the widgets cite identically.
Pandoc also reads the file once here so an entry it cannot parse is reported
at its line.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import subprocess
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from curriculum._cache import cache_dir
from curriculum.content._diagnostics import RULES, Diagnostic, Severity
from curriculum.content._source import Source

__all__ = ["BIBLIOGRAPHY", "Bibliography", "PandocRead", "read_bibliography"]

BIBLIOGRAPHY = "references.bib"
"""The project's bibliography: the check, the components and every page cite from it."""

E_BIB = RULES.add("CUR120", Severity.error, "Pandoc cannot read an entry of references.bib.")
E_BIB_DUPLICATE = RULES.add("CUR121", Severity.error, "Two entries of references.bib share a key.")

_ENTRY = re.compile(r"^[ \t]*@([A-Za-z]+)[ \t]*[{(][ \t]*([^,\s{}()]+)[ \t]*,", re.MULTILINE)
_NOT_ENTRIES = {"comment", "string", "preamble"}


@dataclass(frozen=True)
class Bibliography:
    """The keys of ``references.bib``.

    Attributes
    ----------
    path : Path
        The file.
    display : str
        How diagnostics name it.
    keys : dict[str, tuple[int, int]]
        Each key and the 1-based position of its entry.
    text : str
        The file's text.
    """

    path: Path
    display: str
    keys: dict[str, tuple[int, int]] = field(default_factory=dict)
    text: str = ""


def read_bibliography(source: Source, *, with_pandoc: bool = True) -> tuple[Bibliography, list[Diagnostic]]:
    """Find the entries of a BibTeX file.

    Parameters
    ----------
    source : Source
        The ``.bib`` file's text.
    with_pandoc : bool
        Also ask Pandoc to read the file, reporting entries it cannot parse.

    Returns
    -------
    tuple[Bibliography, list[Diagnostic]]
        The keys, and duplicate or unreadable entries.
    """
    keys: dict[str, tuple[int, int]] = {}
    problems: list[Diagnostic] = []
    line, counted = 1, 0
    for match in _ENTRY.finditer(source.text):
        if match.group(1).lower() in _NOT_ENTRIES:
            continue
        key = match.group(2)
        line += source.text.count("\n", counted, match.start())  # from the entry before: the file once
        counted = match.start()
        if key in keys:
            problems.append(
                E_BIB_DUPLICATE.at(
                    source.display,
                    (line, 1),
                    f"the key `{key}` is already used on line {keys[key][0]}",
                    "merge the two entries or give one of them another key",
                )
            )
            continue
        keys[key] = (line, 1)
    if with_pandoc:
        problems += PandocRead(source).problems()
    return Bibliography(source.path, source.display, keys, source.text), problems


class PandocRead:
    """Pandoc reading a BibTeX file, started now and asked for its problems later.

    The build checks every other content file while Pandoc reads the
    bibliography in its own process. A file Pandoc has read cleanly before (a
    mark in the user cache) is not read again.

    Parameters
    ----------
    source : Source
        The ``.bib`` file's text.
    """

    def __init__(self, source: Source) -> None:
        import pypandoc

        self._source = source
        pandoc = Path(pypandoc.get_pandoc_path())
        key = f"{pandoc}:{pandoc.stat().st_mtime_ns}\0{source.text}"
        self._clean = cache_dir() / f"bibliography-ok-{hashlib.sha256(key.encode()).hexdigest()[:24]}"
        self._run: Future[subprocess.CompletedProcess[str]] | None = None
        if self._clean.is_file():
            return
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bibtex")
        args = [str(pandoc), "-f", "bibtex", "-t", "csljson"]
        self._run = pool.submit(
            subprocess.run, args, input=source.text, capture_output=True, text=True, timeout=60, check=False
        )
        pool.shutdown(wait=False)

    def problems(self) -> list[Diagnostic]:
        """Wait for Pandoc; return what it could not read (located), or nothing."""
        source = self._source
        if self._run is None:
            return []
        try:
            process = self._run.result()
        except (OSError, subprocess.TimeoutExpired) as exc:
            return [E_BIB.at(source.display, (1, 1), f"Pandoc could not be run to read the file: {exc}")]
        if process.returncode == 0:
            try:
                json.loads(process.stdout)
            except json.JSONDecodeError:
                return [E_BIB.at(source.display, (1, 1), "Pandoc read the file but produced no entries")]
            with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
                self._clean.parent.mkdir(parents=True, exist_ok=True)
                self._clean.touch()
            return []
        return _unreadable(source, process.stderr)


def _unreadable(source: Source, stderr: str) -> list[Diagnostic]:
    message = " ".join(stderr.split())
    where = re.search(r"line (\d+), column (\d+)", message)
    pos = (int(where.group(1)), int(where.group(2))) if where else (1, 1)
    return [
        E_BIB.at(
            source.display,
            pos,
            f"Pandoc cannot read the bibliography: {message}",
            "check the braces, commas and quotes of the entry at that line",
        )
    ]
