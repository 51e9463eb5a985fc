/**
 * What the TLS listener asks the serving generation: the passthrough tunnel or the terminated
 * tunnel for a server name, and where an allowed connection goes — the HTTP/2 server when ALPN
 * chose `h2`, the HTTP/1.1 server otherwise, or a `tls` tunnel's relay after its connection
 * decision. Refusals are logged and counted here.
 */
import type { Server as HttpServer } from "node:http";
import type { Http2Server } from "node:http2";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { admitConnection } from "../stream/admit.ts";
import type { StreamDeps } from "../stream/admit.ts";
import { TCP_READ_BYTES, TLS_READ_BYTES } from "../stream/pooled-reads.ts";
import { relay } from "../stream/relay.ts";
import type { StreamRoute } from "../stream/routes.ts";
import { ACCESS_DENIED_ALERT } from "./listener.ts";
import type { TlsAcceptHooks, TlsSelection } from "./listener.ts";
import { credentialForCertificate } from "./mtls.ts";

/** The servers an allowed HTTP connection is handed to. */
export interface HttpTargets {
  readonly http1: HttpServer;
  readonly http2: Http2Server;
}

/** Builds the listener hooks over the current generation (read on every connection). */
export function tlsAcceptHooks(
  deps: StreamDeps,
  targets: HttpTargets,
  helloTimeoutMs: number,
): TlsAcceptHooks {
  const onRelayEnd = (route: StreamRoute) => (end: string) => {
    if (end !== "closed") deps.log.warn({ tunnel: route.label, end }, `${route.kind} relay ended`);
  };
  const shadow = deps.shadow;
  return {
    helloTimeoutMs,
    // Shadow rollout: the candidate may serve a name the running policy does not.
    ...(shadow === undefined
      ? {}
      : {
          unknownName: (serverName: string, socket: Socket) =>
            shadow.compareUnknownName(serverName, socket.remoteAddress),
        }),
    passthrough(serverName) {
      const route = deps.state().streams.bySni.get(serverName);
      if (route === undefined || route.kind !== "passthrough") return null;
      return (socket: Socket, hello: Buffer) => {
        const decision = admitConnection(route, socket.remoteAddress, null, deps, serverName, null);
        if (decision === null || !decision.allow) {
          socket.end(ACCESS_DENIED_ALERT);
          return;
        }
        socket.setNoDelay(true);
        // The bytes are the client's TLS, not ours: a client's FIN must reach the upstream as
        // a half-close (relay passes it on) without closing the path back to the client.
        socket.allowHalfOpen = true;
        relay(socket, route.upstream, hello, deps.bounds, onRelayEnd(route), TCP_READ_BYTES);
      };
    },
    select(serverName): TlsSelection | null {
      const state = deps.state();
      const stream = state.streams.bySni.get(serverName);
      if (stream !== undefined && stream.kind === "tls" && stream.tls !== null) {
        const streamTls = stream.tls;
        return {
          tls: streamTls,
          mapCertificate: (socket) =>
            credentialForCertificate(socket.getPeerCertificate(), stream.credentials),
          decide: (facts, tls) => {
            const decision = stream.compiled.handshake(facts);
            // Shadow rollout: the candidate decides the handshake too and never acts.
            deps.shadow?.compareHandshake(stream.label, streamTls, facts, decision, tls);
            return decision;
          },
          deliver: (tls: TLSSocket, info) => {
            const decision = admitConnection(
              stream,
              tls.remoteAddress,
              info.clientCredential,
              deps,
              serverName,
              tls,
            );
            if (decision === null || !decision.allow) {
              tls.destroy();
              return;
            }
            // A client's close_notify and FIN end only its direction: the upstream gets a FIN
            // and may still answer (the listener's raw sockets are not half-open themselves).
            tls.allowHalfOpen = true;
            // Decrypted records go through reused buffers: a new one per record costs the
            // process a full GC every ~50 MB relayed (stream/pooled-reads.ts).
            relay(tls, stream.upstream, null, deps.bounds, onRelayEnd(stream), TLS_READ_BYTES);
          },
        };
      }
      const route = state.routes.get(serverName);
      if (route === undefined || route.tls === null) return null;
      const routeTls = route.tls;
      return {
        tls: routeTls,
        mapCertificate: (socket) =>
          credentialForCertificate(socket.getPeerCertificate(), route.credentials),
        decide: (facts, tls) => {
          const decision = route.policy.handshake(facts);
          // Shadow rollout: the candidate decides the handshake too and never acts.
          deps.shadow?.compareHandshake(route.label, routeTls, facts, decision, tls);
          return decision;
        },
        deliver: (tls) => {
          if (tls.alpnProtocol === "h2") targets.http2.emit("connection", tls);
          else targets.http1.emit("connection", tls);
        },
      };
    },
    onRefused(refusal) {
      deps.metrics.handshakesRefused.labels(refusal.kind).inc();
      deps.log.info(
        {
          sni: refusal.serverName,
          kind: refusal.kind,
          rule: refusal.decision?.rule ?? null,
          reason: refusal.detail,
        },
        "TLS connection refused",
      );
    },
  };
}
