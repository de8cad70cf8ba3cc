// format.js: numbers, counts and times in words. Pure functions, except `nowIso` (the clock)
// and `displayTime` (the reader's locale).

/**
 * A percentage for display, e.g. "70%".
 * @param {number} value  0-1
 * @returns {string}
 */
export function percent(value) {
  return `${Math.round(value * 1000) / 10}%`;
}

/**
 * "1 item", "2 items".
 * @param {number} n
 * @param {string} one
 * @param {string} [many]
 * @returns {string}
 */
export function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many || `${one}s`}`;
}

/**
 * "3 of 12 items", or "3 items" when the total is not known (0).
 * @param {number} n
 * @param {number} total
 * @param {string} word
 * @returns {string}
 */
export function countOf(n, total, word) {
  return total > 0 ? `${n} of ${plural(total, word)}` : plural(n, word);
}

/**
 * The current time as ISO 8601 in UTC, to the second: "2026-11-23T10:00:00Z".
 * @returns {string}
 */
export function nowIso() {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * A short local date and time for display.
 * @param {string} iso
 * @returns {string}
 */
export function displayTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
