"""Learners' files for the faculty commands' tests: response files, progress files, a larger quiz.

The test project (``tests/data/project``) has a two-item summative quiz
(``intro-final``) and a formative quiz (``intro``). ``add_quiz`` writes a
six-item summative quiz with known keys, so statistics have something to
chew on; ``cohort`` writes response files drawn from a simple ability model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from curriculum.cli import main

SITE = "test-curriculum"
QUIZ = "cohort-final"
KEYS = ["a", "b", "c", "d", "a", "b"]
"""The key of each item of ``cohort-final`` (``cohort-q1`` ... ``cohort-q6``)."""
ITEMS = [f"cohort-q{j + 1}" for j in range(len(KEYS))]


def add_quiz(project: Path, quiz: str = QUIZ, kind: str = "summative") -> None:
    """Write a six-item quiz of ``kind`` into the project (items on the lesson's objectives)."""
    items = [
        {
            "id": item if quiz == QUIZ else f"{quiz}-{item}",
            "type": "single",
            "objectives": [f"intro-{j % 3 + 1}"],
            "stem": f"A 30-year-old woman with depression asks question {j + 1}. Which is best?",
            "options": [
                {"id": o, "text": f"Option {o} of item {j + 1}", "feedback": f"FEEDBACK-{j + 1}-{o}: why."}
                for o in "abcd"
            ],
            "answer": KEYS[j],
            "rationale": f"RATIONALE-{j + 1}: the alliance predicted outcome [@krupnick1996].",
            "references": ["krupnick1996"],
        }
        for j, item in enumerate(ITEMS)
    ]
    data = {"title": "Cohort final test", "lesson": "intro", "kind": kind, "items": items}
    if kind in ("summative", "posttest"):
        data["pass_mark"] = 0.5
    (project / "quizzes" / f"{quiz}.yml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def response_file(
    folder: Path,
    name: str,
    responses: dict[str, list[str]],
    *,
    learner: str | None = None,
    quiz: str = QUIZ,
    submitted: str = "2026-11-20T10:00:00Z",
    site: str = SITE,
    **extra: Any,
) -> Path:
    """Write a summative response file as the quiz downloads it."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "format": "curriculum-responses",
        "version": 1,
        "site": site,
        "quiz": quiz,
        "learner": learner,
        "submitted": submitted,
        "responses": responses,
        "order": {item: sorted(set("abcd")) for item in responses},
        **extra,
    }
    path = folder / name
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def progress_file(folder: Path, name: str, records: dict[str, Any], site: str = SITE) -> Path:
    """Write an exported progress file holding ``records`` (key to state), dated in the past."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "format": "curriculum-progress",
        "version": 1,
        "site": site,
        "updated": "2026-11-21T09:00:00Z",
        "records": {
            key: {"updated": "2026-11-21T09:00:00Z", "state": state} for key, state in records.items()
        },
    }
    path = folder / name
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def attempt(
    responses: dict[str, list[str]], *, started: str, submitted: str | None, score: float | None
) -> dict[str, Any]:
    """One quiz attempt as the quiz component stores it."""
    return {
        "started": started,
        "order": {item: ["a", "b", "c", "d"] for item in responses},
        "responses": responses,
        "checked": list(responses),
        "submitted": submitted,
        "score": score,
    }


def cohort(folder: Path, n: int, seed: int = 7, names: Sequence[str] = ()) -> list[Path]:
    """Write ``n`` response files for ``cohort-final`` from a one-parameter logistic model."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=n)
    difficulty = np.linspace(-1.5, 1.5, len(KEYS))
    correct = rng.random((n, len(KEYS))) < 1 / (1 + np.exp(-(theta[:, None] - difficulty)))
    paths = []
    for i in range(n):
        responses = {}
        for j, item in enumerate(ITEMS):
            wrong = [o for o in "abcd" if o != KEYS[j]]
            responses[item] = [KEYS[j] if correct[i, j] else wrong[int(rng.integers(3))]]
        name = names[i] if i < len(names) else f"Learner {i:03d}"
        paths.append(
            response_file(
                folder,
                f"learner-{i:03d}.json",
                responses,
                learner=name,
                submitted=f"2026-11-20T10:{i % 60:02d}:00Z",
            )
        )
    return paths


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the command line in-process; return the exit status, stdout and stderr."""
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err
