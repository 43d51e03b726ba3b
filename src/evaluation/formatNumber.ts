/** Numbers as reports print them: integers as is, others with 6 significant digits (0.8333333 -> 0.833333). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

/** A signed delta for comparison tables: "+0.05", "-12", "0". */
export function formatDelta(value: number): string {
  return value > 0 ? `+${formatNumber(value)}` : formatNumber(value);
}
