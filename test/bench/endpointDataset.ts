/**
 * The endpoint benchmark's workload: support tickets with their true category, written once as our JSONL dataset
 * and once as promptfoo tests (same rows, same expected values), so both tools score exactly the same thing.
 * The endpoint's keyword classifier gets two of the eight ticket kinds wrong on purpose: a pass count below the
 * row count that both tools must agree on is a better cross-check than "everything passed".
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";

interface TicketCase {
  text: string;
  /** The true category, what an evaluator compares the endpoint's `category` with. */
  category: string;
}

const ticketCases: readonly TicketCase[] = [
  { text: "my invoice shows a double charge", category: "billing" },
  { text: "I cannot log in since the password reset", category: "account" },
  // "crashes" slips past the classifier's \bcrash\b: it answers "other".
  { text: "the app crashes on start after the update", category: "technical" },
  { text: "where is my parcel, tracking shows nothing", category: "shipping" },
  { text: "the dashboard is down for everyone", category: "outage" },
  // "refund" wins over "package": the classifier answers "billing".
  { text: "please refund the package that never arrived", category: "shipping" },
  { text: "how do I export my data", category: "other" },
  { text: "the API returns an error on every sync", category: "technical" },
];

/** Rows the endpoint classifies correctly among the first `rows` (6 of every 8). */
export function expectedPasses(rows: number): number {
  const wrongPerCycle = 2;
  const full = Math.floor(rows / ticketCases.length) * (ticketCases.length - wrongPerCycle);
  const rest = rows % ticketCases.length;
  // Within a cycle the misses are at positions 2 and 5.
  return full + rest - (rest > 2 ? 1 : 0) - (rest > 5 ? 1 : 0);
}

export interface TicketRow {
  id: number;
  ticket_text: string;
  expected_category: string;
}

export function ticketRow(index: number): TicketRow {
  const ticket = ticketCases[index % ticketCases.length];
  // "T502", not "502": a bare 502 or 503 would read as an outage to the endpoint's keyword classifier.
  return { id: index, ticket_text: `Ticket T${index}: ${ticket.text}`, expected_category: ticket.category };
}

/** One line of promptfoo's tests JSONL: the flow input as a var, the ground truth as an `equals` assertion. */
export function promptfooTestLine(row: TicketRow): string {
  return JSON.stringify({ vars: { ticket_text: row.ticket_text }, assert: [{ type: "equals", value: row.expected_category }] });
}

/** Writes `rows` lines streaming, so a large dataset costs no memory to generate. */
export async function writeJsonl(path: string, rows: number, lineOf: (index: number) => string): Promise<void> {
  const stream = createWriteStream(path);
  for (let i = 0; i < rows; i++) {
    if (!stream.write(`${lineOf(i)}\n`)) await once(stream, "drain");
  }
  stream.end();
  await once(stream, "close");
}
