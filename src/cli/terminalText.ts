import { escapeControlCharactersKeepingLines } from "../core/controlCharacters";
import { redactSecrets } from "../core/redaction";

/**
 * Text about to reach the terminal or a CI log from files, datasets or servers: credential-shaped values redacted,
 * control and bidi characters shown escaped (line breaks kept for multi-line messages such as usage text).
 */
export function terminalText(text: string): string {
  return escapeControlCharactersKeepingLines(redactSecrets(text));
}
