// Mastery per objective and per subcompetency (web/mastery.js): the cases the Python side shares
// (tests/data/mastery.json), which attempt counts, and the tallies of a whole saved progress.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { latestResults, masteryOf, masteryShare, tallyMastery } from "../../src/curriculum/web/mastery.js";

const shared = JSON.parse(readFileSync(new URL("../data/mastery.json", import.meta.url), "utf-8"));

/** @param {Record<string, [number, number]>} table */
const tallies = (table) =>
  Object.fromEntries(Object.entries(table).map(([k, [correct, answered]]) => [k, { correct, answered }]));

test("the shared cases: per objective, and per subcompetency with each item once", () => {
  assert.ok(shared.cases.length >= 3);
  for (const c of shared.cases) {
    const got = tallyMastery(c.items, c.competencies, c.results);
    assert.deepEqual(got.objectives, tallies(c.objectives), c.why);
    assert.deepEqual(got.competencies, tallies(c.subcompetencies), c.why);
  }
});

test("the latest attempt with results counts; older records without results count for nothing", () => {
  const attempt = (results) => ({ started: "2026-01-01T00:00:00Z", responses: {}, ...(results ? { results } : {}) });
  assert.equal(latestResults(null), null);
  assert.equal(latestResults({ attempts: "x" }), null);
  assert.equal(latestResults({ attempts: [attempt(null), attempt({})] }), null, "saved before results existed");
  assert.deepEqual(
    latestResults({ attempts: [attempt({ q1: true, q2: true }), attempt({ q1: false }), attempt({})] }),
    { q1: false },
    "a new attempt with nothing checked yet does not hide the last results",
  );
  assert.deepEqual(latestResults({ attempts: [attempt({ q1: "yes", q2: false })] }), { q2: false });
});

test("not yet assessed is null, never 0", () => {
  assert.equal(masteryShare(undefined), null);
  assert.equal(masteryShare({ correct: 0, answered: 0 }), null);
  assert.equal(masteryShare({ correct: 0, answered: 3 }), 0);
  assert.equal(masteryShare({ correct: 3, answered: 4 }), 0.75);
});

test("a saved progress and the manifest give the tallies, with no answer key", () => {
  const manifest = {
    lessons: [
      {
        parts: [
          { key: "quiz:intro", items: { q1: ["o1"], q2: ["o2"] } },
          { key: "vignette:v", total: 2 },
        ],
        objectives: [
          { id: "o1", text: "One", competencies: ["MK4"] },
          { id: "o2", text: "Two", competencies: ["MK4", "PC4"] },
          { id: "o3", text: "Three", competencies: ["PC4"] },
        ],
      },
    ],
    other: [{ key: "quiz:extra", items: { x1: ["o3"] } }],
  };
  const records = {
    "quiz:intro": { updated: "2026-01-01T00:00:00Z", state: { attempts: [{ results: { q1: true, q2: false } }] } },
    "quiz:extra": { updated: "2026-01-01T00:00:00Z", state: { attempts: [{ responses: { x1: ["a"] } }] } },
    "vignette:v": { updated: "2026-01-01T00:00:00Z", state: { path: [], at: "one" } },
  };
  assert.deepEqual(masteryOf(manifest, records), {
    objectives: { o1: { correct: 1, answered: 1 }, o2: { correct: 0, answered: 1 } },
    competencies: { MK4: { correct: 1, answered: 2 }, PC4: { correct: 0, answered: 1 } },
  });
  assert.deepEqual(masteryOf({}, records), { objectives: {}, competencies: {} });
});

test("hostile keys stay data: an objective named __proto__ is tallied as an own entry", () => {
  const competencies = JSON.parse('{"__proto__": ["PC1"]}');
  const got = tallyMastery({ "quiz:a": { q1: ["__proto__"] } }, competencies, { "quiz:a": { q1: true } });
  assert.deepEqual(Object.keys(got.objectives), ["__proto__"]);
  assert.deepEqual(got.objectives["__proto__"], { correct: 1, answered: 1 });
  assert.deepEqual(got.competencies, { PC1: { correct: 1, answered: 1 } });
  assert.equal(Object.getPrototypeOf(got.objectives), Object.prototype);
});
