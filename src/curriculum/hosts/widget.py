"""The live host: each component as an anywidget widget.

The widget carries three synced traits named as in ``docs/components.md``:
``payload`` (from Python), ``state`` (the learner's record, written by the
browser) and ``host``. Whenever the browser saves ``state``, Python writes it
to the learner's progress file. The ES module is the same file the static
site uses, linked with ``core.js`` by :func:`curriculum.web.component_esm`,
wrapped for JupyterLab by :func:`live_esm`.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import anywidget
import traitlets

from curriculum.assess import ProgressStore
from curriculum.components import COMPONENTS
from curriculum.web import component_esm, stylesheet

__all__ = ["live_esm", "make_widget", "widget_class"]

_DEFAULT = re.compile(r"^export\s+default\s+", re.MULTILINE)

# JupyterLab handles keyboard shortcuts on `keydown` at the document, in the
# bubbling phase, and in a notebook's command mode single keys are commands:
# ArrowUp/ArrowDown select another cell, "m" turns the cell into Markdown,
# "d d" deletes it. With focus on a radio button or a button inside a
# component, a learner's arrow keys would leave the quiz and a stray letter
# could delete the lesson's cell. So keys without Ctrl, Alt or Meta stop at
# the widget (their default action, e.g. moving between radio buttons, still
# happens); Tab, Escape and function keys, and every Ctrl/Alt/Meta shortcut
# (Ctrl+S), still reach JupyterLab.
_LIVE_WRAPPER = r"""
// ---- live host (JupyterLab): keep the learner's keys inside the component.
const CUR_LIVE_PASS = new Set(["Tab", "Escape"]);
function curLiveKeys(event) {
  if (event.ctrlKey || event.altKey || event.metaKey) return;
  if (CUR_LIVE_PASS.has(event.key) || /^F\d+$/.test(event.key)) return;
  event.stopPropagation();
}
export default {
  render({ model, el }) {
    el.addEventListener("keydown", curLiveKeys);
    const cleanup = curComponent.render({ model, el });
    return () => {
      el.removeEventListener("keydown", curLiveKeys);
      if (typeof cleanup === "function") cleanup();
    };
  },
};
"""


@functools.cache
def live_esm(name: str) -> str:
    """Return the ES module anywidget loads in JupyterLab for component ``name``.

    It is :func:`curriculum.web.component_esm` with the component's default
    export wrapped so that plain keys pressed inside the component do not
    trigger JupyterLab's notebook shortcuts (see ``_LIVE_WRAPPER``).

    Parameters
    ----------
    name : str
        ``quiz``, ``vignette``, ``spotter`` or ``worksheet``.

    Returns
    -------
    str
        The module text.
    """
    module, count = _DEFAULT.subn("const curComponent = ", component_esm(name))
    if count != 1:
        raise ValueError(f"{name}.js must end with exactly one `export default`, found {count}")
    return module + _LIVE_WRAPPER


class _ComponentWidget(anywidget.AnyWidget):
    """Base of the component widgets: payload in, state out to the progress file."""

    _css = stylesheet()
    payload = traitlets.Dict().tag(sync=True)
    state = traitlets.Dict().tag(sync=True)
    host = traitlets.Dict().tag(sync=True)

    def __init__(self, payload: dict[str, Any], store: ProgressStore, profile: str) -> None:
        super().__init__(
            payload=payload, state=store.get(payload["key"]), host={"kind": "live", "profile": profile}
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
    namespace = {"__doc__": f"A {spec.noun} in JupyterLab.", "__module__": __name__, "_esm": live_esm(kind)}
    return type(name, (_ComponentWidget,), namespace)


def make_widget(payload: dict[str, Any], store: ProgressStore, profile: str) -> _ComponentWidget:
    """Return the widget for ``payload`` (its ``component`` picks the class)."""
    return widget_class(payload["component"])(payload, store, profile)
