import type { ChatMessage, ChatRole } from "../llm/types";

/** A role line: the whole line is `role:` with optional `#` and spaces, any case. */
const ROLE_LINE = /^\s*#?\s*(system|user|assistant|function|tool)\s*:\s*$/i;
/** A role word that could become a role line once rendered. \u0002 itself is escaped so tokens are unambiguous. */
const ROLE_MARKER = /\u0002|\b(?:system|user|assistant|function|tool)(?=\s*:)/gi;
const TOKEN = /\u0002(\d+)\u0003/g;

export interface EscapedValues {
  values: Record<string, unknown>;
  /** Token number → original text. */
  originals: string[];
}

function escapeValue(value: unknown, originals: string[]): unknown {
  if (typeof value === "string") {
    return value.replace(ROLE_MARKER, (match) => {
      originals.push(match);
      return `\u0002${originals.length - 1}\u0003`;
    });
  }
  if (Array.isArray(value)) return value.map((item) => escapeValue(item, originals));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeValue(v, originals)]));
  }
  return value;
}

/**
 * Replaces role words in input values with opaque tokens before rendering, so a dataset row containing
 * `system:` on its own line cannot open a new message. Survives case filters because tokens are digits.
 */
export function escapeRoleMarkers(values: Record<string, unknown>): EscapedValues {
  const originals: string[] = [];
  const escaped = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, escapeValue(v, originals)]));
  return { values: escaped, originals };
}

export function unescapeRoleMarkers(text: string, originals: string[]): string {
  return text.replace(TOKEN, (token, index: string) => originals[Number(index)] ?? token);
}

export class ChatPromptError extends Error {
  override readonly name = "ChatPromptError";
}

/** Splits a rendered chat prompt into messages on role lines; content is trimmed and unescaped. */
export function parseChatPrompt(rendered: string, originals: string[] = []): ChatMessage[] {
  const messages: ChatMessage[] = [];
  let current: { role: ChatRole; lines: string[] } | undefined;
  const preamble: string[] = [];
  for (const line of rendered.split(/\r?\n/)) {
    const match = ROLE_LINE.exec(line);
    if (match) {
      if (current) messages.push({ role: current.role, content: current.lines.join("\n").trim() });
      current = { role: match[1].toLowerCase() as ChatRole, lines: [] };
    } else if (current) {
      current.lines.push(line);
    } else {
      preamble.push(line);
    }
  }
  const before = preamble.join("\n").trim();
  if (before.length > 0) {
    const excerpt = before.length > 60 ? `${before.slice(0, 60)}...` : before;
    throw new ChatPromptError(
      `chat prompt has text before the first role line ('system:', 'user:', ...): '${unescapeRoleMarkers(excerpt, originals)}'`,
    );
  }
  if (current) messages.push({ role: current.role, content: current.lines.join("\n").trim() });
  if (messages.length === 0) throw new ChatPromptError("chat prompt has no role line ('system:', 'user:', ...)");
  return messages.map((m) => ({ ...m, content: unescapeRoleMarkers(m.content, originals) }));
}
