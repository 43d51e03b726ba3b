/**
 * The one way config and data files are read and written. Reads are bounded (regular files only, a size limit)
 * so a path to a device, a FIFO or a runaway file fails with one line instead of hanging or exhausting memory;
 * writes are atomic so readers see the old content or the complete new one, never a half-written file.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, type UserError } from "./userError";
import { parseYaml } from "./yaml";

/** Config files are small; 16 MiB leaves room for generated ones while refusing a mistaken dataset or binary. */
export const defaultMaxFileBytes = 16 * 1024 * 1024;

export interface ReadTextFileOptions {
  /** Largest accepted size in bytes (default 16 MiB). */
  maxBytes?: number;
  /** The name shown in errors (default: the path as given). */
  displayName?: string;
  /** The error for a missing file (default: a ConfigError naming the file). */
  missing?: () => UserError;
}

/** Reads a regular file as UTF-8 text without a byte-order mark. */
export function readTextFile(file: string, options: ReadTextFileOptions = {}): string {
  const shown = options.displayName ?? file;
  const maxBytes = options.maxBytes ?? defaultMaxFileBytes;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    if (isMissing(err)) throw options.missing?.() ?? new ConfigError(shown, "$", "an existing file", "no such file");
    throw new ConfigError(shown, "$", "a readable file", (err as Error).message);
  }
  if (!stat.isFile()) throw new ConfigError(shown, "$", "a regular file", stat.isDirectory() ? "a directory" : "a special file");
  if (stat.size > maxBytes) throw new ConfigError(shown, "$", `a file of at most ${maxBytes} bytes`, `${stat.size} bytes`);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(shown, "$", "a readable file", (err as Error).message);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Reads (bounded) and parses a YAML file. */
export function readYamlFile(file: string, options: ReadTextFileOptions = {}): unknown {
  return parseYaml(readTextFile(file, options), options.displayName ?? file);
}

/** Whether a regular file (or a symlink to one) is at `file`. */
export function isFile(file: string): boolean {
  return fs.existsSync(file) && fs.statSync(file).isFile();
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

export type FileContent = string | Iterable<string> | AsyncIterable<string>;

function temporaryNameFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

/**
 * Writes a temporary file in the target's directory, flushes it, then renames it over the target (rename is
 * atomic within a file system). On any failure the temporary file is removed and the target is left untouched.
 * The target's directory is created when missing.
 */
export async function writeFileAtomic(target: string, content: FileContent): Promise<void> {
  await fs.promises.mkdir(path.dirname(path.resolve(target)), { recursive: true });
  const temp = temporaryNameFor(target);
  const handle = await fs.promises.open(temp, "wx", 0o644);
  let renamed = false;
  try {
    if (typeof content === "string") {
      await handle.writeFile(content, "utf8");
    } else {
      for await (const chunk of content) await handle.write(chunk, null, "utf8");
    }
    await handle.sync();
    await handle.close();
    await fs.promises.rename(temp, target);
    renamed = true;
  } finally {
    if (!renamed) {
      await handle.close().catch(() => undefined);
      await fs.promises.rm(temp, { force: true });
    }
  }
}

/** writeFileAtomic for synchronous callers (small index files written between steps). */
export function writeFileAtomicSync(target: string, content: string): void {
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const temp = temporaryNameFor(target);
  const fd = fs.openSync(temp, "wx", 0o644);
  let renamed = false;
  try {
    fs.writeFileSync(fd, content, "utf8");
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(temp, target);
    renamed = true;
  } finally {
    if (!renamed) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
      fs.rmSync(temp, { force: true });
    }
  }
}
