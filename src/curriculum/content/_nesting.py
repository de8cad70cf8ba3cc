"""How deeply Markdown nests, measured before Pandoc reads it.

Pandoc's Markdown reader slows down sharply with nesting. Measured with the
Pandoc the build ships: twenty ``[`` open at once in one paragraph take more
than ten seconds, and each further one doubles the time; a blockquote
twenty thousand levels deep takes minutes. Real lessons open one or two
brackets at once and nest a few blocks. So every Markdown text Pandoc will
read (lesson cells, ``.qmd`` and ``.md`` pages, Markdown a code cell
displays) is measured here first, in one linear pass, and refused with its
location when it nests deeper than the limits below.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

from curriculum._memo import Memo
from curriculum.content._diagnostics import RULES, Diagnostic, Severity

__all__ = ["E_NESTING", "MAX_BLOCK_DEPTH", "MAX_OPEN_BRACKETS", "TooDeep", "nesting_problem"]

MAX_OPEN_BRACKETS = 4
"""Most ``[`` open at once in a paragraph; an unclosed one stays open to the paragraph's end."""
MAX_BLOCK_DEPTH = 16
"""Most blocks (quotes, list items, fenced divs) nested around one line."""

E_NESTING = RULES.add(
    "CUR122",
    Severity.error,
    "Markdown is nested too deeply to render.",
    f"Pandoc's time grows exponentially with the brackets open at once; more than {MAX_OPEN_BRACKETS} "
    f"open brackets in a paragraph, or blocks nested more than {MAX_BLOCK_DEPTH} deep, could stall "
    "the build for hours.",
)

_LIST_MARKERS = "-+*"
_BLOCKS_HINT = "flatten the nesting: a few levels of quotes, lists and divs are all a page needs"


@dataclass(frozen=True)
class TooDeep:
    """Where a Markdown text first nests beyond a limit, and what to do about it.

    Attributes
    ----------
    offset : int
        Character offset of the place in the text.
    what : str
        What nests, as the end of a sentence ("opens more than 4 brackets ...").
    hint : str
        How to fix it.
    """

    offset: int
    what: str
    hint: str

    def diagnostic(self, display: str, pos: tuple[int, int], subject: str) -> Diagnostic:
        """Return the problem located at ``display:pos``; ``subject`` starts the sentence ("cell 3")."""
        return E_NESTING.at(display, pos, f"{subject} {self.what}", self.hint)


def nesting_problem(text: str) -> TooDeep | None:
    """Return where and how ``text`` nests too deeply for Pandoc, or None.

    Inside a memo session (a check, a build) the answer for each text is
    remembered across runs (see :mod:`curriculum._memo`).

    Parameters
    ----------
    text : str
        Markdown as Pandoc will read it.

    Returns
    -------
    TooDeep | None
        The first place over a limit, or None.
    """
    return _MEASURED.get(text, lambda: _measure(text))


def _decode(data: Any) -> TooDeep | None:
    """Return a problem stored as JSON; raise for data of another shape (the memo then recomputes it)."""
    if data is None:
        return None
    offset, what, hint = data
    if not (isinstance(offset, int) and isinstance(what, str) and isinstance(hint, str)):
        raise ValueError("not a nesting problem")
    return TooDeep(offset, what, hint)


_MEASURED = Memo[TooDeep | None](
    "lint.nesting", 1, lambda found: found and [found.offset, found.what, found.hint], _decode
)
"""What :func:`nesting_problem` found in each text."""


def _measure(text: str) -> TooDeep | None:
    offset = 0
    fence = ""
    divs = 0
    brackets = 0
    for line in text.split("\n"):
        start = offset
        offset += len(line) + 1
        stripped = line.lstrip(" ")
        if fence:
            if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]).strip():
                fence = ""
            continue
        if stripped.startswith(("```", "~~~")):
            fence = stripped[: len(stripped) - len(stripped.lstrip(stripped[0]))]
            continue
        if not stripped.strip():
            brackets = 0  # a blank line ends the paragraph
            continue
        if stripped.startswith(":::"):
            rest = stripped.lstrip(":").strip()
            divs = divs + 1 if rest else max(0, divs - 1)
            if divs > MAX_BLOCK_DEPTH:
                return TooDeep(
                    start, f"nests fenced divs (`:::`) more than {MAX_BLOCK_DEPTH} deep", _BLOCKS_HINT
                )
            continue
        depth, column = _containers(line)
        if depth + divs > MAX_BLOCK_DEPTH:
            return TooDeep(
                start, f"nests quotes, lists and divs more than {MAX_BLOCK_DEPTH} deep", _BLOCKS_HINT
            )
        brackets, at = _brackets(line, column, brackets)
        if at is not None:
            return TooDeep(
                start + at,
                f"opens more than {MAX_OPEN_BRACKETS} brackets `[` at once in one paragraph",
                "write a bracket that opens no link, span or citation as `\\[`, and close the others",
            )
    return None


def _containers(line: str) -> tuple[int, int]:
    """Count the block quote and list markers that open ``line``; return the count and where text starts."""
    depth = 0
    i = 0
    n = len(line)
    while True:
        while i < n and line[i] in " \t":
            i += 1
        if i < n and line[i] == ">":
            depth += 1
            i += 1
            continue
        j = i
        while j < n and j - i < 9 and line[j].isdigit():
            j += 1
        marker = j < n and ((j > i and line[j] in ".)") or (j == i and line[j] in _LIST_MARKERS))
        if marker and (j + 1 == n or line[j + 1] in " \t"):
            depth += 1
            i = j + 1
            continue
        return depth, i


def _brackets(line: str, start: int, open_now: int) -> tuple[int, int | None]:
    """Count ``[`` open outside code spans; return the count and where it first exceeds the limit."""
    if line.find("[", start) < 0 and (not open_now or line.find("]", start) < 0):
        return open_now, None  # most lines: nothing opens, nothing open closes
    closers: defaultdict[int, deque[int]] = defaultdict(deque)
    runs: list[tuple[int, int]] = []
    i = start
    n = len(line)
    while i < n:
        if line[i] == "`":
            j = i
            while j < n and line[j] == "`":
                j += 1
            runs.append((i, j - i))
            closers[j - i].append(len(runs) - 1)
            i = j
        else:
            i += 1
    code_until = -1
    run_at = {pos: k for k, (pos, _) in enumerate(runs)}
    i = start
    while i < n:
        char = line[i]
        if i < code_until:
            i = code_until
            continue
        if char == "\\":
            i += 2
            continue
        if char == "`":
            k = run_at[i]
            length = runs[k][1]
            queue = closers[length]
            while queue and queue[0] <= k:
                queue.popleft()
            if queue:  # a code span: skip to the end of its closing run
                close = queue.popleft()
                code_until = runs[close][0] + length
            i += length
            continue
        if char == "[":
            open_now += 1
            if open_now > MAX_OPEN_BRACKETS:
                return open_now, i
        elif char == "]" and open_now:
            open_now -= 1
        i += 1
    return open_now, None
