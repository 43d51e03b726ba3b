/**
 * Plain-text tables for terminals and CI logs (llmops plan, llmops promote): fitted to a width, wrapped, never
 * cut in the middle of a name or value.
 */

/** Terminal width when stdout is not a terminal (CI logs): the width review tools show without wrapping. */
export const defaultTextWidth = 120;

/**
 * `text` cut into lines of at most `width` characters, breaking between the `parts` it is made of where possible
 * and inside a part only when the part alone is wider than a line. Nothing is left out: names and values are
 * wrapped, never cut in the middle with an ellipsis.
 */
export function wrapParts(parts: readonly string[], width: number, separator = "  "): string[] {
  const lines: string[] = [];
  let current = "";
  for (const part of parts) {
    const candidate = current === "" ? part : `${current}${separator}${part}`;
    if (candidate.length <= width) {
      current = candidate;
      continue;
    }
    if (current !== "") lines.push(current);
    current = "";
    let rest = part;
    while (rest.length > width) {
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
    current = rest;
  }
  if (current !== "" || lines.length === 0) lines.push(current);
  return lines;
}

/** Room the last (wrapping) column keeps on a line; leading columns narrower than their widest cell make way for it. */
const minimumLastColumn = 30;

/**
 * Rows of cells as aligned columns within `width`: the leading columns as wide as their cells up to what leaves
 * the last column `minimumLastColumn`. A row that does not fit on one line is printed stacked (its leading cells,
 * then its last cell wrapped and indented on the lines below), so a long name or value is shown whole, not cut.
 */
export function fittedTable(
  header: string[],
  rows: string[][],
  width: number,
  lastParts: (row: string[]) => string[] = (row) => [row[row.length - 1]],
  stacked: "cells" | "labelled" = "cells",
): string {
  const leading = header.length - 1;
  const widths: number[] = [];
  let used = 0;
  for (let column = 0; column < leading; column++) {
    const natural = Math.max(header[column].length, ...rows.map((row) => row[column].length));
    const room = Math.max(0, width - used - 2 - minimumLastColumn);
    const columnWidth = Math.min(natural, room);
    widths.push(columnWidth);
    used += columnWidth + 2;
  }
  const indent = used;
  const lines: string[] = [];
  const render = (row: string[], parts: string[]): void => {
    const wrapped = wrapParts(parts, Math.max(1, width - indent));
    const fits = row.slice(0, leading).every((cell, column) => cell.length <= widths[column]) && width - indent >= minimumLastColumn && wrapped.length === 1;
    if (fits) {
      lines.push(`${row.slice(0, leading).map((cell, column) => cell.padEnd(widths[column])).join("  ")}  ${wrapped[0]}`.trimEnd());
      return;
    }
    if (stacked === "labelled") {
      // The first cell on its line, every other one below it as "header: value", wrapped and indented.
      lines.push(...stackedLead([row[0]], width));
      row.slice(1).forEach((cell, index) => {
        const column = index + 1;
        const text = `${header[column] === "" ? "" : `${header[column]}: `}${column === leading ? parts.join("  ") : cell}`;
        lines.push(...wrapParts([text], width - 4).map((line) => `    ${line}`));
      });
      return;
    }
    // Stacked: the leading cells on one line as far as they go (a long name wraps at its / boundaries).
    lines.push(...stackedLead(row.slice(0, leading).filter((cell) => cell !== ""), width));
    if (parts.length > 0) lines.push(...wrapParts(parts, width - 4).map((line) => `    ${line}`));
  };
  render(header, [header[leading]]);
  for (const row of rows) render(row, lastParts(row));
  return lines.join("\n");
}

/**
 * Leading cells of a stacked row: space-separated, a long cell (a blob path) broken after its "/" separators
 * where a line ends, continuation lines indented by two. Nothing is dropped.
 */
function stackedLead(cells: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let current = "";
  const add = (piece: string, separator: string): void => {
    if (current !== "" && (current + separator + piece).length > width) {
      lines.push(current);
      current = "  ";
      separator = "";
    }
    current += (current.trim() === "" ? "" : separator) + piece;
    while (current.length > width) {
      lines.push(current.slice(0, width));
      current = `  ${current.slice(width)}`;
    }
  };
  cells.forEach((cell, index) => cell.split(/(?<=\/)/).forEach((piece, pieceIndex) => add(piece, index > 0 && pieceIndex === 0 ? "  " : "")));
  if (current.trim() !== "") lines.push(current);
  return lines;
}

