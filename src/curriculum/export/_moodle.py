"""Moodle XML: Moodle's full question-bank format (Question bank > Import > Moodle XML format).

A category question first (the lesson or activity, then the quiz), then each
item as a ``multichoice`` question in HTML: the item id as its name and id
number, each option with its fraction and feedback, the rationale as general
feedback, and the quiz, the lesson and the objectives as tags. A
single-best-answer item has one answer at 100%; in a select-all-that-apply
item the keyed answers share 100% and the others share -100%, as Moodle's
form requires. The XML is written by :mod:`xml.etree.ElementTree`, which
escapes every text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from curriculum.content import Document, Quiz
from curriculum.export._base import ExportContext
from curriculum.export._markup import ItemText, percent, quiz_text

__all__ = ["MoodleXml"]


class MoodleXml:
    """Moodle XML, for Moodle's question bank."""

    name = "moodle-xml"
    suffix = ".moodle.xml"
    description = "Moodle XML for Moodle's question bank: items, fractions, feedback, rationale, tags"
    keyed = True

    def export(self, quiz: Document[Quiz], context: ExportContext) -> bytes:
        """Return the quiz as a Moodle XML file."""
        text = quiz_text(quiz, context, self.name)
        root = ET.Element("quiz")
        # ids only: an XML comment cannot hold "--", which a title may
        root.append(ET.Comment(f" quiz {text.id}: exported by curriculum from {text.site} "))
        category = ET.SubElement(root, "question", type="category")
        _text(ET.SubElement(category, "category"), f"$course$/top/{'/'.join(text.category)}")
        _text(ET.SubElement(category, "info", format="html"), text.title)
        for item in text.items:
            root.append(_question(item, text.shuffle))
        ET.indent(root)
        return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"


def _question(item: ItemText, shuffle: bool) -> ET.Element:
    question = ET.Element("question", type="multichoice")
    _text(ET.SubElement(question, "name"), item.id)
    _text(ET.SubElement(question, "questiontext", format="html"), item.stem_html)
    _text(ET.SubElement(question, "generalfeedback", format="html"), item.rationale_html)
    for name, value in (
        ("defaultgrade", "1"),
        ("penalty", "0.3333333"),
        ("hidden", "0"),
        ("idnumber", item.id),
        ("single", "false" if item.multiple else "true"),
        ("shuffleanswers", "true" if shuffle else "false"),
        ("answernumbering", "abc"),
        ("showstandardinstruction", "1"),
    ):
        ET.SubElement(question, name).text = value
    for name in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        _text(ET.SubElement(question, name, format="html"), "")
    for option in item.options:
        answer = ET.SubElement(question, "answer", fraction=percent(option.fraction), format="html")
        _text(answer, option.html)
        _text(ET.SubElement(answer, "feedback", format="html"), option.feedback_html)
    tags = ET.SubElement(question, "tags")
    for tag in item.tags:
        _text(ET.SubElement(tags, "tag"), tag)
    return question


def _text(parent: ET.Element, value: str) -> None:
    ET.SubElement(parent, "text").text = value
