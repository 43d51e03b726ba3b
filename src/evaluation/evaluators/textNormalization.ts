/**
 * Text normalisation shared by the string evaluators. Unicode is normalised to NFKC first so that visually equal
 * strings (full-width letters, composed vs decomposed accents) compare equal.
 */

export interface MatchNormalization {
  ignoreCase: boolean;
  ignoreWhitespace: boolean;
}

/** Case folding and whitespace collapsing as the exact-match and contains evaluators use them. */
export function normalizeForMatch(text: string, options: MatchNormalization): string {
  let result = text.normalize("NFKC");
  if (options.ignoreWhitespace) result = result.replace(/\s+/gu, " ").trim();
  if (options.ignoreCase) result = result.toLowerCase();
  return result;
}

const articles = new Set(["a", "an", "the"]);

/** Tokens of the normalised answer. Articles are dropped per token, since `\b` only knows ASCII word characters. */
export function answerTokens(text: string): string[] {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, " ")
    .split(/\s+/u)
    .filter((token) => token !== "" && !articles.has(token));
}

/**
 * Turns a mapped value into the text evaluators compare. Strings pass through, numbers and booleans print as
 * themselves, objects and arrays as compact JSON; null/undefined mean "absent" and return undefined.
 */
export function valueAsText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return JSON.stringify(value);
}
