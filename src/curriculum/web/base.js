// base.js: what every other module needs: the console prefix and the JSON shape test.
//
// The browser code is a set of ES modules (docs/components.md, "Modules"). The Python bundler
// (web/_bundle.py) joins them for each host from an ordered list, so a module imports only from
// modules earlier in that list, exports only top-level `function`s and `const`s, and runs
// nothing on import.

export const LOG_PREFIX = "[curriculum]";

/**
 * Write a console message prefixed with `[curriculum]`.
 * @param {"info" | "warn" | "error"} level
 * @param {...unknown} args
 */
export function log(level, ...args) {
  // eslint-disable-next-line no-console -- the one way the components write to the console
  const fn = level === "error" ? console.error : level === "warn" ? console.warn : console.info;
  fn.call(console, LOG_PREFIX, ...args);
}

/**
 * Is `value` a plain JSON object (not null, not an array)?
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
export function isPlainObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
