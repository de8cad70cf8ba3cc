// mount.js: the static host on a page (docs/components.md, "Static fragment"): each
// `.cur-widget` gets its component over the model shim, each `.cur-progress` the progress
// controls, and another tab's changes reach this page.

import { isPlainObject, log } from "./base.js";
import { h } from "./dom.js";
import { createModel } from "./shim.js";
import {
  STORAGE_PREFIX,
  own,
  defaultSite,
  exportProgress,
  hostProfile,
  importProgress,
  neededRecords,
  page,
  refreshViews,
  storeFor,
} from "./store.js";
import { mountMarks, mountPanel, refreshProgress } from "./panel.js";

/**
 * Show a readable error in place of a component (never throws).
 * @param {Element} node
 * @param {string} text
 * @param {unknown} error
 */
function showError(node, text, error) {
  log("error", text, error);
  node.appendChild(
    h("p", { class: "cur-error" }, [h("span", { class: "cur-icon", "aria-hidden": "true", text: "⚠" }), ` ${text}`]),
  );
}

/**
 * The payload of a `.cur-widget`. A page built by the Pandoc engine (it names its scripts on
 * <html>) has its payloads in the script it loads after the text (window.CURRICULUM_PAYLOADS,
 * keyed by the widget's id), and only there: markup inside such a page never supplies one. A
 * page built otherwise (Quarto, JupyterLab's HTML export) carries them inline.
 * @param {Element} node
 * @returns {import("./view.js").PayloadBase}
 */
function payloadOf(node) {
  const script = document.documentElement.hasAttribute("data-bundle") ? null : node.querySelector("script.cur-payload");
  const deferred = window.CURRICULUM_PAYLOADS;
  /** @type {unknown} */
  let payload;
  if (script) payload = JSON.parse(script.textContent || "");
  else if (isPlainObject(deferred) && Object.prototype.hasOwnProperty.call(deferred, node.id))
    payload = deferred[node.id];
  else throw new Error("no .cur-payload element");
  if (!isPlainObject(payload) || typeof payload.key !== "string")
    throw new Error("the payload is not an object with a key");
  return /** @type {import("./view.js").PayloadBase} */ (/** @type {unknown} */ (payload));
}

/**
 * Mount one `.cur-widget`.
 * @param {Element} node
 */
function mountWidget(node) {
  if (node.hasAttribute("data-cur-mounted")) return;
  node.setAttribute("data-cur-mounted", "");
  const kind = node.getAttribute("data-component") || "";
  const component = own(page.components, kind);
  const known = own(page.kinds, kind);
  const label = known ? known.noun : "exercise";
  let payload;
  try {
    payload = payloadOf(node);
  } catch (error) {
    showError(node, `This ${label} cannot be shown: its data is damaged. The rest of the page still works.`, error);
    return;
  }
  if (!component || typeof component.render !== "function") {
    showError(node, `This page asks for a component this site does not have (“${kind.slice(0, 40)}”).`, kind);
    return;
  }
  const key = payload.key;
  const site = typeof payload.site === "string" && payload.site ? payload.site : defaultSite();
  if (!page.firstSite) page.firstSite = site;
  if (typeof payload.title === "string" && payload.title) page.titles.set(key, payload.title);
  const store = storeFor(site);
  const records = store.records(); // one read of the stored file per mount: the record and what it needs
  const record = own(records, key);
  let mounted = false;
  const { model, replaceState } = createModel(
    payload,
    record ? record.state : null,
    { kind: "static", profile: hostProfile() },
    (state) => {
      store.put(key, state);
      refreshProgress(site);
      if (mounted) refreshViews(site, model, key);
    },
  );
  model.set("records", neededRecords(records, payload));
  // Each view gets its own listener context, so its listeners can all be removed.
  const context = {};
  /** @type {import("./view.js").Model} */
  const viewModel = {
    get: model.get,
    set: model.set,
    save_changes: model.save_changes,
    send: model.send,
    on: (events, callback) => model.on(events, callback, context),
    off: (events, callback) => model.off(events || null, callback || null, context),
  };
  const el = h("div", { class: "cur-mount" });
  node.appendChild(el);
  /** @type {(() => void) | null} */
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
  page.views.push({
    node,
    site,
    key,
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
  });
  mounted = true;
}

/**
 * Mount every component and progress panel not yet mounted under `root`.
 * @param {ParentNode} [root]
 * @returns {number}  how many components are mounted on the page
 */
export function mountAll(root) {
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
    for (const view of page.views) {
      if (storeFor(view.site).memoryOnly && !view.node.querySelector(".cur-notice")) {
        view.node.insertBefore(
          h("p", {
            class: "cur-notice",
            text: "This browser does not let the site save your answers: they will be lost when you close the page.",
          }),
          view.node.firstChild,
        );
      }
    }
  }
  return page.views.length;
}

/**
 * Start the static host with the page's components: follow other tabs, offer
 * `window.Curriculum`, and mount everything once the page is parsed.
 * @param {Record<string, import("./view.js").Component>} components  the modules, by kind
 * @param {Record<string, import("./view.js").Kind>} kinds  what the registry says of each kind
 */
export function startHost(components, kinds) {
  page.components = components;
  page.kinds = kinds;
  window.addEventListener("storage", (event) => {
    // Another tab changed the progress: bring this page in step.
    if (event.key !== null && !event.key.startsWith(STORAGE_PREFIX)) return;
    for (const site of new Set(page.views.map((v) => v.site))) refreshViews(site);
    for (const site of new Set([...page.panels.map((p) => p.site), ...page.marks.map((m) => m.site)])) {
      refreshProgress(site);
    }
  });
  // For scripts on the page: mount components added later, export and import progress.
  window.Curriculum = Object.freeze({ mountAll, exportProgress, importProgress });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => mountAll());
  else mountAll();
}
