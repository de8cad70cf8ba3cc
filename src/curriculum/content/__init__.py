"""Content: load YAML and notebooks into typed models and check the whole curriculum.

Data flows one way: files are read (:mod:`._source`), parsed with locations
(:mod:`._yaml`, :mod:`._notebook`, :mod:`._bibliography`), validated into
models (:mod:`._models`, :mod:`._validate`), then checked as a whole
(:mod:`._checks`, :mod:`._item_lint`, :mod:`._privacy`, :mod:`._language`).
Every problem is a :class:`Diagnostic`; nothing here prints or exits.
"""

from curriculum.content._check import CheckReport, check_curriculum, check_paths
from curriculum.content._diagnostics import (
    RULES,
    Diagnostic,
    Rule,
    Severity,
    format_diagnostics,
    worst,
)
from curriculum.content._models import (
    Choice,
    DebriefPart,
    Exercise,
    FacilitatorNotes,
    Item,
    LessonFrontMatter,
    MultipleItem,
    Node,
    Objective,
    Option,
    PathCondition,
    Patient,
    Quiz,
    SingleItem,
    Spotter,
    Technique,
    TechniqueVocabulary,
    Turn,
    Vignette,
    Worksheet,
)
from curriculum.content._project import (
    FORMATS,
    ContentFormat,
    Curriculum,
    Document,
    find_root,
    generated_dirs,
    load_curriculum,
    load_files,
    register_format,
)
from curriculum.content._worksheets import WORKSHEET_FIELDS

__all__ = [
    "FORMATS",
    "RULES",
    "WORKSHEET_FIELDS",
    "CheckReport",
    "Choice",
    "ContentFormat",
    "Curriculum",
    "DebriefPart",
    "Diagnostic",
    "Document",
    "Exercise",
    "FacilitatorNotes",
    "Item",
    "LessonFrontMatter",
    "MultipleItem",
    "Node",
    "Objective",
    "Option",
    "PathCondition",
    "Patient",
    "Quiz",
    "Rule",
    "Severity",
    "SingleItem",
    "Spotter",
    "Technique",
    "TechniqueVocabulary",
    "Turn",
    "Vignette",
    "Worksheet",
    "check_curriculum",
    "check_paths",
    "find_root",
    "format_diagnostics",
    "generated_dirs",
    "load_curriculum",
    "load_files",
    "register_format",
    "worst",
]
