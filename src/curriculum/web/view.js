// view.js: running a component: the model interface, cleanups, the live region, redraws.

import { log } from "./base.js";
import { h, scopeRefs, uid } from "./dom.js";

/**
 * The model interface a component may use (anywidget's; components do not `send`).
 * @typedef {object} Model
 * @property {(name: string) => unknown} get
 * @property {(name: string, value: unknown) => void} set
 * @property {(event: string, callback: () => void) => void} on
 * @property {(event?: string | null, callback?: (() => void) | null) => void} off
 * @property {() => void} save_changes
 * @property {(message: unknown) => void} [send]
 */

/**
 * Which host runs the component (the `host` model attribute).
 * @typedef {{kind: "live" | "static", profile: "resident" | "faculty"}} HostInfo
 */

/**
 * The fields every payload has (docs/components.md, "Common payload fields").
 * @typedef {object} PayloadBase
 * @property {string} component        its kind: quiz, vignette, ...
 * @property {string} key              the progress record's key, `kind:id`
 * @property {string} id
 * @property {string} title
 * @property {string | null} lesson
 * @property {Record<string, string>} objectives   objective id to its text
 * @property {import("./dom.js").Reference[]} references
 * @property {string} site             the site id, which keys the learner's progress
 * @property {number} schema
 */

/**
 * What the static host shows of one part on the progress page and in the quiz list.
 * @typedef {object} Part
 * @property {string} kind
 * @property {string} [key]
 * @property {string} [title]
 * @property {string} [url]
 * @property {number} [total]        how many items, endings, marked turns or fields it has
 * @property {string} [quiz]         a quiz's kind: formative, pretest, posttest, summative
 * @property {number | null} [pass]  a quiz's pass mark
 * @property {Record<string, string[]>} [items]  a quiz's items, each to the objective ids it measures
 */

/**
 * What the learner has done in one part.
 * @typedef {{status: "done" | "started" | "new", text: string}} Status
 */

/**
 * A component module's default export. anywidget calls `render`; the static host also calls
 * `status`, for the progress page and the quiz list.
 * @typedef {object} Component
 * @property {(context: {model: Model, el: HTMLElement}) => () => void} render
 * @property {(part: Part, state: Record<string, unknown>, total: number) => Status} status
 *   what the learner has done, from a saved state of the kind's shape (`total` is 0 when unknown)
 */

/**
 * The part of JSON Schema that the component kinds' state shapes use (store.js: matches).
 * @typedef {object} Schema
 * @property {string | string[]} [type]
 * @property {string[]} [required]
 * @property {Record<string, Schema | boolean>} [properties]
 * @property {Schema | boolean} [items]
 * @property {Schema | boolean} [additionalProperties]
 */

/**
 * What the registry (curriculum.components) says of a component kind, for the static host.
 * @typedef {object} Kind
 * @property {string} noun    how a message names one ("This case vignette cannot be shown")
 * @property {string} label   its kind in the list of parts ("Case")
 * @property {Schema} state   the shape of its saved state; a stored or imported state of
 *   another shape is refused rather than half-used
 */

/**
 * A running component view (see `createView`).
 * @template P, S, U
 * @typedef {object} View
 * @property {P} payload         the payload, read once
 * @property {S} state           the normalised state
 * @property {HostInfo} host
 * @property {string} prefix     unique id prefix of this instance
 * @property {HTMLElement} root
 * @property {U} ui              view-local state (not saved)
 * @property {Bag} bag
 * @property {(next: S, options?: CommitOptions) => void} commit
 * @property {(focusKey?: string | null) => void} redraw
 * @property {(text: string) => void} say
 * @property {(suffix: string) => string} id
 */

/**
 * @typedef {object} CommitOptions
 * @property {boolean} [redraw]   redraw the view (default true)
 * @property {string} [focus]     data-key of the element to focus after the redraw
 * @property {string} [say]       message for the live region
 */

/**
 * Cleanups of one view: listeners, timers and anything else to undo.
 * @typedef {object} Bag
 * @property {(target: EventTarget, type: string, fn: EventListener, options?: AddEventListenerOptions) => void} listen
 * @property {(fn: () => void, ms: number) => number} timeout
 * @property {(id: number) => void} clear
 * @property {(fn: () => void) => void} add
 * @property {() => void} dispose
 */

/**
 * Collect cleanups: listeners, timers and functions, all undone by `dispose`.
 * @returns {Bag}
 */
function createBag() {
  /** @type {(() => void)[]} */
  let undo = [];
  /** @type {Set<number>} */
  const timers = new Set();
  return {
    listen(target, type, fn, options) {
      target.addEventListener(type, fn, options);
      undo.push(() => target.removeEventListener(type, fn, options));
    },
    timeout(fn, ms) {
      const id = window.setTimeout(() => {
        timers.delete(id);
        fn();
      }, ms);
      timers.add(id);
      return id;
    },
    clear(id) {
      window.clearTimeout(id);
      timers.delete(id);
    },
    add(fn) {
      undo.push(fn);
    },
    dispose() {
      for (const id of timers) window.clearTimeout(id);
      timers.clear();
      const list = undo;
      undo = [];
      for (const fn of list.reverse()) {
        try {
          fn();
        } catch (error) {
          log("error", "error while cleaning up", error);
        }
      }
    },
  };
}

/**
 * A polite ARIA live region. `say` clears it, then writes the message a moment later, so a
 * repeated message is announced again.
 * @param {Bag} bag
 * @returns {{node: HTMLElement, say: (text: string) => void}}
 */
function createAnnouncer(bag) {
  const node = h("div", {
    class: "cur-sr-only cur-live",
    role: "status",
    "aria-live": "polite",
    "aria-atomic": "true",
  });
  let pending = 0;
  return {
    node,
    say(text) {
      if (pending) bag.clear(pending);
      node.textContent = "";
      pending = bag.timeout(() => {
        pending = 0;
        node.textContent = text;
      }, 60);
    },
  };
}

/**
 * How a component runs in `createView`.
 * @template P, S, U
 * @typedef {object} ViewSpec
 * @property {string} name                                   the component's kind, for its class
 * @property {(raw: unknown, payload: P) => S} normalize      whatever is stored, made well-formed
 * @property {(view: View<P, S, U>) => (Node | null | undefined | false)[]} draw   the body, from the state
 * @property {U} ui                                          the initial view-local state
 */

/**
 * A component's title: the heading a redraw falls back to when the focused element is gone
 * (`data-key="title"`, focusable by script).
 * @param {unknown} title       the payload's
 * @param {string} fallback     when the payload has none, e.g. "Quiz"
 * @returns {HTMLElement}
 */
export function titleHeading(title, fallback) {
  return h("h3", { class: "cur-title", tabindex: "-1", "data-key": "title", text: String(title || fallback) });
}

/**
 * Run a component: a root element with a body that `draw` fills from the state, and a live
 * region that survives redraws. Keeps the state in step with the model (`change:state` from
 * Python, another tab or an import), restores focus by `data-key` across redraws, keeps
 * in-page links (`#...`) inside the component, and returns the cleanup that undoes it all.
 * @template {PayloadBase} P
 * @template S, U
 * @param {Model} model
 * @param {HTMLElement} el
 * @param {ViewSpec<P, S, U>} spec
 * @returns {{view: View<P, S, U>, cleanup: () => void}}
 */
export function createView(model, el, spec) {
  const payload = /** @type {P} */ (model.get("payload") || {});
  const host = /** @type {HostInfo} */ (model.get("host") || { kind: "live", profile: "resident" });
  const bag = createBag();
  const prefix = uid(payload.key || spec.name);
  const root = h("div", { class: ["cur-component", `cur-${spec.name}`], id: prefix });
  const body = h("div", { class: "cur-body" });
  const live = createAnnouncer(bag);
  root.append(body, live.node);
  el.replaceChildren(root);

  let sent = model.get("state");
  let current = spec.normalize(sent, payload);

  /** @type {View<P, S, U>} */
  const view = {
    payload,
    host,
    prefix,
    root,
    bag,
    ui: spec.ui,
    get state() {
      return current;
    },
    commit(next, options = {}) {
      current = next;
      sent = next;
      model.set("state", next);
      model.save_changes();
      if (options.redraw !== false) view.redraw(options.focus || null);
      if (options.say) live.say(options.say);
    },
    redraw(focusKey) {
      const active = document.activeElement;
      const inside = active instanceof HTMLElement && root.contains(active);
      const activeKey = inside ? active.getAttribute("data-key") : null;
      /** @type {[number | null, number | null] | null} */
      let selection = null;
      if (inside && (active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement)) {
        if (typeof active.selectionStart === "number") selection = [active.selectionStart, active.selectionEnd];
      }
      body.replaceChildren(...spec.draw(view).filter((node) => node instanceof Node));
      scopeRefs(body, prefix);
      const key = focusKey || activeKey;
      let target = key ? body.querySelector(`[data-key="${CSS.escape(key)}"]`) : null;
      if (!target && inside && !body.contains(document.activeElement))
        target = body.querySelector('[data-key="title"]');
      if (target instanceof HTMLElement) {
        target.focus({ preventScroll: !focusKey });
        if (focusKey) target.scrollIntoView({ block: "nearest" });
        if (!focusKey && selection && (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement)) {
          try {
            target.setSelectionRange(selection[0], selection[1]);
          } catch {
            // not a text field
          }
        }
      }
    },
    say: live.say,
    id(suffix) {
      return `${prefix}-${suffix}`;
    },
  };

  const onChange = () => {
    const next = model.get("state");
    if (next === sent) return;
    sent = next;
    current = spec.normalize(next, payload);
    view.redraw(null);
  };
  model.on("change:state", onChange);
  bag.add(() => model.off("change:state", onChange));

  // In-page links (#ref-..., #node-...) stay inside the component in both hosts.
  bag.listen(root, "click", (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[href^="#"]') : null;
    if (!link || !root.contains(link)) return;
    const id = decodeURIComponent((link.getAttribute("href") || "").slice(1));
    const target = id ? document.getElementById(id) : null;
    if (!target || !root.contains(target)) return;
    event.preventDefault();
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "start" });
  });

  view.redraw(null);
  return {
    view,
    cleanup() {
      bag.dispose();
      el.replaceChildren();
    },
  };
}
