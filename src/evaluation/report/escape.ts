/**
 * Escaping for every output format. Dataset values are user data and may hold markup, scripts or formulas; each
 * writer routes every value through the function for its context, never concatenating raw text.
 */

import { escapeControlCharacters } from "../../core/controlCharacters";

const htmlEntities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Safe in HTML text and in quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => htmlEntities[char]);
}

/**
 * JSON to embed inside a <script> element: `<`, `>` and `&` become \u escapes so `</script>` or `<!--` in the data
 * cannot end the element, and U+2028/U+2029 are escaped for older JavaScript parsers. JSON.parse restores them.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/FFFF): replaced with U+FFFD. */
const invalidXmlChars = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(text: string): string {
  return text
    .replace(invalidXmlChars, "\uFFFD")
    .replace(/[&<>"']/g, (char) => (char === "'" ? "&apos;" : htmlEntities[char]));
}

/**
 * A GitHub-flavoured markdown table cell: one line, pipes escaped, HTML escaped (GitHub renders inline HTML in
 * PR comments and step summaries), and markdown image/link syntax neutralised so data cannot pull in remote
 * images (a tracking pixel in a PR comment).
 */
export function markdownCell(text: string): string {
  // Line breaks become spaces (a cell is one line); every other control or bidi character is shown escaped.
  return escapeHtml(escapeControlCharacters(text.replace(/\r?\n|\r/g, " ")))
    .replace(/([\\`*_[\]!])/g, "\\$1")
    .replace(/\|/g, "\\|");
}

/**
 * One RFC 4180 field: quoted when it holds a comma, quote, CR or LF, quotes doubled. Text that a spreadsheet would
 * run as a formula (starting with = + - @, tab or CR) gets a leading apostrophe, the OWASP-recommended guard.
 * Numbers are written as numbers: a negative score is data, not a formula.
 */
export function csvField(value: string | number | undefined): string {
  if (value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const guarded = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}
