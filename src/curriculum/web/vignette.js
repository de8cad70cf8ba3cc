// vignette.js: a branching case vignette with a seminar view (docs/components.md, "Vignette").
import { isPlainObject } from "./base.js";
import { button, h, htmlBlock, referenceList } from "./dom.js";
import { createView, titleHeading } from "./view.js";
import { countOf, plural } from "./format.js";

/**
 * A technique as the payloads name it; the labels are the payload's words for its modality
 * and its place on the Y model.
 * @typedef {object} Technique
 * @property {string} id
 * @property {string} name
 * @property {string} modality
 * @property {string} place
 * @property {string} definition
 * @property {string} [modality_label]
 * @property {string} [place_label]
 */

/** @typedef {"helpful" | "neutral" | "unhelpful"} Quality */

/**
 * @typedef {object} Choice
 * @property {string} text_html
 * @property {string} technique    a key of the payload's `techniques`
 * @property {Quality} quality
 * @property {string} feedback_html
 * @property {string} next         the node it leads to
 */

/**
 * Which paths a part of a debrief fits: every list given must match (see `fits`).
 * @typedef {object} When
 * @property {string[]} [visited]       the path went through one of these nodes
 * @property {string[]} [not_visited]   ... and through none of these
 * @property {string[]} [technique]     ... and used one of these techniques
 * @property {string[]} [quality]       ... and made a choice of one of these qualities
 */

/**
 * @typedef {object} SceneNode
 * @property {string} scene_html
 * @property {boolean} end
 * @property {string | null} outcome
 * @property {string | null} debrief_html
 * @property {{when: When, html: string}[]} debrief_if
 * @property {Choice[]} choices
 */

/**
 * @typedef {object} VignetteFields
 * @property {string} modality
 * @property {string} [modality_label]
 * @property {string} disorder
 * @property {string} setting
 * @property {{age: string, summary_html: string}} patient
 * @property {string} start                         the first node
 * @property {Record<string, SceneNode>} nodes
 * @property {Record<string, Technique>} techniques  the techniques the choices use
 * @property {string[]} discussion_html
 * @property {string | null} facilitator_html       null in the resident site
 */

/** @typedef {import("./view.js").PayloadBase & VignetteFields} VignettePayload */

/** @typedef {{node: string, choice: number}} Step */

/**
 * @typedef {object} VignetteState
 * @property {Step[]} path                  the choices made, in order
 * @property {string} at                    the node on screen
 * @property {Record<string, number>} endings   ending id to how often it was reached
 * @property {number} runs                  1 on the first choice, one more on each Restart
 */

/** @typedef {{seminar: boolean, printing: boolean}} VignetteUi */

/** @typedef {import("./view.js").View<VignettePayload, VignetteState, VignetteUi>} VignetteView */

/** How each choice quality is shown: always a word and an icon, never colour alone. */
const QUALITY = {
  helpful: { icon: "✓", word: "Helpful" },
  neutral: { icon: "◐", word: "Neutral" },
  unhelpful: { icon: "✗", word: "Unhelpful" },
};

/**
 * @param {string} quality
 * @returns {{icon: string, word: string} | undefined}
 */
function qualityOf(quality) {
  return Object.prototype.hasOwnProperty.call(QUALITY, quality) ? QUALITY[/** @type {Quality} */ (quality)] : undefined;
}

// ------------------------------------------------------------------ state

/**
 * @param {unknown} value
 * @returns {number}
 */
function count(value) {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : 0;
}

/**
 * Turn whatever is stored into a state that fits this vignette: the path is cut where it
 * stops following the graph, and `at` is the node the path leads to.
 * @param {unknown} raw
 * @param {VignettePayload} p
 * @returns {VignetteState}
 */
export function normalize(raw, p) {
  /** @type {Record<string, SceneNode>} */
  const nodes = isPlainObject(p.nodes) ? p.nodes : {};
  const fresh = { path: [], at: p.start, endings: {}, runs: 0 };
  if (!isPlainObject(raw)) return fresh;
  /** @type {Step[]} */
  const path = [];
  let expected = p.start;
  for (const step of Array.isArray(raw.path) ? raw.path : []) {
    const node = isPlainObject(step) ? nodes[/** @type {string} */ (step.node)] : null;
    if (!node || step.node !== expected || !Number.isInteger(step.choice) || !node.choices[step.choice]) break;
    path.push({ node: step.node, choice: step.choice });
    expected = node.choices[step.choice].next;
  }
  const last = path[path.length - 1];
  // `at` is either the last step's node (its feedback is on screen) or where its choice leads.
  const at = last && raw.at === last.node ? last.node : expected;
  /** @type {Record<string, number>} */
  const endings = {};
  if (isPlainObject(raw.endings)) {
    for (const [id, n] of Object.entries(raw.endings)) if (nodes[id] && count(n)) endings[id] = count(n);
  }
  return { path, at: nodes[at] ? at : p.start, endings, runs: count(raw.runs) };
}

/**
 * Is the feedback of the last choice on screen (chosen, not yet continued)?
 * @param {VignetteState} s
 * @returns {boolean}
 */
function pending(s) {
  const last = s.path[s.path.length - 1];
  return Boolean(last) && last.node === s.at;
}

// ------------------------------------------------------------------ labels

/**
 * Scene labels for the seminar map: scenes numbered in reading order (breadth first from the
 * start), endings by their outcome.
 * @param {VignettePayload} p
 * @returns {{order: string[], label: Record<string, string>}}
 */
export function sceneLabels(p) {
  const nodes = p.nodes;
  /** @type {string[]} */
  const order = [];
  const seen = new Set();
  const queue = [p.start];
  while (queue.length) {
    const id = /** @type {string} */ (queue.shift());
    if (seen.has(id) || !nodes[id]) continue;
    seen.add(id);
    order.push(id);
    for (const c of nodes[id].choices || []) queue.push(c.next);
  }
  for (const id of Object.keys(nodes)) if (!seen.has(id)) order.push(id);
  /** @type {Record<string, string>} */
  const label = {};
  let scene = 0;
  let ending = 0;
  for (const id of order) {
    if (nodes[id].end) {
      ending += 1;
      label[id] = nodes[id].outcome ? `Ending: ${nodes[id].outcome}` : `Ending ${ending}`;
    } else {
      scene += 1;
      label[id] = `Scene ${scene}`;
    }
  }
  return { order, label };
}

/**
 * A quality badge: icon (hidden from screen readers) and word.
 * @param {string} quality
 * @returns {HTMLElement}
 */
function qualityBadge(quality) {
  const q = qualityOf(quality) || { icon: "•", word: String(quality) };
  return h("span", { class: ["cur-badge", "cur-quality", `cur-quality-${quality}`] }, [
    h("span", { class: "cur-icon", "aria-hidden": "true", text: q.icon }),
    ` ${q.word}`,
  ]);
}

/**
 * Badges for a choice: quality (word and icon), technique, modality, Y-model place.
 * @param {VignettePayload} p
 * @param {Choice} choice
 * @returns {HTMLElement}
 */
function badges(p, choice) {
  /** @type {Partial<Technique> & {name: string}} */
  const t = (p.techniques && p.techniques[choice.technique]) || { name: choice.technique, modality: "", place: "" };
  return h("ul", { class: "cur-badges", "aria-label": "About this choice" }, [
    h("li", {}, [qualityBadge(choice.quality)]),
    h("li", { class: "cur-badge cur-technique" }, [
      h("span", { class: "cur-badge-label", text: "Technique: " }),
      t.name,
    ]),
    t.modality
      ? h("li", { class: "cur-badge" }, [
          h("span", { class: "cur-badge-label", text: "Modality: " }),
          t.modality_label || t.modality,
        ])
      : null,
    t.place
      ? h("li", { class: "cur-badge" }, [
          h("span", { class: "cur-badge-label", text: "Y model: " }),
          t.place_label || t.place,
        ])
      : null,
  ]);
}

// ------------------------------------------------------------------ actions

/**
 * @param {VignetteView} view
 * @param {number} index
 */
function choose(view, index) {
  const s = view.state;
  const choice = view.payload.nodes[s.at].choices[index];
  const q = qualityOf(choice.quality);
  view.commit(
    { ...s, path: [...s.path, { node: s.at, choice: index }], runs: s.runs || 1 },
    {
      focus: "feedback",
      say: `${q ? q.word : choice.quality} choice. Feedback is shown; Continue goes to the next scene.`,
    },
  );
}

/**
 * @param {VignetteView} view
 */
function proceed(view) {
  const s = view.state;
  const p = view.payload;
  const last = s.path[s.path.length - 1];
  const next = p.nodes[last.node].choices[last.choice].next;
  const endings = { ...s.endings };
  if (p.nodes[next].end) endings[next] = (endings[next] || 0) + 1;
  const say = p.nodes[next].end
    ? `Ending reached: ${p.nodes[next].outcome || "the case ends"}.`
    : `Step ${s.path.length + 1}.`;
  view.commit({ ...s, at: next, endings }, { focus: "scene", say });
}

/**
 * @param {VignetteView} view
 */
function back(view) {
  const s = view.state;
  if (!s.path.length) return;
  const last = s.path[s.path.length - 1];
  view.commit(
    { ...s, path: s.path.slice(0, -1), at: last.node },
    { focus: "scene", say: "Went back: the last choice was undone." },
  );
}

/**
 * @param {VignetteView} view
 */
function restart(view) {
  const s = view.state;
  view.commit(
    { ...s, path: [], at: view.payload.start, runs: s.runs + 1 },
    { focus: "scene", say: "Restarted from the beginning." },
  );
}

// ------------------------------------------------------------------ drawing

/**
 * @param {VignetteView} view
 * @returns {HTMLElement}
 */
function drawToolbar(view) {
  const s = view.state;
  const seminar = Boolean(view.ui.seminar);
  return h("div", { class: "cur-toolbar", role: "group", "aria-label": "Case controls" }, [
    seminar ? null : button("← Back", () => back(view), { key: "back", disabled: !s.path.length }),
    seminar
      ? null
      : button("Restart", () => restart(view), {
          key: "restart",
          disabled: !s.path.length && s.at === view.payload.start,
        }),
    button(
      "Seminar view",
      () => {
        view.ui.seminar = !seminar;
        view.redraw("seminar");
        view.say(
          seminar
            ? "Seminar view closed: back to your walk-through."
            : "Seminar view: every scene and choice with its feedback.",
        );
      },
      { key: "seminar", pressed: seminar, cls: "cur-toggle" },
    ),
    button(
      "Print the whole case",
      () => {
        if (!view.ui.seminar) {
          view.ui.seminar = true;
          view.redraw("print");
          view.say("Seminar view opened for printing: every scene and choice with its feedback.");
        }
        window.print();
      },
      { key: "print" },
    ),
  ]);
}

/**
 * Printing shows the whole case (the seminar view), not only the step on screen; the
 * walk-through comes back after printing.
 * @param {VignetteView} view
 */
function printWholeCase(view) {
  view.bag.listen(window, "beforeprint", () => {
    if (view.ui.seminar) return;
    view.ui.seminar = true;
    view.ui.printing = true;
    view.redraw(null);
  });
  view.bag.listen(window, "afterprint", () => {
    if (!view.ui.printing) return;
    view.ui.seminar = false;
    view.ui.printing = false;
    view.redraw(null);
  });
}

/**
 * The scene the learner is at, its choices or the feedback on the choice made.
 * @param {VignetteView} view
 * @returns {HTMLElement}
 */
function drawWalk(view) {
  const p = view.payload;
  const s = view.state;
  const node = p.nodes[s.at];
  if (node.end) return drawEnding(view, node);
  const headId = view.id("scene");
  const parts = [
    h("p", {
      class: "cur-print-note",
      text: "This printout shows one step of the case. To print every scene, choice and feedback, open the case and choose “Print the whole case”.",
    }),
    h("h4", {
      id: headId,
      class: "cur-scene-heading",
      tabindex: "-1",
      "data-key": "scene",
      text: `Step ${s.path.length + (pending(s) ? 0 : 1)}`,
    }),
    htmlBlock("div", { class: "cur-scene" }, node.scene_html, "scene_html"),
  ];
  if (pending(s)) {
    const last = s.path[s.path.length - 1];
    const choice = node.choices[last.choice];
    const t = (p.techniques && p.techniques[choice.technique]) || null;
    const q = qualityOf(choice.quality) || { icon: "•", word: choice.quality };
    parts.push(
      h("div", { class: ["cur-choice-feedback", `cur-quality-box-${choice.quality}`] }, [
        h("p", { class: "cur-you-chose" }, [
          h("span", { class: "cur-badge-label", text: "You chose: " }),
          htmlBlock("span", { class: "cur-quote" }, choice.text_html, "text_html"),
        ]),
        h("h5", { tabindex: "-1", "data-key": "feedback" }, [
          h("span", { class: "cur-icon", "aria-hidden": "true", text: q.icon }),
          ` Feedback: ${q.word.toLowerCase()} choice`,
        ]),
        badges(p, choice),
        htmlBlock("div", { class: "cur-feedback-text" }, choice.feedback_html, "feedback_html"),
        t && t.definition
          ? h("p", { class: "cur-definition" }, [h("strong", { text: `${t.name}: ` }), t.definition])
          : null,
        h("div", { class: "cur-actions" }, [
          button("Continue →", () => proceed(view), { key: "continue", primary: true }),
        ]),
      ]),
    );
  } else {
    const promptId = view.id("prompt");
    parts.push(
      h("div", { class: "cur-choices", role: "group", "aria-labelledby": promptId }, [
        h("p", { id: promptId, class: "cur-prompt", text: "What do you say or do?" }),
        h(
          "ul",
          {},
          node.choices.map((c, i) =>
            h("li", {}, [
              h(
                "button",
                {
                  type: "button",
                  class: "cur-button cur-choice",
                  "data-key": `choice:${i}`,
                  on: { click: () => choose(view, i) },
                },
                [htmlBlock("span", {}, c.text_html, "text_html")],
              ),
            ]),
          ),
        ),
      ]),
    );
  }
  return h("section", { class: "cur-walk", "aria-labelledby": headId }, parts);
}

/**
 * Whether a part of a debrief fits the path taken (every condition given must hold).
 * @param {When} when
 * @param {string[]} visited ids of the nodes the path went through, the ending included
 * @param {{technique: string, quality: string}[]} taken the choices made on the way
 * @returns {boolean}
 */
export function fits(when, visited, taken) {
  const list = (/** @type {unknown} */ v) => (Array.isArray(v) ? v : []);
  const any = (/** @type {unknown[]} */ wanted, /** @type {unknown[]} */ have) =>
    !wanted.length || wanted.some((w) => have.includes(w));
  return (
    any(list(when.visited), visited) &&
    !list(when.not_visited).some((n) => visited.includes(n)) &&
    any(
      list(when.technique),
      taken.map((c) => c.technique),
    ) &&
    any(
      list(when.quality),
      taken.map((c) => c.quality),
    )
  );
}

/**
 * The parts of an ending's debrief that fit the path taken.
 * @param {SceneNode} node
 * @param {string[]} visited
 * @param {Choice[]} taken
 * @returns {HTMLElement[]}
 */
function debriefParts(node, visited, taken) {
  return (Array.isArray(node.debrief_if) ? node.debrief_if : [])
    .filter((part) => part && part.when && fits(part.when, visited, taken))
    .map((part) => htmlBlock("div", { class: "cur-debrief-part" }, part.html, "html"));
}

/**
 * Say in words which paths a part of a debrief fits (for the seminar view).
 * @param {VignettePayload} p
 * @param {When} when
 * @param {Record<string, string>} label
 * @returns {string}
 */
function describeWhen(p, when, label) {
  const list = (/** @type {string[] | undefined} */ v) => (Array.isArray(v) ? v : []);
  const name = (/** @type {string} */ id) => (p.techniques && p.techniques[id] ? p.techniques[id].name : id);
  const or = (/** @type {string[]} */ xs) =>
    xs.length > 1 ? `${xs.slice(0, -1).join(", ")} or ${xs[xs.length - 1]}` : xs[0] || "";
  const parts = [];
  if (list(when.visited).length) parts.push(`went through ${or(list(when.visited).map((id) => label[id] || id))}`);
  if (list(when.not_visited).length) {
    parts.push(`did not go through ${or(list(when.not_visited).map((id) => label[id] || id))}`);
  }
  if (list(when.technique).length) parts.push(`used ${or(list(when.technique).map(name))}`);
  if (list(when.quality).length) parts.push(`had a choice judged ${or(list(when.quality))}`);
  return `Shown when the path ${parts.join(" and ")}:`;
}

/**
 * An ending: outcome, debrief, path summary, discussion, facilitator notes.
 * @param {VignetteView} view
 * @param {SceneNode} node
 * @returns {HTMLElement}
 */
function drawEnding(view, node) {
  const p = view.payload;
  const s = view.state;
  const headId = view.id("scene");
  const taken = s.path.map((step) => p.nodes[step.node].choices[step.choice]);
  /** @type {Record<string, number>} */
  const tally = { helpful: 0, neutral: 0, unhelpful: 0 };
  for (const c of taken) tally[c.quality] = (tally[c.quality] || 0) + 1;
  const used = [...new Set(taken.map((c) => c.technique))].map((id) =>
    p.techniques && p.techniques[id] ? p.techniques[id].name : id,
  );
  const endingIds = Object.keys(p.nodes).filter((id) => p.nodes[id].end);
  const reached = endingIds.filter((id) => s.endings[id]);
  const labels = sceneLabels(p).label;
  const times = (/** @type {string} */ id) => (s.endings[id] > 1 ? `, ${s.endings[id]} times` : "");
  return h("section", { class: "cur-walk cur-ending", "aria-labelledby": headId }, [
    h("h4", {
      id: headId,
      class: "cur-scene-heading",
      tabindex: "-1",
      "data-key": "scene",
      text: node.outcome ? `Ending: ${node.outcome}` : "Ending",
    }),
    htmlBlock("div", { class: "cur-scene" }, node.scene_html, "scene_html"),
    node.debrief_html
      ? h("div", { class: "cur-debrief" }, [
          h("h5", { text: "Debrief" }),
          htmlBlock("div", {}, node.debrief_html, "debrief_html"),
          ...debriefParts(node, [...s.path.map((step) => step.node), s.at], taken),
        ])
      : null,
    h("div", { class: "cur-path" }, [
      h("h5", { text: "Your path" }),
      h(
        "ol",
        {},
        taken.map((c) => h("li", {}, [htmlBlock("p", { class: "cur-quote" }, c.text_html, "text_html"), badges(p, c)])),
      ),
      h("p", {
        class: "cur-tally",
        text: `${tally.helpful} helpful, ${tally.neutral} neutral, ${tally.unhelpful} unhelpful ${taken.length === 1 ? "choice" : "choices"}.`,
      }),
      used.length ? h("p", { text: `Techniques you used: ${used.join(", ")}.` }) : null,
      h("p", {
        class: "cur-endings",
        text:
          `Endings you have reached: ${reached.length} of ${endingIds.length}` +
          (reached.length
            ? ` (${reached.map((id) => `${labels[id].replace(/^Ending: /, "")}${times(id)}`).join("; ")}).`
            : "."),
      }),
    ]),
    drawDiscussion(view),
    h("div", { class: "cur-actions" }, [
      button("Restart the case", () => restart(view), { key: "restart-end", primary: true }),
    ]),
  ]);
}

/**
 * Discussion questions and (faculty build) facilitator notes.
 * @param {VignetteView} view
 * @returns {HTMLElement[]}
 */
function drawDiscussion(view) {
  const p = view.payload;
  const questions = Array.isArray(p.discussion_html) ? p.discussion_html : [];
  /** @type {HTMLElement[]} */
  const out = [];
  if (questions.length) {
    out.push(
      h("div", { class: "cur-discussion" }, [
        h("h5", { text: "Discussion questions" }),
        h(
          "ol",
          {},
          questions.map((q) => htmlBlock("li", {}, q, "discussion_html")),
        ),
      ]),
    );
  }
  if (p.facilitator_html) {
    out.push(
      h("div", { class: "cur-facilitator" }, [
        h("h5", { text: "Facilitator notes" }),
        htmlBlock("div", {}, p.facilitator_html, "facilitator_html"),
      ]),
    );
  }
  return out;
}

/**
 * Every scene and every choice with its feedback, as a map for a seminar.
 * @param {VignetteView} view
 * @returns {HTMLElement}
 */
function drawSeminar(view) {
  const p = view.payload;
  const { order, label } = sceneLabels(p);
  const anchor = (/** @type {string} */ id) => view.id(`node-${order.indexOf(id)}`);
  const headId = view.id("seminar");
  const scenes = order.filter((id) => !p.nodes[id].end).length;
  const endings = order.filter((id) => p.nodes[id].end).length;
  return h("section", { class: "cur-seminar", "aria-labelledby": headId }, [
    h("h4", { id: headId, tabindex: "-1", "data-key": "seminar-heading", text: "Seminar view: the whole case" }),
    h("p", {
      class: "cur-meta",
      text: `${plural(scenes, "scene")} and ${plural(endings, "ending")}. Your own walk-through is kept; close the seminar view to return to it.`,
    }),
    order.map((id) => {
      const node = p.nodes[id];
      return h(
        "section",
        {
          class: ["cur-map-node", node.end && "cur-map-ending"],
          id: anchor(id),
          tabindex: "-1",
          "aria-labelledby": `${anchor(id)}-h`,
        },
        [
          h("h5", { id: `${anchor(id)}-h`, text: label[id] }),
          htmlBlock("div", { class: "cur-scene" }, node.scene_html, "scene_html"),
          node.end && node.debrief_html
            ? h("div", { class: "cur-debrief" }, [
                h("p", { class: "cur-badge-label", text: "Debrief" }),
                htmlBlock("div", {}, node.debrief_html, "debrief_html"),
                ...(Array.isArray(node.debrief_if) ? node.debrief_if : []).map((part) =>
                  h("div", { class: "cur-debrief-part" }, [
                    h("p", { class: "cur-debrief-when", text: describeWhen(p, part.when || {}, label) }),
                    htmlBlock("div", {}, part.html, "html"),
                  ]),
                ),
              ])
            : null,
          node.choices.length
            ? h(
                "ol",
                { class: "cur-map-choices" },
                node.choices.map((c) =>
                  h("li", {}, [
                    htmlBlock("p", { class: "cur-quote" }, c.text_html, "text_html"),
                    badges(p, c),
                    htmlBlock("div", { class: "cur-feedback-text" }, c.feedback_html, "feedback_html"),
                    p.nodes[c.next]
                      ? h("p", { class: "cur-next" }, [
                          "Leads to: ",
                          h("a", { href: `#${anchor(c.next)}`, text: label[c.next] }),
                        ])
                      : null,
                  ]),
                ),
              )
            : null,
        ],
      );
    }),
    drawDiscussion(view),
  ]);
}

/**
 * @param {VignetteView} view
 * @returns {(HTMLElement | null)[]}
 */
function draw(view) {
  const p = view.payload;
  if (!isPlainObject(p.nodes) || !p.nodes[p.start]) {
    return [h("p", { class: "cur-error", text: "This vignette has no scenes." })];
  }
  const facts = [p.modality && (p.modality_label || p.modality), p.disorder, p.setting].filter(Boolean).map(String);
  return [
    titleHeading(p.title, "Case vignette"),
    facts.length ? h("p", { class: "cur-meta", text: facts.join(" · ") }) : null,
    h("div", { class: "cur-patient" }, [
      h("p", {
        class: "cur-badge-label",
        text: p.patient && p.patient.age ? `The patient (fictional), age ${p.patient.age}` : "The patient (fictional)",
      }),
      p.patient ? htmlBlock("div", {}, p.patient.summary_html, "summary_html") : null,
    ]),
    drawToolbar(view),
    view.ui.seminar ? drawSeminar(view) : drawWalk(view),
    referenceList(p.references, view.prefix, "h4"),
  ];
}

// ------------------------------------------------------------------ the progress page

/**
 * What the learner has done in a case, from its saved state.
 * @param {import("./view.js").Part} _part
 * @param {Record<string, unknown>} state
 * @param {number} total  how many endings (0 when unknown)
 * @returns {import("./view.js").Status}
 */
export function status(_part, state, total) {
  const reached = isPlainObject(state.endings) ? Object.values(state.endings).filter((n) => Number(n) > 0).length : 0;
  if (reached) return { status: "done", text: `${countOf(reached, total, "ending")} reached` };
  const steps = Array.isArray(state.path) ? state.path.length : 0;
  return steps
    ? { status: "started", text: `In progress: ${plural(steps, "choice")} made` }
    : { status: "new", text: "Not started" };
}

/** @type {import("./view.js").Component} */
export default {
  render({ model, el }) {
    /** @type {{view: VignetteView, cleanup: () => void}} */
    const { view, cleanup } = createView(model, el, {
      name: "vignette",
      normalize,
      draw,
      ui: { seminar: false, printing: false },
    });
    printWholeCase(view);
    return cleanup;
  },
  status,
};
