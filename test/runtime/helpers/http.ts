/** A small HTTP(S) client for tests: any Host header, raw access to status, headers and body. */
import { request as httpRequest } from "node:http";
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import type { RequestOptions } from "node:https";

/** What a test request got back. */
export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Options of one request. */
export interface Send {
  readonly port: number;
  readonly host: string;
  readonly path?: string;
  readonly method?: string;
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: string | Buffer;
  /** HTTPS with these TLS options (servername defaults to `host`). */
  readonly tls?: RequestOptions;
}

/** Sends one request on a fresh connection and reads the whole reply. */
export function send(s: Send): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const options: RequestOptions = {
      host: "127.0.0.1",
      port: s.port,
      method: s.method ?? "GET",
      path: s.path ?? "/",
      headers: { host: s.host, ...s.headers },
      agent: false,
      ...(s.tls === undefined ? {} : { servername: s.host, rejectUnauthorized: false, ...s.tls }),
    };
    const req = (s.tls === undefined ? httpRequest : httpsRequest)(options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error("test request timed out")));
    req.end(s.body);
  });
}
