// The vignette's path rules (web/vignette.js): which parts of a debrief fit the path taken,
// and how the seminar view names the scenes.
import assert from "node:assert/strict";
import { test } from "node:test";

import { fits, sceneLabels } from "../../src/curriculum/web/vignette.js";

const visited = ["start", "middle", "good-end"];
const taken = [
  { technique: "reflection", quality: "helpful" },
  { technique: "advice", quality: "unhelpful" },
];

test("no condition fits every path", () => {
  assert.ok(fits({}, visited, taken));
  assert.ok(fits({ visited: [], not_visited: [], technique: [], quality: [] }, [], []));
});

test("visited: the path went through one of the nodes", () => {
  assert.ok(fits({ visited: ["middle"] }, visited, taken));
  assert.ok(fits({ visited: ["elsewhere", "good-end"] }, visited, taken));
  assert.ok(!fits({ visited: ["elsewhere"] }, visited, taken));
});

test("not_visited: the path went through none of the nodes", () => {
  assert.ok(fits({ not_visited: ["elsewhere"] }, visited, taken));
  assert.ok(!fits({ not_visited: ["elsewhere", "middle"] }, visited, taken));
});

test("technique and quality: one of the choices made matches", () => {
  assert.ok(fits({ technique: ["advice"] }, visited, taken));
  assert.ok(!fits({ technique: ["interpretation"] }, visited, taken));
  assert.ok(fits({ quality: ["neutral", "unhelpful"] }, visited, taken));
  assert.ok(!fits({ quality: ["neutral"] }, visited, taken));
  assert.ok(!fits({ technique: ["advice"] }, visited, []), "no choice made: a wanted technique is missing");
});

test("every condition given must hold", () => {
  assert.ok(fits({ visited: ["middle"], technique: ["reflection"], quality: ["helpful"] }, visited, taken));
  assert.ok(!fits({ visited: ["middle"], technique: ["reflection"], not_visited: ["start"] }, visited, taken));
});

test("a malformed condition (not a list) is no condition", () => {
  assert.ok(fits(/** @type {any} */ ({ visited: "middle", technique: null }), visited, taken));
});

test("scenes are numbered breadth first from the start; endings named by their outcome", () => {
  const p = /** @type {any} */ ({
    start: "a",
    nodes: {
      z: { end: true, outcome: null, choices: [] },
      c: { end: false, choices: [{ next: "z" }] },
      a: { end: false, choices: [{ next: "c" }, { next: "b" }] },
      b: { end: false, choices: [{ next: "win" }] },
      win: { end: true, outcome: "Alliance kept", choices: [] },
      orphan: { end: false, choices: [] },
    },
  });
  assert.deepEqual(sceneLabels(p), {
    order: ["a", "c", "b", "z", "win", "orphan"],
    label: { a: "Scene 1", c: "Scene 2", b: "Scene 3", z: "Ending 1", win: "Ending: Alliance kept", orphan: "Scene 4" },
  });
});
