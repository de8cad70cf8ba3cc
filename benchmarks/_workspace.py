"""The benchmark's work folder: a copy of the content, a snapshot of the package, and the edits.

Everything the benchmark builds lives in a copy, so it never touches the
repository's own ``_site``, caches or generated pages. The package is
snapshotted too (``src/curriculum`` copied and put first on ``PYTHONPATH``):
others may be editing ``src/`` while a run is under way, and every edit of a
package file changes the package fingerprint that keys our caches, which would
turn a "nothing changed" rebuild into a full one.
"""

from __future__ import annotations

import compileall
import json
import re
import shutil
from pathlib import Path

CONTENT_FILES = ("_quarto.yml", "_quarto-faculty.yml", "references.bib")
CONTENT_GLOBS = ("*.qmd",)
CONTENT_DIRS = (
    "lessons",
    "quizzes",
    "activities",
    "vignettes",
    "exercises",
    "faculty",
    "docs",
    "_freeze",
    "reference",
)
"""``_freeze/`` and ``reference/`` are committed with the repository, so a fresh clone has them (Jupyter Book
ignores both: it builds only the notebooks its table of contents lists)."""
_IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.tmp")


def copy_content(repo: Path, dest: Path) -> list[str]:
    """Copy what a build needs from ``repo`` into ``dest`` (a new folder); return what was copied."""
    dest.mkdir(parents=True)
    copied = []
    for name in CONTENT_FILES:
        if (repo / name).is_file():
            shutil.copy2(repo / name, dest / name)
            copied.append(name)
    for pattern in CONTENT_GLOBS:
        for path in sorted(repo.glob(pattern)):
            shutil.copy2(path, dest / path.name)
            copied.append(path.name)
    for name in CONTENT_DIRS:
        if (repo / name).is_dir():
            shutil.copytree(repo / name, dest / name, ignore=_IGNORE)
            copied.append(name + "/")
    return copied


def snapshot_package(repo: Path, dest: Path) -> Path:
    """Copy ``src/curriculum`` under ``dest`` and byte-compile it; return the folder for PYTHONPATH.

    Byte-compiling first makes the snapshot look like an installed package
    (pip compiles what it installs), so the cold build does not pay for
    compiling our modules while Jupyter Book's are already compiled.
    """
    dest.mkdir(parents=True)
    shutil.copytree(repo / "src" / "curriculum", dest / "curriculum", ignore=_IGNORE)
    compileall.compile_dir(str(dest), quiet=1)
    return dest


# ---------------------------------------------------------------------- edits


def _source_lines(cell: dict) -> list[str]:
    source = cell.get("source", "")
    text = "".join(source) if isinstance(source, list) else str(source)
    return text.splitlines(keepends=True)


_NOT_PROSE = re.compile(r"^\s*(#|[-*+]\s|\d+[.)]\s|\||:::|>|<|!\[|```|\$\$|\[\^)")


def _prose_line(line: str) -> bool:
    """A line of running text: not a heading, list, table, div fence, quote, HTML or blank line."""
    return bool(line.strip()) and not _NOT_PROSE.match(line) and len(line.split()) >= 8


def edit_lesson_prose(notebook: Path, n: int) -> str:
    """Change one sentence in a Markdown cell of ``notebook``; return the new sentence.

    Edit ``n`` changes the first sentence of the first paragraph of the
    ``n``-th Markdown cell that has running text (so each edit is a different
    cell and a different sentence). Code cells and the front matter are not
    touched. The notebook is written back as nbformat writes it (indent 1).
    """
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    candidates = []
    for index, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "markdown":
            continue
        lines = _source_lines(cell)
        for number, line in enumerate(lines):
            if _prose_line(line):
                candidates.append((index, number))
                break
    if not candidates:
        raise RuntimeError(f"{notebook}: no Markdown cell with a sentence to edit")
    index, number = candidates[(n + 1) % len(candidates)]  # skip the first (the key points box)
    cell = nb["cells"][index]
    lines = _source_lines(cell)
    line = lines[number]
    sentence = f"Benchmark edit {n} rewrote this sentence of the lesson for a timing run."
    end = line.find(". ")
    if end > 0:  # replace the first sentence, keep the rest of the line
        lines[number] = sentence + " " + line[end + 2 :]
    else:  # the line is one sentence
        lines[number] = sentence + ("\n" if line.endswith("\n") else "")
    cell["source"] = lines if isinstance(cell.get("source"), list) else "".join(lines)
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return sentence


_BLOCK_KEY = re.compile(r"^(\s*)(?:- )?(instructions|stem|text|feedback|rationale):\s*[|>][-+]?\s*$")


def edit_quiz(quiz: Path, n: int) -> str:
    """Change the text of a quiz (its first block-scalar text field); return the marker inserted.

    The edit is done on the YAML text, so comments and layout stay as they
    are; the marker is put at the start of the first line of the block, with
    the block's indentation, which keeps the file valid.
    """
    lines = quiz.read_text(encoding="utf-8").splitlines(keepends=True)
    for number, line in enumerate(lines):
        if _BLOCK_KEY.match(line) and number + 1 < len(lines):
            following = lines[number + 1]
            indent = len(following) - len(following.lstrip(" "))
            marker = f"Benchmark quiz edit {n}."
            lines[number + 1] = following[:indent] + marker + " " + following[indent:]
            quiz.write_text("".join(lines), encoding="utf-8")
            return marker
    raise RuntimeError(f"{quiz}: no block of text to edit")
