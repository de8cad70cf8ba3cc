"""IMS QTI 2.1: a content package of items that Canvas and other learning-management systems import.

``<quiz-id>.qti.zip`` holds ``imsmanifest.xml`` and one ``assessmentItem``
per item in ``items/``. Each item is a ``choiceInteraction`` (one choice for
a single-best-answer item, any number for select-all-that-apply) with the
key as its correct response and response processing that scores 1 for the
key and 0 otherwise; each option's feedback is a ``modalFeedback`` shown for
that option, and the rationale one shown after every attempt. The item and
option identifiers are the item and option ids (an item id that starts with a
digit gets the prefix ``item-``, as QTI identifiers must start with a letter).

The HTML of the stem, options and feedback is the export's sanitised HTML
turned into QTI's XHTML elements by lxml: the elements QTI 2.1 has keep
their names, and the few it lacks (``del``) become a ``span``.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import TYPE_CHECKING

from curriculum.content import Document, Quiz
from curriculum.export._base import ExportContext
from curriculum.export._markup import ItemText, QuizText, quiz_text

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["Qti"]

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
IMSCP = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
_QTI_XSD = f"{QTI} http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
_CP_XSD = f"{IMSCP} http://www.imsglobal.org/xsd/qti/qtiv2p1/qtiv2p1_imscpv1p2_v1p0.xsd"
_ATTRIBUTES = {"a": {"href"}, "span": {"class"}}
"""The attributes of the sanitised HTML that QTI 2.1's elements also have."""
_RENAMED = {"del": ("span", "deleted")}
"""HTML elements QTI 2.1 lacks: the element written instead, and its class."""
_STAMP = (1980, 1, 1, 0, 0, 0)
"""Every file's time in the zip: the same quiz gives the same bytes."""


class Qti:
    """An IMS QTI 2.1 content package."""

    name = "qti"
    suffix = ".qti.zip"
    description = "an IMS QTI 2.1 package (Canvas and other LMSs): items, key, per-option feedback"
    keyed = True

    def export(self, quiz: Document[Quiz], context: ExportContext) -> bytes:
        """Return the quiz as a zipped QTI 2.1 content package."""
        from lxml import etree

        text = quiz_text(quiz, context, self.name)
        files = {f"items/{identifier(item.id)}.xml": _item(item, text) for item in text.items}
        files = {"imsmanifest.xml": _manifest(text, list(files)), **files}
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
            for path, root in files.items():
                info = zipfile.ZipInfo(path, _STAMP)
                info.compress_type = zipfile.ZIP_DEFLATED
                package.writestr(info, etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
        return buffer.getvalue()


def identifier(ident: str) -> str:
    """Return a QTI identifier for an item id (which must start with a letter or ``_``)."""
    return ident if re.match(r"[A-Za-z_]", ident) else f"item-{ident}"


def _q(name: str) -> str:
    return f"{{{QTI}}}{name}"


def _item(item: ItemText, quiz: QuizText) -> etree._Element:
    from lxml import etree

    cardinality = "multiple" if item.multiple else "single"
    root = etree.Element(
        _q("assessmentItem"),
        nsmap={None: QTI, "xsi": XSI},
        identifier=identifier(item.id),
        title=item.id,
        adaptive="false",
        timeDependent="false",
    )
    root.set(f"{{{XSI}}}schemaLocation", _QTI_XSD)
    response = etree.SubElement(
        root, _q("responseDeclaration"), identifier="RESPONSE", cardinality=cardinality, baseType="identifier"
    )
    correct = etree.SubElement(response, _q("correctResponse"))
    for ident in item.answer:
        etree.SubElement(correct, _q("value")).text = ident
    score = etree.SubElement(
        root, _q("outcomeDeclaration"), identifier="SCORE", cardinality="single", baseType="float"
    )
    etree.SubElement(etree.SubElement(score, _q("defaultValue")), _q("value")).text = "0"
    etree.SubElement(
        root, _q("outcomeDeclaration"), identifier="FEEDBACK", cardinality="multiple", baseType="identifier"
    )
    body = etree.SubElement(root, _q("itemBody"))
    _append_html(body, item.stem_html)
    interaction = etree.SubElement(
        body,
        _q("choiceInteraction"),
        responseIdentifier="RESPONSE",
        shuffle="true" if quiz.shuffle else "false",
        maxChoices="0" if item.multiple else "1",
    )
    for option in item.options:
        choice = etree.SubElement(interaction, _q("simpleChoice"), identifier=option.id)
        _append_html(choice, option.html)
    root.append(_processing())
    for ident, html in [*((o.id, o.feedback_html) for o in item.options), ("RATIONALE", item.rationale_html)]:
        feedback = etree.SubElement(
            root, _q("modalFeedback"), outcomeIdentifier="FEEDBACK", showHide="show", identifier=ident
        )
        _append_html(feedback, html)
    return root


def _processing() -> etree._Element:
    """Score 1 for the key, 0 otherwise; show the chosen options' feedback and the rationale."""
    from lxml import etree

    e = etree.Element
    processing = e(_q("responseProcessing"))
    condition = etree.SubElement(processing, _q("responseCondition"))
    if_ = etree.SubElement(condition, _q("responseIf"))
    match = etree.SubElement(if_, _q("match"))
    etree.SubElement(match, _q("variable"), identifier="RESPONSE")
    etree.SubElement(match, _q("correct"), identifier="RESPONSE")
    for parent, value in ((if_, "1"), (etree.SubElement(condition, _q("responseElse")), "0")):
        outcome = etree.SubElement(parent, _q("setOutcomeValue"), identifier="SCORE")
        etree.SubElement(outcome, _q("baseValue"), baseType="float").text = value
    feedback = etree.SubElement(processing, _q("setOutcomeValue"), identifier="FEEDBACK")
    shown = etree.SubElement(feedback, _q("multiple"))
    etree.SubElement(shown, _q("variable"), identifier="RESPONSE")
    etree.SubElement(shown, _q("baseValue"), baseType="identifier").text = "RATIONALE"
    return processing


def _append_html(parent: etree._Element, html: str) -> None:
    """Append sanitised HTML to ``parent`` as QTI XHTML elements."""
    import lxml.html

    holder = lxml.html.fragment_fromstring(html, create_parent="div")
    parent.text = (parent.text or "") + (holder.text or "")
    for child in holder:
        parent.append(_converted(child))


def _converted(element: etree._Element) -> etree._Element:
    from lxml import etree

    tag = str(element.tag)
    name, css = _RENAMED.get(tag, (tag, None))
    new = etree.Element(_q(name))
    for key, value in element.attrib.items():
        if key in _ATTRIBUTES.get(tag, set()):
            new.set(key, value)
    if css:
        new.set("class", css)
    new.text = element.text
    new.tail = element.tail
    for child in element:
        new.append(_converted(child))
    return new


def _manifest(quiz: QuizText, paths: list[str]) -> etree._Element:
    from lxml import etree

    def cp(name: str) -> str:
        return f"{{{IMSCP}}}{name}"

    root = etree.Element(cp("manifest"), nsmap={None: IMSCP, "xsi": XSI}, identifier=f"MANIFEST-{quiz.id}")
    root.set(f"{{{XSI}}}schemaLocation", _CP_XSD)
    metadata = etree.SubElement(root, cp("metadata"))
    etree.SubElement(metadata, cp("schema")).text = "QTIv2.1 Package"
    etree.SubElement(metadata, cp("schemaversion")).text = "1.0.0"
    etree.SubElement(root, cp("organizations"))
    resources = etree.SubElement(root, cp("resources"))
    for item, path in zip(quiz.items, paths, strict=True):
        resource = etree.SubElement(
            resources, cp("resource"), identifier=identifier(item.id), type="imsqti_item_xmlv2p1", href=path
        )
        etree.SubElement(resource, cp("file"), href=path)
    return root
