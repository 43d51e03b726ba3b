import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as machinelearningservices from "@pulumi/azure-native/machinelearningservices";
import * as docker from "@pulumi/docker";
import type { InfraPlan } from "../plan/types";
import { UserError } from "../core/userError";
import {
  dockerfilePath,
  environmentName,
  environmentVersion,
  environmentVersionProperties,
  imageName,
} from "./imageSpecs";
import { stageBuildContext } from "./buildContext";
import { RegistryTokenSource, acrRefreshTokenUsername } from "../azure/registryToken";

export interface FlowImageArgs {
  plan: InfraPlan;
  /** Where the generated Dockerfile is written; defaults to the OS temp folder. */
  dockerfileRoot?: string;
  /**
   * How an "entra" login gets its ACR refresh token: the Pulumi program (src/index.ts) exchanges an Entra ID token
   * at the registry; the offline plan injects a placeholder so it never touches the network.
   */
  registryToken: RegistryTokenSource;
}

/**
 * The flow's serving image, built from the plan's generated Dockerfile with the flow folder as context, pushed to
 * the registry, and wrapped in an Azure ML environment version. Everything downstream uses the pushed digest.
 *
 * Registry login (`containerRegistry.login` in the stack config):
 * - "entra" (default): the deploying identity's Entra ID token is exchanged for an ACR refresh token while the
 *   program runs (previews included, so a refused login shows before `up`), and Docker logs in with the zero-GUID
 *   username. The push needs AcrPush for that identity, no admin user. Each run gets a fresh token; the Docker provider
 *   ignores username/password changes in its diff, so this never rebuilds or re-pushes the image.
 * - "adminUser": the registry's admin credentials (`listRegistryCredentials`), for registries set up that way.
 * Either password is a Pulumi secret: encrypted in state, masked in every output and in `llmops plan`.
 */
export class FlowImage extends pulumi.ComponentResource {
  /** `<registry>/<repository>@sha256:<digest>`. */
  readonly repoDigest: pulumi.Output<string>;
  /** ARM ID of the environment version on that digest. */
  readonly environmentId: pulumi.Output<string>;

  constructor(name: string, args: FlowImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llmops:infra:FlowImage", name, {}, opts);
    const { plan } = args;
    const registry = plan.azure.containerRegistry;

    const dockerfile = dockerfilePath(plan.image, args.dockerfileRoot);
    writeIfChanged(dockerfile, plan.image.dockerfile);

    const image = new docker.Image(
      "image",
      {
        imageName: imageName(registry.loginServer, plan.image),
        build: { context: stageBuildContext(plan.image, args.dockerfileRoot), dockerfile, platform: plan.image.platform },
        registry: { server: registry.loginServer, ...this.registryLogin(plan, args.registryToken) },
      },
      { parent: this },
    );
    this.repoDigest = image.repoDigest;

    const environment = new machinelearningservices.EnvironmentVersion(
      "environment",
      {
        name: environmentName(plan.flow),
        version: environmentVersion(plan.image),
        resourceGroupName: plan.azure.resourceGroupName,
        workspaceName: plan.azure.workspace.name,
        properties: environmentVersionProperties(plan.flow, image.repoDigest, plan.tags),
      },
      // Same reason as model versions: a prior deployment may still run on an older environment version.
      { parent: this, retainOnDelete: true },
    );
    this.environmentId = environment.id;

    this.registerOutputs({ repoDigest: this.repoDigest, environmentId: this.environmentId });
  }

  private registryLogin(plan: InfraPlan, registryToken: RegistryTokenSource): { username: pulumi.Input<string>; password: pulumi.Output<string> } {
    const registry = plan.azure.containerRegistry;
    if ((registry.login ?? "entra") === "entra") {
      const token = registryToken(registry.loginServer).catch((err: unknown) => {
        // A refused login is the user's to fix (a role): Pulumi prints it on this resource, without a stack.
        throw err instanceof UserError ? new pulumi.ResourceError(err.message, this, true) : err;
      });
      return { username: acrRefreshTokenUsername, password: pulumi.secret(pulumi.output(token)) };
    }
    const credentials = containerregistry.listRegistryCredentialsOutput(
      { registryName: registry.name, resourceGroupName: registry.resourceGroupName },
      { parent: this },
    );
    return {
      username: pulumi.secret(credentials.apply((c) => requireValue(c.username, "username"))),
      password: pulumi.secret(credentials.apply((c) => requireValue(c.passwords?.[0]?.value, "password"))),
    };
  }
}

function writeIfChanged(file: string, text: string): void {
  const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
  if (current === text) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

function requireValue(value: string | undefined, what: string): string {
  if (value === undefined || value === "") {
    throw new Error(
      `the container registry returned no admin ${what}: enable its admin user (az acr update --admin-enabled true), or use llmops:containerRegistry.login "entra"`,
    );
  }
  return value;
}
