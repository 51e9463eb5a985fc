/**
 * Forwards a relay client's bytes through a few reused buffers instead of a new buffer per
 * read. Why: Node hands every read (a decrypted TLS record of up to 16 KB, or a raw socket read
 * of up to 64 KB) to JavaScript in a fresh external buffer; at relay speed those drive V8 into
 * a full mark-compact every ~50 MB, and in a process holding the runtime's heap each of those
 * costs several times what it costs a bare relay — the largest part of the `tls` relay's gap
 * to Node's own pipe (BENCHMARKS.md, issue #14, h14-tls). Node offers this read mode as
 * `net.Socket`'s `onread` option, which a TLS socket built around an accepted connection
 * ignores and an accepted raw socket cannot be given; `readIntoPool` sets the three fields
 * that option sets and hands the handle its first buffer, as the option does. On a Node
 * without those fields it changes nothing and returns false; the caller then pipes as before.
 */
import type { Socket } from "node:net";
import { keepSpare, takeSpare } from "./spare-buffers.ts";

/** Buffer size for a terminated TLS socket: one record's plaintext, what each read yields. */
export const TLS_READ_BYTES = 16 * 1024;
/** Buffer size for a raw TCP socket: a socket read's own size, so reads stay as large. */
export const TCP_READ_BYTES = 64 * 1024;

/** Takes one chunk (valid until `release`); false asks for no more reads until `resume()`. */
export type PooledChunkHandler = (chunk: Buffer, release: () => void) => boolean;

interface OnreadFields {
  readonly buffer: symbol;
  readonly callback: symbol;
  readonly generator: symbol;
  readonly handle: { useUserBuffer(buffer: Buffer): void };
}

/** The `onread` option's three symbol keys, as every `net.Socket` of this process has them. */
interface OnreadSymbols {
  readonly buffer: symbol;
  readonly callback: symbol;
  readonly generator: symbol;
}

/**
 * The keys found on the first socket that had them. They are module-level symbols of Node's
 * `net`, the same on every socket, so each relayed connection need not list its own symbols
 * and scan them by description (issue #20). Never cached as absent: a socket without them is
 * scanned again.
 */
let knownSymbols: OnreadSymbols | null = null;

function onreadSymbols(socket: Socket): OnreadSymbols | null {
  if (knownSymbols !== null) return knownSymbols;
  const symbols = Object.getOwnPropertySymbols(socket);
  const named = (description: string): symbol | undefined =>
    symbols.find((s) => s.description === description);
  const buffer = named("kBuffer");
  const callback = named("kBufferCb");
  const generator = named("kBufferGen");
  if (buffer === undefined || callback === undefined || generator === undefined) return null;
  knownSymbols = { buffer, callback, generator };
  return knownSymbols;
}

/** The `onread` option's fields on `socket`, or null when this Node has none of its kind. */
function onreadFields(socket: Socket): OnreadFields | null {
  const symbols = onreadSymbols(socket);
  if (symbols === null || !(symbols.buffer in socket)) return null;
  // SAFETY: `_handle` is the socket's native stream; only its presence and one method are used.
  const handle = (socket as unknown as { _handle?: { useUserBuffer?: unknown } | null })._handle;
  if (handle === null || handle === undefined || typeof handle.useUserBuffer !== "function") {
    return null;
  }
  // SAFETY: checked just above that `useUserBuffer` is a function on this handle.
  return { ...symbols, handle: handle as OnreadFields["handle"] };
}

/**
 * Switches `socket`'s reads to pooled buffers; `onChunk` receives every later read. Bytes the
 * socket had already buffered stay in its readable buffer (`read()` returns them). Returns
 * false, changing nothing, when this Node does not offer the read mode.
 */
export function readIntoPool(
  socket: Socket,
  onChunk: PooledChunkHandler,
  bufferBytes: number = TLS_READ_BYTES,
): boolean {
  const fields = onreadFields(socket);
  if (fields === null) return false;
  const free: Buffer[] = [];
  // Handed to the consumer and not given back yet: never reused, never kept as a spare.
  const lent = new Set<Buffer>();
  let closed = false;
  const take = (): Buffer => free.pop() ?? takeSpare(bufferBytes);
  // A chunk's buffer comes back once its consumer is done with it; after the close it goes to
  // the spares for the next connection (spare-buffers.ts).
  const giveBack = (buffer: Buffer): void => {
    lent.delete(buffer);
    if (closed) keepSpare(buffer);
    else free.push(buffer);
  };
  const first = take();
  // SAFETY: the fields are the socket's own, found above; the values have the types the
  // `onread` option gives them (a buffer, a buffer factory, a callback).
  const target = socket as unknown as Record<symbol, unknown>;
  target[fields.buffer] = first;
  target[fields.generator] = take;
  target[fields.callback] = (bytes: number, buffer: Buffer): boolean => {
    lent.add(buffer);
    return onChunk(buffer.subarray(0, bytes), () => giveBack(buffer));
  };
  fields.handle.useUserBuffer(first);
  socket.once("close", () => {
    closed = true;
    const back = new Set(free);
    free.length = 0;
    // The buffer the handle would have read into next (the handle is closed: it reads nothing
    // more); kept only if no consumer still holds it.
    const unread = target[fields.buffer];
    if (Buffer.isBuffer(unread) && unread.length === bufferBytes && !lent.has(unread)) {
      back.add(unread);
    }
    for (const buffer of back) keepSpare(buffer);
  });
  return true;
}

/**
 * Forwards `client` to `server` with pooled reads, backpressure and the half-close, as
 * `client.pipe(server)` would. False (nothing changed) when pooled reads are unavailable.
 */
export function forwardPooled(client: Socket, server: Socket, bufferBytes: number): boolean {
  const write: PooledChunkHandler = (chunk, release) => server.write(chunk, release);
  const engaged = readIntoPool(client, write, bufferBytes);
  if (!engaged) return false;
  server.on("drain", () => client.resume());
  // What arrived before the switch (e.g. with the client's Finished) goes first, in order:
  // later reads reach the pool callback from the event loop, after this loop.
  for (let chunk: unknown = client.read(); chunk !== null; chunk = client.read()) {
    // SAFETY: a socket without an encoding or object mode reads Buffers.
    server.write(chunk as Buffer);
  }
  // A client's FIN (or close_notify) ends only its direction, as `pipe` passes it on; it
  // may have come before the switch (a passthrough client that sent its hello and ended).
  if (client.readableEnded) server.end();
  else client.once("end", () => server.end());
  return true;
}
