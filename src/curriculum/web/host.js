// host.js: the static host (docs/components.md, "Static fragment" and "Progress file").
//
// A classic script, not a module: curriculum.js places it in one function
// scope after core.js and the components, so core's helpers and the
// `COMPONENTS` registry are in scope here. It gives each `.cur-widget` a
// model shim (get/set/on/off/save_changes/send over a plain object), keeps
// progress in localStorage in the progress-file shape, and draws the
// progress controls (export, import, clear) into every `.cur-progress`.
// Nothing here inserts stored or imported text as markup.

const PROGRESS_FORMAT = "curriculum-progress";
const PROGRESS_VERSION = 1;
const STORAGE_PREFIX = "curriculum-progress:v1:";
const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
/** An imported record may be dated this far ahead of this computer's clock, no further. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
/** The date-time form both hosts write (and Python's import accepts): ISO 8601 with a zone. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const RECORD_KEY = /^[a-z][a-z0-9-]{0,80}:[A-Za-z0-9._-]{1,200}$/;
const WIDGET_NAMES = { quiz: "quiz", vignette: "case vignette", spotter: "exercise", worksheet: "worksheet" };

/** Light checks of each component's state, so an odd import is refused rather than half-used. */
const STATE_SHAPES = {
  quiz: (/** @type {any} */ s) => Array.isArray(s.attempts) && s.attempts.every(isPlainObject),
  vignette: (/** @type {any} */ s) => Array.isArray(s.path) && typeof s.at === "string",
  spotter: (/** @type {any} */ s) => isPlainObject(s.labels),
  worksheet: (/** @type {any} */ s) => isPlainObject(s.fields) && Object.values(s.fields).every((v) => typeof v === "string"),
};

/** @type {Map<string, any>} */
const hostStores = new Map();
/** @type {any[]} */
const hostViews = [];
/** @type {any[]} */
const hostPanels = [];
let hostFirstSite = "";
/** Titles of the components on this page, to name imported records. @type {Map<string, string>} */
const hostTitles = new Map();
/** Places that show what was done in one part (the quiz list, the case library). @type {any[]} */
const hostMarks = [];
/** The lessons and their parts, once loaded (progress-manifest.js). @type {Promise<any> | null} */
let hostManifest = null;

// ------------------------------------------------------------------ progress records

/**
 * Is this a record the site can use: a known key shape, a parseable
 * `updated` time and a state of the right shape?
 * @param {string} key
 * @param {any} record
 * @returns {boolean}
 */
function validRecord(key, record) {
  if (!RECORD_KEY.test(key) || !isPlainObject(record)) return false;
  if (typeof record.updated !== "string" || Number.isNaN(Date.parse(record.updated))) return false;
  if (!isPlainObject(record.state)) return false;
  const check = STATE_SHAPES[/** @type {keyof typeof STATE_SHAPES} */ (key.slice(0, key.indexOf(":")))];
  return check ? check(record.state) : true;
}

/**
 * Read a parsed progress file: its records, and the keys of records ignored.
 * @param {any} data
 * @param {string} site
 * @returns {{error?: string, records: Record<string, any>, ignored: string[]}}
 */
function readProgress(data, site) {
  const none = { records: {}, ignored: [] };
  if (!isPlainObject(data) || data.format !== PROGRESS_FORMAT) {
    return { ...none, error: "This is not a curriculum progress file." };
  }
  if (data.version !== PROGRESS_VERSION) {
    return { ...none, error: `This progress file has version ${String(data.version).slice(0, 20)}; this site reads version ${PROGRESS_VERSION}.` };
  }
  if (typeof data.site === "string" && data.site !== site) {
    return { ...none, error: `This progress file belongs to another site (“${data.site.slice(0, 80)}”), not to this one (“${site}”).` };
  }
  if (!isPlainObject(data.records)) return { ...none, error: "This progress file has no records." };
  /** @type {Record<string, any>} */
  const records = {};
  const ignored = [];
  for (const [key, record] of Object.entries(data.records)) {
    if (validRecord(key, record)) records[key] = { updated: record.updated, state: record.state };
    else ignored.push(key);
  }
  return { records, ignored };
}

/**
 * localStorage if it works here, otherwise null (some locked-down browsers
 * refuse it, and it throws rather than returning null).
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
 * The progress of one site: in localStorage, or in memory when that is refused.
 * @param {string} site
 * @returns {any}
 */
function openStore(site) {
  const key = STORAGE_PREFIX + site;
  const storage = probeStorage();
  /** @type {Record<string, any>} */
  let memory = {};
  /** @type {string | null} */
  let problem = null;

  /** @returns {Record<string, any>} */
  function load() {
    if (!storage || problem === "full") return { ...memory };
    let text = null;
    try {
      text = storage.getItem(key);
    } catch (error) {
      return { ...memory };
    }
    if (text === null) return {};
    try {
      const read = readProgress(JSON.parse(text), site);
      if (!read.error) return read.records;
    } catch (error) {
      // fall through: damaged
    }
    keepDamaged(text);
    return {};
  }

  /** @param {string} text */
  function keepDamaged(text) {
    if (problem === "damaged") return;
    problem = "damaged";
    log("warn", `the saved progress under ${key} is damaged; a copy is kept under ${key}:damaged`);
    try {
      if (storage && storage.getItem(`${key}:damaged`) === null) storage.setItem(`${key}:damaged`, text);
    } catch (error) {
      // nothing more we can do
    }
  }

  /** @param {Record<string, any>} records */
  function save(records) {
    memory = records;
    if (!storage) return true;
    try {
      storage.setItem(key, JSON.stringify({ format: PROGRESS_FORMAT, version: PROGRESS_VERSION, site, updated: nowIso(), records }));
      if (problem === "full") problem = null;
      return true;
    } catch (error) {
      problem = "full";
      log("warn", "could not save progress (storage full?)", error);
      return false;
    }
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
    /** @param {string} k */
    get(k) {
      return load()[k] || null;
    },
    /** @param {string} k @param {any} state */
    put(k, state) {
      const records = load();
      if (state === null || state === undefined) delete records[k];
      else records[k] = { updated: nowIso(), state };
      return save(records);
    },
    save,
    clear() {
      memory = {};
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
 * @param {string} site
 * @returns {any}
 */
function storeFor(site) {
  let store = hostStores.get(site);
  if (!store) {
    store = openStore(site);
    hostStores.set(site, store);
  }
  return store;
}

/** @returns {string} */
function defaultSite() {
  return document.documentElement.dataset.curriculumSite || hostFirstSite || "curriculum";
}

/** @returns {"resident" | "faculty"} */
function hostProfile() {
  return document.documentElement.dataset.curriculumProfile === "faculty" ? "faculty" : "resident";
}

/**
 * Give mounted components of `site` the stored state, where it differs.
 * @param {string} site
 * @param {any} [except]   a model that already has it
 * @param {string} [onlyKey]  only the views of this record
 */
function refreshViews(site, except, onlyKey) {
  const records = storeFor(site).records();
  for (const view of hostViews) {
    if (view.site !== site || view.model === except || (onlyKey && view.key !== onlyKey)) continue;
    const record = records[view.key];
    const state = record ? record.state : null;
    if (JSON.stringify(state) !== JSON.stringify(view.model.get("state"))) view.replaceState(state);
  }
}

// ------------------------------------------------------------------ what was done

const PART_KINDS = { quiz: "Quiz", vignette: "Case", spotter: "Spotter", worksheet: "Worksheet" };
const STATUS_ICONS = { done: "✓", started: "◐", new: "○" };

/**
 * "3 of 12 items", or "3 items" when the total is not known.
 * @param {number} n
 * @param {number} total
 * @param {string} word
 * @returns {string}
 */
function countOf(n, total, word) {
  return total > 0 ? `${n} of ${plural(total, word)}` : plural(n, word);
}

/**
 * What the learner has done in a quiz.
 * @param {{quiz?: string, pass?: number}} part
 * @param {any} state
 * @param {number} total
 * @returns {{status: "done" | "started" | "new", text: string}}
 */
function quizStatus(part, state, total) {
  const attempts = Array.isArray(state.attempts) ? state.attempts.filter(isPlainObject) : [];
  if (!attempts.length) return { status: "new", text: "Not started" };
  const last = attempts[attempts.length - 1];
  const answered = isPlainObject(last.responses) ? Object.values(last.responses).filter((r) => Array.isArray(r) && r.length).length : 0;
  if (part.quiz === "summative") {
    return last.submitted ? { status: "done", text: "Response file downloaded" } : { status: "started", text: `${countOf(answered, total, "item")} answered` };
  }
  const scored = attempts.filter((a) => typeof a.score === "number" && Number.isFinite(a.score));
  if (scored.length) {
    const latest = scored[scored.length - 1];
    const best = Math.max(...scored.map((a) => a.score));
    const right = total > 0 ? `${Math.round(latest.score * total)} of ${total} correct ` : "";
    const verdict = passed(latest.score, part.pass);
    let text = `Finished: ${right}(${percent(latest.score)})`;
    if (verdict !== null) text += verdict ? ", passed" : ", not yet passed";
    if (best > latest.score) text += `; best ${percent(best)}`;
    return { status: "done", text };
  }
  const checked = Array.isArray(last.checked) ? last.checked.length : 0;
  if (!answered && !checked) return { status: "new", text: "Not started" };
  const formative = !part.quiz || part.quiz === "formative";
  return { status: "started", text: formative ? `${countOf(checked, total, "item")} checked` : `${countOf(answered, total, "item")} answered` };
}

/**
 * What the learner has done in one part, from its saved record.
 * @param {{kind: string, total?: number, quiz?: string, pass?: number}} part
 * @param {any} record  the saved record, or null
 * @returns {{status: "done" | "started" | "new", text: string}}
 */
function partStatus(part, record) {
  const state = record && isPlainObject(record.state) ? record.state : null;
  const total = Number(part.total) > 0 ? Number(part.total) : 0;
  const none = { status: /** @type {const} */ ("new"), text: "Not started" };
  if (!state) return none;
  if (part.kind === "quiz") return quizStatus(part, state, total);
  if (part.kind === "vignette") {
    const reached = isPlainObject(state.endings) ? Object.values(state.endings).filter((n) => Number(n) > 0).length : 0;
    if (reached) return { status: "done", text: `${countOf(reached, total, "ending")} reached` };
    const steps = Array.isArray(state.path) ? state.path.length : 0;
    return steps ? { status: "started", text: `In progress: ${plural(steps, "choice")} made` } : none;
  }
  if (part.kind === "spotter") {
    const r = isPlainObject(state.result) ? state.result : null;
    if (state.checked === true) {
      return { status: "done", text: r ? `Checked: ${r.techniques} of ${r.total} techniques, ${r.places} of ${r.total} places right` : "Labels checked" };
    }
    const labels = isPlainObject(state.labels) ? Object.values(state.labels).filter((l) => isPlainObject(l) && (l.technique || l.place)).length : 0;
    return labels ? { status: "started", text: `${countOf(labels, total, "marked turn")} labelled` } : none;
  }
  if (part.kind === "worksheet") {
    const written = isPlainObject(state.fields) ? Object.values(state.fields).filter((t) => typeof t === "string" && t.trim()).length : 0;
    if (written && total && written >= total) return { status: "done", text: total === 1 ? "Written" : `All ${plural(total, "field")} written` };
    return written ? { status: "started", text: `${countOf(written, total, "field")} written` } : none;
  }
  return { status: "started", text: "Saved" };
}

/**
 * A status as icon (hidden from screen readers: the words say it) and words.
 * @param {{status: string, text: string}} st
 * @returns {HTMLElement[]}
 */
function statusNodes(st) {
  return [
    h("span", { class: "cur-status-icon", "aria-hidden": "true", text: STATUS_ICONS[/** @type {keyof typeof STATUS_ICONS} */ (st.status)] || "•" }),
    h("span", { class: "cur-status-text", text: st.text }),
  ];
}

/**
 * The lessons and their parts (progress-manifest.js): already on the page (Quarto includes it),
 * or loaded once as a classic script from the site's root (which works from file:// too).
 * Resolves to null when there is none (a page outside the site, a copy without it).
 * @returns {Promise<any>}
 */
function loadManifest() {
  if (hostManifest) return hostManifest;
  hostManifest = new Promise((resolve) => {
    const ready = () => (isPlainObject(window.CURRICULUM_MANIFEST) ? window.CURRICULUM_MANIFEST : null);
    const root = document.documentElement.getAttribute("data-root");
    if (ready() || root === null) {
      resolve(ready());
      return;
    }
    const script = document.createElement("script");
    script.src = `${root}progress-manifest.js`;
    script.onload = () => resolve(ready());
    script.onerror = () => {
      log("warn", "the list of lessons (progress-manifest.js) could not be loaded");
      resolve(null);
    };
    document.head.appendChild(script);
  });
  return hostManifest;
}

/**
 * Fill the marks of what was done (quiz list, case library) from the saved progress.
 */
function refreshMarks() {
  for (const mark of hostMarks) {
    const st = partStatus(mark.part, storeFor(mark.site).get(mark.key));
    mark.node.classList.remove("cur-record-done", "cur-record-started", "cur-record-new");
    mark.node.classList.add(`cur-record-${st.status}`);
    mark.node.replaceChildren(mark.label ? h("span", { class: "cur-record-label", text: mark.label }) : "", ...statusNodes(st));
  }
}

/**
 * Bring every panel and mark of `site` in step with its saved progress.
 * @param {string} site
 */
function refreshProgress(site) {
  for (const panel of hostPanels) if (panel.site === site) panel.update();
  refreshMarks();
}

// ------------------------------------------------------------------ export and import

/**
 * The learner's progress for a site, as a progress file object.
 * @param {string} [site]
 * @returns {{format: string, version: number, site: string, updated: string, records: Record<string, any>}}
 */
function exportProgress(site) {
  const id = site || defaultSite();
  return { format: PROGRESS_FORMAT, version: PROGRESS_VERSION, site: id, updated: nowIso(), records: storeFor(id).records() };
}

/**
 * Name records for a message: the component's title when it is on this page, else its key.
 * @param {string[]} keys
 * @param {boolean} [titles]
 * @returns {string}
 */
function listKeys(keys, titles) {
  const shown = keys.slice(0, 5).map((k) => (titles && hostTitles.get(k)) || k).map((k) => (k.length > 60 ? `${k.slice(0, 59)}…` : k));
  return shown.join(", ") + (keys.length > 5 ? ` and ${keys.length - 5} more` : "");
}

/**
 * Merge a progress file (its text) into the site's progress: newer `updated`
 * wins; records of an unexpected shape are reported and ignored.
 * @param {string} text
 * @param {string} [site]
 * @returns {{ok: boolean, imported: string[], kept: string[], ignored: string[], message: string}}
 */
function importProgress(text, site) {
  const id = site || defaultSite();
  const fail = (/** @type {string} */ message) => ({ ok: false, imported: [], kept: [], ignored: [], message: `${message} Nothing was imported.` });
  let data;
  try {
    data = JSON.parse(String(text));
  } catch (error) {
    return fail("This file is not a progress file: it is not valid JSON.");
  }
  const read = readProgress(data, id);
  if (read.error) return fail(read.error);
  const store = storeFor(id);
  const records = store.records();
  const imported = [];
  const kept = [];
  const undated = [];
  const latest = Date.now() + CLOCK_SKEW_MS;
  for (const [key, record] of Object.entries(read.records)) {
    const have = records[key];
    // A record that is not dated the way the hosts write, or is dated in the future, could
    // otherwise win over the learner's newer work forever: it is left out and reported.
    if (!ISO_TIME.test(record.updated) || Date.parse(record.updated) > latest) {
      undated.push(key);
      continue;
    }
    if (!have || !(Date.parse(have.updated) >= Date.parse(record.updated))) {
      records[key] = record;
      imported.push(key);
    } else {
      kept.push(key);
    }
  }
  const saved = store.save(records);
  refreshViews(id);
  const parts = [imported.length ? `Imported ${plural(imported.length, "record")}: ${listKeys(imported, true)}.` : "Nothing new to import."];
  if (kept.length) parts.push(`Kept ${plural(kept.length, "record")} of yours that ${kept.length === 1 ? "was" : "were"} as new or newer.`);
  if (read.ignored.length) parts.push(`Ignored ${plural(read.ignored.length, "record")} with an unexpected shape: ${listKeys(read.ignored)}.`);
  if (undated.length) parts.push(`Ignored ${plural(undated.length, "record")} dated in the future or not dated as a progress file dates them: ${listKeys(undated)}.`);
  if (!saved) parts.push("This browser could not save them permanently; export before you leave.");
  return { ok: true, imported, kept, ignored: [...read.ignored, ...undated], message: parts.join(" ") };
}

// ------------------------------------------------------------------ model shim

/**
 * A model with anywidget's interface over a plain object. `change:` events
 * fire synchronously on `set`, as in Backbone; a failing listener is logged
 * and does not stop the others.
 * @param {any} payload
 * @param {any} state
 * @param {{kind: string, profile: string}} host
 * @param {(state: any) => void} save
 * @returns {{model: any, replaceState: (state: any) => void}}
 */
function createModel(payload, state, host, save) {
  /** @type {Record<string, any>} */
  const attrs = { payload, state, host };
  /** @type {{event: string, callback: Function, context: any}[]} */
  let listeners = [];
  /** @param {string} event */
  const emit = (event) => {
    for (const l of listeners.slice()) {
      if (l.event !== event) continue;
      try {
        l.callback.call(l.context);
      } catch (error) {
        log("error", `a ${event} listener failed`, error);
      }
    }
  };
  const model = {
    /** @param {string} name */
    get(name) {
      return attrs[name];
    },
    /** @param {string} name @param {any} value */
    set(name, value) {
      if (attrs[name] === value) return;
      attrs[name] = value;
      emit(`change:${name}`);
    },
    /** @param {string} events @param {Function} callback @param {any} [context] */
    on(events, callback, context) {
      for (const event of String(events).split(/\s+/).filter(Boolean)) listeners.push({ event, callback, context });
    },
    /** @param {string | null} [events] @param {Function | null} [callback] @param {any} [context] */
    off(events, callback, context) {
      const names = events ? String(events).split(/\s+/) : null;
      listeners = listeners.filter((l) => !((!names || names.includes(l.event)) && (!callback || l.callback === callback) && (!context || l.context === context)));
    },
    save_changes() {
      save(attrs.state);
    },
    /** @param {any} message */
    send(message) {
      log("info", "send() has no receiver on a static page", message);
    },
  };
  return {
    model,
    replaceState(next) {
      attrs.state = next;
      emit("change:state");
    },
  };
}

// ------------------------------------------------------------------ mounting

/**
 * Show a readable error in place of a component (never throws).
 * @param {Element} node
 * @param {string} text
 * @param {unknown} error
 */
function showError(node, text, error) {
  log("error", text, error);
  node.appendChild(h("p", { class: "cur-error" }, [h("span", { class: "cur-icon", "aria-hidden": "true", text: "⚠" }), ` ${text}`]));
}

/**
 * Mount one `.cur-widget`.
 * @param {Element} node
 */
function mountWidget(node) {
  if (node.hasAttribute("data-cur-mounted")) return;
  node.setAttribute("data-cur-mounted", "");
  const kind = node.getAttribute("data-component") || "";
  const label = WIDGET_NAMES[/** @type {keyof typeof WIDGET_NAMES} */ (kind)] || "exercise";
  let payload;
  try {
    // A page built by the Pandoc engine (it names its scripts on <html>) has its payloads in the
    // script it loads after the text (window.CURRICULUM_PAYLOADS, keyed by the widget's id), and
    // only there: markup inside such a page never supplies one. A page built otherwise (Quarto,
    // JupyterLab's HTML export) carries them inline.
    const script = document.documentElement.hasAttribute("data-bundle") ? null : node.querySelector("script.cur-payload");
    const deferred = window.CURRICULUM_PAYLOADS;
    if (script) payload = JSON.parse(script.textContent || "");
    else if (isPlainObject(deferred) && Object.prototype.hasOwnProperty.call(deferred, node.id)) payload = deferred[node.id];
    else throw new Error("no .cur-payload element");
    if (!isPlainObject(payload) || typeof payload.key !== "string") throw new Error("the payload is not an object with a key");
  } catch (error) {
    showError(node, `This ${label} cannot be shown: its data is damaged. The rest of the page still works.`, error);
    return;
  }
  const component = Object.prototype.hasOwnProperty.call(COMPONENTS, kind) ? COMPONENTS[/** @type {keyof typeof COMPONENTS} */ (kind)] : null;
  if (!component || typeof component.render !== "function") {
    showError(node, `This page asks for a component this site does not have (“${kind.slice(0, 40)}”).`, kind);
    return;
  }
  const site = typeof payload.site === "string" && payload.site ? payload.site : defaultSite();
  if (!hostFirstSite) hostFirstSite = site;
  if (typeof payload.title === "string" && payload.title) hostTitles.set(payload.key, payload.title);
  const store = storeFor(site);
  const record = store.get(payload.key);
  /** @type {any} */
  let view = null;
  const { model, replaceState } = createModel(payload, record ? record.state : null, { kind: "static", profile: hostProfile() }, (state) => {
    store.put(payload.key, state);
    refreshProgress(site);
    if (view) refreshViews(site, model, payload.key);
  });
  // Each view gets its own listener context, so its listeners can all be removed.
  const context = {};
  const viewModel = {
    get: model.get,
    set: model.set,
    save_changes: model.save_changes,
    send: model.send,
    /** @param {string} events @param {Function} callback */
    on: (events, callback) => model.on(events, callback, context),
    /** @param {string} [events] @param {Function} [callback] */
    off: (events, callback) => model.off(events || null, callback || null, context),
  };
  const el = h("div", { class: "cur-mount" });
  node.appendChild(el);
  let cleanup = null;
  try {
    const result = component.render({ model: viewModel, el });
    cleanup = typeof result === "function" ? result : null;
  } catch (error) {
    model.off(null, null, context);
    el.remove();
    showError(node, `This ${label} could not start because of an error. The rest of the page still works.`, error);
    return;
  }
  view = {
    node,
    site,
    key: payload.key,
    model,
    replaceState,
    dispose() {
      try {
        if (cleanup) cleanup();
      } catch (error) {
        log("error", "error while cleaning up", error);
      }
      model.off(null, null, context);
    },
  };
  hostViews.push(view);
}

/**
 * Draw the progress controls into one `.cur-progress` element.
 * @param {Element} node
 */
function mountPanel(node) {
  if (node.hasAttribute("data-cur-mounted")) return;
  node.setAttribute("data-cur-mounted", "");
  const site = node.getAttribute("data-site") || defaultSite();
  const store = storeFor(site);
  const level = Math.min(Math.max(Number(node.getAttribute("data-heading-level")) || 2, 2), 6);
  const headingId = uid("progress");
  const status = h("p", { class: "cur-panel-status", role: "status", "aria-live": "polite" });
  const notice = h("p", { class: "cur-notice", hidden: true });
  const slot = h("div", { class: "cur-confirm-slot" });
  const say = (/** @type {string} */ text) => {
    status.textContent = "";
    window.setTimeout(() => { status.textContent = text; }, 60);
  };
  const input = /** @type {HTMLInputElement} */ (h("input", { type: "file", accept: ".json,application/json", hidden: true, "aria-label": "Progress file to import" }));
  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    if (file.size > MAX_IMPORT_BYTES) {
      say("This file is too large to be a progress file. Nothing was imported.");
      return;
    }
    file.text().then(
      (text) => {
        say(importProgress(text, site).message);
        refreshProgress(site);
      },
      () => say("The file could not be read. Nothing was imported."),
    );
  });
  const clearButton = button("Clear my progress…", () => {
    slot.replaceChildren(confirmBox({
      key: "clear-progress",
      message: "Delete every saved answer on this site in this browser? Export first if you want a copy.",
      yes: "Delete my progress",
      no: "Cancel",
      danger: true,
      onYes: () => {
        store.clear();
        slot.replaceChildren();
        refreshViews(site);
        refreshProgress(site);
        clearButton.focus();
        say("Your saved progress on this site was deleted from this browser.");
      },
      onNo: () => {
        slot.replaceChildren();
        clearButton.focus();
      },
    }));
    const cancel = slot.querySelector('[data-key="clear-progress:no"]');
    if (cancel instanceof HTMLElement) cancel.focus();
  }, { key: "clear-progress", danger: true });
  const summary = h("p", { class: "cur-progress-summary" });
  const list = h("div", { class: "cur-progress-list" }, [h("p", { class: "cur-meta", text: "Loading the list of lessons…" })]);
  /** @type {any} */
  let manifest = null;
  const panel = h("section", { class: "cur-progress-panel", "aria-labelledby": headingId }, [
    h(`h${level}`, { id: headingId, class: "cur-panel-heading", text: "Saved in this browser" }),
    h("p", { text: "Your answers are saved in this browser only. Export them to keep a copy or to continue on another computer." }),
    notice,
    summary,
    h("div", { class: "cur-actions" }, [
      button("Export progress", () => {
        const name = `${site}-progress.json`;
        downloadText(name, `${JSON.stringify(exportProgress(site), null, 2)}\n`, "application/json");
        say(`Your progress was saved as ${safeFileName(name)}.`);
      }, { key: "export-progress" }),
      button("Import progress…", () => input.click(), { key: "import-progress" }),
      clearButton,
    ]),
    input,
    slot,
    status,
    list,
  ]);
  const drawList = () => {
    const drawn = progressList(store.records(), manifest, Math.min(level + 1, 6));
    list.replaceChildren(...drawn.nodes);
    summary.textContent = drawn.total
      ? `You have finished ${drawn.done} of ${plural(drawn.total, "part")}` + (drawn.started ? `, and started ${drawn.started} more.` : ".")
      : "";
    summary.hidden = !drawn.total;
  };
  const update = () => {
    drawList();
    const problem = store.memoryOnly ? "This browser does not let the site save your answers: they will be lost when you close the page. Export them before you leave."
      : store.problem === "full" ? "This browser's storage is full: new answers are not saved. Export your progress now."
        : store.problem === "damaged" ? "Your saved progress in this browser was damaged and could not be read; a copy was kept. You can import an exported progress file."
          : "";
    notice.textContent = problem;
    notice.hidden = !problem;
  };
  update();
  hostPanels.push({ site, update });
  node.replaceChildren(panel);
  loadManifest().then((loaded) => {
    manifest = loaded;
    drawList();
  });
}

/**
 * The list of every lesson's parts with what was done in each; parts the list does not know
 * (saved by another version of the site) come last, under their key.
 * @param {Record<string, any>} records  the saved progress
 * @param {any} manifest  the lessons and their parts, or null
 * @param {number} level  the heading level of a lesson
 * @returns {{nodes: HTMLElement[], done: number, started: number, total: number}}
 */
function progressList(records, manifest, level) {
  const root = document.documentElement.getAttribute("data-root") || "";
  const counts = { done: 0, started: 0, total: 0 };
  const known = new Set();
  /** @param {any} part */
  const item = (part) => {
    const st = partStatus(part, records[part.key] || null);
    known.add(part.key);
    counts.total += 1;
    if (st.status === "done") counts.done += 1;
    if (st.status === "started") counts.started += 1;
    const title = String(part.title || part.key);
    return h("li", { class: ["cur-part", `cur-record-${st.status}`] }, [
      h("span", { class: "cur-part-kind", text: PART_KINDS[/** @type {keyof typeof PART_KINDS} */ (part.kind)] || "Part" }),
      " ",
      part.url ? h("a", { href: root + String(part.url), text: title }) : h("span", { text: title }),
      h("span", { class: "cur-part-status" }, statusNodes(st)),
    ]);
  };
  /**
   * @param {string} title
   * @param {string} url
   * @param {any[]} parts
   * @returns {HTMLElement[]}
   */
  const group = (title, url, parts) => (parts.length ? [
    h(`h${level}`, { class: "cur-progress-lesson" }, [url ? h("a", { href: root + url, text: title }) : title]),
    h("ul", { class: "cur-parts" }, parts.map(item)),
  ] : []);
  const nodes = [];
  if (manifest) {
    for (const lesson of Array.isArray(manifest.lessons) ? manifest.lessons : []) {
      if (isPlainObject(lesson) && Array.isArray(lesson.parts)) nodes.push(...group(String(lesson.title), String(lesson.url || ""), lesson.parts.filter(isPlainObject)));
    }
    nodes.push(...group("Other practice", "", Array.isArray(manifest.other) ? manifest.other.filter(isPlainObject) : []));
  }
  const unknown = Object.keys(records).filter((k) => !known.has(k)).sort().map((key) => ({
    key,
    kind: key.slice(0, key.indexOf(":")),
    title: hostTitles.get(key) || key,
  }));
  nodes.push(...group(manifest ? "Other saved work" : "Saved work", "", unknown));
  if (!nodes.length) nodes.push(h("p", { class: "cur-meta", text: "Nothing is saved in this browser yet." }));
  return { nodes, ...counts };
}

/**
 * Remember the places that show what was done in one part (`data-cur-record`).
 * @param {ParentNode} scope
 */
function mountMarks(scope) {
  for (const node of scope.querySelectorAll("[data-cur-record]")) {
    if (node.hasAttribute("data-cur-mounted")) continue;
    node.setAttribute("data-cur-mounted", "");
    const key = node.getAttribute("data-cur-record") || "";
    const pass = Number(node.getAttribute("data-cur-pass"));
    hostMarks.push({
      node,
      key,
      site: defaultSite(),
      label: node.getAttribute("data-cur-label") || "",
      part: {
        kind: key.slice(0, key.indexOf(":")),
        total: Number(node.getAttribute("data-cur-total")) || 0,
        quiz: node.getAttribute("data-cur-quiz") || "",
        pass: pass > 0 ? pass : null,
      },
    });
  }
  refreshMarks();
}

/**
 * Mount every component and progress panel not yet mounted under `root`.
 * @param {ParentNode} [root]
 * @returns {number}  how many components are mounted on the page
 */
function mountAll(root) {
  const scope = root || document;
  for (const node of scope.querySelectorAll(".cur-widget")) {
    try {
      mountWidget(node);
    } catch (error) {
      showError(node, "This part of the page could not be shown.", error);
    }
  }
  for (const node of scope.querySelectorAll(".cur-progress")) {
    try {
      mountPanel(node);
    } catch (error) {
      log("error", "the progress controls could not be drawn", error);
    }
  }
  try {
    mountMarks(scope);
  } catch (error) {
    log("error", "what was done could not be shown", error);
  }
  // Without a progress panel, say on each component when nothing can be saved.
  if (!document.querySelector(".cur-progress")) {
    for (const view of hostViews) {
      if (storeFor(view.site).memoryOnly && !view.node.querySelector(".cur-notice")) {
        view.node.insertBefore(h("p", { class: "cur-notice", text: "This browser does not let the site save your answers: they will be lost when you close the page." }), view.node.firstChild);
      }
    }
  }
  return hostViews.length;
}

window.addEventListener("storage", (event) => {
  // Another tab changed the progress: bring this page in step.
  if (event.key !== null && !event.key.startsWith(STORAGE_PREFIX)) return;
  for (const site of new Set(hostViews.map((v) => v.site))) refreshViews(site);
  for (const site of new Set([...hostPanels.map((p) => p.site), ...hostMarks.map((m) => m.site)])) refreshProgress(site);
});

window.Curriculum = Object.freeze({
  mountAll,
  exportProgress,
  importProgress,
  score,
  itemCorrect,
  passed,
  drawOrder,
  shuffle,
});

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => mountAll());
else mountAll();
