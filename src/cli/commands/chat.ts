/**
 * `llmops chat --flow <dir>`: an interactive conversation with a chat flow in the terminal (like
 * `pf flow test --interactive`). Each question runs one line with the history so far; the answer prints as the
 * model produces it (a DAG chat flow's LLM answer, a flex generator's chunks); a failed turn is reported and left out of the history; Ctrl-D (end of input) ends the session.
 */
import * as readline from "node:readline";
import { loadConnectionsFile } from "../../config/experiment/connectionsFile";
import { ChatSession, chatRolesOf } from "../../flow/chatSession";
import { openFlow } from "../../flow/openFlow";
import { createLlmInvoker } from "../../llm";
import { parseCommandOptions } from "../commandOptions";
import type { Command } from "../command";
import { parseInitArgument } from "./run";

const usage = `usage: llmops chat --flow <dir|file.prompty> [--connections <file>] [--init <json|file>] [--variant <node.variant>]

Chats with a chat flow in the terminal: type a question, read the answer; the conversation is the flow's chat
history. Ctrl-D ends the session.

options:
  --flow <path>             chat flow folder (flow.dag.yaml with is_chat_input, flow.flex.yaml) or .prompty file
  --connections <file>      YAML/JSON list of connections (or an experiment.yaml); secrets as \${ENV_VAR} references
  --init <json|file>        flex flows: init arguments over init.json and the yaml's defaults
  --variant <node.variant>  DAG flows: the variant to chat with (default: each node's default variant)`;

export const chatCommand: Command = {
  summary: "chat with a chat flow in the terminal (history kept, Ctrl-D ends)",
  usage,
  async run(args) {
    const options = parseCommandOptions(args, { flow: { type: "string" }, connections: { type: "string" }, init: { type: "string" }, variant: { type: "string" } }, usage);
    const target = options.text("flow") ?? options.fail("--flow is required");
    const connectionsFile = options.text("connections");
    const init = options.text("init");
    const variant = options.text("variant");
    const flow = await openFlow(target, {
      connections: connectionsFile ? loadConnectionsFile(connectionsFile, process.env) : {},
      llm: createLlmInvoker(),
      environment: process.env,
      ...(init !== undefined ? { init: parseInitArgument(init) } : {}),
      ...(variant !== undefined ? { variant } : {}),
    });
    try {
      const session = new ChatSession(flow.interface, chatRolesOf(flow.interface));
      const interactive = process.stdin.isTTY === true;
      const lines = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: interactive, prompt: "User: " });
      const stop = new AbortController();
      lines.on("SIGINT", () => {
        stop.abort();
        lines.close();
      });
      if (interactive) console.log(`Chatting with ${flow.interface.file}; Ctrl-D ends.`);
      lines.prompt();
      let turn = 0;
      for await (const raw of lines) {
        const question = raw.trim();
        if (question !== "") {
          let streamed = false;
          const outcome = await flow.runLine(session.inputsFor(question), {
            lineNumber: turn++,
            signal: stop.signal,
            onChunk: (chunk) => {
              if (!streamed) process.stdout.write("Bot: ");
              streamed = true;
              process.stdout.write(chunk);
            },
          });
          if (outcome.status === "Completed") {
            const answer = session.record(question, outcome.outputs);
            if (streamed) process.stdout.write("\n");
            else console.log(`Bot: ${typeof answer === "string" ? answer : JSON.stringify(answer)}`);
          } else {
            // An answer cut off mid-stream keeps its line; the error goes below it.
            if (streamed) process.stdout.write("\n");
            console.error(`llmops chat: the turn failed (${outcome.error?.type}): ${outcome.error?.message}`);
          }
        }
        lines.prompt();
      }
      if (!interactive) process.stdout.write("\n");
      return stop.signal.aborted ? 130 : 0;
    } finally {
      await flow.close();
    }
  },
};
