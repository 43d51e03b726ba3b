/**
 * What a post-deployment evaluation calls, from the stack's outputs and configuration (pure):
 * - each online endpoint (managed, Kubernetes) as a whole (its traffic split): smoke-tested, as clients call it;
 * - each deployment of an endpoint alone (`azureml-model-deployment` pins it): smoke-tested and evaluated, so the
 *   prior and the current deployment of an A/B pair are compared side by side;
 * - the Web App's `/score`: smoke-tested and evaluated;
 * or, instead, the `--target <url>`s given.
 * Gates decide on what serves this build (the current deployment, the Web App, explicit targets); the prior
 * deployment serves the previous build and is shown for comparison.
 */
import { scoringUrl, type EvaluatedTarget } from "..";
import { UserError } from "../../core/userError";
import type { StackDeployment } from "./stackDeployment";
import type { DeployedOutputs } from "./stackOutputs";

export type TargetRole = "endpoint" | "current" | "prior" | "webapp" | "url";

export interface PostTarget {
  /** Short name for messages and reports: "ticket-ep", "ticket-ep:green", "webapp:app", "url:host". */
  name: string;
  url: string;
  target: EvaluatedTarget;
  role: TargetRole;
  /** The endpoint's auth (key or Entra ID); explicit targets use LLMOPS_ENDPOINT_KEY when set; the Web App none. */
  auth: "endpoint" | "explicit" | "none";
  deployment?: string;
  /** Bulk-evaluated on the datasets (the whole endpoint is only smoke-tested: its deployments are evaluated alone). */
  evaluate: boolean;
  /** Serves the build this deployment rolled out: gates decide on it and it is compared with the pre-deployment run. */
  gating: boolean;
  /** Absolute path of the smoke-test request. */
  testFile: string;
}

function explicitName(url: string): string {
  const parsed = new URL(url);
  const pathPart = parsed.pathname === "/score" || parsed.pathname === "/" ? "" : parsed.pathname;
  return `${parsed.host}${pathPart}`;
}

export function explicitTargets(urls: readonly string[], testFile: string): PostTarget[] {
  const targets = urls.map((given): PostTarget => {
    const url = scoringUrl(given);
    const name = explicitName(url);
    return { name: `url:${name}`, url, target: { kind: "url", name }, role: "url", auth: "explicit", evaluate: true, gating: true, testFile };
  });
  const names = targets.map((target) => target.name);
  const twice = names.find((name, index) => names.indexOf(name) !== index);
  if (twice !== undefined) throw new UserError(`--target ${twice.slice(4)} is given twice`);
  return targets;
}

export function stackTargets(outputs: DeployedOutputs, stack: StackDeployment): PostTarget[] {
  const targets: PostTarget[] = [];
  for (const endpointOutputs of outputs.endpoints) {
    const configured = stack.endpoints.find((candidate) => candidate.kind === endpointOutputs.kind);
    if (configured === undefined) {
      const entry = endpointOutputs.kind === "kubernetes" ? "kubernetes_endpoint" : "azure_managed_endpoint";
      throw new UserError(`stack ${stack.stack}: the outputs have a ${endpointOutputs.kind} endpoint but the stack's config has no ${entry} entry for '${stack.environment}'`);
    }
    const endpoint = endpointOutputs.endpointName ?? configured.name;
    const url = scoringUrl(endpointOutputs.scoringUri);
    const testFile = configured.testFile;
    targets.push({ name: endpoint, url, target: { kind: "url", name: endpoint }, role: "endpoint", auth: "endpoint", evaluate: false, gating: false, testFile });
    const roles = new Map(configured.deployments.map((d) => [d.name, d.role]));
    for (const deployment of endpointOutputs.deploymentNames) {
      // A deployment the config no longer names is left over from an earlier build: compared, never gating.
      const role = roles.get(deployment) ?? "prior";
      targets.push({
        name: `${endpoint}:${deployment}`,
        url,
        target: { kind: "deployment", endpoint, deployment },
        role,
        auth: "endpoint",
        deployment,
        evaluate: true,
        gating: role === "current",
        testFile,
      });
    }
  }
  if (outputs.webAppUrl !== undefined) {
    const name = outputs.webAppName ?? stack.webApp?.name ?? new URL(outputs.webAppUrl).hostname.split(".")[0];
    const testFile = stack.webApp?.testFile ?? stack.endpoints[0]?.testFile;
    if (testFile === undefined) throw new UserError(`stack ${stack.stack}: no TEST_FILE_PATH for the Web App in the deployment config`);
    targets.push({ name: `webapp:${name}`, url: scoringUrl(outputs.webAppUrl), target: { kind: "webapp", name }, role: "webapp", auth: "none", evaluate: true, gating: true, testFile });
  }
  if (targets.length === 0) {
    throw new UserError(`stack ${stack.stack}: its outputs have no scoringUri, kubernetesScoringUri or webAppUrl; deploy it first (pulumi up) or pass --target <url>`);
  }
  return targets;
}

/** The prior and current deployments of each endpoint where both are evaluated: its A/B pair. */
export function abPairs(targets: readonly PostTarget[]): { endpoint: string; prior: string; current: string }[] {
  const pairs: { endpoint: string; prior: string; current: string }[] = [];
  for (const current of targets) {
    if (current.role !== "current" || current.target.kind !== "deployment") continue;
    const endpoint = current.target.endpoint;
    const prior = targets.find((t) => t.role === "prior" && t.target.kind === "deployment" && t.target.endpoint === endpoint);
    if (prior?.target.kind !== "deployment") continue;
    pairs.push({ endpoint, prior: prior.target.deployment, current: current.target.deployment });
  }
  return pairs;
}
