import { createHash } from "node:crypto";

/** Hex sha256 of bytes or UTF-8 text: content identities (flow files, datasets, names derived from scopes). */
export function sha256Hex(content: Buffer | string): string {
  return createHash("sha256").update(content).digest("hex");
}
