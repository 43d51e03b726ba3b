export { createProgressReporter } from "./progressReporter";
