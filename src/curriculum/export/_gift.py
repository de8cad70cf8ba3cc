"""GIFT: Moodle's text format for question banks (Question bank > Import > GIFT).

Each item is a multiple-choice question in HTML (``[html]``), titled and
id-numbered with the item id, with its feedback on each answer and the
rationale as general feedback; the quiz's questions go into one category
(the lesson or activity, then the quiz) and carry the quiz, the lesson and
the objectives as tags (``// [id:...] [tag:...]``, Moodle 3.6 and later).
Every character GIFT gives a meaning (``~ = # { } :`` and the backslash) is
escaped; line breaks are written as ``&#10;`` (a blank line ends a question)
and ``->`` as ``-&gt;`` (the arrow of a matching question), the same HTML.
"""

from __future__ import annotations

import re

from curriculum.content import Document, Quiz
from curriculum.export._base import ExportContext
from curriculum.export._markup import ItemText, percent, quiz_text

__all__ = ["Gift", "gift_escape"]

_SPECIAL = re.compile(r"([\\~=#{}:])")


def gift_escape(html: str) -> str:
    """Return HTML for a GIFT field: GIFT's special characters escaped, no line break left.

    Two things GIFT reads have no backslash escape, so they are written as
    the same HTML in another form: a line break as ``&#10;`` (a blank line
    ends a question) and ``->`` as ``-&gt;`` (a matching question's arrow).
    """
    text = html.replace("\r", "").replace("\n", "&#10;").replace("->", "-&gt;")
    return _SPECIAL.sub(r"\\\1", text)


class Gift:
    """GIFT, for Moodle's question bank."""

    name = "gift"
    suffix = ".gift"
    description = "GIFT for Moodle's question bank: items, answers, feedback and rationale"
    keyed = True

    def export(self, quiz: Document[Quiz], context: ExportContext) -> str:
        """Return the quiz as a GIFT file."""
        text = quiz_text(quiz, context, self.name)
        lines = [
            f"// {_comment(text.title)} ({text.id}): exported by curriculum from {text.site}",
            f"$CATEGORY: $course$/top/{'/'.join(text.category)}",
            "",
        ]
        for item in text.items:
            lines += [*_question(item), ""]
        return "\n".join(lines)


def _question(item: ItemText) -> list[str]:
    tags = " ".join(f"[tag:{tag}]" for tag in item.tags)
    lines = [
        f"// [id:{item.id}] {tags}",
        f"::{gift_escape(item.id)}::[html]{gift_escape(item.stem_html)}{{",
    ]
    for option in item.options:
        # a single best answer: = the key, ~ the others; select all that apply: ~%weight% each
        mark = f"~%{percent(option.fraction)}%" if item.multiple else "=" if option.correct else "~"
        lines.append(f"{mark}[html]{gift_escape(option.html)}#[html]{gift_escape(option.feedback_html)}")
    lines += [f"####[html]{gift_escape(item.rationale_html)}", "}"]
    return lines


def _comment(text: str) -> str:
    """Return ``text`` on one line, for a comment."""
    return " ".join(text.split())
