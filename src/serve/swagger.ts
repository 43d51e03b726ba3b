/**
 * `/swagger.json`: the OpenAPI 3 document prompt flow's serving app publishes for a flow, so clients and the Azure
 * ML studio's test page read the same shape: inputs as the request schema (all listed as required, as prompt flow
 * lists them), outputs as the response schema, chat markers in `info`, and the `/feedback` route.
 */
import type { FlowToServe } from "./servedFlow";

type JsonSchema = Record<string, unknown>;

/** Prompt flow's type names (and the Python annotations flex entries use) as JSON schema types. */
const schemaTypes: Record<string, string> = {
  string: "string",
  int: "integer",
  double: "number",
  bool: "boolean",
  list: "array",
  chat_history: "array",
  object: "object",
  str: "string",
  float: "number",
  dict: "object",
};

function schemaOfType(type: string | undefined): JsonSchema {
  const mapped = type === undefined ? "object" : (schemaTypes[type] ?? schemaTypes[type.split("[")[0].toLowerCase()] ?? "object");
  if (mapped === "object") return { type: "object", additionalProperties: {} };
  if (mapped === "array") return { type: "array", items: { type: "object", additionalProperties: {} } };
  return { type: mapped };
}

export function swaggerDocument(flow: Omit<FlowToServe, "start">, sample?: Record<string, unknown>): Record<string, unknown> {
  const info: Record<string, unknown> = { title: `Promptflow[${flow.name}] API`, version: "1.0.0", "x-flow-name": flow.name };
  const properties: Record<string, JsonSchema> = {};
  for (const input of flow.inputs) {
    if (input.isChatInput) {
      info["x-chat-input"] = input.name;
      info["x-flow-type"] = "chat";
    }
    if (input.isChatHistory) info["x-chat-history"] = input.name;
    const schema = schemaOfType(input.type);
    // Prompt flow shows only truthy defaults.
    if (input.default !== undefined && input.default !== null && input.default !== "" && input.default !== false && input.default !== 0) schema.default = input.default;
    properties[input.name] = schema;
  }
  const outputProperties: Record<string, JsonSchema> = {};
  for (const output of flow.outputs) {
    if (output.isChatOutput) info["x-chat-output"] = output.name;
    outputProperties[output.name] = schemaOfType(output.type);
  }
  const hasInputs = flow.inputs.length > 0;
  const inputSchema: JsonSchema = hasInputs ? { type: "object", properties, required: flow.inputs.map((input) => input.name) } : { type: "object" };
  const outputSchema: JsonSchema = flow.outputs.length > 0 ? { type: "object", properties: outputProperties } : { type: "object" };
  return {
    openapi: "3.0.0",
    info,
    components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } } },
    security: [{ bearerAuth: [] }],
    paths: {
      "/score": {
        post: {
          summary: `run promptflow: ${flow.name} with an given input`,
          requestBody: {
            description: "promptflow input data",
            required: hasInputs,
            content: { "application/json": { schema: inputSchema, example: sample ?? {} } },
          },
          responses: {
            "200": {
              description: "successful operation",
              content: {
                "application/json": { schema: outputSchema },
                ...(info["x-chat-output"] !== undefined ? { "text/event-stream": { schema: { type: "string" } } } : {}),
              },
            },
            "400": { description: "Invalid input" },
            default: { description: "unexpected error" },
          },
        },
      },
      "/feedback": {
        post: {
          summary: "collect feedback on a response; the body is kept as given (with ?flatten=true its top-level keys become trace attributes)",
          requestBody: { description: "feedback data", required: true, content: { "application/json": { schema: { type: "object", additionalProperties: {} } } } },
          responses: { "200": { description: "successful operation" }, default: { description: "unexpected error" } },
        },
      },
    },
  };
}
