import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { deterministicGuid } from "../../infra/deterministicGuid";
import { declareLlmopsStack } from "../../infra/program";
import type { InfraPlan } from "../../plan/types";
import type { RegistryTokenSource } from "../../azure/registryToken";
import { madeUpValues, MockContext, MockOnlineEndpoint, mockInvoke, mockRegistryToken, mockResource } from "./mockAzure";
import { secretMask } from "../../config/stackConfigFile";
import { OfflinePlanReport, RecordedResource } from "./types";
import { isRecord } from "../../core/values";

export interface RecordOptions {
  /** File paths in inputs are shown relative to this folder. */
  projectRoot?: string;
  /** Where the program writes the generated Dockerfile (defaults to the OS temp folder). */
  dockerfileRoot?: string;
  /** ACR refresh tokens for an "entra" registry login; default a fixed placeholder, so no network call happens. */
  registryToken?: RegistryTokenSource;
  /** Endpoints that already exist, with their live split (default: none, as on a first deployment). */
  onlineEndpoints?: Record<string, MockOnlineEndpoint>;
  /** The workspace's computes (default: every name is an attached Kubernetes compute). */
  computes?: MockContext["computes"];
}

interface Declared {
  resource: pulumi.Resource;
  type: string;
  name: string;
  parent?: pulumi.Resource;
  options: RecordedResource["options"];
}

/**
 * Runs the stack's component tree under Pulumi's mocks in this process and records what it declares.
 *
 * Two sources are joined: a resource transformation on the top-level component sees every resource with its
 * options (parent, dependsOn, ignoreChanges, retainOnDelete), and the mock monitor sees the inputs exactly as
 * serialised for the engine (secrets still marked, so they can be masked). Mocks are process-global: callers
 * that need several plans in one process use runOfflinePlan, which gives each its own process.
 */
export async function recordOfflinePlan(plan: InfraPlan, options: RecordOptions = {}): Promise<OfflinePlanReport> {
  const ctx: MockContext = {
    subscriptionId: plan.azure.subscriptionId,
    location: plan.azure.location,
    tenantId: plan.azure.keyVault.tenantId ?? deterministicGuid("tenant", plan.azure.subscriptionId),
    ...(options.onlineEndpoints !== undefined ? { onlineEndpoints: options.onlineEndpoints } : {}),
    ...(options.computes !== undefined ? { computes: options.computes } : {}),
  };
  const registered = new Map<string, { inputs: Record<string, unknown>; custom: boolean }>();
  const mockValues = new Set<string>();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = (args.inputs ?? {}) as Record<string, unknown>;
        registered.set(`${args.type}::${args.name}`, { inputs, custom: args.custom !== false });
        const answer = mockResource(args.type, args.name, inputs, ctx, args.custom !== false);
        madeUpValues(answer.state).forEach((value) => mockValues.add(value));
        return answer;
      },
      call(args) {
        const answer = mockInvoke(args.token, (args.inputs ?? {}) as Record<string, unknown>, ctx);
        madeUpValues(answer).forEach((value) => mockValues.add(value));
        return answer;
      },
    },
    "llmops",
    plan.stack,
    false,
  );

  const declared: Declared[] = [];
  const names = new Map<pulumi.Resource, string>();
  const recordDeclaration: pulumi.ResourceTransformation = (args) => {
    names.set(args.resource, args.name);
    declared.push({
      resource: args.resource,
      type: args.type,
      name: args.name,
      ...(args.opts.parent !== undefined ? { parent: args.opts.parent } : {}),
      options: {
        dependsOn: dependencyList(args.opts.dependsOn),
        ignoreChanges: [...(args.opts.ignoreChanges ?? [])],
        retainOnDelete: args.opts.retainOnDelete === true,
      },
    });
    return undefined;
  };

  // A failure inside an input (e.g. an invoke the program cannot do without) surfaces as an unhandled rejection,
  // which fails a real `pulumi up`; here it fails the recording instead of leaving it waiting forever.
  const programFailure = watchForProgramFailure();
  let resolvedOutputs: Record<string, unknown>;
  try {
    const outputs = declareLlmopsStack(plan, {
      resourceOptions: { transformations: [recordDeclaration] },
      ...(options.dockerfileRoot !== undefined ? { dockerfileRoot: options.dockerfileRoot } : {}),
      registryToken: options.registryToken ?? offlineRegistryToken,
      serialiseTrafficProvider: false,
    });
    // A resource's URN resolves once the (mock) engine has registered it: then its inputs are recorded.
    await Promise.race([Promise.all(declared.map((entry) => settle(entry.resource.urn))), programFailure.failed]);
    resolvedOutputs = (await Promise.race([revealOutputs(outputs), programFailure.failed])) as Record<string, unknown>;
  } finally {
    programFailure.stop();
  }

  const resources: RecordedResource[] = [];
  for (const entry of declared) {
    const seen = registered.get(`${entry.type}::${entry.name}`) ?? findByName(registered, entry.name);
    const inputs = seen === undefined ? {} : ((await maskInputs(seen.inputs, options.projectRoot)) as Record<string, unknown>);
    const parentName = entry.parent === undefined ? undefined : names.get(entry.parent);
    resources.push({
      type: entry.type,
      name: entry.name,
      ...(parentName !== undefined ? { parent: parentName } : {}),
      inputs,
      options: entry.options,
      custom: seen?.custom ?? true,
    });
  }
  return { stack: plan.stack, resources, outputs: resolvedOutputs, notices: [...(plan.notices ?? [])], mockValues: [...mockValues].sort() };

  function dependencyList(dependsOn: pulumi.ResourceOptions["dependsOn"]): string[] {
    const list = dependsOn === undefined ? [] : Array.isArray(dependsOn) ? dependsOn : [dependsOn];
    return list.flatMap((item) => (pulumi.Resource.isInstance(item) ? [names.get(item) ?? "(unnamed)"] : []));
  }
}

/**
 * Rejects with the first unhandled rejection in this process until stopped; Pulumi reports input failures that way.
 * The one process listener outside src/cli: the Pulumi runtime has no other channel for a failed input, and the
 * listener lives only while one recording runs (stop() removes it), in a process that plans one stack.
 */
function watchForProgramFailure(): { failed: Promise<never>; stop: () => void } {
  let listener: ((reason: unknown) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    listener = (reason: unknown) => reject(reason instanceof Error ? reason : new Error(String(reason)));
    // eslint-disable-next-line no-restricted-properties -- Pulumi reports failed inputs only as unhandled rejections; removed by stop()
    process.on("unhandledRejection", listener);
  });
  failed.catch(() => undefined); // only awaited through Promise.race
  return {
    failed,
    stop: () => {
      if (listener !== undefined) process.off("unhandledRejection", listener);
    },
  };
}

/** Stands in for the Entra ID → ACR token exchange offline: a secret like the real one, masked in the report. */
const offlineRegistryToken: RegistryTokenSource = async () => mockRegistryToken;

function findByName(registered: Map<string, { inputs: Record<string, unknown>; custom: boolean }>, name: string) {
  for (const [key, value] of registered) if (key.endsWith(`::${name}`)) return value;
  return undefined;
}

function settle<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => {
    resolve(value);
    return value;
  }));
}

/** Stack outputs as plain data; any secret output (or secret part) is masked. */
export async function revealOutputs(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    if (await pulumi.isSecret(value)) return secretMask;
    return revealOutputs(await settle(value));
  }
  if (Array.isArray(value)) return Promise.all(value.map(revealOutputs));
  if (isPlainObject(value)) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) result[key] = await revealOutputs(item);
    }
    return result;
  }
  return value;
}

/** Engine-side inputs → report data: secrets masked, assets as file paths, the dynamic provider's code dropped. */
async function maskInputs(value: unknown, projectRoot: string | undefined): Promise<unknown> {
  if (pulumi.runtime.isRpcSecret(value)) return secretMask;
  if (value instanceof pulumi.asset.FileAsset) {
    const file = await value.path;
    return { file: projectRoot === undefined ? file : path.relative(projectRoot, file).split(path.sep).join("/") };
  }
  if (Array.isArray(value)) return Promise.all(value.map((item) => maskInputs(item, projectRoot)));
  if (isPlainObject(value)) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (key === "__provider" || item === undefined) continue;
      result[key] = await maskInputs(item, projectRoot);
    }
    return result;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && !pulumi.Output.isInstance(value);
}
