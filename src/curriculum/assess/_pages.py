"""The faculty's HTML pages: the cohort report and each learner's feedback.

Each page is one self-contained file: its CSS inline, its charts inline SVG,
no script, nothing loaded from anywhere, so it opens offline, from an
e-mail attachment, and prints. A Content-Security-Policy allows only that
one style block (by its hash): even text that got past escaping could not
run or load anything. Every learner's text (names, file names) is escaped by
Jinja's autoescape; authored Markdown arrives rendered and sanitised.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from importlib.resources import files

import jinja2
from markupsafe import Markup

from curriculum.assess._analysis import Analysis, LearnerScore, QuizResult
from curriculum.assess._charts import difficulty_discrimination, mastery_heatmap, score_distribution
from curriculum.assess._flags import FLAGS, Flag
from curriculum.render import package_templates

__all__ = ["FeedbackItem", "FeedbackOption", "feedback_page", "report_page"]

_CSS = files("curriculum.assess").joinpath("templates/report.css").read_text(encoding="utf-8")
_CSP = (
    "default-src 'none'; style-src 'sha256-"
    + base64.b64encode(hashlib.sha256(_CSS.encode("utf-8")).digest()).decode("ascii")
    + "'; img-src 'none'; base-uri 'none'; form-action 'none'"
)


def _fixed(value: float, places: int = 2) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.{places}f}".replace("-", "−")


def _percent(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.0%}"


def _flag(flag: Flag) -> Markup:
    rule = FLAGS[flag.code]
    return Markup('<span class="badge flag-{0}">{1}</span> <abbr title="{2}">{3}</abbr>: {4}').format(
        rule.severity, rule.severity.capitalize(), rule.summary, flag.code, flag.detail
    )


_ENV = package_templates(
    "curriculum.assess", autoescape=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined
)
_ENV.filters.update(fixed=_fixed, percent=_percent)
_ENV.globals.update(flag=_flag, css=Markup(_CSS), csp=_CSP)


@dataclass(frozen=True)
class _QuizCharts:
    distribution: Markup
    scatter: Markup


def report_page(analysis: Analysis, generated: dt.datetime, title: str = "Cohort report") -> str:
    """Return the cohort report as one HTML page.

    Parameters
    ----------
    analysis : Analysis
        The analysed cohort.
    generated : datetime
        When the report was made (shown on the page).
    title : str
        The page's title.
    """
    charts = {
        q.id: _QuizCharts(
            distribution=score_distribution(
                f"dist-{q.id}", f"Score distribution: {q.title}", q.distribution, q.cut, q.k
            ),
            scatter=difficulty_discrimination(
                f"scatter-{q.id}", f"Item difficulty against discrimination: {q.title}", q.items
            ),
        )
        for q in analysis.quizzes
    }
    rows = [m.id for m in analysis.objectives]
    heatmap = (
        mastery_heatmap(
            "heatmap",
            "Mastery by objective and learner",
            rows,
            analysis.learners,
            analysis.heatmap,
            split=sum(1 for m in analysis.objectives if m.kind == "objective"),
        )
        if rows and analysis.learners
        else Markup("")
    )
    scores: dict[str, dict[str, LearnerScore]] = {
        q.id: {s.learner: s for s in q.learners} for q in analysis.quizzes
    }
    return _ENV.get_template("report.html.j2").render(
        a=analysis,
        title=title,
        generated=generated.strftime("%Y-%m-%d %H:%M UTC"),
        charts=charts,
        heatmap=heatmap,
        scores=scores,
        rules=list(FLAGS.values()),
    )


@dataclass(frozen=True)
class FeedbackOption:
    """One option as a learner's feedback page shows it (``text`` and ``feedback`` are sanitised HTML)."""

    id: str
    text: Markup
    chosen: bool
    keyed: bool
    feedback: Markup


@dataclass(frozen=True)
class FeedbackItem:
    """One item of a feedback page (``stem`` and ``rationale`` are sanitised HTML)."""

    verdict: str
    stem: Markup
    options: tuple[FeedbackOption, ...]
    rationale: Markup
    objectives: tuple[str, ...]


def feedback_page(
    quiz: QuizResult,
    score: LearnerScore,
    submitted: str,
    items: list[FeedbackItem],
    references: list[dict[str, Markup | str]],
) -> str:
    """Return one learner's feedback page.

    Parameters
    ----------
    quiz : QuizResult
        The graded quiz.
    score : LearnerScore
        The learner's result.
    submitted : str
        When the learner submitted, as shown.
    items : list[FeedbackItem]
        Each item with the learner's answer, the key, the feedback and the rationale.
    references : list[dict]
        ``key`` and formatted ``html`` of every reference the rationales cite.
    """
    return _ENV.get_template("feedback.html.j2").render(
        quiz=quiz,
        score=score,
        submitted=submitted,
        items=items,
        references=references,
        provisional=quiz.provisional,
    )
