// quiz.js: formative quizzes, pre/post tests and summative tests (docs/components.md, "Quiz").
import { isPlainObject } from "./base.js";
import { button, confirmBox, h, htmlBlock, referenceItems, referenceList, verdict } from "./dom.js";
import { createView, titleHeading } from "./view.js";
import { drawOrder } from "./random.js";
import { itemCorrect, passed, score } from "./scoring.js";
import { countOf, displayTime, nowIso, percent, plural } from "./format.js";
import { downloadText } from "./files.js";

/**
 * @typedef {object} QuizOption
 * @property {string} id                the option's letter as authored (a, b, c ...)
 * @property {string} html
 * @property {string} [feedback_html]   absent in a summative quiz
 */

/**
 * @typedef {object} QuizItem
 * @property {string} id
 * @property {"single" | "multiple"} type
 * @property {string} stem_html
 * @property {QuizOption[]} options
 * @property {string[]} objectives
 * @property {string[]} [answer]          the key; absent in a summative quiz
 * @property {string} [rationale_html]    absent in a summative quiz
 * @property {string[]} [references]      absent in a summative quiz
 */

/**
 * @typedef {"formative" | "pretest" | "posttest" | "summative"} QuizKind
 */

/**
 * @typedef {object} QuizFields
 * @property {QuizKind} kind
 * @property {number | null} pass_mark     0-1
 * @property {boolean} shuffle             a new option order on every attempt
 * @property {"one-at-a-time" | "all-at-once"} layout
 * @property {string | null} instructions_html
 * @property {QuizItem[]} items
 * @property {Norms} [norms]              the cohort's, where the site publishes them (pre/post tests)
 */

/**
 * Published cohort norms of a quiz (docs/reports.md, "Norms").
 * @typedef {object} Norms
 * @property {number} n                 learners
 * @property {number} mean              mean proportion correct, 0-1
 * @property {number} sd
 * @property {boolean} provisional      fewer than 30 learners
 * @property {number[]} percentiles     the percentile rank of each number correct, 0 to the items
 */

/** @typedef {import("./view.js").PayloadBase & QuizFields} QuizPayload */

/**
 * One attempt: the option order drawn for it, the learner's choices, and how it ended.
 * @typedef {object} Attempt
 * @property {string} started                     ISO time; seeds the option order
 * @property {Record<string, string[]>} order     item id to option ids, as shown
 * @property {Record<string, string[]>} responses item id to the selected option ids
 * @property {string[]} checked                   formative items already checked
 * @property {string | null} submitted            ISO time of Submit or Download
 * @property {number | null} score                0-1, once the attempt is finished
 * @property {Record<string, boolean>} results    item id to whether it was answered correctly, for
 *   each item whose feedback the learner has seen (a checked formative item; every item of a
 *   submitted pre/post test): what the dashboard's mastery reads, so it needs no answer key.
 *   Attempts saved before it existed have none ({}), and count in no mastery figure.
 */

/** @typedef {{attempts: Attempt[]}} QuizState */

/**
 * What the view keeps between redraws (not saved).
 * @typedef {object} QuizUi
 * @property {number | null} index            the item shown (one at a time); null before the first draw
 * @property {Record<string, string>} hints   item id to the hint under its Check button
 * @property {Attempt | null} pending         a new attempt not saved yet (saved on the first action)
 * @property {"submit" | "download" | null} confirm   the confirmation on screen
 * @property {HTMLElement | null} countNode   "3 of 12 items answered.", updated without a redraw
 */

/** @typedef {import("./view.js").View<QuizPayload, QuizState, QuizUi>} QuizView */

const KIND_NOTE = {
  formative: "Practice quiz: check each answer to see feedback. Nothing is graded.",
  pretest: "Pre-test: answer every item, then submit to see your score and the feedback.",
  posttest: "Post-test: answer every item, then submit to see your score against the pass mark and the feedback.",
  summative:
    "Assessment: no answers are shown here. When you have finished, download your response file and send it to your faculty for grading.",
};

/** @returns {QuizUi} */
function freshUi() {
  return { index: null, hints: {}, pending: null, confirm: null, countNode: null };
}

// ------------------------------------------------------------------ state

/**
 * @param {unknown} value
 * @returns {Record<string, string[]>}
 */
function idLists(value) {
  /** @type {Record<string, string[]>} */
  const out = {};
  if (!isPlainObject(value)) return out;
  for (const [key, list] of Object.entries(value)) {
    if (Array.isArray(list)) out[key] = list.filter((x) => typeof x === "string");
  }
  return out;
}

/**
 * @param {unknown} value
 * @returns {Record<string, boolean>}
 */
function results(value) {
  /** @type {Record<string, boolean>} */
  const out = {};
  if (!isPlainObject(value)) return out;
  for (const [key, correct] of Object.entries(value)) if (typeof correct === "boolean") out[key] = correct;
  return out;
}

/**
 * Turn whatever is stored into a well-formed quiz state.
 * @param {unknown} raw
 * @returns {QuizState}
 */
export function normalize(raw) {
  if (!isPlainObject(raw) || !Array.isArray(raw.attempts)) return { attempts: [] };
  return {
    attempts: raw.attempts.filter(isPlainObject).map((a) => ({
      started: typeof a.started === "string" ? a.started : "1970-01-01T00:00:00Z",
      order: idLists(a.order),
      responses: idLists(a.responses),
      checked: Array.isArray(a.checked) ? a.checked.filter((x) => typeof x === "string") : [],
      submitted: typeof a.submitted === "string" ? a.submitted : null,
      score: typeof a.score === "number" && Number.isFinite(a.score) ? a.score : null,
      results: results(a.results),
    })),
  };
}

/**
 * A new attempt with a freshly drawn option order.
 * @param {QuizPayload} payload
 * @param {number} index     number of earlier attempts
 * @param {Attempt | null | undefined} previous     the last attempt, if any
 * @returns {Attempt}
 */
function newAttempt(payload, index, previous) {
  const started = nowIso();
  const seed = `${payload.key}#${index}@${started}`;
  return {
    started,
    order: drawOrder(payload.items, seed, previous ? previous.order : null, payload.shuffle !== false),
    responses: {},
    checked: [],
    submitted: null,
    score: null,
    results: {},
  };
}

/**
 * The attempt on screen: the last one saved, or a new one that is saved on the learner's
 * first action (so merely opening a page writes nothing).
 * @param {QuizView} view
 * @returns {Attempt}
 */
function current(view) {
  const attempts = view.state.attempts;
  if (attempts.length) return attempts[attempts.length - 1];
  if (!view.ui.pending) view.ui.pending = newAttempt(view.payload, 0, null);
  return view.ui.pending;
}

/**
 * Save changes to the current attempt (a new state object every time).
 * @param {QuizView} view
 * @param {Partial<Attempt>} changes
 * @param {import("./view.js").CommitOptions} [options]
 */
function update(view, changes, options) {
  const attempts = view.state.attempts.slice();
  const next = { ...current(view), ...changes };
  if (attempts.length) attempts[attempts.length - 1] = next;
  else attempts.push(next);
  view.ui.pending = null;
  view.commit({ attempts }, options);
}

/**
 * @param {QuizPayload} payload
 * @returns {Record<string, string[]>}
 */
function answersOf(payload) {
  /** @type {Record<string, string[]>} */
  const out = {};
  for (const item of payload.items) out[item.id] = Array.isArray(item.answer) ? item.answer : [];
  return out;
}

/**
 * The options of an item in this attempt's order (authored order if the stored order does
 * not fit the item any more).
 * @param {Attempt} attempt
 * @param {QuizItem} item
 * @returns {QuizOption[]}
 */
function orderedOptions(attempt, item) {
  const ids = attempt.order[item.id];
  const byId = new Map(item.options.map((o) => [o.id, o]));
  if (
    Array.isArray(ids) &&
    ids.length === item.options.length &&
    ids.every((id) => byId.has(id)) &&
    new Set(ids).size === ids.length
  ) {
    return ids.map((id) => /** @type {QuizOption} */ (byId.get(id)));
  }
  return item.options;
}

/**
 * @param {Attempt} attempt
 * @param {QuizItem} item
 * @returns {string[]}
 */
function chosen(attempt, item) {
  return attempt.responses[item.id] || [];
}

// ------------------------------------------------------------------ actions

/**
 * @param {QuizView} view
 * @param {QuizItem} item
 * @param {string} optionId
 * @param {boolean} on
 */
function select(view, item, optionId, on) {
  const a = current(view);
  let list = chosen(a, item).slice();
  if (item.type === "multiple") list = on ? [...new Set([...list, optionId])] : list.filter((x) => x !== optionId);
  else list = [optionId];
  const authored = item.options.map((o) => o.id);
  list.sort((x, y) => authored.indexOf(x) - authored.indexOf(y));
  delete view.ui.hints[item.id];
  update(view, { responses: { ...a.responses, [item.id]: list } }, { redraw: false });
  refreshCount(view);
}

/**
 * @param {QuizView} view
 */
function refreshCount(view) {
  const node = view.ui.countNode;
  if (node) node.textContent = answeredText(view.payload, current(view));
}

/**
 * @param {QuizPayload} payload
 * @param {Attempt} attempt
 * @returns {string}
 */
function answeredText(payload, attempt) {
  const answered = payload.items.filter((i) => chosen(attempt, i).length).length;
  return `${answered} of ${plural(payload.items.length, "item")} answered.`;
}

/**
 * @param {QuizItem} item
 * @param {boolean} correct
 * @returns {string}
 */
function verdictText(item, correct) {
  if (item.type === "multiple") {
    return correct
      ? "Correct: you selected exactly the right options."
      : "Not quite: compare your choices with the correct options marked below.";
  }
  return correct ? "Correct: this is the best answer." : "Not the best answer: see the marked best answer below.";
}

/**
 * Formative: check one item.
 * @param {QuizView} view
 * @param {QuizItem} item
 */
function check(view, item) {
  const p = view.payload;
  const a = current(view);
  const list = chosen(a, item);
  if (!list.length) {
    view.ui.hints[item.id] = "Select an answer first.";
    view.redraw(`check:${item.id}`);
    view.say("Select an answer first.");
    return;
  }
  const checked = [...new Set([...a.checked, item.id])];
  const correct = itemCorrect(item.answer || [], list);
  /** @type {Partial<Attempt>} */
  const changes = { checked, results: { ...a.results, [item.id]: correct } };
  let message = `${correct ? "Correct." : "Not correct."} Feedback is shown below the options.`;
  if (p.items.every((i) => checked.includes(i.id))) {
    changes.score = score(answersOf(p), a.responses);
    message += ` Quiz finished: ${correctCount(p, a.responses)} of ${p.items.length} correct.`;
  }
  update(view, changes, { focus: `feedback:${item.id}`, say: message });
}

/**
 * @param {QuizPayload} payload
 * @param {Record<string, string[]>} responses
 * @returns {number}
 */
function correctCount(payload, responses) {
  return payload.items.filter((i) => itemCorrect(i.answer || [], responses[i.id])).length;
}

/**
 * Pre/post test: score and lock the attempt.
 * @param {QuizView} view
 */
function submit(view) {
  const p = view.payload;
  const a = current(view);
  const value = score(answersOf(p), a.responses);
  view.ui.confirm = null;
  const verdictWord = passed(value, p.pass_mark);
  const said =
    `Submitted. ${correctCount(p, a.responses)} of ${p.items.length} correct, ${percent(value)}.` +
    (verdictWord === null ? "" : verdictWord ? " Passed." : " Not yet passed.");
  /** @type {Record<string, boolean>} */
  const marks = {};
  for (const item of p.items) marks[item.id] = itemCorrect(item.answer || [], a.responses[item.id]);
  update(view, { submitted: nowIso(), score: value, results: marks }, { focus: "result", say: said });
}

/**
 * Summative: write the response file and lock the attempt.
 * @param {QuizView} view
 * @param {string} learner
 */
function downloadResponses(view, learner) {
  const p = view.payload;
  const a = current(view);
  const submitted = a.submitted || nowIso();
  /** @type {Record<string, string[]>} */
  const responses = {};
  for (const item of p.items) responses[item.id] = chosen(a, item);
  const file = {
    format: "curriculum-responses",
    version: 1,
    site: p.site,
    quiz: p.id,
    learner: learner.trim() || null,
    submitted,
    responses,
    order: a.order,
  };
  const name = `${p.id}-responses.json`;
  downloadText(name, `${JSON.stringify(file, null, 2)}\n`, "application/json");
  view.ui.confirm = null;
  update(view, { submitted }, { focus: "result", say: `Your response file ${name} was downloaded.` });
}

/**
 * Start a new attempt (new option order when shuffling).
 * @param {QuizView} view
 */
function retry(view) {
  const p = view.payload;
  const attempts = view.state.attempts;
  const next = newAttempt(p, attempts.length, attempts[attempts.length - 1]);
  view.ui.index = 0;
  view.ui.hints = {};
  view.ui.confirm = null;
  const shuffled = p.shuffle !== false ? " The options are in a new order." : "";
  view.commit(
    { attempts: [...attempts, next] },
    { focus: `item:${p.items[0].id}`, say: `New attempt started.${shuffled}` },
  );
}

// ------------------------------------------------------------------ drawing

/**
 * @param {QuizView} view
 * @param {QuizItem} item
 * @param {number} index
 * @param {Attempt} a          the attempt
 * @param {boolean} feedback  show marks and feedback
 * @param {boolean} locked
 * @returns {HTMLElement}
 */
function drawItem(view, item, index, a, feedback, locked) {
  const p = view.payload;
  const multiple = item.type === "multiple";
  const selected = chosen(a, item);
  const key = Array.isArray(item.answer) ? item.answer : [];
  const headId = view.id(`item-${index}`);
  const stemId = view.id(`stem-${index}`);
  const group = view.id(`q${index}-a${view.state.attempts.length}`);
  const options = orderedOptions(a, item).map((option, k) => {
    const inputId = `${group}-o${k}`;
    const isKey = feedback && key.includes(option.id);
    const isChosen = selected.includes(option.id);
    let mark = null;
    if (feedback && (isKey || isChosen)) {
      const text = isKey
        ? (isChosen ? "Your choice: " : "") + (multiple ? "a correct option" : "the best answer")
        : "Your choice: not correct";
      mark = h("span", { class: ["cur-mark", isKey ? "cur-good" : "cur-bad"], id: `${inputId}-mark` }, [
        h("span", { class: "cur-icon", "aria-hidden": "true", text: isKey ? "✓" : "✗" }),
        ` ${text}`,
      ]);
    }
    const input = h("input", {
      type: multiple ? "checkbox" : "radio",
      id: inputId,
      name: group,
      value: option.id,
      checked: isChosen,
      disabled: locked,
      "data-key": `option:${item.id}:${option.id}`,
      "aria-describedby": mark ? `${inputId}-mark` : undefined,
      on: {
        change: (/** @type {Event} */ e) =>
          select(view, item, option.id, /** @type {HTMLInputElement} */ (e.target).checked),
      },
    });
    // The option's letter stays with it whatever the order on screen: the handout and the
    // faculty answer key use the same letters.
    return h(
      "div",
      {
        class: [
          "cur-option",
          isChosen && "cur-option-chosen",
          isKey && "cur-option-key",
          feedback && isChosen && !isKey && "cur-option-wrong",
        ],
      },
      [
        input,
        h("label", { for: inputId }, [
          optionLetter(option),
          " ",
          htmlBlock("span", { class: "cur-option-text" }, option.html, "html"),
        ]),
        mark,
      ],
    );
  });

  const parts = [
    h("h4", {
      id: headId,
      class: "cur-item-heading",
      tabindex: "-1",
      "data-key": `item:${item.id}`,
      text: `Item ${index + 1} of ${p.items.length}`,
    }),
    htmlBlock("div", { class: "cur-stem", id: stemId }, item.stem_html, "stem_html"),
    h("fieldset", { class: "cur-options", "aria-describedby": stemId }, [
      h("legend", { text: multiple ? "Select all that apply" : "Choose the one best answer" }),
      options,
    ]),
  ];
  if (p.kind === "formative" && !feedback) {
    const hint = view.ui.hints[item.id];
    const hintId = view.id(`hint-${index}`);
    parts.push(
      h("div", { class: "cur-actions" }, [
        button("Check answer", () => check(view, item), {
          key: `check:${item.id}`,
          primary: true,
          describedby: hint ? hintId : undefined,
        }),
        hint ? h("p", { class: "cur-hint", id: hintId, text: hint }) : null,
      ]),
    );
  }
  if (feedback) parts.push(drawFeedback(view, item, selected));
  return h("section", { class: "cur-item", "aria-labelledby": headId }, parts);
}

/**
 * The option's letter as authored (a, b, c ...), which shuffling does not change.
 * @param {QuizOption} option
 * @returns {HTMLElement}
 */
function optionLetter(option) {
  return h("span", { class: "cur-option-letter", text: `${option.id}.` });
}

/**
 * The objectives an item tests, by their text.
 * @param {QuizPayload} payload
 * @param {QuizItem} item
 * @returns {HTMLElement | null}
 */
function drawObjectives(payload, item) {
  /** @type {Record<string, unknown>} */
  const texts = isPlainObject(payload.objectives) ? payload.objectives : {};
  const named = (Array.isArray(item.objectives) ? item.objectives : [])
    .map((id) => texts[id])
    .filter((t) => typeof t === "string" && t);
  if (!named.length) return null;
  return h("div", { class: "cur-item-objectives" }, [
    h("h5", { text: named.length === 1 ? "The objective this item tests" : "The objectives this item tests" }),
    h(
      "ul",
      {},
      named.map((t) => h("li", { text: /** @type {string} */ (t) })),
    ),
  ]);
}

/**
 * Verdict, feedback on the chosen and keyed options, rationale, references.
 * @param {QuizView} view
 * @param {QuizItem} item
 * @param {string[]} selected
 * @returns {HTMLElement}
 */
function drawFeedback(view, item, selected) {
  const key = Array.isArray(item.answer) ? item.answer : [];
  const correct = itemCorrect(key, selected);
  const head = selected.length ? verdictText(item, correct) : "Not answered.";
  const notes = item.options
    .filter((o) => selected.includes(o.id) || key.includes(o.id))
    .map((o) => {
      const isKey = key.includes(o.id);
      const isChosen = selected.includes(o.id);
      const label =
        isChosen && isKey
          ? "Your choice, correct"
          : isChosen
            ? "Your choice"
            : item.type === "multiple"
              ? "Correct option"
              : "Best answer";
      return h("li", { class: ["cur-option-note", isKey ? "cur-good" : "cur-bad"] }, [
        h("p", { class: "cur-note-label" }, [
          h("span", { class: "cur-icon", "aria-hidden": "true", text: isKey ? "✓" : "✗" }),
          ` ${label}: `,
          optionLetter(o),
          " ",
          htmlBlock("span", { class: "cur-quote" }, o.html, "html"),
        ]),
        htmlBlock("div", { class: "cur-note-text" }, o.feedback_html, "feedback_html"),
      ]);
    });
  const refs = referenceItems(view.payload.references, item.references);
  return h("div", { class: "cur-feedback" }, [
    verdict(correct, head, { tabindex: "-1", "data-key": `feedback:${item.id}` }),
    notes.length ? h("ul", { class: "cur-option-notes" }, notes) : null,
    item.rationale_html
      ? h("div", { class: "cur-rationale" }, [
          h("h5", { text: "Explanation" }),
          htmlBlock("div", {}, item.rationale_html, "rationale_html"),
        ])
      : null,
    drawObjectives(view.payload, item),
    refs.length ? h("div", { class: "cur-item-refs" }, [h("h5", { text: "Sources" }), h("ul", {}, refs)]) : null,
  ]);
}

/**
 * Score, pass mark and mastery per objective.
 * @param {QuizView} view
 * @param {Attempt} a
 * @returns {HTMLElement}
 */
function drawResult(view, a) {
  const p = view.payload;
  const right = correctCount(p, a.responses);
  const value = a.score === null ? score(answersOf(p), a.responses) : a.score;
  const ok = passed(value, p.pass_mark);
  const norms = normsText(p.norms, right);
  /** @type {Record<string, unknown>} */
  const objectives = isPlainObject(p.objectives) ? p.objectives : {};
  const rows = Object.entries(objectives).map(([oid, text]) => {
    const items = p.items.filter((i) => (i.objectives || []).includes(oid));
    if (!items.length) return null;
    const good = items.filter((i) => itemCorrect(i.answer || [], a.responses[i.id])).length;
    return h("li", {}, [
      h("span", { class: "cur-objective", text: String(text).replace(/[.\s]+$/, "") }),
      ": ",
      h("strong", { text: `${good} of ${items.length} correct` }),
    ]);
  });
  return h("section", { class: "cur-result", "aria-labelledby": view.id("result") }, [
    h("h4", { id: view.id("result"), tabindex: "-1", "data-key": "result", text: "Your result" }),
    h("p", {
      class: "cur-score",
      text: `You answered ${right} of ${plural(p.items.length, "item")} correctly (${percent(value)}).`,
    }),
    ok === null
      ? null
      : verdict(
          ok,
          `${ok ? "Passed" : "Not yet passed"}: the pass mark is ${percent(/** @type {number} */ (p.pass_mark))}.`,
          { class: "cur-pass" },
        ),
    norms ? h("p", { class: "cur-norms", text: norms }) : null,
    rows.some(Boolean) ? h("h5", { text: "By objective" }) : null,
    rows.some(Boolean) ? h("ul", { class: "cur-objectives" }, rows) : null,
    h("div", { class: "cur-actions" }, [
      button("Try again: new attempt", () => retry(view), { key: "retry", primary: true }),
    ]),
  ]);
}

/**
 * "1st", "2nd", "3rd", "11th", "22nd".
 * @param {number} n
 * @returns {string}
 */
function ordinal(n) {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? "th" : ["th", "st", "nd", "rd"][n % 10] || "th";
  return `${n}${suffix}`;
}

/**
 * The learner's score against the published cohort norms, in words ("" without norms).
 * @param {Norms | undefined} norms
 * @param {number} right    items correct
 * @returns {string}
 */
export function normsText(norms, right) {
  if (!isPlainObject(norms) || typeof norms.n !== "number" || typeof norms.mean !== "number") return "";
  const rank = Array.isArray(norms.percentiles) ? norms.percentiles[right] : undefined;
  const cohort = `${plural(norms.n, "learner")}${norms.provisional ? ", provisional" : ""}`;
  let text = `Cohort norms (${cohort}): mean ${percent(norms.mean)}.`;
  if (typeof rank === "number") text += ` Your score is at about the ${ordinal(Math.round(rank))} percentile.`;
  return text;
}

/**
 * @param {QuizView} view
 * @returns {HTMLElement | null}
 */
function drawHistory(view) {
  const done = view.state.attempts.slice(0, -1).filter((a) => a.score !== null);
  if (!done.length) return null;
  return h("p", {
    class: "cur-history",
    text: `Earlier attempts: ${done.map((a) => percent(/** @type {number} */ (a.score))).join(", ")}.`,
  });
}

/**
 * The summative download form, or the note once the file is downloaded.
 * @param {QuizView} view
 * @param {Attempt} a
 * @returns {HTMLElement}
 */
function drawSummativeFooter(view, a) {
  const p = view.payload;
  const askForName = () => {
    view.ui.confirm = "download";
    view.redraw("learner");
  };
  if (a.submitted) {
    return h("section", { class: "cur-result", "aria-labelledby": view.id("result") }, [
      h("h4", { id: view.id("result"), tabindex: "-1", "data-key": "result", text: "Response file downloaded" }),
      h("p", {
        text: `You downloaded your response file (${p.id}-responses.json) on ${displayTime(a.submitted)}. Send it to your faculty; they will grade it. Your answers are now locked.`,
      }),
      h("div", { class: "cur-actions" }, [button("Download the file again", askForName, { key: "again" })]),
      view.ui.confirm === "download" ? downloadForm(view, a) : null,
    ]);
  }
  if (view.ui.confirm === "download") return downloadForm(view, a);
  const count = h("p", { class: "cur-count", text: answeredText(p, a) });
  view.ui.countNode = count;
  return h("div", { class: "cur-footer" }, [
    count,
    h("div", { class: "cur-actions" }, [
      button("Download response file…", askForName, { key: "download", primary: true }),
    ]),
  ]);
}

/**
 * @param {QuizView} view
 * @param {Attempt} a
 * @returns {HTMLElement}
 */
function downloadForm(view, a) {
  const p = view.payload;
  const inputId = view.id("learner");
  const missing = p.items.filter((i) => !chosen(a, i).length).length;
  const input = /** @type {HTMLInputElement} */ (
    h("input", {
      type: "text",
      id: inputId,
      class: "cur-text",
      autocomplete: "name",
      "data-key": "learner",
      on: {
        keydown: (/** @type {Event} */ e) => {
          if (/** @type {KeyboardEvent} */ (e).key !== "Enter") return;
          e.preventDefault();
          downloadResponses(view, /** @type {HTMLInputElement} */ (e.target).value);
        },
      },
    })
  );
  return confirmBox({
    key: "download",
    message: missing
      ? `${plural(missing, "item is", "items are")} unanswered. Download your response file anyway? Your answers will then be locked.`
      : "Download your response file? Your answers will then be locked.",
    yes: "Download",
    no: "Cancel",
    onYes: () => downloadResponses(view, input.value),
    onNo: () => {
      view.ui.confirm = null;
      view.redraw(a.submitted ? "again" : "download");
    },
    extra: [
      h("div", { class: "cur-field" }, [
        h("label", { for: inputId, text: "Your name (optional, written into the file)" }),
        input,
      ]),
    ],
  });
}

/**
 * Pre/post test footer: answered count and Submit all (with confirmation).
 * @param {QuizView} view
 * @param {Attempt} a
 * @returns {HTMLElement}
 */
function drawSubmitFooter(view, a) {
  const p = view.payload;
  const missing = p.items.filter((i) => !chosen(a, i).length).length;
  if (view.ui.confirm === "submit") {
    return confirmBox({
      key: "submit",
      message: `${plural(missing, "item is", "items are")} unanswered and will count as incorrect. Submit anyway?`,
      yes: "Submit anyway",
      no: "Keep answering",
      onYes: () => submit(view),
      onNo: () => {
        view.ui.confirm = null;
        view.redraw("submit");
      },
    });
  }
  const count = h("p", { class: "cur-count", text: answeredText(p, a) });
  view.ui.countNode = count;
  return h("div", { class: "cur-footer" }, [
    count,
    h("div", { class: "cur-actions" }, [
      button(
        "Submit all",
        () => {
          const open = p.items.filter((i) => !chosen(current(view), i).length).length;
          if (open) {
            view.ui.confirm = "submit";
            view.redraw("submit:no");
            view.say(`${plural(open, "item is", "items are")} unanswered.`);
          } else {
            submit(view);
          }
        },
        { key: "submit", primary: true },
      ),
    ]),
  ]);
}

/**
 * Previous / Next for the one-at-a-time layout.
 * @param {QuizView} view
 * @param {number} index
 * @returns {HTMLElement}
 */
function drawPager(view, index) {
  const p = view.payload;
  const go = (/** @type {number} */ to) => {
    view.ui.index = to;
    view.ui.confirm = null;
    view.redraw(`item:${p.items[to].id}`);
  };
  return h("nav", { class: "cur-pager", "aria-label": "Quiz items" }, [
    button("← Previous", () => go(index - 1), { key: "previous", disabled: index === 0 }),
    h("span", { class: "cur-position", text: `Item ${index + 1} of ${p.items.length}` }),
    button("Next →", () => go(index + 1), { key: "next", disabled: index >= p.items.length - 1 }),
  ]);
}

/**
 * @param {QuizView} view
 * @returns {(HTMLElement | null)[]}
 */
function draw(view) {
  const p = view.payload;
  const a = current(view);
  /** @type {QuizKind} */
  const kind = Object.prototype.hasOwnProperty.call(KIND_NOTE, p.kind) ? p.kind : "formative";
  view.ui.countNode = null;
  const out = [
    titleHeading(p.title, "Quiz"),
    h("p", { class: "cur-meta", text: KIND_NOTE[kind] + (p.pass_mark ? ` Pass mark: ${percent(p.pass_mark)}.` : "") }),
    p.instructions_html
      ? htmlBlock("div", { class: "cur-instructions" }, p.instructions_html, "instructions_html")
      : null,
  ];
  const items = Array.isArray(p.items) ? p.items : [];
  if (!items.length) return [...out, h("p", { text: "This quiz has no items." })];

  const reviewing = (kind === "pretest" || kind === "posttest") && !!a.submitted;
  const locked = kind === "summative" && !!a.submitted;
  if (reviewing) {
    out.push(drawResult(view, a));
    out.push(h("h4", { class: "cur-review-heading", text: "Review of every item" }));
    items.forEach((item, i) => out.push(drawItem(view, item, i, a, true, true)));
  } else {
    const checkedNow = (/** @type {QuizItem} */ item) => kind === "formative" && a.checked.includes(item.id);
    if (p.layout === "all-at-once") {
      items.forEach((item, i) => out.push(drawItem(view, item, i, a, checkedNow(item), locked || checkedNow(item))));
    } else {
      const index = Math.min(Math.max(view.ui.index || 0, 0), items.length - 1);
      const item = items[index];
      out.push(drawItem(view, item, index, a, checkedNow(item), locked || checkedNow(item)));
      if (items.length > 1) out.push(drawPager(view, index));
    }
    if (kind === "formative" && a.score !== null) out.push(drawResult(view, a));
    if (kind === "pretest" || kind === "posttest") out.push(drawSubmitFooter(view, a));
    if (kind === "summative") out.push(drawSummativeFooter(view, a));
  }
  out.push(drawHistory(view));
  out.push(referenceList(p.references, view.prefix, "h4"));
  return out;
}

/**
 * Where a learner returning to the quiz starts: the first item still open.
 * @param {QuizPayload} payload
 * @param {Attempt} attempt
 * @returns {number}
 */
function firstOpen(payload, attempt) {
  const items = Array.isArray(payload.items) ? payload.items : [];
  const open = items.findIndex((i) =>
    payload.kind === "formative" ? !attempt.checked.includes(i.id) : !chosen(attempt, i).length,
  );
  return open < 0 ? 0 : open;
}

// ------------------------------------------------------------------ the progress page

/**
 * What the learner has done in a quiz, from its saved state.
 * @param {import("./view.js").Part} part
 * @param {Record<string, unknown>} state
 * @param {number} total  how many items (0 when unknown)
 * @returns {import("./view.js").Status}
 */
export function status(part, state, total) {
  const attempts = Array.isArray(state.attempts) ? state.attempts.filter(isPlainObject) : [];
  if (!attempts.length) return { status: "new", text: "Not started" };
  const last = attempts[attempts.length - 1];
  const answered = isPlainObject(last.responses)
    ? Object.values(last.responses).filter((r) => Array.isArray(r) && r.length).length
    : 0;
  if (part.quiz === "summative") {
    return last.submitted
      ? { status: "done", text: "Response file downloaded" }
      : { status: "started", text: `${countOf(answered, total, "item")} answered` };
  }
  const scores = attempts.flatMap((a) => (typeof a.score === "number" && Number.isFinite(a.score) ? [a.score] : []));
  if (scores.length) {
    const latest = scores[scores.length - 1];
    const best = Math.max(...scores);
    const right = total > 0 ? `${Math.round(latest * total)} of ${total} correct ` : "";
    const verdictWord = passed(latest, part.pass);
    let text = `Finished: ${right}(${percent(latest)})`;
    if (verdictWord !== null) text += verdictWord ? ", passed" : ", not yet passed";
    if (best > latest) text += `; best ${percent(best)}`;
    return { status: "done", text };
  }
  const checked = Array.isArray(last.checked) ? last.checked.length : 0;
  if (!answered && !checked) return { status: "new", text: "Not started" };
  const formative = !part.quiz || part.quiz === "formative";
  return {
    status: "started",
    text: formative ? `${countOf(checked, total, "item")} checked` : `${countOf(answered, total, "item")} answered`,
  };
}

/** @type {import("./view.js").Component} */
export default {
  render({ model, el }) {
    /** @type {{view: QuizView, cleanup: () => void}} */
    const { view, cleanup } = createView(model, el, {
      name: "quiz",
      normalize,
      ui: freshUi(),
      draw(v) {
        if (v.ui.index === null) v.ui.index = firstOpen(v.payload, current(v));
        return draw(v);
      },
    });
    return () => {
      view.ui = freshUi();
      cleanup();
    };
  },
  status,
};
