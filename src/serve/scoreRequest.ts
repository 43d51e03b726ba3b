/**
 * A `/score` body turned into flow inputs, as prompt flow's serving app reads it: a JSON object of inputs; a body
 * that is not JSON is the value of the only input (several inputs need JSON); every input without a default must
 * be present. Converting values to the declared types is the engine's (its InputError is a 400 too).
 */
import type { ServedInput } from "./servedFlow";

/** The request is at fault: answered 400 with this message. */
export class BadScoreRequest extends Error {
  override readonly name = "BadScoreRequest";
}

export function scoreInputs(declared: readonly ServedInput[], body: string): Record<string, unknown> {
  if (declared.length === 0) return {};
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    if (declared.length > 1) {
      throw new BadScoreRequest(`the request body is not JSON, but the flow has ${declared.length} inputs (${declared.map((i) => i.name).join(", ")}): send a JSON object`);
    }
    return { [declared[0].name]: body };
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new BadScoreRequest(`expected a JSON object of flow inputs (${declared.map((i) => i.name).join(", ")}), found ${Array.isArray(data) ? "a list" : data === null ? "null" : typeof data}`);
  }
  const given = data as Record<string, unknown>;
  const missing = declared.filter((input) => input.required && (given[input.name] === undefined || given[input.name] === null)).map((input) => input.name);
  if (missing.length > 0) {
    throw new BadScoreRequest(`required input field${missing.length > 1 ? "s" : ""} ${missing.map((name) => `'${name}'`).join(", ")} missing in the request`);
  }
  return given;
}

/**
 * Whether the client asked for server-sent events explicitly (`*\/*` does not count) and whether it takes JSON,
 * from an Accept header, as prompt flow decides: no header accepts anything.
 */
export function acceptedMediaTypes(accept: string | undefined): { eventStream: boolean; json: boolean } {
  const types = (accept ?? "")
    .split(",")
    .map((part) => part.split(";")[0].trim().toLowerCase())
    .filter((type) => type !== "");
  if (types.length === 0) return { eventStream: false, json: true };
  return {
    eventStream: types.includes("text/event-stream"),
    json: types.some((type) => type === "application/json" || type === "application/*" || type === "*/*"),
  };
}
