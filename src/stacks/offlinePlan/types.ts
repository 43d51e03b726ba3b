/** What `llmops plan` reports for one stack: every resource the program declares, and the stack outputs. */


interface ResourceOptions {
  dependsOn: string[];
  ignoreChanges: string[];
  retainOnDelete: boolean;
}

/**
 * One resource of an offline plan: the shape every plan diff works on (src/stacks/planDiff.ts). A promotion's
 * snapshot may carry only type, name and inputs; a recorded plan has everything (RecordedResource).
 */
export interface PlannedResource {
  /** Pulumi type token, e.g. `azure-native:machinelearningservices:OnlineDeployment`. */
  type: string;
  name: string;
  /** Name of the parent resource; absent for the top-level component. */
  parent?: string;
  /** Inputs as the engine would receive them; secrets masked, files as `{ "file": <path> }`. */
  inputs: Record<string, unknown>;
  options?: ResourceOptions;
  custom?: boolean;
}

/** A resource as `llmops plan` records it under Pulumi mocks: with its options. */
export interface RecordedResource extends PlannedResource {
  options: ResourceOptions;
  custom: boolean;
}

export interface OfflinePlanReport {
  stack: string;
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  /** Things the user should know that are not errors (from the plan). */
  notices: string[];
  /** Values the mocks made up that look real (principal and client IDs, image digests): labelled "(mock)" when shown. */
  mockValues?: string[];
}
