// What the browser code reads from and writes to `window`, and the names the bundler binds
// (web/_bundle.py). Development only: for the type check (tsconfig.json), never shipped.

type Component = import("../src/curriculum/web/view.js").Component;

interface Window {
  /** The payloads of a page built by the Pandoc engine, by the id of the element each mounts on. */
  CURRICULUM_PAYLOADS?: unknown;
  /** The lessons and their parts (progress-manifest.js). */
  CURRICULUM_MANIFEST?: unknown;
  /** The search index (search-index.js). */
  CURRICULUM_SEARCH?: unknown;
  /** The text of the sections of the pages searched so far (search/<page>.js), by page. */
  CURRICULUM_SEARCH_TEXT?: Record<number, string[]>;
  /** The static host, for scripts on the page. */
  Curriculum?: Readonly<{
    mountAll: typeof import("../src/curriculum/web/mount.js").mountAll;
    exportProgress: typeof import("../src/curriculum/web/store.js").exportProgress;
    importProgress: typeof import("../src/curriculum/web/store.js").importProgress;
  }>;
}

/** live.js: the component's default export, bound by the bundler. */
declare const component: Component;
/** static.js: the components and the kinds, and the static host's start (mount.js), bound by the bundler. */
declare const COMPONENTS: Record<string, Component>;
declare const KINDS: Record<string, import("../src/curriculum/web/view.js").Kind>;
declare const startHost: typeof import("../src/curriculum/web/mount.js").startHost;
/** The site's main.js: the site's start (site.js), bound by the bundler. */
declare const startSite: typeof import("../src/curriculum/site/resources/site.js").startSite;
