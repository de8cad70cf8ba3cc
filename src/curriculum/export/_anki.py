"""Anki: a deck of the quiz's items, to review them spaced out over time (File > Import in Anki).

``<quiz-id>.apkg`` is written by genanki: one note per item, its front the
stem and lettered options, its back the key, every option's feedback and the
rationale with its references. Notes are tagged with the quiz, the lesson or
activity and the objectives (``quiz::<id>``, ``objective::<id>``). Each note's
GUID comes from the site id, the quiz id and the item id, and the note type's
and deck's ids from the site and quiz, so importing a later export of the same
quiz updates the notes already in a collection instead of adding copies.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import time
import zipfile
from pathlib import Path
from typing import Any

from markupsafe import Markup

from curriculum.content import Document, Quiz
from curriculum.export._base import ExportContext
from curriculum.export._handout import handout_order
from curriculum.export._markup import ItemText, QuizText, quiz_text
from curriculum.render import html_templates

__all__ = ["FIELDS", "Anki"]

FIELDS = ("Item", "Quiz", "Stem", "Options", "Answer", "Feedback", "Rationale", "Objectives")
"""The fields of the note type, in order (the item id first: Anki sorts and checks duplicates on it)."""
_TEMPLATES = Path(__file__).parent / "templates"


class Anki:
    """An Anki deck (``.apkg``)."""

    name = "anki"
    suffix = ".apkg"
    description = "an Anki deck: one note per item with its key, feedback and rationale"
    keyed = True

    def export(self, quiz: Document[Quiz], context: ExportContext) -> bytes:
        """Return the quiz as an Anki package."""
        import genanki

        text = quiz_text(quiz, context, self.name)
        model = genanki.Model(
            _stable_id(text.site, "note type"),
            f"Quiz item ({text.site})",
            fields=[{"name": name} for name in FIELDS],
            templates=[
                {
                    "name": "Item",
                    "qfmt": (_TEMPLATES / "anki-front.html").read_text(encoding="utf-8"),
                    "afmt": (_TEMPLATES / "anki-back.html").read_text(encoding="utf-8"),
                }
            ],
            css=(_TEMPLATES / "anki.css").read_text(encoding="utf-8"),
        )
        deck = genanki.Deck(_stable_id(text.site, "deck", text.id), text.title)
        for item in text.items:
            deck.add_note(
                genanki.Note(
                    model=model,
                    fields=_fields(item, text),
                    tags=[f"{kind}::{ident}" for kind, ident in item.labels],
                    guid=genanki.guid_for(text.site, text.id, item.id),
                )
            )
        return _package(genanki.Package(deck))


def _fields(item: ItemText, quiz: QuizText) -> list[str]:
    macros: Any = html_templates("curriculum.export").get_template("anki-fields.html.j2").module
    # Anki shows the options in one order: fixed per item, and not the file's (often key-first).
    options = [
        {"id": o.id, "html": Markup(o.html), "feedback": Markup(o.feedback_html), "correct": o.correct}
        for o in handout_order(quiz.id, item.id, list(item.options), shuffle=quiz.shuffle)
    ]
    return [
        item.id,
        quiz.title,
        item.stem_html,
        str(macros.options(options)),
        str(macros.answer(options)),
        str(macros.feedback(options)),
        item.rationale_html,
        " ".join(item.objectives),
    ]


def _stable_id(*parts: str) -> int:
    """Return an id for a note type or deck that is the same on every export (in Anki's range)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def _package(package: Any) -> bytes:
    """Return the ``.apkg`` bytes of a genanki package, its notes stamped with the time of export.

    The time lets Anki's import replace the notes of an earlier export of the
    same quiz (it updates a note when the incoming one is newer).
    """
    import sqlite3  # only to export a deck: a build that makes a quiz page imports this package (the handout)

    timestamp = time.time()
    # built in memory (on disk, every statement would sync), then zipped from memory
    memory = sqlite3.connect(":memory:")
    try:
        package.write_to_db(memory.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
        memory.commit()
        collection = memory.serialize()
    finally:
        memory.close()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as apkg:
        apkg.writestr("collection.anki2", collection)
        apkg.writestr("media", "{}")
    return buffer.getvalue()
