// spotter.js: label a transcript's techniques and Y-model places (docs/components.md, "Spotter").
import { isPlainObject } from "./base.js";
import { button, confirmBox, h, htmlBlock, referenceList, verdict } from "./dom.js";
import { createView, titleHeading } from "./view.js";
import { countOf, plural } from "./format.js";

/** @typedef {import("./vignette.js").Technique} Technique */

/**
 * @typedef {object} Turn
 * @property {string} speaker
 * @property {string} text_html
 * @property {{technique: string, place: string, reason_html: string} | null} expert
 *   the expert's label, on the turns the learner labels
 */

/**
 * @typedef {object} SpotterFields
 * @property {string} context_html
 * @property {Technique[]} techniques               the techniques to choose from
 * @property {{id: string, label: string}[]} places  the places on the Y model, in order
 * @property {Turn[]} turns
 */

/** @typedef {import("./view.js").PayloadBase & SpotterFields} SpotterPayload */

/** @typedef {{technique: string, place: string}} Label */

/** @typedef {{techniques: number, places: number, total: number}} Tally */

/**
 * @typedef {object} SpotterState
 * @property {Record<string, Label>} labels   turn index (as a string) to the learner's label
 * @property {boolean} checked
 * @property {Tally} [result]                 once checked: what the progress page shows
 */

/** @typedef {{confirm: boolean}} SpotterUi */

/** @typedef {import("./view.js").View<SpotterPayload, SpotterState, SpotterUi>} SpotterView */

/**
 * Keep only labels for turns that have an expert label. A checked state also keeps its tally
 * (`result`), which the progress page shows.
 * @param {unknown} raw
 * @param {SpotterPayload} p
 * @returns {SpotterState}
 */
export function normalize(raw, p) {
  const turns = Array.isArray(p.turns) ? p.turns : [];
  /** @type {Record<string, Label>} */
  const labels = {};
  if (isPlainObject(raw) && isPlainObject(raw.labels)) {
    for (const [key, value] of Object.entries(raw.labels)) {
      const turn = turns[Number(key)];
      if (!turn || !turn.expert || !isPlainObject(value) || String(Number(key)) !== key) continue;
      labels[key] = {
        technique: typeof value.technique === "string" ? value.technique : "",
        place: typeof value.place === "string" ? value.place : "",
      };
    }
  }
  const checked = isPlainObject(raw) && raw.checked === true;
  return checked ? { labels, checked, result: tallyOf(p, labels) } : { labels, checked };
}

/**
 * The indices of the turns the learner labels.
 * @param {SpotterPayload} p
 * @returns {number[]}
 */
function labelled(p) {
  return (Array.isArray(p.turns) ? p.turns : []).map((t, i) => (t.expert ? i : -1)).filter((i) => i >= 0);
}

/**
 * @param {SpotterView} view
 * @param {number} index
 * @param {"technique" | "place"} part
 * @param {string} value
 */
function setLabel(view, index, part, value) {
  const s = view.state;
  const key = String(index);
  const old = s.labels[key] || { technique: "", place: "" };
  view.commit({ ...s, labels: { ...s.labels, [key]: { ...old, [part]: value } } }, { redraw: false });
}

/**
 * How many labels match the expert's.
 * @param {SpotterPayload} p
 * @param {Record<string, Label>} labels
 * @returns {Tally}
 */
function tallyOf(p, labels) {
  const ids = labelled(p);
  let techniques = 0;
  let places = 0;
  for (const i of ids) {
    const mine = labels[String(i)];
    const expert = /** @type {NonNullable<Turn["expert"]>} */ (p.turns[i].expert);
    if (mine && mine.technique === expert.technique) techniques += 1;
    if (mine && mine.place === expert.place) places += 1;
  }
  return { techniques, places, total: ids.length };
}

/**
 * The marked turns still missing a technique or a place.
 * @param {SpotterPayload} p
 * @param {Record<string, Label>} labels
 * @returns {number[]}
 */
function unlabelled(p, labels) {
  return labelled(p).filter((i) => {
    const m = labels[String(i)];
    return !m || !m.technique || !m.place;
  });
}

/**
 * Show the expert labels and the tally.
 * @param {SpotterView} view
 */
function checkLabels(view) {
  const s = view.state;
  const open = unlabelled(view.payload, s.labels).length;
  const t = tallyOf(view.payload, s.labels);
  view.ui.confirm = false;
  view.commit(
    { labels: s.labels, checked: true, result: t },
    {
      focus: "result",
      say: `${t.techniques} of ${t.total} techniques, ${t.places} of ${t.total} places.${open ? ` ${open} of the turns had a label missing.` : ""}`,
    },
  );
}

/**
 * @param {SpotterPayload} p
 * @param {string} id
 * @returns {string}
 */
function techniqueName(p, id) {
  const t = (Array.isArray(p.techniques) ? p.techniques : []).find((x) => x.id === id);
  return t ? t.name : id;
}

/**
 * @param {SpotterPayload} p
 * @param {string} id
 * @returns {string}
 */
function placeName(p, id) {
  const place = (Array.isArray(p.places) ? p.places : []).find((x) => x.id === id);
  return place ? place.label : id;
}

/**
 * The label controls of one turn, or its result once checked.
 * @param {SpotterView} view
 * @param {Turn} turn
 * @param {number} index
 * @returns {HTMLElement}
 */
function drawLabels(view, turn, index) {
  const p = view.payload;
  const s = view.state;
  const mine = s.labels[String(index)] || { technique: "", place: "" };
  const selectId = view.id(`t${index}`);
  const select = h(
    "select",
    {
      id: selectId,
      class: "cur-select",
      disabled: s.checked,
      "data-key": `technique:${index}`,
      on: {
        change: (/** @type {Event} */ e) =>
          setLabel(view, index, "technique", /** @type {HTMLSelectElement} */ (e.target).value),
      },
    },
    [
      h("option", { value: "", text: "Choose a technique…" }),
      (p.techniques || []).map((t) => h("option", { value: t.id, selected: mine.technique === t.id, text: t.name })),
    ],
  );
  const group = view.id(`p${index}`);
  const places = h("fieldset", { class: "cur-places" }, [
    h("legend", { text: `Place on the Y model (turn ${index + 1})` }),
    (p.places || []).map((place, k) =>
      h("div", { class: "cur-option" }, [
        h("input", {
          type: "radio",
          id: `${group}-${k}`,
          name: group,
          value: place.id,
          checked: mine.place === place.id,
          disabled: s.checked,
          "data-key": `place:${index}:${place.id}`,
          on: { change: () => setLabel(view, index, "place", place.id) },
        }),
        h("label", { for: `${group}-${k}`, text: place.label }),
      ]),
    ),
  ]);
  const parts = [
    h("div", { class: "cur-field" }, [h("label", { for: selectId, text: `Technique (turn ${index + 1})` }), select]),
    places,
  ];
  if (s.checked && turn.expert) {
    const expert = turn.expert;
    const techOk = mine.technique === expert.technique;
    const placeOk = mine.place === expert.place;
    parts.push(
      h("div", { class: "cur-turn-result" }, [
        verdict(
          techOk,
          techOk
            ? `Technique: ${techniqueName(p, expert.technique)}, as the expert labelled it.`
            : `Technique: you chose ${mine.technique ? techniqueName(p, mine.technique) : "nothing"}; the expert label is ${techniqueName(p, expert.technique)}.`,
        ),
        verdict(
          placeOk,
          placeOk
            ? `Y model: ${placeName(p, expert.place)}, as the expert placed it.`
            : `Y model: you chose ${mine.place ? placeName(p, mine.place) : "nothing"}; the expert’s place is ${placeName(p, expert.place)}.`,
        ),
        h("div", { class: "cur-reason" }, [
          h("p", { class: "cur-badge-label", text: "Why" }),
          htmlBlock("div", {}, expert.reason_html, "reason_html"),
        ]),
      ]),
    );
  }
  return h("div", { class: "cur-labels" }, parts);
}

/**
 * @param {SpotterView} view
 * @returns {(HTMLElement | null)[]}
 */
function draw(view) {
  const p = view.payload;
  const s = view.state;
  const turns = Array.isArray(p.turns) ? p.turns : [];
  const total = labelled(p).length;
  const techniques = Array.isArray(p.techniques) ? p.techniques : [];
  const out = [
    titleHeading(p.title, "Technique spotter"),
    h("p", {
      class: "cur-meta",
      text: `Label the ${total === 1 ? "marked turn" : `${total} marked turns`}: which technique does the clinician use, and where does it sit on the Y model? Then check your labels.`,
    }),
    htmlBlock("div", { class: "cur-context" }, p.context_html, "context_html"),
    techniques.length
      ? h("details", { class: "cur-glossary" }, [
          h("summary", { text: "The techniques to choose from" }),
          h(
            "dl",
            {},
            techniques.map((t) => [
              h("dt", { text: t.name }),
              h("dd", {
                text: `${t.definition || ""} (${t.modality_label || t.modality}; Y model: ${placeName(p, t.place)}.)`,
              }),
            ]),
          ),
        ])
      : null,
    h(
      "ol",
      { class: "cur-transcript", "aria-label": "Transcript" },
      turns.map((turn, i) =>
        h(
          "li",
          {
            class: [
              "cur-turn",
              turn.expert && "cur-turn-marked",
              /^clinician$/i.test(String(turn.speaker)) ? "cur-turn-clinician" : "cur-turn-other",
            ],
          },
          [
            h("p", { class: "cur-speaker" }, [
              h("span", { class: "cur-turn-number", text: `Turn ${i + 1}` }),
              " ",
              h("strong", { text: String(turn.speaker) }),
            ]),
            htmlBlock("div", { class: "cur-turn-text" }, turn.text_html, "text_html"),
            turn.expert ? drawLabels(view, turn, i) : null,
          ],
        ),
      ),
    ),
  ];
  if (s.checked) {
    const t = tallyOf(p, s.labels);
    out.push(
      h("section", { class: "cur-result", "aria-labelledby": view.id("result") }, [
        h("h4", { id: view.id("result"), tabindex: "-1", "data-key": "result", text: "Your labels" }),
        h("p", {
          class: "cur-score",
          text: `${t.techniques} of ${t.total} techniques, ${t.places} of ${t.total} places.`,
        }),
        h("div", { class: "cur-actions" }, [
          button(
            "Try again",
            () => {
              view.ui.confirm = false;
              view.commit(
                { labels: {}, checked: false },
                { focus: total ? `technique:${labelled(p)[0]}` : "title", say: "Labels cleared. Try again." },
              );
            },
            { key: "again", primary: true },
          ),
        ]),
      ]),
    );
  } else if (total && view.ui.confirm) {
    // Checking shows the expert label of every marked turn: with turns still open, ask first.
    const open = unlabelled(p, s.labels);
    out.push(
      confirmBox({
        key: "check",
        message: `${open.length} of ${plural(total, "marked turn")} ${open.length === 1 ? "is" : "are"} not labelled yet (a technique and a place). Checking now shows the expert’s label for every marked turn, these too. Check anyway?`,
        yes: "Check anyway",
        no: "Keep labelling",
        onYes: () => checkLabels(view),
        onNo: () => {
          view.ui.confirm = false;
          view.redraw(open.length ? `technique:${open[0]}` : "check");
        },
      }),
    );
  } else if (total) {
    out.push(
      h("div", { class: "cur-actions" }, [
        button(
          "Check labels",
          () => {
            const open = unlabelled(p, view.state.labels).length;
            if (!open) {
              checkLabels(view);
              return;
            }
            view.ui.confirm = true;
            view.redraw("check:no");
            view.say(
              `${open} of ${plural(total, "marked turn")} ${open === 1 ? "is" : "are"} not labelled yet. Check anyway, or keep labelling?`,
            );
          },
          { key: "check", primary: true },
        ),
      ]),
    );
  }
  out.push(referenceList(p.references, view.prefix, "h4"));
  return out;
}

// ------------------------------------------------------------------ the progress page

/**
 * What the learner has done in a spotter, from its saved state.
 * @param {import("./view.js").Part} _part
 * @param {Record<string, unknown>} state
 * @param {number} total  how many marked turns (0 when unknown)
 * @returns {import("./view.js").Status}
 */
export function status(_part, state, total) {
  const r = isPlainObject(state.result) ? state.result : null;
  if (state.checked === true) {
    return {
      status: "done",
      text: r
        ? `Checked: ${r.techniques} of ${r.total} techniques, ${r.places} of ${r.total} places right`
        : "Labels checked",
    };
  }
  const labels = isPlainObject(state.labels)
    ? Object.values(state.labels).filter((l) => isPlainObject(l) && (l.technique || l.place)).length
    : 0;
  return labels
    ? { status: "started", text: `${countOf(labels, total, "marked turn")} labelled` }
    : { status: "new", text: "Not started" };
}

/** @type {import("./view.js").Component} */
export default {
  render({ model, el }) {
    const { cleanup } = createView(model, el, { name: "spotter", normalize, draw, ui: { confirm: false } });
    return cleanup;
  },
  status,
};
