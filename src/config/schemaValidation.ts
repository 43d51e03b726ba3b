import * as fs from "node:fs";
import * as path from "node:path";
import type Ajv from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import { ConfigError } from "../core/userError";
import { sha256Hex } from "../core/sha256";
import { describeFound, jsonPath, pointerSegments, type PathSegment } from "./jsonPath";
import { isRecord } from "../core/values";

/** The JSON Schemas shipped in config/schema/, also used by editors through `$schema`. */
export type SchemaName = "deployment_config" | "stack-config" | "experiment"; // experiment: added by H6 (flows/experiment.yaml)

const schemaNames: readonly SchemaName[] = ["deployment_config", "stack-config", "experiment"];

export const schemaDirectory = path.resolve(__dirname, "../../config/schema");

/**
 * The validators `npm run build` generates into dist/config/ (ajv standalone code), so a compiled process never
 * compiles a schema (ajv's compile was most of the offline plan's own time). Each is used only while its schema
 * file still has the content it was generated from; the sources through tsx have none and compile at run time.
 */
export const precompiledValidatorsFile = path.join(__dirname, "schemaValidators.js");

/** Keyed by `<schema name>:<sha256 of its file>`, so a validator is found only for the schema it was generated from. */
type PrecompiledValidators = Partial<Record<string, ValidateFunction>>;

const compiled = new Map<SchemaName, ValidateFunction>();
let precompiled: PrecompiledValidators | undefined;

function newAjv(options: { source: boolean }): Ajv {
  // Loaded here: a compiled process with current precompiled validators never needs ajv's compiler.
  const { default: AjvClass } = require("ajv") as typeof import("ajv");
  // verbose: errors carry the failing value and its schema, which the messages below are built from.
  return new AjvClass({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true, code: { source: options.source } });
}

function schemaText(name: SchemaName): { file: string; text: string } {
  const file = path.join(schemaDirectory, `${name}.schema.json`);
  return { file, text: fs.readFileSync(file, "utf8") };
}

function parsedSchema(file: string, text: string): object {
  const schema: unknown = JSON.parse(text);
  if (typeof schema !== "object" || schema === null) throw new Error(`${file} is not a JSON Schema object`);
  return schema;
}

/** The schema compiled now, in this process. */
export function compileValidator(name: SchemaName): ValidateFunction {
  const { file, text } = schemaText(name);
  return newAjv({ source: false }).compile(parsedSchema(file, text));
}

function precompiledKey(name: SchemaName, schemaText: string): string {
  return `${name}:${sha256Hex(schemaText)}`;
}

/** The CommonJS module `npm run build` writes to `precompiledValidatorsFile`. */
export function standaloneValidatorsModule(): string {
  const ajv = newAjv({ source: true });
  const exportNames: Record<string, string> = {};
  for (const name of schemaNames) {
    const { file, text } = schemaText(name);
    ajv.addSchema(parsedSchema(file, text), name);
    exportNames[precompiledKey(name, text)] = name;
  }
  const { default: standaloneCode } = require("ajv/dist/standalone") as typeof import("ajv/dist/standalone");
  return standaloneCode(ajv, exportNames);
}

function validatorFor(name: SchemaName): ValidateFunction {
  const cached = compiled.get(name);
  if (cached) return cached;
  let validate: ValidateFunction | undefined;
  if (fs.existsSync(precompiledValidatorsFile)) {
    precompiled ??= require("./schemaValidators") as PrecompiledValidators;
    validate = precompiled[precompiledKey(name, schemaText(name).text)];
  }
  validate ??= compileValidator(name);
  compiled.set(name, validate);
  return validate;
}

/** Throws the most relevant schema violation of `document` as a ConfigError naming `file`. */
export function validateAgainstSchema(name: SchemaName, file: string, document: unknown): void {
  const validate = validatorFor(name);
  if (validate(document)) return;
  const errors = validate.errors ?? [];
  const error = mostRelevant(errors);
  if (!error) throw new ConfigError(file, "$", `a document matching ${name}.schema.json`, "an invalid document");
  throw toConfigError(file, error);
}

// Combinator keywords only say "some branch failed"; the branch's own error says what is wrong.
const wrapperKeywords = new Set(["anyOf", "oneOf", "allOf", "if", "then", "else", "not", "propertyNames"]);

function mostRelevant(errors: readonly ErrorObject[]): ErrorObject | undefined {
  return errors.find((e) => !wrapperKeywords.has(e.keyword)) ?? errors[0];
}

function descriptionOf(schema: unknown): string | undefined {
  return isRecord(schema) && typeof schema.description === "string" ? schema.description : undefined;
}

function propertySchema(parentSchema: unknown, key: string): unknown {
  if (!isRecord(parentSchema) || !isRecord(parentSchema.properties)) return undefined;
  return parentSchema.properties[key];
}

function knownKeys(parentSchema: unknown): string[] {
  if (!isRecord(parentSchema) || !isRecord(parentSchema.properties)) return [];
  return Object.keys(parentSchema.properties);
}

/** Edit distance, to suggest the key a typo meant. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(key.toUpperCase(), candidate.toUpperCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

/** "nothing", or the misspelt key that was probably meant: `DEPLOYMENT_VM_SIZ`, `llmops:workspacename`. */
function missingKeyFound(key: string, error: ErrorObject): string {
  if (!isRecord(error.data)) return "nothing";
  const known = new Set(knownKeys(error.parentSchema));
  const typos = Object.keys(error.data).filter((present) => !known.has(present));
  const typo = typos.find((present) => closest(present, [key]) !== undefined);
  return typo === undefined ? "nothing" : `nothing, but the key ${JSON.stringify(typo)} (did you mean "${key}"?)`;
}

function typeWords(type: unknown): string {
  const names = Array.isArray(type) ? type : [type];
  const words = names.map((t) =>
    t === "integer" ? "a whole number" : t === "object" ? "an object" : t === "array" ? "a list" : `a ${String(t)}`,
  );
  return words.join(" or ");
}

function stringParam(params: Record<string, unknown>, key: string): string {
  const value = params[key];
  return typeof value === "string" ? value : String(value);
}

/** A rule on key names (`propertyNames`): an unknown `llmops:` key or a malformed variable name. */
function keyNameError(file: string, segments: PathSegment[], error: ErrorObject, key: string): ConfigError {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "enum" && Array.isArray(params.allowedValues)) {
    const known = params.allowedValues.filter((v): v is string => typeof v === "string");
    const suggestion = closest(key, known);
    const expected = suggestion ? `a known key (did you mean "${suggestion}"?)` : `one of the known keys: ${known.join(", ")}`;
    return new ConfigError(file, jsonPath([...segments, key]), expected, `unknown key "${key}"`);
  }
  const expected = descriptionOf(error.parentSchema) ?? "a name of letters, digits and underscores, not starting with a digit";
  return new ConfigError(file, jsonPath([...segments, key]), expected, `the key "${key}"`);
}

function toConfigError(file: string, error: ErrorObject): ConfigError {
  const segments: PathSegment[] = pointerSegments(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const described = descriptionOf(error.parentSchema);
  if (error.propertyName !== undefined) return keyNameError(file, segments, error, error.propertyName);
  switch (error.keyword) {
    case "required": {
      const key = stringParam(params, "missingProperty");
      const expected = descriptionOf(propertySchema(error.parentSchema, key)) ?? "a value";
      return new ConfigError(file, jsonPath([...segments, key]), `${expected} (required)`, missingKeyFound(key, error));
    }
    case "additionalProperties": {
      const key = stringParam(params, "additionalProperty");
      const known = knownKeys(error.parentSchema);
      const suggestion = closest(key, known);
      const expected = suggestion
        ? `a known key (did you mean "${suggestion}"?)`
        : `one of the known keys: ${known.join(", ")}`;
      return new ConfigError(file, jsonPath([...segments, key]), expected, `unknown key "${key}"`);
    }
    case "type": {
      const types = typeWords(params.type);
      const expected = described === undefined ? types : described.includes(types) ? described : `${types}: ${described}`;
      return new ConfigError(file, jsonPath(segments), expected, describeFound(error.data));
    }
    case "enum": {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      const expected = `one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`;
      return new ConfigError(file, jsonPath(segments), expected, describeFound(error.data));
    }
    case "const":
      return new ConfigError(
        file,
        jsonPath(segments),
        described ?? `exactly ${JSON.stringify(params.allowedValue)}`,
        describeFound(error.data),
      );
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum": {
      const comparison = stringParam(params, "comparison");
      const limit = stringParam(params, "limit");
      // Descriptions state the range in words; the bare comparison is the fallback.
      const expected = described ?? `a number ${comparison} ${limit}`;
      return new ConfigError(file, jsonPath(segments), expected, describeFound(error.data));
    }
    case "minLength":
    case "maxLength":
      return new ConfigError(
        file,
        jsonPath(segments),
        described ??
          `${error.keyword === "minLength" ? "at least" : "at most"} ${stringParam(params, "limit")} characters`,
        describeFound(error.data),
      );
    case "minItems":
    case "maxItems":
      return new ConfigError(
        file,
        jsonPath(segments),
        `${error.keyword === "minItems" ? "at least" : "at most"} ${stringParam(params, "limit")} items`,
        describeFound(error.data),
      );
    case "uniqueItems":
      return new ConfigError(file, jsonPath(segments), "a list without duplicates", describeFound(error.data));
    default:
      // pattern, format and anything else: the schema's description is the readable rule.
      return new ConfigError(file, jsonPath(segments), described ?? error.message ?? "a valid value", describeFound(error.data));
  }
}
