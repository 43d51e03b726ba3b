/**
 * How evaluation authenticates to the scoring targets. An online endpoint (managed or Kubernetes) in Key mode: the
 * key from `LLMOPS_ENDPOINT_KEY_<ENDPOINT>` or, on a stack with one endpoint, `LLMOPS_ENDPOINT_KEY` when set (CI
 * secrets), else read from ARM (`listKeys`, primary key) with the same credential the infrastructure code uses.
 * AADToken mode: an Entra ID token for https://ml.azure.com from DefaultAzureCredential. Keys stay in memory: never
 * logged, never in reports.
 */
import type { ScoringAuth } from "..";
import { armClientFromEnvironment } from "../../azure/arm/armToken";
import { defaultCredential, type TokenCredentialLike } from "../../azure/entraAuth";
import { UserError } from "../../core/userError";
import type { StackDeployment } from "./stackDeployment";

export const endpointKeyVariable = "LLMOPS_ENDPOINT_KEY";
export const onlineEndpointsApiVersion = "2025-12-01";

/** The part of ArmClient reading keys needs. */
export interface ArmActions {
  post(path: string, apiVersion: string, body?: unknown): Promise<unknown>;
}

export function listKeysPath(workspaceId: string, endpointName: string): string {
  return `${workspaceId}/onlineEndpoints/${encodeURIComponent(endpointName)}/listKeys`;
}

/** The primary key of an endpoint from ARM; a clear UserError when ARM refuses or answers without one. */
export async function readEndpointKey(arm: ArmActions, workspaceId: string, endpointName: string): Promise<string> {
  let body: unknown;
  try {
    body = await arm.post(listKeysPath(workspaceId, endpointName), onlineEndpointsApiVersion);
  } catch (err) {
    throw new UserError(
      `could not read the keys of endpoint ${endpointName} from Azure (${err instanceof Error ? err.message : String(err)}); ` +
        `set ${endpointKeyVariable} or sign in with a role that may list endpoint keys`,
    );
  }
  const key = typeof body === "object" && body !== null ? (body as { primaryKey?: unknown }).primaryKey : undefined;
  if (typeof key !== "string" || key === "") throw new UserError(`Azure returned no primaryKey for endpoint ${endpointName}`);
  return key;
}

export interface AuthSources {
  environment: Record<string, string | undefined>;
  /** Default: an ArmClient from the environment (LLMOPS_ARM_ENDPOINT, ARM_* service principal, DefaultAzureCredential). */
  arm?: () => ArmActions;
  /** Default: DefaultAzureCredential (az login, managed or workload identity, AZURE_* variables). */
  credential?: () => TokenCredentialLike;
}

/** `LLMOPS_ENDPOINT_KEY_TICKET_EP` for endpoint `ticket-ep`: the key of one endpoint when a stack has two. */
function endpointKeyVariableOf(endpointName: string): string {
  return `${endpointKeyVariable}_${endpointName.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}`;
}

/** The key CI gives for this endpoint, if any; the unnamed variable is ambiguous on a stack with two endpoints. */
function keyFromEnvironment(stack: StackDeployment, endpointName: string, environment: Record<string, string | undefined>): string | undefined {
  const named = environment[endpointKeyVariableOf(endpointName)];
  if (named !== undefined && named !== "") return named;
  const unnamed = environment[endpointKeyVariable];
  if (unnamed === undefined || unnamed === "") return undefined;
  if (stack.endpoints.length > 1) {
    throw new UserError(
      `stack ${stack.stack} has ${stack.endpoints.length} endpoints (${stack.endpoints.map((e) => e.name).join(", ")}): ` +
        `${endpointKeyVariable} cannot say whose key it is; set ${stack.endpoints.map((e) => endpointKeyVariableOf(e.name)).join(" and ")}, ` +
        "or neither to read the keys from Azure",
    );
  }
  return unnamed;
}

/** The endpoint's auth, resolved once for all its targets. */
export async function endpointAuth(stack: StackDeployment, endpointName: string, sources: AuthSources): Promise<ScoringAuth> {
  const endpoint = stack.endpoints.find((candidate) => candidate.name === endpointName);
  if (endpoint === undefined) throw new UserError(`stack ${stack.stack} has no endpoint '${endpointName}' in its deployment config`);
  // One credential for every target and dataset: it caches its token, so Entra ID is asked once.
  if (endpoint.authMode === "AADToken") return { kind: "entra", credential: (sources.credential ?? defaultCredential)() };
  const fromEnvironment = keyFromEnvironment(stack, endpointName, sources.environment);
  if (fromEnvironment !== undefined) return { kind: "key", key: fromEnvironment };
  const arm = (sources.arm ?? (() => armClientFromEnvironment(sources.environment)))();
  return { kind: "key", key: await readEndpointKey(arm, endpoint.workspaceId, endpoint.name) };
}

/** `--target` URLs: the key from LLMOPS_ENDPOINT_KEY when set (a managed endpoint), else no auth (a Web App). */
export function explicitAuth(environment: Record<string, string | undefined>): ScoringAuth {
  const key = environment[endpointKeyVariable];
  return key !== undefined && key !== "" ? { kind: "key", key } : { kind: "none" };
}
