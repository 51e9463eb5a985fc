/**
 * A `tcp` tunnel's listener (S-P1): one port per `tcp` option. At accept the connection is
 * decided (trusted IPs, GeoIP) against the serving generation; a refused or unrouted
 * connection is closed before a byte is read, an admitted one is relayed to the upstream.
 */
import { createServer } from "node:net";
import type { Server, Socket } from "node:net";
import { admitConnection } from "./admit.ts";
import type { StreamDeps } from "./admit.ts";
import { TCP_READ_BYTES } from "./pooled-reads.ts";
import { relay } from "./relay.ts";
import type { RelayEnd } from "./relay.ts";
import type { ConnectionFacts } from "../../ir/facts.ts";
import { canonicalPeer } from "../http/client-ip.ts";

/** The facts of a connection that no tunnel decided (no country: none was needed). */
function unrouted(socket: Socket): ConnectionFacts {
  return { clientIp: canonicalPeer(socket.remoteAddress), country: null, clientCredential: null };
}

/** Creates the (not yet listening) server for the `tcp` option naming `tunnel`. */
export function createTcpListener(
  tunnel: string,
  deps: StreamDeps,
  track: (socket: Socket) => void,
): Server {
  return createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    track(socket);
    socket.on("error", () => socket.destroy());
    const route = deps.state().streams.byPortOption.get(tunnel);
    if (route === undefined) {
      deps.metrics.streamConnections.labels("tcp", "unrouted").inc();
      // Shadow rollout: the candidate may serve a tcp tunnel on this port.
      deps.shadow?.compareConnection("tcp", tunnel, null, unrouted(socket), null, null);
      socket.destroy();
      return;
    }
    const decision = admitConnection(route, socket.remoteAddress, null, deps, tunnel, null);
    if (decision === null || !decision.allow) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const onEnd = (end: RelayEnd): void => {
      if (end !== "closed") deps.log.warn({ tunnel: route.label, end }, "tcp relay ended");
    };
    relay(socket, route.upstream, null, deps.bounds, onEnd, TCP_READ_BYTES);
  });
}
