"""What a build makes of each document, kept in one file by the digest of the document's text.

Some results are needed of every document at every build, though an edit
changes one: the progress manifest lists every lesson and every part. Made
from the documents' models, they would load every model; kept in the memo,
they would cost a look-up a document. A :class:`DocumentFacts` keeps them
in one file, read whole (one JSON object, parsed at once), so an
unchanged document's facts cost what reading its stamp costs, and only a
changed document's are made again, from its model.

The file is tied to the package's code, this computer's key and the caller's
name (a file that came with a repository, or one of another version, is
ignored); it holds the facts of the documents asked for at the last build.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from curriculum._memo import read_tied, tied_key
from curriculum.content._files import write_atomic
from curriculum.content._project import Document
from curriculum.errors import CurriculumError

__all__ = ["FACTS", "DocumentFacts", "document_fact", "known_fact"]


def _any(_facts: Any) -> bool:
    """Take facts of any shape."""
    return True


class DocumentFacts:
    """Facts about each document (JSON data), made by a function of its model, kept by its text's digest.

    Parameters
    ----------
    path : Path
        The file, in the project's build cache.
    within : Path
        The project: the file is written only inside it.
    name : str
        What the facts are (``progress-manifest``) and their form's version:
        facts of another name or version are not these.
    """

    def __init__(self, path: Path, within: Path, name: str) -> None:
        self._path = path
        self._within = within
        self._key = tied_key(name)
        facts = read_tied(path, self._key).get("documents")
        self._before: dict[str, Any] = facts if isinstance(facts, dict) else {}
        self._now: dict[str, list[Any]] = {}
        self.made = 0
        """How many documents' facts were made (not taken from the file) by this object."""

    def get(self, doc: Document[Any], make: Callable[[], Any], valid: Callable[[Any], bool] = _any) -> Any:
        """Return the facts of ``doc``: as kept while its text is the same, else ``make()`` (JSON data).

        Asked again for the same document, it gives what it gave (``make`` runs
        once a document). Facts kept in a shape ``valid`` refuses (a damaged
        file) are made again.
        """
        now = self._now.get(doc.display)
        if now is not None and now[0] == doc.digest:
            return now[1]
        then = self._before.get(doc.display)
        if (
            doc.digest
            and isinstance(then, list)
            and len(then) == 2
            and then[0] == doc.digest
            and valid(then[1])
        ):
            self._now[doc.display] = then
            return then[1]
        facts = json.loads(json.dumps(make()))  # as the file gives facts back: lists, not tuples
        self.made += 1
        if doc.digest:
            self._now[doc.display] = [doc.digest, facts]
        return facts

    def kept_as(self, displays: Sequence[str], expected: Sequence[list[Any]]) -> set[str]:
        """Return the documents whose facts are kept as expected, all at once; they count as asked for.

        For each document (by how it is shown, ``displays``), the caller gives
        what it expects kept of it: its text's digest (not empty: a document
        read from no file has no kept facts), then its facts. Those kept so
        are compared with one comparison a document and no call (an edit
        changes one document of hundreds); they are then as :meth:`get` gives
        them, and :meth:`save` keeps them. The others are left to :meth:`get`.
        """
        then = map(self._before.get, displays)
        same = [display for display, now, held in zip(displays, expected, then, strict=True) if now == held]
        self._now.update(zip(same, map(self._before.__getitem__, same), strict=True))
        return set(same)

    def save(self) -> None:
        """Write the facts of the documents asked for, if they changed (a failed write is ignored)."""
        if self._now == self._before:
            return
        record = {"key": self._key, "documents": self._now}
        with contextlib.suppress(CurriculumError, OSError):
            write_atomic(
                self._path, json.dumps(record, separators=(",", ":"), sort_keys=True), within=self._within
            )


FACTS: dict[str, tuple[Callable[[Document[Any]], Any], Callable[[Any], bool]]] = {}
"""How each fact a check asks of documents is made, and its shape judged, by the fact's name
(:func:`known_fact`): a check record makes a changed document's facts again to tell whether a check
that read only facts of it would read the same (see :mod:`curriculum.content._check_record`)."""


def known_fact(name: str, make: Callable[[Document[Any]], Any], valid: Callable[[Any], bool] = _any) -> str:
    """Register how the fact ``name`` is made and judged (:data:`FACTS`); return the name.

    Every fact a check asks through :func:`document_fact` is registered so,
    with the same ``make`` and ``valid``, when its module is imported.
    """
    FACTS[name] = (make, valid)
    return name


def document_fact(
    doc: Document[Any],
    name: str,
    make: Callable[[Document[Any]], Any],
    valid: Callable[[Any], bool] = _any,
) -> Any:
    """Return what ``make`` makes of a document's model (JSON data), kept by its text's digest if it can be.

    A check that reads only a fact of every document (the objectives' ids of
    each lesson, say) asks for it here rather than of the models: seen through
    a check record (:mod:`curriculum.content._check_record`), which offers
    ``fact``, the fact of an unchanged document is taken from the record's
    facts, and its model is not loaded; the check counts as reading that fact
    of the document: after the document changed, the check is run again only
    if the fact changed. Elsewhere the fact is simply made. A fact asked so
    is registered with the same ``make`` and ``valid`` (:func:`known_fact`).

    Parameters
    ----------
    doc : Document[Any]
        The document.
    name : str
        What the fact is (with its form's version: a fact of another form is another name).
    make : Callable[[Document[Any]], Any]
        Makes the fact of a document, from its model.
    valid : Callable[[Any], bool]
        Whether a kept fact has the shape ``make`` gives (one that has not is made again).
    """
    offered = getattr(type(doc), "fact", None)
    return offered(doc, name, make, valid) if offered is not None else make(doc)
