"""Problems as data: one located, immutable :class:`Diagnostic` per problem.

A check never prints and never decides severity; it yields diagnostics made by
a :class:`Rule` from the registry, which stamps the rule's code and severity
on them. Formatting is a set of pure functions, so the CLI, the tests and the
editor integrations all read the same values.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

__all__ = ["RULES", "Diagnostic", "Rule", "Severity", "format_diagnostics", "printable", "worst"]


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
        """Return ``path:line:col: severity CODE: message (hint)``, control characters shown as escapes.

        A file name or a quoted value may hold an escape sequence; printed raw
        it would clear or recolour the author's terminal.
        """
        text = f"{self.path}:{self.line}:{self.col}: {self.severity} {self.code}: {self.message}"
        return printable(f"{text} ({self.hint})" if self.hint else text)

    def as_dict(self) -> dict[str, object]:
        """Return the diagnostic as plain JSON-ready data."""
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data


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


_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]}


def printable(text: str) -> str:
    """Return ``text`` with control characters (escape sequences, newlines) written as hex escapes."""
    return text.translate(_CONTROL)


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
            printable(
                f"::{level[d.severity]} file={d.path},line={d.line},col={d.col},title={d.code}::"
                f"{d.message}{f' ({d.hint})' if d.hint else ''}"
            )
            for d in ordered
        )
    return "\n".join(d.format() for d in ordered)
