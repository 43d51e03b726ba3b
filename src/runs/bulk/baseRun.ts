/**
 * The base run of an evaluation (`${run.outputs.x}`, `${run.inputs.x}`), joined by line number. Its
 * outputs.jsonl is line-ordered and dataset rows arrive in line order, so one forward cursor merges the two
 * streams without holding either in memory.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "../../core/userError";
import { readRecords } from "./recordsFile";
import type { LineRecord } from "./types";

export interface BaseRunCursor {
  /** The base record for `lineNumber`; calls must come in increasing line order. */
  recordFor(lineNumber: number): Promise<LineRecord | undefined>;
  close(): Promise<void>;
}

export async function openBaseRun(runDir: string): Promise<BaseRunCursor> {
  const path = join(runDir, "outputs.jsonl");
  const found = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!found) throw new UserError(`base run ${runDir}: no outputs.jsonl; finish that run first (resume it if it was stopped)`);
  const records = readRecords(path);
  let current: LineRecord | undefined;
  let done = false;
  return {
    async recordFor(lineNumber) {
      while (!done && (current === undefined || current.line_number < lineNumber)) {
        const next = await records.next();
        if (next.done) done = true;
        else current = next.value;
      }
      return current?.line_number === lineNumber ? current : undefined;
    },
    async close() {
      await records.return(undefined);
    },
  };
}
