// core.js: helpers shared by every component (docs/components.md).
//
// Each component imports what it needs from here with one line,
// `import { ... } from "./core.js";`. The Python side links this file in
// front of each component for anywidget, and into one classic script for the
// static site, so everything here is a top-level `export function` or
// `export const` and nothing runs on import.
//
// Safety rule: text goes into the page with textContent or as an attribute
// value. innerHTML is used only by `htmlBlock`, for payload fields that the
// Python side rendered and sanitised (names ending in `_html`, plus `html`).

/**
 * The model interface a component may use (anywidget's, minus `send`).
 * @typedef {object} Model
 * @property {(name: string) => any} get
 * @property {(name: string, value: any) => void} set
 * @property {(event: string, callback: () => void) => void} on
 * @property {(event?: string | null, callback?: (() => void) | null) => void} off
 * @property {() => void} save_changes
 */

/**
 * A running component view (see `createView`).
 * @typedef {object} View
 * @property {any} payload         the payload, read once
 * @property {any} state           the normalised state
 * @property {{kind: string, profile: string}} host
 * @property {string} prefix       unique id prefix of this instance
 * @property {HTMLElement} root
 * @property {Record<string, any>} ui   view-local state (not saved)
 * @property {Bag} bag
 * @property {(next: any, options?: CommitOptions) => void} commit
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
 * @property {(target: EventTarget, type: string, fn: EventListener, options?: any) => void} listen
 * @property {(fn: () => void, ms: number) => number} timeout
 * @property {(id: number) => void} clear
 * @property {(fn: () => void) => void} add
 * @property {() => void} dispose
 */

export const LOG_PREFIX = "[curriculum]";

/**
 * Write a console message prefixed with `[curriculum]`.
 * @param {"info" | "warn" | "error"} level
 * @param {...any} args
 */
export function log(level, ...args) {
  const fn = level === "error" ? console.error : level === "warn" ? console.warn : console.info;
  fn.call(console, LOG_PREFIX, ...args);
}

/**
 * Is `value` a plain JSON object (not null, not an array)?
 * @param {any} value
 * @returns {boolean}
 */
export function isPlainObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ------------------------------------------------------------------ DOM

const BOOLEAN_PROPS = new Set(["hidden", "disabled", "checked", "selected", "multiple", "required", "open"]);

/**
 * Create an element. Props: `class` (string or list), `text` (textContent),
 * `on` (event listeners), `value`, boolean properties, and attributes.
 * Attribute names starting with "on" and `style` are refused: the site's
 * Content-Security-Policy forbids inline handlers and inline styles.
 * @param {string} tag
 * @param {Record<string, any>} [props]
 * @param {any[] | any} [children]  nodes, strings (as text) or nested lists
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") {
      node.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : String(value);
    } else if (name === "text") {
      node.textContent = String(value);
    } else if (name === "on") {
      for (const [type, fn] of Object.entries(value)) node.addEventListener(type, fn);
    } else if (name === "value") {
      /** @type {any} */ (node).value = String(value);
    } else if (BOOLEAN_PROPS.has(name)) {
      /** @type {any} */ (node)[name] = Boolean(value);
    } else if (/^on/i.test(name) || name === "style") {
      throw new Error(`${LOG_PREFIX} refusing attribute ${name}`);
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(node, children);
  return node;
}

/**
 * Append children: nodes, strings (as text nodes), nested lists; null is skipped.
 * @param {Node} node
 * @param {any[] | any} children
 */
export function append(node, children) {
  const list = Array.isArray(children) ? children : [children];
  for (const child of list) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

const HTML_FIELD = /(?:^|_)html$/;

/**
 * Create an element holding a payload field that the Python side rendered
 * and sanitised. `field` is the field's name; only names ending in `_html`
 * (or `html` itself) are accepted, so
 * plain text can never be inserted as markup by mistake.
 * @param {string} tag
 * @param {Record<string, any>} props
 * @param {unknown} value   the field's value
 * @param {string} field    the field's name
 * @returns {HTMLElement}
 */
export function htmlBlock(tag, props, value, field) {
  if (!HTML_FIELD.test(field)) {
    throw new Error(`${LOG_PREFIX} ${field} is not an HTML field`);
  }
  const node = h(tag, props);
  node.innerHTML = typeof value === "string" ? value : "";
  return node;
}

/**
 * Collect cleanups: listeners, timers and functions, all undone by `dispose`.
 * @returns {Bag}
 */
export function createBag() {
  /** @type {(() => void)[]} */
  let undo = [];
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
 * A polite ARIA live region. `say` clears it, then writes the message a
 * moment later, so a repeated message is announced again.
 * @param {Bag} bag
 * @returns {{node: HTMLElement, say: (text: string) => void}}
 */
export function createAnnouncer(bag) {
  const node = h("div", { class: "cur-sr-only cur-live", role: "status", "aria-live": "polite", "aria-atomic": "true" });
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

let instances = 0;

/**
 * A DOM id prefix unique on the page for one component instance.
 * @param {string} base  e.g. the payload key
 * @returns {string}
 */
export function uid(base) {
  instances += 1;
  const slug = String(base).toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "cur";
  return `cur-${slug}-${instances}${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Point every `#ref-KEY` link inside `root` at this instance's reference
 * list (`#PREFIX-ref-KEY`), so two components on a page never share ids.
 * @param {ParentNode} root
 * @param {string} prefix
 */
export function scopeRefs(root, prefix) {
  for (const link of root.querySelectorAll('a[href^="#ref-"]')) {
    const key = (link.getAttribute("href") || "").slice("#ref-".length);
    link.setAttribute("href", `#${prefix}-ref-${key}`);
  }
}

/**
 * The reference list of a component, ids scoped by `prefix`.
 * @param {{key: string, html: string}[]} references
 * @param {string} prefix
 * @param {string} headingTag  e.g. "h4"
 * @returns {HTMLElement | null}  null when there are no references
 */
export function referenceList(references, prefix, headingTag) {
  const refs = Array.isArray(references) ? references.filter((r) => isPlainObject(r) && typeof r.key === "string") : [];
  if (!refs.length) return null;
  // A plain container, not a <section>: several components on one page would
  // otherwise make several landmarks all named "References".
  return h("div", { class: "cur-references" }, [
    h(headingTag, { id: `${prefix}-refs`, text: "References" }),
    h("ul", {}, refs.map((r) => htmlBlock("li", { id: `${prefix}-ref-${r.key}`, tabindex: "-1" }, r.html, "html"))),
  ]);
}

/**
 * The formatted references for some keys (no ids: for use next to feedback).
 * @param {{key: string, html: string}[]} references  the payload's list
 * @param {string[]} keys
 * @returns {HTMLElement[]}  list items
 */
export function referenceItems(references, keys) {
  const byKey = new Map((Array.isArray(references) ? references : []).map((r) => [r.key, r]));
  return (keys || []).filter((k) => byKey.has(k)).map((k) => htmlBlock("li", {}, byKey.get(k).html, "html"));
}

/**
 * A confirmation box drawn in place (no blocking dialog): a message and two
 * buttons. The confirm button's data-key is `${key}:yes`, the cancel one's `${key}:no`.
 * @param {{key: string, message: string, yes: string, no: string, onYes: () => void, onNo: () => void, danger?: boolean, extra?: Node[]}} spec
 * @returns {HTMLElement}
 */
export function confirmBox(spec) {
  return h("div", { class: ["cur-confirm", spec.danger && "cur-confirm-danger"], role: "group", "aria-label": spec.message }, [
    h("p", { class: "cur-confirm-message", text: spec.message }),
    spec.extra || [],
    h("div", { class: "cur-actions" }, [
      button(spec.yes, spec.onYes, { key: `${spec.key}:yes`, primary: true, danger: spec.danger }),
      button(spec.no, spec.onNo, { key: `${spec.key}:no` }),
    ]),
  ]);
}

/**
 * A native button.
 * @param {string} label
 * @param {(event: Event) => void} onClick
 * @param {{key?: string, primary?: boolean, danger?: boolean, disabled?: boolean, pressed?: boolean, describedby?: string, cls?: string}} [options]
 * @returns {HTMLButtonElement}
 */
export function button(label, onClick, options = {}) {
  return /** @type {HTMLButtonElement} */ (h("button", {
    type: "button",
    class: ["cur-button", options.primary && "cur-button-primary", options.danger && "cur-button-danger", options.cls],
    "data-key": options.key,
    disabled: options.disabled,
    "aria-pressed": options.pressed === undefined ? undefined : String(options.pressed),
    "aria-describedby": options.describedby,
    text: label,
    on: { click: onClick },
  }));
}

// ------------------------------------------------------------------ view

/**
 * Run a component: a root element with a body that `draw` fills from the
 * state, and a live region that survives redraws. Keeps the state in step
 * with the model (`change:state` from Python, another tab or an import),
 * restores focus by `data-key` across redraws, keeps in-page links (`#...`)
 * inside the component, and returns the cleanup that undoes it all.
 * @param {Model} model
 * @param {HTMLElement} el
 * @param {{name: string, normalize: (raw: any, payload: any) => any, draw: (view: View) => any[]}} spec
 * @returns {{view: View, cleanup: () => void}}
 */
export function createView(model, el, spec) {
  const payload = model.get("payload") || {};
  const host = model.get("host") || { kind: "live", profile: "resident" };
  const bag = createBag();
  const prefix = uid(payload.key || spec.name);
  const root = h("div", { class: ["cur-component", `cur-${spec.name}`], id: prefix });
  const body = h("div", { class: "cur-body" });
  const live = createAnnouncer(bag);
  root.append(body, live.node);
  el.replaceChildren(root);

  let sent = model.get("state");
  let current = spec.normalize(sent, payload);

  /** @type {View} */
  const view = {
    payload,
    host,
    prefix,
    root,
    bag,
    ui: {},
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
      const active = /** @type {any} */ (document.activeElement);
      const inside = active instanceof HTMLElement && root.contains(active);
      const activeKey = inside ? active.getAttribute("data-key") : null;
      let selection = null;
      if (inside && typeof active.selectionStart === "number") selection = [active.selectionStart, active.selectionEnd];
      body.replaceChildren(...spec.draw(view).filter(Boolean));
      scopeRefs(body, prefix);
      const key = focusKey || activeKey;
      let target = key ? body.querySelector(`[data-key="${CSS.escape(key)}"]`) : null;
      if (!target && inside && !body.contains(document.activeElement)) target = body.querySelector('[data-key="title"]');
      if (target instanceof HTMLElement) {
        target.focus({ preventScroll: !focusKey });
        if (focusKey) target.scrollIntoView({ block: "nearest" });
        if (!focusKey && selection && typeof (/** @type {any} */ (target).setSelectionRange) === "function") {
          try {
            /** @type {any} */ (target).setSelectionRange(selection[0], selection[1]);
          } catch (error) {
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

// ------------------------------------------------------------------ shuffling

/**
 * A 32-bit FNV-1a hash of a string.
 * @param {string} text
 * @returns {number}
 */
export function hashString(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * A seeded pseudo-random generator (mulberry32) in [0, 1).
 * @param {string | number} seed
 * @returns {() => number}
 */
export function seededRandom(seed) {
  let a = typeof seed === "number" ? seed >>> 0 : hashString(String(seed));
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A new array with the items in a seeded random order (Fisher-Yates).
 * @template T
 * @param {T[]} items
 * @param {string | number} seed
 * @returns {T[]}
 */
export function shuffle(items, seed) {
  const out = items.slice();
  const random = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * The option order of a new quiz attempt: per item, the option ids in a
 * seeded order (or as authored when `shuffled` is false). When an item's
 * order would repeat the previous attempt's, it is rotated by one, so every
 * new attempt looks different.
 * @param {{id: string, options: {id: string}[]}[]} items
 * @param {string} seed
 * @param {Record<string, string[]> | null | undefined} previous  the last attempt's order
 * @param {boolean} shuffled
 * @returns {Record<string, string[]>}
 */
export function drawOrder(items, seed, previous, shuffled) {
  /** @type {Record<string, string[]>} */
  const order = {};
  for (const item of items) {
    const ids = item.options.map((o) => o.id);
    if (!shuffled) {
      order[item.id] = ids;
      continue;
    }
    let drawn = shuffle(ids, `${seed}|${item.id}`);
    const before = previous && previous[item.id];
    if (ids.length > 1 && Array.isArray(before) && sameList(drawn, before)) drawn = drawn.slice(1).concat(drawn[0]);
    order[item.id] = drawn;
  }
  return order;
}

/**
 * @param {any[]} a
 * @param {any[]} b
 * @returns {boolean}
 */
function sameList(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// ------------------------------------------------------------------ scoring (mirror of curriculum.assess)

/**
 * Whether a response (selected option ids) matches the key: the sets are
 * equal and not empty. Mirrors `curriculum.assess.item_correct`.
 * @param {string[]} answer
 * @param {string[] | null | undefined} response
 * @returns {boolean}
 */
export function itemCorrect(answer, response) {
  if (response === null || response === undefined) return false;
  const chosen = new Set(response);
  const key = new Set(answer);
  if (chosen.size === 0 || chosen.size !== key.size) return false;
  for (const id of chosen) if (!key.has(id)) return false;
  return true;
}

/**
 * The proportion of items answered correctly; unanswered items count as
 * wrong, and an empty quiz scores 0. Mirrors `curriculum.assess.score`.
 * @param {Record<string, string[]>} answers    item id to key
 * @param {Record<string, string[]>} responses  item id to selected ids
 * @returns {number}
 */
export function score(answers, responses) {
  const ids = Object.keys(answers || {});
  if (!ids.length) return 0;
  const given = responses || {};
  let correct = 0;
  for (const id of ids) {
    if (itemCorrect(answers[id], Object.prototype.hasOwnProperty.call(given, id) ? given[id] : null)) correct += 1;
  }
  return correct / ids.length;
}

/**
 * Whether a score reaches the pass mark, with a 1e-9 tolerance (7 of 10 at
 * 0.7 passes); null without a pass mark. Mirrors `curriculum.assess.passed`.
 * @param {number} value
 * @param {number | null | undefined} passMark
 * @returns {boolean | null}
 */
export function passed(value, passMark) {
  if (passMark === null || passMark === undefined) return null;
  return value + 1e-9 >= passMark;
}

// ------------------------------------------------------------------ words

/**
 * A percentage for display, e.g. "70%".
 * @param {number} value  0-1
 * @returns {string}
 */
export function percent(value) {
  return `${Math.round(value * 1000) / 10}%`;
}

/**
 * "1 item", "2 items".
 * @param {number} n
 * @param {string} one
 * @param {string} [many]
 * @returns {string}
 */
export function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many || `${one}s`}`;
}

/** How each choice quality is shown: always a word and an icon, never colour alone. */
export const QUALITY = {
  helpful: { icon: "✓", word: "Helpful" },
  neutral: { icon: "◐", word: "Neutral" },
  unhelpful: { icon: "✗", word: "Unhelpful" },
};

/** Display names of technique modalities. */
export const MODALITY = {
  common: "Common factor",
  supportive: "Supportive",
  psychodynamic: "Psychodynamic",
  cbt: "CBT",
  integrated: "Integrated",
};

/** Display names of Y-model places. */
export const PLACE = {
  stem: "Stem",
  psychodynamic: "Psychodynamic branch",
  cbt: "CBT branch",
};

/**
 * A quality badge: icon (hidden from screen readers) and word.
 * @param {string} quality
 * @returns {HTMLElement}
 */
export function qualityBadge(quality) {
  const q = QUALITY[/** @type {keyof typeof QUALITY} */ (quality)] || { icon: "•", word: String(quality) };
  return h("span", { class: ["cur-badge", "cur-quality", `cur-quality-${quality}`] }, [
    h("span", { class: "cur-icon", "aria-hidden": "true", text: q.icon }),
    ` ${q.word}`,
  ]);
}

/**
 * A verdict line: icon and words, marked good or bad (colour is extra).
 * @param {boolean} good
 * @param {string} text
 * @param {Record<string, any>} [props]
 * @returns {HTMLElement}
 */
export function verdict(good, text, props = {}) {
  return h("p", { ...props, class: ["cur-verdict", good ? "cur-good" : "cur-bad", props.class] }, [
    h("span", { class: "cur-icon", "aria-hidden": "true", text: good ? "✓" : "✗" }),
    ` ${text}`,
  ]);
}

// ------------------------------------------------------------------ time and files

/**
 * The current time as ISO 8601 in UTC, to the second: "2026-11-23T10:00:00Z".
 * @returns {string}
 */
export function nowIso() {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * A short local date and time for display.
 * @param {string} iso
 * @returns {string}
 */
export function displayTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/**
 * A safe file name: letters, digits, dot, dash and underscore only.
 * @param {string} name
 * @returns {string}
 */
export function safeFileName(name) {
  return String(name).replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+/, "") || "download";
}

/**
 * Save a Blob as a file through a temporary link (no network, works from file://).
 * @param {string} filename
 * @param {Blob} blob
 */
export function downloadBlob(filename, blob) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: safeFileName(filename), hidden: true });
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 30000);
}

/**
 * Save text as a file.
 * @param {string} filename
 * @param {string} text
 * @param {string} type  MIME type
 */
export function downloadText(filename, text, type) {
  downloadBlob(filename, new Blob([text], { type: `${type};charset=utf-8` }));
}
