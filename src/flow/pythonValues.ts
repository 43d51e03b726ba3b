/**
 * Python semantics the flow format relies on, for values that came from JSON/YAML: `str()` of a value and `==`.
 * A JSON number cannot tell 4 from 4.0; integral numbers print without a decimal point.
 */

function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\t/g, "\\t").replace(/\r/g, "\\r");
  return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
}

function pythonNumber(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  return String(n);
}

export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return pythonNumber(value);
  if (typeof value === "string") return reprString(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value).map(([k, v]) => `${reprString(k)}: ${pythonRepr(v)}`).join(", ")}}`;
  }
  return String(value);
}

/** Python `str(value)`. */
export function pythonStr(value: unknown): string {
  return typeof value === "string" ? value : pythonRepr(value);
}

/** Python `==`: True == 1, 1 == 1.0, "1" != 1, containers compared deeply. */
export function pythonEquals(a: unknown, b: unknown): boolean {
  const numeric = (v: unknown): number | undefined => (typeof v === "number" ? v : typeof v === "boolean" ? Number(v) : undefined);
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined || nb !== undefined) return na !== undefined && nb !== undefined && na === nb;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a === "string" || typeof b === "string") return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => pythonEquals(item, b[i]));
  }
  if (typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    const rb = b as Record<string, unknown>;
    const ra = a as Record<string, unknown>;
    return ka.length === kb.length && ka.every((k) => k in rb && pythonEquals(ra[k], rb[k]));
  }
  return false;
}

function jsonString(s: string): string {
  // Python's json.dumps escapes every non-ASCII character (ensure_ascii=True), as UTF-16 units like JavaScript strings.
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Python `json.dumps(value, sort_keys=True)`: ", " and ": " separators, ASCII only, NaN/Infinity literals. */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
    return JSON.stringify(value);
  }
  if (typeof value === "string") return jsonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${jsonString(k)}: ${pythonJsonDumps(v)}`).join(", ")}}`;
  }
  return jsonString(String(value));
}

/** One `%` conversion: flags, width, precision, type (Python's printf-style formatting). */
const PRINTF_SPEC = /%([-+ 0#]*)(\d+)?(?:\.(\d+))?([sdifFeEgGxXorc%])/g;

function formatNumber(value: unknown, type: string, precision: number | undefined): string {
  const n = typeof value === "boolean" ? Number(value) : typeof value === "number" ? value : Number.NaN;
  if (typeof value !== "number" && typeof value !== "boolean") throw new TypeError(`%${type} format: a real number is required, not ${pythonRepr(value)}`);
  if (!Number.isFinite(n)) return pythonNumber(n);
  switch (type) {
    case "d":
    case "i":
      return Math.trunc(n).toString();
    case "f":
    case "F":
      return n.toFixed(precision ?? 6);
    case "e":
    case "E": {
      const text = n.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, "e$10$2");
      return type === "E" ? text.toUpperCase() : text;
    }
    case "g":
    case "G": {
      const text = String(Number(n.toPrecision(precision === 0 ? 1 : precision ?? 6)));
      return type === "G" ? text.toUpperCase() : text;
    }
    case "x":
    case "X": {
      const text = Math.trunc(n).toString(16);
      return type === "X" ? text.toUpperCase() : text;
    }
    case "o":
      return Math.trunc(n).toString(8);
    default:
      return String.fromCharCode(Math.trunc(n));
  }
}

/** Python's `format % args` for the conversions prompts use (Jinja2's `format` filter). */
export function pythonPercentFormat(format: string, args: unknown[]): string {
  let next = 0;
  const text = format.replace(PRINTF_SPEC, (_spec, flags: string, width: string | undefined, precision: string | undefined, type: string) => {
    if (type === "%") return "%";
    if (next >= args.length) throw new TypeError("not enough arguments for format string");
    const value = args[next++];
    const digits = precision === undefined ? undefined : Number(precision);
    let body: string;
    if (type === "s") body = digits === undefined ? pythonStr(value) : pythonStr(value).slice(0, digits);
    else if (type === "r") body = pythonRepr(value);
    else if (type === "c" && typeof value === "string") body = value;
    else body = formatNumber(value, type, digits);
    const numeric = !["s", "r", "c"].includes(type);
    if (numeric && !body.startsWith("-")) body = flags.includes("+") ? `+${body}` : flags.includes(" ") ? ` ${body}` : body;
    const size = width === undefined ? 0 : Number(width);
    if (body.length >= size) return body;
    if (flags.includes("-")) return body.padEnd(size);
    if (numeric && flags.includes("0")) {
      const sign = /^[+\- ]/.test(body) ? body[0] : "";
      return sign + body.slice(sign.length).padStart(size - sign.length, "0");
    }
    return body.padStart(size);
  });
  if (next < args.length) throw new TypeError("not all arguments converted during string formatting");
  return text;
}
