/**
 * Binding listeners with errors as diagnostics, and reporting where they ended up.
 */
import type { Server } from "node:net";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { listenFailed } from "../diagnostics.ts";

/** Where a listener is bound. */
export interface BoundAddress {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`, `https://host:port` or `tcp://host:port`, IPv6 bracketed. */
  readonly url: string;
}

/** Binds a server; resolves with its address or an RP6010 diagnostic. */
export function listen(
  server: Server,
  name: string,
  scheme: "http" | "https" | "tcp",
  address: { host: string; port: number },
): Promise<BoundAddress | Diagnostic> {
  return new Promise((resolvePromise) => {
    const onError = (error: Error): void => {
      resolvePromise(
        listenFailed(
          name,
          `${address.host}:${address.port}`,
          (error as { code?: string }).code ?? error.message,
        ),
      );
    };
    server.once("error", onError);
    server.listen(address.port, address.host, () => {
      server.off("error", onError);
      const bound = server.address();
      const port = typeof bound === "object" && bound !== null ? bound.port : address.port;
      const host = address.host.includes(":") ? `[${address.host}]` : address.host;
      resolvePromise({ host: address.host, port, url: `${scheme}://${host}:${port}` });
    });
  });
}
