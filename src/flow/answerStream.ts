/**
 * Streaming a DAG chat flow's answer, as prompt flow's executor decides it (`enable_streaming_for_llm_flow`): only
 * an LLM node whose output is the chat output directly, and that nothing else reads (no other node, no other
 * output), streams; every other node still hands its whole output on. Prompt flow's serving then sends the flow's
 * other outputs first and the answer's pieces after them: the pieces are held here until every other node has
 * settled and the model has sent text, so the first event can carry the other outputs.
 */
import { referencedNodes } from "./dagState";
import { packageToolOf } from "./packageTools";
import type { Flow } from "./types";

/** The node whose answer streams and the output it feeds; undefined when the flow's chat answer cannot stream. */
export function streamedAnswerNode(flow: Flow): { node: string; output: string } | undefined {
  const output = Object.values(flow.outputs).find((candidate) => candidate.isChatOutput);
  if (!output || output.source.kind !== "node" || output.source.path.length > 0) return undefined;
  const name = output.source.node;
  const node = flow.nodes.find((candidate) => candidate.name === name);
  if (!node || node.aggregation) return undefined;
  const tool = node.source.type === "package" ? packageToolOf(node.source.tool) : undefined;
  const isLlm = tool ? tool.kind === "llm" : node.type === "llm";
  if (!isLlm) return undefined;
  if (flow.nodes.some((other) => referencedNodes(other).includes(name))) return undefined;
  if (Object.values(flow.outputs).some((other) => other !== output && other.source.kind === "node" && other.source.node === name)) return undefined;
  return { node: name, output: output.name };
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
