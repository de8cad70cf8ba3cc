"""Psychotherapy of severe psychiatric disorders: the curriculum's helper package.

Lesson notebooks call the component functions; authors run the ``curriculum``
command. The package is content-agnostic: the psychotherapy content lives in
the project's ``lessons/``, ``quizzes/``, ``vignettes/``, ``exercises/`` and
``references.bib``.

Every name is imported when it is first used (module ``__getattr__``), so
``curriculum --version`` or a no-change build does not load the content models,
the widgets or the renderers.

Examples
--------
>>> import curriculum
>>> curriculum.quiz("00-orientation")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import typing

from curriculum._version import __version__

if typing.TYPE_CHECKING:
    from collections.abc import Callable

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

_WHERE = {
    "Curriculum": "curriculum.content",
    "activity": "curriculum.hosts.notebook",
    "check_curriculum": "curriculum.content",
    "load_curriculum": "curriculum.content",
    "overview": "curriculum.hosts.notebook",
    "progress": "curriculum.hosts.notebook",
    "quiz": "curriculum.hosts.notebook",
    "spotter": "curriculum.hosts.notebook",
    "vignette": "curriculum.hosts.notebook",
    "worksheet": "curriculum.hosts.notebook",
}
"""The module each public name comes from, imported on first use."""


def __getattr__(name: str) -> Callable[..., object]:
    """Import a public name on first use; ``curriculum.<kind>`` for a kind registered beyond the four."""
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return typing.cast("Callable[..., object]", value)
    if name.startswith("__"):
        raise AttributeError(f"module 'curriculum' has no attribute {name!r}")
    from curriculum.components import COMPONENTS
    from curriculum.hosts.notebook import component_function

    if name in COMPONENTS:
        return component_function(name)
    raise AttributeError(f"module 'curriculum' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
