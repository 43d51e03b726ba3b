/**
 * Progress of a bulk run on stderr. On a terminal: one line redrawn in place (at most 10 times a second). In CI
 * (the CI variable set) or when stderr is not a terminal: a plain line every `intervalMs`, since redraws turn
 * into thousands of lines in a log. The total comes from a cheap byte scan of the dataset before the run.
 */
import type { BulkProgress } from "../../runs/bulk/types";
import { systemClock, type Clock } from "../../core/clock";
import { formatProgressBar, formatProgressLine, type ProgressState } from "./formatProgress";

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressReporterOptions {
  label: string;
  /** Default process.stderr. */
  output?: ProgressOutput;
  /** Default: "bar" on a terminal outside CI, else "lines". */
  mode?: "bar" | "lines";
  /** Period of plain lines. Default 10 000 ms. */
  intervalMs?: number;
  env?: Record<string, string | undefined>;
  clock?: Pick<Clock, "now">;
}

const redrawMs = 100;

export function createProgressReporter(options: ProgressReporterOptions): BulkProgress {
  const output = options.output ?? process.stderr;
  const env = options.env ?? process.env;
  const inCi = env.CI !== undefined && env.CI !== "" && env.CI !== "false" && env.CI !== "0";
  const mode = options.mode ?? (output.isTTY && !inCi ? "bar" : "lines");
  const intervalMs = options.intervalMs ?? 10_000;
  const clock = options.clock ?? systemClock;
  let startedAt = 0;
  let lastShown = 0;
  let timer: NodeJS.Timeout | undefined;
  const state: ProgressState = { label: options.label, done: 0, failed: 0, skipped: 0, elapsedMs: 0 };

  const show = (final: boolean): void => {
    const now = clock.now();
    state.elapsedMs = now - startedAt;
    lastShown = now;
    if (mode === "bar") {
      output.write(`\r${formatProgressBar(state, (output.columns ?? 100) - 1)}\x1b[K${final ? "\n" : ""}`);
    } else {
      output.write(`${formatProgressLine(state)}\n`);
    }
  };
  const showIfDue = (): void => {
    if (clock.now() - lastShown >= (mode === "bar" ? redrawMs : intervalMs)) show(false);
  };

  return {
    start(total, alreadyDone) {
      startedAt = clock.now();
      state.total = total;
      state.skipped = alreadyDone;
      show(false);
      // Slow lines still get a periodic report; unref so the timer never keeps the process alive.
      timer = setInterval(showIfDue, mode === "bar" ? 1000 : intervalMs);
      timer.unref();
    },
    lineFinished(status) {
      state.done++;
      if (status === "Failed") state.failed++;
      showIfDue();
    },
    instances(busy, started) {
      state.instances = { busy, started };
      showIfDue();
    },
    finish() {
      if (timer) clearInterval(timer);
      show(true);
    },
  };
}
