"""An edit of one quiz of a bank, checked with the record: what a cold check finds, other quizzes unread.

The checks that look across the whole item bank (item ids, the content-blind
strategies played on the bank) read a fact of each quiz kept by its text's
digest; the checks of one quiz look at the edited quiz alone. Whatever the
edit does to a bank-wide result, and whatever the record holds, the findings
are those of a check without record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from curriculum import _memo
from curriculum._cache import PROJECT_CACHE
from curriculum._memo import memo_session
from curriculum.content import (
    CHECK_RECORD,
    Diagnostic,
    _check_record,
    _record_changes,
    check_curriculum,
    load_curriculum,
)
from curriculum.content._registry import BY_DOCUMENT, CHECKS, Finding
from tests.conftest import aged
from tests.content.test_check_record import cold, read_facts, read_lines, warm, write_facts, write_lines

SECOND_LONGEST = 1
"""The rank by length (0: the longest) of the key of a cued item: the second-longest option."""
PLAIN = [(0, 0), (1, 2), (2, 3), (3, 4)]
"""The key's position and rank of the items of no cue: no strategy of form gains by them."""


@pytest.fixture(autouse=True)
def whole_records(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each save writes the whole record, as these tests read it (changes since a base: their own tests)."""
    monkeypatch.setattr(_record_changes, "COMPACT_AT", 1 << 40)


def bank_item(quiz: str, n: int, key: int, rank: int) -> str:
    """Return an item of five options whose key is option ``key`` and the ``rank``-th longest of them."""
    ranks = [r for r in range(5) if r != rank]
    by_position = {p: rank if p == key else ranks.pop(0) for p in range(5)}
    options = "".join(
        f"      - {{id: {chr(97 + p)}, text: Option {chr(97 + p)}{' with words' * (5 - by_position[p])},"
        ' feedback: "Why this option is or is not the best one here."}\n'
        for p in range(5)
    )
    return (
        f"  - id: {quiz}-q{n}\n    type: single\n    objectives: [intro-1]\n    stem: |\n"
        f"      A 35-year-old woman returns for visit {n} of quiz {quiz}.\n"
        "      Which question is the most useful to ask next?\n"
        f"    options:\n{options}    answer: {chr(97 + key)}\n    rationale: |\n"
        "      A synthetic item of a bank: where its key is and how long it is are all that\n"
        "      the content-blind strategies it is played with can see of it.\n"
        "    references: [krupnick1996]\n"
    )


def write_quiz(root: Path, quiz: str, items: list[tuple[int, int]]) -> None:
    """Write ``quizzes/<quiz>.yml``, an item for each (key's position, key's rank by length)."""
    body = "".join(bank_item(quiz, n, key, rank) for n, (key, rank) in enumerate(items, 1))
    text = f"title: Quiz {quiz}\nlesson: intro\nkind: formative\nitems:\n{body}"
    (root / "quizzes" / f"{quiz}.yml").write_text(text, encoding="utf-8")


def cued(count: int, quiz: str) -> list[tuple[int, int]]:
    """Return five items' keys, ``count`` of them the second-longest option, the others of no cue."""
    shift = ord(quiz[-1])
    plain = [PLAIN[(n + shift) % len(PLAIN)] for n in range(5 - count)]
    return [((n + 2) % 5, SECOND_LONGEST) for n in range(count)] + plain


def with_a_bank(project: Path, last: int = 0) -> Path:
    """Add four quizzes of five items, three cued in each of the first three, ``last`` in the fourth.

    Nine cued items are not enough for the bank's second-longest option to
    beat chance by three standard errors (L23); twelve are, and no quiz alone
    is enough for L22.
    """
    for quiz, count in zip(("bank-a", "bank-b", "bank-c", "bank-d"), (3, 3, 3, last), strict=True):
        write_quiz(project, quiz, cued(count, quiz))
    return project


def codes(found: list[Diagnostic]) -> set[str]:
    return {d.code for d in found}


def rewrite(quiz: str, items: Callable[[], list[tuple[int, int]]]) -> Callable[[Path], None]:
    return lambda root: write_quiz(root, quiz, items())


def stem(quiz: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = root / "quizzes" / f"{quiz}.yml"
        path.write_text(path.read_text(encoding="utf-8").replace("visit 2", "visit two"), encoding="utf-8")

    return edit


BALANCED = [(n % 5, PLAIN[n % 4][1]) for n in range(10)]
"""Ten items of no cue whose keys sit on every letter equally often."""
CLUSTERED = [(0, PLAIN[n % 4][1]) for n in range(10)]
"""The same items with every key on option a: key balance (L20) is reported."""


def balanced(root: Path) -> None:
    """Add to the bank of no cue a quiz of ten items whose keys are balanced."""
    with_a_bank(root)
    write_quiz(root, "bank-e", BALANCED)


BANK_EDITS: dict[str, tuple[Callable[[Path], Any], Callable[[Path], None], set[str], set[str]]] = {
    # the content before, an edit, codes reported after it only, codes reported before it only
    "a stem": (with_a_bank, stem("bank-b"), set(), set()),
    "the bank's cue appears": (with_a_bank, rewrite("bank-d", lambda: cued(3, "bank-d")), {"L23"}, set()),
    "the bank's cue goes": (
        lambda root: with_a_bank(root, 3),
        rewrite("bank-d", lambda: cued(0, "bank-d")),
        set(),
        {"L23"},
    ),
    "a quiz's keys cluster": (balanced, rewrite("bank-e", lambda: CLUSTERED), {"L20"}, set()),
    "a quiz removed": (with_a_bank, lambda root: (root / "quizzes" / "bank-d.yml").unlink(), {"L23"}, set()),
    "a quiz added": (with_a_bank, rewrite("bank-f", lambda: cued(3, "bank-f")), {"L23"}, set()),
}


def findings(root: Path, *, record: bool) -> list[tuple[Diagnostic, str | None, tuple[Any, ...]]]:
    """Return what every check finds (before suppressions), with or without the record, in a set's order."""
    cur = load_curriculum(root)
    if record:
        kept = _check_record.CheckRecord(root / PROJECT_CACHE / CHECK_RECORD, cur)
        found: list[Finding] = kept.findings()
    else:
        found = [f for fn in CHECKS for f in fn(cur)]
    return sorted(((f.diagnostic, f.doc.display if f.doc else None, f.owner) for f in found), key=repr)


@pytest.mark.parametrize("edit", list(BANK_EDITS), ids=list(BANK_EDITS))
def test_an_edit_of_one_quiz_of_a_bank_finds_what_a_cold_check_finds(project: Path, edit: str) -> None:
    start, change, appearing, going = BANK_EDITS[edit]
    start(project)
    before = warm(aged(project))
    assert before == cold(project), "the first check, making the record"
    change(project)
    after = warm(project)
    assert after == cold(project)
    assert not appearing & codes(before) and appearing <= codes(after), "the edit crosses a threshold"
    assert going <= codes(before) and not going & codes(after)
    assert findings(project, record=True) == findings(project, record=False), "each finding, each scope"
    assert warm(project) == after, "the record of the check after the edit"


def test_an_edit_of_one_quiz_loads_no_other_quiz(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither the checks of one quiz nor those of the whole bank load an unchanged quiz's model."""
    from curriculum.content import _project

    with_a_bank(project, 3)  # the bank's cue is reported, on a quiz the edit leaves alone
    assert "L23" in codes(warm(aged(project)))
    stem("bank-b")(project)
    expected = cold(project)
    loaded: list[str] = []
    model = _project._IndexedDocument.model.func  # type: ignore[attr-defined]
    monkeypatch.setattr(
        _project._IndexedDocument, "model", property(lambda doc: loaded.append(doc.display) or model(doc))
    )
    _memo._stores.clear()
    with memo_session(
        project
    ):  # as warm(), without the summary ``curriculum check`` prints (it counts items)
        found = check_curriculum(load_curriculum(project), record=project / PROJECT_CACHE / CHECK_RECORD)
    assert found == expected
    assert not [d for d in loaded if "quizzes" in Path(d).parts], "the edited quiz is read from its file"


@pytest.fixture
def whole_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """Run every check of one document at a time as a whole check, as older code did, until undone."""
    by_document = dict(BY_DOCUMENT)
    monkeypatch.setattr(_check_record, "BY_DOCUMENT", {})
    yield lambda: monkeypatch.setattr(_check_record, "BY_DOCUMENT", by_document)


@pytest.mark.parametrize("edit", ["a stem", "the bank's cue appears", "a quiz's keys cluster"])
def test_a_record_of_whole_checks_is_no_record_of_checks_of_one_quiz(
    project: Path, whole_checks: Callable[[], None], edit: str
) -> None:
    """A record whose quiz checks ran whole (an older form: no context, no findings by document) is none."""
    start, change, *_ = BANK_EDITS[edit]
    start(project)
    write_quiz(project, "bank-e", CLUSTERED)
    assert warm(aged(project)) == cold(project)
    _, _, checks = read_lines(project / PROJECT_CACHE / CHECK_RECORD)
    assert "findings" in checks["curriculum.content._item_lint.item_writing"], "recorded whole"
    whole_checks()
    change(project)
    assert warm(project) == cold(project)
    assert warm(project) == cold(project), "the record written after the older one"


def _damaged_documents(entry: dict[str, Any], damage: str) -> None:
    documents = entry.get("documents", {})
    if damage == "findings not rows":
        entry["documents"] = {name: "not rows" for name in documents}
    elif damage == "documents a list":
        entry["documents"] = list(documents)
    elif damage == "no context":
        del entry["context"]


@pytest.mark.parametrize("damage", ["findings not rows", "documents a list", "no context"])
def test_damaged_entries_of_the_quiz_checks_give_what_a_cold_check_gives(project: Path, damage: str) -> None:
    with_a_bank(project, 3)
    write_quiz(project, "bank-e", CLUSTERED)
    assert warm(aged(project)) == cold(project)
    path = project / PROJECT_CACHE / CHECK_RECORD
    header, columns, checks = read_lines(path)
    for entry in checks.values():
        if "documents" in entry:
            _damaged_documents(entry, damage)
    write_lines(path, header, columns, checks)
    stem("bank-b")(project)
    assert warm(project) == cold(project)
    assert warm(project) == cold(project), "the record written after the damaged one"


@pytest.mark.parametrize(
    "facts",
    [
        [["x"], [5], [[0]] * 12],
        [["x"], [5], [[6]] * 12],
        [["x"], [0], [[1]] * 12],
        [["x"], [5], [[1.0]] * 12],
        [["x"], [5, 5], [[1]] * 12],
        [["x"], [5], [[1]] * 11],
        [[1], [5], [[1]] * 12],
        [["x"], [5], [[1]] * 12, "more"],
    ],
    ids=[
        "no choice",
        "more choices than options",
        "no option",
        "a decimal",
        "sizes too many",
        "a strategy short",
        "an id not text",
        "another form",
    ],
)
def test_kept_choices_of_another_shape_are_made_again(project: Path, facts: Any) -> None:
    """Kept choices of another shape, or that no item could give, are made again: no traceback."""
    with_a_bank(project, 3)
    assert warm(aged(project)) == cold(project)
    path = project / PROJECT_CACHE / CHECK_RECORD
    kept = read_facts(path)
    damaged = {
        name: [digest, facts] for name, (digest, _) in kept.items() if name.startswith("cue-choices-1\0")
    }
    assert damaged
    write_facts(path, {**kept, **damaged})
    stem("bank-b")(project)
    assert warm(project) == cold(project)


@pytest.mark.parametrize("damage", ["places swapped", "a place not a number", "a digest of another text"])
def test_facts_of_another_document_or_text_are_made_again(project: Path, damage: str) -> None:
    """A fact is kept with the digest of the text it was made of: one the record misplaces is not taken."""
    with_a_bank(project, 3)
    assert warm(aged(project)) == cold(project)
    assert not list((project / PROJECT_CACHE).glob("check-facts.*")), "the facts are lines of the record"
    path = project / PROJECT_CACHE / CHECK_RECORD
    kept = read_facts(path)
    names = sorted(name for name in kept if name.startswith("cue-choices-1\0"))
    names.sort(key=lambda name: not kept[name][1][0][0].startswith(("bank-a-", "intro-q")))
    if damage == "places swapped":  # a quiz of cued items and one of none
        assert {kept[name][1][0][0][:6] for name in names[:2]} == {"bank-a", "intro-"}
        kept = {**kept, names[0]: kept[names[1]], names[1]: kept[names[0]]}
    elif damage == "a place not a number":
        kept = {name.replace("\0", "\0x") if name in names else name: fact for name, fact in kept.items()}
    else:
        kept = {
            name: ["0" * 64, fact] if name in names else [digest, fact]
            for name, (digest, fact) in kept.items()
        }
    write_facts(path, kept)
    stem("bank-b")(project)
    assert warm(project) == cold(project)
    assert warm(project) == cold(project), "the record written after the damaged one"


def test_the_files_older_code_kept_facts_in_go_once_the_record_is_written(project: Path) -> None:
    """``check-facts.<name>.json`` beside the record (facts before they were its lines) are removed."""
    with_a_bank(project)
    warm(aged(project))
    earlier = [
        project / PROJECT_CACHE / f"check-facts.{name}.json" for name in ("objective-ids-1", "quiz-owners-1")
    ]
    for path in earlier:
        path.write_text("{}\n", encoding="utf-8")
    assert warm(project) == cold(project)
    assert all(path.exists() for path in earlier), "a record as it was is not written: nothing removed"
    stem("bank-b")(project)
    assert warm(project) == cold(project)
    assert not [path for path in earlier if path.exists()]
