"""``curriculum check`` for a whole project: everything the build will need, checked first.

An author runs ``check`` to know that the build will work, so it checks what
the build reads, the same way the build reads it:

1. the content: every file loaded, validated and cross-checked (ids a code
   cell names included);
2. the site configuration of every profile: ``_quarto.yml`` (and each
   ``_quarto-<profile>.yml`` overlay) validated into the model the build uses,
   every page it names inside the project and present (or generated), every
   page readable and not nested beyond what Pandoc can render;
3. the lesson notebooks, executed as the build executes them (with the
   ``execute:`` options of ``_quarto.yml``), through ``_freeze/`` and the
   build's own cache: after a build, or a check, nothing whose code is
   unchanged runs again, and a build after a passing check executes nothing
   more. The check reads ``_freeze/`` but never writes it; a notebook whose
   frozen outputs are missing or out of date is a warning (CUR605), so
   ``check --strict`` in CI fails on a stale ``_freeze/``;
4. the committed API reference: ``reference/`` missing, or generated from
   other code or another ``quartodoc:`` section than its key says, is a
   warning too (CUR606), without running quartodoc.

The build runs steps 1 and 2 through :func:`check_site` too; step 3 is its
own execution stage, and the build refreshes what step 4 reports.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from curriculum._memo import memo_session
from curriculum.components import COMPONENTS
from curriculum.content import (
    CHECK_RECORD,
    PROJECT_FILE,
    CheckReport,
    Curriculum,
    Diagnostic,
    Document,
    DocumentFacts,
    FileRefused,
    Severity,
    check_curriculum,
    describe,
    display_path,
    find_root,
    format_diagnostics,
    generated_dirs,
    generated_prefixes,
    inside,
    load_curriculum,
    project_files,
    write_atomic,
)
from curriculum.errors import ContentError, CurriculumError, UsageError
from curriculum.project import CACHE_DIR, Project, SiteConfig, package_files
from curriculum.site._execute import FREEZE_DIR, notebook_cache
from curriculum.site._quick import CHECK, CheckOutput, watched
from curriculum.site._reference import INDEX, KEY_FILE, ReferenceKey, reference_key, stale_reference
from curriculum.site._sources import E_PAGE, markdown_page

__all__ = ["check_output", "check_project", "check_site", "page_problems", "writable_folders"]


def check_project(cwd: Path) -> CheckReport:
    """Check the project around ``cwd`` as :func:`check_site` does; what ``curriculum check`` runs.

    A check that finds no error is recorded (:func:`~curriculum.site.cached_check`
    replays it while nothing it read changes).

    Raises
    ------
    UsageError
        When ``cwd`` is not inside a project.
    """
    root = find_root(cwd)
    if root is None:
        raise UsageError(
            f"no {PROJECT_FILE} in {cwd} or above, so this is not a curriculum project; "
            "run the command inside one, or name the files to check"
        )
    with contextlib.suppress(OSError):  # made first, so that the check's own cache leaves the times alone
        (root / CACHE_DIR).mkdir(exist_ok=True)
    reference = reference_key(root)  # with the files it hashes, before the check as their times are
    files = _check_inputs(root, reference.files if reference else ())  # an edit while it runs: seen next time
    cur, diagnostics = check_site(root, reference=reference)
    report = CheckReport(diagnostics, len(project_files(root)), describe(cur))
    if not any(d.severity == Severity.error for d in diagnostics):
        _remember(root, cwd, report, files)
    return report


def _check_inputs(root: Path, documented: tuple[str, ...]) -> list[list[object]]:
    """Return the stats of what a check reads: each profile's inputs, _freeze/, reference/, the packages.

    ``documented`` are the files of another package the API reference documents (its key's).
    """
    project = Project(root)
    files = {name for profile in project.profiles() for name in project.input_names(profile)}
    files |= {str(p) for p in package_files()} | {str(root / KEY_FILE), str(root / INDEX)}
    files |= set(documented)
    freeze = root / FREEZE_DIR
    files |= {str(p) for p in freeze.rglob("*")} if freeze.is_dir() else set()
    return watched(files, [str(root), str(freeze)])


def check_output(report: CheckReport) -> CheckOutput:
    """Return what ``curriculum check`` prints of a report: the diagnostics in each format, the counts."""
    counts = {s: sum(1 for d in report.diagnostics if d.severity == s) for s in Severity}
    found = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in sorted(counts.items(), reverse=True) if n)
    return CheckOutput(
        {
            "output": {s: format_diagnostics(report.diagnostics, s) for s in ("text", "json", "github")},
            "errors": counts[Severity.error],
            "warnings": counts[Severity.warning],
            "found": found,
            "summary": report.summary,
        }
    )


def _remember(root: Path, cwd: Path, report: CheckReport, files: list[list[object]]) -> None:
    """Record a clean check, with its output in every format, for :func:`cached_check`."""
    record = {"cwd": str(Path(os.path.abspath(cwd))), "files": files, **check_output(report).as_json()}
    with contextlib.suppress(CurriculumError):  # the record only saves time; the build reports a bad cache
        write_atomic(root / CACHE_DIR / CHECK, json.dumps(record) + "\n", within=root)


def check_site(
    root: Path,
    *,
    execute: bool = True,
    project: Project | None = None,
    reference: ReferenceKey | None = None,
    seen: Mapping[str, os.stat_result] | None = None,
) -> tuple[Curriculum, list[Diagnostic]]:
    """Check a project as strictly as the build needs it.

    Parameters
    ----------
    root : Path
        The project folder.
    execute : bool
        Also execute the lesson notebooks (through the build's cache) when
        nothing else is wrong, and judge the committed ``reference/`` (the
        build, which passes False, refreshes it instead).
    project : Project | None
        The project of ``root`` as a build holds it: each profile's
        configuration is read once, by whichever asks first.
    reference : ReferenceKey | None
        The API reference's key, as the caller took it before the check
        (None: it is taken when the committed reference is judged).
    seen : Mapping[str, os.stat_result] | None
        The status of the content files the caller looked at moments before
        (a build's stamp), not looked at again (see :func:`load_curriculum`).

    Returns
    -------
    tuple[Curriculum, list[Diagnostic]]
        The loaded content and every problem, sorted.
    """
    resident: SiteConfig | None = None
    project = project or Project(root)
    with memo_session(root):  # loading and the checks redo only the texts that changed (see curriculum._memo)
        cur = load_curriculum(root, seen=seen)
        diagnostics = check_curriculum(cur, record=root / CACHE_DIR / CHECK_RECORD)
        kept = DocumentFacts(root / CACHE_DIR / PAGE_PROBLEMS, root, "page problems 1")
        pages = _PageCheck(cur, kept)  # a page two profiles name alike is checked once
        for profile in project.profiles():
            try:
                config = project.config(profile)
            except ContentError as exc:
                diagnostics += exc.diagnostics
                continue
            if profile == "resident":
                resident = config
            diagnostics += pages.problems(config)
        kept.save()
    diagnostics = sorted(set(diagnostics) | set(stale_reference(root, reference) if execute else []))
    if execute and resident is not None and not any(d.severity == Severity.error for d in diagnostics):
        notebooks = [root / page for page in resident.pages() if page.endswith(".ipynb")]
        try:
            writable_folders(root, profile="resident")  # the cache it writes must be inside the project too
            cache = notebook_cache(resident, root / CACHE_DIR / "resident" / "executed", write_freeze=False)
            stale = cache.stale(notebooks)
            diagnostics = sorted(set(diagnostics) | set(stale))
            cache.executed(notebooks)
        except ContentError as exc:
            diagnostics = sorted(set(diagnostics) | set(exc.diagnostics))
    return cur, diagnostics


def writable_folders(root: Path, output: Path | None = None, profile: str | None = None) -> None:
    """Refuse to build when a folder the build writes in leads outside the project.

    The build writes its cache (the profile's own folder in it and the folders
    in that, when ``profile`` is given), the generated pages and (unless the command line
    names another folder) the site inside the project. A repository could
    ship any of these as a symbolic link to elsewhere; every write also checks
    its own folder (see :func:`curriculum.content.write_atomic`),
    and this catches the whole folder before anything is written.

    Raises
    ------
    ContentError
        Naming the folder and the rule (CUR106).
    """
    folders = [root / CACHE_DIR, *(root / d for d in generated_dirs())]
    if profile is not None:
        folders += [root / CACHE_DIR / profile, *_subfolders(root / CACHE_DIR / profile)]
    if output is not None:
        folders.append(output)
    problems = []
    for folder in folders:
        try:
            inside(root, folder)
        except FileRefused as refused:
            problems.append(refused.at(display_path(folder)))
    if problems:
        raise ContentError(problems)


def _subfolders(folder: Path) -> list[Path]:
    """Return the folders in ``folder``, and its links to folders (none if it cannot be listed)."""
    try:
        with os.scandir(folder) as entries:
            return [Path(e.path) for e in entries if e.is_dir()]
    except OSError:
        return []


def page_problems(config: SiteConfig, cur: Curriculum, kept: DocumentFacts | None = None) -> list[Diagnostic]:
    """Return why pages of the site cannot be built: missing, unreadable, or nested too deeply.

    Generated pages (the quiz list, a page per quiz and per case, the rules
    reference) do not exist before the build writes them, so they count as
    present when the content will produce them; so do the API reference's
    pages, committed but remade by the build when missing or stale (CUR606
    reports that), when ``_quarto.yml`` has a ``quartodoc:`` section.

    Parameters
    ----------
    config : SiteConfig
        A profile's configuration: the pages it names.
    cur : Curriculum
        The content, which tells which pages are generated and which are content files.
    kept : DocumentFacts | None
        Where the problems of each page that is a content file (facilitator
        notes) are kept by its text's digest (see :data:`PAGE_PROBLEMS`): an
        unchanged notes page is not read again. None: every page is read.
    """
    return _PageCheck(cur, kept).problems(config)


class _PageCheck:
    """The pages of every profile of one project checked in turn (:func:`page_problems` of each).

    What the content tells of the pages (which are generated, which are
    content files) is found once. A page that is a file, checked for one
    profile, is not checked again for another that names it in the same
    place: its problems would be the same ones (the check keeps a set).

    Parameters
    ----------
    cur : Curriculum
        The content.
    kept : DocumentFacts | None
        Where the problems of each notes page are kept (see :func:`page_problems`).
    """

    def __init__(self, cur: Curriculum, kept: DocumentFacts | None) -> None:
        self.kept = kept
        self.folders = generated_dirs()
        self.prefixes = generated_prefixes()
        self.notes = {doc.file: doc for doc in cur.notes.values() if doc.digest}  # content pages
        self.lessons = {doc.file for doc in cur.lessons.values() if doc.digest}
        self.loaded = self.notes.keys() | self.lessons  # there now
        self.notebooks: dict[str, set[str]] = {}
        """The lessons loaded, as pages of a project's folder (by the folder, with its separator)."""
        self.notes_pages: dict[str, dict[str, str]] = {}
        """The notes loaded, as pages of a project's folder (likewise), each with its file."""
        self.generated = {"rules/index.qmd"}
        for spec in COMPONENTS.values():
            if spec.pages is not None:
                ids = ["index", *spec.documents(cur, ())]
                self.generated |= {f"{spec.pages.folder}/{i}.qmd" for i in ids}
        self.checked: set[tuple[str, str, tuple[int, int]]] = set()
        """Each page that is a file checked so far: the page, and where it is named."""

    def problems(self, config: SiteConfig) -> list[Diagnostic]:
        """Return why pages of ``config`` cannot be built (none of a page checked for an earlier profile)."""
        root = config.root
        base = os.fspath(root)
        problems: list[Diagnostic] = []
        for page in self._unsure(config):
            display, pos = config.named.get(page, ("_quarto.yml", (1, 1)))
            if page.split("/")[0] in self.folders:
                problems += self._generated(config, page, display, pos)
                continue
            named = (page, display, pos)
            if named in self.checked:
                continue
            self.checked.add(named)
            path = os.path.join(base, page)
            if path not in self.loaded and not os.path.lexists(path):  # a link to nothing: reading it tells
                problems.append(
                    E_PAGE.at(
                        display,
                        pos,
                        f"the page `{page}` does not exist",
                        "create it, or fix the path in the configuration",
                    )
                )
                continue
            if page.endswith(".ipynb"):
                continue  # notebooks in lessons/ are content, checked above; others are read when executed
            doc = self.notes.get(path)
            problems += (
                _read_problems(root, page)
                if doc is None or self.kept is None
                else _kept(self.kept, doc, root, page)
            )
        return problems

    def _unsure(self, config: SiteConfig) -> list[str]:
        """Return the pages of ``config`` that may have a problem, in order; all of them in one pass.

        Not a lesson loaded, nor a page in a folder the build generates that a
        pattern matches (``quiz/*.qmd``): such a page has none, as the
        content's check and the pre-render tell; nor a notes page whose
        problems are kept, none, while its text is the same (:meth:`_clean`).
        Every page the configuration names, and every other page, is looked at.
        """
        base = os.path.join(os.fspath(config.root), "")
        if base not in self.notebooks:
            self.notebooks[base] = set(_pages_of(base, self.lessons))
            self.notes_pages[base] = _pages_of(base, self.notes)
        pages = config.pages()
        listed = set(pages)
        clean = self._clean({page: file for page, file in self.notes_pages[base].items() if page in listed})
        other = listed.difference(self.notebooks[base], clean, self.generated)  # the usual pages, in one step
        unsure = {page for page in other if not page.startswith(self.prefixes)}
        unsure.update(config.named.keys() - clean)
        return [page for page in pages if page in unsure]

    def _clean(self, notes: dict[str, str]) -> set[str]:
        """Return the notes pages (``notes``: each file by its page) that have no problem, all at once.

        Those whose text is as it was when their problems were kept, and had
        none: what :meth:`problems` would find in them (see :func:`_kept`),
        found without a call a page.
        """
        if self.kept is None:
            return set()
        docs = list(map(self.notes.__getitem__, notes.values()))
        expected = [[doc.digest, [page, []]] for doc, page in zip(docs, notes, strict=True)]
        clean = self.kept.kept_as([doc.display for doc in docs], expected)
        return {page for doc, page in zip(docs, notes, strict=True) if doc.display in clean}

    def _generated(
        self, config: SiteConfig, page: str, display: str, pos: tuple[int, int]
    ) -> list[Diagnostic]:
        """Return why ``page``, in a folder the build generates, cannot be built (no content makes it)."""
        if page not in config.named:
            return []  # matched by a pattern: whatever the pre-render leaves there is what it renders
        if page in self.generated or (page.startswith("reference/") and "quartodoc" in config.raw):
            return []
        return [
            E_PAGE.at(
                display,
                pos,
                f"`{page}` is in a folder the build generates, but the content produces no such page",
                f"{', '.join(self.folders)} hold generated pages; check the id, or move the page",
            )
        ]


def _pages_of(base: str, files: Iterable[str]) -> dict[str, str]:
    """Return the files in the folder ``base`` (with its separator), each by its page (relative to it)."""
    n = len(base)
    return {file[n:]: file for file in files if file[:n] == base}


def _kept(kept: DocumentFacts, doc: Document[Any], root: Path, page: str) -> list[Diagnostic]:
    """Return why the notes page ``doc`` cannot be built: as kept while its text is the same, else read."""

    def made() -> list[Any]:
        return [page, [d.as_row() for d in _read_problems(root, page)]]

    return [Diagnostic.from_row(row) for row in kept.get(doc, made, _ProblemsOf(page))[1]]


def _read_problems(root: Path, page: str) -> list[Diagnostic]:
    """Return why a Markdown page cannot be built (:func:`~curriculum.site._sources.markdown_page`)."""
    try:
        markdown_page(root, page)
    except ContentError as exc:
        return list(exc.diagnostics)
    return []


PAGE_PROBLEMS = "page-problems.json"
"""Why each page that is a content file (facilitator notes) cannot be built, kept in the build cache by
the text's digest with the page's name (a :class:`~curriculum.content.DocumentFacts`)."""


class _ProblemsOf:
    """Whether kept page problems are of ``page``, in the shape :func:`_kept` keeps (not damaged)."""

    def __init__(self, page: str) -> None:
        self.page = page

    def __call__(self, held: Any) -> bool:
        if not (
            isinstance(held, list) and len(held) == 2 and held[0] == self.page and isinstance(held[1], list)
        ):
            return False
        try:
            for row in held[1]:
                Diagnostic.from_row(row)
        except ValueError:
            return False
        return True
