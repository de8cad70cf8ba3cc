"""What an exporter is, and the registry ``curriculum export`` and the site read.

An exporter turns one quiz into one file another program reads: a printable
handout, or (next) a question bank for a learning-management system. It is a
small class with a name (the command's ``FORMAT``), a file suffix and one
method, registered in :data:`EXPORTERS`; the command, its help and its
errors come from the registry.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from curriculum.content import Curriculum, Document, Quiz
from curriculum.render import Profile, Renderer

__all__ = ["EXPORTERS", "ExportContext", "Exporter", "Exporters", "key_withheld", "keyed"]


@dataclass(frozen=True)
class ExportContext:
    """What every exporter may use besides the quiz.

    Attributes
    ----------
    curriculum : Curriculum
        The checked curriculum (lessons, objectives, references).
    renderer : Renderer
        Authored Markdown to sanitised HTML, with the project's citations.
    profile : Profile
        ``resident`` or ``faculty``; an exporter that would reveal answers
        decides what the profile allows.
    site : str | None
        The site id (a slug of the website's title), which keeps two
        curricula's exports apart in one question bank or Anki collection;
        None: read from the project's ``_quarto.yml`` when needed.
    """

    curriculum: Curriculum
    renderer: Renderer
    profile: Profile = "resident"
    site: str | None = None


@runtime_checkable
class Exporter(Protocol):
    """One export format.

    Attributes
    ----------
    name : str
        The format's name, as ``curriculum export FORMAT`` takes it (``handout``, ``gift``).
    suffix : str
        The suffix of the file written for each quiz (``.html``, ``.gift.txt``).
    description : str
        One line for the command's help.

    An exporter whose file carries the answer key (a question bank, a deck)
    also sets ``keyed = True``: it is then given a summative quiz only under
    the faculty profile (see :func:`keyed`).
    """

    name: str
    suffix: str
    description: str

    def export(self, quiz: Document[Quiz], context: ExportContext) -> str | bytes:
        """Return the file for one quiz: text (written as UTF-8) or bytes."""
        ...


def keyed(exporter: Exporter) -> bool:
    """Return whether ``exporter`` writes the answer key (its optional ``keyed`` attribute)."""
    return bool(getattr(exporter, "keyed", False))


def key_withheld(quiz: Document[Quiz], profile: Profile) -> bool:
    """Return whether ``quiz``'s key stays out of exports under ``profile`` (summative, not faculty).

    A summative quiz's key stays with the faculty, as on the site.
    """
    return quiz.model.kind == "summative" and profile != "faculty"


class Exporters(Mapping[str, Exporter]):
    """The registered export formats, by name, in registration order."""

    def __init__(self) -> None:
        self._formats: dict[str, Exporter] = {}

    def __getitem__(self, name: str) -> Exporter:
        return self._formats[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._formats)

    def __len__(self) -> int:
        return len(self._formats)

    def register(self, exporter: Exporter) -> Exporter:
        """Add a format.

        Raises
        ------
        ValueError
            If the name is taken, or the suffix does not start with a dot.
        """
        if exporter.name in self._formats:
            raise ValueError(f"the export format {exporter.name!r} is already registered")
        if not exporter.suffix.startswith(".") or "/" in exporter.suffix:
            raise ValueError(f"{exporter.name}: the suffix {exporter.suffix!r} must start with a dot")
        self._formats[exporter.name] = exporter
        return exporter

    def unregister(self, name: str) -> None:
        """Remove a format (tests register toy formats and remove them again)."""
        del self._formats[name]


EXPORTERS = Exporters()
"""Every export format by name."""
