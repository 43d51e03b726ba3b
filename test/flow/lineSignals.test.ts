import assert from "node:assert/strict";
import { createFlowExecutor } from "../../src/flow/executor";
import { loadFlow } from "../../src/flow/loadFlow";
import { AOAI, FakeLlm, cleanupFlowDirs, writeFlowDir } from "./support";

/** The internal set Node 20 grows when AbortSignal.any() depends on a signal (never pruned). */
function dependantSignals(signal: AbortSignal): number {
  const symbol = Object.getOwnPropertySymbols(signal).find((candidate) => candidate.description === "kDependantSignals");
  const set = symbol === undefined ? undefined : (signal as unknown as Record<symbol, Set<unknown> | undefined>)[symbol];
  return set?.size ?? 0;
}

describe("flow executor: the run's shared signal stays the same size whatever the number of lines", () => {
  after(cleanupFlowDirs);

  it("leaves no per-line reference or listener in the signal every line shares", async () => {
    const dir = writeFlowDir({
      "flow.dag.yaml": [
        "inputs:",
        "  text: {type: string}",
        "outputs:",
        "  answer: {type: string, reference: '${classify.output}'}",
        "nodes:",
        "- name: classify",
        "  type: llm",
        "  source: {type: code, path: classify.jinja2}",
        "  connection: aoai",
        "  api: chat",
        "  inputs:",
        "    deployment_name: gpt-4o-mini",
        "    text: ${inputs.text}",
        "",
      ].join("\n"),
      "classify.jinja2": "user:\n{{ text }}\n",
    });
    const executor = createFlowExecutor({ environment: process.env, flow: loadFlow(dir), connections: { aoai: AOAI }, llm: new FakeLlm(() => "billing") });
    const run = new AbortController();
    const listeners: string[] = [];
    const add = run.signal.addEventListener.bind(run.signal);
    const remove = run.signal.removeEventListener.bind(run.signal);
    run.signal.addEventListener = (...args: Parameters<typeof add>) => (listeners.push("add"), add(...args));
    run.signal.removeEventListener = (...args: Parameters<typeof remove>) => (listeners.push("remove"), remove(...args));
    for (let line = 0; line < 200; line++) {
      const outcome = await executor.runLine({ text: `ticket ${line}` }, { lineNumber: line, signal: run.signal });
      assert.equal(outcome.status, "Completed", JSON.stringify(outcome.error));
    }
    await executor.close?.();
    assert.equal(dependantSignals(run.signal), 0, "AbortSignal.any() references piled up in the shared signal");
    assert.equal(listeners.filter((event) => event === "add").length, listeners.filter((event) => event === "remove").length, "every listener a line adds is removed");
  });
});
