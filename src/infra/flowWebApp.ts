import * as pulumi from "@pulumi/pulumi";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as web from "@pulumi/azure-native/web";
import type { InfraPlan, WebAppPlan } from "../plan/types";
import { linuxFxVersion } from "./imageSpecs";
import { webAppSettings } from "./webAppSpecs";
import { longLivedTags } from "./resourceTags";

export interface FlowWebAppArgs {
  plan: InfraPlan;
  webApp: WebAppPlan;
  /** The app's user-assigned identity (created first so its grants exist before the app pulls the image). */
  identity: managedidentity.UserAssignedIdentity;
  repoDigest: pulumi.Input<string>;
  /** AcrPull and Key Vault grants of the identity. */
  grants: pulumi.Resource[];
}

/** Free and Shared plans cannot keep an app loaded; every other tier can. */
export function supportsAlwaysOn(tier: string): boolean {
  return !["free", "shared"].includes(tier.toLowerCase());
}

/**
 * The flow served from a Linux Web App for containers, on the image by digest, pulling from the registry with its
 * user-assigned identity and reading connection secrets as Key Vault references with that same identity.
 */
export class FlowWebApp extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  readonly webAppName: pulumi.Output<string>;

  constructor(name: string, args: FlowWebAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llmops:infra:FlowWebApp", name, {}, opts);
    const { plan, webApp, identity } = args;

    const servicePlan = new web.AppServicePlan(
      "plan",
      {
        name: webApp.appServicePlanName,
        resourceGroupName: webApp.resourceGroupName,
        location: plan.azure.location,
        kind: "Linux",
        reserved: true,
        sku: { name: webApp.sku.name, tier: webApp.sku.tier },
        tags: longLivedTags(plan.tags),
      },
      { parent: this },
    );

    const app = new web.WebApp(
      "app",
      {
        name: webApp.webAppName,
        resourceGroupName: webApp.resourceGroupName,
        location: plan.azure.location,
        kind: "app,linux,container",
        serverFarmId: servicePlan.id,
        httpsOnly: true,
        identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
        keyVaultReferenceIdentity: identity.id,
        siteConfig: {
          linuxFxVersion: pulumi.output(args.repoDigest).apply(linuxFxVersion),
          acrUseManagedIdentityCreds: true,
          // App Service wants the identity's client ID here, not its resource ID.
          acrUserManagedIdentityID: identity.clientId,
          appSettings: webAppSettings(webApp, plan.azure.keyVault.name, identity.clientId),
          healthCheckPath: webApp.healthCheckPath,
          alwaysOn: supportsAlwaysOn(webApp.sku.tier),
          ftpsState: "Disabled",
          minTlsVersion: "1.2",
          http20Enabled: true,
        },
        tags: longLivedTags(plan.tags),
      },
      { parent: this, dependsOn: args.grants },
    );

    this.webAppName = app.name;
    this.url = pulumi.interpolate`https://${app.defaultHostName}`;
    this.registerOutputs({ url: this.url, webAppName: this.webAppName });
  }
}
