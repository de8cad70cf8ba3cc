"""Turn each source page into Pandoc Markdown, the way Quarto sees it.

Quarto treats a notebook as one Markdown document: the raw front-matter cell
becomes the YAML header, Markdown cells follow one another (so a fenced div
may span cells), and code cells contribute only their outputs when ``echo`` is
false. Pandoc's own ``ipynb`` reader does none of this, so the Pandoc engine
converts notebooks here first. ``.qmd`` and ``.md`` pages are read as they are.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from curriculum._memo import Memo
from curriculum.components import Mount
from curriculum.content import (
    E_EMPTY,
    E_PAGE,
    Diagnostic,
    Source,
    load_yaml,
    nesting_problem,
    parse_yaml,
    read_source,
)
from curriculum.errors import ContentError
from curriculum.hosts.static import MOUNT_MIME, OVERVIEW_MIME
from curriculum.render import raw_html

__all__ = ["E_PAGE", "Page", "markdown_page", "notebook_markdown", "read_front_matter"]


_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*\n", re.DOTALL)
_LEADING_H1 = re.compile(  # linear: no two quantifiers compete for the same characters
    r"\A\s*+#[ \t]++([^\n{]*[^\s{])[ \t]*+(?:\{[ \t]*+(?:(#[^\s}]++)[ \t]*+)?[^}\n]*+\})?[ \t]*+\n"
)
_EXEC_CHUNK = re.compile(r"^```+\s*\{(python|r|julia|ojs)[^}]*\}", re.MULTILINE)


class Page(NamedTuple):
    """A page of the site.

    A named tuple: made for every page of every build, at a tuple's cost, and
    hashed in C (the pager places every page by it).

    Attributes
    ----------
    source : str
        Path of the source, relative to the project (``lessons/00-orientation.ipynb``).
    output : str
        Path of the HTML file, relative to the site folder.
    title : str
        The page title.
    kind : str
        ``notebook`` or ``markdown``.
    """

    source: str
    output: str
    title: str
    kind: str

    @property
    def depth(self) -> int:
        """How many folders deep the output is (for relative links to assets)."""
        return self.output.count("/")


def read_front_matter(text: str) -> dict[str, Any]:
    """Return the YAML front matter at the top of a Markdown text (empty if none).

    Remembered across builds by the front matter's text (:mod:`curriculum._memo`):
    every page's is read on every build.
    """
    match = _FRONT.match(text)
    if not match:
        return {}
    return _FRONT_MATTER.get(match.group(1), lambda: _parsed_front_matter(match.group(1)))


def _parsed_front_matter(text: str) -> dict[str, Any]:
    try:
        data = load_yaml(text)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _as_json(value: dict[str, Any]) -> dict[str, Any] | None:
    """Return the front matter to store: itself when JSON gives it back unchanged, else None (not kept)."""
    try:
        return value if json.loads(json.dumps(value)) == value else None
    except (TypeError, ValueError):  # a date, a key that is not a string
        return None


def _from_json(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TypeError("front matter is a mapping")
    return dict(data)  # the memo's own stays as stored


_FRONT_MATTER = Memo[dict[str, Any]]("site.front-matter", 1, _as_json, _from_json)
"""Each page's front matter, across builds."""


def markdown_page(root: Path, source: str) -> tuple[str, dict[str, Any]]:
    """Read a ``.qmd`` or ``.md`` page; return its text and front matter.

    The page is read only if it is a regular file inside the project, and
    refused before Pandoc reads it if it nests too deeply for Pandoc.

    Raises
    ------
    ContentError
        If the file is missing or outside the project, has front matter that
        is not YAML, holds code chunks the Pandoc engine cannot execute, or
        nests too deeply.
    """
    read, problems = read_source(root / source, source, root, allow_empty=True)
    if read is None:
        raise ContentError(problems)
    text = read.text
    front_text = _FRONT.match(text)
    if front_text:  # Pandoc would read it too, aliases and all: read it as strictly as content files
        _, _, problems = parse_yaml(Source(read.path, source, front_text.group(1) + "\n"))
        problems = [
            Diagnostic(d.path, d.line + 1, d.col, d.code, d.severity, f"front matter: {d.message}", d.hint)
            for d in problems
            if d.code != E_EMPTY.code
        ]
        if problems:
            raise ContentError(problems)
    deep = nesting_problem(text)
    if deep is not None:
        line = text.count("\n", 0, deep.offset) + 1
        col = deep.offset - (text.rfind("\n", 0, deep.offset) + 1) + 1
        raise ContentError([deep.diagnostic(source, (line, col), "the page")])
    chunk = _EXEC_CHUNK.search(text)
    if chunk:
        line = text.count("\n", 0, chunk.start()) + 1
        raise ContentError(
            [
                E_PAGE.at(
                    source,
                    (line, 1),
                    "the Pandoc engine does not execute code chunks in .qmd pages",
                    "move the code into a lesson notebook, or build with --engine quarto",
                )
            ]
        )
    front = read_front_matter(text)
    heading = _LEADING_H1.match(text) if not front.get("title") else None
    if heading:  # e.g. quartodoc's pages: the first heading is the title, the template writes it
        front = {**front, "title": heading.group(1).strip()}
        anchor = f"[]{{{heading.group(2)}}}\n\n" if heading.group(2) else ""  # keep links to it working
        text = anchor + text[heading.end() :]
    return text, front


def notebook_markdown(
    nb: Any, mount: Callable[[Mount], str], overview: Callable[[str], str] | None = None
) -> tuple[str, dict[str, Any]]:
    """Convert an executed notebook to one Pandoc Markdown document.

    Parameters
    ----------
    nb : NotebookNode
        The notebook, with outputs.
    mount : Callable[[Mount], str]
        Returns the Markdown that stands for a component reference found in
        an output (the engine's own placeholder); the output's ``text/html``
        is then not used.
    overview : Callable[[str], str] | None
        Returns the Markdown of a lesson's overview, for an overview reference
        found in an output (None: such outputs show nothing).

    Returns
    -------
    tuple[str, dict]
        The Markdown and the front matter.
    """
    cells = nb.get("cells", [])
    parts: list[str] = []
    front: dict[str, Any] = {}
    for index, cell in enumerate(cells):
        source = (
            "".join(cell.get("source", ""))
            if isinstance(cell.get("source"), list)
            else cell.get("source", "")
        )
        kind = cell.get("cell_type")
        if kind == "raw" and index == 0 and source.lstrip().startswith("---"):
            front = read_front_matter(source.lstrip() + "\n")
            parts.append(source.strip())
        elif kind == "markdown":
            parts.append(source)
        elif kind == "code":
            parts += [text for out in cell.get("outputs", []) if (text := _output(out, mount, overview))]
    return "\n\n".join(parts) + "\n", front


def _output(out: Any, mount: Callable[[Mount], str], overview: Callable[[str], str] | None) -> str:
    kind = out.get("output_type")
    if kind not in ("display_data", "execute_result"):
        return ""  # streams and errors are build diagnostics, not page content
    data = out.get("data", {})
    reference = Mount.from_json(data.get(MOUNT_MIME))
    if reference is not None:
        return mount(reference)
    lesson = data.get(OVERVIEW_MIME)
    if isinstance(lesson, dict) and isinstance(lesson.get("lesson"), str):
        return overview(lesson["lesson"]) if overview is not None else ""
    if "text/html" in data:
        markup = "".join(data["text/html"]) if isinstance(data["text/html"], list) else data["text/html"]
        return raw_html(markup)
    if "text/markdown" in data:
        return (
            "".join(data["text/markdown"])
            if isinstance(data["text/markdown"], list)
            else data["text/markdown"]
        )
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            payload = "".join(data[mime]).replace("\n", "")
            base64.b64decode(payload, validate=True)  # refuse damaged images early
            return f"![](data:{mime};base64,{payload})"
    return ""
