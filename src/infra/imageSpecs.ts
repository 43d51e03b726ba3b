import { createHash } from "node:crypto";
import * as os from "node:os";
import * as path from "node:path";
import type { FlowPlan, ImagePlan } from "../plan/types";

/** The serving container's routes: prompt flow answers /score and /health on 8080. */
export const servingRoutes = {
  livenessRoute: { path: "/health", port: 8080 },
  readinessRoute: { path: "/health", port: 8080 },
  scoringRoute: { path: "/score", port: 8080 },
};

/** `<loginServer>/<repository>:<tag>`: the name the image is pushed under (downstream uses the digest). */
export function imageName(loginServer: string, image: ImagePlan): string {
  return `${loginServer}/${image.repository}:${image.tag}`;
}

/**
 * Where the generated Dockerfile is written: outside the flow folder (so it never becomes part of the flow's
 * content hash) and keyed by the Dockerfile's own hash, so the same text always lands on the same path and a
 * preview never sees a spurious diff of `build.dockerfile`.
 */
export function dockerfilePath(image: ImagePlan, tmpRoot: string = os.tmpdir()): string {
  const key = createHash("sha256").update(image.dockerfile).digest("hex").slice(0, 16);
  return path.join(tmpRoot, "llmops-docker", key, "Dockerfile");
}

/** Name of the environment asset that wraps the flow's serving image (chosen by the plan). */
export function environmentName(flow: FlowPlan): string {
  return flow.environmentName;
}

/**
 * Environment versions are immutable in Azure ML, so the version follows the image tag (derived from the build
 * hash: flow files + generated Dockerfile, like the model version): a new flow or serving recipe gives a new
 * version, the old one keeps serving priors.
 */
export function environmentVersion(image: ImagePlan): string {
  return image.tag;
}

export function environmentVersionProperties<T>(flow: FlowPlan, imageReference: T, tags: Record<string, string>) {
  return {
    description: `Serving image of prompt flow ${flow.name}`,
    image: imageReference,
    osType: "Linux",
    inferenceConfig: servingRoutes,
    tags: { ...tags, "flow-name": flow.name },
  };
}

/** `DOCKER|<registry>/<repository>@sha256:...`: App Service pulls exactly the pushed image, never a moving tag. */
export function linuxFxVersion(repoDigest: string): string {
  if (!/@sha256:[0-9a-f]{64}$/.test(repoDigest)) {
    throw new Error(`expected an image reference by digest (<registry>/<repo>@sha256:<64 hex>), got '${repoDigest}'`);
  }
  return `DOCKER|${repoDigest}`;
}
