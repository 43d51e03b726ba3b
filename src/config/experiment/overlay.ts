/**
 * Environment overlays as the template does them: `experiment.<env>.yaml` beside experiment.yaml replaces whole
 * top-level blocks (a `gates:` in the overlay replaces every gate, it does not add to them). Each top-level key
 * remembers the file it came from, so an error inside an overlaid block names the overlay file.
 */

export interface MergedDocument {
  document: Record<string, unknown>;
  /** Top-level key → the file that supplied it. */
  origin: Record<string, string>;
}

export function applyOverlay(
  base: Record<string, unknown>,
  baseFile: string,
  overlay?: { document: Record<string, unknown>; file: string },
): MergedDocument {
  const document: Record<string, unknown> = { ...base };
  const origin: Record<string, string> = Object.fromEntries(Object.keys(base).map((key) => [key, baseFile]));
  if (overlay) {
    for (const [key, value] of Object.entries(overlay.document)) {
      document[key] = value;
      origin[key] = overlay.file;
    }
  }
  return { document, origin };
}

/** The file a JSON path (`$.gates[0]`, `$.production.flow`) of the merged document came from. */
export function originOfPath(merged: MergedDocument, jsonPath: string, fallback: string): string {
  const match = /^\$(?:\.([A-Za-z_$][A-Za-z0-9_$]*)|\[("(?:[^"\\]|\\.)*")\])/.exec(jsonPath);
  if (!match) return fallback;
  const key = match[1] ?? (JSON.parse(match[2]) as string);
  return merged.origin[key] ?? fallback;
}
