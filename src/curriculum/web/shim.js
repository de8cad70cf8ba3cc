// shim.js: anywidget's model interface over a plain object, for the static host.

import { log } from "./base.js";

/**
 * The static host's model: anywidget's interface, with listener contexts as in Backbone.
 * @typedef {object} ShimModel
 * @property {(name: string) => unknown} get
 * @property {(name: string, value: unknown) => void} set
 * @property {(events: string, callback: () => void, context?: object) => void} on
 * @property {(events?: string | null, callback?: (() => void) | null, context?: object | null) => void} off
 * @property {() => void} save_changes
 * @property {(message: unknown) => void} send
 */

/**
 * A model with anywidget's interface over a plain object. `change:` events fire synchronously
 * on `set`, as in Backbone; a failing listener is logged and does not stop the others.
 * @param {unknown} payload
 * @param {unknown} state
 * @param {import("./view.js").HostInfo} host
 * @param {(state: unknown) => void} save
 * @returns {{model: ShimModel, replaceState: (state: unknown) => void}}
 */
export function createModel(payload, state, host, save) {
  /** @type {Record<string, unknown>} */
  const attrs = { payload, state, host };
  /** @type {{event: string, callback: () => void, context: object | undefined}[]} */
  let listeners = [];
  /** @param {string} event */
  const emit = (event) => {
    for (const l of listeners.slice()) {
      if (l.event !== event) continue;
      try {
        l.callback.call(l.context);
      } catch (error) {
        log("error", `a ${event} listener failed`, error);
      }
    }
  };
  /** @type {ShimModel} */
  const model = {
    get(name) {
      return attrs[name];
    },
    set(name, value) {
      if (attrs[name] === value) return;
      attrs[name] = value;
      emit(`change:${name}`);
    },
    on(events, callback, context) {
      for (const event of String(events).split(/\s+/).filter(Boolean)) listeners.push({ event, callback, context });
    },
    off(events, callback, context) {
      const names = events ? String(events).split(/\s+/) : null;
      listeners = listeners.filter(
        (l) =>
          !(
            (!names || names.includes(l.event)) &&
            (!callback || l.callback === callback) &&
            (!context || l.context === context)
          ),
      );
    },
    save_changes() {
      save(attrs.state);
    },
    send(message) {
      log("info", "send() has no receiver on a static page", message);
    },
  };
  return {
    model,
    replaceState(next) {
      attrs.state = next;
      emit("change:state");
    },
  };
}
