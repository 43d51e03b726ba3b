/**
 * Streaming a DAG flow's answer, as prompt flow's executor decides it (`enable_streaming_for_llm_flow`): only an
 * LLM node whose output is a flow output directly (the chat output in a chat flow), and that nothing else reads
 * (no other node, no other output), streams; every other node still hands its whole output on. Prompt flow's serving then sends the flow's
 * other outputs first and the answer's pieces after them: the pieces are held here until every other node has
 * settled and the model has sent text, so the first event can carry the other outputs.
 */
import { referencedNodes } from "./dagState";
import { packageToolOf } from "./packageTools";
import type { Flow } from "./types";

/**
 * The node whose answer streams and the output it feeds: the chat output when the flow has one, else its only
 * output fed that way (prompt flow streams every such output and refuses a response with two); undefined when
 * the answer cannot stream.
 */
export function streamedAnswerNode(flow: Flow): { node: string; output: string } | undefined {
  const outputs = Object.values(flow.outputs);
  const streamable = outputs.filter((output) => {
    if (output.source.kind !== "node" || output.source.path.length > 0) return false;
    const name = output.source.node;
    const node = flow.nodes.find((candidate) => candidate.name === name);
    if (!node || node.aggregation) return false;
    const tool = node.source.type === "package" ? packageToolOf(node.source.tool) : undefined;
    if (!(tool ? tool.kind === "llm" : node.type === "llm")) return false;
    if (flow.nodes.some((other) => referencedNodes(other).includes(name))) return false;
    return !outputs.some((other) => other !== output && other.source.kind === "node" && other.source.node === name);
  });
  const chat = outputs.find((output) => output.isChatOutput);
  const chosen = chat ? streamable.find((output) => output === chat) : streamable.length === 1 ? streamable[0] : undefined;
  return chosen?.source.kind === "node" ? { node: chosen.source.node, output: chosen.name } : undefined;
}

/** Pieces of the answer, held until `othersReady` says the rest of the line is known, then passed on as they come. */
export class AnswerStream {
  private held: string[] | undefined = [];
  private others: (() => Record<string, unknown> | undefined) | undefined;

  constructor(
    private readonly output: string,
    private readonly onChunk: (chunk: string) => void,
    private readonly onStart: ((otherOutputs: Record<string, unknown>, field: string) => void) | undefined,
  ) {}

  text(piece: string): void {
    if (this.held === undefined) this.onChunk(piece);
    else {
      this.held.push(piece);
      this.release();
    }
  }

  /** Every other node has settled: `outputs` reads the other outputs (undefined when one cannot be read). */
  othersReady(outputs: () => Record<string, unknown> | undefined): void {
    this.others = outputs;
    this.release();
  }

  private release(): void {
    if (this.held === undefined || this.held.length === 0 || this.others === undefined) return;
    const others = this.others();
    // An output that cannot be read fails the line when it ends; nothing is sent before that.
    if (others === undefined) {
      this.others = () => undefined;
      return;
    }
    this.onStart?.(others, this.output);
    const held = this.held;
    this.held = undefined;
    for (const piece of held) this.onChunk(piece);
  }
}
