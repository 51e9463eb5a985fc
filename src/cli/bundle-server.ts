/**
 * A control plane for tests and small setups (`rampart bundle serve DIR`): serves the files
 * of one directory over HTTP, GET and HEAD only, with a strong `ETag` (the content's sha-256)
 * and `304 Not Modified` for a matching `If-None-Match`, so polling instances download a
 * bundle once per change. Files are read on each request: replacing one (write, then rename)
 * publishes it. Only plain file names directly in DIR are served; no listing.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { join } from "node:path";

const FILE_NAME = /^\/([A-Za-z0-9][A-Za-z0-9._-]{0,200})$/;

export function createBundleServer(dir: string): Server {
  return createServer((req, res) => {
    const name = FILE_NAME.exec((req.url ?? "").split("?")[0] ?? "")?.[1];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-length": 0 }).end();
      return;
    }
    if (name === undefined) {
      res.writeHead(404, { "content-length": 0 }).end();
      return;
    }
    readFile(join(dir, name)).then(
      (body) => {
        const etag = `"${createHash("sha256").update(body).digest("base64url")}"`;
        const headers = { etag, "cache-control": "no-cache" };
        if (matches(req.headers["if-none-match"], etag)) {
          res.writeHead(304, headers).end();
          return;
        }
        res.writeHead(200, {
          ...headers,
          "content-type": "application/json",
          "content-length": body.length,
        });
        res.end(req.method === "HEAD" ? undefined : body);
      },
      () => res.writeHead(404, { "content-length": 0 }).end(),
    );
  });
}

function matches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(",").some((tag) => tag.trim() === etag || tag.trim() === "*");
}
