import { createHash } from "node:crypto";

/**
 * Namespace of every GUID this project derives (a fixed random UUID). Changing it would rename every role
 * assignment on the next `pulumi up`, so it never changes.
 */
const llmopsNamespace = "8c0f3b2e-6a1d-4d59-9f3e-2b7c5e1a4d60";

/**
 * A name-based UUID (RFC 4122 version 5: SHA-1 over namespace + name) from the given parts, like Bicep's
 * `guid(a, b, c)`: the same parts always give the same GUID, so re-running never creates a duplicate role
 * assignment. Parts are joined with a separator that cannot occur in ARM IDs or GUIDs, and compared
 * case-insensitively because ARM IDs are case-insensitive.
 */
export function deterministicGuid(...parts: string[]): string {
  const namespace = Buffer.from(llmopsNamespace.replace(/-/g, ""), "hex");
  const name = Buffer.from(parts.map((part) => part.toLowerCase()).join("\n"), "utf8");
  const bytes = createHash("sha1").update(namespace).update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
