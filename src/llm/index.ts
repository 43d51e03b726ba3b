export { createLlmInvoker } from "./invoker";
export type * from "./types";
