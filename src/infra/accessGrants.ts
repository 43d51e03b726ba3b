import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import type { InfraPlan, RolePrincipal } from "../plan/types";
import { resolveRoleScope, roleAssignmentSpec } from "./accessSpecs";

/** A managed identity the plan grants access to. */
export interface GrantedPrincipal {
  principalId: pulumi.Input<string>;
  tenantId: pulumi.Input<string>;
}

export interface AccessGrantsArgs {
  plan: InfraPlan;
  principals: Partial<Record<RolePrincipal, GrantedPrincipal>>;
  /** ARM ID of the workspace's default datastore account (scope `workspaceStorage`). */
  workspaceStorageAccountId: pulumi.Input<string>;
}

/**
 * Role assignments and Key Vault access policies of the plan. Kept apart from the resources that need them so
 * those can `dependsOn` exactly their own grants (a Web App's first image pull needs AcrPull already in place).
 */
export class AccessGrants extends pulumi.ComponentResource {
  private readonly byPrincipal: Record<RolePrincipal, pulumi.Resource[]> = { endpoint: [], kubernetesEndpoint: [], webapp: [], jobs: [] };

  constructor(name: string, args: AccessGrantsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llmops:infra:AccessGrants", name, {}, opts);
    const { plan } = args;

    for (const grant of plan.roleAssignments) {
      const principal = requirePrincipal(args.principals, grant.principal, grant.key);
      const spec = pulumi
        .all([pulumi.output(principal.principalId), pulumi.output(args.workspaceStorageAccountId)])
        .apply(([principalId, storageId]) =>
          roleAssignmentSpec(plan.azure.subscriptionId, resolveRoleScope(grant.scope, storageId), principalId, grant.roleDefinitionGuid),
        );
      const assignment = new authorization.RoleAssignment(
        grant.key,
        {
          roleAssignmentName: spec.roleAssignmentName,
          principalId: spec.principalId,
          principalType: spec.principalType,
          roleDefinitionId: spec.roleDefinitionId,
          scope: spec.scope,
          description: `llmops ${plan.stack}: ${grant.roleName} for the ${grant.principal}`,
        },
        { parent: this },
      );
      this.byPrincipal[grant.principal].push(assignment);
    }

    // Vaults in access-policy mode ignore RBAC data roles; the identity gets a policy entry instead.
    const vault = plan.azure.keyVault;
    for (const policy of plan.keyVaultAccessPolicies) {
      const principal = requirePrincipal(args.principals, policy.principal, `key vault access policy`);
      const entry = new keyvault.AccessPolicy(
        `${policy.principal}-key-vault-access`,
        {
          resourceGroupName: vault.resourceGroupName,
          vaultName: vault.name,
          policy: {
            tenantId: vault.tenantId ?? principal.tenantId,
            objectId: principal.principalId,
            permissions: { secrets: [...policy.secretPermissions] },
          },
        },
        { parent: this },
      );
      this.byPrincipal[policy.principal].push(entry);
    }

    this.registerOutputs({});
  }

  /** The grants of one principal, for `dependsOn`. */
  grantsFor(principal: RolePrincipal): pulumi.Resource[] {
    return [...this.byPrincipal[principal]];
  }
}

function requirePrincipal(
  principals: Partial<Record<RolePrincipal, GrantedPrincipal>>,
  principal: RolePrincipal,
  what: string,
): GrantedPrincipal {
  const found = principals[principal];
  if (found === undefined) {
    throw new Error(`plan grants '${what}' to the ${principal}, but this stack declares no ${principal}`);
  }
  return found;
}
