/**
 * The TLS accept path: read the ClientHello, pick the tunnel by SNI, then either relay the
 * untouched bytes (a `tls-passthrough` tunnel, once its connection decision allows it) or hand
 * the raw connection to that tunnel's TLS terminator, so the whole handshake (minimum version,
 * groups, client-certificate policy) runs under the tunnel's settings from the first byte —
 * OpenSSL's SNI callback would switch certificates only after version and groups are fixed.
 * After the handshake the compiled handshake decision runs, and only an allowed connection is
 * delivered: to the HTTP/1.1 or HTTP/2 server by ALPN, or to a `tls` tunnel's relay.
 *
 * The ClientHello is bounded in size (client-hello.ts), in time (one deadline from accept,
 * however slowly it trickles in) and in reads (a hello split into too many packets is
 * refused); every failure closes the connection, and nothing reaches an upstream.
 */
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
  /** `tls` is the handshaken socket (a shadow candidate reads its client certificate). */
  readonly decide: (facts: HandshakeFacts, tls: TLSSocket) => HandshakeDecision;
  /** Takes an allowed connection: the HTTP servers, or a `tls` tunnel's relay. */
  readonly deliver: (tls: TLSSocket, info: TlsConnectionInfo) => void;
}

/** Relays a `tls-passthrough` connection: `hello` is every byte read so far, untouched. */
export type PassthroughHandler = (socket: Socket, hello: Buffer) => void;

/** Why a connection was refused before HTTP: a fixed kind (a metric label) and a detail. */
export interface TlsRefusal {
  readonly kind: "bad_hello" | "hello_timeout" | "no_sni" | "unknown_sni" | "policy";
  readonly serverName: string | null;
  readonly detail: string;
  readonly decision: HandshakeDecision | null;
}

/** Hooks the listener calls; `select` and `passthrough` read the currently loaded policy. */
export interface TlsAcceptHooks {
  /** The passthrough tunnel serving a name, checked first; null when none does. */
  passthrough(serverName: string): PassthroughHandler | null;
  select(serverName: string): TlsSelection | null;
  onRefused(refusal: TlsRefusal): void;
  /** A server name that no tunnel serves, told to the shadow candidate; absent: shadow off. */
  unknownName?(serverName: string, socket: Socket): void;
  /** Time from accept to a complete ClientHello. */
  readonly helloTimeoutMs: number;
}

/** A connection handed to a terminator, waiting for its handshake to finish. */
interface PendingHandshake {
  readonly serverName: string;
  readonly hello: ClientHelloInfo;
  readonly selection: TlsSelection;
  readonly hooks: TlsAcceptHooks;
}

/**
 * The TLS facts of a connection, kept on the socket under a symbol: an HTTP/2 request's
 * `socket` is a proxy that forwards unknown properties to the TLS socket, so this one lookup
 * serves HTTP/1.1 and HTTP/2 alike.
 */
const TLS_INFO = Symbol("rampart.tlsInfo");
type WithInfo = { [TLS_INFO]?: TlsConnectionInfo };
/**
 * Handshakes in progress, keyed by the TCP 4-tuple's varying parts: the terminator's
 * `secureConnection` event gives the TLS socket, which shares the raw socket's addresses.
 */
const pending = new Map<string, PendingHandshake>();
const wired = new WeakSet<TlsServer>();

/** The TLS facts of an accepted connection, or undefined for plain HTTP. */
export function tlsInfoOf(socket: object): TlsConnectionInfo | undefined {
  return (socket as WithInfo)[TLS_INFO];
}

/** TLS alert `unrecognized_name` (fatal), sent when no tunnel serves the SNI. */
const UNRECOGNIZED_NAME_ALERT = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x70]);
/** TLS alert `access_denied` (fatal), sent when a passthrough connection is refused. */
export const ACCESS_DENIED_ALERT = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x31]);
/** A ClientHello arriving in more reads than this is refused (a trickle costs a buffer copy each). */
export const MAX_HELLO_READS = 64;

const keyOf = (s: Socket): string => `${s.remoteAddress}|${s.remotePort}|${s.localPort}`;

/** Accepts one raw TCP connection on the TLS listener. */
export function acceptTlsConnection(socket: Socket, hooks: TlsAcceptHooks): void {
  let buffered: Buffer = Buffer.alloc(0);
  let reads = 0;
  const refuse = (kind: TlsRefusal["kind"], detail: string): void => {
    socket.off("data", onData);
    hooks.onRefused({ kind, serverName: null, detail, decision: null });
    socket.destroy();
  };
  // One deadline from accept: an idle timer would let a slow sender hold the socket forever.
  const deadline = setTimeout(
    () => refuse("hello_timeout", "no complete ClientHello in time"),
    hooks.helloTimeoutMs,
  );
  deadline.unref();
  socket.once("close", () => clearTimeout(deadline));
  socket.on("error", () => socket.destroy());
  const onData = (chunk: Buffer): void => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    reads++;
    const read = readClientHello(buffered);
    if (read.kind === "incomplete") {
      if (reads >= MAX_HELLO_READS) refuse("bad_hello", "ClientHello split into too many reads");
      return;
    }
    clearTimeout(deadline);
    socket.off("data", onData);
    socket.pause();
    if (read.kind === "invalid") {
      refuse("bad_hello", read.reason);
      return;
    }
    const serverName = read.hello.serverName;
    const passthrough = serverName === null ? null : hooks.passthrough(serverName);
    if (passthrough !== null) {
      passthrough(socket, buffered);
      return;
    }
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
      if (serverName !== null) hooks.unknownName?.(serverName, socket);
      socket.end(UNRECOGNIZED_NAME_ALERT);
      return;
    }
    socket.unshift(buffered);
    const key = keyOf(socket);
    pending.set(key, { serverName, hello: read.hello, selection, hooks });
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
  const decision = p.selection.decide(facts, tls);
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
  const info: TlsConnectionInfo = { sni: p.serverName, version, group, clientCredential };
  (tls as WithInfo)[TLS_INFO] = info;
  p.selection.deliver(tls, info);
}
