import assert from "node:assert/strict";
import { ServerSentEventParser } from "../../../src/azure/http/serverSentEvents";

/** Feeds the pieces in order and returns every event's data, the end of the text included. */
function parse(...pieces: string[]): string[] {
  const parser = new ServerSentEventParser();
  return [...pieces.flatMap((piece) => parser.push(piece)), ...parser.end()];
}

describe("azure/http/serverSentEvents: reading text/event-stream incrementally", () => {
  it("delivers each event's data when its blank line arrives, not before", () => {
    const parser = new ServerSentEventParser();
    assert.deepEqual(parser.push('data: {"a":1}\n'), []);
    assert.deepEqual(parser.push("\n"), ['{"a":1}']);
    assert.deepEqual(parser.push("data: [DONE]\n\n"), ["[DONE]"]);
  });

  it("reads events whatever the pieces' boundaries: mid-field, mid-line, between \\r and \\n", () => {
    const text = 'data: {"x":"one"}\r\n\r\ndata: {"x":"two"}\r\n\r\n';
    const whole = parse(text);
    assert.deepEqual(whole, ['{"x":"one"}', '{"x":"two"}']);
    for (let cut = 1; cut < text.length; cut++) assert.deepEqual(parse(text.slice(0, cut), text.slice(cut)), whole, `cut at ${cut}`);
    assert.deepEqual(parse(...text.split("")), whole);
  });

  it("joins multi-line data with \\n and takes a lone \\r as a line end", () => {
    assert.deepEqual(parse("data: first\rdata: second\r\r"), ["first\nsecond"]);
  });

  it("skips comments (keep-alives), event/id/retry fields and events without data", () => {
    assert.deepEqual(parse(": keep-alive\n\nevent: ping\nid: 7\nretry: 100\n\nevent: message\ndata: hello\n\n"), ["hello"]);
  });

  it("strips one space after the colon only, and reads `data` without a colon as empty", () => {
    assert.deepEqual(parse("data:  two spaces\n\ndata:none\n\ndata\n\n"), [" two spaces", "none", ""]);
  });

  it("says how much it holds for an event not yet complete, so a reader can bound it", () => {
    const parser = new ServerSentEventParser();
    parser.push("data: abc\ndata: de");
    assert.equal(parser.pendingLength, "de".length + "abc".length + 1 + "data: ".length);
    parser.push("\n\n");
    assert.equal(parser.pendingLength, 0);
  });

  it("delivers a last event whose blank line never came when the text ends", () => {
    assert.deepEqual(parse('data: {"usage":1}'), ['{"usage":1}']);
    assert.deepEqual(parse(""), []);
  });
});
