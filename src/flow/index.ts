/** The prompt flow engine: load + validate a flow folder, pick variants, run lines and aggregations. */
export { loadFlow } from "./loadFlow";
export { resolveVariants } from "./variants";
export {
  createFlowExecutor } from "./executor";
export { createPythonPool, type PythonPool } from "./pythonPool";
export type * from "./types";
