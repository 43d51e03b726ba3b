import type { LlmParameters } from "../llm/types";

/** LLM tool inputs that configure the call; every other input of an llm node is a template variable. */
export const LLM_TOOL_INPUTS = new Set([
  "deployment_name",
  "model",
  "temperature",
  "top_p",
  "max_tokens",
  "stop",
  "presence_penalty",
  "frequency_penalty",
  "response_format",
  "seed",
  // Accepted and ignored: prompt flow's defaults for these change nothing in a single non-streamed answer.
  "logit_bias",
  "user",
  "n",
  "stream",
  "echo",
  "logprobs",
  "best_of",
  "suffix",
  // Refused below when set: this runner does not implement tool calling.
  "functions",
  "function_call",
  "tools",
  "tool_choice",
]);

const FLOATS = ["temperature", "top_p", "presence_penalty", "frequency_penalty"] as const;
const INTEGERS = ["max_tokens", "seed"] as const;

export class LlmParameterError extends Error {
  override readonly name = "LlmParameterError";
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

function toNumber(name: string, value: unknown, integer: boolean): number {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : Number.NaN;
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new LlmParameterError(`parameter '${name}' must be ${integer ? "an integer" : "a number"}, found ${JSON.stringify(value)}`);
  }
  return n;
}

function toStop(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.length > 0 ? value.map(String) : undefined;
  if (typeof value === "string") {
    const text = value.trim();
    if (text.startsWith("[")) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (Array.isArray(parsed)) return parsed.length > 0 ? parsed.map(String) : undefined;
      } catch {
        // Not JSON: a literal stop sequence that happens to start with '['.
      }
    }
    return [value];
  }
  throw new LlmParameterError(`parameter 'stop' must be a string or a list of strings, found ${JSON.stringify(value)}`);
}

function toResponseFormat(value: unknown): { type: string } {
  let parsed = value;
  if (typeof value === "string") {
    const text = value.trim();
    if (text.startsWith("{")) {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new LlmParameterError(`parameter 'response_format' is not valid JSON: ${text}`);
      }
    } else {
      parsed = { type: text };
    }
  }
  if (typeof parsed === "object" && parsed !== null && "type" in parsed && typeof parsed.type === "string") {
    return { type: parsed.type };
  }
  throw new LlmParameterError(`parameter 'response_format' must look like {type: json_object}, found ${JSON.stringify(value)}`);
}

/** Pure: coerces the string forms flows use (`max_tokens: '128'`) into typed parameters; blanks are omitted. */
export function coerceLlmParameters(inputs: Record<string, unknown>): LlmParameters {
  const parameters: LlmParameters = {};
  for (const name of FLOATS) if (!isBlank(inputs[name])) parameters[name] = toNumber(name, inputs[name], false);
  for (const name of INTEGERS) if (!isBlank(inputs[name])) parameters[name] = toNumber(name, inputs[name], true);
  if (!isBlank(inputs.stop)) {
    const stop = toStop(inputs.stop);
    if (stop) parameters.stop = stop;
  }
  if (!isBlank(inputs.response_format)) parameters.response_format = toResponseFormat(inputs.response_format);
  for (const name of ["functions", "function_call", "tools", "tool_choice"]) {
    const value = inputs[name];
    const empty = isBlank(value) || (Array.isArray(value) && value.length === 0) || value === "none";
    if (!empty) throw new LlmParameterError(`parameter '${name}' is set, but this runner does not support tool/function calling`);
  }
  return parameters;
}
