"""The live host: each component as an anywidget widget.

The widget carries the synced traits named in ``docs/components.md``:
``payload`` (from Python), ``state`` (the learner's record, written by the
browser), ``host``, and ``records`` (the saved states of the other records
the payload ``needs``, read when the widget is made). Whenever the browser saves ``state``, Python writes it
to the learner's progress file. The ES module is the component's module the
static site uses too, linked with the shared modules it imports and
``live.js`` by :func:`curriculum.web.live_esm`; in development (anywidget's
hot reload) ``_esm`` is the file that holds it, linked again when a source
changes (:func:`curriculum.web.live_module`).
"""

from __future__ import annotations

import functools
from typing import Any

import anywidget
import traitlets

from curriculum.assess import ProgressStore
from curriculum.components import COMPONENTS
from curriculum.web import live_module, stylesheet

__all__ = ["make_widget", "widget_class"]


class _ComponentWidget(anywidget.AnyWidget):
    """Base of the component widgets: payload in, state out to the progress file."""

    _css = stylesheet()
    payload = traitlets.Dict().tag(sync=True)
    state = traitlets.Dict().tag(sync=True)
    host = traitlets.Dict().tag(sync=True)
    records = traitlets.Dict().tag(sync=True)

    def __init__(self, payload: dict[str, Any], store: ProgressStore, profile: str) -> None:
        needs = [key for key in payload.get("needs") or () if isinstance(key, str)]
        saved = store.load().records  # one read of the progress file for the state and the records

        def state_of(key: str) -> dict[str, Any]:
            record = saved.get(key)
            return dict(record.state) if record else {}

        super().__init__(
            payload=payload,
            state=state_of(payload["key"]),
            host={"kind": "live", "profile": profile},
            records={key: state for key in needs if (state := state_of(key))},
        )
        self._store = store
        self.observe(self._save, names="state")

    def _save(self, change: dict[str, Any]) -> None:
        self._store.save(self.payload["key"], dict(change["new"]))

    def __repr__(self) -> str:
        return f"<{self.payload.get('component', 'component')} {self.payload.get('id', '')!r}>"


@functools.cache
def widget_class(kind: str) -> type[_ComponentWidget]:
    """Return the widget class of a component kind (one class per kind, made once).

    Parameters
    ----------
    kind : str
        A registered component kind (see :mod:`curriculum.components`).

    Raises
    ------
    KeyError
        If no such kind is registered.
    """
    spec = COMPONENTS[kind]
    name = "".join(part.capitalize() for part in kind.split("_")) + "Widget"
    esm = live_module(kind)
    namespace = {"__doc__": f"A {spec.noun} in JupyterLab.", "__module__": __name__, "_esm": esm}
    return type(name, (_ComponentWidget,), namespace)


def make_widget(payload: dict[str, Any], store: ProgressStore, profile: str) -> _ComponentWidget:
    """Return the widget for ``payload`` (its ``component`` picks the class)."""
    return widget_class(payload["component"])(payload, store, profile)
