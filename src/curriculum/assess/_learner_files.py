"""Learners' files as faculty collect them: summative response files and exported progress files.

A faculty member gathers what learners send (e-mail attachments, a shared
folder) and points the CLI at the files or their folders; a folder is read
recursively (its ``*.json`` files; hidden files and folders are left out).
Each file is read the way the site's import reads a progress file: a
regular file of at most 5 MiB, UTF-8 JSON without ``NaN`` or ``Infinity``.
A file that is not one of ours, comes from another site, or does not have
the shape its format promises is reported as ``path: what is wrong`` and
skipped; nothing in it is counted.

This module only reads and checks each file's shape; whether its answers fit
the repository's quizzes, and which of two submissions counts, is decided in
:mod:`curriculum.assess._cohort`.

Which attempt of a progress file counts: for each quiz, the learner's
*first* finished attempt (submitted, or scored for a formative quiz). Later
attempts follow the feedback on the same items, so they measure memory of
the key rather than the item. An unfinished attempt is work in progress, not
an error. A summative quiz is graded from its response file only, so its
records in progress files are left out (and counted in a note), never
counted twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pydantic_core
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from curriculum.assess._progress import (
    MAX_IMPORT_BYTES,
    PROGRESS_FORMAT,
    ProgressFile,
    _reason,
    parse_time,
)

__all__ = [
    "RESPONSES_FORMAT",
    "Problem",
    "Reading",
    "ResponseFile",
    "Submission",
    "read_learner_files",
]

RESPONSES_FORMAT = "curriculum-responses"
_AT = re.compile(r"(?<!\s)\s*at line (\d+) column (\d+)")  # a run of spaces is tried once, not from each
_FORMATS = {RESPONSES_FORMAT: 1, PROGRESS_FORMAT: 1}


class ResponseFile(BaseModel):
    """A summative response file, as the quiz downloads it (version 1).

    Attributes
    ----------
    format : str
        Always ``curriculum-responses``.
    version : int
        The format version, 1.
    site : str
        The site the quiz belongs to.
    quiz : str
        The quiz id.
    learner : str | None
        The name the learner typed, or null when left empty.
    submitted : str
        When the learner downloaded the file (ISO 8601 with a zone).
    responses : dict[str, list[str]]
        Every item of the quiz to the option ids selected (``[]`` when unanswered).
    order : dict[str, list[str]]
        The option order the learner saw, per item.
    """

    model_config = ConfigDict(extra="forbid")

    format: Literal["curriculum-responses"] = "curriculum-responses"
    version: Literal[1] = 1
    site: str
    quiz: str
    learner: str | None = None
    submitted: str
    responses: dict[str, list[str]]
    order: dict[str, list[str]] = {}


class _Attempt(BaseModel):
    model_config = ConfigDict(extra="ignore")

    started: str = ""
    order: dict[str, list[str]] = {}
    responses: dict[str, list[str]] = {}
    submitted: str | None = None
    score: float | None = None


class _QuizState(BaseModel):
    model_config = ConfigDict(extra="ignore")

    attempts: list[_Attempt] = Field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    """Why a file, or one record in it, was skipped.

    Attributes
    ----------
    path : str
        The file as the faculty member named it.
    message : str
        What is wrong and, where it helps, what to do.
    line, col : int | None
        Where in the file, when known (1-based).
    """

    path: str
    message: str
    line: int | None = None
    col: int | None = None

    def format(self) -> str:
        """Return ``path:line:col: message`` (or ``path: message``)."""
        where = f"{self.path}:{self.line}:{self.col}" if self.line is not None else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Submission:
    """One learner's answers to one quiz, from a response file or a progress file.

    Attributes
    ----------
    quiz : str
        The quiz id.
    learner : str
        The name the learner typed, else the file's path without ``.json``.
    named : bool
        Whether ``learner`` is a typed name (which identifies the learner across files).
    responses : dict[str, list[str]]
        Item id to the option ids selected.
    submitted : datetime | None
        When the attempt was submitted.
    saved : datetime | None
        When the file was written (a progress file's ``updated``).
    path : str
        The file, as displayed.
    origin : str
        ``responses`` or ``progress``.
    fingerprint : str
        The attempt itself: a response file's bytes (a file downloaded twice
        is the same file), a progress attempt's quiz, start, option order and
        answers. The same attempt in two files is one submission.
    complete : bool
        Whether the file lists every item (response files do; a progress
        attempt omits the items left unanswered).
    """

    quiz: str
    learner: str
    named: bool
    responses: dict[str, list[str]]
    submitted: dt.datetime | None
    saved: dt.datetime | None
    path: str
    origin: Literal["responses", "progress"]
    fingerprint: str
    complete: bool


@dataclass
class Reading:
    """What reading the learners' files gave.

    Attributes
    ----------
    submissions : list[Submission]
        Every attempt found, before it is checked against the quizzes.
    problems : list[Problem]
        Files and records skipped, with the reason.
    files : int
        Files read (skipped ones included).
    summative_in_progress : int
        Summative records of progress files left out (graded from response files).
    """

    submissions: list[Submission] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    summative_in_progress: int = 0


def read_learner_files(paths: Sequence[Path], site: str, summative: Iterable[str] = ()) -> Reading:
    """Read every learner's file under ``paths``.

    Parameters
    ----------
    paths : Sequence[Path]
        Files and folders (read recursively).
    site : str
        This curriculum's site id; files of another site are skipped.
    summative : Iterable[str]
        Ids of the summative quizzes, whose records in progress files are left out.

    Returns
    -------
    Reading
        The submissions found and every problem.
    """
    reading = Reading()
    summative_ids = set(summative)
    for path, display in _discover(paths, reading.problems):
        reading.files += 1
        data, digest, problem = _load_json(path, display)
        if problem is not None:
            reading.problems.append(problem)
            continue
        _read_document(data, digest, display, site, summative_ids, reading)
    return reading


# ---------------------------------------------------------------- files


def _discover(paths: Sequence[Path], problems: list[Problem]) -> list[tuple[Path, str]]:
    """Every file to read, each once, in a stable order, with the path to show."""
    found: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for given in paths:
        if given.is_dir():
            files = sorted(
                p
                for p in given.rglob("*")
                if p.suffix.lower() == ".json"
                and not any(part.startswith(".") for part in p.relative_to(given).parts)
                and p.is_file()
            )
        elif given.exists() or given.is_symlink():
            files = [given]
        else:
            problems.append(Problem(given.as_posix(), "no such file or folder"))
            continue
        for file in files:
            resolved = file.resolve()
            if resolved not in seen:  # named twice (a file and its folder): read once
                seen.add(resolved)
                found.append((file, file.as_posix()))
    return found


def _load_json(path: Path, display: str) -> tuple[Any, str, Problem | None]:
    """Return the file's JSON and a digest of its bytes, or the problem that stops reading it."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return None, "", Problem(display, "not a regular file")
        if info.st_size > MAX_IMPORT_BYTES:
            return (
                None,
                "",
                Problem(
                    display,
                    f"{info.st_size / 2**20:.1f} MiB is more than a learner's file holds "
                    f"(at most {MAX_IMPORT_BYTES // 2**20} MiB); it is not one of ours",
                ),
            )
        raw = path.read_bytes()
    except OSError as exc:
        return None, "", Problem(display, f"cannot be read: {exc.strerror}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return (
            None,
            "",
            Problem(display, "not UTF-8 text, so not a response or progress file (those are JSON)"),
        )
    if not text.strip():
        return None, "", Problem(display, "empty: ask the learner to send the file again")
    try:
        # pydantic-core's parser: a third faster than the json module on a cohort's files
        data = pydantic_core.from_json(raw.removeprefix(b"\xef\xbb\xbf"), allow_inf_nan=False)
    except ValueError as exc:
        return None, "", _json_problem(display, str(exc))
    return data, hashlib.sha256(raw).hexdigest(), None


def _json_problem(display: str, error: str) -> Problem:
    """Word a JSON parse error (``EOF while parsing a list at line 3 column 7``) for faculty."""
    where = _AT.search(error)
    line, col = (int(where[1]), int(where[2])) if where else (None, None)
    reason = _AT.sub("", error).strip()
    if reason.startswith("EOF while parsing"):
        message = "the JSON stops before its end: the file is truncated; ask the learner to send it again"
    elif reason.startswith("recursion limit"):
        message = "the JSON is nested far too deeply for a file the site writes"
    else:
        message = f"not valid JSON ({reason}); is it a response or progress file?"
    return Problem(display, message, line, col)


def _read_document(
    data: Any, digest: str, display: str, site: str, summative: set[str], reading: Reading
) -> None:
    kind = data.get("format") if isinstance(data, dict) else None
    if kind not in _FORMATS:
        what = f"its `format` is {str(kind)[:60]!r}" if kind is not None else "it has no `format`"
        reading.problems.append(
            Problem(display, f"not a curriculum response or progress file ({what}); left out")
        )
        return
    version = data.get("version")
    if version != _FORMATS[kind]:
        reading.problems.append(
            Problem(
                display,
                f"a {kind} file of version {str(version)[:20]}; this curriculum reads version "
                f"{_FORMATS[kind]} (update curriculum, or ask for a file from this site)",
            )
        )
        return
    if data.get("site") != site:
        reading.problems.append(
            Problem(
                display,
                f"comes from another site ({str(data.get('site'))[:60]!r}, not {site!r}); left out",
            )
        )
        return
    try:
        if kind == RESPONSES_FORMAT:
            _read_responses(ResponseFile.model_validate(data), digest, display, reading)
        else:
            _read_progress(ProgressFile.model_validate(data), display, summative, reading)
    except ValidationError as exc:
        reading.problems.append(Problem(display, f"not a well-formed {kind} file: {_reason(exc)}"))


def _label(display: str) -> str:
    return display[:-5] if display.lower().endswith(".json") else display


def _fingerprint(*parts: object) -> str:
    return json.dumps(parts, sort_keys=True, separators=(",", ":"))


def _read_responses(file: ResponseFile, digest: str, display: str, reading: Reading) -> None:
    submitted = parse_time(file.submitted)
    if submitted is None:
        reading.problems.append(
            Problem(display, f"`submitted` is not an ISO 8601 date-time ({file.submitted[:40]!r})")
        )
        return
    name = " ".join((file.learner or "").split())
    reading.submissions.append(
        Submission(
            quiz=file.quiz,
            learner=name or _label(display),
            named=bool(name),
            responses=file.responses,
            submitted=submitted,
            saved=submitted,
            path=display,
            origin="responses",
            fingerprint=digest,
            complete=True,
        )
    )


def _read_progress(file: ProgressFile, display: str, summative: set[str], reading: Reading) -> None:
    saved = parse_time(file.updated)
    name = file.learner_name
    for key, record in sorted(file.records.items()):
        component, _, quiz = key.partition(":")
        if component != "quiz":
            continue
        where = f"record `{key[:80]}`"
        try:
            state = _QuizState.model_validate(record.state)
        except ValidationError as exc:
            reading.problems.append(
                Problem(display, f"{where} is not a quiz's state: {_reason(exc)}; left out")
            )
            continue
        finished = [a for a in state.attempts if a.submitted is not None or a.score is not None]
        if not finished:
            continue
        if quiz in summative:
            reading.summative_in_progress += 1
            continue
        first = finished[0]
        when = parse_time(first.submitted) if first.submitted else parse_time(record.updated)
        reading.submissions.append(
            Submission(
                quiz=quiz,
                learner=name or _label(display),
                named=bool(name),
                responses=first.responses,
                submitted=when,
                saved=saved,
                path=display,
                origin="progress",
                fingerprint=_fingerprint(quiz, first.started, first.order, first.responses),
                complete=False,
            )
        )
