"""The component kinds: one :class:`ComponentSpec` each, the one place a kind is described.

A component is an interactive part of a lesson (a quiz, a branching case, a
spotter transcript, a worksheet): a content file, a payload built from it, an
ES module that draws it, and the learner's saved state. Everything that
differs from one kind to the next is in its spec, and every layer reads the
registry instead of keeping its own list:

- the hosts: the ``curriculum.<kind>()`` functions, the widget classes
  (:mod:`curriculum.hosts.widget`), the static fragment's ``<noscript>`` text,
  the status lines of ``curriculum.progress()``;
- the checks and the build: which calls a code cell makes and what they name
  (:mod:`curriculum.content._calls`), which content files a notebook depends
  on, the progress manifest, the search index, the generated site pages;
- ``curriculum new``: the templates for new content;
- the JavaScript: the bundler reads each spec's :attr:`~ComponentSpec.kind`
  and :attr:`~ComponentSpec.module` (the ES module file), in registry order,
  and the static host checks imported progress against each
  :attr:`~ComponentSpec.state` shape.

Adding a kind is one spec (:func:`register`), one ES module, one template and
one fixture: the recipe is in ``CONTRIBUTING.md``.
"""

from curriculum.components._builtin import BUILT_IN
from curriculum.components._lessons import LessonParts, lesson_parts, lists_of, outline
from curriculum.components._spec import (
    COMPONENTS,
    Companion,
    ComponentSpec,
    Mount,
    NewTemplate,
    PageContext,
    Param,
    Registry,
    SitePages,
    Status,
    dom_id,
    register,
)

__all__ = [
    "BUILT_IN",
    "COMPONENTS",
    "Companion",
    "ComponentSpec",
    "LessonParts",
    "Mount",
    "NewTemplate",
    "PageContext",
    "Param",
    "Registry",
    "SitePages",
    "Status",
    "dom_id",
    "lesson_parts",
    "lists_of",
    "outline",
    "register",
]

for _spec in BUILT_IN:
    register(_spec)
del _spec
