/** Directory names for the runs an evaluation makes: file-name-safe and derived from names, never timestamps. */

/** Letters, digits, `.`, `_`, `-` and `+` kept; anything else becomes `_` (`ep:blue` → `ep_blue`). */
export function runDirectorySegment(text: string): string {
  const safe = text.replace(/,/g, "+").replace(/[^A-Za-z0-9._+-]/g, "_");
  return safe === "" || safe === "." || safe === ".." ? "_" : safe;
}
