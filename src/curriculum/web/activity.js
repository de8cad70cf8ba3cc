// activity.js: a self-assessment activity: framing, steps, evaluation and certificate
// (docs/components.md, "Activity"). Learners' text (their name, their comments) is only ever
// set as text, never as markup.
import { isPlainObject } from "./base.js";
import { button, h, htmlBlock, verdict } from "./dom.js";
import { createView, titleHeading } from "./view.js";
import { passed } from "./scoring.js";
import { nowIso, percent, plural } from "./format.js";

/**
 * @typedef {object} QuizStep
 * @property {string} id
 * @property {string} title
 * @property {number} items
 */

/**
 * @typedef {object} Choice
 * @property {string} id
 * @property {string} text
 */

/**
 * The evaluation's questions (Python: components/_activity.py, EVALUATION).
 * @typedef {object} EvaluationSpec
 * @property {string[]} scale                           the Likert scale, lowest first
 * @property {{id: string, text: string}[]} likert
 * @property {{text: string, choices: Choice[]}} change  intent to change practice
 * @property {{text: string, choices: Choice[]}} bias    perceived commercial bias
 */

/**
 * @typedef {object} ActivityFields
 * @property {string[]} objective_ids   the objectives in authored order (`objectives` is keyed by id)
 * @property {string} description_html
 * @property {string} participation_html
 * @property {number} hours
 * @property {{name: string, role: string | null, disclosure: string}[]} faculty
 * @property {string} released
 * @property {string} reviewed
 * @property {string} expires
 * @property {{id: string, title: string}[]} lessons
 * @property {QuizStep} pretest
 * @property {QuizStep} posttest
 * @property {number | null} pass_mark
 * @property {string[]} needs          the records it reads: the pre-test's and the post-test's
 * @property {EvaluationSpec} evaluation
 * @property {string} statement        what the certificate is and is not
 */

/** @typedef {import("./view.js").PayloadBase & ActivityFields} ActivityPayload */

/**
 * The learner's evaluation: a Likert answer (1-5) per statement, the two choices, free text.
 * @typedef {object} Evaluation
 * @property {Record<string, number>} likert
 * @property {string} change
 * @property {string} change_text
 * @property {string} bias
 * @property {string} bias_text
 * @property {string} comments
 * @property {string | null} submitted    ISO time, once the learner submitted it
 */

/**
 * @typedef {object} Certificate
 * @property {string} name      as the learner typed it
 * @property {string} issued    ISO time
 * @property {number} score     the best passing post-test score, 0-1
 */

/**
 * @typedef {object} ActivityState
 * @property {Evaluation | null} evaluation
 * @property {string} name
 * @property {Certificate | null} certificate
 */

/**
 * @typedef {object} ActivityUi
 * @property {Evaluation | null} draft    the evaluation being filled in (saved on submit)
 * @property {string} problem             why the evaluation cannot be submitted yet
 * @property {boolean} editing            the learner asked to change a submitted evaluation
 * @property {Record<string, unknown>} records   the saved states of the records it needs, by key
 */

/** @typedef {import("./view.js").View<ActivityPayload, ActivityState, ActivityUi>} ActivityView */

/** @typedef {"start" | "evaluation" | "certificate" | "all"} Part */

const MAX_TEXT = 2000;
const MAX_NAME = 120;

/**
 * @param {unknown} records  the `records` model attribute
 * @returns {ActivityUi}
 */
function freshUi(records) {
  return { draft: null, problem: "", editing: false, records: isPlainObject(records) ? records : {} };
}

// ------------------------------------------------------------------ state (pure)

/**
 * @param {unknown} value
 * @param {number} max
 * @returns {string}
 */
function text(value, max) {
  return typeof value === "string" ? value.slice(0, max) : "";
}

/**
 * A well-formed evaluation from whatever is stored, or null.
 * @param {unknown} raw
 * @returns {Evaluation | null}
 */
function normalizeEvaluation(raw) {
  if (!isPlainObject(raw)) return null;
  /** @type {Record<string, number>} */
  const likert = {};
  if (isPlainObject(raw.likert)) {
    for (const [key, value] of Object.entries(raw.likert)) {
      if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 5) likert[key] = value;
    }
  }
  return {
    likert,
    change: text(raw.change, 40),
    change_text: text(raw.change_text, MAX_TEXT),
    bias: text(raw.bias, 40),
    bias_text: text(raw.bias_text, MAX_TEXT),
    comments: text(raw.comments, MAX_TEXT),
    submitted: typeof raw.submitted === "string" ? raw.submitted : null,
  };
}

/**
 * Turn whatever is stored into a well-formed activity state.
 * @param {unknown} raw
 * @returns {ActivityState}
 */
export function normalize(raw) {
  const state = isPlainObject(raw) ? raw : {};
  const c = state.certificate;
  const certificate =
    isPlainObject(c) &&
    typeof c.name === "string" &&
    typeof c.issued === "string" &&
    typeof c.score === "number" &&
    Number.isFinite(c.score)
      ? { name: c.name.slice(0, MAX_NAME), issued: c.issued, score: c.score }
      : null;
  return { evaluation: normalizeEvaluation(state.evaluation), name: text(state.name, MAX_NAME), certificate };
}

/**
 * The state as saved: without the parts not there yet (the saved shape has no nulls).
 * @param {ActivityState} state
 * @returns {ActivityState}
 */
function saved(state) {
  /** @type {Record<string, unknown>} */
  const out = { name: state.name };
  if (state.evaluation) out.evaluation = state.evaluation;
  if (state.certificate) out.certificate = state.certificate;
  return /** @type {ActivityState} */ (/** @type {unknown} */ (out));
}

/**
 * The learner's post-test results from its saved state: the best submitted score and whether
 * any submitted attempt passed.
 * @param {unknown} state      the post-test's saved state
 * @param {number | null} passMark
 * @returns {{attempts: number, best: number | null, passed: boolean}}
 */
export function postResult(state, passMark) {
  const attempts = isPlainObject(state) && Array.isArray(state.attempts) ? state.attempts.filter(isPlainObject) : [];
  const scores = attempts.flatMap((a) =>
    typeof a.submitted === "string" && typeof a.score === "number" && Number.isFinite(a.score) ? [a.score] : [],
  );
  const best = scores.length ? Math.max(...scores) : null;
  return { attempts: scores.length, best, passed: best !== null && passed(best, passMark) === true };
}

/**
 * What is still missing in an evaluation, in words ("" when it is complete).
 * @param {Evaluation} evaluation
 * @param {EvaluationSpec} spec
 * @returns {string}
 */
export function evaluationProblem(evaluation, spec) {
  const open = spec.likert.filter((s) => !evaluation.likert[s.id]).length;
  if (open) return `Rate ${plural(open, "statement")} still unrated.`;
  if (!evaluation.change) return "Say whether you will change your practice.";
  if (!evaluation.bias) return "Say whether the content was free of commercial bias.";
  return "";
}

/**
 * What still stands between the learner and the certificate.
 * @param {ActivityState} state
 * @param {{passed: boolean}} post
 * @returns {("posttest" | "evaluation")[]}
 */
export function missing(state, post) {
  /** @type {("posttest" | "evaluation")[]} */
  const out = [];
  if (!post.passed) out.push("posttest");
  if (!(state.evaluation && state.evaluation.submitted)) out.push("evaluation");
  return out;
}

/**
 * A date for a certificate, in words: "4 December 2026".
 * @param {string} iso
 * @returns {string}
 */
export function longDate(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

/**
 * The post-test's pass mark in words ("70%"), or null when it has none.
 * @param {ActivityPayload} p
 * @returns {string | null}
 */
function passMarkText(p) {
  return typeof p.pass_mark === "number" ? percent(p.pass_mark) : null;
}

// ------------------------------------------------------------------ links

/**
 * Where a step is, in this host: a page of the site, or the notebook next to this one.
 * @param {ActivityView} view
 * @param {"quiz" | "lesson" | "evaluation" | "certificate" | "start"} what
 * @param {string} id
 * @returns {string | null}
 */
function href(view, what, id) {
  const p = view.payload;
  if (view.host.kind !== "static") return what === "lesson" ? `${id}.ipynb` : null;
  if (what === "quiz") return `../quiz/${id}.html`;
  if (what === "lesson") return `../lessons/${id}.html`;
  if (what === "start") return `${p.id}.html`;
  return `${p.id}-${what}.html`;
}

/**
 * A link where the host has a page, else the text (with how to open it in a notebook).
 * @param {ActivityView} view
 * @param {"quiz" | "lesson" | "evaluation" | "certificate" | "start"} what
 * @param {string} id
 * @param {string} label
 * @returns {HTMLElement}
 */
function link(view, what, id, label) {
  const target = href(view, what, id);
  if (target) return h("a", { href: target, text: label });
  if (what === "quiz") return h("span", {}, [label, " (run ", h("code", { text: `curriculum.quiz("${id}")` }), ")"]);
  return h("span", { text: label });
}

// ------------------------------------------------------------------ drawing: the framing

/**
 * A description list of facts, each a term and its text.
 * @param {string} cls
 * @param {[string, string][]} rows
 * @returns {HTMLElement}
 */
function facts(cls, rows) {
  return h(
    "dl",
    { class: cls },
    rows.map(([term, detail]) => [h("dt", { text: term }), h("dd", { text: detail })]),
  );
}

/**
 * @param {ActivityView} view
 * @returns {(HTMLElement | null)[]}
 */
function drawStart(view) {
  const p = view.payload;
  const texts = isPlainObject(p.objectives) ? p.objectives : {};
  const ids = Array.isArray(p.objective_ids) ? p.objective_ids : Object.keys(texts);
  const objectives = ids.map((id) => texts[id]).filter((t) => typeof t === "string");
  const pass = passMarkText(p);
  return [
    htmlBlock("div", { class: "cur-activity-description" }, p.description_html, "description_html"),
    h("h4", { text: "Objectives" }),
    h("p", { text: "After this activity you should be able to:" }),
    h(
      "ol",
      { class: "cur-activity-objectives" },
      objectives.map((t) => h("li", { text: String(t) })),
    ),
    h("h4", { text: "About this activity" }),
    facts("cur-activity-facts", [
      ["Estimated time", `About ${plural(p.hours, "hour")}`],
      [
        "Minimum passing level",
        pass ? `${pass} of the post-test items answered correctly (the post-test may be retaken).` : "None stated.",
      ],
      ["Released", longDate(p.released)],
      ["Last reviewed", longDate(p.reviewed)],
      ["Expires", longDate(p.expires)],
    ]),
    h("h4", { text: "Faculty and disclosures" }),
    h(
      "ul",
      { class: "cur-activity-faculty" },
      (p.faculty || []).map((f) =>
        h("li", {}, [h("strong", { text: f.name }), f.role ? `, ${f.role}` : "", ". Disclosure: ", f.disclosure]),
      ),
    ),
    h("h4", { text: "How to participate" }),
    htmlBlock("div", { class: "cur-activity-participation" }, p.participation_html, "participation_html"),
    h("div", { class: "cur-notice cur-activity-statement" }, [
      h("p", { text: p.statement }),
      h("p", {
        text: "This is an educational resource, not clinical advice: it does not replace supervision, local policy or clinical judgement.",
      }),
    ]),
  ];
}

/**
 * The steps in order, with what the learner has done in each.
 * @param {ActivityView} view
 * @returns {HTMLElement[]}
 */
function drawSteps(view) {
  const p = view.payload;
  const pre = testResult(view, "pretest");
  const post = testResult(view, "posttest");
  const s = view.state;
  const pass = passMarkText(p);
  const preText = pre.best === null ? "not taken yet" : `done, ${percent(pre.best)}`;
  let postText = "not taken yet";
  if (post.best !== null) postText = `best ${percent(post.best)}, ${post.passed ? "passed" : "not yet passed"}`;
  return [
    h("h4", { text: "Steps" }),
    h("ol", { class: "cur-activity-steps" }, [
      h("li", {}, [
        link(view, "quiz", p.pretest.id, `Pre-test: ${plural(p.pretest.items, "item")}, no pass mark`),
        ` (${preText}).`,
      ]),
      h("li", {}, [
        "The lessons, in order:",
        h(
          "ol",
          {},
          (p.lessons || []).map((l) => h("li", {}, [link(view, "lesson", l.id, l.title)])),
        ),
      ]),
      h("li", {}, [
        link(
          view,
          "quiz",
          p.posttest.id,
          `Post-test: ${plural(p.posttest.items, "item")}${pass ? `, pass mark ${pass}` : ""}`,
        ),
        ` (${postText}).`,
      ]),
      h("li", {}, [
        link(view, "evaluation", "", "Evaluation of the activity"),
        ` (${s.evaluation && s.evaluation.submitted ? "completed" : "not completed yet"}).`,
      ]),
      h("li", {}, [
        link(view, "certificate", "", "Certificate of completion"),
        ` (${s.certificate ? "issued" : "offered after a passing post-test and the evaluation"}).`,
      ]),
    ]),
  ];
}

/**
 * The learner's results in the activity's pre-test or post-test (the post-test's against its pass mark).
 * @param {ActivityView} view
 * @param {"pretest" | "posttest"} step
 * @returns {{attempts: number, best: number | null, passed: boolean}}
 */
function testResult(view, step) {
  const p = view.payload;
  return postResult(view.ui.records[`quiz:${p[step].id}`], step === "posttest" ? p.pass_mark : null);
}

// ------------------------------------------------------------------ drawing: the evaluation

/**
 * The evaluation being filled in: a copy of the saved one, or an empty one.
 * @param {ActivityView} view
 * @returns {Evaluation}
 */
function draft(view) {
  if (!view.ui.draft) {
    view.ui.draft = /** @type {Evaluation} */ (normalizeEvaluation(view.state.evaluation || {}));
  }
  return view.ui.draft;
}

/**
 * A radio group in a fieldset.
 * @param {ActivityView} view
 * @param {string} name
 * @param {string} legend
 * @param {Choice[]} choices
 * @param {string} value
 * @param {(id: string) => void} onPick
 * @returns {HTMLElement}
 */
function radios(view, name, legend, choices, value, onPick) {
  const group = view.id(name);
  return h("fieldset", { class: "cur-activity-question" }, [
    h("legend", { text: legend }),
    choices.map((c, k) =>
      h("div", { class: "cur-option" }, [
        h("input", {
          type: "radio",
          id: `${group}-${k}`,
          name: group,
          value: c.id,
          checked: value === c.id,
          "data-key": `${name}:${c.id}`,
          on: { change: () => onPick(c.id) },
        }),
        h("label", { for: `${group}-${k}`, text: c.text }),
      ]),
    ),
  ]);
}

/**
 * A labelled text area whose text is kept as text.
 * @param {ActivityView} view
 * @param {string} name
 * @param {string} label
 * @param {string} value
 * @param {(value: string) => void} onInput
 * @returns {HTMLElement}
 */
function textArea(view, name, label, value, onInput) {
  const id = view.id(name);
  return h("div", { class: "cur-field" }, [
    h("label", { for: id, text: label }),
    h("textarea", {
      id,
      class: "cur-text",
      rows: 3,
      maxlength: MAX_TEXT,
      "data-key": name,
      value,
      on: { input: (e) => onInput(/** @type {HTMLTextAreaElement} */ (e.target).value) },
    }),
  ]);
}

/**
 * @param {ActivityView} view
 * @returns {(HTMLElement | null)[]}
 */
function drawEvaluation(view) {
  const p = view.payload;
  const spec = p.evaluation;
  const s = view.state;
  const head = h("h4", { text: "Evaluation of the activity", "data-key": "evaluation", tabindex: "-1" });
  if (s.evaluation && s.evaluation.submitted && !view.ui.editing) {
    return [
      head,
      verdict(true, "Thank you: your evaluation is recorded.", { "data-key": "evaluation-done", tabindex: "-1" }),
      h("p", {}, [
        "Your certificate: ",
        link(view, "certificate", "", "Certificate of completion"),
        view.host.kind === "static" ? "." : " (below).",
      ]),
      h("div", { class: "cur-actions" }, [
        button(
          "Change my evaluation",
          () => {
            view.ui.editing = true;
            view.ui.draft = null;
            view.redraw("evaluation");
          },
          { key: "edit-evaluation" },
        ),
      ]),
    ];
  }
  const d = draft(view);
  const problemId = view.id("evaluation-problem");
  const likert = spec.likert.map((statement) =>
    radios(
      view,
      `likert-${statement.id}`,
      statement.text,
      spec.scale.map((label, k) => ({ id: String(k + 1), text: label })),
      d.likert[statement.id] ? String(d.likert[statement.id]) : "",
      (id) => {
        d.likert[statement.id] = Number(id);
      },
    ),
  );
  return [
    head,
    h("p", {
      text: "Your answers stay with your progress (in this browser, or your progress file in JupyterLab). Nothing is sent anywhere.",
    }),
    h("div", { class: "cur-activity-likert" }, likert),
    radios(view, "change", spec.change.text, spec.change.choices, d.change, (id) => {
      d.change = id;
    }),
    textArea(view, "change-text", "What will you change, if anything? (optional)", d.change_text, (v) => {
      d.change_text = v;
    }),
    radios(view, "bias", spec.bias.text, spec.bias.choices, d.bias, (id) => {
      d.bias = id;
    }),
    textArea(view, "bias-text", "If you noticed bias, where? (optional)", d.bias_text, (v) => {
      d.bias_text = v;
    }),
    textArea(view, "comments", "Other comments on the activity (optional)", d.comments, (v) => {
      d.comments = v;
    }),
    h("div", { class: "cur-actions" }, [
      button("Submit the evaluation", () => submitEvaluation(view), {
        key: "submit-evaluation",
        primary: true,
        describedby: view.ui.problem ? problemId : undefined,
      }),
      view.ui.problem ? h("p", { class: "cur-hint", id: problemId, text: view.ui.problem }) : null,
    ]),
  ];
}

/**
 * @param {ActivityView} view
 */
function submitEvaluation(view) {
  const d = draft(view);
  const problem = evaluationProblem(d, view.payload.evaluation);
  view.ui.problem = problem;
  if (problem) {
    view.redraw("submit-evaluation");
    view.say(problem);
    return;
  }
  const evaluation = { ...d, likert: { ...d.likert }, submitted: nowIso() };
  view.ui.draft = null;
  view.ui.editing = false;
  view.commit(saved({ ...view.state, evaluation }), {
    focus: "evaluation-done",
    say: "Thank you: your evaluation is recorded.",
  });
}

// ------------------------------------------------------------------ drawing: the certificate

/**
 * @param {ActivityView} view
 * @returns {(HTMLElement | null)[]}
 */
function drawCertificate(view) {
  const p = view.payload;
  const s = view.state;
  const post = testResult(view, "posttest");
  const head = h("h4", { text: "Certificate of completion", "data-key": "certificate", tabindex: "-1" });
  const todo = missing(s, post);
  const mark = passMarkText(p);
  const pass = mark ? ` (pass mark ${mark})` : "";
  if (todo.length) {
    return [
      head,
      h("p", {
        class: "cur-activity-missing",
        text: "The certificate is offered after a passing post-test and a completed evaluation. Still to do:",
      }),
      h(
        "ul",
        {},
        todo.map((step) =>
          step === "posttest"
            ? h("li", {}, [
                link(view, "quiz", p.posttest.id, "Pass the post-test"),
                post.best === null ? `${pass}.` : `${pass}: your best score so far is ${percent(post.best)}.`,
              ])
            : h("li", {}, [link(view, "evaluation", "", "Complete the evaluation"), "."]),
        ),
      ),
    ];
  }
  const inputId = view.id("name");
  const form = h("div", { class: "cur-field cur-activity-name" }, [
    h("label", { for: inputId, text: "Your name, as it should appear on the certificate" }),
    h("input", {
      type: "text",
      id: inputId,
      class: "cur-text",
      autocomplete: "name",
      maxlength: MAX_NAME,
      "data-key": "name",
      value: s.name,
      on: {
        keydown: (e) => {
          if (/** @type {KeyboardEvent} */ (e).key === "Enter") issue(view, inputId);
        },
      },
    }),
    h("div", { class: "cur-actions" }, [
      button(s.certificate ? "Update the certificate" : "Issue my certificate", () => issue(view, inputId), {
        key: "issue",
        primary: true,
      }),
    ]),
  ]);
  const c = s.certificate;
  if (!c)
    return [
      head,
      h("p", {
        text: `You passed the post-test (${percent(/** @type {number} */ (post.best))}) and completed the evaluation.`,
      }),
      form,
    ];
  const sheet = h("section", { class: "cur-certificate-sheet", "aria-labelledby": view.id("sheet") }, [
    h("p", { class: "cur-certificate-kicker", text: "Certificate of completion" }),
    h("p", { id: view.id("sheet"), class: "cur-certificate-name", text: c.name || "(no name given)" }),
    h("p", { text: "completed the self-assessment activity" }),
    h("p", { class: "cur-certificate-activity", text: p.title }),
    facts("cur-certificate-facts", [
      ["Date", longDate(c.issued)],
      ["Post-test score", `${percent(c.score)}${pass}`],
      ["Estimated hours", String(p.hours)],
    ]),
    h("p", { class: "cur-certificate-statement", text: p.statement }),
  ]);
  return [
    head,
    sheet,
    h("div", { class: "cur-actions cur-no-print" }, [
      button("Print or save as PDF", () => window.print(), { key: "print", primary: true }),
    ]),
    h("details", { class: "cur-no-print" }, [h("summary", { text: "Change the name on the certificate" }), form]),
  ];
}

/**
 * Issue (or update) the certificate with the name as typed and the best passing score.
 * @param {ActivityView} view
 * @param {string} inputId
 */
function issue(view, inputId) {
  const input = view.root.querySelector(`#${CSS.escape(inputId)}`);
  const name = input instanceof HTMLInputElement ? input.value.trim().slice(0, MAX_NAME) : "";
  const post = testResult(view, "posttest");
  if (!post.passed || post.best === null) return;
  const certificate = { name, issued: nowIso(), score: post.best };
  view.commit(
    { ...view.state, name, certificate },
    { focus: "certificate", say: "Your certificate is ready to print." },
  );
}

// ------------------------------------------------------------------ the component

/**
 * @param {ActivityView} view
 * @param {Part} part
 * @returns {(HTMLElement | null)[]}
 */
function draw(view, part) {
  const p = view.payload;
  /** @type {(HTMLElement | null)[]} */
  const out = [titleHeading(p.title, "Activity")];
  if (part === "start" || part === "all") out.push(...drawStart(view), ...drawSteps(view));
  if (part === "evaluation" || part === "all") out.push(...drawEvaluation(view));
  if (part === "certificate" || part === "all") out.push(...drawCertificate(view));
  return out;
}

/**
 * The part a site page shows (`data-activity-part` around the component); a notebook shows all.
 * @param {HTMLElement} el
 * @returns {Part}
 */
function partOf(el) {
  const holder = el.closest("[data-activity-part]");
  const value = holder ? holder.getAttribute("data-activity-part") : null;
  return value === "start" || value === "evaluation" || value === "certificate" ? value : "all";
}

/**
 * What the learner has done in an activity, for the progress page.
 * @param {import("./view.js").Part} _part
 * @param {Record<string, unknown>} state
 * @returns {import("./view.js").Status}
 */
export function status(_part, state) {
  const s = normalize(state);
  if (s.certificate) return { status: "done", text: `Certificate issued (post-test ${percent(s.certificate.score)})` };
  if (s.evaluation && s.evaluation.submitted) return { status: "started", text: "Evaluation completed" };
  return { status: "new", text: "Not started" };
}

/** @type {import("./view.js").Component} */
export default {
  render({ model, el }) {
    const part = partOf(el);
    /** @type {{view: ActivityView, cleanup: () => void}} */
    const { view, cleanup } = createView(model, el, {
      name: "activity",
      normalize,
      ui: freshUi(model.get("records")),
      draw: (v) => draw(v, part),
    });
    const onRecords = () => {
      view.ui.records = freshUi(model.get("records")).records;
      view.redraw(null);
    };
    model.on("change:records", onRecords);
    return () => {
      model.off("change:records", onRecords);
      view.ui = freshUi(null);
      cleanup();
    };
  },
  status,
};
