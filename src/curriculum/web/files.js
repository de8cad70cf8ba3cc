// files.js: saving what the learner asks for as a file (no network; works from file://).

import { h } from "./dom.js";

/**
 * A safe file name: letters, digits, dot, dash and underscore only.
 * @param {string} name
 * @returns {string}
 */
export function safeFileName(name) {
  return (
    String(name)
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/^[-.]+/, "") || "download"
  );
}

/**
 * Save a Blob as a file through a temporary link.
 * @param {string} filename
 * @param {Blob} blob
 */
function downloadBlob(filename, blob) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: safeFileName(filename), hidden: true });
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 30000);
}

/**
 * Save text as a file.
 * @param {string} filename
 * @param {string} text
 * @param {string} type  MIME type
 */
export function downloadText(filename, text, type) {
  downloadBlob(filename, new Blob([text], { type: `${type};charset=utf-8` }));
}
