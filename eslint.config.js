// ESLint (flat config) for the browser code and its tests (make lint). The rules below
// `recommended` hold what the linking and the site's Content-Security-Policy rely on:
// no eval, no network, no inline styles or handlers, markup only through dom.js's htmlBlock,
// console only through log().
import js from "@eslint/js";
import globals from "globals";

const browserOnly = {
  "no-eval": "error",
  "no-implied-eval": "error",
  "no-new-func": "error",
  "no-script-url": "error",
  "no-console": "error",
  "no-restricted-globals": [
    "error",
    { name: "fetch", message: "No network: the site works from file:// and under its CSP." },
    { name: "XMLHttpRequest", message: "No network." },
    { name: "WebSocket", message: "No network." },
    { name: "EventSource", message: "No network." },
  ],
  "no-restricted-properties": [
    "error",
    { property: "innerHTML", message: "Insert markup through htmlBlock (dom.js) only." },
    { property: "outerHTML", message: "Insert markup through htmlBlock (dom.js) only." },
    { property: "insertAdjacentHTML", message: "Insert markup through htmlBlock (dom.js) only." },
    { object: "document", property: "write", message: "Insert markup through htmlBlock (dom.js) only." },
    { property: "style", message: "No inline styles: the site's CSP forbids them; use a class." },
    { property: "sendBeacon", message: "No network." },
  ],
  "no-restricted-syntax": [
    "error",
    { selector: "ImportExpression", message: "No dynamic import: the bundler joins static imports only." },
    {
      selector: "CallExpression[callee.property.name='setAttribute'][arguments.0.value=/^(on|style$)/i]",
      message: "No inline handlers or styles (CSP).",
    },
  ],
};

const dialect = {
  "no-var": "error",
  "prefer-const": "error",
  eqeqeq: ["error", "always"],
  "prefer-arrow-callback": "error",
  "object-shorthand": "error",
  "no-shadow": "error",
  "no-use-before-define": ["error", { functions: false, classes: true, variables: true }],
  "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
  // Prettier wraps code at 120; a sentence in a string stays whole (tests/site/test_assets.py reads them).
  "max-len": [
    "error",
    { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreStrings: true, ignoreTemplateLiterals: true },
  ],
};

export default [
  {
    ignores: [
      "node_modules/",
      ".venv/",
      "_site/",
      ".curriculum-cache/",
      "_site-*/",
      "._site*/",
      "tests/data/",
      "benchmarks/.work/",
    ],
  },
  js.configs.recommended,
  {
    files: ["src/curriculum/web/*.js", "src/curriculum/site/resources/*.js"],
    languageOptions: { ecmaVersion: 2020, sourceType: "module", globals: { ...globals.browser } },
    rules: { ...browserOnly, ...dialect },
  },
  {
    files: ["tests/js/**/*.js", "eslint.config.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.node } },
    rules: dialect,
  },
];
