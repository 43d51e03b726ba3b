import { isNotFoundInvokeError } from "./liveTraffic";

/** The part of a `getCompute` result the endpoint needs. */
export interface ComputeLookup {
  id: string;
  properties: { computeType: string; provisioningState?: string };
}

/**
 * Looks up the attached compute a Kubernetes endpoint runs on and returns its ARM ID (the endpoint's `compute`).
 * A missing compute, or one that is not a Kubernetes compute (a cluster, an instance), fails the deployment with a
 * message naming it, before any endpoint is created on it.
 */
export async function kubernetesComputeId(
  read: () => Promise<ComputeLookup>,
  where: { computeName: string; workspaceName: string; endpointName: string },
): Promise<string> {
  let compute: ComputeLookup;
  try {
    compute = await read();
  } catch (err) {
    if (isNotFoundInvokeError(err)) {
      throw new Error(
        `Kubernetes endpoint '${where.endpointName}': workspace '${where.workspaceName}' has no compute '${where.computeName}' ` +
          "(attach the Kubernetes cluster to the workspace first, or fix COMPUTE_NAME in deployment_config.json)",
      );
    }
    throw err;
  }
  if (compute.properties.computeType !== "Kubernetes") {
    throw new Error(
      `Kubernetes endpoint '${where.endpointName}': compute '${where.computeName}' of workspace '${where.workspaceName}' is ` +
        `${compute.properties.computeType}, not an attached Kubernetes compute (COMPUTE_NAME in deployment_config.json)`,
    );
  }
  return compute.id;
}
