/**
 * Read size of a terminated stream after a peeked ClientHello. The listener hands OpenSSL the
 * hello it already read, and Node sizes the connection's input buffers from that first write:
 * a ~1.5 KB buffer that stays in the ring, so a long relay reads alternately 16 KB and 1.5 KB
 * (115 reads per MB against 25 for a socket Node accepted itself; BENCHMARKS.md, issue #14
 * h14-relay). A `newSession` listener makes Node start that ring at 16 KB (67 reads per MB).
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
