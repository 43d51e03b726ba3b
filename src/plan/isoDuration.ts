/** ISO 8601 durations as ARM wants them: 180 s → "PT3M", 90 s → "PT1M30S", 1.5 s → "PT1.5S", 0 → "PT0S". */
export function isoDurationFromMilliseconds(milliseconds: number): string {
  if (!Number.isFinite(milliseconds) || milliseconds < 0) throw new RangeError(`not a duration: ${milliseconds}`);
  const totalMs = Math.round(milliseconds);
  const hours = Math.floor(totalMs / 3_600_000);
  const minutes = Math.floor((totalMs % 3_600_000) / 60_000);
  const secondsMs = totalMs % 60_000;
  let text = "PT";
  if (hours > 0) text += `${hours}H`;
  if (minutes > 0) text += `${minutes}M`;
  if (secondsMs > 0) text += `${Number((secondsMs / 1000).toFixed(3))}S`;
  return text === "PT" ? "PT0S" : text;
}

export function isoDurationFromSeconds(seconds: number): string {
  return isoDurationFromMilliseconds(seconds * 1000);
}
