// The quiz score (web/scoring.js) on the cases the Python scorer shares (tests/data/scoring.json).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { itemCorrect, passed, score } from "../../src/curriculum/web/scoring.js";

const cases = JSON.parse(readFileSync(new URL("../data/scoring.json", import.meta.url), "utf-8"));

test("an item is correct when the selected set equals the key", () => {
  assert.ok(cases.items.length > 0);
  for (const c of cases.items) assert.equal(itemCorrect(c.answer, c.response), c.correct, c.why);
});

test("a quiz scores the share of items right, and passes at the mark", () => {
  assert.ok(cases.quizzes.length > 0);
  for (const c of cases.quizzes) {
    const value = score(c.answers, c.responses);
    assert.ok(Math.abs(value - c.score) < 1e-12, `${c.why}: ${value} != ${c.score}`);
    assert.equal(passed(value, c.pass_mark), c.passed, c.why);
  }
});

test("an empty quiz scores 0, and a response to no item counts for nothing", () => {
  assert.equal(score({}, {}), 0);
  assert.equal(score({ q1: ["a"] }, { other: ["a"] }), 0);
});

test("a response named like an Object method is not an answer", () => {
  assert.equal(score({ toString: ["a"] }, {}), 0);
  assert.equal(itemCorrect(["a"], undefined), false);
});

test("passing: a 1e-9 tolerance below the mark, and no verdict without a mark", () => {
  assert.equal(passed(0.7 - 1e-10, 0.7), true);
  assert.equal(passed(0.69, 0.7), false);
  assert.equal(passed(1, null), null);
  assert.equal(passed(1, undefined), null);
});
