/** A loopback upstream that echoes what it received, and a WebSocket echo on the same port. */
import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";

/** What the echo upstream saw. */
export interface Echo {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A running upstream. */
export interface TestUpstream {
  readonly url: string;
  readonly server: Server;
  readonly seen: Echo[];
  close(): Promise<void>;
}

/** Starts the echo upstream. `/slow` waits before answering; `/stream` sends chunks. */
export async function startUpstream(): Promise<TestUpstream> {
  const seen: Echo[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const echo = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(echo);
      if (req.url?.startsWith("/slow")) {
        setTimeout(() => res.writeHead(200).end("late"), 2_000).unref();
        return;
      }
      const body = JSON.stringify(echo);
      res.writeHead(200, {
        "content-type": "application/json",
        "x-upstream": "echo",
        "set-cookie": ["a=1", "b=2"],
      });
      res.end(body);
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on("connection", (socket, req) => {
    socket.on("message", (data) =>
      socket.send(`echo:${String(data)}:${req.headers["x-forwarded-proto"]}`),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    seen,
    close: () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
