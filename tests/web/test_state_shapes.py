"""Both hosts refuse the same saved states: the registry's shapes, checked by Python and by the browser.

The live host checks a state with :meth:`curriculum.components.ComponentSpec.accepts`
(fastjsonschema); the static host gets the same JSON Schemas in ``curriculum.js`` and checks
them with ``matches`` (web/store.js), run here under Node.
"""

from __future__ import annotations

import json

import pytest
from tests import node

from curriculum.components import COMPONENTS, register
from curriculum.web import classic_bundle, component_kinds

STATES = [
    None,
    [],
    "text",
    {},
    {"attempts": []},
    {"attempts": [{}, {"score": 1}]},
    {"attempts": [1]},
    {"attempts": {}},
    {"path": [], "at": "start"},
    {"path": [{"node": "a", "choice": 0}], "at": 3},
    {"path": "a", "at": "a"},
    {"labels": {}},
    {"labels": []},
    {"labels": {"1": {"technique": "x", "place": "stem"}}, "checked": True},
    {"fields": {}},
    {"fields": {"a": "text", "b": ""}},
    {"fields": {"a": 3}},
    {"fields": []},
    {"fields": {"a": "x"}, "updated": None, "other": [1, 2]},
]

SCRIPT = """
import { matches } from "./src/curriculum/web/store.js";
console.log(JSON.stringify(DATA.shapes.map((shape) => DATA.states.map((state) => matches(shape, state)))));
"""


def test_the_static_host_accepts_what_the_live_host_accepts():
    kinds = component_kinds()
    assert list(kinds) == list(COMPONENTS)
    js = node.run(SCRIPT, {"shapes": [k["state"] for k in kinds.values()], "states": STATES})
    for (kind, spec), verdicts in zip(COMPONENTS.items(), js, strict=True):
        python = [spec.accepts(state) for state in STATES]
        assert verdicts == python, kind
        assert any(python) and not all(python), f"{kind}: the cases must tell shapes apart"


def test_the_bundle_carries_the_registry_kinds():
    bundle = classic_bundle()
    line = next(line for line in bundle.splitlines() if line.startswith("const KINDS = "))
    assert json.loads(line.removeprefix("const KINDS = ").removesuffix(";")) == component_kinds()


def test_a_state_shape_the_static_host_cannot_check_is_refused():
    import dataclasses

    spec = dataclasses.replace(
        COMPONENTS["worksheet"], kind="toy", state={"type": "object", "properties": {"a": {"minLength": 2}}}
    )
    register(spec)
    try:
        with pytest.raises(
            ValueError, match="the state schema of 'toy' uses minLength; the static host checks"
        ):
            component_kinds()
    finally:
        COMPONENTS.unregister("toy")
