"""Psychotherapy of severe psychiatric disorders: the curriculum's helper package.

Lesson notebooks call the component functions; authors run the ``curriculum``
command. The package is content-agnostic: the psychotherapy content lives in
the project's ``lessons/``, ``quizzes/``, ``vignettes/``, ``exercises/`` and
``references.bib``.

Examples
--------
>>> import curriculum
>>> curriculum.quiz("00-orientation")  # doctest: +SKIP
"""

from __future__ import annotations

import typing

from curriculum._version import __version__
from curriculum.content import Curriculum, check_curriculum, load_curriculum
from curriculum.hosts.notebook import activity, overview, progress, quiz, spotter, vignette, worksheet

__all__ = [
    "Curriculum",
    "__version__",
    "activity",
    "check_curriculum",
    "load_curriculum",
    "overview",
    "progress",
    "quiz",
    "spotter",
    "vignette",
    "worksheet",
]


if typing.TYPE_CHECKING:
    from collections.abc import Callable


def __getattr__(name: str) -> Callable[..., object]:
    """``curriculum.<kind>`` for a component kind registered beyond the built-in four."""
    from curriculum.components import COMPONENTS
    from curriculum.hosts.notebook import component_function

    if name in COMPONENTS:
        return component_function(name)
    raise AttributeError(f"module 'curriculum' has no attribute {name!r}")
