"""Jupyter Book 1.x, set up to build the same lesson notebooks, for comparison.

The book lives in its own copy of the content (the notebooks find the
project, ``_quarto.yml``, from their folder, and read quizzes and vignettes
from it). Jupyter Book runs from its own virtual environment, made once with
``python -m venv`` and pip and then reused.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

REQUIREMENTS = ("jupyter-book>=1,<2", "ipykernel")

# execute_notebooks: cache — jupyter-cache keys a notebook by its code cells, like our
#   cache leaves prose out, so a prose edit re-renders without executing (with `force`,
#   Sphinx would re-execute every notebook it re-reads).
# only_build_toc_files — build the eight notebooks and nothing else.
# bibtex_bibfiles — sphinxcontrib-bibtex (loaded by Jupyter Book) gets our bibliography so
#   the config matches ours, but MyST has no Pandoc citation syntax, so `[@key]` is left
#   as text in the page: the pages carry no formatted references (a few hundred bytes
#   lighter than ours, not heavier).
# myst_enable_extensions — Jupyter Book's defaults without colon_fence: with it, Quarto's
#   `::: {.callout-tip}` divs are parsed as unknown directives and their content is dropped
#   from the page; without it the content is kept (as paragraphs), as a fair comparison
#   of page weight needs.
CONFIG = """\
title: "{title}"
author: The psychotherapy curriculum contributors
only_build_toc_files: true
execute:
  execute_notebooks: cache
  timeout: 180
  allow_errors: false
bibtex_bibfiles:
  - references.bib
sphinx:
  config:
    myst_enable_extensions: [dollarmath, linkify, substitution, tasklist]
"""


def ensure_venv(venv: Path, repo: Path, log: Path) -> Path:
    """Return the ``jupyter-book`` executable, creating the environment if it does not exist."""
    exe = venv / "bin" / "jupyter-book"
    stamp = venv / ".curriculum-pyproject.sha256"
    wanted = hashlib.sha256((repo / "pyproject.toml").read_bytes()).hexdigest()
    if exe.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        return exe
    print(f"setting up the Jupyter Book environment in {venv} (pip install; reused afterwards)", flush=True)
    python = venv / "bin" / "python"
    with log.open("a", encoding="utf-8") as out:
        if not python.is_file():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, stdout=out, stderr=out)
        pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True, stdout=out, stderr=out)
        # the curriculum package itself, so the notebooks' `import curriculum` works in the kernel
        subprocess.run([*pip, *REQUIREMENTS, "-e", str(repo)], check=True, stdout=out, stderr=out)
    if not exe.is_file():
        raise RuntimeError(f"pip did not install jupyter-book into {venv}; see {log}")
    stamp.write_text(wanted, encoding="utf-8")  # reinstall when the package's dependencies change
    return exe


def version(exe: Path) -> str:
    """Return ``jupyter-book --version`` on one line."""
    result = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=False)
    return " · ".join(" ".join(line.split()) for line in result.stdout.splitlines() if line.strip())


def write_book(book: Path, lessons: list[str], title: str) -> None:
    """Write ``_config.yml`` and ``_toc.yml`` listing ``lessons`` (paths without suffix)."""
    (book / "_config.yml").write_text(CONFIG.format(title=title.replace('"', "'")), encoding="utf-8")
    toc = ["format: jb-book", f"root: {lessons[0]}", "chapters:"]
    toc += [f"- file: {lesson}" for lesson in lessons[1:]]
    (book / "_toc.yml").write_text("\n".join(toc) + "\n", encoding="utf-8")
