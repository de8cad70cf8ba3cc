"""Reading a content file safely: place, type, size, binary, encoding and emptiness.

Authors' files come from editors, spreadsheets and e-mail attachments, so the
first job is to turn bytes into text or into a diagnostic that says exactly
what is wrong with the file and where. The bytes come from
:func:`~curriculum.content._files.read_bytes`: only regular files inside the
project, and never more than the size limit. Nothing here raises for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from curriculum.content._diagnostics import RULES, Diagnostic, Severity
from curriculum.content._files import Confined, FileRefused, read_bytes

__all__ = ["MAX_BYTES", "Source", "read_source", "size_limit"]

MAX_BYTES = {".yml": 1 << 20, ".yaml": 1 << 20, ".bib": 4 << 20, ".ipynb": 32 << 20}
"""Largest file accepted, by suffix (1 MiB for others); a bigger file is almost surely a mistake."""

E_ENCODING = RULES.add(
    "CUR102",
    Severity.error,
    "The file is not UTF-8 text.",
    "Markdown, YAML and BibTeX are read as UTF-8; other encodings garble accents and dashes.",
)
E_BINARY = RULES.add("CUR103", Severity.error, "The file looks binary, not text.")
E_HUGE = RULES.add(
    "CUR104",
    Severity.error,
    "The file is larger than a content file can sensibly be.",
    "Very large files are usually pasted data or a wrong file; they also slow every build.",
)
E_EMPTY = RULES.add("CUR105", Severity.error, "The file has no content.")


@dataclass(frozen=True)
class Source:
    """A content file read as text.

    Attributes
    ----------
    path : Path
        Where the file is on disk.
    display : str
        The path as diagnostics show it.
    text : str
        The decoded text, without a byte-order mark.
    """

    path: Path
    display: str
    text: str


def size_limit(path: Path) -> int:
    """Return the largest size accepted for a file of this kind, in bytes."""
    return MAX_BYTES.get(path.suffix.lower(), 1 << 20)


def read_source(
    path: Path, display: str, root: Path | Confined | None = None, *, allow_empty: bool = False
) -> tuple[Source | None, list[Diagnostic]]:
    """Read ``path`` as UTF-8 text, or explain why not.

    Parameters
    ----------
    path : Path
        The file to read.
    display : str
        How diagnostics name the file.
    root : Path | Confined | None
        The project (or a ``Confined`` of it, for a batch of files); when given,
        a file whose real path is outside it is refused.
    allow_empty : bool
        Accept a file with no content (a page may be empty; a content file may not).

    Returns
    -------
    tuple[Source | None, list[Diagnostic]]
        The source and no diagnostics, or None and one diagnostic.
    """
    limit = size_limit(path)
    try:
        data = read_bytes(path, limit, root=root)
    except FileRefused as refused:
        return None, [refused.at(display)]
    if len(data) > limit:
        return None, [
            E_HUGE.at(
                display,
                (1, 1),
                f"the file is larger than {limit >> 20} MiB, the most a content file of this kind may be",
                "split it into smaller files, or check that this is the file you meant",
            )
        ]
    if b"\x00" in data[:8192]:
        return None, [
            E_BINARY.at(
                display,
                (1, 1),
                "the file contains NUL bytes, so it is not text",
                "save it as plain UTF-8 text, or remove it from the content folders",
            )
        ]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, [
            E_ENCODING.at(
                display,
                (line, col),
                f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
                "save the file as UTF-8 (in most editors: File > Save with encoding > UTF-8)",
            )
        ]
    if not text.strip() and not allow_empty:
        return None, [
            E_EMPTY.at(display, (1, 1), "the file is empty", "fill it in, or start from `curriculum new`")
        ]
    return Source(path, display, text), []
