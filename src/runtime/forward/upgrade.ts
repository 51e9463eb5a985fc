/**
 * Forwards an allowed HTTP upgrade (WebSocket) handshake: the upstream's 101 and its headers
 * go back to the client, then bytes are piped both ways until either side closes. A non-101
 * answer is relayed as an ordinary response and the connection is closed: what the client sent
 * behind its handshake never reaches the upstream.
 */
import { request as httpRequest } from "node:http";
import type { IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Duplex } from "node:stream";
import { STATUS_CODES } from "node:http";
import { endConnection } from "../http/end-connection.ts";
import { rawResponse } from "../http/respond.ts";
import type { Upstream } from "./upstreams.ts";

/** Opens the upstream side of an upgrade and splices the two sockets together. */
export function forwardUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  upstream: Upstream,
  path: string,
  headers: string[],
  timeoutMs: number,
  done: (failure: "unreachable" | "timeout" | null, status: number) => void,
): void {
  const url = new URL(upstream.origin);
  const request = upstream.secure ? httpsRequest : httpRequest;
  const outgoing = request({
    host: url.hostname,
    port: url.port === "" ? (upstream.secure ? 443 : 80) : Number(url.port),
    method: req.method,
    path: upstream.basePath + path,
    headers,
    agent: false,
    timeout: timeoutMs,
  });
  let settled = false;
  const finish = (failure: "unreachable" | "timeout" | null, status: number): void => {
    if (!settled) {
      settled = true;
      done(failure, status);
    }
  };
  outgoing.on("upgrade", (res, upstreamSocket, upstreamHead) => {
    outgoing.setTimeout(0);
    client.write(statusLine(res) + headerBlock(res.rawHeaders));
    if (upstreamHead.length > 0) client.write(upstreamHead);
    if (head.length > 0) upstreamSocket.write(head);
    upstreamSocket.pipe(client).pipe(upstreamSocket);
    const closeBoth = (): void => {
      upstreamSocket.destroy();
      client.destroy();
    };
    upstreamSocket.on("error", closeBoth);
    client.on("error", closeBoth);
    upstreamSocket.on("close", closeBoth);
    client.on("close", closeBoth);
    finish(null, res.statusCode ?? 101);
  });
  outgoing.on("response", (res) => {
    // The body is relayed de-chunked and delimited by closing the connection.
    const kept = res.rawHeaders.filter((_, i, all) =>
      i % 2 === 0
        ? !RELAY_DROPPED.has(String(all[i]).toLowerCase())
        : !RELAY_DROPPED.has(String(all[i - 1]).toLowerCase()),
    );
    client.write(statusLine(res) + headerBlock([...kept, "connection", "close"]));
    res.pipe(client);
    res.on("end", () => endConnection(client));
    finish(null, res.statusCode ?? 502);
  });
  outgoing.on("timeout", () => {
    outgoing.destroy();
    endConnection(client, rawResponse(504, JSON.stringify({ error: { reason: "timeout" } })));
    finish("timeout", 504);
  });
  outgoing.on("error", () => {
    if (!settled)
      endConnection(client, rawResponse(502, JSON.stringify({ error: { reason: "unreachable" } })));
    finish("unreachable", 502);
  });
  outgoing.end();
}

const RELAY_DROPPED: ReadonlySet<string> = new Set([
  "transfer-encoding",
  "connection",
  "keep-alive",
  "content-length",
]);

function statusLine(res: IncomingMessage): string {
  const code = res.statusCode ?? 502;
  return `HTTP/1.1 ${code} ${res.statusMessage ?? STATUS_CODES[code] ?? ""}\r\n`;
}

function headerBlock(raw: readonly string[]): string {
  let out = "";
  for (let i = 0; i < raw.length; i += 2) out += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return `${out}\r\n`;
}
