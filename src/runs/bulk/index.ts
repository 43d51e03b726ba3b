export { runBulk, defaultConcurrency, runFiles, type RunBulkOptions } from "./runBulk";
export { parseColumnMapping, applyColumnMapping, parseMappingValue, type ColumnMapping, type MappingSource, type MappedInputs } from "./columnMapping";
export { forEachConcurrent } from "./concurrentPool";
export { nonBlankLines, countNonBlankLines, type TextLine } from "./jsonlLines";
export { readRecords, parseRecord } from "./recordsFile";
export { writeLineOrdered } from "./lineOrder";
export { percentile } from "./summary";
export type * from "./types";
