/**
 * JSON Pointers (RFC 6901), the one way the project names a place in a policy document: spans,
 * diagnostics, comment anchors and lowering all key by them, so they live with the spans, in
 * the stage every other may import. Encoding and decoding are written here only; most keys
 * hold neither `~` nor `/`, so both leave such a token as it is (the formatter and lowering
 * build one per value of a large policy).
 */

/** Encodes one reference token (`~` → `~0`, `/` → `~1`). */
export function pointerToken(key: string | number): string {
  if (typeof key === "number") return String(key);
  if (key.indexOf("~") === -1 && key.indexOf("/") === -1) return key;
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** Joins a parent pointer and a key. */
export function childPointer(parent: string, key: string | number): string {
  return `${parent}/${pointerToken(key)}`;
}

/** Decodes one reference token (`~1` → `/`, then `~0` → `~`). */
export function decodePointerToken(token: string): string {
  return token.indexOf("~") === -1 ? token : token.replaceAll("~1", "/").replaceAll("~0", "~");
}

/** The decoded reference tokens of a pointer (none for the root, `""`). */
export function pointerTokens(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer.slice(1).split("/").map(decodePointerToken);
}
