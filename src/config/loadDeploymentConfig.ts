import { readTextFile } from "../core/files";
import { ConfigError } from "../core/userError";
import type { DeploymentConfigFile, LoadedDeploymentConfig } from "./deploymentConfigTypes";
import { checkDeploymentConfig } from "./deploymentConfigChecks";
import { validateAgainstSchema } from "./schemaValidation";
import { findPlaceholders, originalPath, withoutPlaceholders } from "./deploymentConfigPlaceholders";
import { isRecord } from "../core/values";

/** Line and column of a character offset, for JSON syntax errors. */
function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `line ${line}, column ${column}`;
}

/** Parses and validates deployment_config.json text (schema, then the semantic rules). Pure. */
export function parseDeploymentConfig(text: string, file: string): LoadedDeploymentConfig {
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const position = /position (\d+)/.exec(message);
    const where = position ? ` at ${lineAndColumn(text, Number(position[1]))}` : "";
    throw new ConfigError(file, "$", "valid JSON", `a syntax error${where} (${message})`);
  }
  // Placeholders (all names blank, as the template ships them) are left out before validation.
  const placeholders = findPlaceholders(document, file);
  const filtered = isRecord(document) ? withoutPlaceholders(document, placeholders) : document;
  try {
    validateAgainstSchema("deployment_config", file, filtered);
    checkDeploymentConfig(filtered as DeploymentConfigFile, file);
  } catch (err) {
    if (err instanceof ConfigError && placeholders.length > 0) throw new ConfigError(err.file, originalPath(err.jsonPath, placeholders), err.expected, err.found);
    throw err;
  }
  return { file, content: filtered as DeploymentConfigFile, placeholders };
}

/** Reads deployment_config.json from disk; a missing file is a ConfigError naming the setting that chose it. */
export function loadDeploymentConfig(absolutePath: string, displayName: string, chosenBy: string): LoadedDeploymentConfig {
  const text = readTextFile(absolutePath, {
    displayName,
    missing: () => new ConfigError(chosenBy, "deploymentConfigPath", "an existing deployment config file", `"${displayName}" (not found)`),
  });
  return parseDeploymentConfig(text, displayName);
}
