// mastery.js: the learner's mastery per objective and per ACGME subcompetency, for the
// dashboard (docs/components.md, "Dashboard"). Pure functions; curriculum.assess computes the
// same for JupyterLab (tests/data/mastery.json holds the cases both sides must agree on).
//
// Mastery of an objective is the share of correct answers to the items mapped to it, in each
// quiz's latest attempt that has results. The answer key never reaches this page: a quiz
// records, per item, whether the answer was correct when the learner saw its feedback (the
// attempt's `results`). A subcompetency is reached through the objectives: an item counts
// towards each subcompetency of its objectives, once.

import { isPlainObject } from "./base.js";
import { own } from "./store.js";

/**
 * Correct answers out of answered items.
 * @typedef {{correct: number, answered: number}} Tally
 */

/**
 * The tallies per objective id and per subcompetency code.
 * @typedef {object} MasteryTallies
 * @property {Record<string, Tally>} objectives
 * @property {Record<string, Tally>} competencies
 */

/**
 * The results of a quiz's latest attempt that has any: item id to whether it was answered
 * correctly; null when no attempt has results (nothing checked or submitted yet, or only
 * attempts saved before quizzes recorded results).
 * @param {unknown} state   a quiz's saved state, as stored or imported
 * @returns {Record<string, boolean> | null}
 */
export function latestResults(state) {
  if (!isPlainObject(state) || !Array.isArray(state.attempts)) return null;
  for (let i = state.attempts.length - 1; i >= 0; i -= 1) {
    const attempt = state.attempts[i];
    if (!isPlainObject(attempt) || !isPlainObject(attempt.results)) continue;
    /** @type {Record<string, boolean>} */
    const out = {};
    for (const [item, correct] of Object.entries(attempt.results)) {
      if (typeof correct === "boolean") out[item] = correct;
    }
    if (Object.keys(out).length) return out;
  }
  return null;
}

/**
 * Add one answer to the tally under `key`.
 * @param {Record<string, Tally>} table
 * @param {string} key
 * @param {boolean} correct
 */
function addAnswer(table, key, correct) {
  const tally = own(table, key) ?? { correct: 0, answered: 0 };
  tally.answered += 1;
  if (correct) tally.correct += 1;
  table[key] = tally;
}

/**
 * Tally the answers per objective and per subcompetency. Results for an item the map does
 * not know (a quiz changed since the answer) are left out.
 * @param {Record<string, Record<string, string[]>>} items   quiz key to item id to objective ids
 * @param {Record<string, string[]>} competencies   objective id to its subcompetency codes
 * @param {Record<string, Record<string, boolean>>} results   quiz key to item id to correct
 * @returns {MasteryTallies}
 */
export function tallyMastery(items, competencies, results) {
  /** @type {MasteryTallies} */
  const out = { objectives: Object.create(null), competencies: Object.create(null) };
  for (const [quiz, answers] of Object.entries(results)) {
    const map = own(items, quiz);
    if (!map) continue;
    for (const [item, correct] of Object.entries(answers)) {
      const objectives = own(map, item);
      if (!Array.isArray(objectives)) continue;
      /** @type {Set<string>} */
      const codes = new Set();
      for (const objective of new Set(objectives)) {
        addAnswer(out.objectives, objective, correct);
        const mapped = own(competencies, objective) ?? [];
        for (const code of mapped) codes.add(code);
      }
      for (const code of codes) addAnswer(out.competencies, code, correct);
    }
  }
  return { objectives: { ...out.objectives }, competencies: { ...out.competencies } };
}

/**
 * The share correct, or null when nothing was answered ("not yet assessed").
 * @param {Tally | null | undefined} tally
 * @returns {number | null}
 */
export function masteryShare(tally) {
  return tally && tally.answered > 0 ? tally.correct / tally.answered : null;
}

/**
 * The mastery tallies of a learner's saved progress, with the maps the progress manifest gives.
 * @param {{lessons?: unknown, other?: unknown}} manifest   the progress manifest
 * @param {Record<string, {state?: unknown}>} records   the saved records, by key
 * @returns {MasteryTallies}
 */
export function masteryOf(manifest, records) {
  /** @type {Record<string, Record<string, string[]>>} */
  const items = {};
  /** @type {Record<string, string[]>} */
  const competencies = {};
  const lessons = Array.isArray(manifest.lessons) ? manifest.lessons.filter(isPlainObject) : [];
  const other = Array.isArray(manifest.other) ? manifest.other.filter(isPlainObject) : [];
  for (const part of [...lessons.flatMap((l) => (Array.isArray(l.parts) ? l.parts : [])), ...other]) {
    if (isPlainObject(part) && typeof part.key === "string" && isPlainObject(part.items)) {
      items[part.key] = /** @type {Record<string, string[]>} */ (part.items);
    }
  }
  for (const lesson of lessons) {
    for (const objective of Array.isArray(lesson.objectives) ? lesson.objectives : []) {
      if (isPlainObject(objective) && typeof objective.id === "string" && Array.isArray(objective.competencies)) {
        competencies[objective.id] = objective.competencies.filter((c) => typeof c === "string");
      }
    }
  }
  /** @type {Record<string, Record<string, boolean>>} */
  const results = {};
  for (const key of Object.keys(items)) {
    const record = own(records, key);
    const latest = record ? latestResults(record.state) : null;
    if (latest) results[key] = latest;
  }
  return tallyMastery(items, competencies, results);
}
