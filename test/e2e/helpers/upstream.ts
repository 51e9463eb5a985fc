/** The upstream behind the test tunnels: an HTML page that says what it received. */
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the upstream saw. */
export interface UpstreamHit {
  readonly method: string;
  readonly url: string;
  readonly cookie: string | null;
}

/** A running upstream and the requests it saw. */
export interface TestUpstream {
  readonly url: string;
  readonly hits: UpstreamHit[];
  close(): Promise<void>;
}

/** Starts the upstream on 127.0.0.1. */
export async function startUpstream(): Promise<TestUpstream> {
  const hits: UpstreamHit[] = [];
  const server: Server = createServer((req, res) => {
    hits.push({ method: req.method ?? "", url: req.url ?? "", cookie: req.headers.cookie ?? null });
    const body = `<!doctype html><html><head><title>upstream</title></head><body><h1 id="upstream">upstream page</h1><p id="path">${req.method} ${encodeURI(req.url ?? "")}</p></body></html>`;
    res
      .writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "content-length": Buffer.byteLength(body),
      })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
