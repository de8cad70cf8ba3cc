"""Formatted references from Pandoc's citeproc, for the renderers, cached on disk.

The site is rendered by Pandoc (or Quarto, which uses Pandoc) with
``--citeproc``; the components must cite the same way. So the in-text forms
("(Krupnick et al. 1996)", "Krupnick et al. (1996)") and the formatted
reference of every key come from one Pandoc run over the whole bibliography.
The build and the notebook session run it once each and hand the result to
:class:`curriculum.render.Renderer` as plain data.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import re
import subprocess

from curriculum._cache import cache_dir
from curriculum.content import Bibliography, write_atomic
from curriculum.errors import BuildError, CurriculumError
from curriculum.render import FormattedReference

__all__ = ["format_references"]

_CITE = re.compile(r'<span class="citation" data-cites="([^"]+)">(.*?)</span>', re.DOTALL)
_ENTRY = re.compile(r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>(.*?)</div>', re.DOTALL)


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

    version = pypandoc.get_pandoc_version()
    digest = hashlib.sha256(f"{version}\n{bibliography.text}".encode()).hexdigest()[:20]
    cached = cache_dir() / f"citations-{digest}.json"
    if cached.is_file():
        try:
            data = json.loads(cached.read_text(encoding="utf-8"))
            return {k: FormattedReference(**v) for k, v in data.items()}
        except (ValueError, TypeError):
            pass  # a damaged cache is rebuilt
    table = _run_pandoc(bibliography, pypandoc.get_pandoc_path())
    with contextlib.suppress(CurriculumError):  # a cache that cannot be written (read-only home) costs time
        text = json.dumps({k: v.__dict__ for k, v in table.items()}, ensure_ascii=False)
        write_atomic(cached, text)
    return table


def _run_pandoc(bibliography: Bibliography, pandoc: str) -> dict[str, FormattedReference]:
    keys = sorted(bibliography.keys)
    body = "\n\n".join(f"[@{k}]\n\n@{k}" for k in keys)
    document = f"---\nnocite: '@*'\nlink-citations: false\n---\n\n{body}\n"
    try:
        result = subprocess.run(
            [
                pandoc,
                "--citeproc",
                "--bibliography",
                str(bibliography.path),
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
        raise BuildError(f"Pandoc could not format the references: {result.stderr.strip()}")
    cites: dict[str, list[str]] = {}
    for key, text in _CITE.findall(result.stdout):
        cites.setdefault(html.unescape(key), []).append(text.strip())
    entries = {html.unescape(k): v.strip() for k, v in _ENTRY.findall(result.stdout)}
    table = {}
    for key in keys:
        forms = cites.get(key, [])
        paren = forms[0] if forms else key
        if paren.startswith("(") and paren.endswith(")"):
            paren = paren[1:-1]
        narrative = forms[1] if len(forms) > 1 else paren
        table[key] = FormattedReference(key, paren, narrative, entries.get(key, html.escape(key)))
    return table
