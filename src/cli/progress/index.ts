export { createProgressReporter, type ProgressReporterOptions, type ProgressOutput } from "./progressReporter";
export { formatProgressBar, formatProgressLine, type ProgressState } from "./formatProgress";
