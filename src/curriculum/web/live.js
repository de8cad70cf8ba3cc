// live.js: the live host (JupyterLab), the end of the module anywidget loads for one component.
//
// The bundler puts the shared modules and the component before this text, the component's
// default export bound to `component` (see web/_bundle.py); this file's default export is the
// module's. It keeps the learner's keys inside the component: JupyterLab handles keyboard
// shortcuts on `keydown` at the document, in the bubbling phase, and in a notebook's command
// mode single keys are commands: ArrowUp/ArrowDown select another cell, "m" turns the cell
// into Markdown, "d d" deletes it. With focus on a radio button or a button inside a
// component, a learner's arrow keys would leave the quiz and a stray letter could delete the
// lesson's cell. So keys without Ctrl, Alt or Meta stop at the widget (their default action,
// e.g. moving between radio buttons, still happens); Tab, Escape and function keys, and every
// Ctrl/Alt/Meta shortcut (Ctrl+S), still reach JupyterLab.

/* global component -- bound by the bundler to the component's default export */

const LIVE_PASS = new Set(["Tab", "Escape"]);

/**
 * Stop a plain key pressed inside the component from reaching JupyterLab's shortcuts.
 * @param {KeyboardEvent} event
 */
function keepKeys(event) {
  if (event.ctrlKey || event.altKey || event.metaKey) return;
  if (LIVE_PASS.has(event.key) || /^F\d+$/.test(event.key)) return;
  event.stopPropagation();
}

/** @type {Pick<import("./view.js").Component, "render">} */
export default {
  render({ model, el }) {
    el.addEventListener("keydown", keepKeys);
    const cleanup = component.render({ model, el });
    return () => {
      el.removeEventListener("keydown", keepKeys);
      if (typeof cleanup === "function") cleanup();
    };
  },
};
