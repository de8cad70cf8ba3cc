// The site's search without the page (site/resources/search.js): reading the index, ranking,
// snippets and the marked ranges. tests/site/test_search_parity.py reads an index that Python
// wrote; here the index is built by hand.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  decodePostings,
  matchRanges,
  normalise,
  rice,
  search,
  slug,
  snippet,
  termsOf,
} from "../../src/curriculum/site/resources/search.js";

/**
 * An index as readIndex returns it, from pages of [title, rank, [heading, words of the text]].
 * @param {[string, number, [string, string[]][]][]} spec
 */
function indexOf(spec) {
  const pages = [];
  const sections = [];
  const postings = new Map();
  spec.forEach(([title, rank, parts], n) => {
    pages.push({ title, url: `p${n}.html`, rank, norm: normalise(title) });
    parts.forEach(([heading, words], k) => {
      const id = sections.length;
      sections.push({ id, page: n, nth: k, anchor: slug(heading), heading, norm: normalise(heading) });
      for (const w of words) postings.set(w, [...(postings.get(w) || []), id]);
    });
  });
  const words = [...postings.keys()].sort();
  return { pages, sections, words, stop: { the: true, of: true }, postings: words.map((w) => postings.get(w)) };
}

const index = indexOf([
  [
    "Supportive therapy",
    0,
    [
      ["", ["supportive", "therapy"]],
      ["The alliance", ["alliance", "rupture", "repair"]],
    ],
  ],
  [
    "Case library",
    2,
    [
      ["Psychosis", ["alliance", "psychosis"]],
      ["Depression", ["depression"]],
    ],
  ],
  ["Reference", 3, [["Alliance rupture", []]]],
  ["Lesson on alliance", 1, [["Ruptures", ["rupture", "ruptured"]]]],
  ["Practice", 0, [["Other", ["alliance"]]]],
]);
const ranked = (/** @type {string} */ query) => search(index, query).map((hit) => [hit.section.id, hit.score]);
const found = (/** @type {string} */ query) => search(index, query).map((hit) => hit.section.id);

test("a term in the page's title counts 8, in the heading 4, in the text 1", () => {
  assert.deepEqual(ranked("alliance"), [
    [5, 8], // the page's title
    [1, 5], // the heading and the text
    [4, 4], // the heading
    [6, 1], // the text, on a page ranked 0 ...
    [2, 1], // ... before the same score on a page ranked 2
  ]);
  assert.deepEqual(ranked("supportive therapy"), [
    [0, 18],
    [1, 16],
  ]);
});

test("equal scores go to the better-ranked page, then in site order", () => {
  assert.deepEqual(ranked("case"), [
    [2, 8],
    [3, 8],
  ]);
  assert.deepEqual(ranked("rupture"), [
    [5, 5],
    [4, 4],
    [1, 1],
  ]);
});

test("every term must be found; a term of stop words only narrows nothing", () => {
  assert.deepEqual(found("alliance psychosis"), [2]);
  assert.deepEqual(found("the alliance").sort(), found("alliance").sort());
  // "the" is in the title ("therapy", 8) and the heading (4) of section 1, which has "alliance" (4 + 1).
  assert.deepEqual(ranked("the alliance")[0], [1, 17], "a stop word still counts in a title or a heading");
  assert.deepEqual(search(index, "x"), [], "one-letter terms are dropped");
  assert.deepEqual(search(index, "nothing-here"), []);
});

test("a term matches inside words and without its accents", () => {
  assert.deepEqual(found("rupt"), found("rupture"));
  assert.deepEqual(ranked("Dépréssion"), [[3, 5]]);
  assert.deepEqual(termsOf("  Thérapie  de a  "), ["therapie", "de"]);
});

test("postings: Elias gamma counts, Rice-coded gaps", () => {
  // Two words over 8 sections: [1, 5] and [0, 1, 2, 3]. gamma(2) = 010; b = rice(2, 8) = 1:
  // gap 2 (1 - -1) → q=0 r=1: "01"; gap 4 → q=1 r=1: "101"; gamma(4) = 00100; b = rice(4, 8) = 0:
  // gaps 1, 1, 1, 1 → "0" each. Bits: 010 01 101 00100 0000, padded to 6-bit chunks.
  const bits = "010" + "01" + "101" + "00100" + "0000";
  const padded = bits.padEnd(Math.ceil(bits.length / 6) * 6, "0");
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const stream = padded
    .match(/.{6}/g)
    .map((c) => alphabet[parseInt(c, 2)])
    .join("");
  assert.equal(rice(2, 8), 1);
  assert.equal(rice(4, 8), 0);
  assert.deepEqual(decodePostings(stream, 2, 8), [
    [1, 5],
    [0, 1, 2, 3],
  ]);
});

test("slug: the identifier Pandoc gives a heading", () => {
  assert.equal(slug("The Working Alliance!"), "the-working-alliance");
  assert.equal(slug("2. Ruptures & repair"), "ruptures-repair");
  assert.equal(slug("Ça va?"), "a-va", "a heading starts at its first letter a-z");
  assert.equal(slug("123"), "section");
});

test("snippet: about 180 characters around the first match, cut at spaces", () => {
  const text = `${"word ".repeat(40)}the alliance matters ${"more ".repeat(40)}`.trim();
  const cut = snippet(text, ["alliance"]);
  assert.ok(cut.startsWith("… ") && cut.endsWith(" …"), cut);
  assert.ok(cut.includes("the alliance matters"));
  assert.ok(cut.length <= 180 + 4);
  assert.equal(snippet("short text", ["nothing"]), "short text");
});

test("matchRanges: where the terms are, in the original text, overlaps dropped", () => {
  assert.deepEqual(matchRanges("Thérapie et thérapeute", ["therap"]), [
    [0, 6],
    [12, 18],
  ]);
  assert.deepEqual(matchRanges("alliance", ["alli", "lian"]), [[0, 4]]);
  assert.deepEqual(matchRanges("nothing", ["x"]), []);
});
