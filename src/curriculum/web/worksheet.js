// worksheet.js: the learner's own structured text (docs/components.md, "Worksheet").
import { isPlainObject } from "./base.js";
import { button, confirmBox, h, htmlBlock, referenceList } from "./dom.js";
import { createView, titleHeading } from "./view.js";
import { countOf, displayTime, nowIso, plural } from "./format.js";
import { downloadText } from "./files.js";

/**
 * @typedef {object} WorksheetFields
 * @property {string} kind                  thought-record, formulation-cbt, ...
 * @property {string | null} case_html
 * @property {string | null} prompt_html
 * @property {{id: string, label: string, help: string}[]} fields
 * @property {Record<string, string>} example_html   field id to an example answer
 */

/** @typedef {import("./view.js").PayloadBase & WorksheetFields} WorksheetPayload */

/** @typedef {{fields: Record<string, string>, updated: string | null}} WorksheetState */

/**
 * What the view keeps between redraws (not saved).
 * @typedef {object} WorksheetUi
 * @property {Record<string, string>} draft     text typed and not saved yet, by field id
 * @property {number} timer                     the pending save, 0 when none
 * @property {boolean} drawn                    drawn once already
 * @property {boolean} compare                  the example is shown
 * @property {"clear" | null} confirm           the confirmation on screen
 * @property {HTMLElement | null} savedNode     "Saved ...", updated without a redraw
 * @property {HTMLButtonElement | null} compareButton
 * @property {HTMLElement | null} compareHint
 * @property {Record<string, HTMLElement>} yours   the learner's text next to the example
 */

/** @typedef {import("./view.js").View<WorksheetPayload, WorksheetState, WorksheetUi>} WorksheetView */

const SAVE_DELAY = 400;

/**
 * @param {unknown} raw
 * @returns {WorksheetState}
 */
export function normalize(raw) {
  /** @type {Record<string, string>} */
  const fields = {};
  if (isPlainObject(raw) && isPlainObject(raw.fields)) {
    for (const [id, text] of Object.entries(raw.fields)) if (typeof text === "string") fields[id] = text;
  }
  return { fields, updated: isPlainObject(raw) && typeof raw.updated === "string" ? raw.updated : null };
}

/**
 * The text as typed so far (saved or not yet saved).
 * @param {WorksheetView} view
 * @returns {Record<string, string>}
 */
function texts(view) {
  return { ...view.state.fields, ...view.ui.draft };
}

/**
 * @param {WorksheetView} view
 * @returns {boolean}
 */
function hasText(view) {
  return Object.values(texts(view)).some((t) => t.trim() !== "");
}

/**
 * Save the draft now (called after a pause in typing, on leaving a field, on cleanup).
 * @param {WorksheetView} view
 */
function flush(view) {
  if (view.ui.timer) {
    view.bag.clear(view.ui.timer);
    view.ui.timer = 0;
  }
  const draft = view.ui.draft;
  if (!Object.keys(draft).length) return;
  view.ui.draft = {};
  const updated = nowIso();
  view.commit({ fields: { ...view.state.fields, ...draft }, updated }, { redraw: false });
  if (view.ui.savedNode) view.ui.savedNode.textContent = savedText(updated);
}

/**
 * @param {string | null} updated
 * @returns {string}
 */
function savedText(updated) {
  return updated ? `Saved ${displayTime(updated)}.` : "Your text is saved as you type.";
}

/**
 * @param {WorksheetView} view
 * @param {string} field
 * @param {string} value
 */
function typed(view, field, value) {
  view.ui.draft = { ...view.ui.draft, [field]: value };
  if (view.ui.timer) view.bag.clear(view.ui.timer);
  view.ui.timer = view.bag.timeout(() => {
    view.ui.timer = 0;
    flush(view);
  }, SAVE_DELAY);
  const compare = view.ui.compareButton;
  if (compare) compare.disabled = !hasText(view);
  if (view.ui.compareHint) view.ui.compareHint.hidden = hasText(view);
  const cell = view.ui.yours[field];
  if (cell) fillYours(cell, value);
}

/**
 * @param {HTMLElement} cell
 * @param {string} value
 */
function fillYours(cell, value) {
  cell.textContent = value.trim() ? value : "(nothing written yet)";
  cell.classList.toggle("cur-empty", !value.trim());
}

/**
 * The learner's worksheet as Markdown (text under each label).
 * @param {WorksheetView} view
 * @returns {string}
 */
function markdown(view) {
  const p = view.payload;
  const values = texts(view);
  const lines = [`# ${p.title || "Worksheet"}`, ""];
  for (const f of p.fields || []) {
    lines.push(`## ${f.label}`, "", (values[f.id] || "").trim() || "_(empty)_", "");
  }
  lines.push(`_Written ${nowIso()}._`, "");
  return lines.join("\n");
}

/**
 * @param {WorksheetView} view
 * @returns {(HTMLElement | null)[]}
 */
function draw(view) {
  const p = view.payload;
  const values = texts(view);
  const fields = Array.isArray(p.fields) ? p.fields : [];
  /** @type {Record<string, unknown>} */
  const example = isPlainObject(p.example_html) ? p.example_html : {};
  const exampleOf = (/** @type {string} */ id) => {
    const html = example[id];
    return typeof html === "string" && html ? html : null;
  };
  const hasExample = fields.some((f) => exampleOf(f.id));
  view.ui.yours = {};
  view.ui.compareHint = null;
  view.ui.compareButton = null;
  const out = [
    titleHeading(p.title, "Worksheet"),
    p.case_html
      ? h("div", { class: "cur-case" }, [h("h4", { text: "The case" }), htmlBlock("div", {}, p.case_html, "case_html")])
      : null,
    p.prompt_html ? htmlBlock("div", { class: "cur-prompt-text" }, p.prompt_html, "prompt_html") : null,
    h(
      "div",
      { class: "cur-fields" },
      fields.map((f) => {
        const id = view.id(`f-${f.id}`);
        return h("div", { class: "cur-field" }, [
          h("label", { for: id, text: f.label }),
          f.help ? h("p", { class: "cur-help", id: `${id}-help`, text: f.help }) : null,
          h("textarea", {
            id,
            class: "cur-textarea",
            rows: fields.length === 1 ? "8" : "4",
            "aria-describedby": f.help ? `${id}-help` : undefined,
            "data-key": `field:${f.id}`,
            value: values[f.id] || "",
            on: {
              input: (/** @type {Event} */ e) => typed(view, f.id, /** @type {HTMLTextAreaElement} */ (e.target).value),
              change: () => flush(view),
            },
          }),
        ]);
      }),
    ),
  ];
  const saved = h("p", { class: "cur-saved", text: savedText(view.state.updated) });
  view.ui.savedNode = saved;
  out.push(saved);

  if (view.ui.confirm === "clear") {
    out.push(
      confirmBox({
        key: "clear",
        message: "Clear every field of this worksheet? This cannot be undone (download it first to keep a copy).",
        yes: "Clear the worksheet",
        no: "Cancel",
        danger: true,
        onYes: () => {
          view.ui.confirm = null;
          view.ui.draft = {};
          view.ui.compare = false;
          view.commit(
            { fields: {}, updated: nowIso() },
            { focus: fields.length ? `field:${fields[0].id}` : "title", say: "Worksheet cleared." },
          );
        },
        onNo: () => {
          view.ui.confirm = null;
          view.redraw("clear");
        },
      }),
    );
  } else {
    const hintId = view.id("compare-hint");
    const compare = hasExample
      ? button(
          view.ui.compare ? "Hide the example" : "Compare with an example",
          () => {
            flush(view);
            view.ui.compare = !view.ui.compare;
            view.redraw(view.ui.compare ? "compare-heading" : "compare");
            if (view.ui.compare) view.say("The example is shown below, next to your text.");
          },
          { key: "compare", disabled: !hasText(view), describedby: hintId },
        )
      : null;
    view.ui.compareButton = compare;
    out.push(
      h("div", { class: "cur-actions" }, [
        compare,
        button(
          "Download my worksheet",
          () => {
            flush(view);
            const name = `${p.id || "worksheet"}.md`;
            downloadText(name, markdown(view), "text/markdown");
            view.say(`Downloaded ${name}.`);
          },
          { key: "download" },
        ),
        button(
          "Clear…",
          () => {
            view.ui.confirm = "clear";
            view.redraw("clear:no");
          },
          { key: "clear" },
        ),
      ]),
    );
    if (hasExample) {
      view.ui.compareHint = h("p", {
        class: "cur-help",
        id: hintId,
        hidden: hasText(view),
        text: "The example opens once you have written something of your own.",
      });
      out.push(view.ui.compareHint);
    }
  }

  if (hasExample && view.ui.compare) {
    const headId = view.id("compare");
    out.push(
      h("section", { class: "cur-compare", "aria-labelledby": headId }, [
        h("h4", { id: headId, tabindex: "-1", "data-key": "compare-heading", text: "Your text and an example" }),
        h("p", { class: "cur-meta", text: "The example is one good answer, not the only one." }),
        fields
          .filter((f) => (values[f.id] || "").trim() || exampleOf(f.id))
          .map((f) => {
            const yours = h("div", { class: "cur-yours" });
            fillYours(yours, values[f.id] || "");
            view.ui.yours[f.id] = yours;
            const html = exampleOf(f.id);
            return h("div", { class: "cur-compare-field" }, [
              h("h5", { text: f.label }),
              h("div", { class: "cur-compare-grid" }, [
                h("div", { class: "cur-compare-cell" }, [
                  h("p", { class: "cur-badge-label", text: "Your text" }),
                  yours,
                ]),
                h("div", { class: "cur-compare-cell cur-example" }, [
                  h("p", { class: "cur-badge-label", text: "Example" }),
                  html
                    ? htmlBlock("div", {}, html, "example_html")
                    : h("p", { class: "cur-empty", text: "(no example for this field)" }),
                ]),
              ]),
            ]);
          }),
      ]),
    );
  }
  out.push(referenceList(p.references, view.prefix, "h4"));
  return out;
}

// ------------------------------------------------------------------ the progress page

/**
 * What the learner has written in a worksheet, from its saved state.
 * @param {import("./view.js").Part} _part
 * @param {Record<string, unknown>} state
 * @param {number} total  how many fields (0 when unknown)
 * @returns {import("./view.js").Status}
 */
export function status(_part, state, total) {
  const written = isPlainObject(state.fields)
    ? Object.values(state.fields).filter((t) => typeof t === "string" && t.trim()).length
    : 0;
  if (written && total && written >= total) {
    return { status: "done", text: total === 1 ? "Written" : `All ${plural(total, "field")} written` };
  }
  return written
    ? { status: "started", text: `${countOf(written, total, "field")} written` }
    : { status: "new", text: "Not started" };
}

/** @returns {WorksheetUi} */
function freshUi() {
  return {
    draft: {},
    timer: 0,
    drawn: false,
    compare: false,
    confirm: null,
    savedNode: null,
    compareButton: null,
    compareHint: null,
    yours: {},
  };
}

/** @type {import("./view.js").Component} */
export default {
  render({ model, el }) {
    /** @type {{view: WorksheetView, cleanup: () => void}} */
    const { view, cleanup } = createView(model, el, {
      name: "worksheet",
      normalize,
      ui: freshUi(),
      draw(v) {
        // Text from elsewhere (another tab, an import) replaces an unsaved draft.
        if (!v.ui.drawn) v.ui.drawn = true;
        else if (!v.ui.timer) v.ui.draft = {};
        return draw(v);
      },
    });
    view.bag.listen(view.root, "focusout", (event) => {
      if (event.target instanceof HTMLTextAreaElement) flush(view);
    });
    return () => {
      flush(view);
      cleanup();
    };
  },
  status,
};
