"""The live host: each component as an anywidget widget.

The widget carries three synced traits named as in ``docs/components.md``:
``payload`` (from Python), ``state`` (the learner's record, written by the
browser) and ``host``. Whenever the browser saves ``state``, Python writes it
to the learner's progress file. The ES module is the same file the static
site uses, linked with ``core.js`` by :func:`curriculum.web.component_esm`.
"""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from curriculum.assess import ProgressStore
from curriculum.web import component_esm, stylesheet

__all__ = ["QuizWidget", "SpotterWidget", "VignetteWidget", "WorksheetWidget", "make_widget"]


class _ComponentWidget(anywidget.AnyWidget):  # type: ignore[misc]
    """Base of the component widgets: payload in, state out to the progress file."""

    _css = stylesheet()
    payload = traitlets.Dict().tag(sync=True)
    state = traitlets.Dict().tag(sync=True)
    host = traitlets.Dict().tag(sync=True)

    def __init__(self, payload: dict[str, Any], store: ProgressStore, profile: str) -> None:
        super().__init__(payload=payload, state=store.get(payload["key"]),
                         host={"kind": "live", "profile": profile})
        self._store = store
        self.observe(self._save, names="state")

    def _save(self, change: dict[str, Any]) -> None:
        self._store.save(self.payload["key"], dict(change["new"]))

    def __repr__(self) -> str:
        return f"<{self.payload.get('component', 'component')} {self.payload.get('id', '')!r}>"


class QuizWidget(_ComponentWidget):
    """A quiz in JupyterLab."""

    _esm = component_esm("quiz")


class VignetteWidget(_ComponentWidget):
    """A branching vignette in JupyterLab."""

    _esm = component_esm("vignette")


class SpotterWidget(_ComponentWidget):
    """A technique-spotter exercise in JupyterLab."""

    _esm = component_esm("spotter")


class WorksheetWidget(_ComponentWidget):
    """A worksheet in JupyterLab."""

    _esm = component_esm("worksheet")


_WIDGETS: dict[str, type[_ComponentWidget]] = {
    "quiz": QuizWidget, "vignette": VignetteWidget, "spotter": SpotterWidget, "worksheet": WorksheetWidget,
}


def make_widget(payload: dict[str, Any], store: ProgressStore, profile: str) -> _ComponentWidget:
    """Return the widget for ``payload`` (its ``component`` picks the class)."""
    return _WIDGETS[payload["component"]](payload, store, profile)
