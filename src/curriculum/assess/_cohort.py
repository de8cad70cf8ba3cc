"""A cohort: the submissions that count, checked against the repository's quizzes.

Keys come from the repository, never from a learner's file: a submission
names its quiz, and the quiz in ``quizzes/`` says which items it has, which
options each item offers and which are keyed. A submission for a quiz the
repository does not have, or whose answers do not fit the quiz (an item it
does not have, an option the item does not offer, two options for a
single-best-answer item, a response file that leaves items out), is reported
and skipped.

Nothing counts twice. The same attempt found in two files (a file sent
twice, a progress file exported twice) is one submission; the same named
learner submitting the same quiz twice is one submission, the later. The one
left out is reported, naming the one that counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from curriculum._words import counted
from curriculum.assess._learner_files import Problem, Reading, Submission
from curriculum.assess._statistics import OPTION_LETTERS
from curriculum.content import Curriculum, Quiz

__all__ = ["Cohort", "QuizKey", "QuizResponses", "build_cohort", "quiz_keys"]


@dataclass(frozen=True)
class QuizKey:
    """What the repository says about one quiz, as the statistics need it.

    Attributes
    ----------
    id : str
        The quiz id.
    quiz : Quiz
        The quiz as authored.
    items : tuple[str, ...]
        Item ids in authored order.
    options : tuple[tuple[str, ...], ...]
        Each item's option ids.
    keys : ndarray of shape (k,)
        Each item's key as an option mask.
    valid : ndarray of shape (k,)
        Each item's offered options as a mask.
    single : ndarray of shape (k,)
        Whether each item has one best answer.
    index : dict[str, int]
        Item id to its column.
    """

    id: str
    quiz: Quiz
    items: tuple[str, ...]
    options: tuple[tuple[str, ...], ...]
    keys: NDArray[np.uint16]
    valid: NDArray[np.uint16]
    single: NDArray[np.bool_]
    index: dict[str, int]


def mask(ids: Iterable[str]) -> int:
    """Return the option mask of option ids (``a`` is bit 0)."""
    out = 0
    for ident in ids:
        out |= 1 << OPTION_LETTERS.index(ident)
    return out


def quiz_keys(curriculum: Curriculum) -> dict[str, QuizKey]:
    """Return the key of every quiz the repository holds."""
    out = {}
    for ident, doc in curriculum.quizzes.items():
        quiz = doc.model
        answers = [i.key_ids for i in quiz.items]
        out[ident] = QuizKey(
            id=ident,
            quiz=quiz,
            items=tuple(i.id for i in quiz.items),
            options=tuple(tuple(o.id for o in i.options) for i in quiz.items),
            keys=np.array([mask(a) for a in answers], dtype=np.uint16),
            valid=np.array([mask(o.id for o in i.options) for i in quiz.items], dtype=np.uint16),
            single=np.array([i.type == "single" for i in quiz.items], dtype=np.bool_),
            index={i.id: j for j, i in enumerate(quiz.items)},
        )
    return out


@dataclass
class QuizResponses:
    """The counted submissions of one quiz, as a matrix.

    Attributes
    ----------
    key : QuizKey
        The quiz.
    submissions : list[Submission]
        One per learner, in learner order.
    codes : ndarray of shape (n, k)
        Each learner's answer to each item as an option mask (0: no answer).
    """

    key: QuizKey
    submissions: list[Submission]
    codes: NDArray[np.uint16]


@dataclass
class Cohort:
    """Every counted submission, by quiz, and what was left out.

    Attributes
    ----------
    quizzes : dict[str, QuizResponses]
        Quizzes with at least one submission, in the repository's order.
    problems : list[Problem]
        Files and records skipped, with the reason.
    files : int
        Files read.
    notes : list[str]
        What was left out on purpose (not a problem).
    """

    quizzes: dict[str, QuizResponses] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    notes: list[str] = field(default_factory=list)


def build_cohort(
    reading: Reading, keys: dict[str, QuizKey], only: str | None = None, broken: Iterable[str] = ()
) -> Cohort:
    """Check every submission against its quiz and keep the one that counts per learner.

    Parameters
    ----------
    reading : Reading
        The learners' files, read.
    keys : dict[str, QuizKey]
        The repository's quizzes.
    only : str | None
        Keep this quiz only (submissions of other quizzes are left out, with a note).
    broken : Iterable[str]
        Quizzes whose files exist but have errors (named as such when a file answers one).

    Returns
    -------
    Cohort
        The counted submissions and every problem.
    """
    cohort = Cohort(problems=list(reading.problems), files=reading.files)
    if reading.summative_in_progress:
        n = reading.summative_in_progress
        cohort.notes.append(
            f"{n} summative quiz record{'s' if n != 1 else ''} in progress files left out: "
            "a summative quiz is graded from its response files"
        )
    by_quiz: dict[str, list[tuple[Submission, NDArray[np.uint16]]]] = {}
    others = 0
    failed = set(broken)
    for sub in reading.submissions:
        if only is not None and sub.quiz != only:
            others += 1
            continue
        key = keys.get(sub.quiz)
        if key is None and sub.quiz in failed:
            cohort.problems.append(
                Problem(
                    sub.path,
                    f"answers the quiz `{sub.quiz}`, whose file quizzes/{sub.quiz}.yml has errors "
                    "(run `curriculum check`); left out",
                )
            )
            continue
        if key is None:
            cohort.problems.append(
                Problem(
                    sub.path,
                    f"answers the quiz {sub.quiz[:80]!r}, which this repository does not have "
                    "(run the command in the project the quiz comes from); left out",
                )
            )
            continue
        row, wrong = _codes(sub, key)
        if wrong:
            cohort.problems.append(Problem(sub.path, f"quiz `{key.id}`: {wrong}; left out"))
            continue
        by_quiz.setdefault(sub.quiz, []).append((sub, row))
    if others:
        cohort.notes.append(f"{others} submission{'s' if others != 1 else ''} of other quizzes left out")
    spelling: dict[str, str] = {}  # one learner typing "Jo Example" and "jo example": one name
    for ident in keys:
        if ident in by_quiz:
            counted = _latest_once(by_quiz[ident], cohort.problems)
            counted.sort(key=lambda pair: (pair[0].learner.casefold(), pair[0].path))
            submissions = [
                replace(s, learner=spelling.setdefault(s.learner.casefold(), s.learner)) if s.named else s
                for s, _ in counted
            ]
            cohort.quizzes[ident] = QuizResponses(
                key=keys[ident], submissions=submissions, codes=np.vstack([row for _, row in counted])
            )
    return cohort


def _codes(sub: Submission, key: QuizKey) -> tuple[NDArray[np.uint16], str]:
    """Return the submission's answers as option masks, or what does not fit the quiz."""
    unknown = [item for item in sub.responses if item not in key.index]
    if unknown:
        return _EMPTY, (
            f"answers {counted(len(unknown), 'item')} the quiz does not have ({_ids(unknown)}): "
            "the file comes from another version of the quiz"
        )
    if sub.complete and len(sub.responses) < len(key.items):
        missing = [item for item in key.items if item not in sub.responses]
        return _EMPTY, (
            f"lists {len(sub.responses)} of the quiz's {len(key.items)} items (missing {_ids(missing)}); "
            "a response file lists every item, so this one is incomplete: ask for the file again"
        )
    values = [0] * len(key.items)
    index = key.index
    for item, chosen in sub.responses.items():
        bits = 0
        for option in chosen:
            bit = _BIT.get(option)
            if bit is None:
                return _EMPTY, f"item `{item}` has no option {_ids([option])}"
            bits |= bit
        values[index[item]] = bits
    row = np.array(values, dtype=np.uint16)
    foreign = np.flatnonzero(row & ~key.valid)
    if foreign.size:
        j = int(foreign[0])
        extra = [o for o in sub.responses[key.items[j]] if o not in key.options[j]]
        return _EMPTY, f"item `{key.items[j]}` has no option {_ids(extra)}"
    several = np.flatnonzero(key.single & ((row & (row - 1)) != 0))
    if several.size:
        j = int(several[0])
        return (
            _EMPTY,
            f"item `{key.items[j]}` has one best answer, but "
            f"{bin(int(row[j])).count('1')} options are selected",
        )
    return row, ""


def _latest_once(
    found: list[tuple[Submission, NDArray[np.uint16]]], problems: list[Problem]
) -> list[tuple[Submission, NDArray[np.uint16]]]:
    """Keep one submission per learner and per attempt: the latest; report the others."""

    def newest_first(pair: tuple[Submission, NDArray[np.uint16]]) -> tuple[object, ...]:
        sub = pair[0]
        return (sub.submitted or _FLOOR, sub.saved or _FLOOR, sub.path)

    kept: list[tuple[Submission, NDArray[np.uint16]]] = []
    owner: dict[str, Submission] = {}
    for pair in sorted(found, key=newest_first, reverse=True):
        sub = pair[0]
        names = [f"attempt:{sub.fingerprint}"] + ([f"name:{sub.learner.casefold()}"] if sub.named else [])
        earlier = next((owner[n] for n in names if n in owner), None)
        if earlier is not None:
            same = "the same attempt" if owner.get(names[0]) is earlier else "a later submission"
            problems.append(
                Problem(
                    sub.path,
                    f"quiz `{sub.quiz}` by {sub.learner!r} is submitted again in {earlier.path}, "
                    f"{same}, which counts; this one was not counted",
                )
            )
            continue
        for name in names:
            owner[name] = sub
        kept.append(pair)
    return kept


def _ids(values: list[str]) -> str:
    shown = ", ".join(f"`{v[:40]}`" for v in values[:5])
    return shown + (f" and {len(values) - 5} more" if len(values) > 5 else "")


_EMPTY = np.zeros(0, dtype=np.uint16)
_BIT = {letter: 1 << i for i, letter in enumerate(OPTION_LETTERS)}
_FLOOR = dt.datetime.min.replace(tzinfo=dt.UTC)
