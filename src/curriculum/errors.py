"""The errors the package raises on purpose, and how the CLI shows them.

Every error a user can cause derives from :class:`CurriculumError`, which
knows its exit status and how to word itself. Only ``cli.py`` catches these
and prints them; library code raises them, translating foreign exceptions at
the boundary with ``raise ... from exc`` so the cause stays attached::

    CurriculumError              exit 1
    ├── ContentError             content did not pass the checks (carries diagnostics)
    ├── UsageError               exit 2: the command was asked for something impossible
    ├── BuildError               the site build failed at a named stage
    │   └── EngineUnavailable    the asked-for engine (Quarto, Pandoc) is missing
    ├── WriteError               a file could not be written (which, and why)
    └── ProgressFileError        a learner's progress file could not be read or written

Anything else that escapes is a bug, and the CLI says so in one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from curriculum.content import Diagnostic

__all__ = [
    "BuildError",
    "ContentError",
    "CurriculumError",
    "EngineUnavailable",
    "ProgressFileError",
    "UsageError",
    "WriteError",
]


class CurriculumError(Exception):
    """Root of every error the package raises on purpose.

    Attributes
    ----------
    exit_code : int
        The status the CLI exits with when this error reaches it.
    """

    exit_code = 1

    def format_message(self) -> str:
        """Return the text the CLI prints after ``Error:``."""
        return str(self)


class UsageError(CurriculumError):
    """The command was asked for something it cannot do (exit status 2)."""

    exit_code = 2


class ContentError(CurriculumError):
    """Content failed its checks.

    Parameters
    ----------
    diagnostics : Sequence[Diagnostic]
        Every problem found, already located in its file.
    """

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        n = len(self.diagnostics)
        super().__init__(f"{n} content problem{'s' if n != 1 else ''}")

    def format_message(self) -> str:
        """Return every diagnostic, one per line, then a count."""
        lines = [d.format() for d in self.diagnostics]
        return "\n".join([*lines, str(self)])


class BuildError(CurriculumError):
    """The site build stopped at a named stage."""


class EngineUnavailable(BuildError):
    """The rendering engine that was asked for is not installed here."""


class WriteError(CurriculumError):
    """A file could not be written; nothing was left half-written.

    Parameters
    ----------
    path : str
        The file, as messages show it.
    reason : str
        Why, in the system's words (``Permission denied``).
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"cannot write {path}: {reason}")
        self.path = path
        self.reason = reason


class ProgressFileError(CurriculumError):
    """A learner's progress file could not be read or written safely."""
