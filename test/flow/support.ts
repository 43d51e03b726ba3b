import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Connection, LlmInvoker, LlmRequest, LlmResult } from "../../src/llm/types";

/** Writes a flow folder (file path → content) into a fresh temp dir; removed by `cleanupFlowDirs`. */
const created: string[] = [];

export function writeFlowDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flow-test-"));
  created.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return dir;
}

export function cleanupFlowDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export const AOAI: Connection = {
  type: "azure_open_ai",
  name: "aoai",
  apiBase: "http://127.0.0.1:9",
  apiVersion: "2024-06-01",
  authMode: "key",
  apiKey: "test-key-not-secret",
};

/**
 * An LlmInvoker that records requests and a start/finish event log. `answer` decides the text; `gate`, when set,
 * holds every call until released, so tests can observe which calls were in flight together.
 */
export class FakeLlm implements LlmInvoker {
  readonly requests: LlmRequest[] = [];
  readonly events: string[] = [];
  private gateOpen: Promise<void> | undefined;
  private releaseGate: (() => void) | undefined;
  private waiting = 0;
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(private readonly answer: (request: LlmRequest) => string = () => "ok") {}

  /** Calls block until `release()`. */
  hold(): void {
    this.gateOpen = new Promise((resolve) => {
      this.releaseGate = resolve;
    });
  }

  release(): void {
    this.releaseGate?.();
    this.gateOpen = undefined;
  }

  /** Resolves once `count` calls are blocked at the gate. */
  whenWaiting(count: number): Promise<void> {
    if (this.waiting >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  async invoke(request: LlmRequest): Promise<LlmResult> {
    this.requests.push(request);
    const label = request.api === "chat" ? request.messages.map((m) => m.content).join("|") : request.api === "completion" ? request.prompt : request.input;
    this.events.push(`start:${label}`);
    if (this.gateOpen) {
      this.waiting += 1;
      for (const w of this.waiters.filter((x) => x.count <= this.waiting)) w.resolve();
      await this.gateOpen;
      this.waiting -= 1;
    }
    this.events.push(`finish:${label}`);
    return { text: this.answer(request), usage: { promptTokens: 10, completionTokens: 2, totalTokens: 12 } };
  }
}

export function lineContext(lineNumber = 0): { lineNumber: number; signal: AbortSignal } {
  return { lineNumber, signal: new AbortController().signal };
}
