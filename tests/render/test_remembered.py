"""Results remembered by the one document they read (`PayloadBuilder.remembered`, `Curriculum.showing`)."""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

import curriculum._memo_journal as _memo_journal
from curriculum import _memo
from curriculum._memo import Memo, memo_session
from curriculum.components import _spec
from curriculum.components._spec import Mount
from curriculum.content import Curriculum, HiddenContent, load_curriculum
from curriculum.render import PayloadBuilder, Renderer
from curriculum.site import build_site
from tests.conftest import PROJECT

TITLES = Memo[str]("test.titles", 1, str, str)


def _builder(root: Path) -> PayloadBuilder:
    return PayloadBuilder(load_curriculum(root), Renderer(), "test-site")


def _retitle(root: Path, quiz: str, title: str) -> None:
    path = root / "quizzes" / f"{quiz}.yml"
    text = path.read_text()
    first = text.splitlines()[0]
    path.write_text(text.replace(first, f"title: {title}", 1))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(
        PROJECT, target, ignore=shutil.ignore_patterns("_site*", ".curriculum-cache", "quiz", "cases")
    )
    return target


def _remember(root: Path, compute: Callable[[PayloadBuilder], str]) -> tuple[str, int]:
    """Run ``compute`` for the quiz ``intro`` in a new process's memo session; return its result and calls."""
    _memo._stores.clear()
    calls = 0

    def counted(builder: PayloadBuilder) -> str:
        nonlocal calls
        calls += 1
        return compute(builder)

    with memo_session(root):
        value = _builder(root).remembered(TITLES, "title", ("quizzes", "intro"), counted)
    return value, calls


def test_a_view_shows_one_document_and_hides_the_rest_without_a_key_error() -> None:
    cur = load_curriculum(PROJECT)
    view = cur.showing("quizzes", "intro")
    assert view.quizzes["intro"] is cur.quizzes["intro"] and "intro" in view.quizzes
    assert view.lessons["intro"].model is cur.lessons["intro"].model and view.techniques is cur.techniques
    reads: list[Callable[[Curriculum], Any]] = [
        lambda v: v.quizzes["intro-final"],
        lambda v: v.quizzes.get("intro-final"),
        lambda v: "intro-final" in v.quizzes,
        lambda v: "no-such-quiz" in v.quizzes,
        lambda v: list(v.quizzes),
        lambda v: len(v.vignettes),
        lambda v: sorted(v.exercises.items()),
        lambda v: v.vignettes["first-visit"],
    ]
    for read in reads:
        with pytest.raises(HiddenContent) as raised:
            read(view)
        assert not isinstance(raised.value, LookupError)  # never mistaken for "no such content"
    with pytest.raises(HiddenContent):  # a view of no document hides every table's
        cur.showing("quizzes", None).quizzes["intro"]


def test_a_result_that_reads_its_document_only_is_remembered_by_its_text(root: Path) -> None:
    def title(builder: PayloadBuilder) -> str:
        return builder.curriculum.quizzes["intro"].model.title

    assert _remember(root, title) == ("Introduction quiz", 1)
    _retitle(root, "intro-final", "Another quiz changed")  # not what the result read
    assert _remember(root, title) == ("Introduction quiz", 0)
    _retitle(root, "intro", "Introduction quiz, revised")
    assert _remember(root, title) == ("Introduction quiz, revised", 1)


def test_a_result_that_reads_another_document_is_remembered_by_both_texts(root: Path) -> None:
    """The view is widened to what it asked for; both texts key the result, no other document's does."""

    def both(builder: PayloadBuilder) -> str:
        quizzes = builder.curriculum.quizzes
        return f"{quizzes['intro'].model.title} / {quizzes['intro-final'].model.title}"

    assert _remember(root, both) == ("Introduction quiz / Introduction final test", 2)  # then widened
    assert _remember(root, both) == ("Introduction quiz / Introduction final test", 0)
    case = root / "vignettes" / "first-visit.yml"
    case.write_text(case.read_text().replace("title: ", "title: Revised ", 1))  # read by neither
    assert "Revised" in case.read_text()
    assert _remember(root, both) == ("Introduction quiz / Introduction final test", 0)
    _retitle(root, "intro-final", "Final test, revised")
    assert _remember(root, both) == ("Introduction quiz / Final test, revised", 1)  # what it reads is known
    assert _remember(root, both) == ("Introduction quiz / Final test, revised", 0)


def test_a_result_that_lists_a_table_is_remembered_by_every_document_of_it(root: Path) -> None:
    def listed(builder: PayloadBuilder) -> str:
        return ", ".join(sorted(builder.curriculum.quizzes))

    assert _remember(root, listed) == ("intro, intro-final", 2)
    assert _remember(root, listed) == ("intro, intro-final", 0)
    _retitle(root, "intro-final", "Final test, revised")  # one of the table's texts
    assert _remember(root, listed) == ("intro, intro-final", 1)


def test_a_result_that_reads_too_many_other_documents_is_computed_on_the_whole_content(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("curriculum.render._payloads._MOST_ALSO", 0)

    def both(builder: PayloadBuilder) -> str:
        quizzes = builder.curriculum.quizzes
        return f"{quizzes['intro'].model.title} / {quizzes['intro-final'].model.title}"

    assert _remember(root, both) == ("Introduction quiz / Introduction final test", 2)  # the view, then all
    assert _remember(root, both)[1] == 2
    assert not list((root / ".curriculum-cache" / "memo").glob("test.titles.*"))  # nothing was stored


def test_the_views_of_a_curriculum_share_the_lessons_front_matter_until_a_lesson_changes() -> None:
    """Every view shows the lessons: they are made once, and again when a lesson is added or replaced."""
    cur = load_curriculum(PROJECT)
    first, second = cur.showing("quizzes", "intro"), cur.showing("vignettes", "first-visit")
    assert first.lessons is second.lessons and first.lessons["intro"].model is cur.lessons["intro"].model
    other = load_curriculum(PROJECT).lessons["intro"]
    cur.lessons["intro"] = other  # the same id, another document
    replaced = cur.showing("quizzes", "intro").lessons
    assert replaced is not first.lessons and replaced["intro"].__dict__["_lesson"] is other
    cur.lessons["another"] = other
    assert set(cur.showing("quizzes", "intro").lessons) == set(replaced) | {"another"}


def test_a_view_that_shows_an_id_no_document_has_says_it_is_missing() -> None:
    view = load_curriculum(PROJECT).showing("quizzes", "intro", [("quizzes", "no-such-quiz")])
    assert view.quizzes.get("no-such-quiz") is None and "no-such-quiz" not in view.quizzes
    with pytest.raises(HiddenContent) as hidden:
        view.vignettes["first-visit"]
    assert hidden.value.shows == ("vignettes", "first-visit")


def test_a_lesson_edit_reaches_every_remembered_payload(root: Path) -> None:
    """The lessons stay in view (objective texts, titles): their text keys every remembered result."""

    def objectives(builder: PayloadBuilder) -> str:
        lesson = builder.curriculum.lessons["intro"].model
        return " | ".join(o.text for o in lesson.objectives)

    before, calls = _remember(root, objectives)
    assert calls == 1
    lesson = root / "lessons" / "intro.ipynb"
    first = before.split(" | ")[0]
    lesson.write_text(lesson.read_text().replace(first, first + " (revised)", 1))
    after, calls = _remember(root, objectives)
    assert calls == 1 and after.startswith(first + " (revised)")


def test_outside_a_build_nothing_is_remembered_or_restricted(root: Path) -> None:
    builder = _builder(root)
    both = builder.remembered(
        TITLES, "both", ("quizzes", "intro"), lambda b: str(len(b.curriculum.quizzes))
    )  # no view outside a memo session: listing the quizzes is fine
    assert both == "2"


def test_a_quiz_edit_builds_only_that_quizs_payload_and_page(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every other component's payload and page come from the memo; the site is what a fresh build makes."""
    from tests.site.conftest import count_payload_builds

    build_site(root, engine="pandoc", console=Console(quiet=True))
    built = count_payload_builds(monkeypatch)
    _memo._stores.clear()
    _retitle(root, "intro", "Introduction quiz, revised")
    result = build_site(root, engine="pandoc", console=Console(quiet=True))
    assert set(built) == {("quiz", ("intro",))}
    assert "Introduction quiz, revised" in (result.out / "quiz" / "intro.html").read_text()
    assert "Introduction quiz, revised" in (result.out / "quiz" / "index.html").read_text()


def test_the_payloads_of_the_pages_that_stand_are_kept_in_one_call_a_wrap(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wrap keeps every standing page's payload keys at once; they stay for the next build."""
    from tests.site.conftest import count_payload_builds

    final = root / "quizzes" / "intro-final.yml"

    def edit_a_stem() -> None:
        _memo._stores.clear()  # each build a new process
        final.write_text(final.read_text().replace("stem: ", "stem: Now, ", 1))
        build_site(root, engine="pandoc", console=Console(quiet=True))

    build_site(root, engine="pandoc", console=Console(quiet=True))
    calls: list[list[str]] = []
    real = Mount.keep_payloads
    monkeypatch.setattr(Mount, "keep_payloads", lambda keys: calls.append(list(keys)) or real(keys))
    edit_a_stem()  # the post-test's page is made again; the other pages stand
    assert len(calls) == 1 and len(calls[0]) > 1  # their payloads, kept together
    built = count_payload_builds(monkeypatch)
    edit_a_stem()
    assert set(built) == {("quiz", ("intro-final",))}  # the payloads kept were not made again


def test_a_lessons_prose_leaves_remembered_results_and_its_front_matter_reaches_them(root: Path) -> None:
    """A view shows a lesson's front matter only: its cells raise, so prose edits rebuild no payload."""

    def title(builder: PayloadBuilder) -> str:
        return builder.curriculum.lessons["intro"].model.title

    assert _remember(root, title) == ("Introduction", 1)
    lesson = root / "lessons" / "intro.ipynb"
    lesson.write_text(
        lesson.read_text().replace("The alliance predicts outcome", "The alliance often predicts outcome")
    )
    assert _remember(root, title) == ("Introduction", 0)
    lesson.write_text(lesson.read_text().replace("title: Introduction", "title: An introduction", 1))
    assert _remember(root, title) == ("An introduction", 1)


def test_a_result_that_reads_a_lessons_cells_is_never_remembered(root: Path) -> None:
    def cells(builder: PayloadBuilder) -> str:
        return str(len(builder.curriculum.lessons["intro"].cells))

    assert _remember(root, cells) == ("6", 2)  # the view raised, so it ran again on the whole content
    view = load_curriculum(root).showing("quizzes", "intro")
    with pytest.raises(HiddenContent):
        view.lessons["intro"].at("title")


def test_damaged_remembered_results_are_made_again(root: Path) -> None:
    """Payloads, pages, lint results and schema verdicts of the wrong shape in the memo are not used."""
    import json

    first = build_site(root, engine="pandoc", console=Console(quiet=True))
    site = {p.relative_to(first.out): p.read_bytes() for p in first.out.rglob("*") if p.is_file()}
    memo = root / ".curriculum-cache" / "memo"
    namespaces = ("render.payload", "render.generated-page", "content.notebook-schema", "lint.language")
    damaged: dict[str, int] = {}
    wrong = json.dumps(["not", {"the": "right"}, "shape"])
    for namespace in namespaces:
        for path in memo.glob(f"{namespace}.?.jsonl"):
            head, *lines = path.read_text().splitlines()
            path.write_text(
                "\n".join([head, *(f"{line.partition(chr(9))[0]}\t{wrong}" for line in lines)]) + "\n"
            )
            damaged[namespace] = damaged.get(namespace, 0) + len(lines)
        journal = memo / f"{namespace}.journal.jsonl"  # a small namespace's entries may all be there
        if journal.exists():
            head, *lines = journal.read_bytes().splitlines()
            keys = [line.partition(b"\t")[0] for line in lines]
            journal.write_bytes(
                b"\n".join([head, *(_memo_journal.line(k, wrong.encode())[:-1] for k in keys)]) + b"\n"
            )
            damaged[namespace] = damaged.get(namespace, 0) + len(lines)
    assert set(damaged) == set(namespaces)
    _memo._stores.clear()
    shutil.rmtree(first.out)
    again = build_site(root, engine="pandoc", console=Console(quiet=True))
    assert {p.relative_to(again.out): p.read_bytes() for p in again.out.rglob("*") if p.is_file()} == site


def test_what_every_payload_shares_is_digested_once_a_build_not_once_a_view(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shared digest dumps every lesson's front matter: views of the content share their builder's."""
    digests: list[str] = []
    shared = PayloadBuilder.shared_digest.func

    def counted(builder: PayloadBuilder) -> str:
        digests.append(shared(builder))
        return digests[-1]

    monkeypatch.setattr(PayloadBuilder, "shared_digest", functools.cached_property(counted))
    PayloadBuilder.shared_digest.__set_name__(PayloadBuilder, "shared_digest")
    builder = _builder(root)
    with memo_session(root):
        for quiz in ("intro", "intro-final"):  # computed on a view each (nothing is stored yet)
            assert builder.remembered(TITLES, "title", ("quizzes", quiz), lambda b: b.shared_digest)
    assert len(digests) == 1


def test_the_lessons_objectives_are_read_once_a_build_not_once_a_view(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every payload shows the texts of the objectives it serves: views share their builder's."""
    from curriculum.content import _project

    read: list[str] = []
    texts = _project.objective_texts
    monkeypatch.setattr(_project, "objective_texts", lambda doc: read.append(doc.id) or texts(doc))
    builder = _builder(root)
    with memo_session(root):
        for quiz in ("intro", "intro-final"):  # built on a view each (nothing is stored yet)
            payload = builder.remembered(
                TITLES, "objectives", ("quizzes", quiz), lambda b: str(b._objectives)
            )
            assert "intro-1" in payload
    assert read == ["intro"]


def validated_after_a_build_of_two_lessons(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Add a lesson ``other``, build, and return where each lesson model validated from now on is named.

    As a new process: the content index and the memo hold both lessons.
    """
    import re

    from curriculum.content import _project
    from tests.conftest import aged

    lesson = root / "lessons" / "intro.ipynb"
    other = re.sub(r"id: intro-(\d)", r"id: other-\1", lesson.read_text(encoding="utf-8"))
    (root / "lessons" / "other.ipynb").write_text(other.replace("lesson-id: intro", "lesson-id: other"))
    build_site(aged(root), engine="pandoc", console=Console(quiet=True))
    validated: list[str] = []
    model = _project._IndexedDocument.model.func  # type: ignore[attr-defined]
    monkeypatch.setattr(
        _project._IndexedDocument, "model", property(lambda doc: validated.append(doc.display) or model(doc))
    )
    _memo._stores.clear()
    return validated


def test_what_every_payload_shares_validates_no_lesson_taken_from_the_content_index(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each lesson's front matter is named by a digest remembered by its text; a view validates what it reads.

    The digest is the same whether the lessons come from the content index
    (their models unread) or from their files.
    """
    from curriculum.content import load_files, project_files

    validated = validated_after_a_build_of_two_lessons(root, monkeypatch)
    with memo_session(root):
        builder = _builder(root)
        shared = builder.shared_digest
        view = builder.curriculum.showing("quizzes", "intro")
        assert validated == [], "no lesson's model was validated"
        assert view.lessons["other"].model.objectives[0].id == "other-1"
        assert [Path(name).name for name in validated] == ["other.ipynb"]
    fresh = PayloadBuilder(load_files(project_files(root), root=root), Renderer(), "test-site")
    assert fresh.shared_digest == shared


def test_the_objectives_every_payload_shows_validate_no_lesson_taken_from_the_content_index(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quiz's payload shows the texts of the objectives it serves: each lesson's, remembered by its text."""
    from curriculum.content import load_files, project_files

    validated = validated_after_a_build_of_two_lessons(root, monkeypatch)
    with memo_session(root):
        shown = _builder(root).common("quiz", "intro", "Quiz", "intro", ["intro-1", "other-2"], [])
    assert validated == [], "no lesson's model was validated"
    fresh = PayloadBuilder(load_files(project_files(root), root=root), Renderer(), "test-site")
    assert (
        shown["objectives"]
        == fresh.common("quiz", "intro", "Quiz", "intro", ["intro-1", "other-2"], [])["objectives"]
    )
    assert shown["objectives"]["other-2"] != "other-2", "the text, not the id"


def _looked_up_per_lesson(
    root: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    made: Callable[[PayloadBuilder], Any],
    edit: tuple[str, str],
) -> tuple[Any, Any]:
    """Make ``made`` of a builder three times (each a new process), counting calls of ``_project.<name>``.

    The first build asks of every lesson; the second, with no lesson changed,
    of none; the third, after ``edit`` of a lesson's text, of each again.
    Returns what the first and the third made.
    """
    from curriculum.content import _project

    looked: list[str] = []
    real = getattr(_project, name)
    monkeypatch.setattr(_project, name, lambda doc: looked.append(doc.id) or real(doc))

    def build() -> Any:
        _memo._stores.clear()  # each build a new process
        with memo_session(root):
            return made(_builder(root))

    first = build()
    assert looked  # every lesson, once
    looked.clear()
    assert build() == first
    assert looked == []  # no lesson changed: one look-up of them all
    notebook = root / "lessons" / "intro.ipynb"
    notebook.write_text(notebook.read_text().replace(*edit, 1))
    again = build()
    assert looked  # a lesson's text changed: each lesson is looked up again
    return first, again


def test_the_lessons_front_matter_is_looked_up_once_a_build_while_no_lesson_changed(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What every payload shares digests each lesson's front matter: remembered for all lessons at once."""
    edit = ("title: Introduction", "title: Introduction again")
    first, again = _looked_up_per_lesson(
        root, monkeypatch, "front_matter_digest", lambda b: b.shared_digest, edit
    )
    assert again != first


def test_the_lessons_objectives_are_looked_up_once_a_build_while_no_lesson_changed(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every objective's text, which payloads show, is remembered for all lessons at once."""
    edit = ("Describe the alliance as", "Describe the bond as")
    first, again = _looked_up_per_lesson(root, monkeypatch, "objective_texts", lambda b: b._objectives, edit)
    assert again != first and any(text.startswith("Describe the bond as") for text in again.values())


def test_results_kept_at_once_find_the_store_once_and_stay_when_the_memo_is_rewritten(root: Path) -> None:
    """:meth:`PayloadBuilder.keep_all` keeps each result as :meth:`PayloadBuilder.keep` does, in one call."""

    def title(builder: PayloadBuilder) -> str:
        return builder.curriculum.quizzes["intro"].model.title

    assert _remember(root, title) == ("Introduction quiz", 1)
    _memo._stores.clear()
    stores: list[object] = []
    with memo_session(root):
        builder, shown = _builder(root), ("quizzes", "intro")
        key = builder.key_of(TITLES, "title", shown)
        assert key is not None
        with pytest.MonkeyPatch.context() as spy:
            for memo in (TITLES, _spec._PAYLOADS):
                spy.setattr(
                    memo, "_store", functools.partial(lambda real: stores.append(1) or real(), memo._store)
                )
            builder.keep_all(TITLES, [("title", shown, key), ("other", ("quizzes", "intro-final"), key)])
            assert len(stores) == 1 and builder.remembered_key("title", shown) == key
            Mount.keep_payloads(
                [f"payload {n}" for n in range(3)]
            )  # a page's payloads: one look for the store
            assert len(stores) == 2
        for n in range(500):  # one new entry in each of its files: every file is rewritten
            TITLES.put(f"new {n}", "new")
    assert _remember(root, title) == ("Introduction quiz", 0), "kept unread, it stayed"


def test_a_list_of_every_document_is_named_by_each_ones_id_and_digest(root: Path) -> None:
    """The digest of a table's documents names them by id and text, whatever order the table holds them in."""
    import hashlib
    import json

    from curriculum.content import EVERY

    builder = _builder(root)
    quizzes = builder.curriculum.tables["quizzes"]
    expected = json.dumps(sorted([ident, doc.digest] for ident, doc in quizzes.items()))
    assert builder.document_digest("quizzes", EVERY) == hashlib.sha256(expected.encode()).hexdigest()
    _retitle(root, "intro", "Another title")
    assert _builder(root).document_digest("quizzes", EVERY) != builder.document_digest("quizzes", EVERY)
    assert builder.document_digest("quizzes", None) == "-"


def test_a_payload_made_again_reads_no_lessons_objectives_while_the_lessons_are_as_they_were(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quiz edit makes its payload again: the texts of its objectives come from the memo, no lesson's read.

    They are remembered by the objectives' ids and what every payload shares
    (every lesson's front matter): an objective's text edited is shown at once.
    """
    from curriculum.render import _payloads

    build_site(root, engine="pandoc", console=Console(quiet=True))
    read: list[int] = []
    every = _payloads.every_objective_text
    monkeypatch.setattr(
        _payloads, "every_objective_text", lambda lessons: read.append(len(lessons)) or every(lessons)
    )
    _memo._stores.clear()
    _retitle(root, "intro", "Introduction quiz, revised")
    result = build_site(root, engine="pandoc", console=Console(quiet=True))
    assert read == []
    shown = (result.out / "quiz" / "intro.data.js").read_text(encoding="utf-8")
    assert "Describe the alliance as a common factor." in shown and "Introduction quiz, revised" in shown
    lesson = root / "lessons" / "intro.ipynb"
    lesson.write_text(lesson.read_text().replace("Describe the alliance as", "Describe the bond as", 1))
    _memo._stores.clear()
    result = build_site(root, engine="pandoc", console=Console(quiet=True))
    assert read
    shown = (result.out / "quiz" / "intro.data.js").read_text(encoding="utf-8")
    assert "Describe the bond as a common factor." in shown and "Describe the alliance as" not in shown
