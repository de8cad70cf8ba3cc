"""Run every check over a curriculum and apply the authors' suppressions.

A suppression is a rule code and a written reason in the ``suppress``
mapping of the item, vignette, exercise or lesson it applies to. Only
suppressible rules (lints and curriculum standards) can be silenced;
structural errors cannot. A suppression that silences nothing is itself
reported, so stale ones do not pile up.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curriculum._cache import PROJECT_CACHE
from curriculum._memo import memo_session
from curriculum.content import (  # noqa: F401  (register checks)
    _activities,
    _checks,
    _cue_lint,
    _item_lint,
    _language,
    _objective_ids,
    _path_debriefs,
    _privacy,
    _raw_html,
)
from curriculum.content._check_record import CHECK_RECORD, CheckRecord, Suppression, suppressions_of
from curriculum.content._diagnostics import RULES, Diagnostic, Severity
from curriculum.content._project import (
    PROJECT_FILE,
    Curriculum,
    Document,
    display_path,
    find_root,
    load_curriculum,
    load_files,
    project_files,
)
from curriculum.content._registry import CHECKS
from curriculum.content._yaml import Loc
from curriculum.errors import UsageError

__all__ = ["CheckReport", "check_curriculum", "check_paths", "describe"]

UNUSED = RULES.add("CUR507", Severity.warning, "A suppression silences nothing.")
BAD_SUPPRESS = RULES.add("CUR508", Severity.error, "A suppression names an unknown or unsilenceable rule.")
SHORT_REASON = RULES.add("CUR509", Severity.error, "A suppression's reason is too short to review.")

MIN_REASON_WORDS = 4


def check_curriculum(cur: Curriculum, *, record: Path | None = None) -> list[Diagnostic]:
    """Run every check and return all diagnostics, loading problems included.

    Parameters
    ----------
    cur : Curriculum
        A loaded curriculum (see :func:`load_curriculum`).
    record : Path | None
        Where the last run's record is kept, for a project's content: a check
        whose inputs did not change since is not run again, and what it found
        is taken from there (see :mod:`curriculum.content._check_record`).

    Returns
    -------
    list[Diagnostic]
        Every problem, sorted by file, line and column.
    """
    kept = CheckRecord(record, cur) if record is not None and cur.root is not None else None
    findings = kept.findings() if kept is not None else [f for fn in CHECKS for f in fn(cur)]
    suppressions = kept.suppressions if kept is not None else suppressions_of
    used: set[tuple[str, Loc, str]] = set()
    diagnostics: list[Diagnostic] = list(cur.diagnostics)
    for finding in findings:
        d = finding.diagnostic
        rule = RULES[d.code]
        if rule.suppressible and finding.doc is not None:
            reasons = {code for owner, code, _ in suppressions(finding.doc) if owner == finding.owner}
            if d.code in reasons:
                used.add((finding.doc.display, finding.owner, d.code))
                continue
        diagnostics.append(d)
    diagnostics += _audit(kept.suppressing() if kept is not None else cur.documents(), used, suppressions)
    if kept is not None:
        kept.save()
    return sorted(set(diagnostics))


def _audit(
    docs: Iterable[Document[Any]],
    used: set[tuple[str, Loc, str]],
    suppressions: Callable[[Document[Any]], list[Suppression]],
) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for doc in docs:
        for owner, code, reason in suppressions(doc):
            rule = RULES.get(code)
            if rule is None or not rule.suppressible:
                what = "no rule" if rule is None else "a rule that cannot be silenced"
                problems.append(
                    BAD_SUPPRESS.at(
                        doc.display,
                        doc.key_at(*owner, "suppress", code),
                        f"`{code}` is {what}",
                        "suppress only lint rules (L.., PHI-..) and curriculum standards (CUR503-506)",
                    )
                )
            elif len(reason.split()) < MIN_REASON_WORDS:
                problems.append(
                    SHORT_REASON.at(
                        doc.display,
                        doc.at(*owner, "suppress", code),
                        f"the reason for silencing {code} is too short",
                        "write a sentence a reviewer can judge",
                    )
                )
            elif (doc.display, owner, code) not in used:
                problems.append(
                    UNUSED.at(
                        doc.display,
                        doc.key_at(*owner, "suppress", code),
                        f"{code} is suppressed here but reports nothing",
                        "remove the suppression",
                    )
                )
    return problems


@dataclass(frozen=True)
class CheckReport:
    """What ``curriculum check`` found.

    Attributes
    ----------
    diagnostics : list[Diagnostic]
        Every problem, sorted.
    files : int
        How many content files were read.
    summary : str
        One line describing what was checked.
    """

    diagnostics: list[Diagnostic]
    files: int
    summary: str


def check_paths(paths: Sequence[Path], cwd: Path) -> CheckReport:
    """Check a project, or the given files and folders.

    With no paths, the project around ``cwd`` is checked. Paths inside a
    project are checked in the context of the whole project (so references
    resolve) and only their diagnostics are kept; files outside a project's
    content folders are checked on their own.

    Parameters
    ----------
    paths : Sequence[Path]
        Files or folders; empty for the whole project.
    cwd : Path
        Where the command runs.

    Returns
    -------
    CheckReport
        The diagnostics and a summary.

    Raises
    ------
    UsageError
        When no paths are given and ``cwd`` is not inside a project.

    Notes
    -----
    The checks keep what they find in each text of a project in its build
    cache (in the user's, for files checked on their own), so the next check
    redoes only the texts that changed (see :mod:`curriculum._memo`).
    """
    if not paths:
        root = find_root(cwd)
        if root is None:
            raise UsageError(
                f"no {PROJECT_FILE} in {cwd} or above, so this is not a curriculum project; "
                "run the command inside one, or name the files to check"
            )
        with memo_session(root):
            cur = load_curriculum(root)
            found = check_curriculum(cur, record=root / PROJECT_CACHE / CHECK_RECORD)
            return CheckReport(found, len(project_files(root)), describe(cur))
    wanted = [Path(os.path.abspath(p)) for p in paths]  # a symbolic link is checked as the link it is
    root = find_root(wanted[0])
    project = {Path(os.path.abspath(p)) for p in project_files(root)} if root else set()
    diagnostics: list[Diagnostic] = []
    files = 0
    in_project = [w for w in wanted if w in project or (w.is_dir() and any(_within(p, w) for p in project))]
    if in_project and root is not None:
        cur = load_curriculum(root)
        keep = {display_path(p) for p in project if any(_within(p, w) for w in in_project)}
        with memo_session(root):
            diagnostics += [d for d in check_curriculum(cur) if d.path in keep]
        files += len(keep)
    with memo_session(None):
        for w in wanted:
            if w in in_project:
                continue
            singles = sorted(f for f in w.rglob("*") if f.suffix in _SUFFIXES) if w.is_dir() else [w]
            for single in singles:
                diagnostics += check_curriculum(load_files([single]))
                files += 1
    return CheckReport(sorted(diagnostics), files, f"{files} file{'s' if files != 1 else ''}")


_SUFFIXES = {".yml", ".yaml", ".ipynb", ".bib"}


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def describe(cur: Curriculum) -> str:
    """Return one line counting what a curriculum holds, for the check's summary."""
    items = sum(len(q.model.items) for q in cur.quizzes.values())

    def count(n: int, word: str, plural: str | None = None) -> str:
        return f"{n} {word if n == 1 else plural or word + 's'}"

    parts = [
        count(len(cur.lessons), "lesson"),
        f"{count(len(cur.quizzes), 'quiz', 'quizzes')} ({count(items, 'item')})",
        count(len(cur.vignettes), "vignette"),
        count(len(cur.exercises), "exercise"),
        *([count(len(cur.activities), "activity", "activities")] if cur.activities else []),
        count(len(cur.notes), "facilitator notes file"),
    ]
    if cur.techniques is not None:
        parts.append(count(len(cur.techniques.model.techniques), "technique"))
    if cur.bibliography is not None:
        parts.append(count(len(cur.bibliography.keys), "reference"))
    return ", ".join(parts)
