/**
 * Upstreams that route the way common web frameworks do, each with the habit an attacker
 * counts on: a prefix router that never resolves dot segments nor decodes, one that honours
 * `X-HTTP-Method-Override` (and its spellings), one that honours `X-Original-URL` /
 * `X-Rewrite-URL` (as IIS URL Rewrite and some PHP front controllers do). Each answers with the
 * route it chose, so a test sees whether a request escaped its scope. `all` has every habit at
 * once (the app behind a front proxy in the forward-auth tests).
 */
import { createServer } from "node:http";
import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";

/** How the upstream picks a route. */
export type FrameworkHabit = "raw-prefix" | "method-override" | "original-url" | "all";

/** What the upstream received and where it routed it. */
export interface FrameworkHit {
  readonly method: string;
  readonly target: string;
  readonly rawHeaders: readonly string[];
  /** The route the framework chose: `admin`, `public` or `none`. */
  readonly route: string;
  /** The method the framework acted on (after its own override logic). */
  readonly effectiveMethod: string;
}

export interface FrameworkUpstream {
  readonly url: string;
  readonly hits: FrameworkHit[];
  close(): Promise<void>;
}

const OVERRIDES = ["x-http-method-override", "x-http-method", "x-method-override"];

function effectiveTarget(req: IncomingMessage, habit: FrameworkHabit): string {
  if (habit !== "original-url" && habit !== "all") return req.url ?? "";
  const rewritten = req.headers["x-original-url"] ?? req.headers["x-rewrite-url"];
  return typeof rewritten === "string" ? rewritten : (req.url ?? "");
}

function effectiveMethod(req: IncomingMessage, habit: FrameworkHabit): string {
  if (habit !== "method-override" && habit !== "all") return req.method ?? "";
  for (const name of OVERRIDES) {
    const v = req.headers[name];
    if (typeof v === "string") return v.toUpperCase();
  }
  return req.method ?? "";
}

/**
 * The route by a plain prefix test on the target as it arrived: `/public/../admin` starts with
 * `/public` for this router but means `/admin` to a file server behind it, so a prefix router
 * that sees `..` is treated as reaching `admin` (the worst case a proxy must rule out).
 */
function routeOf(target: string): string {
  const path = target.split("?")[0] ?? "";
  if (/\.\.|%2e|%2f|%5c|\\/i.test(path)) return "admin";
  if (path.startsWith("/admin")) return "admin";
  if (path.startsWith("/public")) return "public";
  return "none";
}

/** Starts one framework-like upstream on loopback. */
export async function startFrameworkUpstream(habit: FrameworkHabit): Promise<FrameworkUpstream> {
  const hits: FrameworkHit[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    const target = effectiveTarget(req, habit);
    const hit = {
      method: req.method ?? "",
      target: req.url ?? "",
      rawHeaders: [...req.rawHeaders],
      route: routeOf(target),
      effectiveMethod: effectiveMethod(req, habit),
    };
    hits.push(hit);
    const body = JSON.stringify(hit);
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
