import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { defaultDeploymentConfigPath } from "../../config/stackConfig";
import { ConfigError, UserError } from "../../core/userError";
import type { StackConfigSource } from "./types";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readText(absolutePath: string, missing: () => UserError): string {
  try {
    return fs.readFileSync(absolutePath, "utf8");
  } catch {
    throw missing();
  }
}

/**
 * Reads Pulumi.<stack>.yaml and the deployment_config.json it points at, as parsed documents. Only what the
 * promotion diff needs is checked here; the offline plan validates both files in full.
 */
export function loadStackConfigSource(projectRoot: string, stack: string): StackConfigSource {
  const file = `Pulumi.${stack}.yaml`;
  const text = readText(
    path.join(projectRoot, file),
    () => new UserError(`stack '${stack}' has no ${file} in ${projectRoot} (create it with \`pulumi stack init ${stack}\` and set its config)`),
  );
  let document: unknown;
  try {
    document = yaml.load(text);
  } catch (err) {
    throw new ConfigError(file, "$", "valid YAML", err instanceof Error ? err.message.split("\n")[0] : String(err));
  }
  const config = isRecord(document) && isRecord(document.config) ? document.config : {};
  const environment = config["llmops:environment"];
  if (typeof environment !== "string" || environment === "") {
    throw new ConfigError(file, "$.config['llmops:environment']", "the ENV_NAME this stack deploys (text)", environment === undefined ? "nothing" : JSON.stringify(environment));
  }
  const configured = config["llmops:deploymentConfigPath"];
  const deploymentConfigFile = typeof configured === "string" && configured !== "" ? configured : defaultDeploymentConfigPath;
  const deploymentText = readText(
    path.resolve(projectRoot, deploymentConfigFile),
    () => new ConfigError(file, "$.config['llmops:deploymentConfigPath']", "an existing deployment config file", `"${deploymentConfigFile}" (not found)`),
  );
  let deploymentConfig: unknown;
  try {
    deploymentConfig = JSON.parse(deploymentText.replace(/^\uFEFF/, ""));
  } catch (err) {
    throw new ConfigError(deploymentConfigFile, "$", "valid JSON", err instanceof Error ? err.message : String(err));
  }
  return { stack, file, document, environment, deploymentConfigFile, deploymentConfig };
}
