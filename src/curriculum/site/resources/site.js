/* The site's own behaviour: the small-screen menu, search, and the case library's filters.
 * A classic script (no modules, no network): it works from file:// and under the site's CSP.
 * Everything degrades: without JavaScript the sidebar is shown in full and every case is listed. */
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
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
      nav.classList.toggle("open", !open);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("open")) {
        nav.classList.remove("open");
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
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
      script.onerror = function () { reject(new Error("search index missing")); };
      document.head.appendChild(script);
    });
    return loading;
  }

  function normalise(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function search(query) {
    var terms = normalise(query).split(/\s+/).filter(function (t) { return t.length > 1; });
    if (!terms.length) return [];
    var hits = [];
    index.forEach(function (entry) {
      var page = normalise(entry.page), heading = normalise(entry.heading), text = normalise(entry.text);
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        var t = terms[i], inText = text.indexOf(t), found = false;
        if (page.indexOf(t) >= 0) { score += 8; found = true; }
        if (heading.indexOf(t) >= 0) { score += 4; found = true; }
        if (inText >= 0) { score += 1; found = true; }
        if (!found) return;
      }
      hits.push({ entry: entry, score: score });
    });
    hits.sort(function (a, b) { return b.score - a.score || a.entry.url.localeCompare(b.entry.url); });
    return hits.slice(0, 20).map(function (h) { return h.entry; });
  }

  function snippet(text, query) {
    var terms = normalise(query).split(/\s+/).filter(function (t) { return t.length > 1; });
    var lower = normalise(text), at = -1;
    for (var i = 0; i < terms.length && at < 0; i++) at = lower.indexOf(terms[i]);
    var start = Math.max(0, at - 60);
    return (start > 0 ? "… " : "") + text.slice(start, start + 180) + (text.length > start + 180 ? " …" : "");
  }

  function resultItem(entry, query) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = root + entry.url;
    var title = document.createElement("span");
    title.className = "search-title";
    title.textContent = entry.heading ? entry.page + " › " + entry.heading : entry.page;
    var text = document.createElement("span");
    text.className = "search-snippet";
    text.textContent = snippet(entry.text, query);
    a.appendChild(title);
    a.appendChild(text);
    li.appendChild(a);
    return li;
  }

  function setupSearch() {
    var input = document.getElementById("search-input");
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    if (!input || !list) return;
    var timer = null;
    function show() {
      var query = input.value.trim();
      list.textContent = "";
      if (query.length < 2) { list.hidden = true; status.textContent = ""; return; }
      loadIndex().then(function () {
        var results = search(query);
        results.forEach(function (entry) { list.appendChild(resultItem(entry, query)); });
        list.hidden = results.length === 0;
        status.textContent = results.length ? results.length + " results" : "No results";
      }, function () { status.textContent = "Search is not available on this copy of the site."; });
    }
    input.addEventListener("focus", function () { loadIndex().catch(function () {}); });
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(show, 120); });
    input.addEventListener("keydown", function (event) {
      var links = list.querySelectorAll("a");
      if (event.key === "ArrowDown" && links.length) { event.preventDefault(); links[0].focus(); }
      if (event.key === "Escape") { list.hidden = true; }
    });
    list.addEventListener("keydown", function (event) {
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      var i = links.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && i < links.length - 1) { event.preventDefault(); links[i + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (i > 0 ? links[i - 1] : input).focus(); }
      if (event.key === "Escape") { list.hidden = true; input.focus(); }
    });
    var page = document.querySelector(".search-page-results");
    var query = new URLSearchParams(window.location.search).get("q");
    if (page && query) {
      input.value = query;
      loadIndex().then(function () {
        var results = search(query);
        results.forEach(function (entry) { page.appendChild(resultItem(entry, query)); });
        if (!results.length) {
          var li = document.createElement("li");
          li.textContent = "No results for “" + query + "”.";
          page.appendChild(li);
        }
      });
    }
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

  function start() { setupMenu(); setupSearch(); setupLibrary(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
