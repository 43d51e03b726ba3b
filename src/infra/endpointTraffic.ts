import * as pulumi from "@pulumi/pulumi";
import type { ArmApi } from "../azure/arm/armClient";
import { armClientFromEnvironment } from "../azure/arm/armToken";
import { readEndpointTraffic, setEndpointTraffic } from "./traffic/endpointTrafficUpdate";
import { OnlineEndpointRef, onlineEndpointPath } from "./traffic/onlineEndpointResource";
import { TrafficMap, TrafficState, sameTrafficState, trafficProblems } from "./traffic/trafficRules";

/**
 * EndpointTraffic: the traffic split of an existing managed online endpoint, set after its deployments exist.
 *
 * Why a resource of our own: traffic can only name existing deployments, deployments need the endpoint, and
 * azure-native cannot declare the same endpoint twice (ARM PATCH only takes tags/identity). So this resource GETs
 * the endpoint and PUTs it back with new `traffic`/`mirrorTraffic`. Declare it with `dependsOn` every deployment,
 * and give the OnlineEndpoint the endpoint's *live* split as its traffic inputs (ScoringEndpoint reads it with the
 * `getOnlineEndpoint` invoke), never `ignoreChanges` on them: with ignoreChanges, any other update of the endpoint
 * re-sends the empty split it was created with and routes 0% everywhere until this resource runs.
 *
 * The provider runs in Pulumi's dynamic-provider process from a *serialised copy* of these functions (no tsx
 * there, no relative requires): everything it calls is captured by value, and `@azure/identity` is required
 * inside a function body so it is loaded from node_modules on that side.
 */

export interface EndpointTrafficArgs {
  subscriptionId: pulumi.Input<string>;
  resourceGroupName: pulumi.Input<string>;
  workspaceName: pulumi.Input<string>;
  endpointName: pulumi.Input<string>;
  /** Percent per deployment; sums to 100. */
  traffic: pulumi.Input<Record<string, pulumi.Input<number>>>;
  /** Percent mirrored per deployment; sums to at most 50, never to a deployment with live traffic. Default none. */
  mirrorTraffic?: pulumi.Input<Record<string, pulumi.Input<number>>>;
}

/** Inputs and outputs share one shape: outputs hold the traffic ARM reports (refreshed by `read`). */
export interface EndpointTrafficState extends OnlineEndpointRef, TrafficState {}

/**
 * What the engine hands the provider: the inputs or stored outputs (possibly written by an older version of this
 * provider, possibly holding unknowns during preview) plus `__provider`. Narrowed by `knownState`.
 */
export type PropertyBag = Record<string, unknown>;

/** The Pulumi type token, for tests with mocks: `pulumi-nodejs:dynamic/llmops:EndpointTraffic`. */
export const endpointTrafficModule = "llmops";
export const endpointTrafficType = "EndpointTraffic";

/**
 * The provider, parameterised by how it reaches ARM so tests can point it at a fake server with a fake token.
 * Only `connect` and module-level functions are captured; keep it that way (no Pulumi objects, no config).
 */
export function makeEndpointTrafficProvider(connect: () => ArmApi): pulumi.dynamic.ResourceProvider<PropertyBag, PropertyBag> {
  // One client per provider process: its credential caches the token across check/diff/create/read calls
  // (DefaultAzureCredential via the az CLI takes about a second per fresh token).
  let client: ArmApi | undefined;
  const arm = (): ArmApi => (client ??= connect());
  return {
    async check(_olds, news) {
      const state = knownState(news);
      if (state === undefined) return { inputs: news };
      const failures = trafficProblems(state).map((problem) => ({ property: problem.property, reason: problem.reason }));
      return { inputs: news, failures };
    },

    // Same endpoint, new split: never a replacement. Besides declared changes, compare with the endpoint's live
    // traffic, so a split lost out of band (e.g. an endpoint re-PUT without traffic) is restored by the next `up`.
    async diff(_id, olds, news) {
      const next = knownState(news);
      if (next === undefined) return { changes: true, replaces: [], deleteBeforeReplace: false };
      const previous = knownState(olds);
      if (previous === undefined || !sameEndpoint(previous, next) || !sameTrafficState(previous, next)) {
        return { changes: true, replaces: [], deleteBeforeReplace: false };
      }
      const live = await readEndpointTraffic(arm(), next);
      const changes = live === undefined || !sameTrafficState(live, next);
      return { changes, replaces: [], deleteBeforeReplace: false };
    },

    async create(inputs) {
      const state = requireState(inputs);
      const result = await setEndpointTraffic(arm(), state);
      return { id: onlineEndpointPath(state), outs: { ...refOf(state), ...result.applied } };
    },

    async update(_id, _olds, news) {
      const state = requireState(news);
      const result = await setEndpointTraffic(arm(), state);
      return { outs: { ...refOf(state), ...result.applied } };
    },

    async read(id, props) {
      const state = props === undefined ? undefined : knownState(props);
      if (state === undefined) return { id, props };
      const live = await readEndpointTraffic(arm(), state);
      // An empty id tells Pulumi the resource is gone: the endpoint was deleted, so is its traffic.
      if (live === undefined) return { id: "" };
      return { id, props: { ...refOf(state), ...live } };
    },

    // Deliberately does nothing. "Deleting" a traffic split has no meaning ARM could carry out except routing 0%
    // everywhere, which would take a live endpoint down (the template's defect #182). When the endpoint itself is
    // deleted, its traffic goes with it; when only this resource is removed, the endpoint keeps serving.
    async delete() {
      return;
    },
  };
}

/** Reads the engine's property bag (which also carries `__provider`); undefined while any value is unknown. */
function knownState(raw: unknown): EndpointTrafficState | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const bag = raw as Record<string, unknown>;
  const names = ["subscriptionId", "resourceGroupName", "workspaceName", "endpointName"] as const;
  const ref: Partial<OnlineEndpointRef> = {};
  for (const name of names) {
    const value = bag[name];
    if (typeof value !== "string" || value === "" || value === unknownSentinel) return undefined;
    ref[name] = value;
  }
  const traffic = knownPercentMap(bag.traffic);
  const mirrorTraffic = bag.mirrorTraffic === undefined || bag.mirrorTraffic === null ? {} : knownPercentMap(bag.mirrorTraffic);
  if (traffic === undefined || mirrorTraffic === undefined) return undefined;
  return {
    subscriptionId: ref.subscriptionId as string,
    resourceGroupName: ref.resourceGroupName as string,
    workspaceName: ref.workspaceName as string,
    endpointName: ref.endpointName as string,
    traffic,
    mirrorTraffic,
  };
}

// The engine's placeholder for values not known during preview (pulumi runtime/rpc `unknownValue`).
const unknownSentinel = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function knownPercentMap(value: unknown): TrafficMap | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const map: TrafficMap = {};
  for (const [name, percent] of Object.entries(value)) {
    if (typeof percent !== "number") return undefined;
    map[name] = percent;
  }
  return map;
}

function requireState(raw: unknown): EndpointTrafficState {
  const state = knownState(raw);
  if (state === undefined) {
    throw new Error("EndpointTraffic: subscriptionId, resourceGroupName, workspaceName, endpointName and traffic must all be known");
  }
  return state;
}

function refOf(state: OnlineEndpointRef): OnlineEndpointRef {
  return {
    subscriptionId: state.subscriptionId,
    resourceGroupName: state.resourceGroupName,
    workspaceName: state.workspaceName,
    endpointName: state.endpointName,
  };
}

function sameEndpoint(a: OnlineEndpointRef, b: OnlineEndpointRef): boolean {
  return onlineEndpointPath(a).toLowerCase() === onlineEndpointPath(b).toLowerCase();
}

/**
 * The provider `pulumi up` uses: ARM at `LLMOPS_ARM_ENDPOINT` (default public cloud), DefaultAzureCredential.
 * The engine runs this closure, serialised, in its own dynamic-provider process: that process is the shell here,
 * and the closure must read its environment when it runs (passing the program's environment in would capture
 * it, ARM_CLIENT_SECRET included, into the text Pulumi stores in the state).
 */
// eslint-disable-next-line no-restricted-properties -- read in the dynamic-provider process at run time, see above
export const endpointTrafficProvider = makeEndpointTrafficProvider(() => armClientFromEnvironment(process.env));

export class EndpointTraffic extends pulumi.dynamic.Resource {
  /** The split ARM reports after the update (refreshed by `pulumi refresh`). */
  declare readonly traffic: pulumi.Output<TrafficMap>;
  declare readonly mirrorTraffic: pulumi.Output<TrafficMap>;
  declare readonly endpointName: pulumi.Output<string>;

  constructor(name: string, args: EndpointTrafficArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      endpointTrafficProvider,
      name,
      { ...args, mirrorTraffic: args.mirrorTraffic ?? {} },
      opts,
      endpointTrafficModule,
      endpointTrafficType,
    );
  }
}

/**
 * EndpointTraffic as the offline plan declares it: the same type token, inputs and outputs, without the provider's
 * serialised code. Serialising it (Pulumi's closure serialiser loads the TypeScript compiler and an inspector
 * session) took about 40 % of a plan, for text no engine runs under mocks; `pulumi up` always uses EndpointTraffic.
 */
class UnserialisedEndpointTraffic extends pulumi.CustomResource {
  declare readonly traffic: pulumi.Output<TrafficMap>;
  declare readonly mirrorTraffic: pulumi.Output<TrafficMap>;

  constructor(name: string, args: EndpointTrafficArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      `pulumi-nodejs:dynamic/${endpointTrafficModule}:${endpointTrafficType}`,
      name,
      { ...args, mirrorTraffic: args.mirrorTraffic ?? {}, __provider: "(not serialised by the offline plan)" },
      opts,
    );
  }
}

/** Declares the endpoint's traffic split; `serialiseProvider` false only where no engine will run the provider. */
export function declareEndpointTraffic(
  name: string,
  args: EndpointTrafficArgs,
  opts: pulumi.CustomResourceOptions,
  serialiseProvider: boolean,
): Pick<EndpointTraffic, "traffic" | "mirrorTraffic"> {
  return serialiseProvider ? new EndpointTraffic(name, args, opts) : new UnserialisedEndpointTraffic(name, args, opts);
}
