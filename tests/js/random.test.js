// Seeded shuffling (web/random.js): an attempt's option order can be drawn again from its seed.
import assert from "node:assert/strict";
import { test } from "node:test";

import { drawOrder, hashString, seededRandom, shuffle } from "../../src/curriculum/web/random.js";

test("hashString is 32-bit FNV-1a", () => {
  assert.equal(hashString(""), 0x811c9dc5);
  assert.equal(hashString("a"), 0xe40c292c);
  assert.equal(hashString("foobar"), 0xbf9cf968);
});

test("seededRandom repeats for a seed, differs between seeds, stays in [0, 1)", () => {
  const a = seededRandom("seed");
  const b = seededRandom("seed");
  const c = seededRandom("other");
  const first = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(
    first,
    Array.from({ length: 1000 }, () => b()),
  );
  assert.notDeepEqual(
    first.slice(0, 10),
    Array.from({ length: 10 }, () => c()),
  );
  assert.ok(first.every((x) => x >= 0 && x < 1));
  assert.ok(new Set(first).size > 990, "no short cycle");
  assert.equal(seededRandom(42)(), seededRandom(42)(), "a number seed works too");
});

test("shuffle returns a new permutation, the same for the same seed", () => {
  const items = ["a", "b", "c", "d", "e", "f"];
  const once = shuffle(items, "x");
  assert.deepEqual([...once].sort(), items);
  assert.deepEqual(shuffle(items, "x"), once);
  assert.deepEqual(items, ["a", "b", "c", "d", "e", "f"], "the input is not changed");
  const orders = new Set(Array.from({ length: 50 }, (_, i) => shuffle(items, `seed-${i}`).join("")));
  assert.ok(orders.size > 40, "different seeds give different orders");
  assert.deepEqual(shuffle([], "x"), []);
});

const items = [
  { id: "q1", options: [{ id: "a" }, { id: "b" }, { id: "c" }, { id: "d" }] },
  { id: "q2", options: [{ id: "a" }, { id: "b" }] },
  { id: "q3", options: [{ id: "a" }] },
];

test("drawOrder keeps the authored order when the quiz does not shuffle", () => {
  assert.deepEqual(drawOrder(items, "s", null, false), { q1: ["a", "b", "c", "d"], q2: ["a", "b"], q3: ["a"] });
});

test("drawOrder draws each item from the seed and the item's id", () => {
  const order = drawOrder(items, "quiz:intro#0@2026-01-01T00:00:00Z", null, true);
  assert.deepEqual(order, drawOrder(items, "quiz:intro#0@2026-01-01T00:00:00Z", undefined, true));
  assert.deepEqual(order.q1, shuffle(["a", "b", "c", "d"], "quiz:intro#0@2026-01-01T00:00:00Z|q1"));
  for (const item of items)
    assert.deepEqual(
      [...order[item.id]].sort(),
      item.options.map((o) => o.id),
    );
});

test("drawOrder never repeats the previous attempt's order of an item", () => {
  for (let i = 0; i < 200; i++) {
    const seed = `seed-${i}`;
    const drawn = drawOrder(items, seed, null, true);
    const again = drawOrder(items, seed, drawn, true);
    assert.notDeepEqual(again.q1, drawn.q1);
    assert.notDeepEqual(again.q2, drawn.q2);
    assert.deepEqual(again.q1, [...drawn.q1.slice(1), drawn.q1[0]], "rotated by one");
    assert.deepEqual(again.q3, ["a"], "one option has one order");
  }
});
