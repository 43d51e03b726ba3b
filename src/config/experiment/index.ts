export { loadExperiment, readExperimentOutline } from "./loadExperiment";
export * from "./types";
