/** `llmops evaluate`'s shell: phases wired from src/experiment, src/flow, src/bulk and src/evaluation. */
export { runEvaluation, type EvaluationOptions, type EvaluationPhase, type EvaluationResult } from "./runEvaluation";
export { reportLocations, writeEvaluationReports, type EvaluationReports } from "./reports";
export { Interrupted } from "./interrupted";
export { endpointKeyVariable, readEndpointKey, listKeysPath, type ArmActions } from "./endpointAuth";
export { parseStackOutputs, type DeployedOutputs } from "./stackOutputs";
export { stackDeploymentOf, type StackDeployment } from "./stackDeployment";
export { stackTargets, explicitTargets, abPairs, type PostTarget } from "./postTargets";
export { deployedVsPre } from "./deployedVsPre";
export { gateOnSubset, informational } from "./gatePolicy";
