// spotter.js: label a transcript's techniques and Y-model places (docs/components.md, "Spotter").
import { MODALITY, PLACE, button, confirmBox, createView, h, htmlBlock, isPlainObject, plural, referenceList, verdict } from "./core.js";

/**
 * Keep only labels for turns that have an expert label. A checked state
 * also keeps its tally (`result`), which the progress page shows.
 * @param {any} raw
 * @param {any} p
 * @returns {{labels: Record<string, {technique: string, place: string}>, checked: boolean, result?: {techniques: number, places: number, total: number}}}
 */
function normalize(raw, p) {
  const turns = Array.isArray(p.turns) ? p.turns : [];
  /** @type {Record<string, {technique: string, place: string}>} */
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
 * @param {any} p
 * @returns {number[]}
 */
function labelled(p) {
  return (Array.isArray(p.turns) ? p.turns : []).map((/** @type {any} */ t, i) => (t.expert ? i : -1)).filter((i) => i >= 0);
}

/**
 * @param {import("./core.js").View} view
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
 * @param {any} p
 * @param {Record<string, {technique: string, place: string}>} labels
 * @returns {{techniques: number, places: number, total: number}}
 */
function tallyOf(p, labels) {
  const ids = labelled(p);
  let techniques = 0;
  let places = 0;
  for (const i of ids) {
    const mine = labels[String(i)];
    if (mine && mine.technique === p.turns[i].expert.technique) techniques += 1;
    if (mine && mine.place === p.turns[i].expert.place) places += 1;
  }
  return { techniques, places, total: ids.length };
}

/**
 * The marked turns still missing a technique or a place.
 * @param {any} p
 * @param {Record<string, {technique: string, place: string}>} labels
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
 * @param {import("./core.js").View} view
 */
function checkLabels(view) {
  const s = view.state;
  const open = unlabelled(view.payload, s.labels).length;
  const t = tallyOf(view.payload, s.labels);
  view.ui.confirm = false;
  view.commit({ labels: s.labels, checked: true, result: t }, {
    focus: "result",
    say: `${t.techniques} of ${t.total} techniques, ${t.places} of ${t.total} places.${open ? ` ${open} of the turns had a label missing.` : ""}`,
  });
}

/**
 * @param {any} p
 * @param {string} id
 * @returns {string}
 */
function techniqueName(p, id) {
  const t = (Array.isArray(p.techniques) ? p.techniques : []).find((/** @type {any} */ x) => x.id === id);
  return t ? t.name : id;
}

/**
 * @param {any} p
 * @param {string} id
 * @returns {string}
 */
function placeName(p, id) {
  const place = (Array.isArray(p.places) ? p.places : []).find((/** @type {any} */ x) => x.id === id);
  return place ? place.label : PLACE[/** @type {keyof typeof PLACE} */ (id)] || id;
}

/**
 * The label controls of one turn, or its result once checked.
 * @param {import("./core.js").View} view
 * @param {any} turn
 * @param {number} index
 * @returns {HTMLElement}
 */
function drawLabels(view, turn, index) {
  const p = view.payload;
  const s = view.state;
  const mine = s.labels[String(index)] || { technique: "", place: "" };
  const selectId = view.id(`t${index}`);
  const select = h("select", {
    id: selectId,
    class: "cur-select",
    disabled: s.checked,
    "data-key": `technique:${index}`,
    on: { change: (/** @type {Event} */ e) => setLabel(view, index, "technique", /** @type {HTMLSelectElement} */ (e.target).value) },
  }, [
    h("option", { value: "", text: "Choose a technique…" }),
    (p.techniques || []).map((/** @type {any} */ t) => h("option", { value: t.id, selected: mine.technique === t.id, text: t.name })),
  ]);
  const group = view.id(`p${index}`);
  const places = h("fieldset", { class: "cur-places" }, [
    h("legend", { text: `Place on the Y model (turn ${index + 1})` }),
    (p.places || []).map((/** @type {any} */ place, k) => h("div", { class: "cur-option" }, [
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
    ])),
  ]);
  const parts = [
    h("div", { class: "cur-field" }, [h("label", { for: selectId, text: `Technique (turn ${index + 1})` }), select]),
    places,
  ];
  if (s.checked) {
    const expert = turn.expert;
    const techOk = mine.technique === expert.technique;
    const placeOk = mine.place === expert.place;
    parts.push(h("div", { class: "cur-turn-result" }, [
      verdict(techOk, techOk
        ? `Technique: ${techniqueName(p, expert.technique)}, as the expert labelled it.`
        : `Technique: you chose ${mine.technique ? techniqueName(p, mine.technique) : "nothing"}; the expert label is ${techniqueName(p, expert.technique)}.`),
      verdict(placeOk, placeOk
        ? `Y model: ${placeName(p, expert.place)}, as the expert placed it.`
        : `Y model: you chose ${mine.place ? placeName(p, mine.place) : "nothing"}; the expert’s place is ${placeName(p, expert.place)}.`),
      h("div", { class: "cur-reason" }, [h("p", { class: "cur-badge-label", text: "Why" }), htmlBlock("div", {}, expert.reason_html, "reason_html")]),
    ]));
  }
  return h("div", { class: "cur-labels" }, parts);
}

/**
 * @param {import("./core.js").View} view
 * @returns {any[]}
 */
function draw(view) {
  const p = view.payload;
  const s = view.state;
  const turns = Array.isArray(p.turns) ? p.turns : [];
  const total = labelled(p).length;
  const techniques = Array.isArray(p.techniques) ? p.techniques : [];
  const out = [
    h("h3", { class: "cur-title", tabindex: "-1", "data-key": "title", text: p.title || "Technique spotter" }),
    h("p", { class: "cur-meta", text: `Label the ${total === 1 ? "marked turn" : `${total} marked turns`}: which technique does the clinician use, and where does it sit on the Y model? Then check your labels.` }),
    htmlBlock("div", { class: "cur-context" }, p.context_html, "context_html"),
    techniques.length ? h("details", { class: "cur-glossary" }, [
      h("summary", { text: "The techniques to choose from" }),
      h("dl", {}, techniques.map((/** @type {any} */ t) => [
        h("dt", { text: t.name }),
        h("dd", { text: `${t.definition || ""} (${MODALITY[/** @type {keyof typeof MODALITY} */ (t.modality)] || t.modality}; Y model: ${placeName(p, t.place)}.)` }),
      ])),
    ]) : null,
    h("ol", { class: "cur-transcript", "aria-label": "Transcript" }, turns.map((/** @type {any} */ turn, i) => h("li", {
      class: ["cur-turn", turn.expert && "cur-turn-marked", /^clinician$/i.test(String(turn.speaker)) ? "cur-turn-clinician" : "cur-turn-other"],
    }, [
      h("p", { class: "cur-speaker" }, [h("span", { class: "cur-turn-number", text: `Turn ${i + 1}` }), " ", h("strong", { text: String(turn.speaker) })]),
      htmlBlock("div", { class: "cur-turn-text" }, turn.text_html, "text_html"),
      turn.expert ? drawLabels(view, turn, i) : null,
    ]))),
  ];
  if (s.checked) {
    const t = tallyOf(p, s.labels);
    out.push(h("section", { class: "cur-result", "aria-labelledby": view.id("result") }, [
      h("h4", { id: view.id("result"), tabindex: "-1", "data-key": "result", text: "Your labels" }),
      h("p", { class: "cur-score", text: `${t.techniques} of ${t.total} techniques, ${t.places} of ${t.total} places.` }),
      h("div", { class: "cur-actions" }, [button("Try again", () => {
        view.ui.confirm = false;
        view.commit({ labels: {}, checked: false }, { focus: total ? `technique:${labelled(p)[0]}` : "title", say: "Labels cleared. Try again." });
      }, { key: "again", primary: true })]),
    ]));
  } else if (total && view.ui.confirm) {
    // Checking shows the expert label of every marked turn: with turns still open, ask first.
    const open = unlabelled(p, s.labels);
    out.push(confirmBox({
      key: "check",
      message: `${open.length} of ${plural(total, "marked turn")} ${open.length === 1 ? "is" : "are"} not labelled yet (a technique and a place). Checking now shows the expert’s label for every marked turn, these too. Check anyway?`,
      yes: "Check anyway",
      no: "Keep labelling",
      onYes: () => checkLabels(view),
      onNo: () => {
        view.ui.confirm = false;
        view.redraw(open.length ? `technique:${open[0]}` : "check");
      },
    }));
  } else if (total) {
    out.push(h("div", { class: "cur-actions" }, [button("Check labels", () => {
      const open = unlabelled(p, view.state.labels).length;
      if (!open) {
        checkLabels(view);
        return;
      }
      view.ui.confirm = true;
      view.redraw("check:no");
      view.say(`${open} of ${plural(total, "marked turn")} ${open === 1 ? "is" : "are"} not labelled yet. Check anyway, or keep labelling?`);
    }, { key: "check", primary: true })]));
  }
  out.push(referenceList(p.references, view.prefix, "h4"));
  return out;
}

export default {
  /**
   * @param {{model: import("./core.js").Model, el: HTMLElement}} context
   * @returns {() => void}
   */
  render({ model, el }) {
    const { cleanup } = createView(model, el, { name: "spotter", normalize, draw });
    return cleanup;
  },
};
