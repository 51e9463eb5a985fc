/**
 * The Rampart side of the nginx tests: one `rampart serve` with its forward-auth listener and
 * its HTTP listener (for /.well-known/rstream/*) over the forward-auth fixture policy, with
 * nginx (loopback) as trusted proxy.
 */
import { startForwardAuthServer } from "../runtime/forward-auth-fixture.ts";

/** Rampart as the nginx example expects it. */
export interface RampartForNginx {
  readonly forwardAuthPort: number;
  readonly servePort: number;
  close(): Promise<void>;
}

/** Starts Rampart with `upstream` as every tunnel's upstream. */
export async function startRampartForNginx(upstream: string): Promise<RampartForNginx> {
  const server = await startForwardAuthServer(["127.0.0.1"], upstream);
  return { forwardAuthPort: server.port, servePort: server.servePort, close: () => server.close() };
}
