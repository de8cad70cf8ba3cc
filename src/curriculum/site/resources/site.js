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
  // search-index.js (loaded on first use) holds no page text: the pages, each section's anchor
  // and heading, the front-coded vocabulary and a Golomb-Rice coded stream of the sections each
  // word is in (site/_search.py writes it). The text of a page's sections, for the snippets of
  // the results shown, comes from search/<page>.js, loaded for those pages only.
  var BITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var PREFIX = "!#$%&()*+./:;<=>?@[]^{|}~";
  var DROPDOWN = 8, PAGE_SIZE = 20;
  var index = null;
  var loading = null;
  var texts = {};

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { script.remove(); reject(new Error(src + " missing")); };
      document.head.appendChild(script);
    });
  }

  /* The sections each word is in: the stream is read once, word by word. */
  function decodePostings(stream, count, sections) {
    var at = 0, chunk = 0, left = 0;
    function next() {
      if (!left) { chunk = BITS.indexOf(stream.charAt(at)); at += 1; left = 6; }
      left -= 1;
      return (chunk >> left) & 1;
    }
    function read(width) { var v = 0; for (var i = 0; i < width; i++) v = v * 2 + next(); return v; }
    var lists = [];
    for (var w = 0; w < count; w++) {
      var zeros = 0;
      while (next() === 0) zeros += 1;
      var k = read(zeros) + Math.pow(2, zeros);
      var b = rice(k, sections);
      var ids = new Array(k), previous = -1;
      for (var i = 0; i < k; i++) {
        var q = 0;
        while (next() === 1) q += 1;
        previous += q * Math.pow(2, b) + read(b) + 1;
        ids[i] = previous;
      }
      lists.push(ids);
    }
    return lists;
  }

  function rice(k, n) {  // the same rule as site/_search.py
    var b = 0;
    while (k * Math.pow(2, b + 1) <= n) b += 1;
    return Math.max(b - 1, 0);
  }

  function slug(heading) {  // the identifier Pandoc gives a heading (site/_search.py: slug)
    var text = heading.toLowerCase().replace(/[^\p{L}\p{N}_\s.-]/gu, "").split(/\s+/).filter(Boolean).join("-")
      .replace(/^[^a-z]+/, "");
    return text || "section";
  }

  function readIndex(data) {
    var words = [], previous = "", text = data.words, i = 0;
    while (i < text.length) {
      var shared = PREFIX.indexOf(text.charAt(i)), j = i + 1;
      while (j < text.length && PREFIX.indexOf(text.charAt(j)) < 0) j += 1;
      previous = previous.slice(0, shared) + text.slice(i + 1, j);
      words.push(previous);
      i = j;
    }
    var sections = [], pages = [], headings = data.headings.split("\n");
    data.pages.forEach(function (p, n) {
      pages.push({ title: p[0], url: p[1], rank: p[2], norm: normalise(p[0]) });
      for (var k = 0; k < p[3]; k++) {
        var id = sections.length, heading = headings[id];
        var anchor = Object.prototype.hasOwnProperty.call(data.anchors, id) ? data.anchors[id] : heading ? slug(heading) : "";
        sections.push({ id: id, page: n, nth: k, anchor: anchor, heading: heading, norm: normalise(heading) });
      }
    });
    var stop = {};
    data.stop.split(" ").forEach(function (w) { stop[w] = true; });
    return { pages: pages, sections: sections, words: words, stop: stop,
      postings: decodePostings(data.postings, words.length, sections.length) };
  }

  function loadIndex() {
    if (index) return Promise.resolve(index);
    if (loading) return loading;
    loading = loadScript(root + "search-index.js").then(function () {
      index = readIndex(window.CURRICULUM_SEARCH);
      return index;
    }, function (error) { loading = null; throw error; });
    return loading;
  }

  /* The text of a page's sections, for snippets (search/<page>.js, loaded once). */
  function loadTexts(page) {
    if (!texts[page]) {
      texts[page] = loadScript(root + "search/" + page + ".js").then(function () {
        return (window.CURRICULUM_SEARCH_TEXT || {})[page] || [];
      }, function () { delete texts[page]; return []; });
    }
    return texts[page];
  }

  function normalise(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function termsOf(query) {
    return normalise(query).split(/\s+/).filter(function (t) { return t.length > 1; });
  }

  /* The sections whose text has a word containing `token`. */
  function textHits(token) {
    var hits = {};
    index.words.forEach(function (word, w) {
      if (word.indexOf(token) >= 0) index.postings[w].forEach(function (id) { hits[id] = true; });
    });
    return hits;
  }

  /* Every section that has each term in its page's title (8 points), its heading (4) or its
   * text (1), best first; for the same score, lessons before practice pages, other pages and
   * the reference pages, then in the order of the site. A term made only of stop words narrows
   * nothing. */
  function search(query) {
    var terms = termsOf(query);
    if (!terms.length) return [];
    var rules = terms.map(function (t) {
      var tokens = (t.match(/[\p{L}\p{N}]+/gu) || []).filter(function (w) { return w.length > 1; });
      var meaningful = tokens.filter(function (w) { return !index.stop[w]; });
      if (tokens.length && !meaningful.length) return { term: t, any: true };
      var sets = meaningful.map(textHits);
      return { term: t, text: function (id) { return sets.length > 0 && sets.every(function (h) { return h[id]; }); } };
    });
    var hits = [];
    index.sections.forEach(function (section) {
      var page = index.pages[section.page], score = 0;
      for (var i = 0; i < rules.length; i++) {
        var r = rules[i], found = false;
        if (page.norm.indexOf(r.term) >= 0) { score += 8; found = true; }
        if (section.norm.indexOf(r.term) >= 0) { score += 4; found = true; }
        if (r.any) found = true;
        else if (r.text(section.id)) { score += 1; found = true; }
        if (!found) return;
      }
      hits.push({ section: section, page: page, score: score });
    });
    hits.sort(function (a, b) { return b.score - a.score || a.page.rank - b.page.rank || a.section.id - b.section.id; });
    return hits;
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

  function resultItem(hit, query) {
    var terms = termsOf(query), section = hit.section;
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = root + hit.page.url + (section.anchor ? "#" + section.anchor : "");
    var title = document.createElement("span");
    title.className = "search-title";
    highlighted(title, section.heading ? hit.page.title + " › " + section.heading : hit.page.title, terms);
    var text = document.createElement("span");
    text.className = "search-snippet";
    a.appendChild(title);
    a.appendChild(text);
    li.appendChild(a);
    loadTexts(section.page).then(function (list) {
      if (typeof list[section.nth] === "string") highlighted(text, snippet(list[section.nth], terms), terms);
    });
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
        results.slice(0, DROPDOWN).forEach(function (hit) { list.appendChild(resultItem(hit, query)); });
        if (results.length > DROPDOWN) {
          var more = document.createElement("li");
          more.className = "search-more";
          var link = document.createElement("a");
          link.href = root + "search.html?q=" + encodeURIComponent(query);
          link.textContent = "All " + counted(results.length) + " for “" + query + "”";
          more.appendChild(link);
          list.appendChild(more);
        }
        list.hidden = results.length === 0;
        status.textContent = results.length
          ? counted(results.length) + (results.length > DROPDOWN ? ", the first " + DROPDOWN + " shown" : "")
          : "No results";
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
      var more = document.createElement("button");
      more.type = "button";
      more.className = "search-page-more";
      more.hidden = true;
      page.parentNode.insertBefore(more, page.nextSibling);
      loadIndex().then(function () {
        var results = search(query), shown = 0;
        function showMore() {
          var first = null;
          results.slice(shown, shown + PAGE_SIZE).forEach(function (hit) {
            var item = resultItem(hit, query);
            page.appendChild(item);
            first = first || item.querySelector("a");
          });
          shown = Math.min(results.length, shown + PAGE_SIZE);
          var left = results.length - shown;
          more.hidden = left === 0;
          more.textContent = left > PAGE_SIZE
            ? "Show " + PAGE_SIZE + " more results (" + left + " not shown yet)"
            : left === 1 ? "Show the last result" : "Show the last " + left + " results";
          summary.textContent = (results.length ? counted(results.length) : "No results") + " for “" + query + "”" +
            (results.length > shown ? ", the first " + shown + " shown." : ".");
          return first;
        }
        showMore();
        more.addEventListener("click", function () {
          var first = showMore();
          if (first) first.focus();
        });
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
