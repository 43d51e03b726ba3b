/**
 * Scheduling the nodes of one line, as prompt flow's scheduler does over its DAG manager: start every ready node
 * up to the concurrency bound, settle bypassed ones at once, and stop starting nodes after the first failure or
 * an abort. Resolves when no node is running any more.
 */
import type { LineDagState } from "./dagState";
import type { FlowNode } from "./types";

export interface NodeSchedule {
  dag: LineDagState;
  concurrency: number;
  signal: AbortSignal;
  /** Runs a node; resolves whether it completed (a failure is recorded by the caller). */
  run(node: FlowNode): Promise<boolean>;
  /** A node the DAG bypassed. */
  bypassed(node: FlowNode): void;
  /** Deciding whether a node is bypassed failed (its activate condition read a missing key). */
  failed(node: FlowNode, err: unknown): void;
}

export function runSchedule(schedule: NodeSchedule): Promise<"done" | "stopped" | "aborted"> {
  let running = 0;
  let stopped = false;
  let aborted = false;
  return new Promise((resolve) => {
    const finish = (): void => resolve(aborted ? "aborted" : stopped ? "stopped" : "done");
    const step = (): void => {
      let progressed = true;
      while (progressed && !stopped && !aborted) {
        progressed = false;
        if (schedule.signal.aborted) {
          aborted = true;
          break;
        }
        for (const node of schedule.dag.ready()) {
          let bypass: boolean;
          try {
            bypass = schedule.dag.isBypassed(node);
          } catch (err) {
            schedule.failed(node, err);
            stopped = true;
            break;
          }
          if (bypass) {
            schedule.dag.take(node);
            schedule.dag.markBypassed(node);
            schedule.bypassed(node);
            progressed = true;
          } else if (running < schedule.concurrency) {
            schedule.dag.take(node);
            running += 1;
            void schedule.run(node).then((completed) => {
              running -= 1;
              if (!completed) stopped = true;
              step();
            });
          }
        }
      }
      if (running === 0) finish();
    };
    step();
  });
}
