// The rules of the static host's progress file (web/store.js): which records it reads, and how
// an import merges with what the learner has.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  CLOCK_SKEW_MS,
  ISO_TIME,
  RECORD_KEY,
  learnerName,
  listKeys,
  MAX_NAME,
  matches,
  mergeRecords,
  readProgress,
  validRecord,
} from "../../src/curriculum/web/store.js";

// The state shapes as the registry (curriculum.kinds) gives them to the static host;
// tests/web/test_state_shapes.py checks the real ones against Python's check.
const kinds = {
  quiz: {
    noun: "quiz",
    label: "Quiz",
    state: {
      type: "object",
      required: ["attempts"],
      properties: { attempts: { type: "array", items: { type: "object" } } },
    },
  },
  vignette: {
    noun: "case vignette",
    label: "Case",
    state: {
      type: "object",
      required: ["path", "at"],
      properties: { path: { type: "array" }, at: { type: "string" } },
    },
  },
  worksheet: {
    noun: "worksheet",
    label: "Worksheet",
    state: {
      type: "object",
      required: ["fields"],
      properties: { fields: { type: "object", additionalProperties: { type: "string" } } },
    },
  },
};
const T = "2026-11-23T10:00:00Z";
const record = (state, updated = T) => ({ updated, state });

test("a record key is `kind:id`, both plain", () => {
  for (const key of ["quiz:intro", "worksheet:thought-record", "quiz:a.b_c-1", `x:${"a".repeat(200)}`]) {
    assert.match(key, RECORD_KEY);
  }
  for (const key of [
    "quiz",
    ":intro",
    "Quiz:intro",
    "quiz:",
    "quiz:a b",
    "quiz:<x>",
    "1quiz:a",
    `quiz:${"a".repeat(201)}`,
  ]) {
    assert.doesNotMatch(key, RECORD_KEY);
  }
});

test("a record needs a known key shape, a date and a state its component accepts", () => {
  assert.ok(validRecord("quiz:intro", record({ attempts: [] }), kinds));
  assert.ok(validRecord("vignette:v", record({ path: [], at: "start" }), kinds));
  assert.ok(validRecord("spotter:s", record({ anything: 1 }), kinds), "any object, for a kind this site lacks");
  assert.ok(validRecord("worksheet:w", record({ fields: { a: "text" } }), kinds));
  assert.ok(!validRecord("quiz intro", record({ attempts: [] }), kinds));
  assert.ok(!validRecord("quiz:intro", record({ attempts: [1] }), kinds));
  assert.ok(!validRecord("quiz:intro", { state: { attempts: [] } }, kinds));
  assert.ok(!validRecord("quiz:intro", record({ attempts: [] }, "yesterday"), kinds));
  assert.ok(!validRecord("quiz:intro", record([]), kinds));
  assert.ok(!validRecord("vignette:v", record({ path: [], at: 3 }), kinds));
  assert.ok(!validRecord("worksheet:w", record({ fields: { a: 3 } }), kinds));
  assert.ok(!validRecord("quiz:intro", null, kinds));
});

test("matches: the JSON Schema keywords the state shapes use", () => {
  const shape = {
    type: "object",
    required: ["a"],
    properties: { a: { type: "array", items: { type: ["string", "null"] } }, n: { type: "integer" } },
    additionalProperties: false,
  };
  assert.ok(matches(shape, { a: ["x", null] }));
  assert.ok(matches(shape, { a: [], n: 3 }));
  assert.ok(!matches(shape, { a: [3] }), "items");
  assert.ok(!matches(shape, { n: 3 }), "required");
  assert.ok(!matches(shape, { a: [], n: 1.5 }), "integer");
  assert.ok(!matches(shape, { a: [], other: 1 }), "no other property");
  assert.ok(!matches(shape, [["x"]]) && !matches(shape, null), "an array or null is not an object");
  assert.ok(matches({ type: "number" }, 2.5) && !matches({ type: "number" }, NaN));
  assert.ok(matches({ type: "boolean" }, false) && !matches({ type: "boolean" }, 0));
  assert.ok(matches(true, 1) && !matches(false, 1));
  assert.ok(matches({ properties: { constructor: { type: "string" } } }, { toString: 1 }), "own properties only");
});

test("a progress file of another format, version or site is refused whole", () => {
  const file = { format: "curriculum-progress", version: 1, site: "s", records: {} };
  assert.equal(readProgress(null, "s", kinds).error, "This is not a curriculum progress file.");
  assert.equal(readProgress({ ...file, format: "x" }, "s", kinds).error, "This is not a curriculum progress file.");
  assert.match(readProgress({ ...file, version: 2 }, "s", kinds).error, /has version 2; this site reads version 1/);
  assert.match(
    readProgress(file, "other", kinds).error,
    /belongs to another site \(“s”\), not to this one \(“other”\)/,
  );
  assert.equal(readProgress({ ...file, records: [] }, "s", kinds).error, "This progress file has no records.");
  assert.deepEqual(readProgress({ ...file, site: undefined }, "s", kinds), { records: {}, learner: "", ignored: [] });
});

test("the learner's name: text on one line, at most MAX_NAME characters; anything else is no name", () => {
  const file = { format: "curriculum-progress", version: 1, site: "s", records: {} };
  assert.equal(readProgress({ ...file, learner: "  Jo\n\tExample\u0000 " }, "s", kinds).learner, "Jo Example");
  assert.equal(
    readProgress({ ...file, learner: "<img src=x onerror=alert(1)>" }, "s", kinds).learner,
    "<img src=x onerror=alert(1)>",
  );
  for (const learner of [null, 3, ["Jo"], { name: "Jo" }])
    assert.equal(readProgress({ ...file, learner }, "s", kinds).learner, "");
  assert.equal(learnerName("x".repeat(MAX_NAME + 50)).length, MAX_NAME);
});

test("records of an unexpected shape are ignored and named; the others are kept, trimmed", () => {
  const read = readProgress(
    {
      format: "curriculum-progress",
      version: 1,
      site: "s",
      records: {
        "quiz:a": { updated: T, state: { attempts: [] }, extra: "dropped" },
        "quiz:b": { updated: T, state: { attempts: "no" } },
        "not a key": { updated: T, state: {} },
      },
    },
    "s",
    kinds,
  );
  assert.deepEqual(read.records, { "quiz:a": record({ attempts: [] }) });
  assert.deepEqual(read.ignored, ["quiz:b", "not a key"]);
});

test("the dates an import accepts: ISO 8601 with a zone, as both hosts write them", () => {
  for (const t of [T, "2026-11-23T10:00Z", "2026-11-23T10:00:00.123456Z", "2026-11-23T10:00:00+01:00"]) {
    assert.match(t, ISO_TIME);
  }
  for (const t of ["2026-11-23", "2026-11-23T10:00:00", "2026-11-23 10:00:00Z", "Mon, 23 Nov 2026 10:00:00 GMT"]) {
    assert.doesNotMatch(t, ISO_TIME);
  }
});

test("an import: the later record wins, an equal one keeps the learner's", () => {
  const have = {
    "quiz:older": record({ attempts: [] }, "2026-01-01T00:00:00Z"),
    "quiz:newer": record({ attempts: [] }, "2026-06-01T00:00:00Z"),
    "quiz:same": record({ mine: true }, T),
  };
  const incoming = {
    "quiz:older": record({ theirs: 1 }, "2026-02-01T00:00:00Z"),
    "quiz:newer": record({ theirs: 2 }, "2026-05-01T00:00:00Z"),
    "quiz:same": record({ theirs: 3 }, "2026-11-23T11:00:00+01:00"),
    "quiz:new": record({ theirs: 4 }, T),
  };
  const now = Date.parse("2026-12-01T00:00:00Z");
  assert.deepEqual(mergeRecords(have, incoming, now), {
    imported: ["quiz:older", "quiz:new"],
    kept: ["quiz:newer", "quiz:same"],
    undated: [],
  });
  assert.deepEqual(have["quiz:older"].state, { theirs: 1 });
  assert.deepEqual(have["quiz:same"].state, { mine: true });
  assert.deepEqual(have["quiz:new"].state, { theirs: 4 });
});

test("an import leaves out records dated in the future or not dated as the hosts date them", () => {
  const now = Date.parse(T);
  const have = {};
  const incoming = {
    "quiz:skew": record({}, new Date(now + CLOCK_SKEW_MS).toISOString()),
    "quiz:future": record({}, new Date(now + CLOCK_SKEW_MS + 1000).toISOString()),
    "quiz:local": record({}, "2026-11-23T09:00:00"),
    "quiz:date": record({}, "2026-11-23"),
  };
  assert.deepEqual(mergeRecords(have, incoming, now), {
    imported: ["quiz:skew"],
    kept: [],
    undated: ["quiz:future", "quiz:local", "quiz:date"],
  });
  assert.deepEqual(Object.keys(have), ["quiz:skew"]);
});

test("a message names at most five records, by title where known, each cut at 60 characters", () => {
  const keys = ["quiz:a", "quiz:b", "quiz:c", "quiz:d", "quiz:e", "quiz:f", "quiz:g"];
  assert.equal(listKeys(keys, null), "quiz:a, quiz:b, quiz:c, quiz:d, quiz:e and 2 more");
  assert.equal(listKeys(["quiz:a", "quiz:b"], new Map([["quiz:a", "Intro"]])), "Intro, quiz:b");
  assert.equal(listKeys([`quiz:${"x".repeat(70)}`], null), `quiz:${"x".repeat(54)}…`);
});
