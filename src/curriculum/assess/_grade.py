"""Grading a summative quiz: each learner's feedback page, from the repository's key.

The learner's page shows every item with the learner's answer, the key, the
authored feedback on both, the rationale and its references, rendered from
the quiz's Markdown (sanitised) with the project's formatted citations. The
file name comes from the learner's name, reduced to safe characters, so no
name can choose where a file is written.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping

from markupsafe import Markup

from curriculum.assess._analysis import LearnerScore, QuizResult
from curriculum.assess._cohort import QuizKey
from curriculum.assess._pages import FeedbackItem, FeedbackOption, feedback_page
from curriculum.assess._scoring import item_correct
from curriculum.render import Renderer, sanitize, without_verdict

__all__ = ["feedback_file_names", "render_feedback"]


def feedback_file_names(scores: tuple[LearnerScore, ...]) -> dict[str, str]:
    """Return a distinct, safe file name for each learner's feedback page, by source file."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for score in scores:
        ascii_name = unicodedata.normalize("NFKD", score.learner).encode("ascii", "ignore").decode("ascii")
        stem = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60] or "learner"
        name, n = f"{stem}.html", 2
        while name in taken:
            name, n = f"{stem}-{n}.html", n + 1
        taken.add(name)
        names[score.path] = name
    return names


def render_feedback(
    quiz: QuizResult, key: QuizKey, score: LearnerScore, objectives: Mapping[str, str], md: Renderer
) -> str:
    """Return the feedback page of one learner.

    Parameters
    ----------
    quiz : QuizResult
        The graded quiz.
    key : QuizKey
        The quiz as authored (stems, options, feedback, rationales).
    score : LearnerScore
        The learner's answers and result.
    objectives : Mapping[str, str]
        Objective id to its statement.
    md : Renderer
        Markdown renderer with the project's citations.
    """
    items = []
    cited: dict[str, None] = {}
    for item in key.quiz.items:
        chosen = set(score.responses.get(item.id, ()))
        keyed = set(item.key_ids)
        correct = item_correct(keyed, chosen)
        verdict = "not answered" if not chosen else ("correct" if correct else "incorrect")
        options = tuple(
            FeedbackOption(
                id=o.id,
                text=Markup(md.inline(o.text)),
                chosen=o.id in chosen,
                keyed=o.id in keyed,
                feedback=Markup(md.block(without_verdict(o.feedback) if o.id in keyed else o.feedback))
                if o.id in chosen or o.id in keyed
                else Markup(""),
            )
            for o in item.options
        )
        for text in (
            item.rationale,
            *(o.feedback for o in item.options),
            *(f"[@{k}]" for k in item.references),
        ):
            for cite in md.keys(text):
                cited.setdefault(cite, None)
        items.append(
            FeedbackItem(
                verdict=verdict,
                stem=Markup(md.block(item.stem)),
                options=options,
                rationale=Markup(md.block(item.rationale)),
                objectives=tuple(objectives.get(o, o) for o in item.objectives),
            )
        )
    references: list[dict[str, Markup | str]] = []
    for cite in cited:
        ref = md.reference(cite)
        if ref is not None:
            references.append({"key": cite, "html": Markup(sanitize(ref.html))})
    references.sort(key=lambda r: str(r["html"]).lower())
    submitted = (
        score.submitted.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if score.submitted else "unknown"
    )
    return feedback_page(quiz, score, submitted, items, references)
