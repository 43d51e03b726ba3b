import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ConfigError, UserError } from "../../core/userError";
import { secretMask } from "./types";

/** A stack's config as the Pulumi engine hands it to a program: namespaced keys, string values. */
export interface StackConfig {
  file: string;
  config: Record<string, string>;
  /** Keys whose values are `secure:` ciphertext; their values here are masked, never decrypted. */
  secretKeys: string[];
}

/**
 * Reads `Pulumi.<stack>.yaml` the way Pulumi presents it to the program: scalars as text, structured values as
 * JSON text. Secrets cannot be decrypted offline (that needs the stack's secrets provider), so their values are
 * the mask and they are flagged as secret.
 */
export function readStackConfigFile(projectRoot: string, stack: string): StackConfig {
  const file = `Pulumi.${stack}.yaml`;
  const absolute = path.join(projectRoot, file);
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
    throw new UserError(`invalid stack name '${stack}': use letters, digits, '-', '_' and '.'`);
  }
  if (!fs.existsSync(absolute)) {
    throw new UserError(`${file} not found in ${projectRoot}: create it (pulumi stack init ${stack}) or pick another --stack`);
  }
  let document: unknown;
  try {
    document = yaml.load(fs.readFileSync(absolute, "utf8"));
  } catch (err) {
    const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new ConfigError(file, "$", "valid YAML", reason);
  }
  return stackConfigFromDocument(document, file);
}

export function stackConfigFromDocument(document: unknown, file: string): StackConfig {
  if (!isRecord(document)) throw new ConfigError(file, "$", "a mapping with a `config:` key", describe(document));
  const section = document.config ?? {};
  if (!isRecord(section)) throw new ConfigError(file, "$.config", "a mapping of config keys", describe(section));
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(section)) {
    if (isRecord(value) && Object.keys(value).length === 1 && typeof value.secure === "string") {
      config[key] = secretMask;
      secretKeys.push(key);
    } else if (typeof value === "string") {
      config[key] = value;
    } else if (typeof value === "number" || typeof value === "boolean") {
      config[key] = String(value);
    } else if (value === null || value === undefined) {
      config[key] = "";
    } else {
      const masked = maskSecureValues(value);
      config[key] = JSON.stringify(masked.value);
      if (masked.found) secretKeys.push(key);
    }
  }
  return { file, config, secretKeys };
}

/** Structured values may hold `secure:` leaves too; the whole key then counts as secret. */
function maskSecureValues(value: unknown): { value: unknown; found: boolean } {
  if (isRecord(value) && Object.keys(value).length === 1 && typeof value.secure === "string") return { value: secretMask, found: true };
  if (Array.isArray(value)) {
    const items = value.map(maskSecureValues);
    return { value: items.map((item) => item.value), found: items.some((item) => item.found) };
  }
  if (isRecord(value)) {
    let found = false;
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const masked = maskSecureValues(item);
      result[key] = masked.value;
      found = found || masked.found;
    }
    return { value: result, found };
  }
  return { value, found: false };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  return `a ${typeof value}`;
}
