"""Assessment: scoring, the learner's progress file, and the faculty's cohort analytics."""

from curriculum.assess._learner_files import ResponseFile
from curriculum.assess._norms import Norms
from curriculum.assess._progress import (
    ImportResult,
    ProgressFile,
    ProgressRecord,
    ProgressStore,
    ProgressWarning,
)
from curriculum.assess._scoring import item_correct, passed, score

__all__ = [
    "ImportResult",
    "Norms",
    "ProgressFile",
    "ProgressRecord",
    "ProgressStore",
    "ProgressWarning",
    "ResponseFile",
    "item_correct",
    "passed",
    "score",
]
