/** The text of a progress report: pure, so the bar and the CI line are tested without a terminal. */
import { escapeControlCharacters } from "../../core/controlCharacters";
import { formatDuration } from "../../core/formatDuration";

export interface ProgressState {
  label: string;
  /** Lines finished in this session. */
  done: number;
  failed: number;
  /** All lines of the dataset, when known. */
  total?: number;
  /** Lines a resume skipped (already completed before). */
  skipped: number;
  elapsedMs: number;
  /** Azure ML runs: instances working now, of those started. */
  instances?: { busy: number; started: number };
}

function rateOf(state: ProgressState): number {
  return state.elapsedMs > 0 ? (state.done * 1000) / state.elapsedMs : 0;
}

function counts(state: ProgressState): string {
  const finished = state.done + state.skipped;
  if (state.total === undefined) return `${finished} lines`;
  const percent = state.total > 0 ? Math.floor((100 * finished) / state.total) : 100;
  return `${finished}/${state.total} lines (${percent}%)`;
}

function eta(state: ProgressState): string | undefined {
  const rate = rateOf(state);
  if (state.total === undefined || rate <= 0) return undefined;
  const remaining = Math.max(0, state.total - state.skipped - state.done);
  // Whole seconds: an estimate, not a measurement.
  return `ETA ${formatDuration(Math.round(remaining / rate) * 1000)}`;
}

/** One plain line for CI logs. */
export function formatProgressLine(state: ProgressState): string {
  const parts = [`${escapeControlCharacters(state.label)}: ${counts(state)}`, `${rateOf(state).toFixed(1)} lines/s`, `${state.failed} failed`];
  const remaining = eta(state);
  if (remaining) parts.push(remaining);
  if (state.skipped > 0) parts.push(`${state.skipped} already done`);
  if (state.instances) parts.push(`${state.instances.busy}/${state.instances.started} instances busy`);
  return parts.join(", ");
}

/** A single-line bar for terminals, cut to `width` columns. */
export function formatProgressBar(state: ProgressState, width: number): string {
  const barWidth = 24;
  const finished = state.done + state.skipped;
  const fraction = state.total ? Math.min(1, finished / state.total) : 0;
  const filled = Math.round(fraction * barWidth);
  const bar = state.total === undefined ? "" : `[${"#".repeat(filled)}${".".repeat(barWidth - filled)}] `;
  const busy = state.instances ? `${state.instances.busy}/${state.instances.started} busy` : undefined;
  const tail = [`${rateOf(state).toFixed(1)}/s`, eta(state), state.failed > 0 ? `${state.failed} failed` : undefined, busy].filter(Boolean).join(" ");
  const text = `${escapeControlCharacters(state.label)} ${bar}${counts(state)} ${tail}`;
  return text.length > width ? text.slice(0, Math.max(0, width - 1)) : text;
}
