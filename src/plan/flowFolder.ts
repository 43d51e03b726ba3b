import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { FlowFile } from "./types";

/** Folders and files that are local by-products of running a flow, not part of it. */
const skippedDirectories = new Set(["__pycache__", ".promptflow", ".runs", ".git"]);
const skippedFile = (name: string): boolean => name.endsWith(".pyc");

export function sha256Hex(content: Buffer | string): string {
  return createHash("sha256").update(content).digest("hex");
}

/** Every file of the flow folder with its sha256, sorted by POSIX relative path. Reads the disk. */
export function readFlowFiles(sourceDir: string): FlowFile[] {
  const files: FlowFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const absolutePath = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!skippedDirectories.has(entry.name)) walk(absolutePath);
      } else if (entry.isFile() && !skippedFile(entry.name)) {
        files.push({
          relativePath: path.relative(sourceDir, absolutePath).split(path.sep).join("/"),
          absolutePath,
          sha256: sha256Hex(fs.readFileSync(absolutePath)),
        });
      }
    }
  };
  walk(sourceDir);
  return files.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
}

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
