"""The registry of curriculum checks, and the :class:`Finding` they yield.

A check is a small generator over the whole curriculum. It yields findings:
a diagnostic plus, for suppressible rules, the scope (a document and a key
path such as ``("items", 3)``) whose ``suppress`` mapping may silence it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from curriculum.content._diagnostics import Diagnostic
from curriculum.content._project import Curriculum, Document
from curriculum.content._yaml import Loc

__all__ = ["CHECKS", "Finding", "check"]


@dataclass(frozen=True)
class Finding:
    """A diagnostic and the scope that may suppress it.

    Attributes
    ----------
    diagnostic : Diagnostic
        The problem.
    doc : Document | None
        The document whose ``suppress`` applies, if any.
    owner : Loc
        Key path of the scope within ``doc`` (empty: the whole file).
    """

    diagnostic: Diagnostic
    doc: Document[Any] | None = None
    owner: Loc = ()


CheckFn = Callable[[Curriculum], Iterable[Finding]]
CHECKS: list[CheckFn] = []
"""Every registered check, in the order they run."""


def check(fn: CheckFn) -> CheckFn:
    """Register ``fn`` as a curriculum check (decorator)."""
    CHECKS.append(fn)
    return fn
