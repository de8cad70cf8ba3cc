"""Reader notebooks: the lessons as residents open them in JupyterLab.

The notebooks in ``lessons/`` are sources: a raw cell of YAML front matter,
Quarto's fenced divs (callouts, profile blocks) and ``[@key]`` citations,
which JupyterLab shows as they are. ``curriculum notebooks`` renders each
lesson into a reader notebook the way Quarto renders a document to the
``ipynb`` format: Pandoc's ipynb writer, with citeproc and the site's Lua
filter in the resident profile. The front matter becomes a first Markdown
cell (title, duration, objectives, and how to load the interactive parts),
citations become text with a reference list, callouts become quoted blocks
under their title, faculty-only blocks are left out, and the code cells are
kept, without outputs. The overview call is dropped: the first cell already
says what it would show.

A reader notebook is rewritten only when the lesson changed, and only if the
learner has not edited its cells (running them changes outputs, not cells);
an edited one is kept and reported. A reader notebook of a lesson that no
longer exists is removed on the same terms. The notebooks sit in a folder
inside the project, so a kernel started there finds the project (and the
learner's progress file) by walking up from its working folder.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from curriculum.content import (
    Curriculum,
    Document,
    LessonFrontMatter,
    read_existing,
    read_source,
    size_limit,
    write_atomic,
)
from curriculum.errors import BuildError, ContentError
from curriculum.site._assets import resource
from curriculum.site._context import checked
from curriculum.site._pandoc import E_PANDOC

__all__ = ["READER_FOLDER", "ReaderResult", "reader_markdown", "write_reader_notebooks"]

READER_FOLDER = "_notebooks"
"""Where ``curriculum notebooks`` writes by default, inside the project (git-ignored)."""

RUN_ALL = "Run ▸ Run All Cells"
"""The JupyterLab menu command that loads a lesson's interactive parts."""

_CODE_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_DIV_OPEN = re.compile(r"^ {0,3}:{3,}\s*(\{[^}]*\}|[^\s:{}]+)\s*:*\s*$")
_DIV_CLOSE = re.compile(r"^ {0,3}:{3,}\s*$")
_OVERVIEW = re.compile(r"^[ \t]*curriculum\.overview\([^)]*\)[ \t]*\n?", re.MULTILINE)
_ESCAPE = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~^$@:\"'&])")


@dataclass
class ReaderResult:
    """What ``curriculum notebooks`` did.

    Attributes
    ----------
    out : Path
        The folder of reader notebooks.
    written, unchanged, kept, removed : list[Path]
        Notebooks written, already up to date, kept because the learner edited
        them, and removed because their lesson is gone.
    """

    out: Path
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def write_reader_notebooks(
    root: Path, out: Path | None = None, console: Console | None = None
) -> ReaderResult:
    """Check the content, then write a reader notebook for every lesson.

    Parameters
    ----------
    root : Path
        The project folder.
    out : Path | None
        Where to write (default: ``_notebooks/`` in the project).
    console : Console | None
        Where progress is printed.

    Returns
    -------
    ReaderResult
        What was written, kept and removed.

    Raises
    ------
    ContentError
        If the content has errors, or Pandoc rejects a lesson.
    """
    import pypandoc

    console = console or Console(stderr=True)
    cur, _ = checked(root, console)
    target = (out or root / READER_FOLDER).resolve()
    target.mkdir(parents=True, exist_ok=True)
    pandoc = pypandoc.get_pandoc_path()
    bib = cur.bibliography.path if cur.bibliography is not None else None
    lessons = sorted(cur.lessons.values(), key=lambda doc: doc.id)

    def render(doc: Document[LessonFrontMatter]) -> Any:
        return _notebook(pandoc, reader_markdown(doc, cur), doc, bib)

    with ThreadPoolExecutor(max_workers=2) as pool:
        notebooks = list(pool.map(render, lessons))
    result = ReaderResult(target)
    for doc, nb in zip(lessons, notebooks, strict=True):
        path = target / f"{doc.id}.ipynb"
        state = _state(path)
        if state == "edited":
            result.kept.append(path)
        elif state == "generated" and _digest_of(_read(path)) == nb.metadata["curriculum"]["digest"]:
            result.unchanged.append(path)
        else:
            _write(path, nb)
            result.written.append(path)
    for path in sorted(target.glob("*.ipynb")):
        if path.stem not in cur.lessons and _state(path) == "generated":
            path.unlink()
            result.removed.append(path)
    return result


def reader_markdown(doc: Document[LessonFrontMatter], cur: Curriculum) -> str:
    """Return the Pandoc Markdown of a lesson's reader notebook, one cell div per cell.

    Consecutive Markdown cells are grouped until their fenced divs balance (a
    div may span cells, as in Quarto); a div still open at a code cell is
    closed before it and opened again after it.
    """
    parts = [_cell("markdown", _intro(doc, cur))]
    group: list[str] = []
    opened: list[str] = []
    for cell in doc.cells[1:]:  # the first cell is the front matter
        if cell.kind == "markdown":
            group.append(cell.text)
            opened = _open_divs(cell.text, opened)
            if not opened:
                parts.append(_cell("markdown", "\n\n".join(group)))
                group = []
        elif cell.kind == "code":
            code = _OVERVIEW.sub("", cell.text).strip("\n")
            if not code.strip():
                continue
            if group:
                parts.append(_cell("markdown", "\n\n".join([*group, *([":::"] * len(opened))])))
                group = list(opened)
            parts.append(_cell("code", code))
    if group:
        parts.append(_cell("markdown", "\n\n".join([*group, *([":::"] * len(opened))])))
    return "\n\n".join(parts) + "\n"


def _intro(doc: Document[LessonFrontMatter], cur: Curriculum) -> str:
    """Return the first cell: title, description, duration, prerequisites, objectives, how to start."""
    fm = doc.model
    lines = [f"# {_plain(fm.title)}", ""]
    if fm.description:
        lines += [_plain(" ".join(fm.description.split())), ""]
    about = f"*About {fm.duration} minutes.*"
    before = [
        f"[{_plain(cur.lessons[p].model.title if p in cur.lessons else p)}]({p}.ipynb)"
        for p in fm.prerequisites
    ]
    if before:
        about += " Before this lesson: " + ", ".join(before) + "."
    lines += [about, "", "**By the end of this lesson you will be able to:**", ""]
    lines += [f"{i}. {_plain(' '.join(o.text.split()))}" for i, o in enumerate(fm.objectives, 1)]
    lines += [
        "",
        f"> **To start, choose {RUN_ALL}** in the menu. That loads the interactive parts of this "
        "lesson (cases, exercises and the quiz). Your answers are saved on this computer as you go.",
    ]
    return "\n".join(lines)


def _plain(text: str) -> str:
    """Plain text as Markdown that reads back as the same text."""
    return _ESCAPE.sub(r"\\\1", text)


def _cell(kind: str, text: str) -> str:
    if kind == "code":
        fence = "`" * max(3, _longest_run(text, "`") + 1)
        text = f"{fence}python\n{text}\n{fence}"
    colons = ":" * max(4, _longest_run(text, ":") + 1)
    return f"{colons} {{.cell .{kind}}}\n{text}\n{colons}"


def _longest_run(text: str, char: str) -> int:
    return max((len(run) for run in re.findall(f"{re.escape(char)}+", text)), default=0)


def _open_divs(text: str, opened: list[str]) -> list[str]:
    """Return the fenced divs still open after ``text`` (their opening lines), given those open before."""
    stack = list(opened)
    code: str | None = None
    for line in text.splitlines():
        if code is not None:
            if line.strip().startswith(code):
                code = None
            continue
        fence = _CODE_FENCE.match(line)
        if fence:
            code = fence.group(1)
        elif _DIV_OPEN.match(line):
            stack.append(line.strip())
        elif _DIV_CLOSE.match(line) and stack:
            stack.pop()
    return stack


def _notebook(pandoc: str, markdown: str, doc: Document[LessonFrontMatter], bib: Path | None) -> Any:
    """Run Pandoc's ipynb writer and finish the notebook: kernel, stable cell ids, no outputs."""
    import nbformat

    args = [
        pandoc,
        "-f",
        "markdown-implicit_figures-raw_html",
        "-t",
        "ipynb",
        "--wrap=none",
        "--lua-filter",
        str(resource("curriculum.lua")),
        "-M",
        "curriculum-profile=resident",
    ]
    if bib is not None and bib.is_file():
        args += ["--citeproc", "--bibliography", str(bib)]
    try:
        result = subprocess.run(
            args, input=markdown, capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"{doc.display}: Pandoc did not run: {exc}") from exc
    if result.returncode != 0:
        raise ContentError(
            [
                E_PANDOC.at(
                    doc.display,
                    (1, 1),
                    f"Pandoc failed: {' '.join(result.stderr.split())}",
                    "check the lesson's Markdown near the reported place",
                )
            ]
        )
    nb = nbformat.reads(result.stdout, as_version=4)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"{doc.id}-{index}"[-64:]
        cell["metadata"] = {}
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    lesson, _ = read_source(doc.path, doc.display)  # loaded (and checked) by the build already
    source = _json_object(lesson.text if lesson else "")
    nb.metadata = nbformat.from_dict(
        {
            "kernelspec": source.get("metadata", {}).get("kernelspec")
            or {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
            "curriculum": {
                "lesson": doc.id,
                "source": f"lessons/{doc.path.name}",
                "digest": _digest_of(json.loads(nbformat.writes(nb))),
            },
        }
    )
    nbformat.validate(nb)
    return nb


def _digest_of(nb: dict[str, Any]) -> str:
    """Return a hash of a notebook's cells as the learner could edit them: kinds and sources."""
    cells = [
        (c.get("cell_type"), "".join(c["source"]) if isinstance(c.get("source"), list) else c.get("source"))
        for c in nb.get("cells", [])
    ]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode()).hexdigest()


def _read(path: Path) -> dict[str, Any]:
    """Return a reader notebook already in the folder, or nothing if it is not a plain notebook file.

    The folder is the learners' (and a repository may ship one): a link or a
    special file in a notebook's place is not read, and neither is a file
    larger than a lesson notebook may be.
    """
    raw = read_existing(path, size_limit(path))
    return _json_object(raw) if raw is not None and len(raw) <= size_limit(path) else {}


def _json_object(text: str | bytes) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _state(path: Path) -> str:
    """``missing``; ``generated`` (ours, cells as we wrote them); or ``edited`` (anything else: keep it)."""
    if not path.exists():
        return "missing"
    data = _read(path)
    ours = (data.get("metadata") or {}).get("curriculum") if isinstance(data.get("metadata"), dict) else None
    if isinstance(ours, dict) and ours.get("digest") == _digest_of(data):
        return "generated"
    return "edited"


def _write(path: Path, nb: Any) -> None:
    import nbformat

    write_atomic(path, nbformat.writes(nb), only_if_changed=False)
