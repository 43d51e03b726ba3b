import * as path from "node:path";

/** A path as messages show it: relative to `workingDirectory` when it lies under it, else absolute. */
export function shownPath(file: string, workingDirectory: string): string {
  const relative = path.relative(workingDirectory, file);
  return relative === "" || relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}
