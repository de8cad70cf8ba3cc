"""Write exports: one file per quiz, in a folder the user chose."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from curriculum.content import did_you_mean, write_atomic
from curriculum.errors import UsageError
from curriculum.export._base import EXPORTERS, ExportContext, key_withheld, keyed

__all__ = ["write_exports"]


def write_exports(name: str, quiz_ids: Sequence[str], out: Path, context: ExportContext) -> list[Path]:
    """Export quizzes in format ``name``: ``<out>/<quiz-id><suffix>`` for each, written atomically.

    Parameters
    ----------
    name : str
        A registered format (:data:`~curriculum.export.EXPORTERS`).
    quiz_ids : Sequence[str]
        The quizzes to export; empty: every quiz, in id order (for a format
        that writes the key, every quiz but the summative ones unless the
        profile is ``faculty``).
    out : Path
        The folder to write into (created if needed).
    context : ExportContext
        The checked curriculum and its renderer.

    Returns
    -------
    list[Path]
        The files written or already up to date, in the order of ``quiz_ids``.

    Raises
    ------
    UsageError
        If the format or a quiz id is unknown, or a format that writes the key
        is asked for a summative quiz outside the faculty profile; nothing is
        written then.
    """
    exporter = EXPORTERS.get(name)
    if exporter is None:
        hint = did_you_mean(name, EXPORTERS)
        raise UsageError(f"`{name}` is not an export format{hint}; formats: {', '.join(EXPORTERS)}")
    quizzes = context.curriculum.quizzes
    unknown = [q for q in quiz_ids if q not in quizzes]
    if unknown:
        known = ", ".join(sorted(quizzes)) or "none"
        raise UsageError(
            f"there is no quiz `{unknown[0]}`{did_you_mean(unknown[0], quizzes)}; quizzes: {known}"
        )
    chosen = list(quiz_ids) or [
        ident
        for ident in sorted(quizzes)
        # every quiz, but a summative quiz's key only for the faculty: only a named one is refused
        if not (keyed(exporter) and key_withheld(quizzes[ident], context.profile))
    ]
    written = []
    for ident in dict.fromkeys(chosen):
        target = out / f"{ident}{exporter.suffix}"
        write_atomic(target, exporter.export(quizzes[ident], context), within=out)
        written.append(target)
    return written
