/**
 * Ending a connection that carries no more HTTP: a refused or relayed upgrade, whose socket no
 * parser reads any more. Ending it is not enough: the client's own end is only seen by reading,
 * and a TLS socket left unread with bytes waiting (a client writing behind its handshake) never
 * sees it, so the connection stayed open, counted against the connection cap, until shutdown.
 * Like Node's `destroySoon`, the socket is destroyed once the last bytes are written.
 */
import type { Duplex } from "node:stream";

/** Writes `last` (if any), ends the socket, and destroys it once that is flushed. */
export function endConnection(socket: Duplex, last?: string): void {
  const destroy = (): void => void socket.destroy();
  if (last === undefined) socket.end(destroy);
  else socket.end(last, destroy);
}
