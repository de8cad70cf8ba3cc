// The activity's pure functions: its saved state, the post-test result it reads, what stands
// between the learner and the certificate, and its line on the progress page (web/activity.js);
// the quiz's comparison with the cohort norms (web/quiz.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import activity, {
  evaluationProblem,
  longDate,
  missing,
  normalize,
  postResult,
} from "../../src/curriculum/web/activity.js";
import { normsText } from "../../src/curriculum/web/quiz.js";

const SPEC = {
  scale: ["1", "2", "3", "4", "5"],
  likert: [
    { id: "objectives", text: "Met its objectives." },
    { id: "relevance", text: "Relevant." },
  ],
  change: { text: "Change?", choices: [{ id: "yes", text: "Yes" }] },
  bias: { text: "Bias?", choices: [{ id: "yes", text: "Yes" }] },
};

const attempt = (score, submitted = "2026-12-04T10:00:00Z") => ({ started: "x", submitted, score });

test("a damaged or foreign state becomes an empty one; text is cut to its limits", () => {
  assert.deepEqual(normalize(null), { evaluation: null, name: "", certificate: null });
  assert.deepEqual(normalize({ certificate: { name: "A", issued: "t", score: "high" } }).certificate, null);
  const state = normalize({
    name: "x".repeat(500),
    evaluation: { likert: { objectives: 4, relevance: 9, format: 2.5 }, change: "yes", comments: 7 },
  });
  assert.equal(state.name.length, 120);
  assert.deepEqual(state.evaluation && state.evaluation.likert, { objectives: 4 });
  assert.equal(state.evaluation && state.evaluation.comments, "");
  assert.equal(state.evaluation && state.evaluation.submitted, null);
});

test("the post-test is passed by any submitted attempt at the pass mark; the best score counts", () => {
  assert.deepEqual(postResult(undefined, 0.7), { attempts: 0, best: null, passed: false });
  assert.deepEqual(postResult({ attempts: [attempt(0.5), attempt(0.75)] }, 0.7), {
    attempts: 2,
    best: 0.75,
    passed: true,
  });
  // an attempt not submitted (a formative-style score) does not count
  assert.deepEqual(postResult({ attempts: [attempt(0.9, null)] }, 0.7), { attempts: 0, best: null, passed: false });
  assert.equal(postResult({ attempts: [attempt(0.69)] }, 0.7).passed, false);
});

test("the evaluation needs every statement rated and both choices made; free text is optional", () => {
  const empty = { likert: {}, change: "", change_text: "", bias: "", bias_text: "", comments: "", submitted: null };
  assert.equal(evaluationProblem(empty, SPEC), "Rate 2 statements still unrated.");
  const rated = { ...empty, likert: { objectives: 4, relevance: 5 } };
  assert.equal(evaluationProblem(rated, SPEC), "Say whether you will change your practice.");
  assert.equal(
    evaluationProblem({ ...rated, change: "yes" }, SPEC),
    "Say whether the content was free of commercial bias.",
  );
  assert.equal(evaluationProblem({ ...rated, change: "yes", bias: "yes" }, SPEC), "");
});

test("the certificate waits for a passing post-test and a submitted evaluation", () => {
  const none = normalize({});
  assert.deepEqual(missing(none, { passed: false }), ["posttest", "evaluation"]);
  assert.deepEqual(missing(none, { passed: true }), ["evaluation"]);
  const evaluated = normalize({ evaluation: { likert: {}, submitted: "2026-12-04T10:00:00Z" } });
  assert.deepEqual(missing(evaluated, { passed: false }), ["posttest"]);
  assert.deepEqual(missing(evaluated, { passed: true }), []);
});

test("the progress page: not started, evaluation completed, certificate issued", () => {
  assert.deepEqual(activity.status({ kind: "activity" }, {}, 4), { status: "new", text: "Not started" });
  assert.deepEqual(activity.status({ kind: "activity" }, { evaluation: { submitted: "t" } }, 4), {
    status: "started",
    text: "Evaluation completed",
  });
  const issued = { certificate: { name: "A", issued: "2026-12-04T10:00:00Z", score: 0.875 } };
  assert.deepEqual(activity.status({ kind: "activity" }, issued, 4), {
    status: "done",
    text: "Certificate issued (post-test 87.5%)",
  });
});

test("dates in words, and a date that is not one is left as it is", () => {
  assert.equal(longDate("2026-12-04"), "4 December 2026");
  assert.equal(longDate("not a date"), "not a date");
});

test("the cohort norms: size, mean and the learner's percentile rank, with ordinals", () => {
  const norms = { n: 12, mean: 0.625, sd: 0.2, provisional: true, percentiles: [1, 2.4, 23, 58.3, 87.5] };
  assert.equal(normsText(undefined, 3), "");
  assert.equal(
    normsText(norms, 0),
    "Cohort norms (12 learners, provisional): mean 62.5%. Your score is at about the 1st percentile.",
  );
  assert.match(normsText(norms, 1), /the 2nd percentile/);
  assert.match(normsText(norms, 2), /the 23rd percentile/);
  assert.match(normsText({ ...norms, percentiles: [11, 12, 13] }, 0), /the 11th percentile/);
  assert.equal(normsText({ ...norms, provisional: false }, 9), "Cohort norms (12 learners): mean 62.5%.");
});
