"""Counted nouns in messages and pages ("1 item", "3 items"), for every layer."""

from __future__ import annotations

__all__ = ["counted"]


def counted(n: int, noun: str) -> str:
    """Return ``n`` and ``noun``, with an ``s`` unless ``n`` is 1.

    Parameters
    ----------
    n : int
        How many.
    noun : str
        The singular noun, made plural by adding ``s``.
    """
    return f"{n} {noun}{'s' if n != 1 else ''}"
