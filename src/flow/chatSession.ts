/**
 * One chat conversation with a chat flow: each turn's inputs carry the history the way the flow kind expects it.
 * DAG chat flows get prompt flow's history (`[{inputs: {question}, outputs: {answer}}, ...]`); flex flows and
 * prompties get chat messages (`[{role: user, content}, {role: assistant, content}, ...]`), the shape their
 * templates iterate over. Pure: the terminal loop lives in src/cli/commands/chat.ts, serving can reuse it.
 */
import { UserError } from "../core/userError";
import type { FlowInterface } from "./flowFolder";

export interface ChatRoles {
  input: string;
  history?: string;
  output?: string;
}

/** The flow's chat roles, or a UserError saying why it is not a chat flow. */
export function chatRolesOf(flow: FlowInterface): ChatRoles & { output: string } {
  const chat = flow.chat;
  if (!chat) throw new UserError(`${flow.file}: not a chat flow (mark the question input is_chat_input: true, or give it a chat_history input)`);
  const output = chat.output ?? (flow.outputs.length === 0 && flow.kind !== "dag" ? "output" : undefined);
  if (!output) throw new UserError(`${flow.file}: a chat flow needs one output marked is_chat_output: true`);
  return { ...chat, output };
}

export class ChatSession {
  private readonly turns: { question: string; answer: unknown }[] = [];

  constructor(
    private readonly flow: FlowInterface,
    private readonly roles: ChatRoles & { output: string },
    private readonly extraInputs: Record<string, unknown> = {},
  ) {}

  /** The next turn's inputs: the question, the history so far, and any fixed inputs. */
  inputsFor(question: string): Record<string, unknown> {
    const inputs: Record<string, unknown> = { ...this.extraInputs, [this.roles.input]: question };
    if (this.roles.history) inputs[this.roles.history] = this.history();
    return inputs;
  }

  /** The answer of a completed turn (its chat output), recorded into the history. */
  record(question: string, outputs: Record<string, unknown>): unknown {
    const answer = outputs[this.roles.output];
    this.turns.push({ question, answer });
    return answer;
  }

  history(): unknown[] {
    if (this.flow.kind === "dag") {
      return this.turns.map((turn) => ({ inputs: { [this.roles.input]: turn.question }, outputs: { [this.roles.output]: turn.answer } }));
    }
    return this.turns.flatMap((turn) => [
      { role: "user", content: turn.question },
      { role: "assistant", content: typeof turn.answer === "string" ? turn.answer : JSON.stringify(turn.answer) },
    ]);
  }
}
