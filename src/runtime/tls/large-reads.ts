/**
 * Read size of a terminated stream after a peeked ClientHello. The listener hands OpenSSL the
 * hello it already read, and Node sizes the connection's input buffers from that first write:
 * a ~1.5 KB buffer that stays in the ring, so a long relay reads alternately 16 KB and 1.5 KB
 * (115 reads per MB against 25 for a socket Node accepted itself; BENCHMARKS.md, issue #14
 * h14-relay). A `newSession` listener makes Node start that ring at 16 KB (67 reads per MB).
 * 16 KB is the ceiling after a peek: Node sizes the ring's first buffer as the larger of its
 * start size (1 KB, or 16 KB with session callbacks) and the first write, and every later
 * buffer at 16 KB; only a connection whose first bytes come from a 64 KB socket read, which
 * the peek has already done, starts at 64 KB. No JavaScript option reaches those sizes.
 * It costs a little per handshake (Node parses the hello once more and serializes each new
 * session for the event), so only `tls` stream tunnels, which carry bulk data, get it.
 * Resumption is unchanged: the listener stores nothing, Node keeps no session cache of its
 * own and no `resumeSession` listener is installed, so tickets work as configured and
 * session IDs never resume.
 */
import type { Server as TlsServer } from "node:tls";

/** Makes `terminator`'s connections read in 16 KB pieces from their first byte on. */
export function preferLargeReads(terminator: TlsServer): void {
  terminator.on("newSession", keepNoSession);
}

function keepNoSession(_id: Buffer, _session: Buffer, done: () => void): void {
  done();
}
