/**
 * A stack's outputs (src/index.ts exports them): read from `pulumi stack output --json --show-secrets --stack <s>`
 * (spawned for real) or, for CI and tests, from a file holding that same JSON. Only the fields evaluation needs
 * are kept; the raw JSON is never printed.
 */
import { execFile } from "node:child_process";
import { readTextFile } from "../../core/files";
import { ConfigError, UserError } from "../../core/userError";
import { isRecord } from "../../core/values";
import type { StackOutputs } from "../../plan/stackOutputs";
import type { EndpointCompute } from "../../plan/types";

/** Managed endpoints are exported as `endpointName`, `scoringUri`, ...; Kubernetes ones as `kubernetesEndpointName`, ... */
export type EndpointKind = EndpointCompute["kind"];

/** One online endpoint of the stack's outputs. */
export interface DeployedEndpoint {
  kind: EndpointKind;
  endpointName?: string;
  /** `https://<endpoint>.<region>.inference.ml.azure.com/score`. */
  scoringUri: string;
  deploymentNames: string[];
  traffic: Record<string, number>;
}

/** The stack outputs post-deployment evaluation uses: each endpoint with a scoring URI (managed first), the Web App. */
export type DeployedOutputs = Partial<Pick<StackOutputs, "environment" | "webAppName" | "webAppUrl">> & { endpoints: DeployedEndpoint[] };

function optionalString(source: string, document: Record<string, unknown>, key: string): string | undefined {
  const value = document[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new ConfigError(source, `$.${key}`, "a string", typeof value);
  return value;
}

/** The output key of an endpoint field: `scoringUri` for the managed endpoint, `kubernetesScoringUri` for Kubernetes. */
function outputKey(kind: EndpointKind, field: "endpointName" | "scoringUri" | "deploymentNames" | "traffic"): keyof StackOutputs {
  const keys = {
    managed: { endpointName: "endpointName", scoringUri: "scoringUri", deploymentNames: "deploymentNames", traffic: "traffic" },
    kubernetes: {
      endpointName: "kubernetesEndpointName",
      scoringUri: "kubernetesScoringUri",
      deploymentNames: "kubernetesDeploymentNames",
      traffic: "kubernetesTraffic",
    },
  } as const;
  return keys[kind][field];
}

function deployedEndpoint(document: Record<string, unknown>, source: string, kind: EndpointKind): DeployedEndpoint | undefined {
  const namesKey = outputKey(kind, "deploymentNames");
  const names = document[namesKey];
  if (names !== undefined && names !== null && (!Array.isArray(names) || names.some((name) => typeof name !== "string"))) {
    throw new ConfigError(source, `$.${namesKey}`, "a list of deployment names", JSON.stringify(names).slice(0, 60));
  }
  const trafficKey = outputKey(kind, "traffic");
  const trafficValue = document[trafficKey];
  const traffic: Record<string, number> = {};
  if (trafficValue !== undefined && trafficValue !== null) {
    if (!isRecord(trafficValue)) throw new ConfigError(source, `$.${trafficKey}`, "an object of deployment -> percent", typeof trafficValue);
    for (const [name, percent] of Object.entries(trafficValue)) {
      if (typeof percent !== "number") throw new ConfigError(source, `$.${trafficKey}.${name}`, "a number", typeof percent);
      traffic[name] = percent;
    }
  }
  const scoringUri = optionalString(source, document, outputKey(kind, "scoringUri"));
  const endpointName = optionalString(source, document, outputKey(kind, "endpointName"));
  if (scoringUri === undefined) return undefined;
  return {
    kind,
    ...(endpointName !== undefined ? { endpointName } : {}),
    scoringUri,
    deploymentNames: Array.isArray(names) ? (names as string[]) : Object.keys(traffic),
    traffic,
  };
}

/** Pure: the outputs document → the fields evaluation uses. */
export function parseStackOutputs(document: unknown, source: string): DeployedOutputs {
  if (!isRecord(document)) throw new ConfigError(source, "$", "a JSON object of stack outputs", Array.isArray(document) ? "an array" : typeof document);
  const endpoints = (["managed", "kubernetes"] as const).flatMap((kind) => deployedEndpoint(document, source, kind) ?? []);
  const outputs: DeployedOutputs = { endpoints };
  for (const key of ["environment", "webAppName", "webAppUrl"] as const) {
    const value = optionalString(source, document, key);
    if (value !== undefined) outputs[key] = value;
  }
  return outputs;
}

export function readStackOutputsFile(file: string): DeployedOutputs {
  const text = readTextFile(file, { missing: () => new UserError(`--stack-outputs ${file}: file not found`) });
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, "$", "the JSON of `pulumi stack output --json`", `invalid JSON (${(err as Error).message})`);
  }
  return parseStackOutputs(document, file);
}

/** Runs the Pulumi CLI in the project folder; its error output (never the outputs) is passed on when it fails. */
export function pulumiStackOutputs(stack: string, projectRoot: string, environment: Record<string, string | undefined>, pulumiCommand = "pulumi"): Promise<DeployedOutputs> {
  const args = ["stack", "output", "--json", "--show-secrets", "--stack", stack];
  return new Promise((resolve, reject) => {
    execFile(pulumiCommand, args, { cwd: projectRoot, timeout: 180_000, maxBuffer: 16 * 1024 * 1024, env: environment }, (err, stdout, stderr) => {
      if (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") {
          reject(new UserError(`the pulumi CLI was not found: install it and log in, or pass --stack-outputs <file> with the JSON of \`pulumi stack output --json\``));
          return;
        }
        const reason = stderr.trim().split("\n").slice(-3).join(" ") || err.message;
        reject(new UserError(`pulumi stack output --stack ${stack} failed: ${reason}`));
        return;
      }
      let document: unknown;
      try {
        document = JSON.parse(stdout);
      } catch {
        reject(new UserError(`pulumi stack output --stack ${stack}: the output is not JSON`));
        return;
      }
      try {
        resolve(parseStackOutputs(document, `pulumi stack output --stack ${stack}`));
      } catch (parseError) {
        reject(parseError);
      }
    });
  });
}
