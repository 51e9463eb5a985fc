/**
 * Read buffers kept between relay connections. A pooled-read relay holds its buffers for the
 * connection's life; allocating them anew per connection (64 KB for a raw socket) halved `tcp`
 * new connections/s (BENCHMARKS.md, eighth session). A buffer comes back here only once nothing
 * can still read or write it (the socket closed, no write still holding it), and every read
 * hands on only the bytes it wrote, so nothing of one connection reaches another.
 */

/** Kept per size at most: 64 × 64 KB = 4 MB held when idle. */
const KEPT_PER_SIZE = 64;

const spares = new Map<number, Buffer[]>();

/** A buffer of `bytes`: a kept one when there is one, else a new one. */
export function takeSpare(bytes: number): Buffer {
  return spares.get(bytes)?.pop() ?? Buffer.allocUnsafeSlow(bytes);
}

/** Keeps `buffer` for a later connection (dropped past the bound). */
export function keepSpare(buffer: Buffer): void {
  let kept = spares.get(buffer.length);
  if (kept === undefined) spares.set(buffer.length, (kept = []));
  // Never the same buffer twice: two connections would then read into one.
  if (kept.length < KEPT_PER_SIZE && !kept.includes(buffer)) kept.push(buffer);
}

/** How many buffers of `bytes` are kept now (for tests). */
export function keptSpares(bytes: number): number {
  return spares.get(bytes)?.length ?? 0;
}
