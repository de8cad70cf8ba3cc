"""Component calls in code cells, read with Python's parser: what check resolves and the cache keys on."""

from __future__ import annotations

from curriculum.content._calls import parse_cells


def calls(*cells: str) -> list[tuple[str, tuple[str | None, ...], bool, int, int]]:
    return [
        (c.function, c.args, c.dynamic, c.line, c.col)
        for code in parse_cells(list(cells))
        for c in code.calls
    ]


def test_plain_aliased_and_keyword_calls() -> None:
    assert calls(
        'import curriculum\ncurriculum.quiz("a")',
        "import curriculum as cur\nfrom curriculum import worksheet as ws, overview",
        'cur.vignette(vignette_id="b")\nws("reflection", exercise_id="c")\nprint(overview("d"))',
    ) == [
        ("quiz", ("a",), False, 2, 1),
        ("vignette", ("b",), False, 1, 1),
        ("worksheet", ("reflection", "c"), False, 2, 1),
        ("overview", ("d",), False, 3, 7),
    ]


def test_computed_ids_are_dynamic_and_optional_ones_may_be_missing() -> None:
    assert calls(
        "curriculum.quiz(name)", 'curriculum.worksheet("thought-record")', "curriculum.spotter(*ids)"
    ) == [
        ("quiz", (None,), True, 1, 1),
        ("worksheet", ("thought-record", None), False, 1, 1),
        ("spotter", (None,), True, 1, 1),
    ]


def test_text_that_only_looks_like_a_call_is_not_one() -> None:
    assert calls("# curriculum.quiz('a')\ns = \"curriculum.quiz('b')\"\nother.quiz('c')") == []


def test_ipython_syntax_is_python_and_a_real_error_is_reported() -> None:
    magic, broken = parse_cells(["%matplotlib inline\n!ls\ncurriculum.quiz('a')", "curriculum.quiz('a'"])
    assert magic.error is None and [c.args for c in magic.calls] == [("a",)]
    assert broken.error is not None and broken.error.lineno == 1
