/** Promotion between stacks: pure diff functions and the runner the `llmops promote` command wraps. */
export { buildPromotionDiff, isIdentical } from "./promotionDiff";
export { diffResources } from "../planDiff";
export { compareTraffic } from "./trafficTable";
export { compareArtifacts } from "./artifactRefs";
export { diffStackConfig, diffDeploymentConfig } from "./configDiff";
export { diffValues } from "./valueDiff";
export { environmentRenames, applyRenames, isRenameOnly } from "./environmentNames";
export { renderPromotionText, renderPromotionMarkdown } from "./renderDiff";
export { pulumiArguments } from "./pulumiCommand";
export { runPromotion } from "./runPromotion";
export type { PromotionDependencies } from "./runPromotion";
export type * from "./types";
