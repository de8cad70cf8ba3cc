"""Typed content models: quizzes, vignettes, exercises, lessons and techniques.

These pydantic models are the contract between authors and every renderer:
YAML is validated into them once, and nothing downstream re-validates. Every
model forbids unknown keys (a misspelt key is an error, never silently
ignored), every enumeration is a ``Literal``, and unions are discriminated on
``type`` or ``kind`` so a mistake produces one error, not one per member. The
attribute docstrings are the field reference: they become the JSON Schema
descriptions that editors show and the API reference pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "ID_PATTERN",
    "Activity",
    "Choice",
    "Competency",
    "DebriefPart",
    "Exercise",
    "FacilitatorNotes",
    "Faculty",
    "Item",
    "LessonFrontMatter",
    "MultipleItem",
    "Node",
    "Objective",
    "Option",
    "PathCondition",
    "Patient",
    "Quiz",
    "SingleItem",
    "Spotter",
    "Technique",
    "TechniqueVocabulary",
    "Turn",
    "Vignette",
    "Worksheet",
    "YModel",
]

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
KEY_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_:.#$%&+?<>~/-]*$"
OPTION_PATTERN = r"^[a-h]$"

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
"""An id: lowercase letters, digits and single hyphens, e.g. ``cbt-intro``."""
OptionId = Annotated[str, StringConstraints(pattern=OPTION_PATTERN)]
"""An option id: one lowercase letter, ``a`` to ``h``."""
CitationKey = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
"""A key in ``references.bib``."""
MAX_TEXT = 5_000
"""Most characters in a plain-text field (a title, an option): a few paragraphs."""
MAX_MARKDOWN = 20_000
"""Most characters in a Markdown field (a stem, a scene, a rationale): several pages."""

Text = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT, strip_whitespace=True)]
"""Plain text, not empty, at most :data:`MAX_TEXT` characters."""
Markdown = Annotated[str, StringConstraints(min_length=1, max_length=MAX_MARKDOWN)]
"""Markdown, rendered and sanitised before display; may cite with ``[@key]``; at most :data:`MAX_MARKDOWN`
characters."""
Reason = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
"""Why a lint rule is silenced here, written for the next reviewer."""

Competency = Literal[
    "PC1",
    "PC2",
    "PC3",
    "PC4",
    "PC5",
    "PC6",
    "MK1",
    "MK2",
    "MK3",
    "MK4",
    "SBP1",
    "SBP2",
    "SBP3",
    "PBLI1",
    "PBLI2",
    "PROF1",
    "PROF2",
    "PROF3",
    "ICS1",
    "ICS2",
    "ICS3",
]
"""An ACGME Psychiatry Milestones 2.0 subcompetency code."""
YModel = Literal["stem", "psychodynamic", "cbt"]
"""A place on the Y model: the shared stem or one of the two branches."""
Modality = Literal["common", "supportive", "psychodynamic", "cbt", "integrated"]
TechniqueModality = Literal["common", "supportive", "psychodynamic", "cbt"]
Disorder = Literal[
    "schizophrenia",
    "psychosis",
    "bipolar",
    "depression",
    "borderline-personality",
    "substance-use",
    "anxiety",
    "trauma",
    "general",
]
Setting = Literal[
    "inpatient",
    "outpatient",
    "emergency",
    "consultation-liaison",
    "community",
    "medication-visit",
    "partial-hospital",
    "residential",
]
QuizKind = Literal["formative", "pretest", "posttest", "summative"]
Quality = Literal["helpful", "neutral", "unhelpful"]
Suppressions = dict[str, Reason]


class _Base(BaseModel):
    """Strict base: unknown keys are errors; attribute docstrings document fields.

    The docstrings are read into the JSON Schemas when they are written
    (:mod:`curriculum.content._schema`), not by pydantic as each model is made.
    Nor are the models' validators made with them (``defer_build``): each is
    made when first used (:func:`curriculum.content._validate.model_adapter`),
    so an edit build that validates one quiz makes the quiz's only, and this
    module's import takes 9 ms, not 28 ms.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


# --------------------------------------------------------------------------- quizzes


class Option(_Base):
    """One answer option of a quiz item."""

    id: OptionId
    """Option letter, ``a`` to ``h``; unique within the item."""
    text: Text
    """The option as the learner reads it: short, parallel in form with the others."""
    feedback: Markdown
    """Why this option is or is not the best answer, shown after the learner chooses."""


class _ItemBase(_Base):
    id: Id
    """Item id, unique across the curriculum (used by progress files and exports)."""
    objectives: Annotated[list[Id], Field(min_length=1)]
    """Ids of the lesson objectives this item measures."""
    stem: Markdown
    """The clinical vignette and the lead-in question, ending with ``?``."""
    options: Annotated[list[Option], Field(min_length=2, max_length=8)]
    """The answer options, 4-5 for a single-best-answer item."""
    answer: OptionId | Annotated[list[OptionId], Field(min_length=1)]
    """The key: one option id for ``single``, a list of ids for ``multiple``."""
    rationale: Markdown
    """The teaching point behind the key, with its evidence and citations."""
    references: Annotated[list[CitationKey], Field(min_length=1)]
    """Keys in ``references.bib`` that support the key."""
    suppress: Suppressions = {}
    """Lint rules silenced for this item, each with the reason (rule code -> reason)."""

    @property
    def key_ids(self) -> list[str]:
        """The key as a list of option ids (one for a ``single`` item)."""
        return [self.answer] if isinstance(self.answer, str) else list(self.answer)


class SingleItem(_ItemBase):
    """A single-best-answer item (NBME one-best-answer format)."""

    type: Literal["single"]
    """``single``: exactly one option is the best answer."""


class MultipleItem(_ItemBase):
    """A select-all-that-apply item."""

    type: Literal["multiple"]
    """``multiple``: one or more options are correct; the learner selects all of them."""


Item = Annotated[SingleItem | MultipleItem, Field(discriminator="type")]


class Quiz(_Base):
    """A quiz: a lesson's formative check, a pre/post test, or a summative test.

    The file name (without ``.yml``) is the quiz id. A quiz belongs to exactly
    one lesson (``lesson``) or one activity (``activity``): an activity's
    pre-test and post-test span several lessons.
    """

    title: Text
    """Title shown above the quiz."""
    lesson: Id | None = None
    """Id of the lesson the quiz belongs to; give this or ``activity``, not both."""
    activity: Id | None = None
    """Id of the activity (``activities/<id>.yml``) whose pre-test or post-test this is; its
    items then measure the activity's objectives. Give this or ``lesson``, not both."""
    kind: QuizKind
    """``formative`` (immediate feedback), ``pretest``/``posttest`` (feedback after
    submitting, scored against the pass mark) or ``summative`` (no answers in the
    page; the learner downloads a response file for faculty to grade)."""
    pass_mark: Annotated[float, Field(gt=0, le=1)] | None = None
    """Proportion correct needed to pass, in (0, 1]; required for posttest and summative."""
    shuffle: bool = True
    """Whether option order is reshuffled on every attempt."""
    layout: Literal["one-at-a-time", "all-at-once"] = "one-at-a-time"
    """Show one item at a time, or all items on one page."""
    instructions: Markdown | None = None
    """Shown before the first item: what the quiz covers and how it is scored."""
    items: Annotated[list[Item], Field(min_length=1)]
    """The items, in authored order."""
    suppress: Suppressions = {}
    """Curriculum standards silenced for the whole quiz (e.g. ``CUR504``), each with the reason."""


# --------------------------------------------------------------------------- activities


class Faculty(_Base):
    """A person or group responsible for an activity's content, with their disclosure."""

    name: Text
    """Name as it should appear, e.g. ``Curriculum authors (open-source project)``."""
    role: Text | None = None
    """What they did, e.g. ``Planning and content``."""
    disclosure: Text
    """Relevant financial relationships with ineligible companies, or ``No relevant financial
    relationships``."""


class Activity(_Base):
    """A CME-style self-assessment activity over several lessons. The file name is its id.

    The minimum passing level is the post-test's ``pass_mark``: it is stated in
    one place only, the post-test, and the activity's pages announce it from there.
    """

    title: Text
    """Title of the activity."""
    description: Markdown
    """What the activity covers and how it runs, for its start page."""
    lessons: Annotated[list[Id], Field(min_length=1)]
    """Ids of the lessons it spans, in the order a learner takes them."""
    objectives: Annotated[list[Id], Field(min_length=1)]
    """Ids of the objectives it assesses: each an objective of one of its lessons."""
    hours: Annotated[float, Field(gt=0, le=200)]
    """Estimated hours to complete it: the lessons, the pre-test and the post-test."""
    faculty: Annotated[list[Faculty], Field(min_length=1)]
    """Who planned and wrote it, each with their disclosure."""
    released: dt.date
    """Release date (``YYYY-MM-DD``)."""
    reviewed: dt.date
    """Date of the last content review (``YYYY-MM-DD``)."""
    expires: dt.date
    """Expiration date (``YYYY-MM-DD``): at most three years after the last review."""
    participation: Markdown
    """How to participate and earn the certificate of completion."""
    pretest: Id
    """Id of the pre-test quiz (kind ``pretest``, ``activity`` naming this activity)."""
    posttest: Id
    """Id of the post-test quiz (kind ``posttest``; its ``pass_mark`` is the minimum passing level)."""
    suppress: Suppressions = {}
    """Lint rules silenced for this activity's text, each with the reason."""

    @property
    def lesson(self) -> None:
        """None: an activity spans lessons and belongs to none (progress listings ask every part)."""
        return None


# --------------------------------------------------------------------------- vignettes


class Choice(_Base):
    """What the clinician could say or do at a decision point."""

    text: Text
    """The clinician's words or action, as the learner reads it."""
    technique: Id
    """Id of the technique this choice uses, from ``vignettes/techniques.yml``."""
    quality: Quality
    """``helpful``, ``neutral`` or ``unhelpful``, as an experienced supervisor would judge."""
    feedback: Markdown
    """Why, in terms of the technique and this patient."""
    next: Id
    """Id of the node this choice leads to."""


class PathCondition(_Base):
    """Which paths a part of a debrief fits: every key given must hold for the path taken."""

    visited: list[Id] = []
    """The path went through at least one of these nodes."""
    not_visited: list[Id] = []
    """The path went through none of these nodes."""
    technique: list[Id] = []
    """At least one choice on the path used one of these techniques."""
    quality: list[Quality] = []
    """At least one choice on the path was judged so (``helpful``, ``neutral``, ``unhelpful``)."""


class DebriefPart(_Base):
    """A part of an ending's debrief shown only on the paths it fits."""

    when: PathCondition
    """The paths the part fits."""
    text: Markdown
    """What the part says, after the debrief shown on every path."""


class Node(_Base):
    """A scene of a vignette: a decision point (with choices) or an ending."""

    scene: Markdown
    """What happens and what the patient says."""
    choices: list[Choice] = []
    """The clinician's options at this point; empty at an ending."""
    end: bool = False
    """True at an ending."""
    outcome: Text | None = None
    """A short title for an ending, e.g. "Alliance strengthened"."""
    debrief: Markdown | None = None
    """Required at an ending: what happened and how it links to the objectives, true of every
    path that reaches the ending."""
    debrief_if: list[DebriefPart] = []
    """At an ending: parts of the debrief that fit only some paths (what this learner did on
    the way), each shown after the debrief when its condition holds."""


class Patient(_Base):
    """The fictional patient of a vignette. Never real identifiers."""

    age: Annotated[int, Field(ge=0, le=130)] | Literal["90 or older"]
    """Age in years (0-89), or ``"90 or older"`` as HIPAA Safe Harbor requires."""
    summary: Text
    """One or two sentences that introduce the patient."""


class Vignette(_Base):
    """A branching case vignette. The file name is the vignette id."""

    title: Text
    """Title of the case."""
    lesson: Id | None = None
    """Id of the lesson that uses the vignette."""
    modality: Modality
    """The approach the case teaches."""
    disorder: Disorder
    """The main clinical problem, for the vignette library's filter."""
    setting: Setting
    """Where the case happens, for the vignette library's filter."""
    objectives: Annotated[list[Id], Field(min_length=1)]
    """Ids of the lesson objectives the case serves."""
    patient: Patient
    """The fictional patient."""
    start: Id
    """Id of the first node."""
    nodes: Annotated[dict[Id, Node], Field(min_length=2)]
    """The scenes, by id."""
    discussion: list[Text] = []
    """Questions for seminar discussion."""
    facilitator: Markdown | None = None
    """Notes for faculty (role-play set-up, what good answers contain); faculty build only."""
    references: Annotated[list[CitationKey], Field(min_length=1)]
    """Keys in ``references.bib`` that support the teaching."""
    suppress: Suppressions = {}
    """Lint rules silenced for this vignette, each with the reason."""


# --------------------------------------------------------------------------- techniques


class Technique(_Base):
    """One entry of the technique vocabulary."""

    id: Id
    """Technique id, used by vignette choices and spotter turns."""
    name: Text
    """Display name."""
    modality: TechniqueModality
    """Home modality: ``common`` (shared by all), ``supportive``, ``psychodynamic`` or ``cbt``."""
    definition: Text
    """One sentence, in our own words."""
    reference: CitationKey
    """Key in ``references.bib`` of the source that describes the technique."""
    y_model: YModel | None = Field(default=None, alias="y-model")
    """Place on the Y model; by default the stem for common and supportive techniques,
    otherwise the branch of the same name."""

    @property
    def place(self) -> YModel:
        """The technique's place on the Y model."""
        if self.y_model is not None:
            return self.y_model
        if self.modality == "psychodynamic":
            return "psychodynamic"
        if self.modality == "cbt":
            return "cbt"
        return "stem"


class TechniqueVocabulary(_Base):
    """The file ``vignettes/techniques.yml``."""

    techniques: Annotated[list[Technique], Field(min_length=1)]
    """Every technique a vignette or spotter may name."""


# --------------------------------------------------------------------------- exercises


class Turn(_Base):
    """One turn of a spotter transcript."""

    speaker: Text
    """Who speaks, e.g. ``clinician`` or ``patient``."""
    text: Markdown
    """What is said."""
    technique: Id | None = None
    """The expert label; a turn with a technique is one the learner labels."""
    y_model: YModel | None = Field(default=None, alias="y-model")
    """Expert place on the Y model; by default the technique's place."""
    reason: Markdown | None = None
    """Why an expert labels the turn so; required on labelled turns."""


class Spotter(_Base):
    """A technique-spotter transcript exercise. The file name is the exercise id."""

    kind: Literal["spotter"]
    """``spotter``."""
    title: Text
    """Title of the exercise."""
    lesson: Id | None = None
    """Id of the lesson that uses it."""
    objectives: Annotated[list[Id], Field(min_length=1)]
    """Ids of the objectives it serves."""
    context: Markdown
    """Who is speaking and where (fictional)."""
    techniques: Annotated[list[Id], Field(min_length=2)]
    """Technique ids offered as labels; must include every expert label."""
    turns: Annotated[list[Turn], Field(min_length=2)]
    """The transcript."""
    references: Annotated[list[CitationKey], Field(min_length=1)]
    """Keys in ``references.bib``."""
    suppress: Suppressions = {}
    """Lint rules silenced here, each with the reason."""


class Worksheet(_Base):
    """A worksheet: thought record, formulation or reflection. The file name is its id."""

    kind: Literal[
        "thought-record", "formulation-cbt", "formulation-psychodynamic", "treatment-plan", "reflection"
    ]
    """Which built-in worksheet; each kind has its own fields."""
    title: Text
    """Title of the worksheet."""
    lesson: Id | None = None
    """Id of the lesson that uses it."""
    objectives: list[Id] = []
    """Ids of the objectives it serves."""
    case: Markdown | None = None
    """The (fictional) case to work on."""
    prompt: Markdown | None = None
    """What the learner is asked to do; required for a reflection."""
    example: dict[Id, Markdown] = {}
    """A model answer by field id, shown once the learner has written their own."""
    references: list[CitationKey] = []
    """Keys in ``references.bib``."""
    suppress: Suppressions = {}
    """Lint rules silenced here, each with the reason."""


Exercise = Annotated[Spotter | Worksheet, Field(discriminator="kind")]


# --------------------------------------------------------------------------- lessons


class Objective(_Base):
    """A measurable learning objective."""

    id: Id
    """Objective id, unique across the curriculum; quiz items and vignettes name it."""
    text: Text
    """What the learner will be able to do, starting with a measurable verb."""
    competencies: Annotated[list[Competency], Field(min_length=1)]
    """ACGME subcompetencies served; the first is the primary one."""


class LessonFrontMatter(_Base):
    """A lesson's front matter: the YAML in the notebook's first (raw) cell."""

    title: Text
    """Title of the lesson."""
    lesson_id: Id = Field(alias="lesson-id")
    """Lesson id; equals the notebook's file name."""
    duration: Annotated[int, Field(ge=5, le=600)]
    """Minutes a resident needs for the lesson."""
    objectives: Annotated[list[Objective], Field(min_length=1)]
    """The lesson's objectives."""
    milestones: list[Competency] = []
    """Lesson-level ACGME subcompetencies; must include each objective's."""
    prerequisites: list[Id] = []
    """Ids of lessons to take first."""
    quiz: Id | None = None
    """Id of the lesson's quiz."""
    vignettes: list[Id] = []
    """Ids of the lesson's vignettes."""
    exercises: list[Id] = []
    """Ids of the lesson's exercises."""
    suppress: Suppressions = {}
    """Lint rules silenced for this lesson's text, each with the reason."""
    subtitle: str | None = None
    """Quarto: subtitle."""
    description: str | None = None
    """Quarto: description, used in listings and search."""
    author: Any = None
    """Quarto: author(s)."""
    date: Any = None
    """Quarto: date."""
    keywords: list[str] = []
    """Quarto: keywords."""
    jupyter: Any = None
    """Quarto: the kernel."""
    execute: Any = None
    """Quarto: execution options."""
    format: Any = None
    """Quarto: per-document format options."""
    bibliography: Any = None
    """Quarto: bibliography (the project's is used by default)."""
    toc: bool | None = None
    """Quarto: whether to show a table of contents."""


class FacilitatorNotes(_Base):
    """The front matter of a lesson's facilitator notes, ``faculty/notes/<lesson-id>.qmd``.

    The notes (seminar plan, discussion questions with what good answers
    contain, role-play set-up, misconceptions) are a page of the faculty
    edition only; the body below the front matter is Markdown that may cite.
    """

    title: Text
    """Title of the notes page, e.g. ``"Facilitator notes: <lesson title>"``."""
    lesson: Id
    """The lesson the notes go with; equals the file name."""
    suppress: Suppressions = {}
    """Lint rules silenced for the notes' text, each with the reason."""
    subtitle: str | None = None
    """Quarto: subtitle."""
    description: str | None = None
    """Quarto: description."""
    author: Any = None
    """Quarto: author(s)."""
    date: Any = None
    """Quarto: date."""
