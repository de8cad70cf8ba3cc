"""Cohort norms: anonymous aggregates a build can publish for learners' peer comparison.

A norms file says, per quiz, how many learners took it, their mean and
standard deviation, how many reached each number correct and the percentile
rank of each number correct. It holds no name, no file name and no row per
learner, so it can go on the site. A quiz answered by fewer than
:data:`MIN_RESPONDENTS` learners is left out: in so small a group the
distribution would tell who scored what. The quiz's item ids are listed, so
a build can tell when the quiz has changed since and the norms no longer
apply. The format is versioned (``format``, ``version``) and has a JSON
Schema (``schemas/norms.schema.json``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from curriculum.assess._analysis import Analysis, QuizResult

__all__ = ["MIN_RESPONDENTS", "NORMS_FORMAT", "Norms", "QuizNorms", "build_norms", "norms_json"]

NORMS_FORMAT = "curriculum-norms"
MIN_RESPONDENTS = 5
"""A quiz answered by fewer learners is left out of the norms."""


class QuizNorms(BaseModel):
    """The norms of one quiz.

    Attributes
    ----------
    title : str
        The quiz's title.
    items : list[str]
        The quiz's item ids, in order, when the norms were computed; the norms
        apply only while the quiz has exactly these items.
    n : int
        Learners (each counted once, on their first finished attempt).
    mean : float
        Mean proportion correct (0-1).
    sd : float
        Standard deviation of the proportion correct (n - 1 in the denominator).
    provisional : bool
        Fewer than 30 learners: the figures may move a lot with more.
    distribution : list[int]
        Learners with each number correct, from 0 to the number of items.
    percentiles : list[float]
        The midpoint percentile rank (0-100) of each number correct, from 0 to
        the number of items: the percentage of learners below it plus half of
        those on it.
    """

    model_config = ConfigDict(extra="forbid")

    title: str
    items: Annotated[list[str], Field(min_length=1)]
    n: Annotated[int, Field(ge=MIN_RESPONDENTS)]
    mean: Annotated[float, Field(ge=0, le=1)]
    sd: Annotated[float, Field(ge=0)]
    provisional: bool
    distribution: list[Annotated[int, Field(ge=0)]]
    percentiles: list[Annotated[float, Field(ge=0, le=100)]]


class Norms(BaseModel):
    """A norms file (version 1).

    Attributes
    ----------
    format : str
        Always ``curriculum-norms``.
    version : int
        The format version, 1.
    site : str
        The site the quizzes belong to.
    generated : str
        The date the norms were computed (``YYYY-MM-DD``).
    min_respondents : int
        Quizzes answered by fewer learners were left out.
    quizzes : dict[str, QuizNorms]
        Quiz id to its norms.
    """

    model_config = ConfigDict(extra="forbid")

    format: Literal["curriculum-norms"] = "curriculum-norms"
    version: Literal[1] = 1
    site: str
    generated: str
    min_respondents: int = MIN_RESPONDENTS
    quizzes: dict[str, QuizNorms] = {}


def _quiz_norms(quiz: QuizResult) -> QuizNorms:
    return QuizNorms(
        title=quiz.title,
        items=[item.id for item in quiz.items],
        n=quiz.n,
        mean=round(quiz.mean / quiz.k, 4),
        sd=0.0 if math.isnan(quiz.sd) else round(quiz.sd / quiz.k, 4),
        provisional=quiz.provisional,
        distribution=list(quiz.distribution),
        percentiles=list(quiz.percentile_table),
    )


def build_norms(analysis: Analysis, today: dt.date | None = None) -> tuple[Norms, list[str]]:
    """Return the norms of the analysed quizzes, and the ids of those left out (too few learners)."""
    kept = {q.id: _quiz_norms(q) for q in analysis.quizzes if q.n >= MIN_RESPONDENTS}
    left_out = [q.id for q in analysis.quizzes if q.n < MIN_RESPONDENTS]
    generated = (today or dt.datetime.now(dt.UTC).date()).isoformat()
    return Norms(site=analysis.site, generated=generated, quizzes=kept), left_out


def norms_json(norms: Norms) -> str:
    """Return the norms as the JSON text of the file."""
    return json.dumps(norms.model_dump(), ensure_ascii=False, indent=1, allow_nan=False) + "\n"
