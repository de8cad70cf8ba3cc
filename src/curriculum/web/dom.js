// dom.js: building the page, safely.
//
// Safety rule: text goes into the page with textContent or as an attribute value. innerHTML
// is used only by `htmlBlock`, for payload fields that the Python side rendered and sanitised
// (names ending in `_html`, plus `html`). `h` refuses `on*` and `style` attributes, so the
// site's Content-Security-Policy holds by construction.

import { LOG_PREFIX, isPlainObject } from "./base.js";

/**
 * What `h` and `append` take as children: nodes, strings (as text), nested lists; null,
 * undefined and false are skipped.
 * @typedef {Node | string | number | null | undefined | false | Child[]} Child
 */

/**
 * The properties `h` understands: `class` (string or list), `text` (textContent), `on`
 * (event listeners), `value`, boolean properties, and attributes. An undefined, null or
 * false value leaves the property out.
 * @typedef {{
 *   class?: string | (string | false | null | undefined)[],
 *   text?: string | number,
 *   on?: Record<string, (event: Event) => void>,
 *   [name: string]: unknown,
 * }} Props
 */

/**
 * A payload's formatted reference: its citation key and its HTML (sanitised in Python).
 * @typedef {{key: string, html: string}} Reference
 */

const BOOLEAN_PROPS = new Set(["hidden", "disabled", "checked", "selected", "multiple", "required", "open"]);

/**
 * Create an element. Attribute names starting with "on" and `style` are refused: the site's
 * Content-Security-Policy forbids inline handlers and inline styles.
 * @param {string} tag
 * @param {Props} [props]
 * @param {Child} [children]
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
      for (const [type, fn] of Object.entries(/** @type {Record<string, EventListener>} */ (value))) {
        node.addEventListener(type, fn);
      }
    } else if (name === "value") {
      /** @type {HTMLInputElement} */ (node).value = String(value);
    } else if (BOOLEAN_PROPS.has(name)) {
      /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (node))[name] = Boolean(value);
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
 * @param {Child} children
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
 * Create an element holding a payload field that the Python side rendered and sanitised.
 * `field` is the field's name; only names ending in `_html` (or `html` itself) are accepted,
 * so plain text can never be inserted as markup by mistake.
 * @param {string} tag
 * @param {Props} props
 * @param {unknown} value   the field's value
 * @param {string} field    the field's name
 * @returns {HTMLElement}
 */
export function htmlBlock(tag, props, value, field) {
  if (!HTML_FIELD.test(field)) {
    throw new Error(`${LOG_PREFIX} ${field} is not an HTML field`);
  }
  const node = h(tag, props);
  // eslint-disable-next-line no-restricted-properties -- the one sink, for sanitised payload fields
  node.innerHTML = typeof value === "string" ? value : "";
  return node;
}

let instances = 0;

/**
 * A DOM id prefix unique on the page for one component instance.
 * @param {string} base  e.g. the payload key
 * @returns {string}
 */
export function uid(base) {
  instances += 1;
  const slug =
    String(base)
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "cur";
  return `cur-${slug}-${instances}${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Point every `#ref-KEY` link inside `root` at this instance's reference list
 * (`#PREFIX-ref-KEY`), so two components on a page never share ids.
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
 * @param {unknown} references  the payload's list
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
    h(
      "ul",
      {},
      refs.map((r) => htmlBlock("li", { id: `${prefix}-ref-${r.key}`, tabindex: "-1" }, r.html, "html")),
    ),
  ]);
}

/**
 * The formatted references for some keys (no ids: for use next to feedback).
 * @param {Reference[]} references  the payload's list
 * @param {string[] | undefined} keys
 * @returns {HTMLElement[]}  list items
 */
export function referenceItems(references, keys) {
  const byKey = new Map((Array.isArray(references) ? references : []).map((r) => [r.key, r]));
  return (keys || []).flatMap((k) => {
    const ref = byKey.get(k);
    return ref ? [htmlBlock("li", {}, ref.html, "html")] : [];
  });
}

/**
 * @typedef {object} ButtonOptions
 * @property {string} [key]          data-key, by which a redraw restores focus
 * @property {boolean} [primary]
 * @property {boolean} [danger]
 * @property {boolean} [disabled]
 * @property {boolean} [pressed]     a toggle's aria-pressed
 * @property {string} [describedby]
 * @property {string} [cls]          one more class
 */

/**
 * A native button.
 * @param {string} label
 * @param {(event: Event) => void} onClick
 * @param {ButtonOptions} [options]
 * @returns {HTMLButtonElement}
 */
export function button(label, onClick, options = {}) {
  return /** @type {HTMLButtonElement} */ (
    h("button", {
      type: "button",
      class: [
        "cur-button",
        options.primary && "cur-button-primary",
        options.danger && "cur-button-danger",
        options.cls,
      ],
      "data-key": options.key,
      disabled: options.disabled,
      "aria-pressed": options.pressed === undefined ? undefined : String(options.pressed),
      "aria-describedby": options.describedby,
      text: label,
      on: { click: onClick },
    })
  );
}

/**
 * @typedef {object} ConfirmSpec
 * @property {string} key       the buttons' data-keys are `${key}:yes` and `${key}:no`
 * @property {string} message
 * @property {string} yes       the confirm button's label
 * @property {string} no        the cancel button's label
 * @property {() => void} onYes
 * @property {() => void} onNo
 * @property {boolean} [danger]
 * @property {Node[]} [extra]   more content between the message and the buttons
 */

/**
 * A confirmation box drawn in place (no blocking dialog): a message and two buttons.
 * @param {ConfirmSpec} spec
 * @returns {HTMLElement}
 */
export function confirmBox(spec) {
  return h(
    "div",
    { class: ["cur-confirm", spec.danger && "cur-confirm-danger"], role: "group", "aria-label": spec.message },
    [
      h("p", { class: "cur-confirm-message", text: spec.message }),
      spec.extra || [],
      h("div", { class: "cur-actions" }, [
        button(spec.yes, spec.onYes, { key: `${spec.key}:yes`, primary: true, danger: spec.danger }),
        button(spec.no, spec.onNo, { key: `${spec.key}:no` }),
      ]),
    ],
  );
}

/**
 * A verdict line: icon and words, marked good or bad (colour is extra).
 * @param {boolean} good
 * @param {string} text
 * @param {Props} [props]
 * @returns {HTMLElement}
 */
export function verdict(good, text, props = {}) {
  return h(
    "p",
    { ...props, class: ["cur-verdict", good ? "cur-good" : "cur-bad", /** @type {string} */ (props.class)] },
    [h("span", { class: "cur-icon", "aria-hidden": "true", text: good ? "✓" : "✗" }), ` ${text}`],
  );
}
