/** Raw HTTP/1.1 over a plain or TLS socket: the bytes a test writes are the bytes serve reads. */
import { connect as netConnect } from "node:net";
import type { Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";

/** What came back: a parsed response, or nothing before the connection closed. */
export interface RawReply {
  /** The status, or null when the connection closed without a response. */
  readonly status: number | null;
  /** Lower-case header names; repeated fields joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Everything received, for assertions on what must never appear. */
  readonly raw: string;
}

/** Where to send: a port, and an SNI name when the listener is TLS. */
export interface RawTarget {
  readonly port: number;
  readonly servername?: string;
  /** The loopback address to connect to; 127.0.0.1 unless told. */
  readonly host?: string;
}

/** Opens a connection to the target (TLS when it names a server). */
export function openRaw(target: RawTarget): Socket {
  const host = target.host ?? "127.0.0.1";
  return target.servername === undefined
    ? netConnect({ host, port: target.port })
    : tlsConnect({
        host,
        port: target.port,
        servername: target.servername,
        rejectUnauthorized: false,
      });
}

/** Sends `bytes` on a fresh connection and reads until the server closes it (or `timeoutMs`). */
export function rawRequest(
  target: RawTarget,
  bytes: string | Buffer,
  timeoutMs = 5_000,
  halfClose = false,
): Promise<RawReply> {
  return new Promise((resolve) => {
    const socket = openRaw(target);
    const chunks: Buffer[] = [];
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parseReply(Buffer.concat(chunks).toString("latin1")));
    };
    const timer = setTimeout(done, timeoutMs);
    // Half-closing after the bytes lets the server see the end of an incomplete request at once.
    socket.on(target.servername === undefined ? "connect" : "secureConnect", () =>
      halfClose ? socket.end(bytes) : socket.write(bytes),
    );
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("end", done);
    socket.on("close", done);
    socket.on("error", done);
  });
}

/**
 * Sends one GET on an open keep-alive `socket` and resolves with everything received once a
 * whole response (length-framed or chunked) arrived; rejects if the connection closes first.
 */
export function keepAliveGet(socket: Socket, path: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    const onData = (d: Buffer): void => {
      data += d.toString("latin1");
      const head = data.indexOf("\r\n\r\n");
      const length = /content-length: (\d+)/i.exec(data);
      const complete =
        length === null
          ? data.endsWith("\r\n0\r\n\r\n")
          : data.length >= head + 4 + Number(length[1]);
      if (head >= 0 && complete) {
        socket.off("data", onData);
        socket.off("close", onClose);
        resolve(data);
      }
    };
    const onClose = (): void => reject(new Error(`closed before a whole response: ${data}`));
    socket.on("data", onData);
    socket.once("close", onClose);
    socket.once("error", reject);
    socket.write(`GET ${path} HTTP/1.1\r\nhost: ${host}\r\n\r\n`);
  });
}

/** Parses the first response in `raw` (content-length or close-delimited bodies). */
export function parseReply(raw: string): RawReply {
  const end = raw.indexOf("\r\n\r\n");
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
  if (end < 0 || match === null) return { status: null, headers: {}, body: "", raw };
  const headers: Record<string, string> = {};
  for (const line of raw.slice(0, end).split("\r\n").slice(1)) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const length = headers["content-length"];
  const rest = raw.slice(end + 4);
  const body = length === undefined ? rest : rest.slice(0, Number(length));
  return { status: Number(match[1]), headers, body, raw };
}

/** A request head: a request line and header lines, CRLF-joined, ending the header block. */
export function head(requestLine: string, fields: readonly (readonly [string, string])[]): string {
  return `${requestLine}\r\n${fields.map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n`;
}
