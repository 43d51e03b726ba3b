import * as path from "node:path";
import { defaultDeploymentConfigPath } from "../../config/stackConfig";
import { readStackConfigFile } from "../../config/stackConfigFile";
import { readTextFile } from "../../core/files";
import { ConfigError } from "../../core/userError";
import type { StackConfigSource } from "./types";

/**
 * Reads Pulumi.<stack>.yaml and the deployment_config.json it points at, as parsed documents. Only what the
 * promotion diff needs is checked here; the offline plan validates both files in full.
 */
export function loadStackConfigSource(projectRoot: string, stack: string): StackConfigSource {
  const { file, values } = readStackConfigFile(projectRoot, stack);
  const environment = values["llmops:environment"];
  if (typeof environment !== "string" || environment === "") {
    throw new ConfigError(file, "$.config['llmops:environment']", "the ENV_NAME this stack deploys (text)", environment === undefined ? "nothing" : JSON.stringify(environment));
  }
  const configured = values["llmops:deploymentConfigPath"];
  const deploymentConfigFile = typeof configured === "string" && configured !== "" ? configured : defaultDeploymentConfigPath;
  const deploymentText = readTextFile(path.resolve(projectRoot, deploymentConfigFile), {
    displayName: deploymentConfigFile,
    missing: () => new ConfigError(file, "$.config['llmops:deploymentConfigPath']", "an existing deployment config file", `"${deploymentConfigFile}" (not found)`),
  });
  let deploymentConfig: unknown;
  try {
    deploymentConfig = JSON.parse(deploymentText);
  } catch (err) {
    throw new ConfigError(deploymentConfigFile, "$", "valid JSON", err instanceof Error ? err.message : String(err));
  }
  return { stack, file, config: values, environment, deploymentConfigFile, deploymentConfig };
}
