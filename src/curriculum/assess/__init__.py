"""Assessment: scoring, the learner's progress file, and (later) analytics and exports."""

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
    "ProgressFile",
    "ProgressRecord",
    "ProgressStore",
    "ProgressWarning",
    "item_correct",
    "passed",
    "score",
]
