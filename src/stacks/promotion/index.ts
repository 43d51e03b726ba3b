/** Promotion between stacks: pure diff functions and the runner the `llmops promote` command wraps. */
export { buildPromotionDiff, isIdentical } from "./promotionDiff";
export { diffResources, pairResources } from "./resourceDiff";
export { compareTraffic, extractTraffic } from "./trafficTable";
export { compareArtifacts, artifactReferences } from "./artifactRefs";
export { diffStackConfig, diffDeploymentConfig } from "./configDiff";
export { diffValues, formatValue } from "./valueDiff";
export { environmentRenames, applyRenames, isRenameOnly } from "./environmentNames";
export type { Rename } from "./environmentNames";
export { renderPromotionText, renderPromotionMarkdown } from "./renderDiff";
export { pulumiArguments, runPulumi, assertPulumiOnPath, pulumiMissingMessage } from "./pulumiCommand";
export { loadStackConfigSource } from "./loadStackConfig";
export { runPromotion } from "./runPromotion";
export type { PromotionOptions, PromotionDependencies, PromotionResult } from "./runPromotion";
export type * from "./types";
