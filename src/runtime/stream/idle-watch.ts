/**
 * The idle bound of a stream relay without per-chunk work: a timer samples the byte counters
 * Node keeps on every socket anyway, several times per idle period, and reports the relay idle
 * once no byte has moved either way for a whole period. A socket timeout would do the same
 * but re-arms its timer on every read and write, which a bulk transfer pays per chunk.
 */
import type { Socket } from "node:net";

/** Samples per idle period: a silent relay is reported after 1 to 1¼ periods of silence. */
const SAMPLES_PER_PERIOD = 4;

/** Calls `onIdle` (repeatedly, until the caller clears the timer) once `sockets` are idle. */
export function watchIdle(
  sockets: readonly Socket[],
  idleMs: number,
  onIdle: () => void,
): NodeJS.Timeout {
  const step = Math.max(1, Math.ceil(idleMs / SAMPLES_PER_PERIOD));
  const moved = (): number => {
    let bytes = 0;
    for (const socket of sockets) bytes += socket.bytesRead + socket.bytesWritten;
    return bytes;
  };
  let last = moved();
  let quietMs = 0;
  const timer = setInterval(() => {
    const now = moved();
    if (now !== last) {
      last = now;
      quietMs = 0;
      return;
    }
    quietMs += step;
    if (quietMs >= idleMs) onIdle();
  }, step);
  // An idle watch never keeps the process alive on its own.
  timer.unref();
  return timer;
}
