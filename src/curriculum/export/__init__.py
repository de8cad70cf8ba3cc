"""Exports: quizzes written in formats other programs read, one module per format.

Each format is an :class:`Exporter` registered in :data:`EXPORTERS`;
``curriculum export FORMAT [QUIZ-ID...] --out DIR`` writes one file per quiz
with any of them. The first is the printable handout, which the site's quiz
pages include too; then the question banks and decks for the programs
residency programs use: GIFT and Moodle XML (Moodle), an IMS QTI 2.1 package
(Canvas and other learning-management systems), an Anki deck and a CSV
table. Those read each quiz through one helper (:func:`quiz_text`): HTML
with citations as text, the key, and labels. A new format is one module here
and one line in :data:`BUILT_IN` (see ``CONTRIBUTING.md``).
"""

from curriculum.export._anki import FIELDS, Anki
from curriculum.export._base import EXPORTERS, ExportContext, Exporter, Exporters, keyed
from curriculum.export._csv import Csv
from curriculum.export._gift import Gift
from curriculum.export._handout import Handout, handout_order
from curriculum.export._markup import ItemText, OptionText, QuizText, quiz_text
from curriculum.export._moodle import MoodleXml
from curriculum.export._qti import Qti
from curriculum.export._write import write_exports

__all__ = [
    "BUILT_IN",
    "EXPORTERS",
    "FIELDS",
    "Anki",
    "Csv",
    "ExportContext",
    "Exporter",
    "Exporters",
    "Gift",
    "Handout",
    "ItemText",
    "MoodleXml",
    "OptionText",
    "Qti",
    "QuizText",
    "handout_order",
    "keyed",
    "quiz_text",
    "write_exports",
]

BUILT_IN: tuple[Exporter, ...] = (Handout(), Gift(), MoodleXml(), Qti(), Anki(), Csv())
"""The formats the package ships, in the order ``curriculum export --help`` lists them."""

for _exporter in BUILT_IN:
    EXPORTERS.register(_exporter)
del _exporter
