/** A generated ticket-like JSONL dataset, written streaming so generating it costs no memory either. */
import { once } from "node:events";
import { createWriteStream } from "node:fs";

const phrases = ["my invoice is wrong", "cannot log in since yesterday", "the app crashes on start", "please cancel my plan", "where is my order"];

export async function writeDataset(path: string, rows: number): Promise<void> {
  const stream = createWriteStream(path);
  for (let i = 0; i < rows; i++) {
    const line = JSON.stringify({ id: i, text: `Ticket ${i}: ${phrases[i % phrases.length]}`, tier: i % 10 === 0 ? "gold" : "standard" });
    if (!stream.write(`${line}\n`)) await once(stream, "drain");
  }
  stream.end();
  await once(stream, "close");
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

export function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** CPU time (user + system) this process spent since `since`, per row: a figure the machine's load barely moves. */
export function cpuMsPerRow(since: NodeJS.CpuUsage, rows: number): string {
  const used = process.cpuUsage(since);
  return ((used.user + used.system) / 1000 / rows).toFixed(3);
}
