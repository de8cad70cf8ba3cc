"""A toy component kind, added the way any new kind is: one spec, one ES module, one template, one fixture.

``tests/test_component_recipe.py`` follows CONTRIBUTING.md's recipe with it,
end to end. A kind of the package's own is registered in
``curriculum/components/_builtin.py``; this one is registered when the
module is imported, so a test can add it and remove it again, and a lesson's
code cell (``import toy_kind``) registers it in the kernel that runs the lesson.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from curriculum.components import COMPONENTS, ComponentSpec, NewTemplate, Param, Status, register
from curriculum.content import ContentFormat
from curriculum.render import PayloadBuilder

HERE = Path(__file__).parent


class Toy(BaseModel):
    """The content model: a greeting for the learner to say back."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    """The toy's title."""
    greeting: str
    """What it says (Markdown)."""
    lesson: str | None = None
    """The lesson it belongs to."""


def payload(builder: PayloadBuilder, ident: str) -> dict[str, Any]:
    """The payload: the common fields, and the greeting as text and as sanitised HTML."""
    toy: Toy = builder.curriculum.tables["toys"][ident].model
    data = builder.common("toy", ident, toy.title, toy.lesson, [], [toy.greeting])
    data.update({"greeting": toy.greeting, "greeting_html": builder.renderer.inline(toy.greeting)})
    return data


def status(state: Mapping[str, Any]) -> Status:
    """The progress listing's line: how often the learner said the greeting back."""
    said = state["said"]
    return Status(f"said {said} time{'s' if said != 1 else ''}")


SPEC = ComponentSpec(
    kind="toy",
    noun="toy",
    label="Toy",
    params=(Param("toy_id", "The toy's id (``toys/<toy_id>.yml``)."),),
    content=ContentFormat("a toy", "toys", Toy, lambda data: "greeting" in data),
    documents=lambda cur, _args: cur.tables["toys"],
    payload=payload,
    module=HERE / "toy.js",
    state={"type": "object", "required": ["said"], "properties": {"said": {"type": "integer"}}},
    status=status,
    progress=lambda _toy: {"total": 1},
    search=lambda data: (None, [data["greeting_html"]]),
    templates={"toy": NewTemplate(HERE / "toy.yml.j2")},
)

if "toy" not in COMPONENTS:
    register(SPEC)
