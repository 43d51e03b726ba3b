export { loadExperiment, readExperimentOutline, type ExperimentOutline } from "./loadExperiment";
export * from "./types";
