// site.js: the site's own behaviour: the small-screen menu, search, the table of contents,
// wide tables, the case library's filters, and loading the interactive parts. Everything
// degrades: without JavaScript the sidebar is shown in full, the search box submits to the
// search page, and every case is listed.

import { matchRanges, readIndex, search, snippet, termsOf } from "./search.js";

const root = document.documentElement.getAttribute("data-root") || "";

// ---- small-screen menu ----------------------------------------------------------------

function setupMenu() {
  const button = document.querySelector(".menu-toggle");
  const nav = document.getElementById("site-nav");
  if (!(button instanceof HTMLElement) || !nav) return;
  button.hidden = false;
  document.documentElement.classList.add("has-menu");
  const close = (/** @type {boolean} */ focus) => {
    nav.classList.remove("open");
    button.setAttribute("aria-expanded", "false");
    if (focus) button.focus();
  };
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", open ? "false" : "true");
    nav.classList.toggle("open", !open);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && nav.classList.contains("open")) close(true);
  });
}

// ---- sidebar: the section of a page the sidebar does not list -----------------------------

function setupSidebar() {
  const nav = document.getElementById("site-nav");
  if (!nav || nav.querySelector("[aria-current=page]")) return;
  // A case, a quiz or a reference page belongs to its folder's index page (cases/index.html ...).
  const links = nav.querySelectorAll('a[href="index.html"]');
  if (!links.length || !root) return;
  const parent = links[0];
  parent.classList.add("nav-parent");
  for (let el = parent.parentNode; el && el !== nav; el = el.parentNode) {
    if (el instanceof HTMLDetailsElement) el.open = true;
  }
}

// ---- search ------------------------------------------------------------------------------

const DROPDOWN = 8;
const PAGE_SIZE = 20;
/** @type {import("./search.js").Index | null} */
let index = null;
/** @type {Promise<import("./search.js").Index> | null} */
let loading = null;
/** @type {Record<number, Promise<string[]>>} */
const texts = {};

/**
 * Load a classic script once (no network beyond the site's own files: works from file://).
 * @param {string} src
 * @returns {Promise<unknown>}
 */
function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => {
      script.remove();
      reject(new Error(`${src} missing`));
    };
    document.head.appendChild(script);
  });
}

/** @returns {Promise<import("./search.js").Index>} */
function loadIndex() {
  if (index) return Promise.resolve(index);
  if (loading) return loading;
  loading = loadScript(`${root}search-index.js`).then(
    () => {
      index = readIndex(/** @type {import("./search.js").RawIndex} */ (window.CURRICULUM_SEARCH));
      return index;
    },
    (error) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

/**
 * The text of a page's sections, for snippets (search/<page>.js, loaded once).
 * @param {number} page
 * @returns {Promise<string[]>}
 */
function loadTexts(page) {
  if (!texts[page]) {
    texts[page] = loadScript(`${root}search/${page}.js`).then(
      () => (window.CURRICULUM_SEARCH_TEXT || {})[page] || [],
      () => {
        delete texts[page];
        return [];
      },
    );
  }
  return texts[page];
}

/**
 * Append `text` to `parent` with every occurrence of a term wrapped in <mark> (as text nodes: no HTML).
 * @param {Node} parent
 * @param {string} text
 * @param {string[]} terms
 */
function highlighted(parent, text, terms) {
  let pos = 0;
  for (const [start, end] of matchRanges(text, terms)) {
    parent.appendChild(document.createTextNode(text.slice(pos, start)));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(start, end);
    parent.appendChild(mark);
    pos = end;
  }
  parent.appendChild(document.createTextNode(text.slice(pos)));
}

/**
 * @param {import("./search.js").Hit} hit
 * @param {string[]} terms  the query's terms (termsOf), to highlight
 * @returns {HTMLLIElement}
 */
function resultItem(hit, terms) {
  const section = hit.section;
  const li = document.createElement("li");
  const a = document.createElement("a");
  a.href = root + hit.page.url + (section.anchor ? `#${section.anchor}` : "");
  const title = document.createElement("span");
  title.className = "search-title";
  highlighted(title, section.heading ? `${hit.page.title} › ${section.heading}` : hit.page.title, terms);
  const text = document.createElement("span");
  text.className = "search-snippet";
  a.appendChild(title);
  a.appendChild(text);
  li.appendChild(a);
  loadTexts(section.page).then((list) => {
    if (typeof list[section.nth] === "string") highlighted(text, snippet(list[section.nth], terms), terms);
  });
  return li;
}

/**
 * @param {number} n
 * @returns {string}
 */
function counted(n) {
  return n === 1 ? "1 result" : `${n} results`;
}

function setupSearch() {
  const form = document.querySelector(".site-search");
  const input = document.getElementById("search-input");
  const list = document.getElementById("search-results");
  const status = /** @type {HTMLElement} */ (document.getElementById("search-status"));
  if (!form || !(input instanceof HTMLInputElement) || !list) return;
  /** @type {number | undefined} */
  let timer;
  const hide = () => {
    list.hidden = true;
  };
  const show = () => {
    const query = input.value.trim();
    list.textContent = "";
    if (query.length < 2) {
      hide();
      status.textContent = "";
      return;
    }
    loadIndex().then(
      (loaded) => {
        if (input.value.trim() !== query) return; // a newer query is on its way
        list.textContent = "";
        const results = search(loaded, query);
        const terms = termsOf(query);
        results.slice(0, DROPDOWN).forEach((hit) => {
          list.appendChild(resultItem(hit, terms));
        });
        if (results.length > DROPDOWN) {
          const more = document.createElement("li");
          more.className = "search-more";
          const link = document.createElement("a");
          link.href = `${root}search.html?q=${encodeURIComponent(query)}`;
          link.textContent = `All ${counted(results.length)} for “${query}”`;
          more.appendChild(link);
          list.appendChild(more);
        }
        list.hidden = results.length === 0;
        status.textContent = results.length
          ? counted(results.length) + (results.length > DROPDOWN ? `, the first ${DROPDOWN} shown` : "")
          : "No results";
      },
      () => {
        status.textContent = "Search is not available on this copy of the site.";
      },
    );
  };
  input.addEventListener("focus", () => {
    loadIndex().catch(() => {});
    if (list.childNodes.length && input.value.trim().length > 1) list.hidden = false;
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(show, 120);
  });
  input.addEventListener("keydown", (event) => {
    const links = list.querySelectorAll("a");
    if (event.key === "ArrowDown" && links.length) {
      event.preventDefault();
      list.hidden = false;
      links[0].focus();
    }
    if (event.key === "Escape") hide();
  });
  list.addEventListener("keydown", (event) => {
    const links = Array.from(list.querySelectorAll("a"));
    const i = links.indexOf(/** @type {HTMLAnchorElement} */ (document.activeElement));
    if (event.key === "ArrowDown" && i < links.length - 1) {
      event.preventDefault();
      links[i + 1].focus();
    }
    if (event.key === "ArrowUp") {
      event.preventDefault();
      (i > 0 ? links[i - 1] : input).focus();
    }
    if (event.key === "Escape") {
      hide();
      input.focus();
    }
  });
  // The results close when focus or a click goes elsewhere.
  form.addEventListener("focusout", (event) => {
    const next = /** @type {FocusEvent} */ (event).relatedTarget;
    if (!next || !form.contains(/** @type {Node} */ (next))) hide();
  });
  document.addEventListener("click", (event) => {
    if (!form.contains(/** @type {Node} */ (event.target))) hide();
  });

  const page = document.querySelector(".search-page-results");
  const query = new URLSearchParams(window.location.search).get("q");
  if (page && page.parentNode && query) searchPage(page, page.parentNode, input, query);
}

/**
 * The search page: every result, twenty at a time.
 * @param {Element} page       the list of results
 * @param {ParentNode} parent  where the status line and the "Show more" button go
 * @param {HTMLInputElement} input
 * @param {string} query
 */
function searchPage(page, parent, input, query) {
  input.value = query;
  const summary = document.createElement("p");
  summary.className = "search-page-status";
  summary.setAttribute("role", "status");
  parent.insertBefore(summary, page);
  const more = document.createElement("button");
  more.type = "button";
  more.className = "search-page-more";
  more.hidden = true;
  parent.insertBefore(more, page.nextSibling);
  loadIndex().then(
    (loaded) => {
      const results = search(loaded, query);
      const terms = termsOf(query);
      let shown = 0;
      const showMore = () => {
        /** @type {HTMLAnchorElement | null} */
        let first = null;
        results.slice(shown, shown + PAGE_SIZE).forEach((hit) => {
          const item = resultItem(hit, terms);
          page.appendChild(item);
          first = first || item.querySelector("a");
        });
        shown = Math.min(results.length, shown + PAGE_SIZE);
        const left = results.length - shown;
        more.hidden = left === 0;
        more.textContent =
          left > PAGE_SIZE
            ? `Show ${PAGE_SIZE} more results (${left} not shown yet)`
            : left === 1
              ? "Show the last result"
              : `Show the last ${left} results`;
        summary.textContent =
          `${results.length ? counted(results.length) : "No results"} for “${query}”` +
          (results.length > shown ? `, the first ${shown} shown.` : ".");
        return first;
      };
      showMore();
      more.addEventListener("click", () => {
        const first = showMore();
        if (first) /** @type {HTMLAnchorElement} */ (first).focus();
      });
    },
    () => {
      summary.textContent = "Search is not available on this copy of the site.";
    },
  );
}

// ---- the table of contents follows the reading position ----------------------------------

function setupToc() {
  const toc = document.querySelector(".page-toc");
  if (!toc) return;
  /** @type {{link: Element, el: HTMLElement}[]} */
  const targets = [];
  toc.querySelectorAll('a[href^="#"]').forEach((a) => {
    const el = document.getElementById(decodeURIComponent((a.getAttribute("href") || "").slice(1)));
    if (el) targets.push({ link: a, el });
  });
  if (!targets.length) return;
  /** @type {{link: Element, el: HTMLElement} | null} */
  let current = null;
  const update = () => {
    // The last heading above a line a fifth of the way down the window is the current section.
    const line = window.innerHeight / 5;
    let found = null;
    for (const target of targets) {
      if (target.el.getBoundingClientRect().top <= line) found = target;
      else break;
    }
    // Right after following a link to a section, that section is current even if the next
    // heading is close below it.
    const hash = decodeURIComponent(window.location.hash.slice(1));
    for (let j = 0; hash && j < targets.length; j++) {
      const top = targets[j].el.getBoundingClientRect().top;
      if (targets[j].el.id === hash && top >= -2 && top <= line) found = targets[j];
    }
    if (found === current) return;
    if (current) current.link.removeAttribute("aria-current");
    if (found) found.link.setAttribute("aria-current", "location");
    current = found;
  };
  let queued = false;
  const schedule = () => {
    if (queued) return;
    queued = true;
    window.requestAnimationFrame(() => {
      queued = false;
      update();
    });
  };
  window.addEventListener("scroll", schedule, { passive: true });
  window.addEventListener("resize", schedule);
  window.addEventListener("hashchange", update);
  update();
}

// ---- wide code and tables scroll sideways: say so, and make them reachable by keyboard ------
// Each table of the text goes into a scroll box. When it is wider than the column, the box
// becomes a named, focusable region (arrow keys scroll it), a line above says that it
// scrolls, and a shadow at the cut edge shows that more is there. Without this script the
// table scrolls on its own (site.css).

/**
 * @param {Element} table
 * @returns {string}
 */
function tableName(table) {
  const caption = table.querySelector("caption");
  if (caption && (caption.textContent || "").trim()) return `Table: ${(caption.textContent || "").trim()}`;
  const heads = Array.from(table.querySelectorAll("thead th"), (th) => (th.textContent || "").trim()).filter(Boolean);
  if (!heads.length) return "Table";
  const shown = heads.slice(0, 3).join(", ") + (heads.length > 3 ? " …" : "");
  return `Table with the columns ${shown}`;
}

function setupScrollables() {
  const codes = document.querySelectorAll("main pre");
  const tables = Array.from(document.querySelectorAll("main table")).filter(
    (t) => !t.closest(".cur-widget, .table-scroll"),
  );
  const boxes = tables.map((table) => {
    const wrap = document.createElement("div");
    wrap.className = "table-wrap";
    const hint = document.createElement("p");
    hint.className = "scroll-hint";
    hint.hidden = true;
    hint.textContent = "Scroll sideways to see the whole table.";
    const box = document.createElement("div");
    box.className = "table-scroll";
    /** @type {ParentNode} */ (table.parentNode).insertBefore(wrap, table);
    wrap.appendChild(hint);
    wrap.appendChild(box);
    box.appendChild(table);
    return { box, hint, name: `${tableName(table)} (scrolls sideways)` };
  });
  const check = () => {
    boxes.forEach((b) => {
      const scrolls = b.box.scrollWidth > b.box.clientWidth + 1;
      b.hint.hidden = !scrolls;
      b.box.classList.toggle("is-scrollable", scrolls);
      if (scrolls) {
        b.box.setAttribute("tabindex", "0");
        b.box.setAttribute("role", "region");
        b.box.setAttribute("aria-label", b.name);
      } else {
        b.box.removeAttribute("tabindex");
        b.box.removeAttribute("role");
        b.box.removeAttribute("aria-label");
      }
    });
    codes.forEach((el) => {
      if (el.closest(".cur-widget")) return;
      const scrolls = el.scrollWidth > el.clientWidth + 1;
      if (scrolls && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
      if (!scrolls && el.getAttribute("tabindex") === "0") el.removeAttribute("tabindex");
    });
  };
  check();
  /** @type {number | undefined} */
  let timer;
  window.addEventListener("resize", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 150);
  });
}

// ---- case library filters --------------------------------------------------------------

function setupLibrary() {
  const form = document.querySelector(".library-filters");
  if (!(form instanceof HTMLElement)) return;
  const cards = Array.from(document.querySelectorAll(".case-card"));
  const count = /** @type {HTMLElement} */ (form.querySelector(".library-count"));
  form.hidden = false;
  const apply = () => {
    /** @type {Record<string, string>} */
    const wanted = {};
    form.querySelectorAll("select").forEach((s) => {
      wanted[s.name] = s.value;
    });
    let shown = 0;
    cards.forEach((card) => {
      const ok = Object.keys(wanted).every((k) => !wanted[k] || card.getAttribute(`data-${k}`) === wanted[k]);
      /** @type {HTMLElement} */ (card).hidden = !ok;
      if (ok) shown += 1;
    });
    count.textContent = `Showing ${shown} of ${cards.length} cases`;
  };
  form.addEventListener("change", apply);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
  });
  apply();
}

// ---- the interactive parts, after the text ------------------------------------------------
// A page with components names, on <html>, the components' script (data-bundle) and its
// payloads (data-payloads). They load once the browser is idle after showing the text, or
// earlier when a component comes within a screen or two, whichever happens first.

function setupInteractive() {
  const html = document.documentElement;
  const bundle = html.getAttribute("data-bundle");
  if (!bundle) return;
  const payloads = html.getAttribute("data-payloads");
  let started = false;
  const failed = () => {
    document.querySelectorAll(".cur-widget:not([data-cur-mounted])").forEach((el) => {
      el.setAttribute("data-load-failed", "");
      const note = document.createElement("p");
      note.className = "cur-load-failed";
      note.textContent = "This exercise could not be loaded. Reload the page to try again.";
      el.appendChild(note);
    });
  };
  const load = () => {
    if (started) return;
    started = true;
    [payloads, bundle].forEach((src) => {
      if (!src) return;
      const script = document.createElement("script");
      script.src = src;
      script.async = false; // run in order: the payloads, then the components that mount them
      script.onerror = failed;
      document.head.appendChild(script);
    });
  };
  if ("IntersectionObserver" in window) {
    const watcher = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          watcher.disconnect();
          load();
        }
      },
      { rootMargin: "1500px 0px" },
    );
    document.querySelectorAll(".cur-widget, .cur-progress").forEach((el) => {
      watcher.observe(el);
    });
  }
  /** @type {(fn: () => void, options: {timeout: number}) => unknown} */
  const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 1));
  if (document.readyState === "complete") idle(load, { timeout: 1000 });
  else {
    window.addEventListener("load", () => {
      idle(load, { timeout: 1000 });
    });
  }
}

/** Set up everything the page has. */
export function startSite() {
  setupMenu();
  setupSidebar();
  setupSearch();
  setupToc();
  setupScrollables();
  setupLibrary();
  setupInteractive();
}
