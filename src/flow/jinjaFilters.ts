import { pythonEquals } from "./pythonValues";

/**
 * Jinja2 builtin filters that nunjucks lacks or implements differently (`map`, `selectattr` with a test, `sum` by
 * attribute, `unique`, `max`, `min`, `count`), so prompts written for prompt flow render the same here.
 */

/** `attribute="a.b"` on dicts (and list indexes), as Jinja2's make_attrgetter reads it; missing gives undefined. */
function attributeOf(item: unknown, attribute: unknown): unknown {
  let value = item;
  for (const part of String(attribute).split(".")) {
    if (value === null || value === undefined || typeof value !== "object") return undefined;
    const key = Array.isArray(value) && /^\d+$/.test(part) ? Number(part) : part;
    value = Object.prototype.hasOwnProperty.call(value, key) ? (value as Record<string | number, unknown>)[key] : undefined;
  }
  return value;
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object" && value !== null) return Object.keys(value).length > 0;
  return Boolean(value);
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Jinja2's tests as used by select/selectattr (`"gt", 1`, `"equalto", "x"`, `"in", [..]`, `"none"`, ...). */
function passes(value: unknown, test: unknown, args: unknown[]): boolean {
  const [other] = args;
  switch (test) {
    case undefined:
      return truthy(value);
    case "defined":
      return value !== undefined;
    case "undefined":
      return value === undefined;
    case "none":
      return value === null;
    case "true":
      return value === true;
    case "false":
      return value === false;
    case "number":
      return typeof value === "number";
    case "string":
      return typeof value === "string";
    case "odd":
      return typeof value === "number" && Math.abs(value % 2) === 1;
    case "even":
      return typeof value === "number" && value % 2 === 0;
    case "eq":
    case "==":
    case "equalto":
    case "sameas":
      return pythonEquals(value, other);
    case "ne":
    case "!=":
      return !pythonEquals(value, other);
    case "gt":
    case ">":
      return compare(value, other) > 0;
    case "ge":
    case ">=":
      return compare(value, other) >= 0;
    case "lt":
    case "<":
      return compare(value, other) < 0;
    case "le":
    case "<=":
      return compare(value, other) <= 0;
    case "in":
      if (typeof other === "string") return typeof value === "string" && other.includes(value);
      if (Array.isArray(other)) return other.some((item) => pythonEquals(item, value));
      return typeof other === "object" && other !== null && typeof value === "string" && value in other;
    default:
      throw new Error(`no test named '${String(test)}'`);
  }
}

function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === "string") return [...value];
  if (typeof value === "object" && value !== null) return Object.keys(value);
  return [];
}

/** Keyword arguments reach nunjucks filters as a trailing object marked `__keywords`. */
function splitKeywords(args: unknown[]): { positional: unknown[]; keywords: Record<string, unknown> } {
  const last = args[args.length - 1];
  if (typeof last === "object" && last !== null && (last as Record<string, unknown>).__keywords === true) {
    return { positional: args.slice(0, -1), keywords: last as Record<string, unknown> };
  }
  return { positional: args, keywords: {} };
}

function extreme(values: unknown, args: unknown[], sign: 1 | -1): unknown {
  const { keywords } = splitKeywords(args);
  const items = asList(values);
  const key = (item: unknown): unknown => (keywords.attribute === undefined ? item : attributeOf(item, keywords.attribute));
  return items.reduce<unknown>((best, item) => (best === undefined || sign * compare(key(item), key(best)) > 0 ? item : best), undefined);
}

type Filter = (value: unknown, ...args: unknown[]) => unknown;

export function jinjaFilters(applyFilter: (name: string, value: unknown, args: unknown[]) => unknown): Record<string, Filter> {
  const select = (keepIf: boolean, byAttribute: boolean): Filter => (values, ...args) => {
    const { positional } = splitKeywords(args);
    const [attribute, test, ...testArgs] = byAttribute ? positional : [undefined, ...positional];
    return asList(values).filter((item) => passes(byAttribute ? attributeOf(item, attribute) : item, test, testArgs) === keepIf);
  };
  return {
    map: (values, ...args) => {
      const { positional, keywords } = splitKeywords(args);
      const items = asList(values);
      if (keywords.attribute !== undefined) {
        return items.map((item) => attributeOf(item, keywords.attribute) ?? (keywords.default !== undefined ? keywords.default : undefined));
      }
      const [name, ...filterArgs] = positional;
      return items.map((item) => applyFilter(String(name), item, filterArgs));
    },
    select: select(true, false),
    reject: select(false, false),
    selectattr: select(true, true),
    rejectattr: select(false, true),
    sum: (values, ...args) => {
      const { positional, keywords } = splitKeywords(args);
      const attribute = keywords.attribute ?? positional[0];
      const start = Number(keywords.start ?? positional[1] ?? 0);
      return asList(values).reduce<number>((total, item) => total + Number(attribute === undefined ? item : attributeOf(item, attribute)), start);
    },
    unique: (values) => {
      const kept: unknown[] = [];
      for (const item of asList(values)) if (!kept.some((seen) => pythonEquals(seen, item))) kept.push(item);
      return kept;
    },
    max: (values, ...args) => extreme(values, args, 1),
    min: (values, ...args) => extreme(values, args, -1),
    count: (values) => (typeof values === "string" || Array.isArray(values) ? values.length : typeof values === "object" && values !== null ? Object.keys(values).length : 0),
  };
}
