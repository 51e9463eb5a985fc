/**
 * The do-nothing auth service the forward-auth benches compare rampart with: nginx's
 * `auth_request` gets 200 and the URI it needs back, and nothing is decided. Its answer carries
 * the same header fields as rampart's allow answer to the bench's request (`cache-control`,
 * the tunnel and, when an `Authorization` field came, the method and subject; fixed values of
 * the same lengths), so nginx parses, and copies onto the upstream request, the same fields
 * behind either service: the difference between the rows is the decision, not the answer's size.
 */
import { createServer } from "node:http";
import type { Server } from "node:http";

/** What rampart answers the bench's token request (the fixture's `app` tunnel), less the URI. */
const TOKEN_HEAD = [
  "cache-control",
  "no-store",
  "content-length",
  "0",
  "x-rampart-tunnel",
  "app",
  "x-rampart-auth-method",
  "token",
  "x-rampart-subject",
  "bench",
  "x-rampart-forward-uri",
];
/** The same for the open tunnel's request: no caller. */
const OPEN_HEAD = [
  "cache-control",
  "no-store",
  "content-length",
  "0",
  "x-rampart-tunnel",
  "open",
  "x-rampart-forward-uri",
];

/** Listens on loopback (an ephemeral port) and resolves once it is listening. */
export async function listenDoNothingAuth(): Promise<Server> {
  const server = createServer((req, res) => {
    const uri = req.headers["x-original-uri"];
    const head = req.headers.authorization === undefined ? OPEN_HEAD : TOKEN_HEAD;
    res.writeHead(200, [...head, typeof uri === "string" ? uri : "/"]);
    res.end();
  });
  // As long as rampart's: nginx's keep-alive connections to either stay open through a phase.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}
