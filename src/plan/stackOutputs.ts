/**
 * The stack outputs (what `pulumi stack output --json` shows; src/index.ts exports them), as resolved values. The
 * Pulumi program declares them (infra/llmopsStack, with Outputs for what Azure computes) and post-deployment
 * evaluation reads them back. No secret among them.
 */
export interface StackOutputs {
  stack: string;
  environment: string;
  flowContentHash: string;
  modelName: string;
  modelVersion: string;
  modelId: string;
  imageRepoDigest: string;
  environmentId: string;
  endpointName?: string;
  /** `https://<endpoint>.<region>.inference.ml.azure.com/score`. */
  scoringUri?: string;
  deploymentNames?: string[];
  traffic?: Record<string, number>;
  mirrorTraffic?: Record<string, number>;
  endpointPrincipalId?: string;
  /** The Kubernetes endpoint's: the managed endpoint's six with a `kubernetes` prefix. */
  kubernetesEndpointName?: string;
  kubernetesScoringUri?: string;
  kubernetesDeploymentNames?: string[];
  kubernetesTraffic?: Record<string, number>;
  kubernetesMirrorTraffic?: Record<string, number>;
  kubernetesEndpointPrincipalId?: string;
  webAppName?: string;
  webAppUrl?: string;
  webAppPrincipalId?: string;
  webAppClientId?: string;
  /** `llmops:jobs`: the compute cluster, the jobs identity's client ID and the jobs environment. */
  jobsClusterId?: string;
  jobsIdentityClientId?: string;
  jobsEnvironmentId?: string;
}

/** Outputs the plan knows before any resource exists; the others come from Azure. */
export type PlannedStackOutputKey =
  | "stack"
  | "environment"
  | "flowContentHash"
  | "modelName"
  | "modelVersion"
  | "deploymentNames"
  | "kubernetesDeploymentNames";
