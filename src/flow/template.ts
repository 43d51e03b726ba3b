import * as nunjucks from "nunjucks";
import { jinjaFilters } from "./jinjaFilters";
import { installPythonTruthiness } from "./jinjaTruthiness";
import { pythonJsonDumps, pythonPercentFormat, pythonRepr, pythonStr } from "./pythonValues";

/**
 * Jinja2 rendering configured like prompt flow: no autoescaping, trim_blocks, trailing newline kept, undefined
 * renders as "", values printed the Python way — plus a sandbox so a template (or a value) cannot reach JavaScript internals through
 * `x.constructor`, `__proto__` and friends, which plain nunjucks allows.
 */

const BLOCKED_MEMBERS = new Set([
  "constructor",
  "prototype",
  "caller",
  "callee",
  "arguments",
  "__proto__",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
]);

function isBlocked(key: unknown): boolean {
  return typeof key === "string" && (BLOCKED_MEMBERS.has(key) || key.startsWith("__"));
}

/** Python string methods prompt flow templates commonly call (`{{ text.strip() }}`). */
const STRING_METHODS: Record<string, (s: string, ...args: unknown[]) => unknown> = {
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  strip: (s) => s.trim(),
  lstrip: (s) => s.trimStart(),
  rstrip: (s) => s.trimEnd(),
  title: (s) => s.replace(/\w\S*/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase()),
  capitalize: (s) => (s.length > 0 ? s[0].toUpperCase() + s.slice(1).toLowerCase() : s),
  startswith: (s, prefix) => s.startsWith(String(prefix)),
  endswith: (s, suffix) => s.endsWith(String(suffix)),
  replace: (s, from, to) => s.split(String(from)).join(String(to)),
  splitlines: (s) => s.split(/\r\n|\r|\n/).filter((line, i, lines) => i < lines.length - 1 || line !== ""),
  join: (s, items) => (Array.isArray(items) ? items.map((item) => pythonStr(item)).join(s) : String(items)),
  find: (s, sub) => s.indexOf(String(sub)),
  count: (s, sub) => (String(sub) === "" ? s.length + 1 : s.split(String(sub)).length - 1),
  isdigit: (s) => /^\d+$/.test(s),
  split: (s, sep) => (sep === undefined || sep === null ? s.trim().split(/\s+/).filter((p) => p.length > 0) : s.split(String(sep))),
};

type Lookup = (...args: unknown[]) => unknown;

interface MutableRuntime {
  memberLookup: Lookup;
  contextOrFrameLookup: Lookup;
  suppressValue: Lookup;
}

function isMutableRuntime(value: unknown): value is MutableRuntime {
  return (
    typeof value === "object" && value !== null && "memberLookup" in value && "contextOrFrameLookup" in value && "suppressValue" in value
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

let sandboxInstalled = false;

/**
 * nunjucks compiles member access to calls into its shared runtime module, so the guard wraps those two
 * functions once per process (after Jinja compatibility: True/False/None, dict.items(), slices).
 */
function installSandbox(): void {
  if (sandboxInstalled) return;
  sandboxInstalled = true;
  nunjucks.installJinjaCompat();
  const runtime: unknown = nunjucks.runtime;
  if (!isMutableRuntime(runtime)) throw new Error("nunjucks runtime has no memberLookup: cannot sandbox templates");
  const memberLookup = runtime.memberLookup;
  const contextOrFrameLookup = runtime.contextOrFrameLookup;
  const suppressValue = runtime.suppressValue;
  // Printed values look as Jinja prints them: None, True/False, Python reprs of lists and dicts (not "[object Object]").
  runtime.suppressValue = function pythonStyleOutput(this: unknown, ...args: unknown[]): unknown {
    const [value] = args;
    if (value === null) return "None";
    if (typeof value === "boolean") return value ? "True" : "False";
    if (Array.isArray(value) || isPlainObject(value)) return pythonRepr(value);
    return suppressValue.apply(this, args);
  };
  runtime.memberLookup = function sandboxedMemberLookup(this: unknown, ...args: unknown[]): unknown {
    const [obj, key] = args;
    if (isBlocked(key)) return undefined;
    // Jinja2 prints an undefined variable as "" but fails on an attribute of one (None.x is merely undefined), so a
    // template that only works here is caught before it is deployed.
    if (obj === undefined && args.length !== 4) throw new Error(`cannot read '${String(key)}': the value it belongs to is undefined`);
    // Python sequences: `items[-1]` counts from the end and a string slice is a string (nunjucks gives undefined and
    // a list of characters).
    if (args.length !== 4 && (typeof obj === "string" || Array.isArray(obj)) && typeof key === "number" && Number.isInteger(key) && key < 0) {
      return key + obj.length >= 0 ? obj[key + obj.length] : undefined;
    }
    if (typeof obj === "string" && args.length === 4) {
      const characters: unknown = memberLookup.apply(this, args);
      return Array.isArray(characters) ? characters.join("") : characters;
    }
    if (typeof obj === "string" && typeof key === "string" && Object.prototype.hasOwnProperty.call(STRING_METHODS, key)) {
      const method = STRING_METHODS[key];
      return (...methodArgs: unknown[]) => method(obj, ...methodArgs);
    }
    return memberLookup.apply(this, args);
  };
  runtime.contextOrFrameLookup = function sandboxedContextLookup(this: unknown, ...args: unknown[]): unknown {
    if (isBlocked(args[2])) return undefined;
    return contextOrFrameLookup.apply(this, args);
  };
}

/** `{% raw %}` blocks (left alone) or a comment followed by a line break. */
const RAW_OR_COMMENT_LINE = /\{%-?\s*raw\s*-?%\}[\s\S]*?\{%-?\s*endraw\s*-?%\}|\{#([\s\S]*?)(-?)#\}(\r?\n)/g;

/**
 * Jinja2's trim_blocks also drops the line break after a comment; nunjucks only does it after block tags. Moving the
 * break inside the comment drops it from the output while keeping line numbers in error messages.
 */
export function withCommentNewlinesTrimmed(source: string): string {
  return source.replace(RAW_OR_COMMENT_LINE, (match, body: string | undefined, dash: string | undefined, newline: string | undefined) =>
    newline === undefined ? match : `{#${body ?? ""}${newline}${dash ?? ""}#}`,
  );
}

export interface TemplateRenderer {
  /** Renders Jinja2 source; `name` (the template's file) appears in syntax errors. */
  render(source: string, variables: Record<string, unknown>, name: string): string;
}

/** One renderer per flow folder: `{% include %}` resolves relative to it. */
export function createTemplateRenderer(flowDir: string): TemplateRenderer {
  installSandbox();
  installPythonTruthiness();
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(flowDir, { noCache: false }), {
    autoescape: false,
    trimBlocks: true,
    lstripBlocks: false,
    throwOnUndefined: false,
  });
  // Jinja2's tojson: json.dumps with sort_keys, then <, >, & and ' escaped for HTML. The control characters that
  // delimit escaped role markers (chatPrompt.ts) stay raw so the markers are restored after rendering.
  env.addFilter("tojson", (value: unknown) =>
    pythonJsonDumps(value)
      .replace(/[<>&']/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
      .replace(/(?<!\\)((?:\\\\)*)\\u000([23])/g, (_match, backslashes: string, digit: string) => backslashes + String.fromCharCode(Number(digit))),
  );
  for (const [name, filter] of Object.entries(jinjaFilters((filterName, value, args) => env.getFilter(filterName)(value, ...args)))) {
    env.addFilter(name, filter);
  }
  env.addFilter("string", (value: unknown) => pythonStr(value));
  // Jinja2's builtin `"%.2f" | format(x)` (printf-style); nunjucks has no such filter.
  env.addFilter("format", (format: unknown, ...args: unknown[]) => pythonPercentFormat(String(format), args));
  const compiled = new Map<string, nunjucks.Template>();
  return {
    render(source, variables, name) {
      const key = `${name}\u0000${source}`;
      let template = compiled.get(key);
      if (!template) {
        template = new nunjucks.Template(withCommentNewlinesTrimmed(source), env, name, true);
        compiled.set(key, template);
      }
      return template.render({ ...variables });
    },
  };
}

/** Where a template fails to parse: 1-based line and column within the source given. */
export interface TemplateSyntaxProblem {
  line: number;
  column: number;
  message: string;
}

/**
 * Parses a template without rendering it (the preflight before any model call). Parsing is configured exactly as
 * rendering is (Jinja compatibility, trim_blocks); filters, includes and variables are resolved only at render
 * time, so only syntax is judged. nunjucks omits the position of errors at the end of the source: the last
 * line is reported then.
 */
export function templateSyntaxProblem(source: string, name: string): TemplateSyntaxProblem | undefined {
  installSandbox();
  installPythonTruthiness();
  try {
    new nunjucks.Template(withCommentNewlinesTrimmed(source), new nunjucks.Environment([], { autoescape: false, trimBlocks: true }), name, true);
    return undefined;
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    const position = /\[Line (\d+), Column (\d+)\]/.exec(text);
    const message = text.split("\n").slice(1).join(" ").trim() || text;
    if (position) return { line: Number(position[1]), column: Number(position[2]), message };
    const lines = source.trimEnd().split("\n");
    return { line: lines.length, column: (lines[lines.length - 1] ?? "").length + 1, message: `${message} (at the end of the template)` };
  }
}
