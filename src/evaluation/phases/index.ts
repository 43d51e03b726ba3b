/** `llmops evaluate`'s shell: phases wired from src/experiment, src/flow, src/bulk and src/evaluation. */
export { runEvaluation, type EvaluationOptions, type EvaluationPhase } from "./runEvaluation";
export { reportLocations } from "./reports";
export { Interrupted } from "./interrupted";
export { readEndpointKey, listKeysPath } from "./endpointAuth";
export { parseStackOutputs } from "./stackOutputs";
export { type StackDeployment } from "./stackDeployment";
export { stackTargets, explicitTargets, abPairs } from "./postTargets";
export { deployedVsPre } from "./deployedVsPre";
