import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as machinelearningservices from "@pulumi/azure-native/machinelearningservices";
import * as docker from "@pulumi/docker";
import type { InfraPlan } from "../plan/types";
import {
  dockerfilePath,
  environmentName,
  environmentVersion,
  environmentVersionProperties,
  imageName,
} from "./imageSpecs";

export interface FlowImageArgs {
  plan: InfraPlan;
  /** Where the generated Dockerfile is written; defaults to the OS temp folder. */
  dockerfileRoot?: string;
}

/**
 * The flow's serving image, built from the plan's generated Dockerfile with the flow folder as context, pushed to
 * the registry, and wrapped in an Azure ML environment version. Everything downstream uses the pushed digest.
 *
 * Registry login uses the registry's admin credentials (`listRegistryCredentials`, password kept secret): the
 * Docker provider needs a username/password pair at plan time, and an AAD-token login would need a token exchange
 * against the registry while the program runs, which previews without Azure access could not do.
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

    const credentials = containerregistry.listRegistryCredentialsOutput(
      { registryName: registry.name, resourceGroupName: registry.resourceGroupName },
      { parent: this },
    );
    const image = new docker.Image(
      "image",
      {
        imageName: imageName(registry.loginServer, plan.image),
        build: { context: plan.image.contextDir, dockerfile, platform: plan.image.platform },
        registry: {
          server: registry.loginServer,
          username: pulumi.secret(credentials.apply((c) => requireValue(c.username, "username"))),
          password: pulumi.secret(credentials.apply((c) => requireValue(c.passwords?.[0]?.value, "password"))),
        },
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
}

function writeIfChanged(file: string, text: string): void {
  const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
  if (current === text) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

function requireValue(value: string | undefined, what: string): string {
  if (value === undefined || value === "") {
    throw new Error(`the container registry returned no admin ${what}: enable its admin user (az acr update --admin-enabled true)`);
  }
  return value;
}
