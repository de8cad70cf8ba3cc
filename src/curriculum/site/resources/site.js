/* The site's own behaviour: the small-screen menu, search, the table of contents, the case
 * library's filters. A classic script (no modules, no network): it works from file:// and under
 * the site's CSP. Everything degrades: without JavaScript the sidebar is shown in full, the search
 * box submits to the search page, and every case is listed. */
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";

  /* ---- small-screen menu ------------------------------------------------------------- */
  function setupMenu() {
    var button = document.querySelector(".menu-toggle");
    var nav = document.getElementById("site-nav");
    if (!button || !nav) return;
    button.hidden = false;
    document.documentElement.classList.add("has-menu");
    function close(focus) {
      nav.classList.remove("open");
      button.setAttribute("aria-expanded", "false");
      if (focus) button.focus();
    }
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
      nav.classList.toggle("open", !open);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("open")) close(true);
    });
  }

  /* ---- sidebar: the section of a page the sidebar does not list -------------------------- */
  function setupSidebar() {
    var nav = document.getElementById("site-nav");
    if (!nav || nav.querySelector("[aria-current=page]")) return;
    // A case, a quiz or a reference page belongs to its folder's index page (cases/index.html ...).
    var links = nav.querySelectorAll('a[href="index.html"]');
    if (!links.length || !root) return;
    var parent = links[0];
    parent.classList.add("nav-parent");
    for (var el = parent.parentNode; el && el !== nav; el = el.parentNode) {
      if (el.tagName === "DETAILS") el.open = true;
    }
  }

  /* ---- search ------------------------------------------------------------------------ */
  var index = null;
  var loading = null;

  function loadIndex() {
    if (index) return Promise.resolve(index);
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = root + "search-index.js";
      script.onload = function () { index = window.CURRICULUM_SEARCH || []; resolve(index); };
      script.onerror = function () { loading = null; reject(new Error("search index missing")); };
      document.head.appendChild(script);
    });
    return loading;
  }

  function normalise(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function termsOf(query) {
    return normalise(query).split(/\s+/).filter(function (t) { return t.length > 1; });
  }

  function search(query) {
    var terms = termsOf(query);
    if (!terms.length) return [];
    var hits = [];
    index.forEach(function (entry) {
      var page = normalise(entry.page), heading = normalise(entry.heading), text = normalise(entry.text);
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        var t = terms[i], found = false;
        if (page.indexOf(t) >= 0) { score += 8; found = true; }
        if (heading.indexOf(t) >= 0) { score += 4; found = true; }
        if (text.indexOf(t) >= 0) { score += 1; found = true; }
        if (!found) return;
      }
      hits.push({ entry: entry, score: score });
    });
    hits.sort(function (a, b) { return b.score - a.score || a.entry.url.localeCompare(b.entry.url); });
    return hits.slice(0, 20).map(function (h) { return h.entry; });
  }

  /* About 180 characters around the first match, cut at word boundaries. Normalising can change
   * a string's length (NFD splits accented letters), so positions are mapped back through a table. */
  function snippet(text, terms) {
    var folded = "", map = [];
    for (var i = 0; i < text.length; i++) {
      var f = normalise(text.charAt(i));
      for (var k = 0; k < f.length; k++) map.push(i);
      folded += f;
    }
    var at = -1;
    for (var j = 0; j < terms.length && at < 0; j++) at = folded.indexOf(terms[j]);
    var first = at < 0 ? 0 : map[at];
    var start = Math.max(0, first - 60), end = Math.min(text.length, start + 180);
    if (start > 0) { var space = text.indexOf(" ", start); start = space >= 0 && space < first ? space + 1 : start; }
    if (end < text.length) { var back = text.lastIndexOf(" ", end); end = back > first ? back : end; }
    return (start > 0 ? "… " : "") + text.slice(start, end) + (end < text.length ? " …" : "");
  }

  /* Append `text` to `parent` with every occurrence of a term wrapped in <mark> (as text nodes: no HTML). */
  function highlighted(parent, text, terms) {
    var folded = "", map = [];
    for (var i = 0; i < text.length; i++) {
      var f = normalise(text.charAt(i));
      for (var k = 0; k < f.length; k++) map.push(i);
      folded += f;
    }
    var ranges = [];
    terms.forEach(function (t) {
      for (var at = folded.indexOf(t); at >= 0; at = folded.indexOf(t, at + t.length)) {
        ranges.push([map[at], map[at + t.length - 1] + 1]);
      }
    });
    ranges.sort(function (a, b) { return a[0] - b[0]; });
    var pos = 0;
    ranges.forEach(function (r) {
      if (r[0] < pos) return;
      parent.appendChild(document.createTextNode(text.slice(pos, r[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(r[0], r[1]);
      parent.appendChild(mark);
      pos = r[1];
    });
    parent.appendChild(document.createTextNode(text.slice(pos)));
  }

  function resultItem(entry, query) {
    var terms = termsOf(query);
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = root + entry.url;
    var title = document.createElement("span");
    title.className = "search-title";
    highlighted(title, entry.heading ? entry.page + " › " + entry.heading : entry.page, terms);
    var text = document.createElement("span");
    text.className = "search-snippet";
    highlighted(text, snippet(entry.text, terms), terms);
    a.appendChild(title);
    a.appendChild(text);
    li.appendChild(a);
    return li;
  }

  function counted(n) { return n === 1 ? "1 result" : n + " results"; }

  function setupSearch() {
    var form = document.querySelector(".site-search");
    var input = document.getElementById("search-input");
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    if (!form || !input || !list) return;
    var timer = null;
    function hide() { list.hidden = true; }
    function show() {
      var query = input.value.trim();
      list.textContent = "";
      if (query.length < 2) { hide(); status.textContent = ""; return; }
      loadIndex().then(function () {
        if (input.value.trim() !== query) return;  // a newer query is on its way
        list.textContent = "";
        var results = search(query);
        results.forEach(function (entry) { list.appendChild(resultItem(entry, query)); });
        list.hidden = results.length === 0;
        status.textContent = results.length ? counted(results.length) : "No results";
      }, function () { status.textContent = "Search is not available on this copy of the site."; });
    }
    input.addEventListener("focus", function () {
      loadIndex().catch(function () {});
      if (list.childNodes.length && input.value.trim().length > 1) list.hidden = false;
    });
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(show, 120); });
    input.addEventListener("keydown", function (event) {
      var links = list.querySelectorAll("a");
      if (event.key === "ArrowDown" && links.length) { event.preventDefault(); list.hidden = false; links[0].focus(); }
      if (event.key === "Escape") hide();
    });
    list.addEventListener("keydown", function (event) {
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      var i = links.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && i < links.length - 1) { event.preventDefault(); links[i + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (i > 0 ? links[i - 1] : input).focus(); }
      if (event.key === "Escape") { hide(); input.focus(); }
    });
    // The results close when focus or a click goes elsewhere.
    form.addEventListener("focusout", function (event) {
      if (!event.relatedTarget || !form.contains(event.relatedTarget)) hide();
    });
    document.addEventListener("click", function (event) { if (!form.contains(event.target)) hide(); });

    var page = document.querySelector(".search-page-results");
    var query = new URLSearchParams(window.location.search).get("q");
    if (page && query) {
      input.value = query;
      var summary = document.createElement("p");
      summary.className = "search-page-status";
      summary.setAttribute("role", "status");
      page.parentNode.insertBefore(summary, page);
      loadIndex().then(function () {
        var results = search(query);
        results.forEach(function (entry) { page.appendChild(resultItem(entry, query)); });
        summary.textContent = (results.length ? counted(results.length) : "No results") + " for “" + query + "”.";
      }, function () { summary.textContent = "Search is not available on this copy of the site."; });
    }
  }

  /* ---- the table of contents follows the reading position ------------------------------ */
  function setupToc() {
    var toc = document.querySelector(".page-toc");
    if (!toc) return;
    var links = Array.prototype.slice.call(toc.querySelectorAll('a[href^="#"]'));
    var targets = [];
    links.forEach(function (a) {
      var el = document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1)));
      if (el) targets.push({ link: a, el: el });
    });
    if (!targets.length) return;
    var current = null;
    function update() {
      // The last heading above a line a fifth of the way down the window is the current section.
      var line = window.innerHeight / 5, found = null;
      for (var i = 0; i < targets.length; i++) {
        if (targets[i].el.getBoundingClientRect().top <= line) found = targets[i]; else break;
      }
      // Right after following a link to a section, that section is current even if the next
      // heading is close below it.
      var hash = decodeURIComponent(window.location.hash.slice(1));
      for (var j = 0; hash && j < targets.length; j++) {
        var top = targets[j].el.getBoundingClientRect().top;
        if (targets[j].el.id === hash && top >= -2 && top <= line) found = targets[j];
      }
      if (found === current) return;
      if (current) current.link.removeAttribute("aria-current");
      if (found) found.link.setAttribute("aria-current", "location");
      current = found;
    }
    var queued = false;
    function schedule() {
      if (queued) return;
      queued = true;
      window.requestAnimationFrame(function () { queued = false; update(); });
    }
    window.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", schedule);
    window.addEventListener("hashchange", update);
    update();
  }

  /* ---- wide code and tables scroll sideways: say so, and make them reachable by keyboard ---- */
  // Each table of the text goes into a scroll box. When it is wider than the column, the box
  // becomes a named, focusable region (arrow keys scroll it), a line above says that it
  // scrolls, and a shadow at the cut edge shows that more is there. Without this script the
  // table scrolls on its own (site.css).
  function tableName(table) {
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) return "Table: " + caption.textContent.trim();
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
    heads = heads.filter(Boolean);
    if (!heads.length) return "Table";
    var shown = heads.slice(0, 3).join(", ") + (heads.length > 3 ? " …" : "");
    return "Table with the columns " + shown;
  }

  function setupScrollables() {
    var codes = document.querySelectorAll("main pre");
    var tables = Array.prototype.filter.call(document.querySelectorAll("main table"), function (t) {
      return !t.closest(".cur-widget, .table-scroll");
    });
    var boxes = tables.map(function (table) {
      var wrap = document.createElement("div");
      wrap.className = "table-wrap";
      var hint = document.createElement("p");
      hint.className = "scroll-hint";
      hint.hidden = true;
      hint.textContent = "Scroll sideways to see the whole table.";
      var box = document.createElement("div");
      box.className = "table-scroll";
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(hint);
      wrap.appendChild(box);
      box.appendChild(table);
      return { box: box, hint: hint, name: tableName(table) + " (scrolls sideways)" };
    });
    function check() {
      boxes.forEach(function (b) {
        var scrolls = b.box.scrollWidth > b.box.clientWidth + 1;
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
      Array.prototype.forEach.call(codes, function (el) {
        if (el.closest(".cur-widget")) return;
        var scrolls = el.scrollWidth > el.clientWidth + 1;
        if (scrolls && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
        if (!scrolls && el.getAttribute("tabindex") === "0") el.removeAttribute("tabindex");
      });
    }
    check();
    var timer = null;
    window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(check, 150); });
  }

  /* ---- case library filters ---------------------------------------------------------- */
  function setupLibrary() {
    var form = document.querySelector(".library-filters");
    if (!form) return;
    var cards = Array.prototype.slice.call(document.querySelectorAll(".case-card"));
    var count = form.querySelector(".library-count");
    form.hidden = false;
    function apply() {
      var wanted = {};
      Array.prototype.forEach.call(form.querySelectorAll("select"), function (s) { wanted[s.name] = s.value; });
      var shown = 0;
      cards.forEach(function (card) {
        var ok = Object.keys(wanted).every(function (k) { return !wanted[k] || card.getAttribute("data-" + k) === wanted[k]; });
        card.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = "Showing " + shown + " of " + cards.length + " cases";
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply();
  }

  /* ---- the interactive parts, after the text ------------------------------------------ */
  // A page with components names, on <html>, the components' script (data-bundle) and its
  // payloads (data-payloads). They load once the browser is idle after showing the text, or
  // earlier when a component comes within a screen or two, whichever happens first.
  function setupInteractive() {
    var html = document.documentElement;
    var bundle = html.getAttribute("data-bundle");
    if (!bundle) return;
    var payloads = html.getAttribute("data-payloads");
    var started = false;
    function failed() {
      Array.prototype.forEach.call(document.querySelectorAll(".cur-widget:not([data-cur-mounted])"), function (el) {
        el.setAttribute("data-load-failed", "");
        var note = document.createElement("p");
        note.className = "cur-load-failed";
        note.textContent = "This exercise could not be loaded. Reload the page to try again.";
        el.appendChild(note);
      });
    }
    function load() {
      if (started) return;
      started = true;
      [payloads, bundle].forEach(function (src) {
        if (!src) return;
        var script = document.createElement("script");
        script.src = src;
        script.async = false; // run in order: the payloads, then the components that mount them
        script.onerror = failed;
        document.head.appendChild(script);
      });
    }
    if ("IntersectionObserver" in window) {
      var watcher = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { watcher.disconnect(); load(); }
      }, { rootMargin: "1500px 0px" });
      Array.prototype.forEach.call(document.querySelectorAll(".cur-widget, .cur-progress"), function (el) { watcher.observe(el); });
    }
    var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 1); };
    if (document.readyState === "complete") idle(load, { timeout: 1000 });
    else window.addEventListener("load", function () { idle(load, { timeout: 1000 }); });
  }

  function start() { setupMenu(); setupSidebar(); setupSearch(); setupToc(); setupScrollables(); setupLibrary(); setupInteractive(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
