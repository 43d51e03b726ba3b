/** A duration as a person scans it: "12 ms", "1.2 s", "40 s", "1m 05s", "1h 02m". */
export function formatDuration(ms: number): string {
  const value = Math.max(0, ms);
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 59_950) return `${Number((value / 1000).toFixed(1))} s`;
  const totalSeconds = Math.round(value / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, "0")}s`;
  const totalMinutes = Math.round(value / 60_000);
  return `${Math.floor(totalMinutes / 60)}h ${String(totalMinutes % 60).padStart(2, "0")}m`;
}
