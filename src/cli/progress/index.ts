export { createProgressReporter, type ProgressReporterOptions, type ProgressOutput } from "./progressReporter";
export { formatProgressBar, formatProgressLine, formatDuration, type ProgressState } from "./formatProgress";
