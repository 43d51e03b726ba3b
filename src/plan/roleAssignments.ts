import { findRole, type BuiltInRole } from "../config/builtInRoles";
import type { RoleAssignmentConfig } from "../config/deploymentConfigTypes";
import { jsonPath, type PathSegment } from "../config/jsonPath";
import { ConfigError } from "../core/userError";
import { kebabCase } from "./assetNames";
import { sha256Hex } from "../core/sha256";
import type { AzureTarget, KeyVaultAccessPolicyPlan, RoleAssignmentPlan, RolePrincipal, RoleScope } from "./types";

/** How a principal starts the keys (and so the Pulumi names) of its role assignments. */
const principalKeys: Record<RolePrincipal, string> = { endpoint: "endpoint", kubernetesEndpoint: "kubernetes-endpoint", webapp: "webapp", jobs: "jobs" };

/** One grant as written (config) or defaulted: a role name or GUID and a scope keyword or ARM ID. */
export interface RoleRequest {
  principal: RolePrincipal;
  role: string;
  scope: string;
  /** Where the request came from, for errors; undefined for defaults. */
  origin?: { file: string; path: readonly PathSegment[] };
}

/**
 * What the template grants, plus OpenAI access when the stack names an OpenAI account. Key Vault Secrets User
 * becomes an access policy on access-policy vaults, where the endpoint also gets Key Vault Reader as the template does.
 */
export function defaultRoleRequests(principal: RolePrincipal, azure: AzureTarget): RoleRequest[] {
  const endpoint = principal !== "webapp";
  const requests: RoleRequest[] =
    endpoint
      ? [
          { principal, role: "AzureML Data Scientist", scope: "workspace" },
          { principal, role: "Azure Machine Learning Workspace Connection Secrets Reader", scope: "workspace" },
        ]
      : [{ principal, role: "AcrPull", scope: "registry" }];
  if (endpoint && azure.keyVault.authorization === "accessPolicy") {
    requests.push({ principal, role: "Key Vault Reader", scope: "key_vault" });
  }
  requests.push({ principal, role: "Key Vault Secrets User", scope: "key_vault" });
  if (azure.openAi) requests.push({ principal, role: "Cognitive Services OpenAI User", scope: "openai" });
  return requests;
}

/**
 * The jobs' identity gets exactly what a job touches: the workspace storage (read inputs, write mini-batch
 * outputs), the registry (pull the image) and the vault (connection keys). No workspace role: jobs are submitted
 * by the caller, not by the identity.
 */
export function jobsRoleRequests(): RoleRequest[] {
  return [
    { principal: "jobs", role: "Storage Blob Data Contributor", scope: "storage" },
    { principal: "jobs", role: "AcrPull", scope: "registry" },
    { principal: "jobs", role: "Key Vault Secrets User", scope: "key_vault" },
  ];
}

export function configuredRoleRequests(
  principal: RolePrincipal,
  list: RoleAssignmentConfig[] | undefined,
  file: string,
  base: readonly PathSegment[],
): RoleRequest[] {
  return (list ?? []).map((item, index) => ({
    principal,
    role: item.ROLE,
    scope: item.SCOPE,
    origin: { file, path: [...base, index] },
  }));
}

function resolveScope(request: RoleRequest, azure: AzureTarget): { scope: RoleScope; label: string } {
  const byId: [string, string | undefined][] = [
    ["workspace", azure.workspace.id],
    ["key_vault", azure.keyVault.id],
    ["registry", azure.containerRegistry.id],
    ["openai", azure.openAi?.id],
  ];
  if (request.scope === "storage") return { scope: { kind: "workspaceStorage" }, label: "storage" };
  const keyword = byId.find(([k]) => k === request.scope);
  if (keyword) {
    const id = keyword[1];
    if (id === undefined) {
      const origin = request.origin;
      throw new ConfigError(
        origin?.file ?? "deployment config",
        jsonPath([...(origin?.path ?? []), "SCOPE"]),
        "an OpenAI account in the stack config (llmops:openAi) for scope \"openai\"",
        "no llmops:openAi",
      );
    }
    return { scope: { kind: "resource", id }, label: kebabCase(keyword[0]) };
  }
  // A full ARM ID: named after a known resource when it is one, else after its last segment and a hash.
  const same = byId.find(([, id]) => id !== undefined && id.toLowerCase() === request.scope.toLowerCase());
  if (same && same[1] !== undefined) return { scope: { kind: "resource", id: same[1] }, label: kebabCase(same[0]) };
  const last = request.scope.split("/").filter(Boolean).pop() ?? "resource";
  return {
    scope: { kind: "resource", id: request.scope },
    label: `${kebabCase(last)}-${sha256Hex(request.scope.toLowerCase()).slice(0, 8)}`,
  };
}

function roleOf(request: RoleRequest): BuiltInRole {
  const role = findRole(request.role);
  // Config roles were checked when the file loaded; defaults are from the table.
  if (!role) throw new Error(`unknown role ${request.role}`);
  return role;
}

/**
 * Requests → RBAC assignments with stable keys, deduplicated. On an access-policy vault a Key Vault data role
 * at the vault becomes a get/list secret access policy, as RBAC data roles have no effect there.
 */
export function planRoleAccess(
  requests: readonly RoleRequest[],
  azure: AzureTarget,
): { roleAssignments: RoleAssignmentPlan[]; keyVaultAccessPolicies: KeyVaultAccessPolicyPlan[] } {
  const roleAssignments: RoleAssignmentPlan[] = [];
  const keyVaultAccessPolicies: KeyVaultAccessPolicyPlan[] = [];
  const keys = new Set<string>();
  for (const request of requests) {
    const role = roleOf(request);
    const { scope, label } = resolveScope(request, azure);
    const onVault = scope.kind === "resource" && scope.id === azure.keyVault.id;
    if (role.keyVaultData && onVault && azure.keyVault.authorization === "accessPolicy") {
      if (!keyVaultAccessPolicies.some((p) => p.principal === request.principal)) {
        keyVaultAccessPolicies.push({ principal: request.principal, secretPermissions: ["get", "list"] });
      }
      continue;
    }
    const key = `${principalKeys[request.principal]}-${kebabCase(role.name)}-${label}`;
    if (keys.has(key)) continue;
    keys.add(key);
    roleAssignments.push({ key, principal: request.principal, roleName: role.name, roleDefinitionGuid: role.guid, scope });
  }
  return { roleAssignments, keyVaultAccessPolicies };
}
