/**
 * The HTTPS accept path: read the ClientHello, pick the tunnel by SNI, then hand the raw
 * connection to that tunnel's TLS terminator, so the whole handshake (minimum version,
 * groups, client-certificate policy) runs under the tunnel's settings from the first byte —
 * OpenSSL's SNI callback would switch certificates only after version and groups are fixed.
 * After the handshake the compiled handshake decision runs, and only an allowed connection
 * reaches the HTTP server.
 */
import type { Server as HttpServer } from "node:http";
import type { Socket } from "node:net";
import type { Server as TlsServer, TLSSocket } from "node:tls";
import type { HandshakeDecision } from "../../ir/decision.ts";
import type { HandshakeFacts } from "../../ir/facts.ts";
import type { TlsVersion } from "../../ir/types.ts";
import type { ClientHelloInfo } from "./client-hello.ts";
import { readClientHello } from "./client-hello.ts";
import type { TunnelTls } from "./contexts.ts";
import { negotiatedGroup } from "./groups.ts";

/** What the TLS layer learned about a connection; the request pipeline reads it. */
export interface TlsConnectionInfo {
  readonly sni: string;
  readonly version: TlsVersion;
  readonly group: string | null;
  readonly clientCredential: string | null;
}

/** The tunnel chosen for a server name, with what the handshake needs from it. */
export interface TlsSelection {
  readonly tls: TunnelTls;
  readonly mapCertificate: (socket: TLSSocket) => string | null;
  readonly decide: (facts: HandshakeFacts) => HandshakeDecision;
}

/** Why a connection was refused before HTTP: a fixed kind (a metric label) and a detail. */
export interface TlsRefusal {
  readonly kind: "bad_hello" | "no_sni" | "unknown_sni" | "policy";
  readonly serverName: string | null;
  readonly detail: string;
  readonly decision: HandshakeDecision | null;
}

/** Hooks the listener calls; `select` reads the currently loaded policy. */
export interface TlsAcceptHooks {
  select(serverName: string): TlsSelection | null;
  onRefused(refusal: TlsRefusal): void;
}

/** A connection handed to a terminator, waiting for its handshake to finish. */
interface PendingHandshake {
  readonly serverName: string;
  readonly hello: ClientHelloInfo;
  readonly selection: TlsSelection;
  readonly http: HttpServer;
  readonly hooks: TlsAcceptHooks;
}

const connectionInfo = new WeakMap<Socket, TlsConnectionInfo>();
/**
 * Handshakes in progress, keyed by the TCP 4-tuple's varying parts: the terminator's
 * `secureConnection` event gives the TLS socket, which shares the raw socket's addresses.
 */
const pending = new Map<string, PendingHandshake>();
const wired = new WeakSet<TlsServer>();

/** The TLS facts of an accepted connection, or undefined for plain HTTP. */
export function tlsInfoOf(socket: Socket): TlsConnectionInfo | undefined {
  return connectionInfo.get(socket);
}

/** TLS alert `unrecognized_name` (fatal), sent when no tunnel serves the SNI. */
const UNRECOGNIZED_NAME_ALERT = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x70]);
const HELLO_TIMEOUT_MS = 10_000;

const keyOf = (s: Socket): string => `${s.remoteAddress}|${s.remotePort}|${s.localPort}`;

/** Accepts one raw TCP connection on the HTTPS listener. */
export function acceptTlsConnection(socket: Socket, http: HttpServer, hooks: TlsAcceptHooks): void {
  let buffered: Buffer = Buffer.alloc(0);
  socket.setTimeout(HELLO_TIMEOUT_MS, () => socket.destroy());
  socket.on("error", () => socket.destroy());
  const onData = (chunk: Buffer): void => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const read = readClientHello(buffered);
    if (read.kind === "incomplete") return;
    socket.off("data", onData);
    socket.pause();
    if (read.kind === "invalid") {
      hooks.onRefused({ kind: "bad_hello", serverName: null, detail: read.reason, decision: null });
      socket.destroy();
      return;
    }
    const serverName = read.hello.serverName;
    const selection = serverName === null ? null : hooks.select(serverName);
    const terminator = serverName === null ? undefined : selection?.tls.terminators.get(serverName);
    if (serverName === null || selection === null || terminator === undefined) {
      hooks.onRefused({
        kind: serverName === null ? "no_sni" : "unknown_sni",
        serverName,
        detail:
          serverName === null
            ? "the client sent no server name"
            : "no tunnel serves this name over TLS",
        decision: null,
      });
      socket.end(UNRECOGNIZED_NAME_ALERT);
      return;
    }
    socket.setTimeout(0);
    socket.unshift(buffered);
    const key = keyOf(socket);
    pending.set(key, { serverName, hello: read.hello, selection, http, hooks });
    socket.once("close", () => pending.delete(key));
    wire(terminator);
    terminator.emit("connection", socket);
  };
  socket.on("data", onData);
}

/** Installs the handshake handlers on a terminator once. */
function wire(terminator: TlsServer): void {
  if (wired.has(terminator)) return;
  wired.add(terminator);
  terminator.on("secureConnection", (tls: TLSSocket) => {
    const key = keyOf(tls);
    const p = pending.get(key);
    pending.delete(key);
    if (p === undefined) {
      tls.destroy();
      return;
    }
    onHandshake(tls, p);
  });
  terminator.on("tlsClientError", (_error, tls: TLSSocket) => {
    pending.delete(keyOf(tls));
    tls.destroy();
  });
}

function onHandshake(tls: TLSSocket, p: PendingHandshake): void {
  tls.on("error", () => tls.destroy());
  const version: TlsVersion = tls.getProtocol() === "TLSv1.3" ? "1.3" : "1.2";
  const group = negotiatedGroup(
    p.selection.tls.groups,
    p.hello.keyShareGroups,
    p.hello.supportedGroups,
  );
  const verified = p.selection.tls.requestCert && tls.authorized;
  const clientCredential = verified ? p.selection.mapCertificate(tls) : null;
  const facts: HandshakeFacts = {
    sni: p.serverName,
    version,
    group,
    // Node cannot accept ECH: an offered ECH extension is never an accepted one.
    ech: false,
    clientCertVerified: verified,
    clientCredential,
  };
  const decision = p.selection.decide(facts);
  if (!decision.allow) {
    p.hooks.onRefused({
      kind: "policy",
      serverName: p.serverName,
      detail: decision.message,
      decision,
    });
    tls.destroy();
    return;
  }
  connectionInfo.set(tls, { sni: p.serverName, version, group, clientCredential });
  p.http.emit("connection", tls);
}
