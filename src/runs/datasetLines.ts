/**
 * Where a dataset line stops being JSON. V8's JSON.parse errors give no position for many mistakes and quote the
 * whole line (which may be megabytes, or hold a secret), so a failed line is scanned again here to name the
 * column and what was found there.
 */

const whitespace = new Set([" ", "\t", "\n", "\r"]);
const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** 0-based offset of the first character that makes `text` invalid JSON, or -1 when it is valid. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const skipWhitespace = (): void => {
    while (i < text.length && whitespace.has(text[i])) i++;
  };
  const string = (): boolean => {
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i++;
        return true;
      }
      if (c === "\\") {
        const escaped = text[i + 1];
        if (escaped === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
          i += 6;
          continue;
        }
        if (escaped === undefined || !'"\\/bfnrt'.includes(escaped)) return false;
        i += 2;
        continue;
      }
      if (c < " ") return false;
      i++;
    }
    return false;
  };
  const value = (): boolean => {
    skipWhitespace();
    const c = text[i];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      skipWhitespace();
      if (text[i] === close) {
        i++;
        return true;
      }
      for (;;) {
        if (c === "{") {
          skipWhitespace();
          if (text[i] !== '"' || !string()) return false;
          skipWhitespace();
          if (text[i] !== ":") return false;
          i++;
        }
        if (!value()) return false;
        skipWhitespace();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === close) {
          i++;
          return true;
        }
        return false;
      }
    }
    if (c === '"') return string();
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return true;
      }
    }
    numberPattern.lastIndex = i;
    const number = numberPattern.exec(text);
    if (number) {
      i += number[0].length;
      return true;
    }
    return false;
  };
  try {
    if (!value()) return i;
  } catch {
    // Nesting deep enough to exhaust the stack: the position is unknown, the line is still invalid.
    return 0;
  }
  skipWhitespace();
  return i < text.length ? i : -1;
}

/** Why a dataset line is not a usable row, with the 1-based column; undefined for a JSON object. */
export function datasetLineProblem(text: string): { column: number; message: string } | undefined {
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch {
    const offset = Math.max(0, jsonErrorOffset(text));
    const found = offset >= text.length ? "the line ends before the JSON value does" : `unexpected ${JSON.stringify(text.slice(offset, offset + 12))}`;
    return { column: offset + 1, message: `not valid JSON: ${found}` };
  }
  if (typeof row !== "object" || row === null || Array.isArray(row)) {
    return { column: 1, message: `expected a JSON object (one row of named columns), found ${Array.isArray(row) ? "an array" : row === null ? "null" : typeof row}` };
  }
  return undefined;
}
