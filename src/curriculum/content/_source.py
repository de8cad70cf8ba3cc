"""Reading a content file safely: size, binary, encoding and emptiness.

Authors' files come from editors, spreadsheets and e-mail attachments, so the
first job is to turn bytes into text or into a diagnostic that says exactly
what is wrong with the file and where. Nothing here raises for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from curriculum.content._diagnostics import RULES, Diagnostic, Severity

__all__ = ["MAX_BYTES", "Source", "read_source"]

MAX_BYTES = {".yml": 1 << 20, ".yaml": 1 << 20, ".bib": 4 << 20, ".ipynb": 32 << 20}
"""Largest file accepted, by suffix; a bigger file is almost surely a mistake."""

E_READ = RULES.add("CUR101", Severity.error, "The file cannot be read.")
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


def read_source(path: Path, display: str) -> tuple[Source | None, list[Diagnostic]]:
    """Read ``path`` as UTF-8 text, or explain why not.

    Parameters
    ----------
    path : Path
        The file to read.
    display : str
        How diagnostics name the file.

    Returns
    -------
    tuple[Source | None, list[Diagnostic]]
        The source and no diagnostics, or None and one diagnostic.
    """
    limit = MAX_BYTES.get(path.suffix.lower(), 1 << 20)
    try:
        size = path.stat().st_size
        if size > limit:
            return None, [
                E_HUGE.at(
                    display,
                    (1, 1),
                    f"the file is {size / 1048576:.1f} MiB; content files are at most {limit >> 20} MiB",
                    "split it into smaller files, or check that this is the file you meant",
                )
            ]
        data = path.read_bytes()
    except OSError as exc:
        return None, [
            E_READ.at(
                display,
                (1, 1),
                f"cannot read the file: {exc.strerror or exc}",
                "check that it exists and that you may read it",
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
    if not text.strip():
        return None, [
            E_EMPTY.at(display, (1, 1), "the file is empty", "fill it in, or start from `curriculum new`")
        ]
    return Source(path, display, text), []
