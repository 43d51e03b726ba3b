/**
 * Reading a 1-5 score and a reason out of an LLM judge's answer. Models answer in many shapes even when asked
 * for JSON: fenced JSON, JSON with prose around it, `Score: 4`, `4/5`, or just `4`. Anything else is unparseable.
 */

export type JudgeVerdict = { ok: true; score: number; reason: string } | { ok: false; error: string };

const maxReasonLength = 300;

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/gu, " ").trim();
  return oneLine.length <= maxReasonLength ? oneLine : `${oneLine.slice(0, maxReasonLength - 1)}…`;
}

function numberFrom(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

function fromJson(text: string): { score?: number; reason?: string } | undefined {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end <= start) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(start, end + 1));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  const score = numberFrom(record.score ?? record.rating);
  const reason = record.reason ?? record.explanation;
  return { score, reason: typeof reason === "string" ? reason : undefined };
}

function fromText(text: string): { score?: number; reason?: string } | undefined {
  const labelled = /\b(?:score|rating)\b[\s*_]*(?:is|[:=])?[\s*_]*(\d+(?:\.\d+)?)/iu.exec(text);
  if (labelled) {
    const after = text.slice(labelled.index + labelled[0].length).replace(/^\s*(?:\/\s*5|out of 5)?[\s.,;:-]*/iu, "");
    const reasonMatch = /\breason\b\s*[:=]\s*([\s\S]+)/iu.exec(text);
    return { score: Number(labelled[1]), reason: reasonMatch ? reasonMatch[1] : after };
  }
  const bare = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*5)?\s*(?:[\n.:-]\s*([\s\S]*))?$/u.exec(text);
  if (bare) return { score: Number(bare[1]), reason: bare[2] ?? "" };
  return undefined;
}

export function parseJudgeVerdict(answer: string): JudgeVerdict {
  const found = fromJson(answer) ?? fromText(answer);
  if (found === undefined || found.score === undefined || !Number.isFinite(found.score)) {
    return { ok: false, error: `unparseable judge answer: "${shorten(answer)}"` };
  }
  if (found.score < 1 || found.score > 5) {
    return { ok: false, error: `judge score ${found.score} is outside 1-5` };
  }
  return { ok: true, score: found.score, reason: shorten(found.reason ?? "") };
}
