// scoring.js: the quiz score, a mirror of curriculum.assess (tests/data/scoring.json holds the
// cases both sides must agree on). Pure functions.

/**
 * Whether a response (selected option ids) matches the key: the sets are equal and not
 * empty. Mirrors `curriculum.assess.item_correct`.
 * @param {string[]} answer
 * @param {string[] | null | undefined} response
 * @returns {boolean}
 */
export function itemCorrect(answer, response) {
  if (response === null || response === undefined) return false;
  const chosen = new Set(response);
  const key = new Set(answer);
  if (chosen.size === 0 || chosen.size !== key.size) return false;
  for (const id of chosen) if (!key.has(id)) return false;
  return true;
}

/**
 * The proportion of items answered correctly; unanswered items count as wrong, and an empty
 * quiz scores 0. Mirrors `curriculum.assess.score`.
 * @param {Record<string, string[]>} answers    item id to key
 * @param {Record<string, string[]>} responses  item id to selected ids
 * @returns {number}
 */
export function score(answers, responses) {
  const ids = Object.keys(answers || {});
  if (!ids.length) return 0;
  const given = responses || {};
  let correct = 0;
  for (const id of ids) {
    if (itemCorrect(answers[id], Object.prototype.hasOwnProperty.call(given, id) ? given[id] : null)) correct += 1;
  }
  return correct / ids.length;
}

/**
 * Whether a score reaches the pass mark, with a 1e-9 tolerance (7 of 10 at 0.7 passes);
 * null without a pass mark. Mirrors `curriculum.assess.passed`.
 * @param {number} value
 * @param {number | null | undefined} passMark
 * @returns {boolean | null}
 */
export function passed(value, passMark) {
  if (passMark === null || passMark === undefined) return null;
  return value + 1e-9 >= passMark;
}
