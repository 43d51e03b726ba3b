import * as fs from "node:fs";
import * as path from "node:path";

/** The folder holding Pulumi.yaml: `start` or its nearest ancestor that has one; undefined outside a project. */
export function findProjectRoot(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
