/**
 * Canonical JSON for content hashing: object keys sorted, `undefined` members dropped, no
 * whitespace. Two payloads that mean the same data hash the same whatever order their keys
 * were built in or however the bundle file was re-indented.
 */
import { createHash } from "node:crypto";

function sortedReplacer(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) Object.defineProperty(sorted, key, { value: member, enumerable: true, writable: true, configurable: true });
  }
  return sorted;
}

/** The canonical text of a JSON value. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, sortedReplacer);
}

/** `sha256:<hex>` of a text's UTF-8 bytes. */
export function sha256Of(text: string): string {
  return `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`;
}
