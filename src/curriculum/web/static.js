// static.js: the frame of curriculum.js, the static host's classic script.
//
// Browsers refuse module imports from file:// pages, so the site gets one classic script. The
// bundler (web/_bundle.py) puts, where the `@modules` line stands, the shared modules, the
// component kinds from the registry (`KINDS`: noun, label, state shape), each component in a
// function scope of its own with its default export in `COMPONENTS`, then the static host's
// modules, all in this one function scope: nothing reaches the page but what `startHost` sets
// on window.

/* global COMPONENTS, KINDS, startHost -- bound by the bundler */

(function () {
  "use strict";
  // @modules
  startHost(COMPONENTS, KINDS);
})();
