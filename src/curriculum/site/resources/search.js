// search.js: the site's search, without the page: reading the index, ranking, snippets.
//
// search-index.js (loaded on first use) holds no page text: the pages, each section's anchor
// and heading, the front-coded vocabulary and a Golomb-Rice coded stream of the sections each
// word is in (site/_search.py writes it). The text of a page's sections, for the snippets of
// the results shown, comes from search/<page>.js, loaded for those pages only. Pure functions:
// node --test runs them (tests/js/).

const BITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const PREFIX = "!#$%&()*+./:;<=>?@[]^{|}~";

/**
 * The index as search-index.js sets it (`window.CURRICULUM_SEARCH`).
 * @typedef {object} RawIndex
 * @property {[string, string, number, number][]} pages   title, url without its ".html", rank, number of sections
 * @property {string} headings    the sections' headings, one a line
 * @property {Record<string, string>} anchors   section number to its anchor, where it is not the heading's slug
 * @property {string} words       the vocabulary, front-coded
 * @property {string} postings    the sections of each word, Golomb-Rice coded
 * @property {string} stop        the stop words, separated by spaces
 */

/** @typedef {{title: string, url: string, rank: number, norm: string}} Page */

/**
 * @typedef {object} Section
 * @property {number} id       its number in the site
 * @property {number} page     its page's number
 * @property {number} nth      its number in its page
 * @property {string} anchor
 * @property {string} heading
 * @property {string} norm     the heading, normalised
 */

/**
 * The index, read.
 * @typedef {object} Index
 * @property {Page[]} pages
 * @property {Section[]} sections
 * @property {string[]} words
 * @property {Record<string, boolean>} stop
 * @property {number[][]} postings   for each word, the sections it is in
 */

/** @typedef {{section: Section, page: Page, score: number}} Hit */

/**
 * The sections each word is in: the stream is read once, word by word.
 * @param {string} stream
 * @param {number} count     how many words
 * @param {number} sections  how many sections
 * @returns {number[][]}
 */
export function decodePostings(stream, count, sections) {
  let at = 0;
  let chunk = 0;
  let left = 0;
  const next = () => {
    if (!left) {
      chunk = BITS.indexOf(stream.charAt(at));
      at += 1;
      left = 6;
    }
    left -= 1;
    return (chunk >> left) & 1;
  };
  const read = (/** @type {number} */ width) => {
    let v = 0;
    for (let i = 0; i < width; i++) v = v * 2 + next();
    return v;
  };
  const lists = [];
  for (let w = 0; w < count; w++) {
    let zeros = 0;
    while (next() === 0) zeros += 1;
    const k = read(zeros) + Math.pow(2, zeros);
    const b = rice(k, sections);
    const ids = new Array(k);
    let previous = -1;
    for (let i = 0; i < k; i++) {
      let q = 0;
      while (next() === 1) q += 1;
      previous += q * Math.pow(2, b) + read(b) + 1;
      ids[i] = previous;
    }
    lists.push(ids);
  }
  return lists;
}

/**
 * The number of remainder bits for a word in `k` of `n` sections (the same rule as site/_search.py).
 * @param {number} k
 * @param {number} n
 * @returns {number}
 */
export function rice(k, n) {
  let b = 0;
  while (k * Math.pow(2, b + 1) <= n) b += 1;
  return Math.max(b - 1, 0);
}

/**
 * The identifier Pandoc gives a heading (site/_search.py: slug).
 * @param {string} heading
 * @returns {string}
 */
export function slug(heading) {
  const text = heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\s.-]/gu, "")
    .split(/\s+/)
    .filter(Boolean)
    .join("-")
    .replace(/^[^a-z]+/, "");
  return text || "section";
}

/**
 * Lower case without accents, as site/_search.py normalises the text it indexes.
 * @param {string} text
 * @returns {string}
 */
export function normalise(text) {
  return text
    .toLowerCase()
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "");
}

/**
 * Read the index that search-index.js sets.
 * @param {RawIndex} data
 * @returns {Index}
 */
export function readIndex(data) {
  const words = [];
  const text = data.words;
  let previous = "";
  let i = 0;
  while (i < text.length) {
    const shared = PREFIX.indexOf(text.charAt(i));
    let j = i + 1;
    while (j < text.length && PREFIX.indexOf(text.charAt(j)) < 0) j += 1;
    previous = previous.slice(0, shared) + text.slice(i + 1, j);
    words.push(previous);
    i = j;
  }
  /** @type {Section[]} */
  const sections = [];
  /** @type {Page[]} */
  const pages = [];
  const headings = data.headings.split("\n");
  data.pages.forEach((p, n) => {
    pages.push({ title: p[0], url: `${p[1]}.html`, rank: p[2], norm: normalise(p[0]) });
    for (let k = 0; k < p[3]; k++) {
      const id = sections.length;
      const heading = headings[id];
      const anchor = Object.prototype.hasOwnProperty.call(data.anchors, id)
        ? data.anchors[id]
        : heading
          ? slug(heading)
          : "";
      sections.push({ id, page: n, nth: k, anchor, heading, norm: normalise(heading) });
    }
  });
  /** @type {Record<string, boolean>} */
  const stop = {};
  data.stop.split(" ").forEach((w) => {
    stop[w] = true;
  });
  return { pages, sections, words, stop, postings: decodePostings(data.postings, words.length, sections.length) };
}

/**
 * The terms of a query: normalised words of two characters or more.
 * @param {string} query
 * @returns {string[]}
 */
export function termsOf(query) {
  return normalise(query)
    .split(/\s+/)
    .filter((t) => t.length > 1);
}

/**
 * The sections whose text has a word containing `token`.
 * @param {Index} index
 * @param {string} token
 * @returns {Record<number, boolean>}
 */
function textHits(index, token) {
  /** @type {Record<number, boolean>} */
  const hits = {};
  index.words.forEach((word, w) => {
    if (word.indexOf(token) >= 0) {
      index.postings[w].forEach((id) => {
        hits[id] = true;
      });
    }
  });
  return hits;
}

/**
 * Every section that has each term in its page's title (8 points), its heading (4) or its
 * text (1), best first; for the same score, lessons before practice pages, other pages and
 * the reference pages, then in the order of the site. A term made only of stop words narrows
 * nothing.
 * @param {Index} index
 * @param {string} query
 * @returns {Hit[]}
 */
export function search(index, query) {
  const terms = termsOf(query);
  if (!terms.length) return [];
  const rules = terms.map((t) => {
    const tokens = (t.match(/[\p{L}\p{N}]+/gu) || []).filter((w) => w.length > 1);
    const meaningful = tokens.filter((w) => !index.stop[w]);
    if (tokens.length && !meaningful.length) return { term: t, any: true, text: () => false };
    const sets = meaningful.map((token) => textHits(index, token));
    return {
      term: t,
      any: false,
      text: (/** @type {number} */ id) => sets.length > 0 && sets.every((hit) => hit[id]),
    };
  });
  /** @type {Hit[]} */
  const hits = [];
  index.sections.forEach((section) => {
    const page = index.pages[section.page];
    let score = 0;
    for (const r of rules) {
      let found = false;
      if (page.norm.indexOf(r.term) >= 0) {
        score += 8;
        found = true;
      }
      if (section.norm.indexOf(r.term) >= 0) {
        score += 4;
        found = true;
      }
      if (r.any) found = true;
      else if (r.text(section.id)) {
        score += 1;
        found = true;
      }
      if (!found) return;
    }
    hits.push({ section, page, score });
  });
  hits.sort((a, b) => b.score - a.score || a.page.rank - b.page.rank || a.section.id - b.section.id);
  return hits;
}

/**
 * The text normalised, with the position in `text` of each character of the result
 * (normalising can change a string's length: NFD splits accented letters).
 * @param {string} text
 * @returns {{folded: string, map: number[]}}
 */
function fold(text) {
  let folded = "";
  const map = [];
  for (let i = 0; i < text.length; i++) {
    const f = normalise(text.charAt(i));
    for (let k = 0; k < f.length; k++) map.push(i);
    folded += f;
  }
  return { folded, map };
}

/**
 * About 180 characters around the first match, cut at word boundaries.
 * @param {string} text
 * @param {string[]} terms
 * @returns {string}
 */
export function snippet(text, terms) {
  const { folded, map } = fold(text);
  let at = -1;
  for (let j = 0; j < terms.length && at < 0; j++) at = folded.indexOf(terms[j]);
  const first = at < 0 ? 0 : map[at];
  let start = Math.max(0, first - 60);
  let end = Math.min(text.length, start + 180);
  if (start > 0) {
    const space = text.indexOf(" ", start);
    start = space >= 0 && space < first ? space + 1 : start;
  }
  if (end < text.length) {
    const back = text.lastIndexOf(" ", end);
    end = back > first ? back : end;
  }
  return (start > 0 ? "… " : "") + text.slice(start, end) + (end < text.length ? " …" : "");
}

/**
 * Where the terms occur in `text`: [start, end) ranges in order, overlaps dropped.
 * @param {string} text
 * @param {string[]} terms
 * @returns {[number, number][]}
 */
export function matchRanges(text, terms) {
  const { folded, map } = fold(text);
  /** @type {[number, number][]} */
  const ranges = [];
  terms.forEach((t) => {
    for (let at = folded.indexOf(t); at >= 0; at = folded.indexOf(t, at + t.length)) {
      ranges.push([map[at], map[at + t.length - 1] + 1]);
    }
  });
  ranges.sort((a, b) => a[0] - b[0]);
  /** @type {[number, number][]} */
  const kept = [];
  let pos = 0;
  ranges.forEach((r) => {
    if (r[0] < pos) return;
    kept.push(r);
    pos = r[1];
  });
  return kept;
}
