"""Problems as data: one located, immutable :class:`Diagnostic` per problem.

A check never prints and never decides severity; it yields diagnostics made by
a :class:`Rule` from the registry, which stamps the rule's code and severity
on them. Formatting is a set of pure functions, so the CLI, the tests and the
editor integrations all read the same values.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["RULES", "Diagnostic", "Rule", "Severity", "format_diagnostics", "printable", "worst"]

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")


def printable(text: str, *, keep_newlines: bool = False) -> str:
    r"""Return ``text`` with every character a terminal would act on written as an escape.

    File names and authored text reach diagnostics; an escape sequence in
    them (``\x1b[2J`` clears the screen), a line break (which forges a line)
    or a bidirectional override (which reorders what is shown) must be
    printed, not obeyed. Control characters, zero-width and bidirectional
    formatting characters and line separators become ``\x1b``, ``\n``,
    ``\u202e`` and so on.

    Parameters
    ----------
    text : str
        Text that may hold untrusted characters.
    keep_newlines : bool
        Keep ``\n`` as a line break (for messages of several lines).
    """

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        return char if keep_newlines and char == "\n" else char.encode("unicode_escape").decode("ascii")

    return _UNPRINTABLE.sub(escape, text)


class Severity(enum.IntEnum):
    """How much a problem matters.

    ``error`` always fails ``curriculum check``; ``warning`` fails it with
    ``--strict``; ``info`` never fails it.
    """

    info = 0
    warning = 1
    error = 2

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, located in a file.

    Attributes
    ----------
    path : str
        The file, as the author would type it (relative to the project).
    line : int
        1-based line.
    col : int
        1-based column.
    code : str
        The rule's stable code, e.g. ``CUR201`` or ``L07``.
    severity : Severity
        Assigned by the rule.
    message : str
        What is wrong.
    hint : str
        How to fix it (may be empty).
    """

    path: str
    line: int
    col: int
    code: str = field(compare=True)
    severity: Severity = field(compare=False)
    message: str = field(compare=False)
    hint: str = field(default="", compare=False)

    def format(self) -> str:
        """Return ``path:line:col: severity CODE: message (hint)`` on one line, controls escaped."""
        text = f"{self.path}:{self.line}:{self.col}: {self.severity} {self.code}: {self.message}"
        return printable(f"{text} ({self.hint})" if self.hint else text)

    def as_dict(self) -> dict[str, object]:
        """Return the diagnostic as plain JSON-ready data."""
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data

    def as_row(self) -> list[Any]:
        """Return the diagnostic as one JSON row, as a cache keeps it (:meth:`from_row` reads it back)."""
        return [self.path, self.line, self.col, self.code, int(self.severity), self.message, self.hint]

    @classmethod
    def from_row(cls, row: Any) -> Diagnostic:
        """Return the diagnostic :meth:`as_row` wrote.

        Raises
        ------
        ValueError
            For data of another shape (a damaged cache: what it held is made again).
        """
        if not (isinstance(row, list) and len(row) == 7):
            raise ValueError("not a diagnostic")
        path, line, col, code, severity, message, hint = row
        if not all(isinstance(x, str) for x in (path, code, message, hint)):
            raise ValueError("not a diagnostic")
        if not (type(line) is int and type(col) is int and type(severity) is int):
            raise ValueError("not a diagnostic")
        return cls(path, line, col, code, Severity(severity), message, hint)


@dataclass(frozen=True)
class Rule:
    """A registered check: its code, severity and documentation.

    Attributes
    ----------
    code : str
        Stable identifier (``CUR1xx`` files, ``CUR2xx`` schema, ``CUR3xx``
        references, ``CUR4xx`` vignette graphs, ``CUR5xx`` assessment and
        curriculum standards, ``L01``... item writing, ``PHI-A``... privacy).
    severity : Severity
        Severity of every diagnostic the rule makes.
    summary : str
        One line for the rules reference.
    why : str
        Why the rule exists, for the rules reference.
    suppressible : bool
        Whether an author may silence it for one item with a written reason.
    """

    code: str
    severity: Severity
    summary: str
    why: str = ""
    suppressible: bool = False

    def at(self, path: str, pos: tuple[int, int], message: str, hint: str = "") -> Diagnostic:
        """Make a diagnostic of this rule at ``pos`` (1-based line, column) in ``path``."""
        return Diagnostic(path, pos[0], pos[1], self.code, self.severity, message, hint)


class _Registry(dict[str, Rule]):
    def add(
        self,
        code: str,
        severity: Severity,
        summary: str,
        why: str = "",
        *,
        suppressible: bool = False,
    ) -> Rule:
        if code in self:
            raise ValueError(f"rule {code} is registered twice")
        self[code] = rule = Rule(code, severity, summary, why, suppressible)
        return rule


RULES = _Registry()
"""Every rule, keyed by code; the rules reference is generated from it."""


def worst(diagnostics: Iterable[Diagnostic]) -> Severity | None:
    """Return the highest severity among ``diagnostics``, or None if there are none."""
    return max((d.severity for d in diagnostics), default=None)


def format_diagnostics(diagnostics: Iterable[Diagnostic], style: str = "text") -> str:
    """Format diagnostics for output.

    Parameters
    ----------
    diagnostics : Iterable[Diagnostic]
        The problems, in any order; they are sorted by path, line, column.
    style : {"text", "json", "github"}
        ``text`` is one ``path:line:col: ...`` line each; ``json`` a JSON
        array; ``github`` workflow annotations.

    Returns
    -------
    str
        The formatted text, without a trailing newline.
    """
    ordered = sorted(diagnostics)
    if style == "json":
        return json.dumps([d.as_dict() for d in ordered], indent=2, ensure_ascii=False)
    if style == "github":
        level = {Severity.error: "error", Severity.warning: "warning", Severity.info: "notice"}
        return "\n".join(
            f"::{level[d.severity]} file={_github(d.path, property=True)},line={d.line},col={d.col},"
            f"title={d.code}::{_github(d.message + (f' ({d.hint})' if d.hint else ''))}"
            for d in ordered
        )
    return "\n".join(d.format() for d in ordered)


def _github(text: str, *, property: bool = False) -> str:
    """Escape text for a GitHub workflow command, so it cannot end the command or start another."""
    text = printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))
    return text.replace(":", "%3A").replace(",", "%2C") if property else text
