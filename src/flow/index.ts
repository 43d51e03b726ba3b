/** The prompt flow engine: load + validate a flow folder, pick variants, run lines and aggregations. */
export { loadFlow } from "./loadFlow";
export { parseFlow } from "./parseFlow";
export { validateFlow, validateGraph } from "./validateFlow";
export { resolveVariants, applyVariants, variantLabelText, type VariantRun, type VariantSelection } from "./variants";
export {
  createFlowExecutor,
  type FlowExecutor,
  type FlowExecutorOptions,
  type FlowLineOutcome,
  type NodeRunRecord,
  type NodeStatus,
} from "./executor";
export { createPythonPool, type PythonPool, type PythonPoolOptions, type PythonCall, type PythonCallResult } from "./pythonPool";
export { runFlowOnce, type RunFlowOnceDeps, type FlowTestResult } from "./runFlowOnce";
export { convertInputs, InputError } from "./convertInputs";
export { coerceLlmParameters } from "./llmParameters";
export { parseChatPrompt, escapeRoleMarkers } from "./chatPrompt";
export { createTemplateRenderer } from "./template";
export type * from "./types";
