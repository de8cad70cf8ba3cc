"""Cohort analysis: the statistics of every quiz, learner and objective, as one model.

The model is what every writer reads (the HTML report, the CSV files, the
norms, the grade's feedback pages); none of them computes anything. Mastery
of an objective is a learner's proportion correct over the items mapped to
it (in every quiz they took), and the cohort's is the mean over the learners
who answered at least one such item. An ACGME subcompetency is reached
through the objectives: an item counts towards each subcompetency of its
objectives, once.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from curriculum.assess._cohort import Cohort, QuizResponses
from curriculum.assess._flags import PROVISIONAL_BELOW, Flag, item_flags, quiz_flags
from curriculum.assess._learner_files import Problem
from curriculum.assess._scoring import passed as reaches_pass_mark
from curriculum.assess._statistics import (
    OPTION_LETTERS,
    DecisionConsistency,
    decision_consistency,
    item_statistics,
    kr20,
    percentile_ranks,
)
from curriculum.content import Curriculum
from curriculum.hosts.notebook import _competency_name

__all__ = ["Analysis", "ItemResult", "LearnerScore", "Mastery", "QuizResult", "analyse"]


@dataclass(frozen=True)
class ItemResult:
    """One item's statistics and flags.

    Attributes
    ----------
    id, type : str
        The item and its type (``single`` or ``multiple``).
    objectives : tuple[str, ...]
        The objectives it measures.
    options, key : tuple[str, ...]
        The options offered and the keyed ones.
    n : int
        Respondents.
    p, rpb, d : float
        Difficulty, corrected point-biserial, upper-lower discrimination (NaN if undefined).
    shares : dict[str, float]
        Option id to the share of respondents who selected it.
    omitted : float
        The share who selected nothing.
    option_rpb : dict[str, float]
        Option id to its correlation with the total score.
    flags : tuple[Flag, ...]
        The §5.4 flags.
    """

    id: str
    type: str
    objectives: tuple[str, ...]
    options: tuple[str, ...]
    key: tuple[str, ...]
    n: int
    p: float
    rpb: float
    d: float
    shares: dict[str, float]
    omitted: float
    option_rpb: dict[str, float]
    flags: tuple[Flag, ...]

    @property
    def nfd(self) -> tuple[str, ...]:
        """The non-functioning distractors (chosen by fewer than 5%)."""
        return tuple(f.option for f in self.flags if f.code == "nfd" and f.option is not None)


@dataclass(frozen=True)
class LearnerScore:
    """One learner's result on one quiz.

    Attributes
    ----------
    learner : str
        The name typed, or the file's path (faculty files only; never published).
    quiz : str
        The quiz id.
    correct, items : int
        Items correct, items in the quiz.
    percentile : float
        Midpoint percentile rank in the cohort of this quiz.
    passed : bool | None
        Against the quiz's pass mark (None without one).
    path : str
        The file the answers came from.
    responses : dict[str, list[str]]
        Item id to the options selected.
    submitted : datetime | None
        When the learner submitted.
    """

    learner: str
    quiz: str
    correct: int
    items: int
    percentile: float
    passed: bool | None
    path: str
    responses: dict[str, list[str]]
    submitted: dt.datetime | None

    @property
    def score(self) -> float:
        """The proportion correct."""
        return self.correct / self.items if self.items else 0.0


@dataclass(frozen=True)
class QuizResult:
    """One quiz's test statistics, items and learners.

    Attributes
    ----------
    id, title, kind : str
        The quiz.
    pass_mark : float | None
        Its pass mark.
    n, k : int
        Respondents, items.
    mean, sd : float
        Number correct: mean and standard deviation (n - 1 in the denominator; NaN for one learner).
    kr20, sem : float
        Reliability and the standard error of measurement, in items.
    decision : DecisionConsistency | None
        Pass/fail decision consistency, when there is a pass mark.
    distribution : tuple[int, ...]
        Learners with each number correct, 0 to k.
    items : tuple[ItemResult, ...]
        Per item.
    learners : tuple[LearnerScore, ...]
        Per learner.
    flags : tuple[Flag, ...]
        Quiz-level flags.
    """

    id: str
    title: str
    kind: str
    pass_mark: float | None
    n: int
    k: int
    mean: float
    sd: float
    kr20: float
    sem: float
    decision: DecisionConsistency | None
    distribution: tuple[int, ...]
    items: tuple[ItemResult, ...]
    learners: tuple[LearnerScore, ...]
    flags: tuple[Flag, ...]

    @property
    def provisional(self) -> bool:
        """Whether fewer than 30 learners answered (statistics are then provisional)."""
        return self.n < PROVISIONAL_BELOW

    @property
    def cut(self) -> int | None:
        """The lowest passing number correct (None without a pass mark)."""
        return None if self.pass_mark is None else math.ceil(self.pass_mark * self.k - 1e-9)

    @property
    def passed(self) -> int | None:
        """Learners who passed (None without a pass mark)."""
        if self.pass_mark is None:
            return None
        return sum(1 for s in self.learners if s.passed)

    @property
    def percentile_table(self) -> tuple[float, ...]:
        """The percentile rank of each number correct, 0 to k (midpoint; 0 below everyone)."""
        counts = np.asarray(self.distribution, dtype=np.float64)
        below = np.concatenate([[0.0], np.cumsum(counts)[:-1]])
        return tuple(float(x) for x in np.round(100 * (below + counts / 2) / max(self.n, 1), 1))


@dataclass(frozen=True)
class Mastery:
    """The cohort's mastery of one objective or ACGME subcompetency.

    Attributes
    ----------
    kind : str
        ``objective`` or ``subcompetency``.
    id : str
        The objective id or the subcompetency code (``PC4``).
    text : str
        The objective's words, or the subcompetency's name ("Medical Knowledge 4").
    lesson : str
        The lesson that states the objective ("" for a subcompetency).
    competencies : tuple[str, ...]
        An objective's subcompetencies.
    items : int
        Items mapped to it, in the quizzes analysed.
    learners : int
        Learners who answered at least one of them.
    responses : int
        Answers to them.
    mastery : float
        The mean over those learners of their proportion correct.
    """

    kind: str
    id: str
    text: str
    lesson: str
    competencies: tuple[str, ...]
    items: int
    learners: int
    responses: int
    mastery: float


@dataclass
class Analysis:
    """Everything the report shows.

    Attributes
    ----------
    site : str
        The site id.
    quizzes : list[QuizResult]
        Quizzes with at least one submission, in the repository's order.
    learners : list[str]
        Every learner, ordered by name.
    objectives : list[Mastery]
        Objectives then subcompetencies.
    heatmap : ndarray of shape (len(objectives), len(learners))
        Each learner's proportion correct per objective or subcompetency (NaN: not answered).
    problems : list[Problem]
        Files and records skipped.
    notes : list[str]
        What was left out on purpose.
    files : int
        Files read.
    """

    site: str
    quizzes: list[QuizResult] = field(default_factory=list)
    learners: list[str] = field(default_factory=list)
    objectives: list[Mastery] = field(default_factory=list)
    heatmap: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 0)))
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: int = 0


def analyse(cohort: Cohort, curriculum: Curriculum, site: str) -> Analysis:
    """Compute every statistic of the cohort.

    Parameters
    ----------
    cohort : Cohort
        The counted submissions.
    curriculum : Curriculum
        The repository's content (objective texts and subcompetencies).
    site : str
        The site id.
    """
    result = Analysis(site=site, problems=cohort.problems, notes=cohort.notes, files=cohort.files)
    result.quizzes = [_quiz(responses) for responses in cohort.quizzes.values()]
    result.learners = sorted(
        {s.learner for q in cohort.quizzes.values() for s in q.submissions}, key=lambda x: (x.casefold(), x)
    )
    result.objectives, result.heatmap = _mastery(cohort, curriculum, result.learners)
    return result


def _quiz(responses: QuizResponses) -> QuizResult:
    key = responses.key
    quiz = key.quiz
    stats = item_statistics(responses.codes, key.keys)
    n, k = responses.codes.shape
    totals = stats.totals
    mean = float(totals.mean())
    sd = float(totals.std(ddof=1)) if n > 1 else math.nan
    reliability = kr20(stats.scored)
    sem = sd * math.sqrt(1 - reliability) if not math.isnan(reliability) else math.nan
    ranks = percentile_ranks(totals)
    flags = item_flags(stats, key.keys, key.valid)
    items = tuple(
        ItemResult(
            id=item.id,
            type=item.type,
            objectives=tuple(item.objectives),
            options=key.options[j],
            key=tuple(o for o in key.options[j] if (int(key.keys[j]) >> OPTION_LETTERS.index(o)) & 1),
            n=n,
            p=float(stats.p[j]),
            rpb=float(stats.rpb[j]),
            d=float(stats.d[j]),
            shares={o: float(stats.shares[j, OPTION_LETTERS.index(o)]) for o in key.options[j]},
            omitted=float(stats.omitted[j]),
            option_rpb={o: float(stats.option_rpb[j, OPTION_LETTERS.index(o)]) for o in key.options[j]},
            flags=tuple(flags[j]),
        )
        for j, item in enumerate(quiz.items)
    )
    learners = tuple(
        LearnerScore(
            learner=sub.learner,
            quiz=key.id,
            correct=int(totals[i]),
            items=k,
            percentile=float(ranks[i]),
            passed=reaches_pass_mark(float(totals[i]) / k, quiz.pass_mark),
            path=sub.path,
            responses=sub.responses,
            submitted=sub.submitted,
        )
        for i, sub in enumerate(responses.submissions)
    )
    decision = (
        decision_consistency(mean, sd, reliability, k, quiz.pass_mark) if quiz.pass_mark is not None else None
    )
    return QuizResult(
        id=key.id,
        title=quiz.title,
        kind=quiz.kind,
        pass_mark=quiz.pass_mark,
        n=n,
        k=k,
        mean=mean,
        sd=sd,
        kr20=reliability,
        sem=sem,
        decision=decision,
        distribution=tuple(int(c) for c in np.bincount(totals.astype(np.int64), minlength=k + 1)),
        items=items,
        learners=learners,
        flags=tuple(quiz_flags(quiz.kind, reliability)),
    )


def _mastery(
    cohort: Cohort, curriculum: Curriculum, learners: list[str]
) -> tuple[list[Mastery], NDArray[np.float64]]:
    """Mastery per objective and per subcompetency: cohort rows and the learner-by-row matrix."""
    known = {
        o.id: (o, doc.model.lesson_id) for doc in curriculum.lessons.values() for o in doc.model.objectives
    }
    used = list(
        dict.fromkeys(
            o for q in cohort.quizzes.values() for item in q.key.quiz.items for o in item.objectives
        )
    )
    order = {oid: i for i, oid in enumerate(known)}
    objectives = sorted(used, key=lambda o: (order.get(o, len(order)), o))
    competencies = sorted({c for o in objectives if o in known for c in known[o][0].competencies})
    rows = [("objective", o) for o in objectives] + [("subcompetency", c) for c in competencies]
    row_of = {row: i for i, row in enumerate(rows)}
    column = {name: i for i, name in enumerate(learners)}
    correct = np.zeros((len(rows), len(learners)))
    answered = np.zeros((len(rows), len(learners)))
    item_counts = np.zeros(len(rows), dtype=np.int64)
    for q in cohort.quizzes.values():
        incidence = np.zeros((len(q.key.items), len(rows)))
        for j, item in enumerate(q.key.quiz.items):
            for o in item.objectives:
                incidence[j, row_of["objective", o]] = 1
                for c in known[o][0].competencies if o in known else ():
                    incidence[j, row_of["subcompetency", c]] = 1
        scored = (q.codes == q.key.keys[None, :]).astype(np.float64)
        cols = np.array([column[s.learner] for s in q.submissions])
        np.add.at(correct.T, cols, scored @ incidence)
        np.add.at(answered.T, cols, np.broadcast_to(incidence.sum(axis=0), (len(cols), len(rows))))
        item_counts += incidence.sum(axis=0).astype(np.int64)
    heat = np.full(correct.shape, math.nan)
    np.divide(correct, answered, out=heat, where=answered > 0)
    out = []
    for i, (kind, ident) in enumerate(rows):
        took = answered[i] > 0
        objective, lesson = known.get(ident, (None, "")) if kind == "objective" else (None, "")
        out.append(
            Mastery(
                kind=kind,
                id=ident,
                text=objective.text
                if objective
                else (_competency_name(ident) if kind == "subcompetency" else ""),
                lesson=lesson,
                competencies=tuple(objective.competencies) if objective else (),
                items=int(item_counts[i]),
                learners=int(took.sum()),
                responses=int(answered[i].sum()),
                mastery=float(heat[i, took].mean()) if took.any() else math.nan,
            )
        )
    return out, heat
