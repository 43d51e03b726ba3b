/**
 * Checks a request body against the ARM API definitions in the shared reference folder (`../shared/reference/arm`,
 * the Azure REST API specs' `definitions` objects): required properties, enums, JSON types, unknown keys where a
 * definition allows none, read-only properties, and polymorphic bodies through their discriminator (e.g.
 * `endpointComputeType` picks `KubernetesOnlineDeployment`). The reference folder sits beside the repository (or a
 * worktree's parent) on the machines this project is developed on; elsewhere the tests that use it are skipped.
 */
import * as fs from "node:fs";
import * as path from "node:path";

type Schema = Record<string, unknown>;
type Definitions = Record<string, Schema>;

const referenceFile = "machinelearningservices-2025-12-01.definitions.json";

/** The first `shared/reference/arm` holding the definitions in a folder above the repository, when there is one. */
function findReferenceFolder(): string | undefined {
  let folder = path.resolve(__dirname, "../..");
  for (;;) {
    const parent = path.dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
    const candidate = path.join(folder, "shared", "reference", "arm");
    if (fs.existsSync(path.join(candidate, referenceFile))) return candidate;
  }
}

const armReferenceFolder = findReferenceFolder();

export function armReferenceAvailable(): boolean {
  return armReferenceFolder !== undefined;
}

export function loadArmDefinitions(file: string): Definitions {
  if (armReferenceFolder === undefined) throw new Error(`no shared/reference/arm/${referenceFile} above ${__dirname}`);
  return JSON.parse(fs.readFileSync(path.join(armReferenceFolder, file), "utf8")) as Definitions;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function refName(ref: string): string | undefined {
  // Local references only ("#/definitions/X"); references into other files are checked by their own test.
  const match = /^#\/definitions\/(.+)$/.exec(ref);
  return match?.[1];
}

/** A definition with its allOf bases merged in (properties, required, additionalProperties of the most derived). */
function flatten(definitions: Definitions, schema: Schema): { properties: Record<string, Schema>; required: string[]; closed: boolean; discriminator?: string } {
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  let discriminator: string | undefined;
  for (const part of Array.isArray(schema.allOf) ? (schema.allOf as Schema[]) : []) {
    const name = typeof part.$ref === "string" ? refName(part.$ref) : undefined;
    const base = name !== undefined ? definitions[name] : undefined;
    if (base === undefined) continue;
    const flat = flatten(definitions, base);
    Object.assign(properties, flat.properties);
    required.push(...flat.required);
    discriminator ??= flat.discriminator;
  }
  Object.assign(properties, isRecord(schema.properties) ? (schema.properties as Record<string, Schema>) : {});
  required.push(...(Array.isArray(schema.required) ? (schema.required as string[]) : []));
  if (typeof schema.discriminator === "string") discriminator = schema.discriminator;
  return { properties, required, closed: schema.additionalProperties === false, ...(discriminator !== undefined ? { discriminator } : {}) };
}

function derivesFrom(definitions: Definitions, schema: Schema, baseName: string): boolean {
  return (Array.isArray(schema.allOf) ? (schema.allOf as Schema[]) : []).some((part) => {
    const name = typeof part.$ref === "string" ? refName(part.$ref) : undefined;
    return name === baseName || (name !== undefined && definitions[name] !== undefined && derivesFrom(definitions, definitions[name], baseName));
  });
}

/** The subtype a discriminated body names, e.g. OnlineDeployment + endpointComputeType "Kubernetes". */
function subtype(definitions: Definitions, baseName: string, value: unknown): string | undefined {
  return Object.keys(definitions).find((name) => {
    const candidate = definitions[name];
    return candidate["x-ms-discriminator-value"] === value && derivesFrom(definitions, candidate, baseName);
  });
}

function checkValue(definitions: Definitions, schema: Schema, value: unknown, at: string, problems: string[]): void {
  if (typeof schema.$ref === "string") {
    const name = refName(schema.$ref);
    if (name === undefined) return;
    const target = definitions[name];
    if (target === undefined) {
      problems.push(`${at}: definition ${name} not found`);
      return;
    }
    checkDefinition(definitions, name, value, at, problems);
    return;
  }
  checkShape(definitions, schema, value, at, problems);
}

function checkShape(definitions: Definitions, schema: Schema, value: unknown, at: string, problems: string[]): void {
  if (Array.isArray(schema.enum) && !(schema.enum as unknown[]).includes(value)) {
    problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
    return;
  }
  const type = schema.type;
  if (type === "string" && typeof value !== "string") problems.push(`${at}: expected a string, found ${JSON.stringify(value)}`);
  if (type === "integer" && !Number.isInteger(value)) problems.push(`${at}: expected an integer, found ${JSON.stringify(value)}`);
  if (type === "boolean" && typeof value !== "boolean") problems.push(`${at}: expected a boolean, found ${JSON.stringify(value)}`);
  if (type === "object" || schema.allOf !== undefined || schema.properties !== undefined) {
    if (!isRecord(value)) {
      problems.push(`${at}: expected an object, found ${JSON.stringify(value)}`);
      return;
    }
    const flat = flatten(definitions, schema);
    for (const key of flat.required) if (value[key] === undefined) problems.push(`${at}.${key}: required, missing`);
    for (const [key, child] of Object.entries(value)) {
      const property = flat.properties[key];
      if (property === undefined) {
        if (isRecord(schema.additionalProperties)) checkValue(definitions, schema.additionalProperties, child, `${at}.${key}`, problems);
        else if (flat.closed) problems.push(`${at}.${key}: not a property of this definition`);
        continue;
      }
      if (property.readOnly === true) problems.push(`${at}.${key}: read-only, set by Azure`);
      checkValue(definitions, property, child, `${at}.${key}`, problems);
    }
  }
}

function checkDefinition(definitions: Definitions, name: string, value: unknown, at: string, problems: string[]): void {
  const schema = definitions[name];
  const flat = flatten(definitions, schema);
  if (flat.discriminator !== undefined && isRecord(value) && schema["x-ms-discriminator-value"] === undefined) {
    const concrete = subtype(definitions, name, value[flat.discriminator]);
    if (concrete === undefined) {
      problems.push(`${at}.${flat.discriminator}: no ${name} subtype for ${JSON.stringify(value[flat.discriminator])}`);
      return;
    }
    checkShape(definitions, definitions[concrete], value, at, problems);
    return;
  }
  checkShape(definitions, schema, value, at, problems);
}

/** Every way `body` breaks definition `name` ("$.properties.scaleSettings.scaleType: ..."), or none. */
export function armProblems(definitions: Definitions, name: string, body: unknown): string[] {
  const problems: string[] = [];
  if (definitions[name] === undefined) return [`definition ${name} not found`];
  checkDefinition(definitions, name, body, "$", problems);
  return problems;
}
