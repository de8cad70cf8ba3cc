"""Pandoc itself: one page's Markdown to HTML, with citeproc and our Lua filters, in bounded time.

When Pandoc fails on a page the build generated, the problem is located in
the authored file the failing text comes from (:meth:`~curriculum.render.GeneratedPage.locate`).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from curriculum.content import E_PANDOC
from curriculum.errors import BuildError, ContentError
from curriculum.render import GeneratedPage
from curriculum.site._assets import resource

__all__ = ["CACHE_LIMIT", "E_PANDOC", "PANDOC_SECONDS", "may_cite", "pandoc_seconds", "run_pandoc"]

PANDOC_SECONDS = (60.0, 200e-6)
"""Pandoc's time limit for a page: a base and a share per character (it reads plain text at ~3 µs each)."""
CACHE_LIMIT = 64 << 20
"""Largest cache entry or manifest read back (a page's HTML is far smaller)."""
_SPLIT = "<!--curriculum:body-->"
_PANDOC_PLACE = re.compile(r"line (\d+), column (\d+)")
_COLGROUP = re.compile(r"<colgroup>(?:[^<]++|<(?!/?colgroup>))*+</colgroup>\s*")
_STYLE_ATTRIBUTE = re.compile(r'(<[a-z][a-z0-9]*+\b[^<>]*?) style="[^"]*+"')


def run_pandoc(
    pandoc: str,
    text: str,
    source: str,
    bib: Path,
    profile: str,
    generated: GeneratedPage | None = None,
) -> tuple[str, str]:
    """Render one page's Markdown with Pandoc; return its table of contents and its body.

    When Pandoc fails on a generated page, the problem is located in the
    authored file the failing text comes from.

    Raises
    ------
    ContentError
        If Pandoc fails or runs out of time on the page.
    BuildError
        If Pandoc cannot be run.
    """
    reader = "markdown-implicit_figures" + ("" if source.startswith("reference/") else "-raw_html")
    args = [
        pandoc,
        "-f",
        reader,
        "-t",
        "html5",
        "-s",
        "--template",
        str(resource("split.html")),
        "--toc",
        "--toc-depth=3",
        "--wrap=none",
        "--lua-filter",
        str(resource("curriculum.lua")),
        "-M",
        f"curriculum-profile={profile}",
        "-M",
        "link-citations=true",
        "-M",
        "pagetitle=page",
    ]
    if bib.is_file() and may_cite(text):
        args += ["--citeproc", "--bibliography", str(bib)]
    if generated is not None:  # its raw HTML is sanitised by the pre-render (see safety.lua)
        args += ["-M", "curriculum-generated=true"]
    args += ["--lua-filter", str(resource("safety.lua"))]  # last: it also sees citeproc's links
    seconds = pandoc_seconds(text)
    try:
        result = subprocess.run(
            args, input=text, capture_output=True, text=True, timeout=seconds, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise ContentError(
            [
                E_PANDOC.at(
                    source,
                    (1, 1),
                    f"Pandoc did not finish this page within {seconds} s",
                    "Pandoc slows down sharply on deeply nested brackets, very long runs of backticks "
                    "or many unclosed `<`; simplify such text",
                )
            ]
        ) from exc
    except OSError as exc:
        raise BuildError(f"{source}: Pandoc did not run: {exc}") from exc
    if result.returncode != 0:
        message = " ".join(result.stderr.split())
        path, place, hint = source, (1, 1), "check the page's Markdown near the reported place"
        if generated is not None:  # the page is written by the build: name the author's file instead
            found = _PANDOC_PLACE.search(message)
            origin = generated.locate(*map(int, found.groups())) if found else None
            if origin is not None:
                (path, place), hint = origin, f"check this text, which the page {source} shows"
        raise ContentError([E_PANDOC.at(path, place, f"Pandoc failed: {message}", hint)])
    toc, _, body = result.stdout.partition(_SPLIT)
    # Pandoc sizes wide tables with style attributes, which the CSP (style-src 'self') would block.
    body = _STYLE_ATTRIBUTE.sub(r"\1", _COLGROUP.sub("", body))
    return toc.strip(), body.strip()


def may_cite(text: str) -> bool:
    """Return whether a page's Markdown can hold a citation (or a ``nocite``): whether it has an ``@``.

    citeproc reads the style, the locale and the whole bibliography on every
    run, which is nine tenths of Pandoc's time on a page; a page without an
    ``@`` cannot cite, and renders to the same HTML without it.
    """
    return "@" in text


def pandoc_seconds(text: str) -> float:
    """Return how long Pandoc may take for a page: bounded, and proportional to its size."""
    base, per_char = PANDOC_SECONDS
    return round(base + per_char * len(text), 1)
