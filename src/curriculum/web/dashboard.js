// dashboard.js: the mastery tables of the progress page (the learner's dashboard): per objective
// under each lesson, and per ACGME subcompetency grouped by domain. Each figure is written in
// words; a bar repeats it for the eye and is hidden from screen readers.

import { h } from "./dom.js";
import { percent, plural } from "./format.js";
import { masteryShare } from "./mastery.js";
import { own } from "./store.js";

/**
 * A lesson objective, as the progress manifest gives it.
 * @typedef {object} ManifestObjective
 * @property {string} id
 * @property {string} text
 * @property {string[]} competencies   ACGME subcompetency codes
 */

/**
 * A subcompetency the objectives use, as the progress manifest gives it.
 * @typedef {{code: string, name: string, domain: string}} ManifestCompetency
 */

/**
 * The mastery of one row in words: "3 of 4 correct (75%)" or "Not yet assessed".
 * @param {import("./mastery.js").Tally | null} tally
 * @returns {string}
 */
function masteryText(tally) {
  const share = masteryShare(tally);
  if (share === null || !tally) return "Not yet assessed";
  return `${tally.correct} of ${tally.answered} correct (${percent(share)})`;
}

/**
 * The mastery cell: a bar (hidden from screen readers) and the figure in words.
 * @param {import("./mastery.js").Tally | null} tally
 * @returns {HTMLElement}
 */
function masteryCell(tally) {
  const share = masteryShare(tally);
  const words = h("span", { class: "cur-mastery-figure", text: masteryText(tally) });
  if (share === null) return h("td", { class: "cur-mastery-none" }, [words]);
  const bar = h("meter", {
    class: "cur-mastery-bar",
    min: "0",
    max: "1",
    low: "0.5",
    high: "0.8",
    optimum: "1",
    value: String(share),
    "aria-hidden": "true",
  });
  return h("td", {}, [bar, words]);
}

/**
 * One row of a mastery table.
 * @typedef {{name: string, detail: string, tally: import("./mastery.js").Tally | null}} MasteryRow
 */

/**
 * A table of mastery rows, in groups with a heading row each (or one group without).
 * @param {string} caption
 * @param {[string, string]} columns   the heading of the row names and of the detail column
 * @param {{name: string, rows: MasteryRow[]}[]} groups
 * @returns {HTMLElement}
 */
function masteryTable(caption, columns, groups) {
  return h("table", { class: "cur-mastery" }, [
    h("caption", { text: caption }),
    h("thead", {}, [
      h("tr", {}, [
        h("th", { scope: "col", text: columns[0] }),
        h("th", { scope: "col", text: columns[1] }),
        h("th", { scope: "col", text: "Mastery" }),
      ]),
    ]),
    ...groups.map((group) =>
      h("tbody", {}, [
        group.name
          ? h("tr", { class: "cur-mastery-group" }, [h("th", { scope: "rowgroup", colspan: "3", text: group.name })])
          : "",
        ...group.rows.map((row) =>
          h("tr", {}, [
            h("th", { scope: "row", text: row.name }),
            h("td", { class: "cur-mastery-detail", text: row.detail }),
            masteryCell(row.tally),
          ]),
        ),
      ]),
    ),
  ]);
}

/**
 * The table of a lesson's objectives, with how well the learner answered the items on each.
 * @param {string} lesson   the lesson's title
 * @param {ManifestObjective[]} objectives
 * @param {import("./mastery.js").MasteryTallies} tallies
 * @returns {HTMLElement}
 */
export function objectivesTable(lesson, objectives, tallies) {
  return masteryTable(
    `Mastery of the objectives of ${lesson}`,
    ["Objective", "ACGME"],
    [
      {
        name: "",
        rows: objectives.map((o) => ({
          name: o.text,
          detail: o.competencies.join(", "),
          tally: own(tallies.objectives, o.id),
        })),
      },
    ],
  );
}

/**
 * The table of every subcompetency the objectives serve, grouped by ACGME domain.
 * @param {ManifestCompetency[]} competencies   in the ACGME order
 * @param {{id: string, name: string}[]} domains   in the ACGME order
 * @param {ManifestObjective[]} objectives   every lesson's
 * @param {import("./mastery.js").MasteryTallies} tallies
 * @returns {HTMLElement}
 */
export function competenciesTable(competencies, domains, objectives, tallies) {
  /** @type {Map<string, number>} */
  const serving = new Map();
  for (const o of objectives)
    for (const code of new Set(o.competencies)) serving.set(code, (serving.get(code) || 0) + 1);
  const groups = domains
    .map((domain) => ({
      name: domain.name,
      rows: competencies
        .filter((c) => c.domain === domain.id)
        .map((c) => ({
          name: `${c.code} ${c.name}`,
          detail: plural(serving.get(c.code) || 0, "objective"),
          tally: own(tallies.competencies, c.code),
        })),
    }))
    .filter((group) => group.rows.length);
  return masteryTable("Mastery per ACGME subcompetency, by competency domain", ["Subcompetency", "Objectives"], groups);
}
