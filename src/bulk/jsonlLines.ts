/**
 * Non-blank lines of a text file, read on demand: the file stream is only read when the consumer asks for the
 * next line, so memory stays constant for any file size. (readline's async iterator does not pause the file
 * stream on Node 20: it buffered a whole 84 MB file in a measurement, this reader stayed at 66 MB RSS.)
 */
import { createReadStream } from "node:fs";
import { StringDecoder } from "node:string_decoder";

export interface TextLine {
  /** 1-based line number in the file, for messages. */
  fileLine: number;
  text: string;
}

export async function* nonBlankLines(path: string): AsyncGenerator<TextLine> {
  const decoder = new StringDecoder("utf8");
  let carry = "";
  let fileLine = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
    const text = carry + decoder.write(chunk as Buffer);
    let start = 0;
    for (let end = text.indexOf("\n"); end >= 0; end = text.indexOf("\n", start)) {
      fileLine++;
      const line = text.slice(start, end).replace(/\r$/, "");
      if (line.trim() !== "") yield { fileLine, text: line };
      start = end + 1;
    }
    carry = text.slice(start);
  }
  carry += decoder.end();
  fileLine++;
  if (carry.trim() !== "") yield { fileLine, text: carry.replace(/\r$/, "") };
}

/** Counts non-blank lines with a byte scan (no decoding, no strings): cheap enough to run before a run. */
export async function countNonBlankLines(path: string): Promise<number> {
  let count = 0;
  let lineHasContent = false;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    const bytes = chunk as Buffer;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte === 0x0a) {
        if (lineHasContent) count++;
        lineHasContent = false;
      } else if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) {
        lineHasContent = true;
      }
    }
  }
  return lineHasContent ? count + 1 : count;
}
