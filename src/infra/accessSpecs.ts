import type { RoleScope } from "../plan/types";
import { roleDefinitionId } from "./azureIds";
import { deterministicGuid } from "./deterministicGuid";

/** Resolved inputs of one `authorization.RoleAssignment`. */
export interface RoleAssignmentSpec {
  roleAssignmentName: string;
  principalId: string;
  principalType: "ServicePrincipal";
  roleDefinitionId: string;
  scope: string;
}

/** The scope as a full ARM ID: `workspaceStorage` is the default datastore's account, known at deploy time. */
export function resolveRoleScope(scope: RoleScope, workspaceStorageAccountId: string): string {
  return scope.kind === "resource" ? scope.id : workspaceStorageAccountId;
}

/**
 * The name is a GUID derived from scope + principal + role (Bicep's `guid()` pattern): re-runs reuse it, and a
 * recreated identity (new principal) gets a new name, so Pulumi can create the new assignment before deleting the
 * old one without ARM's 409 RoleAssignmentExists.
 */
export function roleAssignmentSpec(
  subscriptionId: string,
  scope: string,
  principalId: string,
  roleDefinitionGuid: string,
): RoleAssignmentSpec {
  return {
    roleAssignmentName: deterministicGuid(scope, principalId, roleDefinitionGuid),
    principalId,
    // Fresh managed identities are not yet replicated in Entra ID; with the type given ARM skips the lookup.
    principalType: "ServicePrincipal",
    roleDefinitionId: roleDefinitionId(subscriptionId, roleDefinitionGuid),
    scope,
  };
}
