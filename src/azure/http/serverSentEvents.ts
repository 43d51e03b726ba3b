/**
 * Server-sent events (the `text/event-stream` format of the HTML standard) read incrementally: text goes in as
 * it arrives, in pieces cut anywhere (mid-line, between `\r` and `\n`), and the `data` of each complete event
 * comes out. Only `data` matters to the streams this project reads (OpenAI-compatible chat completions): `event`,
 * `id` and `retry` fields and `:` comment lines (keep-alives) are skipped. Pure: tested without a network.
 */
export class ServerSentEventParser {
  private buffer = "";
  /** The data lines of the event being read; undefined before its first data line. */
  private data: string[] | undefined;
  /** The previous piece ended with `\r`: a `\n` starting the next one belongs to the same line end. */
  private pendingCarriageReturn = false;

  /** The data of every event the text completes. */
  push(text: string): string[] {
    let piece = text;
    if (this.pendingCarriageReturn && piece.startsWith("\n")) piece = piece.slice(1);
    this.pendingCarriageReturn = piece.endsWith("\r");
    this.buffer += piece;
    const events: string[] = [];
    let start = 0;
    for (;;) {
      const end = this.lineEnd(start);
      if (end === undefined) break;
      this.line(this.buffer.slice(start, end.at), events);
      start = end.next;
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  /** Characters held for an event not yet complete: what a server that never ends a line makes grow. */
  get pendingLength(): number {
    return this.buffer.length + (this.data?.reduce((sum, line) => sum + line.length + 1, 0) ?? 0);
  }

  /** The end of the text: an event whose blank line never came is still delivered (a server closing early). */
  end(): string[] {
    const events: string[] = [];
    if (this.buffer !== "") this.line(this.buffer, events);
    this.buffer = "";
    this.line("", events);
    return events;
  }

  private lineEnd(from: number): { at: number; next: number } | undefined {
    for (let index = from; index < this.buffer.length; index++) {
      const char = this.buffer.charCodeAt(index);
      if (char === 10) return { at: index, next: index + 1 };
      if (char === 13) {
        // `\r\n` is one line end; a `\r` at the very end waits for the next piece (push strips its `\n`).
        const next = this.buffer.charCodeAt(index + 1) === 10 ? index + 2 : index + 1;
        return { at: index, next };
      }
    }
    return undefined;
  }

  private line(line: string, events: string[]): void {
    if (line === "") {
      if (this.data !== undefined) events.push(this.data.join("\n"));
      this.data = undefined;
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    if (field !== "data") return;
    const value = colon < 0 ? "" : line.slice(line.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1);
    (this.data ??= []).push(value);
  }
}
