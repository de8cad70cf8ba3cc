"""Content: load YAML and notebooks into typed models and check the whole curriculum.

Data flows one way: files are read (:mod:`._source`), parsed with locations
(:mod:`._yaml`, :mod:`._notebook`, :mod:`._bibliography`), validated into
models (:mod:`._models`, :mod:`._validate`), then checked as a whole
(:mod:`._checks`, :mod:`._item_lint`, :mod:`._privacy`, :mod:`._language`).
Every problem is a :class:`Diagnostic`; nothing here prints or exits.

Besides the models and the checks, this is where the other layers find the
project's files read and written safely (:func:`read_bytes`,
:func:`write_atomic`, :func:`inside`), YAML with locations
(:func:`parse_yaml`, :func:`validate_model`), and the citation syntax
(:func:`cited_keys`) the renderer shares with the checks.
"""

from curriculum.content._bibliography import BIBLIOGRAPHY, Bibliography, read_bibliography
from curriculum.content._build_rules import E_CONFIG, E_EXECUTE, E_FREEZE, E_PAGE, E_PANDOC, E_REFERENCE
from curriculum.content._calls import Call, CellCode, parse_cells
from curriculum.content._check import CheckReport, check_curriculum, check_paths, describe
from curriculum.content._check_record import CHECK_RECORD
from curriculum.content._citations import (
    CITATION,
    GROUP,
    STARTS_CITATION,
    citation_keys,
    cited_keys,
    masked,
)
from curriculum.content._competencies import COMPETENCY_DOMAINS, competency_domain, competency_name
from curriculum.content._diagnostics import (
    RULES,
    Diagnostic,
    Rule,
    Severity,
    format_diagnostics,
    printable,
    worst,
)
from curriculum.content._facts import DocumentFacts
from curriculum.content._files import (
    E_OUTSIDE,
    Confined,
    FileRefused,
    FolderStamp,
    Listings,
    changed_while_read,
    display_path,
    folder_entries,
    folder_names,
    folder_stamp,
    inside,
    read_bytes,
    read_existing,
    relative_namer,
    relative_posix,
    text_digest,
    write_atomic,
)
from curriculum.content._models import (
    Activity,
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
from curriculum.content._nesting import nesting_problem
from curriculum.content._notebook import Cell, notebook_cells
from curriculum.content._notes import NOTES_FOLDER
from curriculum.content._project import (
    EVERY,
    FORMATS,
    PROJECT_FILE,
    ContentFormat,
    Curriculum,
    Document,
    HiddenContent,
    every_objective_text,
    find_root,
    front_matter_digest,
    generated_dirs,
    lessons_digest,
    load_curriculum,
    load_files,
    objective_texts,
    project_file_names,
    project_files,
    register_format,
)
from curriculum.content._rules_doc import rules_by_area
from curriculum.content._schema import write_schemas
from curriculum.content._source import E_EMPTY, Source, read_source, size_limit
from curriculum.content._templates import new_content, new_kinds
from curriculum.content._validate import did_you_mean, validate_model
from curriculum.content._worksheets import WORKSHEET_FIELDS
from curriculum.content._yaml import Loc, LocMap, Pos, load_yaml, parse_yaml

__all__ = [
    "BIBLIOGRAPHY",
    "CHECK_RECORD",
    "CITATION",
    "COMPETENCY_DOMAINS",
    "EVERY",
    "E_CONFIG",
    "E_EMPTY",
    "E_EXECUTE",
    "E_FREEZE",
    "E_OUTSIDE",
    "E_PAGE",
    "E_PANDOC",
    "E_REFERENCE",
    "FORMATS",
    "GROUP",
    "NOTES_FOLDER",
    "PROJECT_FILE",
    "RULES",
    "STARTS_CITATION",
    "WORKSHEET_FIELDS",
    "Activity",
    "Bibliography",
    "Call",
    "Cell",
    "CellCode",
    "CheckReport",
    "Choice",
    "Confined",
    "ContentFormat",
    "Curriculum",
    "DebriefPart",
    "Diagnostic",
    "Document",
    "DocumentFacts",
    "Exercise",
    "FacilitatorNotes",
    "FileRefused",
    "FolderStamp",
    "HiddenContent",
    "Item",
    "LessonFrontMatter",
    "Listings",
    "Loc",
    "LocMap",
    "MultipleItem",
    "Node",
    "Objective",
    "Option",
    "PathCondition",
    "Patient",
    "Pos",
    "Quiz",
    "Rule",
    "Severity",
    "SingleItem",
    "Source",
    "Spotter",
    "Technique",
    "TechniqueVocabulary",
    "Turn",
    "Vignette",
    "Worksheet",
    "changed_while_read",
    "check_curriculum",
    "check_paths",
    "citation_keys",
    "cited_keys",
    "competency_domain",
    "competency_name",
    "describe",
    "did_you_mean",
    "display_path",
    "every_objective_text",
    "find_root",
    "folder_entries",
    "folder_names",
    "folder_stamp",
    "format_diagnostics",
    "front_matter_digest",
    "generated_dirs",
    "inside",
    "lessons_digest",
    "load_curriculum",
    "load_files",
    "load_yaml",
    "masked",
    "nesting_problem",
    "new_content",
    "new_kinds",
    "notebook_cells",
    "objective_texts",
    "parse_cells",
    "parse_yaml",
    "printable",
    "project_file_names",
    "project_files",
    "read_bibliography",
    "read_bytes",
    "read_existing",
    "read_source",
    "register_format",
    "relative_namer",
    "relative_posix",
    "rules_by_area",
    "size_limit",
    "text_digest",
    "validate_model",
    "worst",
    "write_atomic",
    "write_schemas",
]
