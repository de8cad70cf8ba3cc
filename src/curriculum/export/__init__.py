"""Exports: quizzes written in formats other programs read, one module per format.

Each format is an :class:`Exporter` registered in :data:`EXPORTERS`;
``curriculum export FORMAT [QUIZ-ID...] --out DIR`` writes one file per quiz
with any of them. The first is the printable handout, which the site's quiz
pages include too. A new format is one module here and one line in
:data:`BUILT_IN` (see ``CONTRIBUTING.md``).
"""

from curriculum.export._base import EXPORTERS, ExportContext, Exporter, Exporters
from curriculum.export._handout import Handout, handout_order
from curriculum.export._write import write_exports

__all__ = [
    "BUILT_IN",
    "EXPORTERS",
    "ExportContext",
    "Exporter",
    "Exporters",
    "Handout",
    "handout_order",
    "write_exports",
]

BUILT_IN: tuple[Exporter, ...] = (Handout(),)
"""The formats the package ships, in the order ``curriculum export --help`` lists them."""

for _exporter in BUILT_IN:
    EXPORTERS.register(_exporter)
del _exporter
