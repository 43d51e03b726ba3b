/** Flow folders and helpers shared by the serving tests. */
import * as path from "node:path";
import { writeFlowDir } from "../flow/support";

export const sampleFlowDir = path.resolve(__dirname, "../../flows/support_ticket_classifier");

/** A chat flow: a chat input and history, the answer from an llm node marked is_chat_output, plus a python output. */
export function writeChatFlow(): string {
  return writeFlowDir({
    "flow.dag.yaml": `
inputs:
  question: {type: string, is_chat_input: true}
  chat_history: {type: list, default: []}
outputs:
  answer: {type: string, reference: "\${chat.output}", is_chat_output: true}
  turns: {type: int, reference: "\${count_turns.output}"}
nodes:
- name: chat
  type: llm
  source: {type: code, path: chat.jinja2}
  inputs: {deployment_name: gpt-4o-mini, question: "\${inputs.question}", chat_history: "\${inputs.chat_history}"}
  connection: aoai
  api: chat
- name: count_turns
  type: python
  source: {type: code, path: count_turns.py}
  inputs: {history: "\${inputs.chat_history}"}
`,
    "chat.jinja2": `system:
You answer questions about support tickets.
{% for item in chat_history %}
user:
{{item.inputs.question}}
assistant:
{{item.outputs.answer}}
{% endfor %}
user:
{{question}}
`,
    "count_turns.py": `from promptflow import tool


@tool
def count_turns(history: list) -> int:
    return len(history)
`,
  });
}

/** A python-only flow with a typed input and a tool that raises on demand. */
export function writeTypedFlow(): string {
  return writeFlowDir({
    "flow.dag.yaml": `
inputs:
  text: {type: string}
  count: {type: int}
  fail: {type: bool, default: false}
outputs:
  repeated: {type: string, reference: "\${repeat.output}"}
nodes:
- name: repeat
  type: python
  source: {type: code, path: repeat.py}
  inputs: {text: "\${inputs.text}", count: "\${inputs.count}", fail: "\${inputs.fail}"}
`,
    "repeat.py": `from promptflow import tool


@tool
def repeat(text: str, count: int, fail: bool) -> str:
    if fail:
        raise ValueError("the tool refused this ticket")
    return " ".join([text] * count)
`,
  });
}

/** Server-sent events of a response body: the JSON of each `data:` line. */
export function parseEvents(body: string): unknown[] {
  return body
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => JSON.parse(block.slice("data: ".length)) as unknown);
}
