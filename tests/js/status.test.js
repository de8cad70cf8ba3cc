// What the progress page and the quiz list say the learner has done (each component's `status`,
// read by web/panel.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import quiz from "../../src/curriculum/web/quiz.js";
import spotter from "../../src/curriculum/web/spotter.js";
import vignette from "../../src/curriculum/web/vignette.js";
import worksheet from "../../src/curriculum/web/worksheet.js";

const attempt = (fields) => ({ started: "2026-01-01T00:00:00Z", order: {}, responses: {}, checked: [], ...fields });

test("quiz: not started, checked, finished with the best score and the pass mark", () => {
  const part = { kind: "quiz", quiz: "formative", pass: 0.7 };
  assert.deepEqual(quiz.status(part, { attempts: [] }, 10), { status: "new", text: "Not started" });
  assert.deepEqual(quiz.status(part, { attempts: [attempt({})] }, 10), { status: "new", text: "Not started" });
  assert.deepEqual(quiz.status(part, { attempts: [attempt({ checked: ["a", "b"] })] }, 10), {
    status: "started",
    text: "2 of 10 items checked",
  });
  const done = { attempts: [attempt({ score: 0.9 }), attempt({ score: 0.6 })] };
  assert.deepEqual(quiz.status(part, done, 10), {
    status: "done",
    text: "Finished: 6 of 10 correct (60%), not yet passed; best 90%",
  });
  assert.deepEqual(quiz.status({ kind: "quiz" }, { attempts: [attempt({ score: 1 })] }, 0), {
    status: "done",
    text: "Finished: (100%)",
  });
});

test("quiz: a test counts answers; a summative one is done once the file is downloaded", () => {
  const responses = { q1: ["a"], q2: [], q3: ["b", "c"] };
  assert.deepEqual(quiz.status({ kind: "quiz", quiz: "pretest" }, { attempts: [attempt({ responses })] }, 3), {
    status: "started",
    text: "2 of 3 items answered",
  });
  const summative = { kind: "quiz", quiz: "summative" };
  assert.deepEqual(quiz.status(summative, { attempts: [attempt({ responses })] }, 0), {
    status: "started",
    text: "2 items answered",
  });
  assert.deepEqual(quiz.status(summative, { attempts: [attempt({ submitted: "2026-01-02T00:00:00Z" })] }, 3), {
    status: "done",
    text: "Response file downloaded",
  });
});

test("vignette: endings reached, or choices made", () => {
  const part = { kind: "vignette" };
  assert.deepEqual(vignette.status(part, { path: [], endings: { a: 1, b: 0 } }, 3), {
    status: "done",
    text: "1 of 3 endings reached",
  });
  assert.deepEqual(vignette.status(part, { path: [{}, {}], endings: {} }, 3), {
    status: "started",
    text: "In progress: 2 choices made",
  });
  assert.deepEqual(vignette.status(part, { path: [] }, 3), { status: "new", text: "Not started" });
});

test("spotter: checked with its tally, or turns labelled", () => {
  const part = { kind: "spotter" };
  assert.deepEqual(spotter.status(part, { checked: true, result: { techniques: 2, places: 3, total: 4 } }, 4), {
    status: "done",
    text: "Checked: 2 of 4 techniques, 3 of 4 places right",
  });
  assert.deepEqual(spotter.status(part, { checked: true }, 4), { status: "done", text: "Labels checked" });
  const labels = { 1: { technique: "x", place: "" }, 2: { technique: "", place: "" } };
  assert.deepEqual(spotter.status(part, { labels }, 4), { status: "started", text: "1 of 4 marked turns labelled" });
  assert.deepEqual(spotter.status(part, { labels: {} }, 4), { status: "new", text: "Not started" });
});

test("worksheet: every field written, some, or none", () => {
  const part = { kind: "worksheet" };
  assert.deepEqual(worksheet.status(part, { fields: { a: "x", b: "y" } }, 2), {
    status: "done",
    text: "All 2 fields written",
  });
  assert.deepEqual(worksheet.status(part, { fields: { a: "x" } }, 1), { status: "done", text: "Written" });
  assert.deepEqual(worksheet.status(part, { fields: { a: "x", b: " " } }, 2), {
    status: "started",
    text: "1 of 2 fields written",
  });
  assert.deepEqual(worksheet.status(part, { fields: { a: "x" } }, 0), { status: "started", text: "1 field written" });
  assert.deepEqual(worksheet.status(part, { fields: {} }, 2), { status: "new", text: "Not started" });
});
