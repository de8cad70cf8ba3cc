"""Property-based fuzzing of the loader: whatever the bytes, diagnostics come back, never an exception."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curriculum.content import Diagnostic, check_curriculum, load_files
from tests.conftest import INVALID, PROJECT

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.sampled_from(["no", "yes", "on", "2024-01-01", "a", "single", "formative", "&x", "*x"]),
)
keys = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "title",
            "lesson",
            "kind",
            "items",
            "id",
            "type",
            "stem",
            "options",
            "answer",
            "nodes",
            "start",
            "choices",
            "next",
            "end",
            "techniques",
            "turns",
            "objectives",
            "references",
            "suppress",
            "patient",
        ]
    ),
)
trees = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=6)),
    max_leaves=40,
)


def _check(path: Path) -> list[Diagnostic]:
    diagnostics = check_curriculum(load_files([path]))
    assert all(isinstance(d, Diagnostic) and d.line >= 1 and d.col >= 1 for d in diagnostics)
    return diagnostics


@SETTINGS
@given(tree=trees, folder=st.sampled_from(["quizzes", "vignettes", "exercises", "elsewhere"]))
def test_random_yaml_trees(tree: object, folder: str, tmp_path: Path) -> None:
    target = tmp_path / folder / "fuzz.yml"
    target.parent.mkdir(exist_ok=True)
    target.write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    _check(target)


@SETTINGS
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".yml", ".ipynb", ".bib"]))
def test_random_bytes(data: bytes, suffix: str, tmp_path: Path) -> None:
    target = tmp_path / f"fuzz{suffix}"
    target.write_bytes(data)
    _check(target)


VALID = [
    PROJECT / "quizzes" / "intro.yml",
    PROJECT / "vignettes" / "first-visit.yml",
    PROJECT / "lessons" / "intro.ipynb",
    PROJECT / "exercises" / "spot-the-stem.yml",
]


@SETTINGS
@given(source=st.sampled_from(VALID), cut=st.floats(min_value=0, max_value=1))
def test_truncated_files(source: Path, cut: float, tmp_path: Path) -> None:
    data = source.read_bytes()
    target = tmp_path / source.parent.name / source.name
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(data[: int(len(data) * cut)])
    _check(target)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    depth=st.sampled_from([1, 2, 39, 40, 41, 100, 900, 1100, 5000]),
    opener=st.sampled_from(["[", "{a: ", "- "]),
)
def test_deep_nesting(depth: int, opener: str, tmp_path: Path) -> None:
    target = tmp_path / "quizzes" / "deep.yml"
    target.parent.mkdir(exist_ok=True)
    body = opener * depth if opener == "- " else opener * depth + ("]" if opener == "[" else "}") * depth
    target.write_text("items: " + body + "\n", encoding="utf-8")
    _check(target)


@SETTINGS
@given(mutation=st.text(min_size=1, max_size=20), where=st.floats(min_value=0, max_value=1))
def test_insertions_into_a_valid_quiz(mutation: str, where: float, tmp_path: Path) -> None:
    text = (PROJECT / "quizzes" / "intro.yml").read_text(encoding="utf-8")
    at = int(len(text) * where)
    target = tmp_path / "quizzes" / "intro.yml"
    target.parent.mkdir(exist_ok=True)
    target.write_text(text[:at] + mutation + text[at:], encoding="utf-8")
    _check(target)


def test_every_invalid_fixture_is_handled_without_exception() -> None:
    for path in INVALID.iterdir():
        if path.is_file():
            assert _check(path), path.name
