import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Paths written in config files (TEST_FILE_PATH, datasets, the flow folder, experiment data) name files of the
 * project. A pull request runs `llmops plan` in CI, so a path that leaves the project (`../../etc/hostname`,
 * `/etc/passwd`, or a symlink pointing out) must not be read, hashed or uploaded: it is refused by name.
 */

function realOrResolved(target: string): string {
  try {
    return fs.realpathSync(target);
  } catch {
    // Not there (yet): judged by its resolved form; the caller reports the missing file.
    return target;
  }
}

function contains(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === "" || (!relative.startsWith(`..${path.sep}`) && relative !== ".." && !path.isAbsolute(relative));
}

/**
 * `relative` resolved against `root`, or undefined when it points outside `root` (before or after following
 * symlinks). `root` itself counts as inside.
 */
export function resolveInside(root: string, relative: string): string | undefined {
  const resolvedRoot = path.resolve(root);
  const absolute = path.resolve(resolvedRoot, relative);
  if (!contains(resolvedRoot, absolute)) return undefined;
  if (!contains(realOrResolved(resolvedRoot), realOrResolved(absolute))) return undefined;
  return absolute;
}
