export { runBulk, finishBulkRun, runFiles } from "./runBulk";
export { nonBlankLines, countNonBlankLines } from "./jsonlLines";
export type * from "./types";
