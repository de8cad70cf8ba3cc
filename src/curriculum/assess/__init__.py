"""Assessment: scoring, the learner's progress file, and the faculty's cohort analytics.

The faculty's report and grading (:func:`make_report`, :func:`make_grades`)
load numpy and the report templates, so they are imported when first used,
not with the package (a lesson notebook imports this package for the
learner's progress file).
"""

import typing

from curriculum.assess._learner_files import Problem, ResponseFile
from curriculum.assess._mastery import Tally, latest_results, tally_mastery
from curriculum.assess._norms import Norms
from curriculum.assess._progress import (
    ImportResult,
    ProgressFile,
    ProgressRecord,
    ProgressStore,
    ProgressWarning,
)
from curriculum.assess._scoring import item_correct, passed, score

if typing.TYPE_CHECKING:
    from curriculum.assess._faculty import make_grades, make_report, summary

__all__ = [
    "ImportResult",
    "Norms",
    "Problem",
    "ProgressFile",
    "ProgressRecord",
    "ProgressStore",
    "ProgressWarning",
    "ResponseFile",
    "Tally",
    "item_correct",
    "latest_results",
    "make_grades",
    "make_report",
    "passed",
    "score",
    "summary",
    "tally_mastery",
]

_FACULTY = ("make_grades", "make_report", "summary")


def __getattr__(name: str) -> typing.Any:
    """Return the faculty's report and grading functions, imported on first use."""
    if name in _FACULTY:
        from curriculum.assess import _faculty

        return getattr(_faculty, name)
    raise AttributeError(f"module 'curriculum.assess' has no attribute {name!r}")
