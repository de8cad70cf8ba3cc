// panel.js: what the learner has done, shown by the static host: in each `.cur-progress`, the
// learner's dashboard: the progress controls (name, export, import, clear), then each lesson's
// parts with a summary and the mastery of its objectives, then mastery per ACGME
// subcompetency; and the marks in the quiz list and the case library (`data-cur-record`).

import { isPlainObject, log } from "./base.js";
import { button, confirmBox, h, uid } from "./dom.js";
import { countOf, plural } from "./format.js";
import { downloadText, safeFileName } from "./files.js";
import {
  MAX_IMPORT_BYTES,
  own,
  defaultSite,
  exportProgress,
  importProgress,
  kindOf,
  MAX_NAME,
  page,
  refreshViews,
  storeFor,
} from "./store.js";
import { masteryOf, masteryShare } from "./mastery.js";
import { competenciesTable, objectivesTable } from "./dashboard.js";

/**
 * A lesson, or any unit the dashboard shows as a section of parts with objectives.
 * @typedef {object} Unit
 * @property {string} title
 * @property {string} [url]
 * @property {import("./view.js").Part[]} parts
 * @property {import("./dashboard.js").ManifestObjective[]} [objectives]
 */

/**
 * The lessons, their parts and objectives (progress-manifest.js, written by the build).
 * @typedef {object} Manifest
 * @property {Unit[]} lessons   in order
 * @property {import("./view.js").Part[]} [other]   parts no lesson lists
 * @property {import("./dashboard.js").ManifestCompetency[]} [competencies]   in the ACGME order
 * @property {{id: string, name: string}[]} [domains]   in the ACGME order
 */

/**
 * A place that shows what was done in one part.
 * @typedef {object} Mark
 * @property {Element} node
 * @property {string} key
 * @property {string} site
 * @property {string} label
 * @property {import("./view.js").Part} part
 */

const STATUS_ICONS = { done: "✓", started: "◐", new: "○" };

/**
 * What the learner has done in one part, from its saved record.
 * @param {import("./view.js").Part} part
 * @param {import("./store.js").ProgressRecord | null} record  the saved record, or null
 * @returns {import("./view.js").Status}
 */
export function partStatus(part, record) {
  const state = record && isPlainObject(record.state) ? record.state : null;
  const total = Number(part.total) > 0 ? Number(part.total) : 0;
  if (!state) return { status: "new", text: "Not started" };
  const component = own(page.components, part.kind);
  return component ? component.status(part, state, total) : { status: "started", text: "Saved" };
}

/**
 * A status as icon (hidden from screen readers: the words say it) and words.
 * @param {import("./view.js").Status} st
 * @returns {HTMLElement[]}
 */
function statusNodes(st) {
  return [
    h("span", { class: "cur-status-icon", "aria-hidden": "true", text: STATUS_ICONS[st.status] || "•" }),
    h("span", { class: "cur-status-text", text: st.text }),
  ];
}

/**
 * The lessons and their parts (progress-manifest.js): already on the page (Quarto includes
 * it), or loaded once as a classic script from the site's root (which works from file://
 * too). Resolves to null when there is none (a page outside the site, a copy without it).
 * @returns {Promise<Manifest | null>}
 */
function loadManifest() {
  if (page.manifest) return page.manifest;
  page.manifest = new Promise((resolve) => {
    const ready = () => {
      const manifest = window.CURRICULUM_MANIFEST;
      return isPlainObject(manifest) ? /** @type {Manifest} */ (/** @type {unknown} */ (manifest)) : null;
    };
    const root = document.documentElement.getAttribute("data-root");
    if (ready() || root === null) {
      resolve(ready());
      return;
    }
    const script = document.createElement("script");
    script.src = `${root}progress-manifest.js`;
    script.onload = () => resolve(ready());
    script.onerror = () => {
      log("warn", "the list of lessons (progress-manifest.js) could not be loaded");
      resolve(null);
    };
    document.head.appendChild(script);
  });
  return page.manifest;
}

/**
 * Fill the marks of what was done (quiz list, case library) from the saved progress.
 */
function refreshMarks() {
  for (const mark of page.marks) {
    const st = partStatus(mark.part, storeFor(mark.site).get(mark.key));
    mark.node.classList.remove("cur-record-done", "cur-record-started", "cur-record-new");
    mark.node.classList.add(`cur-record-${st.status}`);
    mark.node.replaceChildren(
      mark.label ? h("span", { class: "cur-record-label", text: mark.label }) : "",
      ...statusNodes(st),
    );
  }
}

/**
 * Bring every panel and mark of `site` in step with its saved progress.
 * @param {string} site
 */
export function refreshProgress(site) {
  for (const panel of page.panels) if (panel.site === site) panel.update();
  refreshMarks();
}

/**
 * Draw the progress controls into one `.cur-progress` element.
 * @param {Element} node
 */
export function mountPanel(node) {
  if (node.hasAttribute("data-cur-mounted")) return;
  node.setAttribute("data-cur-mounted", "");
  const site = node.getAttribute("data-site") || defaultSite();
  const store = storeFor(site);
  const level = Math.min(Math.max(Number(node.getAttribute("data-heading-level")) || 2, 2), 6);
  const headingId = uid("progress");
  const status = h("p", { class: "cur-panel-status", role: "status", "aria-live": "polite" });
  const notice = h("p", { class: "cur-notice", hidden: true });
  const slot = h("div", { class: "cur-confirm-slot" });
  const say = (/** @type {string} */ text) => {
    status.textContent = "";
    window.setTimeout(() => {
      status.textContent = text;
    }, 60);
  };
  const input = /** @type {HTMLInputElement} */ (
    h("input", {
      type: "file",
      accept: ".json,application/json",
      hidden: true,
      "aria-label": "Progress file to import",
    })
  );
  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    if (file.size > MAX_IMPORT_BYTES) {
      say("This file is too large to be a progress file. Nothing was imported.");
      return;
    }
    file.text().then(
      (text) => {
        say(importProgress(text, site).message);
        refreshProgress(site);
      },
      () => say("The file could not be read. Nothing was imported."),
    );
  });
  const clearButton = button(
    "Clear my progress…",
    () => {
      slot.replaceChildren(
        confirmBox({
          key: "clear-progress",
          message: "Delete every saved answer on this site in this browser? Export first if you want a copy.",
          yes: "Delete my progress",
          no: "Cancel",
          danger: true,
          onYes: () => {
            store.clear();
            slot.replaceChildren();
            refreshViews(site);
            refreshProgress(site);
            clearButton.focus();
            say("Your saved progress on this site was deleted from this browser.");
          },
          onNo: () => {
            slot.replaceChildren();
            clearButton.focus();
          },
        }),
      );
      const cancel = slot.querySelector('[data-key="clear-progress:no"]');
      if (cancel instanceof HTMLElement) cancel.focus();
    },
    { key: "clear-progress", danger: true },
  );
  const nameId = uid("learner");
  const nameHelpId = uid("learner-help");
  const nameInput = /** @type {HTMLInputElement} */ (
    h("input", {
      type: "text",
      id: nameId,
      class: "cur-text cur-learner-name",
      autocomplete: "name",
      maxlength: String(MAX_NAME),
      spellcheck: "false",
      value: store.learner(),
      "aria-describedby": nameHelpId,
      "data-key": "learner",
    })
  );
  nameInput.addEventListener("change", () => {
    const saved = store.setLearner(nameInput.value);
    const name = store.learner();
    nameInput.value = name;
    if (!saved) say("Your name could not be saved in this browser.");
    else say(name ? `Your name is saved as “${name}”.` : "Your name was removed from your progress.");
  });
  const nameField = h("div", { class: "cur-field cur-learner" }, [
    h("label", { for: nameId, text: "Your name (optional)" }),
    h("p", {
      id: nameHelpId,
      class: "cur-help cur-meta",
      text: "Kept with your progress and written into the file you export, so that your faculty's report can name you. Leave it empty to stay anonymous.",
    }),
    nameInput,
  ]);
  const summary = h("p", { class: "cur-progress-summary" });
  const list = h("div", { class: "cur-progress-list" }, [
    h("p", { class: "cur-meta", text: "Loading the list of lessons…" }),
  ]);
  /** @type {Manifest | null} */
  let manifest = null;
  const panel = h("section", { class: "cur-progress-panel", "aria-labelledby": headingId }, [
    h(`h${level}`, { id: headingId, class: "cur-panel-heading", text: "Saved in this browser" }),
    h("p", {
      text: "Your answers are saved in this browser only. Export them to keep a copy or to continue on another computer.",
    }),
    notice,
    nameField,
    summary,
    h("div", { class: "cur-actions" }, [
      button(
        "Export progress",
        () => {
          const name = `${site}-progress.json`;
          downloadText(name, `${JSON.stringify(exportProgress(site), null, 2)}\n`, "application/json");
          say(`Your progress was saved as ${safeFileName(name)}.`);
        },
        { key: "export-progress" },
      ),
      button("Import progress…", () => input.click(), { key: "import-progress" }),
      clearButton,
    ]),
    input,
    slot,
    status,
    list,
  ]);
  const drawList = () => {
    const drawn = progressList(store.records(), manifest, Math.min(level + 1, 6));
    list.replaceChildren(...drawn.nodes);
    summary.textContent = drawn.total
      ? `You have finished ${drawn.done} of ${plural(drawn.total, "part")}` +
        (drawn.started ? `, and started ${drawn.started} more.` : ".")
      : "";
    summary.hidden = !drawn.total;
  };
  const update = () => {
    drawList();
    if (document.activeElement !== nameInput) nameInput.value = store.learner();
    const problem = store.memoryOnly
      ? "This browser does not let the site save your answers: they will be lost when you close the page. Export them before you leave."
      : store.problem === "full"
        ? "This browser's storage is full: new answers are not saved. Export your progress now."
        : store.problem === "damaged"
          ? "Your saved progress in this browser was damaged and could not be read; a copy was kept. You can import an exported progress file."
          : "";
    notice.textContent = problem;
    notice.hidden = !problem;
  };
  update();
  page.panels.push({ site, update });
  node.replaceChildren(panel);
  loadManifest().then((loaded) => {
    manifest = loaded;
    drawList();
  });
}

/**
 * The dashboard's sections: each lesson's parts with what was done in each, a summary and the
 * mastery of its objectives; parts of no lesson; parts the list does not know (saved by another
 * version of the site), under their key; then mastery per ACGME subcompetency.
 * @param {Record<string, import("./store.js").ProgressRecord>} records  the saved progress
 * @param {Manifest | null} manifest  the lessons and their parts, or null
 * @param {number} level  the heading level of a lesson
 * @returns {{nodes: HTMLElement[], done: number, started: number, total: number}}
 */
function progressList(records, manifest, level) {
  const root = document.documentElement.getAttribute("data-root") || "";
  const counts = { done: 0, started: 0, total: 0 };
  const known = new Set();
  const tallies = manifest ? masteryOf(manifest, records) : { objectives: {}, competencies: {} };
  /** @param {import("./view.js").Part} part */
  const item = (part) => {
    const st = partStatus(part, records[/** @type {string} */ (part.key)] || null);
    known.add(part.key);
    counts.total += 1;
    if (st.status === "done") counts.done += 1;
    if (st.status === "started") counts.started += 1;
    const title = String(part.title || part.key);
    const kind = own(page.kinds, part.kind);
    return {
      status: st.status,
      node: h("li", { class: ["cur-part", `cur-record-${st.status}`] }, [
        h("span", { class: "cur-part-kind", text: kind ? kind.label : "Part" }),
        " ",
        part.url ? h("a", { href: root + String(part.url), text: title }) : h("span", { text: title }),
        h("span", { class: "cur-part-status" }, statusNodes(st)),
      ]),
    };
  };
  /**
   * One section: its heading, a summary, its parts and the mastery of its objectives.
   * @param {Unit} unit   its parts and objectives already checked to be objects
   * @returns {HTMLElement[]}
   */
  const section = (unit) => {
    const objectives = unit.objectives || [];
    if (!unit.parts.length && !objectives.length) return [];
    const drawn = unit.parts.map(item);
    const title = String(unit.title);
    const done = drawn.filter((d) => d.status === "done").length;
    const started = drawn.filter((d) => d.status === "started").length;
    const assessed = objectives.filter((o) => masteryShare(own(tallies.objectives, String(o.id))) !== null).length;
    const said = [];
    if (drawn.length)
      said.push(`Finished ${countOf(done, drawn.length, "part")}${started ? `, started ${started} more` : ""}.`);
    if (objectives.length) said.push(`Objectives assessed: ${assessed} of ${objectives.length}.`);
    const out = [
      h(`h${level}`, { class: "cur-progress-lesson" }, [
        unit.url ? h("a", { href: root + unit.url, text: title }) : title,
      ]),
      h("p", { class: "cur-lesson-summary", text: said.join(" ") }),
    ];
    if (drawn.length)
      out.push(
        h(
          "ul",
          { class: "cur-parts" },
          drawn.map((d) => d.node),
        ),
      );
    if (objectives.length) out.push(objectivesTable(title, objectives, tallies));
    return out;
  };
  /** @type {HTMLElement[]} */
  const nodes = [];
  /** @type {import("./dashboard.js").ManifestObjective[]} */
  const everyObjective = [];
  if (manifest) {
    for (const lesson of Array.isArray(manifest.lessons) ? manifest.lessons : []) {
      if (isPlainObject(lesson) && Array.isArray(lesson.parts)) {
        const objectives = Array.isArray(lesson.objectives) ? lesson.objectives.filter(isPlainObject) : [];
        everyObjective.push(...objectives);
        nodes.push(
          ...section({
            title: String(lesson.title),
            url: String(lesson.url || ""),
            parts: lesson.parts.filter(isPlainObject),
            objectives,
          }),
        );
      }
    }
    const other = Array.isArray(manifest.other) ? manifest.other.filter(isPlainObject) : [];
    nodes.push(...section({ title: "Other practice", parts: other }));
  }
  const unknown = Object.keys(records)
    .filter((k) => !known.has(k))
    .sort()
    .map((key) => ({ key, kind: kindOf(key), title: page.titles.get(key) || key }));
  nodes.push(...section({ title: manifest ? "Other saved work" : "Saved work", parts: unknown }));
  if (!nodes.length) nodes.push(h("p", { class: "cur-meta", text: "Nothing is saved in this browser yet." }));
  const competencies =
    manifest && Array.isArray(manifest.competencies) ? manifest.competencies.filter(isPlainObject) : [];
  const domains = manifest && Array.isArray(manifest.domains) ? manifest.domains.filter(isPlainObject) : [];
  if (competencies.length) {
    nodes.push(
      h(`h${level}`, { class: "cur-progress-competencies", text: "Mastery per ACGME subcompetency" }),
      h("p", {
        class: "cur-lesson-summary",
        text: "Each item counts once towards every subcompetency its objectives serve.",
      }),
      competenciesTable(competencies, domains, everyObjective, tallies),
    );
  }
  return { nodes, ...counts };
}

/**
 * Remember the places that show what was done in one part (`data-cur-record`).
 * @param {ParentNode} scope
 */
export function mountMarks(scope) {
  for (const node of scope.querySelectorAll("[data-cur-record]")) {
    if (node.hasAttribute("data-cur-mounted")) continue;
    node.setAttribute("data-cur-mounted", "");
    const key = node.getAttribute("data-cur-record") || "";
    const pass = Number(node.getAttribute("data-cur-pass"));
    page.marks.push({
      node,
      key,
      site: defaultSite(),
      label: node.getAttribute("data-cur-label") || "",
      part: {
        kind: kindOf(key),
        total: Number(node.getAttribute("data-cur-total")) || 0,
        quiz: node.getAttribute("data-cur-quiz") || "",
        pass: pass > 0 ? pass : null,
      },
    });
  }
  refreshMarks();
}
