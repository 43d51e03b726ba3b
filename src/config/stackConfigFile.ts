/**
 * The one reader of `Pulumi.<stack>.yaml`, for the offline plan, evaluation and promotion. It returns the file
 * the way Pulumi presents it to the program: namespaced keys, scalars as text, structured values as JSON text.
 * Secrets cannot be decrypted offline (that needs the stack's secrets provider), so their values are the mask
 * and their keys are listed. Schema validation is the stack settings reader's (`readStackSettings`).
 */
import * as path from "node:path";
import { ConfigError, UserError } from "../core/userError";
import { isRecord } from "../core/values";
import { readYamlFile } from "../core/files";
import { refuseEncryptedStackValues } from "./secretGuard";
import { configNamespace, readStackSettings, useCaseFiles } from "./stackConfig";

/** Replaces every secret value the offline tools show. */
export const secretMask = "[secret]";

/** A stack's config as the Pulumi engine hands it to a program: namespaced keys, string values. */
export interface StackConfig {
  /** Display name, e.g. "Pulumi.dev.yaml". */
  file: string;
  /** The `config:` map as parsed data, every `secure:` value (also nested ones) replaced by the mask. */
  values: Record<string, unknown>;
  config: Record<string, string>;
  /** Keys whose values are `secure:` ciphertext; their values here are masked, never decrypted. */
  secretKeys: string[];
}

const stackNamePattern = /^[A-Za-z0-9_.-]+$/;

export function readStackConfigFile(projectRoot: string, stack: string): StackConfig {
  if (!stackNamePattern.test(stack)) {
    throw new UserError(`invalid stack name '${stack}': use letters, digits, '-', '_' and '.'`);
  }
  const file = `Pulumi.${stack}.yaml`;
  const document = readYamlFile(path.join(projectRoot, file), {
    displayName: file,
    missing: () => new UserError(`${file} not found in ${projectRoot}: create it (pulumi stack init ${stack}) or pick another --stack`),
  });
  refuseEncryptedStackValues(document, file);
  return stackConfigFromDocument(document, file);
}

export function stackConfigFromDocument(document: unknown, file: string): StackConfig {
  if (!isRecord(document)) throw new ConfigError(file, "$", "a mapping with a `config:` key", describe(document));
  const section = document.config ?? {};
  if (!isRecord(section)) throw new ConfigError(file, "$.config", "a mapping of config keys", describe(section));
  const values: Record<string, unknown> = {};
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(section)) {
    const masked = maskSecureValues(value);
    values[key] = masked.value;
    if (masked.found) secretKeys.push(key);
    if (typeof masked.value === "string") config[key] = masked.value;
    else if (typeof masked.value === "number" || typeof masked.value === "boolean") config[key] = String(masked.value);
    else if (masked.value === null || masked.value === undefined) config[key] = "";
    else config[key] = JSON.stringify(masked.value);
  }
  return { file, values, config, secretKeys };
}

/** `llmops:*` keys of Pulumi's config, namespace stripped; other namespaces (e.g. `azure-native:`) left out. */
export function llmopsConfig(allConfig: Record<string, string>): Record<string, string> {
  const prefix = `${configNamespace}:`;
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(allConfig)) {
    if (key.startsWith(prefix)) result[key.slice(prefix.length)] = value;
  }
  return result;
}

/** The non-secret `llmops:*` settings of a stack file (no llmops setting is a secret). */
export function llmopsSettings(stackConfig: StackConfig): Record<string, string> {
  const plain = Object.fromEntries(Object.entries(stackConfig.config).filter(([key]) => !stackConfig.secretKeys.includes(key)));
  return llmopsConfig(plain);
}

function isSecure(value: unknown): boolean {
  return isRecord(value) && Object.keys(value).length === 1 && typeof value.secure === "string";
}

/** Structured values may hold `secure:` leaves too; the whole key then counts as secret. */
function maskSecureValues(value: unknown): { value: unknown; found: boolean } {
  if (isSecure(value)) return { value: secretMask, found: true };
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

function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  return `a ${typeof value}`;
}

/** The experiment a stack runs and the environment it runs it in: what `--stack` means to run and evaluate. */
export interface StackExperiment {
  /** Absolute path of experiment.yaml (the use case's, or llmops:experimentPath). */
  experiment: string;
  environment: string;
  /** The stack's Azure ML workspace, where `azureml:` datasets are read. */
  workspace: { subscriptionId: string; resourceGroupName: string; workspaceName: string };
}

export function readStackExperiment(
  projectRoot: string,
  stack: string,
  environmentVariables: Record<string, string | undefined>,
): StackExperiment {
  if (!stackNamePattern.test(stack)) throw new UserError(`--stack '${stack}': use letters, digits, '-', '_' and '.'`);
  const stackConfig = readStackConfigFile(projectRoot, stack);
  const settings = readStackSettings({ stack, stackConfig: llmopsSettings(stackConfig), stackConfigFile: stackConfig.file, environmentVariables });
  return {
    experiment: path.resolve(projectRoot, settings.experimentPath),
    environment: settings.environment,
    workspace: { subscriptionId: settings.subscriptionId, resourceGroupName: settings.resourceGroupName, workspaceName: settings.workspaceName },
  };
}

/** `--use-case <folder>`: the template's layout keeps the experiment at the folder's top. */
export function useCaseExperiment(folder: string): string {
  return path.resolve(folder, useCaseFiles.experiment);
}
