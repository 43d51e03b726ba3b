/**
 * A `.prompty` file split into its YAML front matter and its Jinja body. The body's first line number is kept so
 * template errors point at the line in the file, not in the body.
 */
import * as fs from "node:fs";
import { parseYaml } from "../core/yaml";
import { ConfigError } from "../core/userError";

export interface PromptyFile {
  file: string;
  frontMatter: Record<string, unknown>;
  body: string;
  /** 1-based line of the file where the body starts. */
  bodyLine: number;
}

const fence = /^-{3,}\s*$/;

/** Pure: parses the text of a prompty file (`file` names it in errors). */
export function parsePromptyText(text: string, file: string): PromptyFile {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const open = lines.findIndex((line) => line.trim() !== "");
  if (open < 0 || !fence.test(lines[open])) {
    throw new ConfigError(file, "$", "a prompty file starting with a '---' line, its YAML front matter and another '---' line", "no front matter");
  }
  const close = lines.findIndex((line, index) => index > open && fence.test(line));
  if (close < 0) throw new ConfigError(file, "$", "a '---' line closing the front matter", "none");
  // Blank lines in place of what precedes the front matter keep YAML's line numbers those of the file.
  const document = parseYaml("\n".repeat(open + 1) + lines.slice(open + 1, close).join("\n"), file);
  if (document !== undefined && document !== null && (typeof document !== "object" || Array.isArray(document))) {
    throw new ConfigError(file, "front matter", "a mapping (name, model, inputs, ...)", Array.isArray(document) ? "a list" : typeof document);
  }
  return {
    file,
    frontMatter: (document ?? {}) as Record<string, unknown>,
    body: lines.slice(close + 1).join("\n"),
    bodyLine: close + 2,
  };
}

export function readPromptyFile(file: string): PromptyFile {
  return parsePromptyText(fs.readFileSync(file, "utf8"), file);
}
