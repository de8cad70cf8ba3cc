// random.js: seeded shuffling, so an attempt's option order can be stored and drawn again.
// Pure functions: no DOM, no clock, no Math.random.

/**
 * A 32-bit FNV-1a hash of a string.
 * @param {string} text
 * @returns {number}
 */
export function hashString(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * A seeded pseudo-random generator (mulberry32) in [0, 1).
 * @param {string | number} seed
 * @returns {() => number}
 */
export function seededRandom(seed) {
  let a = typeof seed === "number" ? seed >>> 0 : hashString(String(seed));
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A new array with the items in a seeded random order (Fisher-Yates).
 * @template T
 * @param {T[]} items
 * @param {string | number} seed
 * @returns {T[]}
 */
export function shuffle(items, seed) {
  const out = items.slice();
  const random = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * The option order of a new quiz attempt: per item, the option ids in a seeded order (or as
 * authored when `shuffled` is false). When an item's order would repeat the previous
 * attempt's, it is rotated by one, so every new attempt looks different.
 * @param {{id: string, options: {id: string}[]}[]} items
 * @param {string} seed
 * @param {Record<string, string[]> | null | undefined} previous  the last attempt's order
 * @param {boolean} shuffled
 * @returns {Record<string, string[]>}
 */
export function drawOrder(items, seed, previous, shuffled) {
  /** @type {Record<string, string[]>} */
  const order = {};
  for (const item of items) {
    const ids = item.options.map((o) => o.id);
    if (!shuffled) {
      order[item.id] = ids;
      continue;
    }
    let drawn = shuffle(ids, `${seed}|${item.id}`);
    const before = previous && previous[item.id];
    if (ids.length > 1 && Array.isArray(before) && sameList(drawn, before)) drawn = drawn.slice(1).concat(drawn[0]);
    order[item.id] = drawn;
  }
  return order;
}

/**
 * @param {unknown[]} a
 * @param {unknown[]} b
 * @returns {boolean}
 */
function sameList(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
