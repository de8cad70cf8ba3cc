"""The printable handout: each item's stem and options, without answers, in a fixed order.

The site's quiz page includes the handout (shown only when the page is
printed), and ``curriculum export handout`` writes it as a page of its own.
"""

from __future__ import annotations

import base64
import hashlib
import random
from pathlib import Path
from typing import Any, TypeVar

from markupsafe import Markup

from curriculum.content import Document, Quiz
from curriculum.export._base import ExportContext
from curriculum.render import Piece, html_templates, reference_list

__all__ = ["Handout", "handout_order"]

T = TypeVar("T")
_STYLE = Path(__file__).parent / "templates" / "handout.css"
"""The standalone handout's own style (its page loads nothing else; the CSP allows only this)."""


def handout_order(quiz: str, item: str, options: list[T], *, shuffle: bool = True) -> list[T]:
    """Return the options of an item in the printed handout's order.

    The order is a shuffle seeded by the quiz and item ids: the same on every
    build and every printer, so a class shares one sheet, and never the file's
    order, which authors tend to fill key-first or in a pattern. A quiz with
    ``shuffle: false`` keeps the authored order.
    """
    ordered = list(options)
    if shuffle and len(ordered) > 1:
        rng = random.Random(f"{quiz}:{item}")
        while ordered == list(options):
            rng.shuffle(ordered)
    return ordered


class Handout:
    """The printable handout (an HTML page; print it from the browser)."""

    name = "handout"
    suffix = ".html"
    description = "a printable handout: each item's stem and options, no answers"

    def pieces(self, quiz: Document[Quiz], context: ExportContext) -> list[Piece]:
        """Return the handout's section, piece by piece, each item with the place of its stem.

        The quiz page writes these pieces, so an error Pandoc finds in an item
        is reported at the item's stem in the quiz file.
        """
        md = context.renderer
        macros: Any = html_templates("curriculum.export").get_template("handout.html.j2").module
        pieces: list[Piece] = [str(macros.opening())]
        for n, item in enumerate(quiz.model.items):
            # Each option with its own letter, the one the quiz shows on screen and the key names,
            # in an order fixed per quiz (so a class shares one sheet) that is not the file's.
            options = [
                {"id": o.id, "html": Markup(md.inline(o.text))}
                for o in handout_order(quiz.id, item.id, item.options, shuffle=quiz.model.shuffle)
            ]
            markup = macros.item(stem=Markup(md.block(item.stem)), options=options)
            pieces.append((str(markup), (quiz.display, quiz.at("items", n, "stem"))))
        pieces.append(str(macros.closing()))
        return pieces

    def export(self, quiz: Document[Quiz], context: ExportContext) -> str:
        """Return the handout as a page of its own, with the references its items cite."""
        section = "".join(p if isinstance(p, str) else p[0] for p in self.pieces(quiz, context))
        texts = [text for item in quiz.model.items for text in (item.stem, *(o.text for o in item.options))]
        page = html_templates("curriculum.export").get_template("handout-page.html.j2")
        style = _STYLE.read_text(encoding="utf-8")
        return page.render(
            title=quiz.model.title,
            style=Markup(style),
            style_hash=base64.b64encode(hashlib.sha256(f"\n{style}".encode()).digest()).decode(),
            section=Markup(section),
            references=Markup(reference_list(context.renderer, texts)),
        )
