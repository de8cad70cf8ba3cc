"""The faculty's two commands, ``curriculum report`` and ``curriculum grade``, as functions.

Each reads the project's quizzes and lessons (the keys, the objectives and
their subcompetencies), reads the learners' files, analyses the cohort and
writes its files into the output folder, each atomically (a file is either
the old one or the new one, never half written). Files that had to be left
out are in the result's ``problems``: the command reports them and exits 1,
but the report is complete for everything else.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from curriculum.assess._analysis import Analysis, analyse
from curriculum.assess._cohort import QuizKey, build_cohort, quiz_keys
from curriculum.assess._learner_files import read_learner_files
from curriculum.assess._norms import build_norms, norms_json
from curriculum.assess._pages import report_page
from curriculum.assess._tables import (
    items_csv,
    learners_csv,
    mastery_csv,
    objectives_csv,
    quizzes_csv,
    scores_csv,
)
from curriculum.content import Curriculum, load_files
from curriculum.content._project import project_files
from curriculum.errors import CurriculumError, UsageError
from curriculum.hosts.session import site_id

__all__ = ["Outcome", "make_grades", "make_report"]

REPORT_FILES = ("report.html", "items.csv", "quizzes.csv", "learners.csv", "objectives.csv", "mastery.csv")


@dataclass
class Outcome:
    """What a command did.

    Attributes
    ----------
    analysis : Analysis
        The analysed cohort (with the problems).
    written : list[Path]
        Files written.
    norms_left_out : list[str]
        Quizzes left out of the norms (too few learners).
    """

    analysis: Analysis
    written: list[Path] = field(default_factory=list)
    norms_left_out: list[str] = field(default_factory=list)


def _load(root: Path) -> tuple[Curriculum, str, dict[str, QuizKey]]:
    """Load the lessons (objectives, subcompetencies), quizzes (keys) and bibliography (for feedback)."""
    wanted = {root / "lessons", root / "quizzes"}
    files = [p for p in project_files(root) if p.parent in wanted or p.suffix == ".bib"]
    curriculum = load_files(files, root=root)
    return curriculum, site_id(root), quiz_keys(curriculum)


def _analyse(
    root: Path, paths: Sequence[Path], only: str | None = None
) -> tuple[Analysis, Curriculum, dict[str, QuizKey]]:
    curriculum, site, keys = _load(root)
    if only is not None:
        _require_summative(root, keys, only)
    summative = [ident for ident, key in keys.items() if key.quiz.kind == "summative"]
    reading = read_learner_files(paths, site, summative)
    cohort = build_cohort(reading, keys, only=only, broken=_broken_quizzes(root, keys))
    return analyse(cohort, curriculum, site), curriculum, keys


def make_report(root: Path, paths: Sequence[Path], out: Path, norms: Path | None = None) -> Outcome:
    """Analyse the learners' files and write the report's files into ``out``.

    Parameters
    ----------
    root : Path
        The project.
    paths : Sequence[Path]
        Learners' files and folders.
    out : Path
        The output folder (created if needed).
    norms : Path | None
        Where to write the anonymous norms, if anywhere.

    Returns
    -------
    Outcome
        The analysis and the files written.
    """
    analysis, _, _ = _analyse(root, paths)
    outcome = Outcome(analysis)
    outcome.written = _write_report(analysis, out, "Cohort report")
    if norms is not None:
        built, outcome.norms_left_out = build_norms(analysis)
        _write(norms, norms_json(built))
        outcome.written.append(norms)
    return outcome


def make_grades(root: Path, paths: Sequence[Path], quiz: str, out: Path) -> Outcome:
    """Grade summative quiz ``quiz``: scores, one feedback page per learner, and the quiz's statistics.

    Writes ``scores.csv``, ``feedback/<learner>.html`` and the report's files
    for this quiz into ``out``.

    Raises
    ------
    UsageError
        If the repository has no such quiz, or it is not summative.
    """
    analysis, curriculum, keys = _analyse(root, paths, only=quiz)
    outcome = Outcome(analysis)
    outcome.written = _write_report(analysis, out, f"Grading report: {keys[quiz].quiz.title}")
    result = next((q for q in analysis.quizzes if q.id == quiz), None)
    if result is None:
        _write(out / "scores.csv", scores_csv(None, {}))
        outcome.written.append(out / "scores.csv")
        return outcome
    from curriculum.assess._grade import feedback_file_names, render_feedback
    from curriculum.render import Citations, Renderer

    md = Renderer(Citations(curriculum.bibliography) if curriculum.bibliography is not None else None)
    objectives = {o.id: o.text for doc in curriculum.lessons.values() for o in doc.model.objectives}
    names = feedback_file_names(result.learners)
    for score in result.learners:
        target = out / "feedback" / names[score.path]
        _write(target, render_feedback(result, keys[quiz], score, objectives, md))
        outcome.written.append(target)
    _write(out / "scores.csv", scores_csv(result, {path: f"feedback/{name}" for path, name in names.items()}))
    outcome.written.append(out / "scores.csv")
    return outcome


def _write_report(analysis: Analysis, out: Path, title: str) -> list[Path]:
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; give a folder for the report")
    texts = {
        "report.html": report_page(analysis, dt.datetime.now(dt.UTC), title),
        "items.csv": items_csv(analysis),
        "quizzes.csv": quizzes_csv(analysis),
        "learners.csv": learners_csv(analysis),
        "objectives.csv": objectives_csv(analysis),
        "mastery.csv": mastery_csv(analysis),
    }
    written = []
    for name in REPORT_FILES:
        _write(out / name, texts[name])
        written.append(out / name)
    return written


def _require_summative(root: Path, keys: dict[str, QuizKey], quiz: str) -> None:
    if quiz not in keys:
        if quiz in _broken_quizzes(root, keys):
            raise UsageError(f"quizzes/{quiz}.yml has errors: run `curriculum check quizzes/{quiz}.yml`")
        known = ", ".join(sorted(i for i, k in keys.items() if k.quiz.kind == "summative")) or "none"
        raise UsageError(f"no quiz `{quiz}` in quizzes/ (summative quizzes: {known})")
    kind = keys[quiz].quiz.kind
    if kind != "summative":
        raise UsageError(
            f"`{quiz}` is a {kind} quiz; `grade` grades summative quizzes "
            "(use `curriculum report` for the others)"
        )


def _broken_quizzes(root: Path, keys: dict[str, QuizKey]) -> set[str]:
    """Quiz files that exist but did not load (their errors are `curriculum check`'s to report)."""
    folder = root / "quizzes"
    return {p.stem for p in folder.glob("*.y*ml") if p.suffix in (".yml", ".yaml")} - set(keys)


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (creating its folder)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise CurriculumError(f"cannot write into {path.parent}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise CurriculumError(f"cannot write {path}: {exc.strerror}") from exc


def summary(outcome: Outcome, out: Path, norms: Path | None = None) -> list[str]:
    """Return the lines a command prints after the problems: what was counted, flagged and written."""
    a = outcome.analysis
    counts: dict[str, int] = {}
    for quiz in a.quizzes:
        for flag in [*quiz.flags, *(f for item in quiz.items for f in item.flags)]:
            counts[flag.severity] = counts.get(flag.severity, 0) + 1
    flags = (
        " · ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}" for s in counts)
        or "none"
    )
    lines = [
        f"report  {_plural(len(a.quizzes), 'quiz', 'quizzes')} · {_plural(len(a.learners), 'learner')} · "
        f"{_plural(a.files, 'file')} read · {len(a.problems)} left out · in {out}",
        f"flags   {flags}",
    ]
    for quiz in a.quizzes:
        provisional = " (provisional: fewer than 30)" if quiz.provisional else ""
        lines.append(
            f"  {quiz.id}: n {quiz.n}, mean {quiz.mean:.1f}/{quiz.k}, KR-20 {_figure(quiz.kr20)}, "
            f"SEM {_figure(quiz.sem)}{provisional}"
        )
    if norms is not None:
        kept = len(a.quizzes) - len(outcome.norms_left_out)
        line = f"norms   {_plural(kept, 'quiz', 'quizzes')} in {norms}"
        if outcome.norms_left_out:
            line += f"; left out (fewer than 5 learners): {', '.join(outcome.norms_left_out)}"
        lines.append(line)
    return lines


def _figure(value: float) -> str:
    return "not defined" if math.isnan(value) else f"{value:.2f}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"
