"""CSV: one row per item, for a spreadsheet or any tool that reads a table.

Columns: ``quiz``, ``item``, ``type``, ``objectives`` (space-separated ids),
``stem``, then ``option_<id>`` and ``feedback_<id>`` for every option id the
quiz uses (in order), ``answer`` (the keyed ids, space-separated),
``rationale`` (with its references) and ``tags``. Text cells hold the same
HTML as the other formats, citations as text. The file starts with a
byte-order mark so that spreadsheet programs read it as UTF-8.
"""

from __future__ import annotations

import csv
import io

from curriculum.content import Document, Quiz
from curriculum.export._base import ExportContext
from curriculum.export._markup import quiz_text

__all__ = ["Csv"]


class Csv:
    """CSV, one row per item."""

    name = "csv"
    suffix = ".csv"
    description = "CSV, one row per item: stem, options, feedback, key, rationale, objectives"
    keyed = True

    def export(self, quiz: Document[Quiz], context: ExportContext) -> str:
        """Return the quiz as a CSV table."""
        text = quiz_text(quiz, context, self.name)
        ids = list(dict.fromkeys(o.id for item in text.items for o in item.options))
        columns = [
            "quiz",
            "item",
            "type",
            "objectives",
            "stem",
            *(f"{kind}_{i}" for i in ids for kind in ("option", "feedback")),
            "answer",
            "rationale",
            "tags",
        ]
        out = io.StringIO()
        writer = csv.DictWriter(out, columns, lineterminator="\r\n")
        writer.writeheader()
        for item in text.items:
            row = {
                "quiz": text.id,
                "item": item.id,
                "type": "multiple" if item.multiple else "single",
                "objectives": " ".join(item.objectives),
                "stem": item.stem_html,
                "answer": " ".join(item.answer),
                "rationale": item.rationale_html,
                "tags": " ".join(item.tags),
            }
            for option in item.options:
                row[f"option_{option.id}"] = option.html
                row[f"feedback_{option.id}"] = option.feedback_html
            writer.writerow(row)
        return "\ufeff" + out.getvalue()
