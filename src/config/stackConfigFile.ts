import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ConfigError, UserError } from "../core/userError";
import { configNamespace, readStackSettings, useCaseFiles } from "./stackConfig";
import { validateAgainstSchema } from "./schemaValidation";

/**
 * Reads Pulumi.<stack>.yaml and returns the `llmops:` values the way Pulumi hands them to a program: keys without
 * the namespace, strings as they are, structured values as JSON text. Secure (encrypted) values are left out:
 * no llmops setting is a secret. The file is validated against stack-config.schema.json first.
 */
export function readStackConfigFile(absolutePath: string, displayName: string): Record<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(absolutePath, "utf8");
  } catch {
    throw new ConfigError(displayName, "$", "an existing stack config file", "no such file");
  }
  let document: unknown;
  try {
    document = yaml.load(text);
  } catch (err) {
    const reason = err instanceof yaml.YAMLException ? err.reason : String(err);
    const line = err instanceof yaml.YAMLException ? ` at line ${err.mark.line + 1}` : "";
    throw new ConfigError(displayName, "$", "valid YAML", `a syntax error${line} (${reason})`);
  }
  validateAgainstSchema("stack-config", displayName, document);
  const config = (document as { config: Record<string, unknown> }).config;
  const values: Record<string, string> = {};
  const prefix = `${configNamespace}:`;
  for (const [key, value] of Object.entries(config)) {
    if (!key.startsWith(prefix)) continue;
    if (typeof value === "object" && value !== null && !Array.isArray(value) && "secure" in value) continue;
    values[key.slice(prefix.length)] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return values;
}

/** The experiment a stack runs and the environment it runs it in: what `--stack` means to run and evaluate. */
export interface StackExperiment {
  /** Absolute path of experiment.yaml (the use case's, or llmops:experimentPath). */
  experiment: string;
  environment: string;
}

export function readStackExperiment(
  projectRoot: string,
  stack: string,
  environmentVariables: Record<string, string | undefined>,
): StackExperiment {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UserError(`--stack '${stack}': use letters, digits, '-', '_' and '.'`);
  const stackConfigFile = `Pulumi.${stack}.yaml`;
  const settings = readStackSettings({
    stack,
    stackConfig: readStackConfigFile(path.join(projectRoot, stackConfigFile), stackConfigFile),
    stackConfigFile,
    environmentVariables,
  });
  return { experiment: path.resolve(projectRoot, settings.experimentPath), environment: settings.environment };
}

/** `--use-case <folder>`: the template's layout keeps the experiment at the folder's top. */
export function useCaseExperiment(folder: string): string {
  return path.resolve(folder, useCaseFiles.experiment);
}
