/**
 * The do-nothing auth service the forward-auth benches compare rampart with: nginx's
 * `auth_request` gets 200 and the URI it needs back, and nothing else is done.
 */
import { createServer } from "node:http";
import type { Server } from "node:http";

/** Listens on loopback (an ephemeral port) and resolves once it is listening. */
export async function listenDoNothingAuth(): Promise<Server> {
  const server = createServer((req, res) => {
    const uri = req.headers["x-original-uri"];
    res.writeHead(200, {
      "content-length": "0",
      "x-rampart-forward-uri": typeof uri === "string" ? uri : "/",
    });
    res.end();
  });
  // As long as rampart's: nginx's keep-alive connections to either stay open through a phase.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}
