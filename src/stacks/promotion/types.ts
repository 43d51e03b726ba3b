/**
 * What a promotion compares: two stacks' offline plans (the resources and outputs `llmops plan` records under
 * Pulumi mocks) and their configuration files. Plain data; every value that was a secret is already masked.
 */

import type { PlannedResource } from "../offlinePlan/types";

export type { PlannedResource };

/** The part of an offline plan report a promotion needs (structurally compatible with the full report). */
export interface StackPlanSnapshot {
  stack: string;
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
}

/** A leaf that differs. `from`/`to` undefined means the value is absent on that side. */
export interface ValueChange {
  path: string;
  from?: unknown;
  to?: unknown;
}

/** A resource present in both stacks (paired by type and name, or by type when it is the only one left). */
export interface ResourceChange {
  type: string;
  fromName: string;
  toName: string;
  changes: ValueChange[];
}

export interface ResourceDiff {
  added: PlannedResource[];
  removed: PlannedResource[];
  changed: ResourceChange[];
  unchanged: number;
}

/** One deployment's live and mirrored share of its endpoint's traffic, before (`from`) and after (`to`). */
export interface TrafficRow {
  endpoint: string;
  deployment: string;
  fromTraffic?: number;
  toTraffic?: number;
  fromMirror?: number;
  toMirror?: number;
}

/** What a resource runs: a model asset, an environment, an image, a Web App's container reference. */
export interface ArtifactRow {
  resource: string;
  field: string;
  from?: string;
  to?: string;
}

export interface SectionDiff {
  /** e.g. "azure_managed_endpoint" */
  section: string;
  /** The side with no entry for its ENV_NAME in this section (the other side's keys then all show as changes). */
  missingIn?: "from" | "to";
  changes: ValueChange[];
}

/** A stack's configuration as files on disk, already parsed. */
export interface StackConfigSource {
  stack: string;
  /** Display name, e.g. "Pulumi.dev.yaml". */
  file: string;
  /** The `config:` map, secrets masked (StackConfig.values). */
  config: Record<string, unknown>;
  /** ENV_NAME the stack selects (`llmops:environment`). */
  environment: string;
  deploymentConfigFile: string;
  /** The parsed deployment_config.json the stack points at. */
  deploymentConfig: unknown;
}

export interface PromotionDiff {
  from: string;
  to: string;
  /** Names that differ per environment by design; input changes explained by them alone are not shown as changes. */
  renames: { from: string; to: string }[];
  resources: ResourceDiff;
  traffic: TrafficRow[];
  artifacts: ArtifactRow[];
  stackConfig: ValueChange[];
  deploymentConfig: SectionDiff[];
}
