/**
 * The HTTP/2 side of the TLS listener: connections whose ALPN chose `h2` are handed here
 * after the same handshake decision as HTTP/1.1 ones. Each stream is checked (validate.ts),
 * adapted (adapt.ts) and passed to the same request handler, so HTTP/2 gets the same compiled
 * decisions, request facts and forwarding to HTTP/1.1 upstreams. The TLS work is already done:
 * this is a plain `Http2Server` fed decrypted sockets.
 */
import { createServer } from "node:http2";
import type {
  Http2Server,
  Http2ServerRequest,
  Http2ServerResponse,
  ServerHttp2Session,
} from "node:http2";
import type { IncomingMessage, ServerResponse } from "node:http";
import { adaptH2Request } from "./adapt.ts";
import { h2RequestProblem } from "./validate.ts";

const sessionsOf = new WeakMap<Http2Server, Set<ServerHttp2Session>>();

/** Graceful shutdown: GOAWAY to every session; streams in flight finish, then it closes. */
export function closeH2Sessions(server: Http2Server): void {
  for (const session of sessionsOf.get(server) ?? []) session.close();
}

/** Idle time after which an HTTP/2 connection with no stream activity is closed. */
const SESSION_IDLE_MS = 120_000;

/** Creates the HTTP/2 server over the shared request handler. */
export function createH2Server(
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
  maxHeaderBytes: number,
  onRefused: (reason: string) => void,
): Http2Server {
  const server = createServer({
    settings: { enablePush: false, maxHeaderListSize: maxHeaderBytes },
    maxSessionInvalidFrames: 100,
  });
  server.setTimeout(SESSION_IDLE_MS);
  const sessions = new Set<ServerHttp2Session>();
  sessionsOf.set(server, sessions);
  server.on("session", (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  server.on("request", (req: Http2ServerRequest, res: Http2ServerResponse) => {
    const problem = h2RequestProblem(req.headers, req.rawHeaders, maxHeaderBytes);
    if (problem !== null) {
      onRefused(problem.reason);
      const body = JSON.stringify({ error: { reason: problem.reason } });
      res.writeHead(problem.status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    adaptH2Request(req);
    // The compatibility API mirrors IncomingMessage/ServerResponse for what the pipeline reads.
    onRequest(req as unknown as IncomingMessage, res as unknown as ServerResponse);
  });
  return server;
}
