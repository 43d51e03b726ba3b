import { sha256Hex } from "../core/sha256";
import type { FlowFile } from "./types";

/**
 * The flow's identity: sha256 over the sorted "path NUL hash" lines. Paths are part of it, so renaming a file
 * changes the hash; where the folder sits on disk does not.
 */
export function contentHashOf(files: readonly Pick<FlowFile, "relativePath" | "sha256">[]): string {
  const lines = files
    .map((f) => `${f.relativePath}\u0000${f.sha256}\n`)
    .sort();
  return sha256Hex(lines.join(""));
}

