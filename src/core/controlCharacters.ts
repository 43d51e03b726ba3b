/**
 * Text from config files, datasets and servers reaches terminals, CI logs and Markdown. Control characters in it
 * (ANSI/OSC escape sequences, NUL, bidirectional overrides such as U+202E) could recolour a terminal, rewrite a
 * line already printed, retitle the window or make a name read differently from what it is. This is the one
 * place that makes such text visible and inert: every character in those classes becomes a `\xNN` / `\uNNNN`
 * escape, so the text stays on one line and shows what the file really holds.
 */

// C0 controls, DEL, C1 controls, the bidirectional formatting characters, the line and paragraph separators,
// the zero-width characters and the BOM.
const unsafe = /[\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2066-\u2069\uFEFF]/g;
const unsafeButNewlines = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2066-\u2069\uFEFF]/g;

function escapeOne(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** One line of inert text: every control, bidi and invisible character (newlines included) as an escape. */
export function escapeControlCharacters(text: string): string {
  return text.replace(unsafe, escapeOne);
}

/** The same for multi-line messages (usage text, reports): line feeds stay, everything else is escaped. */
export function escapeControlCharactersKeepingLines(text: string): string {
  return text.replace(unsafeButNewlines, escapeOne);
}
