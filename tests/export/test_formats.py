"""The exports for other programs, each read back by an importer the project did not write.

GIFT by gift-pegjs (a PEG grammar of Moodle's GIFT format, run under Node.js), Moodle XML by
libxml2 with Moodle's rules for answer fractions, the QTI 2.1 package upgraded to QTI 3.0 by
citolab-qti-convert, the Anki deck imported by Anki's own library, the CSV by pandas. The quiz
`specials` (tests/data/export/specials.yml) is full of the characters each format gives a
meaning, and holds a select-all-that-apply item.
"""

from __future__ import annotations

import html
import io
import math
import os
import shutil
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from lxml import etree

from curriculum.content import load_curriculum
from curriculum.export import EXPORTERS, FIELDS, ExportContext, QuizText, quiz_text
from curriculum.project import Project
from curriculum.site import payload_builder
from tests.cli.test_cli import run
from tests.conftest import DATA, PROJECT, REPO
from tests.node import run as run_node

SPECIALS = DATA / "export" / "specials.yml"
FORMATS = {"gift": ".gift", "moodle-xml": ".moodle.xml", "qti": ".qti.zip", "anki": ".apkg", "csv": ".csv"}
MOODLE_FRACTIONS = {
    0.0, 1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
    0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05,
}  # fmt: skip
"""Moodle's grade options for an answer (question_bank::fraction_options_full), each also negative."""


def _with_specials(target: Path) -> Path:
    shutil.copytree(PROJECT, target, ignore=shutil.ignore_patterns("_site*", ".curriculum-cache"))
    shutil.copy(SPECIALS, target / "quizzes" / "specials.yml")
    return target


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    """The test project with the quiz of special characters."""
    return _with_specials(tmp_path / "project")


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> ExportContext:
    root = _with_specials(tmp_path_factory.mktemp("bank") / "project")
    cur = load_curriculum(root)
    builder = payload_builder(Project(root), cur, "faculty")
    return ExportContext(cur, builder.renderer, builder.profile)


def _export(context: ExportContext, name: str, quiz: str) -> str | bytes:
    return EXPORTERS[name].export(context.curriculum.quizzes[quiz], context)


def _texts(context: ExportContext, quiz: str) -> QuizText:
    return quiz_text(context.curriculum.quizzes[quiz], context, "test")


# ------------------------------------------------------------------ the shared HTML


def test_the_html_keeps_every_special_character_and_writes_citations_as_text(context: ExportContext) -> None:
    text = _texts(context, "specials")
    first = text.items[0]
    for char in "~=#{}:\\":  # the fixture really holds what GIFT must escape
        assert char in first.stem_html and char in first.options[0].html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in first.stem_html  # authored HTML is text
    assert "<em>emphasis</em>" in first.stem_html  # Markdown is rendered
    assert "(Krupnick et al. 1996)" in first.stem_html and "#ref-" not in first.stem_html
    assert "(Krupnick et al. 1996; Plakun et al. 2009, p. 5)" in first.rationale_html
    # the rationale ends with the full entries of the references it rests on, cited or listed
    assert "Journal of Consulting and Clinical Psychology" in first.rationale_html
    assert "Journal of Psychiatric Practice" in first.rationale_html
    assert [o.fraction for o in text.items[1].options] == [50, -33.33333, 50, -33.33333, -33.33333]
    assert text.category == ("intro", "specials") and text.site == "test-curriculum"
    assert first.labels == (
        ("quiz", "specials"),
        ("lesson", "intro"),
        ("objective", "intro-1"),
        ("objective", "intro-2"),
    )


@pytest.mark.parametrize("name", list(FORMATS))
def test_no_export_runs_authored_markup_or_links_to_the_site(context: ExportContext, name: str) -> None:
    data = _export(context, name, "specials")
    if isinstance(data, bytes) and data.startswith(b"PK"):  # a package: every file in it
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            data = b"".join(package.read(n) for n in package.namelist())
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    assert "<script" not in data and "#ref-" not in data
    assert "alert(1)" in data  # the payload is there, as text


# ------------------------------------------------------------------ GIFT


def _gift_parser() -> None:
    if not (REPO / "node_modules" / "gift-pegjs").is_dir():
        if os.environ.get("CI"):
            pytest.fail("gift-pegjs is not installed: run `make node_modules/.installed`")
        pytest.skip("gift-pegjs is not installed (make node_modules/.installed)")


def _parse_gift(source: str) -> list[dict[str, Any]]:
    _gift_parser()
    parsed: list[dict[str, Any]] = run_node(
        'import gift from "gift-pegjs";\nconsole.log(JSON.stringify(gift.parse(DATA)));', source
    )
    return parsed


def _unbroken(text: str) -> str:
    """Return a GIFT field's HTML with the line breaks the export wrote as ``&#10;``."""
    return text.replace("&#10;", "\n")


@pytest.mark.parametrize("quiz", ["specials", "intro"])
def test_gift_reads_back_with_every_item_answer_and_feedback(context: ExportContext, quiz: str) -> None:
    text = _texts(context, quiz)
    export = _export(context, "gift", quiz)
    assert isinstance(export, str)
    category, *questions = _parse_gift(export)
    assert category == {"type": "Category", "title": f"$course$/top/intro/{quiz}"}
    assert len(questions) == len(text.items)
    for question, item in zip(questions, text.items, strict=True):
        assert question["type"] == "MC" and question["title"] == item.id and question["id"] == item.id
        assert question["tags"] == [f"{kind}-{ident}" for kind, ident in item.labels]
        assert question["stem"]["format"] == "html" and _unbroken(question["stem"]["text"]) == item.stem_html
        assert _unbroken(question["globalFeedback"]["text"]) == item.rationale_html
        assert len(question["choices"]) == len(item.options)
        for choice, option in zip(question["choices"], item.options, strict=True):
            assert choice["text"] == {"format": "html", "text": option.html}
            assert _unbroken(choice["feedback"]["text"]) == option.feedback_html
            if item.multiple:
                assert math.isclose(choice["weight"], option.fraction)
            else:
                assert choice["isCorrect"] is option.correct and choice["weight"] is None


# ------------------------------------------------------------------ Moodle XML


@pytest.mark.parametrize("quiz", ["specials", "intro"])
def test_moodle_xml_is_well_formed_and_its_fractions_sum_as_moodle_requires(
    context: ExportContext, quiz: str
) -> None:
    text = _texts(context, quiz)
    export = _export(context, "moodle-xml", quiz)
    assert isinstance(export, bytes)
    root = etree.fromstring(export, etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.tag == "quiz"
    category, *questions = root.findall("question")
    assert category.get("type") == "category"
    assert category.findtext("category/text") == f"$course$/top/intro/{quiz}"
    assert len(questions) == len(text.items)
    for question, item in zip(questions, text.items, strict=True):
        assert question.get("type") == "multichoice" and question.findtext("idnumber") == item.id
        assert question.findtext("questiontext/text") == item.stem_html
        assert question.findtext("generalfeedback/text") == item.rationale_html
        assert [t.text for t in question.findall("tags/tag/text")] == [f"{k}-{i}" for k, i in item.labels]
        answers = question.findall("answer")
        assert [a.findtext("text") for a in answers] == [o.html for o in item.options]
        assert [a.findtext("feedback/text") for a in answers] == [o.feedback_html for o in item.options]
        fractions = [float(a.get("fraction", "")) / 100 for a in answers]
        assert all(round(abs(f), 7) in MOODLE_FRACTIONS for f in fractions)
        if question.findtext("single") == "true":
            # qtype_multichoice: one answer must be worth 100%
            assert not item.multiple and max(fractions) == 1 and fractions.count(1) == 1
        else:
            # qtype_multichoice: the positive grades must add up to 100% (to 1e-7)
            total = sum(f for f in fractions if f > 0)
            assert item.multiple and 0.9999999 <= total <= 1.0000001, total
        keyed = [o.correct for o in item.options]
        assert [f > 0 for f in fractions] == keyed


# ------------------------------------------------------------------ QTI


@pytest.mark.parametrize("quiz", ["specials", "intro"])
def test_the_qti_package_upgrades_to_qti_3_with_its_identifiers_and_key(
    context: ExportContext, quiz: str, tmp_path: Path
) -> None:
    from qti_convert import read_package, upgrade_package

    text = _texts(context, quiz)
    export = _export(context, "qti", quiz)
    assert isinstance(export, bytes)
    source = tmp_path / f"{quiz}.qti.zip"
    source.write_bytes(export)
    with zipfile.ZipFile(source) as package:
        assert package.namelist() == ["imsmanifest.xml", *(f"items/{i.id}.xml" for i in text.items)]
    upgrade_package(source, tmp_path / "qti3.zip")
    files = read_package(tmp_path / "qti3.zip")
    ns = {"cp": "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"}
    manifest = etree.fromstring(_bytes(files["imsmanifest.xml"]))
    resources = manifest.findall("cp:resources/cp:resource", ns)
    assert [r.get("identifier") for r in resources] == [i.id for i in text.items]
    assert {r.get("type") for r in resources} == {"imsqti_item_xmlv3p0"}
    qti = {"q": "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"}
    for item in text.items:
        root = etree.fromstring(_bytes(files[f"items/{item.id}.xml"]))
        assert root.tag == f"{{{qti['q']}}}qti-assessment-item" and root.get("identifier") == item.id
        declaration = root.find("q:qti-response-declaration", qti)
        assert declaration is not None
        assert declaration.get("cardinality") == ("multiple" if item.multiple else "single")
        key = [v.text for v in declaration.findall("q:qti-correct-response/q:qti-value", qti)]
        assert key == list(item.answer)
        choices = root.findall(".//q:qti-choice-interaction/q:qti-simple-choice", qti)
        assert [c.get("identifier") for c in choices] == [o.id for o in item.options]
        interaction = root.find(".//q:qti-choice-interaction", qti)
        assert interaction is not None and interaction.get("max-choices") == ("0" if item.multiple else "1")
        feedback = root.findall("q:qti-modal-feedback", qti)
        assert [f.get("identifier") for f in feedback] == [*(o.id for o in item.options), "RATIONALE"]
        assert {f.get("outcome-identifier") for f in feedback} == {"FEEDBACK"}
        shown = [o.feedback_html for o in item.options] + [item.rationale_html]
        assert ["".join(f.itertext()) for f in feedback] == [_text(html) for html in shown]
        body = root.find("q:qti-item-body", qti)
        assert body is not None and body[-1] is interaction
        stem = "".join("".join(e.itertext()) + (e.tail or "") for e in body[:-1])
        assert (body.text or "") + stem == _text(item.stem_html)


def _text(html: str) -> str:
    return "".join(lxml.html.fragment_fromstring(html, create_parent="div").itertext())


def _bytes(content: str | bytes) -> bytes:
    return content.encode() if isinstance(content, str) else content


# ------------------------------------------------------------------ Anki


def _import(collection: Any, package: Path) -> Any:
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    request = ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
    return collection.import_anki_package(request).log


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Any]:
    """A fresh Anki collection."""
    from anki.collection import Collection

    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        yield col
    finally:
        col.close()


def test_anki_imports_the_deck_and_a_later_export_updates_it_without_duplicates(
    bank: Path, tmp_path: Path, collection: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.chdir(bank)
    assert run(["export", "anki", "specials", "--out", "out"], capsys)[0] == 0
    log = _import(collection, bank / "out" / "specials.apkg")
    cur = load_curriculum(bank)
    builder = payload_builder(Project(bank), cur, "resident")
    text = quiz_text(cur.quizzes["specials"], ExportContext(cur, builder.renderer), "anki")
    assert len(log.new) == len(text.items) and not log.duplicate
    notes = {n["Item"]: n for n in map(collection.get_note, collection.find_notes(""))}
    assert list(notes) == [i.id for i in text.items]
    for item in text.items:
        note = notes[item.id]
        assert list(note.keys()) == list(FIELDS)
        assert note["Stem"] == item.stem_html and note["Rationale"] == item.rationale_html
        assert note["Quiz"] == text.title and text.title.endswith('& "quotes" -- in a title')
        assert note["Objectives"] == " ".join(item.objectives)
        for option in item.options:
            assert option.html in note["Options"] and option.feedback_html in note["Feedback"]
        assert sorted(note.tags) == sorted(f"{kind}::{ident}" for kind, ident in item.labels)
        key = [o for o in item.options if o.correct]
        assert all(o.html in note["Answer"] for o in key) and len(key) == note["Answer"].count("<p")
    assert collection.decks.by_name(text.title) is not None

    # The author corrects a rationale and exports again, later: the import updates, adds nothing.
    quiz = bank / "quizzes" / "specials.yml"
    quiz.write_text(quiz.read_text().replace("builds the alliance", "strengthens the alliance"))
    later = time.time() + 5
    monkeypatch.setattr("curriculum.export._anki.time.time", lambda: later)
    assert run(["export", "anki", "specials", "--out", "out"], capsys)[0] == 0
    log = _import(collection, bank / "out" / "specials.apkg")
    assert not log.new and len(log.updated) == len(text.items) and not log.duplicate
    assert len(collection.find_notes("")) == len(text.items)
    first = collection.get_note(collection.find_notes("Item:specials-q01")[0])
    assert "strengthens the alliance" in first["Rationale"]

    # Anki's own export of the deck, imported again, matches the same notes by their GUIDs.
    from anki.collection import ExportAnkiPackageOptions

    again = tmp_path / "anki-export.apkg"
    collection.export_anki_package(out_path=str(again), options=ExportAnkiPackageOptions(), limit=None)
    log = _import(collection, again)
    assert not log.new and len(collection.find_notes("")) == len(text.items)


# ------------------------------------------------------------------ CSV


def test_the_csv_reads_back_in_pandas_with_one_row_per_item(context: ExportContext) -> None:
    import pandas as pd

    text = _texts(context, "specials")
    export = _export(context, "csv", "specials")
    assert isinstance(export, str) and export.startswith("\ufeff")
    table = pd.read_csv(io.StringIO(export), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(table.columns[:5]) == ["quiz", "item", "type", "objectives", "stem"]
    assert list(table.columns[-3:]) == ["answer", "rationale", "tags"]
    assert list(table["item"]) == [i.id for i in text.items]
    for (_, row), item in zip(table.iterrows(), text.items, strict=True):
        assert row["stem"] == item.stem_html and row["rationale"] == item.rationale_html
        assert row["answer"] == " ".join(item.answer)
        assert row["type"] == ("multiple" if item.multiple else "single")
        for option in item.options:
            assert row[f"option_{option.id}"] == option.html
            assert row[f"feedback_{option.id}"] == option.feedback_html
    assert table.loc[0, "option_e"] == ""  # the first item has no option e


# ------------------------------------------------------------------ the command


def test_export_writes_every_format_for_every_quiz_a_resident_may_have(
    bank: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.chdir(bank)
    for name, suffix in FORMATS.items():
        status, printed, err = run(["export", name, "--out", "out"], capsys)
        assert status == 0, err
        # the summative quiz's key stays out of the resident edition
        assert printed.split() == [str(Path("out") / f"{q}{suffix}") for q in ("intro", "specials")]
    names = sorted(p.name for p in (bank / "out").iterdir())
    assert names == sorted(f"{q}{s}" for q in ("intro", "specials") for s in FORMATS.values())


def test_the_faculty_exports_a_summative_quiz_and_a_resident_cannot(
    bank: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.chdir(bank)
    status, _, err = run(["export", "moodle-xml", "intro-final", "--out", "out"], capsys)
    assert status == 2 and "Traceback" not in err
    assert err.splitlines()[-1] == (
        "Error: quiz `intro-final` is summative, and a moodle-xml export carries its key: "
        "export it with --profile faculty, and keep the file away from learners"
    )
    assert not (bank / "out").exists()
    status, printed, err = run(
        ["export", "moodle-xml", "intro-final", "--profile", "faculty", "--out", "out"], capsys
    )
    assert status == 0, err
    assert b"SUMMATIVE-RATIONALE-1" in (bank / "out" / "intro-final.moodle.xml").read_bytes()
    # the handout carries no key: every quiz, summative too, in the resident edition
    status, printed, _ = run(["export", "handout", "--out", "handouts"], capsys)
    assert status == 0 and len(printed.split()) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["export", "gif", "--out", "x"],
            "Error: Invalid value for '[handout|gift|moodle-xml|qti|anki|csv]'",
        ),
        (["export", "qti", "specials", "intro-fnal", "--out", "x"], "Error: there is no quiz `intro-fnal`"),
    ],
)
def test_an_unknown_format_or_quiz_is_one_clear_error_and_writes_nothing(
    bank: Path, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.chdir(bank)
    status, out, err = run(args, capsys)
    assert status == 2 and out == "" and "Traceback" not in err
    (line,) = [line for line in err.splitlines() if line.startswith("Error:")]
    assert line.startswith(message)
    assert not (bank / "x").exists()


def test_gift_escaping_round_trips_any_text_through_the_parser() -> None:
    """Random text over GIFT's special characters, in every field of a question, reads back unchanged."""
    import random

    from curriculum.export._gift import gift_escape

    rng = random.Random(20261204)
    alphabet = "~=#{}:\\[]%-/<>&ab \n"

    def text() -> str:
        middle = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        return f"x{middle}y"  # GIFT trims each field, as Moodle does: no space at either end

    cases = [(text(), text(), text(), text(), text()) for _ in range(300)]
    source = "\n\n".join(
        f"::{n}::[html]{gift_escape(stem)}{{\n=[html]{gift_escape(key)}#[html]{gift_escape(why)}\n"
        f"~[html]{gift_escape(other)}\n####[html]{gift_escape(rationale)}\n}}"
        for n, (stem, key, why, other, rationale) in enumerate(cases)
    )
    parsed = _parse_gift(source)
    assert len(parsed) == len(cases)
    same = html.unescape  # the fields are HTML: equal once entities are read
    for question, (stem, key, why, other, rationale) in zip(parsed, cases, strict=True):
        right, wrong = question["choices"]
        assert question["type"] == "MC"
        assert same(question["stem"]["text"]) == same(stem)
        assert same(right["text"]["text"]) == same(key) and right["isCorrect"] is True
        assert same(right["feedback"]["text"]) == same(why)
        assert same(wrong["text"]["text"]) == same(other) and wrong["isCorrect"] is False
        assert same(question["globalFeedback"]["text"]) == same(rationale)
