/** Reading a revocation published on the store's channel; anything else is ignored (null). */
import type { Revocation } from "./store.ts";

const MAX_ID = 512;

export function parseRevocation(message: string): Revocation | null {
  let v: unknown;
  try {
    v = JSON.parse(message);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null) return null;
  const r = v as Record<string, unknown>;
  const id = r["id"];
  if (typeof id !== "string" || id.length === 0 || id.length > MAX_ID) return null;
  if ((r["kind"] === "session" || r["kind"] === "token") && isTime(r["until"]))
    return { kind: r["kind"], id, until: r["until"] };
  if (r["kind"] === "credential" && isTime(r["before"]))
    return { kind: "credential", id, before: r["before"] };
  return null;
}

function isTime(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0;
}
