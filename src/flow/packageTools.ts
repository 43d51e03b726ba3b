/**
 * Prompt flow's package tools this engine runs natively (`source: {type: package, tool: ...}`): the LLM tool for
 * Azure OpenAI and OpenAI (chat and completion) and the embedding tool. Any other package tool is refused when
 * the flow loads, naming the tool and what to do, so a run never starts with a node it cannot execute.
 */
export type PackageTool = { kind: "llm"; api: "chat" | "completion" } | { kind: "embedding" };

const packageTools: Record<string, PackageTool> = {
  "promptflow.tools.aoai.AzureOpenAI.chat": { kind: "llm", api: "chat" },
  "promptflow.tools.aoai.AzureOpenAI.completion": { kind: "llm", api: "completion" },
  "promptflow.tools.aoai.chat": { kind: "llm", api: "chat" },
  "promptflow.tools.aoai.completion": { kind: "llm", api: "completion" },
  "promptflow.tools.openai.OpenAI.chat": { kind: "llm", api: "chat" },
  "promptflow.tools.openai.OpenAI.completion": { kind: "llm", api: "completion" },
  "promptflow.tools.openai.chat": { kind: "llm", api: "chat" },
  "promptflow.tools.openai.completion": { kind: "llm", api: "completion" },
  "promptflow.tools.embedding.embedding": { kind: "embedding" },
};

export function packageToolOf(tool: string): PackageTool | undefined {
  return Object.prototype.hasOwnProperty.call(packageTools, tool) ? packageTools[tool] : undefined;
}

/** What the refusal of an unsupported package tool tells the user. */
export const supportedPackageToolsText = `${Object.keys(packageTools).join(", ")}; for another tool, copy its code into the flow folder as a python node (source: {type: code, path: <file>.py})`;
