// store.js: the static host's progress, in this browser (docs/components.md, "Progress file").
//
// Progress is kept in localStorage in the progress-file shape, one entry per site; it is
// exported as that file and imported from one, after checking every record. Nothing here
// inserts stored or imported text as markup.

import { isPlainObject, log } from "./base.js";
import { nowIso, plural } from "./format.js";

/**
 * A learner's record of one component: when it was last saved, and the component's state.
 * @typedef {{updated: string, state: Record<string, unknown>}} ProgressRecord
 */

/**
 * The progress file (`curriculum-progress`, version 1).
 * @typedef {object} ProgressFile
 * @property {string} format
 * @property {number} version
 * @property {string} site
 * @property {string} updated
 * @property {string} [learner]   the name the learner typed on the dashboard, if any
 * @property {Record<string, ProgressRecord>} records   keyed `kind:id`
 */

/**
 * The progress of one site: in localStorage, or in memory when that is refused.
 * @typedef {object} Store
 * @property {string} site
 * @property {boolean} memoryOnly             localStorage is refused here
 * @property {"full" | "damaged" | null} problem
 * @property {() => Record<string, ProgressRecord>} records
 * @property {(key: string) => ProgressRecord | null} get
 * @property {(key: string, state: unknown) => boolean} put     false when it could not be saved
 * @property {(records: Record<string, ProgressRecord>, name?: string) => boolean} save   also sets the name if given
 * @property {() => string} learner     the name the learner typed ("" when none)
 * @property {(name: string) => boolean} setLearner   false when it could not be saved
 * @property {() => void} clear
 */

/**
 * A component mounted on the page.
 * @typedef {object} MountedView
 * @property {Element} node
 * @property {string} site
 * @property {string} key
 * @property {import("./shim.js").ShimModel} model
 * @property {(state: unknown) => void} replaceState
 * @property {() => void} dispose
 */

/**
 * What the static host knows of the page it runs on.
 * @typedef {object} Page
 * @property {Record<string, import("./view.js").Component>} components   the modules, by kind
 * @property {Record<string, import("./view.js").Kind>} kinds   what the registry says of each kind
 * @property {Map<string, Store>} stores
 * @property {MountedView[]} views
 * @property {{site: string, update: () => void}[]} panels
 * @property {import("./panel.js").Mark[]} marks   places that show what was done in one part
 * @property {Map<string, string>} titles     the titles of the components on this page, by key
 * @property {string} firstSite               the site of the first component mounted
 * @property {Promise<import("./panel.js").Manifest | null> | null} manifest
 */

export const PROGRESS_FORMAT = "curriculum-progress";
export const PROGRESS_VERSION = 1;
export const STORAGE_PREFIX = "curriculum-progress:v1:";
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
/** An imported record may be dated this far ahead of this computer's clock, no further. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;
/** The date-time form both hosts write (and Python's import accepts): ISO 8601 with a zone. */
export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
export const RECORD_KEY = /^[a-z][a-z0-9-]{0,80}:[A-Za-z0-9._-]{1,200}$/;
/** The longest learner's name kept (the dashboard's field takes as many; a certificate's name, activity.js, fewer). */
export const MAX_NAME = 200;

/** @type {Page} */
export const page = {
  components: {},
  kinds: {},
  stores: new Map(),
  views: [],
  panels: [],
  marks: [],
  titles: new Map(),
  firstSite: "",
  manifest: null,
};

/**
 * A table's own entry under `key` (never one inherited from Object), or null.
 * @template T
 * @param {Record<string, T>} table
 * @param {string} key
 * @returns {T | null}
 */
export function own(table, key) {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : null;
}

/**
 * The kind of a record key (`quiz` in `quiz:intro`).
 * @param {string} key
 * @returns {string}
 */
export function kindOf(key) {
  return key.slice(0, key.indexOf(":"));
}

// ------------------------------------------------------------------ records (pure)

/**
 * @param {string} type  a JSON Schema type
 * @param {unknown} value
 * @returns {boolean}
 */
function hasType(type, value) {
  switch (type) {
    case "object":
      return isPlainObject(value);
    case "array":
      return Array.isArray(value);
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "null":
      return value === null;
    default:
      return false;
  }
}

/**
 * Whether a value has the shape a schema describes, with the JSON Schema keywords the
 * component kinds' state shapes use: type, required, properties, items and
 * additionalProperties (the bundler refuses a shape with any other).
 * @param {import("./view.js").Schema | boolean} schema
 * @param {unknown} value
 * @returns {boolean}
 */
export function matches(schema, value) {
  if (typeof schema === "boolean") return schema;
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((type) => hasType(type, value))) return false;
  }
  if (isPlainObject(value)) {
    const properties = schema.properties || {};
    for (const name of schema.required || []) if (!Object.prototype.hasOwnProperty.call(value, name)) return false;
    for (const [name, item] of Object.entries(value)) {
      const rule = own(properties, name);
      if (rule !== null ? !matches(rule, item) : !matches(schema.additionalProperties ?? true, item)) return false;
    }
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    const items = schema.items;
    return value.every((item) => matches(items, item));
  }
  return true;
}

/**
 * Is this a record the site can use: a known key shape, a parseable `updated` time and a
 * state of its kind's shape (any object, for a kind this site does not have)?
 * @param {string} key
 * @param {unknown} record
 * @param {Record<string, import("./view.js").Kind>} kinds
 * @returns {record is ProgressRecord}
 */
export function validRecord(key, record, kinds) {
  if (!RECORD_KEY.test(key) || !isPlainObject(record)) return false;
  if (typeof record.updated !== "string" || Number.isNaN(Date.parse(record.updated))) return false;
  if (!isPlainObject(record.state)) return false;
  const kind = own(kinds, kindOf(key));
  return kind ? matches(kind.state, record.state) : true;
}

/**
 * A learner's name as the progress file keeps it: text on one line, spaces collapsed, at most
 * MAX_NAME characters; "" for anything else.
 * @param {unknown} value
 * @returns {string}
 */
export function learnerName(value) {
  if (typeof value !== "string") return "";
  return value
    .replace(/[\s\p{Cc}]+/gu, " ")
    .trim()
    .slice(0, MAX_NAME);
}

/**
 * Read a parsed progress file: its records, the learner's name, and the keys of records ignored.
 * @param {unknown} data
 * @param {string} site
 * @param {Record<string, import("./view.js").Kind>} kinds
 * @returns {{error?: string, records: Record<string, ProgressRecord>, learner: string, ignored: string[]}}
 */
export function readProgress(data, site, kinds) {
  const none = { records: {}, learner: "", ignored: [] };
  if (!isPlainObject(data) || data.format !== PROGRESS_FORMAT) {
    return { ...none, error: "This is not a curriculum progress file." };
  }
  if (data.version !== PROGRESS_VERSION) {
    return {
      ...none,
      error: `This progress file has version ${String(data.version).slice(0, 20)}; this site reads version ${PROGRESS_VERSION}.`,
    };
  }
  if (typeof data.site === "string" && data.site !== site) {
    return {
      ...none,
      error: `This progress file belongs to another site (“${data.site.slice(0, 80)}”), not to this one (“${site}”).`,
    };
  }
  if (!isPlainObject(data.records)) return { ...none, error: "This progress file has no records." };
  /** @type {Record<string, ProgressRecord>} */
  const records = {};
  const ignored = [];
  for (const [key, record] of Object.entries(data.records)) {
    if (validRecord(key, record, kinds)) records[key] = { updated: record.updated, state: record.state };
    else ignored.push(key);
  }
  return { records, learner: learnerName(data.learner), ignored };
}

/**
 * Merge imported records into the saved ones: the later `updated` wins. A record that is
 * not dated the way the hosts write, or is dated in the future, could otherwise win over the
 * learner's newer work forever: it is left out and reported as undated.
 * @param {Record<string, ProgressRecord>} have      the saved records (changed in place)
 * @param {Record<string, ProgressRecord>} incoming  the imported records (checked by readProgress)
 * @param {number} now   this computer's clock, in ms
 * @returns {{imported: string[], kept: string[], undated: string[]}}
 */
export function mergeRecords(have, incoming, now) {
  const imported = [];
  const kept = [];
  const undated = [];
  const latest = now + CLOCK_SKEW_MS;
  for (const [key, record] of Object.entries(incoming)) {
    const mine = have[key];
    if (!ISO_TIME.test(record.updated) || Date.parse(record.updated) > latest) {
      undated.push(key);
      continue;
    }
    if (!mine || !(Date.parse(mine.updated) >= Date.parse(record.updated))) {
      have[key] = record;
      imported.push(key);
    } else {
      kept.push(key);
    }
  }
  return { imported, kept, undated };
}

// ------------------------------------------------------------------ the store

/**
 * localStorage if it works here, otherwise null (some locked-down browsers refuse it, and it
 * throws rather than returning null).
 * @returns {Storage | null}
 */
function probeStorage() {
  try {
    const storage = window.localStorage;
    const probe = `${STORAGE_PREFIX}probe`;
    storage.setItem(probe, "1");
    storage.removeItem(probe);
    return storage;
  } catch (error) {
    log("warn", "localStorage is not available; progress is kept in memory for this page only", error);
    return null;
  }
}

/**
 * Open the progress of one site.
 * @param {string} site
 * @returns {Store}
 */
function openStore(site) {
  const key = STORAGE_PREFIX + site;
  const storage = probeStorage();
  /** @type {Record<string, ProgressRecord>} */
  let memory = {};
  let memoryName = "";
  /** @type {"full" | "damaged" | null} */
  let problem = null;

  /** @returns {{records: Record<string, ProgressRecord>, learner: string}} */
  function loadFile() {
    const inMemory = { records: { ...memory }, learner: memoryName };
    if (!storage || problem === "full") return inMemory;
    /** @type {string | null} */
    let text;
    try {
      text = storage.getItem(key);
    } catch {
      return inMemory;
    }
    if (text === null) return { records: {}, learner: "" };
    try {
      const read = readProgress(JSON.parse(text), site, page.kinds);
      if (!read.error) return { records: read.records, learner: read.learner };
    } catch {
      // fall through: damaged
    }
    keepDamaged(text);
    return { records: {}, learner: "" };
  }

  /** @returns {Record<string, ProgressRecord>} */
  function load() {
    return loadFile().records;
  }

  /** @param {string} text */
  function keepDamaged(text) {
    if (problem === "damaged") return;
    problem = "damaged";
    log("warn", `the saved progress under ${key} is damaged; a copy is kept under ${key}:damaged`);
    try {
      if (storage && storage.getItem(`${key}:damaged`) === null) storage.setItem(`${key}:damaged`, text);
    } catch {
      // nothing more we can do
    }
  }

  /**
   * @param {Record<string, ProgressRecord>} records
   * @param {string} learner
   * @returns {boolean}
   */
  function write(records, learner) {
    memory = records;
    memoryName = learner;
    if (!storage) return true;
    try {
      /** @type {ProgressFile} */
      const file = { format: PROGRESS_FORMAT, version: PROGRESS_VERSION, site, updated: nowIso(), records };
      if (learner) file.learner = learner;
      storage.setItem(key, JSON.stringify(file));
      if (problem === "full") problem = null;
      return true;
    } catch (error) {
      problem = "full";
      log("warn", "could not save progress (storage full?)", error);
      return false;
    }
  }

  /**
   * @param {Record<string, ProgressRecord>} records
   * @param {string} [name]  the learner's name to save with them (else the stored one is kept)
   */
  function save(records, name) {
    return write(records, name === undefined ? loadFile().learner : learnerName(name));
  }

  return {
    site,
    get memoryOnly() {
      return !storage;
    },
    get problem() {
      return problem;
    },
    records: load,
    get(k) {
      return load()[k] || null;
    },
    put(k, state) {
      const { records, learner } = loadFile(); // one read of the stored file, not one more for the name
      if (state === null || state === undefined) delete records[k];
      else records[k] = { updated: nowIso(), state: /** @type {Record<string, unknown>} */ (state) };
      return write(records, learner);
    },
    save,
    learner() {
      return loadFile().learner;
    },
    setLearner(name) {
      return save(load(), name);
    },
    clear() {
      memory = {};
      memoryName = "";
      if (storage) {
        try {
          storage.removeItem(key);
        } catch (error) {
          log("warn", "could not clear progress", error);
        }
      }
    },
  };
}

/**
 * The store of a site, opened once per page.
 * @param {string} site
 * @returns {Store}
 */
export function storeFor(site) {
  let store = page.stores.get(site);
  if (!store) {
    store = openStore(site);
    page.stores.set(site, store);
  }
  return store;
}

/** @returns {string} */
export function defaultSite() {
  return document.documentElement.dataset.curriculumSite || page.firstSite || "curriculum";
}

/** @returns {"resident" | "faculty"} */
export function hostProfile() {
  return document.documentElement.dataset.curriculumProfile === "faculty" ? "faculty" : "resident";
}

/**
 * Give mounted components of `site` the stored state, where it differs.
 * @param {string} site
 * @param {unknown} [except]   a model that already has it
 * @param {string} [onlyKey]  only the views of this record
 */
export function refreshViews(site, except, onlyKey) {
  const records = storeFor(site).records();
  for (const view of page.views) {
    if (view.site !== site || view.model === except) continue;
    const needed = neededRecords(records, view.model.get("payload"));
    if (JSON.stringify(needed) !== JSON.stringify(view.model.get("records"))) view.model.set("records", needed);
    if (onlyKey && view.key !== onlyKey) continue;
    const record = records[view.key];
    const state = record ? record.state : null;
    if (JSON.stringify(state) !== JSON.stringify(view.model.get("state"))) view.replaceState(state);
  }
}

/**
 * The saved states of the other records a component reads (its payload's `needs`, e.g. an
 * activity reads its post-test's), by key; a record not saved yet is left out.
 * @param {Record<string, ProgressRecord>} records
 * @param {unknown} payload
 * @returns {Record<string, Record<string, unknown>>}
 */
export function neededRecords(records, payload) {
  /** @type {Record<string, Record<string, unknown>>} */
  const out = {};
  const needs = isPlainObject(payload) && Array.isArray(payload.needs) ? payload.needs : [];
  for (const key of needs) {
    if (typeof key !== "string") continue;
    const record = own(records, key);
    if (record && isPlainObject(record.state)) out[key] = record.state;
  }
  return out;
}

// ------------------------------------------------------------------ export and import

/**
 * The learner's progress for a site, as a progress file object.
 * @param {string} [site]
 * @returns {ProgressFile}
 */
export function exportProgress(site) {
  const id = site || defaultSite();
  const store = storeFor(id);
  /** @type {ProgressFile} */
  const file = { format: PROGRESS_FORMAT, version: PROGRESS_VERSION, site: id, updated: nowIso(), records: {} };
  const learner = store.learner();
  if (learner) file.learner = learner;
  file.records = store.records();
  return file;
}

/**
 * Name records for a message: the component's title when it is on this page, else its key.
 * @param {string[]} keys
 * @param {Map<string, string> | null} titles
 * @returns {string}
 */
export function listKeys(keys, titles) {
  const shown = keys
    .slice(0, 5)
    .map((k) => (titles && titles.get(k)) || k)
    .map((k) => (k.length > 60 ? `${k.slice(0, 59)}…` : k));
  return shown.join(", ") + (keys.length > 5 ? ` and ${keys.length - 5} more` : "");
}

/**
 * @typedef {object} ImportReport
 * @property {boolean} ok
 * @property {string[]} imported
 * @property {string[]} kept
 * @property {string[]} ignored
 * @property {string} message
 */

/**
 * Merge a progress file (its text) into the site's progress: newer `updated` wins; records of
 * an unexpected shape are reported and ignored.
 * @param {string} text
 * @param {string} [site]
 * @returns {ImportReport}
 */
export function importProgress(text, site) {
  const id = site || defaultSite();
  const fail = (/** @type {string} */ message) => ({
    ok: false,
    imported: [],
    kept: [],
    ignored: [],
    message: `${message} Nothing was imported.`,
  });
  let data;
  try {
    data = JSON.parse(String(text));
  } catch {
    return fail("This file is not a progress file: it is not valid JSON.");
  }
  const read = readProgress(data, id, page.kinds);
  if (read.error) return fail(read.error);
  const store = storeFor(id);
  const records = store.records();
  const { imported, kept, undated } = mergeRecords(records, read.records, Date.now());
  const named = Boolean(read.learner && !store.learner());
  const saved = store.save(records, named ? read.learner : undefined); // one write: the records and the name
  refreshViews(id);
  const parts = [
    imported.length
      ? `Imported ${plural(imported.length, "record")}: ${listKeys(imported, page.titles)}.`
      : "Nothing new to import.",
  ];
  if (kept.length) {
    parts.push(
      `Kept ${plural(kept.length, "record")} of yours that ${kept.length === 1 ? "was" : "were"} as new or newer.`,
    );
  }
  if (read.ignored.length) {
    parts.push(
      `Ignored ${plural(read.ignored.length, "record")} with an unexpected shape: ${listKeys(read.ignored, null)}.`,
    );
  }
  if (undated.length) {
    parts.push(
      `Ignored ${plural(undated.length, "record")} dated in the future or not dated as a progress file dates them: ${listKeys(undated, null)}.`,
    );
  }
  if (named) parts.push(`Your name was set to “${read.learner}” from the file.`);
  if (!saved) parts.push("This browser could not save them permanently; export before you leave.");
  return { ok: true, imported, kept, ignored: [...read.ignored, ...undated], message: parts.join(" ") };
}
