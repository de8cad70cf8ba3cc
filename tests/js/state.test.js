// Whatever is stored (an old version's record, an edited file, another quiz's) becomes a state
// that fits the component: each component's `normalize`.
import assert from "node:assert/strict";
import { test } from "node:test";

import { normalize as quizState } from "../../src/curriculum/web/quiz.js";
import { normalize as vignetteState } from "../../src/curriculum/web/vignette.js";
import { normalize as spotterState } from "../../src/curriculum/web/spotter.js";
import { normalize as worksheetState } from "../../src/curriculum/web/worksheet.js";

test("quiz: anything but a list of attempts is no attempt", () => {
  for (const raw of [null, undefined, 3, "x", [], {}, { attempts: {} }])
    assert.deepEqual(quizState(raw), { attempts: [] });
});

test("quiz: each attempt keeps only well-formed fields", () => {
  const raw = {
    attempts: [
      null,
      "x",
      {
        started: "2026-01-01T00:00:00Z",
        order: { q1: ["b", 3, "a"], q2: "ab" },
        responses: { q1: ["b", null] },
        checked: ["q1", 2],
        submitted: 5,
        score: Infinity,
        results: { q1: true, q2: "yes", q3: false },
        extra: true,
      },
      {},
    ],
  };
  assert.deepEqual(quizState(raw), {
    attempts: [
      {
        started: "2026-01-01T00:00:00Z",
        order: { q1: ["b", "a"] },
        responses: { q1: ["b"] },
        checked: ["q1"],
        submitted: null,
        score: null,
        results: { q1: true, q3: false },
      },
      {
        started: "1970-01-01T00:00:00Z",
        order: {},
        responses: {},
        checked: [],
        submitted: null,
        score: null,
        results: {},
      },
    ],
  });
  assert.equal(quizState({ attempts: [{ score: 0.5, submitted: "2026-01-02T00:00:00Z" }] }).attempts[0].score, 0.5);
});

const vignette = {
  start: "one",
  nodes: {
    one: { end: false, choices: [{ next: "two" }, { next: "end" }] },
    two: { end: false, choices: [{ next: "end" }] },
    end: { end: true, choices: [] },
  },
};

test("vignette: a fresh state starts at the start", () => {
  const fresh = { path: [], at: "one", endings: {}, runs: 0 };
  for (const raw of [null, [], "x"]) assert.deepEqual(vignetteState(raw, vignette), fresh);
});

test("vignette: the path is cut where it leaves the graph", () => {
  const raw = {
    path: [
      { node: "one", choice: 0 },
      { node: "two", choice: 0 },
      { node: "one", choice: 1 },
    ],
    at: "end",
    endings: { end: 2 },
    runs: 3,
  };
  assert.deepEqual(vignetteState(raw, vignette), {
    path: [
      { node: "one", choice: 0 },
      { node: "two", choice: 0 },
    ],
    at: "end",
    endings: { end: 2 },
    runs: 3,
  });
  const wrong = vignetteState({ path: [{ node: "one", choice: 5 }], at: "two" }, vignette);
  assert.deepEqual(wrong.path, []);
  assert.equal(wrong.at, "one", "`at` follows the path kept, not the one stored");
});

test("vignette: `at` is the last step's node while its feedback shows, else where it leads", () => {
  const step = [{ node: "one", choice: 0 }];
  assert.equal(vignetteState({ path: step, at: "one" }, vignette).at, "one");
  assert.equal(vignetteState({ path: step, at: "elsewhere" }, vignette).at, "two");
});

test("vignette: endings and runs are counts of known endings", () => {
  const s = vignetteState({ path: [], at: "one", endings: { end: 1.5, gone: 2, one: -1 }, runs: "2" }, vignette);
  assert.deepEqual(s.endings, {});
  assert.equal(s.runs, 0);
  assert.deepEqual(vignetteState({ endings: { end: 4 } }, vignette).endings, { end: 4 });
});

const spotter = {
  turns: [
    { speaker: "patient", expert: null },
    { speaker: "clinician", expert: { technique: "reflection", place: "stem" } },
    { speaker: "clinician", expert: { technique: "challenge", place: "cbt" } },
  ],
};

test("spotter: only labels of marked turns, keyed by their plain index", () => {
  const raw = {
    labels: {
      0: { technique: "x", place: "stem" },
      1: { technique: "reflection", place: 7 },
      "02": { technique: "challenge", place: "cbt" },
      2: "nope",
      9: { technique: "x", place: "y" },
    },
    checked: "yes",
  };
  assert.deepEqual(spotterState(raw, spotter), {
    labels: { 1: { technique: "reflection", place: "" } },
    checked: false,
  });
});

test("spotter: a checked state keeps its tally, recomputed from the labels", () => {
  const raw = { labels: { 1: { technique: "reflection", place: "cbt" }, 2: { technique: "challenge", place: "cbt" } } };
  assert.deepEqual(spotterState({ ...raw, checked: true, result: { techniques: 0 } }, spotter).result, {
    techniques: 2,
    places: 1,
    total: 2,
  });
  assert.equal("result" in spotterState(raw, spotter), false);
});

test("worksheet: text fields only, and the time it was saved", () => {
  assert.deepEqual(worksheetState(null), { fields: {}, updated: null });
  assert.deepEqual(worksheetState({ fields: { a: "x", b: 3, c: "" }, updated: "2026-01-01T00:00:00Z" }), {
    fields: { a: "x", c: "" },
    updated: "2026-01-01T00:00:00Z",
  });
  assert.deepEqual(worksheetState({ fields: ["a"], updated: 1 }), { fields: {}, updated: null });
});
