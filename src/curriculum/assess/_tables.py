"""The analysis as CSV files, for spreadsheets and for other programs.

Numbers are written with four decimals (shares and correlations) or as they
are (counts); an undefined value (a correlation with no variance, KR-20 of a
one-item quiz) is an empty cell. Text a learner typed, or a file's name,
that begins with ``=``, ``+``, ``-``, ``@`` or a control character is
written with a leading apostrophe, so a spreadsheet shows it as text instead
of running it as a formula (CSV injection).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence

import numpy as np

from curriculum.assess._analysis import Analysis, LearnerScore, QuizResult
from curriculum.assess._statistics import OPTION_LETTERS

__all__ = [
    "items_csv",
    "learners_csv",
    "mastery_csv",
    "objectives_csv",
    "quizzes_csv",
    "scores_csv",
    "untrusted",
]

_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n")


def untrusted(text: str) -> str:
    """Return text from a learner or a file name as a spreadsheet shows it, never as a formula."""
    return "'" + text if text.startswith(_FORMULA) else text


def _number(value: float, places: int = 4) -> str:
    return "" if math.isnan(value) else format(value, _FORMATS[places])


_FORMATS = {1: ".1f", 4: ".4f"}


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def items_csv(analysis: Analysis) -> str:
    """Return ``items.csv``: one row per item of every quiz.

    Columns: ``quiz, item, n, p, rpb, d, type, key, omitted``, one
    ``option_<id>`` share column per option id used by any item, one
    ``rpb_<id>`` column per option (its correlation with the total score),
    ``nfd`` (the non-functioning distractors), ``flags`` (codes, ``;``
    between them), ``provisional`` and ``objectives``.
    """
    letters = [o for o in OPTION_LETTERS if any(o in i.options for q in analysis.quizzes for i in q.items)]
    header = [
        "quiz",
        "item",
        "n",
        "p",
        "rpb",
        "d",
        "type",
        "key",
        "omitted",
        *(f"option_{o}" for o in letters),
        *(f"rpb_{o}" for o in letters),
        "nfd",
        "flags",
        "provisional",
        "objectives",
    ]
    rows = []
    for quiz in analysis.quizzes:
        for item in quiz.items:
            rows.append(
                [
                    quiz.id,
                    item.id,
                    item.n,
                    _number(item.p),
                    _number(item.rpb),
                    _number(item.d),
                    item.type,
                    " ".join(item.key),
                    _number(item.omitted),
                    *(_number(item.shares[o]) if o in item.shares else "" for o in letters),
                    *(_number(item.option_rpb[o]) if o in item.option_rpb else "" for o in letters),
                    " ".join(item.nfd),
                    ";".join(dict.fromkeys(f.code for f in item.flags)),
                    str(quiz.provisional).lower(),
                    " ".join(item.objectives),
                ]
            )
    return _csv(header, rows)


def quizzes_csv(analysis: Analysis) -> str:
    """Return ``quizzes.csv``: one row per quiz.

    Columns: ``quiz, n, mean, sd, kr20, sem, provisional`` (mean, SD and SEM
    in items correct), then ``title, kind, items, pass_mark, passed,
    decision_consistency, kappa, flags``.
    """
    header = [
        "quiz",
        "n",
        "mean",
        "sd",
        "kr20",
        "sem",
        "provisional",
        "title",
        "kind",
        "items",
        "pass_mark",
        "passed",
        "decision_consistency",
        "kappa",
        "flags",
    ]
    rows = [
        [
            q.id,
            q.n,
            _number(q.mean),
            _number(q.sd),
            _number(q.kr20),
            _number(q.sem),
            str(q.provisional).lower(),
            q.title,
            q.kind,
            q.k,
            "" if q.pass_mark is None else f"{q.pass_mark:g}",
            "" if q.passed is None else q.passed,
            _number(q.decision.agreement) if q.decision else "",
            _number(q.decision.kappa) if q.decision else "",
            ";".join(f.code for f in q.flags),
        ]
        for q in analysis.quizzes
    ]
    return _csv(header, rows)


def _learner_rows(scores: Iterable[LearnerScore]) -> list[list[object]]:
    return [
        [
            untrusted(s.learner),
            s.quiz,
            s.correct,
            s.items,
            _number(s.score),
            _number(s.percentile, 1),
            "" if s.passed is None else str(s.passed).lower(),
            untrusted(s.path),
        ]
        for s in scores
    ]


_LEARNER_HEADER = ["learner", "quiz", "correct", "items", "score", "percentile", "passed", "file"]


def learners_csv(analysis: Analysis) -> str:
    """Return ``learners.csv``: one row per learner and quiz.

    Columns: ``learner, quiz, correct, items, score`` (proportion correct),
    ``percentile`` (midpoint percentile rank in that quiz's cohort),
    ``passed`` and ``file``.
    """
    scores = sorted(
        (s for q in analysis.quizzes for s in q.learners), key=lambda s: (s.learner.casefold(), s.quiz)
    )
    return _csv(_LEARNER_HEADER, _learner_rows(scores))


def scores_csv(quiz: QuizResult | None, feedback: dict[str, str]) -> str:
    """Return ``scores.csv`` of ``curriculum grade``: the learners' rows plus their feedback file.

    With no quiz (no learner's file could be counted), the header alone.
    """
    if quiz is None:
        return _csv([*_LEARNER_HEADER, "feedback"], [])
    rows = _learner_rows(quiz.learners)
    for row, score in zip(rows, quiz.learners, strict=True):
        row.append(feedback.get(score.path, ""))
    return _csv([*_LEARNER_HEADER, "feedback"], rows)


def objectives_csv(analysis: Analysis) -> str:
    """Return ``objectives.csv``: mastery per objective, then per ACGME subcompetency.

    Columns: ``kind`` (``objective`` or ``subcompetency``), ``id, lesson,
    text, competencies, items, learners, responses, mastery`` (the mean of
    the learners' proportions correct).
    """
    header = ["kind", "id", "lesson", "text", "competencies", "items", "learners", "responses", "mastery"]
    rows = [
        [
            m.kind,
            m.id,
            m.lesson,
            m.text,
            " ".join(m.competencies),
            m.items,
            m.learners,
            m.responses,
            _number(m.mastery),
        ]
        for m in analysis.objectives
    ]
    return _csv(header, rows)


def mastery_csv(analysis: Analysis) -> str:
    """Return ``mastery.csv``, the heatmap's figures: each learner's proportion correct per row."""
    matrix = analysis.heatmap
    rows_at, columns_at = np.nonzero(~np.isnan(matrix))
    names = [untrusted(name) for name in analysis.learners]
    rows = [
        (names[c], analysis.objectives[r].kind, analysis.objectives[r].id, f"{value:.4f}")
        for r, c, value in zip(
            rows_at.tolist(), columns_at.tolist(), matrix[rows_at, columns_at].tolist(), strict=True
        )
    ]
    return _csv(["learner", "kind", "id", "proportion"], rows)
