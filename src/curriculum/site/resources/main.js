// main.js: the frame of the site's site.js, a classic script (no modules, no network): it
// works from file:// and under the site's CSP. The bundler (web/_bundle.py: site_script) puts
// search.js and site.js where the `@modules` line stands, in this one function scope.

/* global startSite -- bound by the bundler (site.js) */

(function () {
  "use strict";
  // @modules
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startSite);
  else startSite();
})();
