/**
 * Reads a small `application/x-www-form-urlencoded` request body, bounded: the engine's own
 * forms carry a few kilobytes at most, and anything larger is refused unread.
 */
import type { IncomingMessage } from "node:http";

/** The parsed form, or why it was refused. */
export type FormRead =
  | { readonly ok: true; readonly form: URLSearchParams }
  | { readonly ok: false; readonly status: 413 | 415 | 400 };

/** Reads and parses the body; resolves once, never rejects. */
export function readForm(req: IncomingMessage, limitBytes: number): Promise<FormRead> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    req.resume();
    return Promise.resolve({ ok: false, status: 415 });
  }
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limitBytes) {
    req.resume();
    return Promise.resolve({ ok: false, status: 413 });
  }
  // A request without a body field has none: with `optimizeEmptyRequests` Node never emits
  // its `end`, so there is nothing to wait for.
  if (req.readableEnded) return Promise.resolve({ ok: true, form: new URLSearchParams() });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: FormRead): void => {
      if (done) return;
      done = true;
      resolve(result);
    };
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        // Stop buffering; the rest is drained and dropped.
        chunks.length = 0;
        finish({ ok: false, status: 413 });
        return;
      }
      if (!done) chunks.push(chunk);
    });
    req.on("end", () =>
      finish({ ok: true, form: new URLSearchParams(Buffer.concat(chunks).toString("utf8")) }),
    );
    req.on("error", () => finish({ ok: false, status: 400 }));
  });
}
