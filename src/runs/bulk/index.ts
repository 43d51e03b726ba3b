export { runBulk, runFiles } from "./runBulk";
export { nonBlankLines } from "./jsonlLines";
export type * from "./types";
