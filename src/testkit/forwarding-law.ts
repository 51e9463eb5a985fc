/**
 * The law of one request (SPEC S-R4, S-O3, S-R20): whatever `serve` forwards, the upstream
 * receives exactly the target and the header fields the decision saw, minus what S-O3/S-R20
 * strip, plus the headers the engine sets; a refused request yields nothing to forward; nothing
 * throws. Checked on raw requests built from the pieces attackers use: random escapes, dot
 * segments, repeated slashes, `;params`, backslashes, duplicate headers, upgrade tokens.
 *
 * ```ts
 * fc.assert(lawForwardedIsDecided(), { numRuns: 10_000 });
 * ```
 */
import fc from "fast-check";
import { normalizePath } from "../ir/path-normalize.ts";
import { ENGINE_COOKIES } from "../runtime/cookies.ts";
import { isStrippedName, upstreamRequestHeaders } from "../runtime/forward/headers.ts";
import type { ForwardContext } from "../runtime/forward/headers.ts";
import { canonicalRequest } from "../runtime/http/canonical-request.ts";
import type { CanonicalRequest, RequestInput } from "../runtime/http/canonical-request.ts";
import { canonicalPath, QUERY_TOKEN } from "../runtime/http/request-target.ts";

/** A request as a client writes it: method, target and header fields in order. */
export type RawRequest = RequestInput;

/** Segments a canonical path may come from (dot segments, escapes, empty ones). */
const SEGMENTS = [
  "a",
  "api",
  "admin",
  "public",
  ".",
  "..",
  "%2e",
  "%2E%2e",
  ".%2e",
  "",
  "",
  "%61",
  "%7E",
  ";x",
  "a;b=c",
  "%C3%A9",
  "%3B",
  "~",
  "*",
  ".well-known",
  "rstream",
  "session",
];

/** Segments every path holding them is refused for (S-R2, S-R3). */
const HOSTILE_SEGMENTS = [
  "%2F",
  "%2f",
  "%5C",
  "\\",
  "..\\",
  "..;",
  "..;x",
  ".%3B",
  "%00",
  "%0a",
  "%ff",
  "%zz",
  "%",
  "%252e",
  "%25",
];

const PARAMS = [
  "a=1",
  "b=%20",
  "rstream.token=t1",
  "rstream%2Etoken=t2",
  "RSTREAM.TOKEN=t3",
  "%72stream.token=t4",
  "rstream.token",
  "x=rstream.token",
  "c=%zz",
  "%zztoken=1",
  "",
  "d=+",
];

const HEADER_POOL: readonly (readonly [string, string])[] = [
  ["Accept", "text/html"],
  ["Accept", "*/*"],
  ["Authorization", "Bearer abc"],
  ["Authorization", "Basic eDp5"],
  ["Cookie", "a=1; rampart_session=v1.x.y"],
  ["Cookie", "rampart_challenge=v1.a.b; rampart_challenge=v1.c.d; z=2"],
  ["Connection", "keep-alive"],
  ["Connection", "close, x-private"],
  ["Connection", "authorization, cookie"],
  ["Connection", "x-forwarded-for"],
  ["X-Private", "p"],
  ["Keep-Alive", "timeout=5"],
  ["Upgrade", "websocket"],
  ["Upgrade", "h2c"],
  ["Upgrade", "websocket, h2c"],
  ["HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA"],
  ["X-Original-URL", "/admin"],
  ["X-Rewrite-URL", "/admin"],
  ["X-HTTP-Method-Override", "DELETE"],
  ["X-Method-Override", "PUT"],
  ["X-Forwarded-For", "1.2.3.4"],
  ["X-Forwarded-Host", "evil.test"],
  ["X-Forwarded-Prefix", "/admin"],
  ["Forwarded", "for=1.2.3.4"],
  ["X-Real-IP", "1.2.3.4"],
  ["X-Rampart-Subject", "root"],
  ["TE", "trailers"],
  ["Origin", "https://evil.test"],
  ["X-Custom", "v"],
  ["x-custom", "w"],
];

/** A raw request target built from attack pieces (origin, absolute, `*` or odd forms). */
export function arbRequestTarget(): fc.Arbitrary<string> {
  const path = fc
    .array(
      fc.oneof(
        { weight: 12, arbitrary: fc.constantFrom(...SEGMENTS) },
        { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
      ),
      { minLength: 0, maxLength: 6 },
    )
    .map((segments) => `/${segments.join("/")}`);
  const query = fc.option(
    fc
      .array(fc.constantFrom(...PARAMS), { minLength: 1, maxLength: 4 })
      .chain((params) => fc.constantFrom("&", ";").map((sep) => params.join(sep))),
    { nil: null },
  );
  const origin = fc
    .tuple(path, query, fc.constantFrom("", "", "", "", "", "", "", "#f"))
    .map(([p, q, frag]) => `${p}${q === null ? "" : `?${q}`}${frag}`);
  return fc.oneof(
    { weight: 16, arbitrary: origin },
    { weight: 1, arbitrary: origin.map((t) => `http://web.test${t}`) },
    { weight: 1, arbitrary: origin.map((t) => `http://other.test${t}`) },
    { weight: 1, arbitrary: fc.constantFrom("*", "web.test:80", "//x", "") },
  );
}

/** A raw request: a method, a target, and header fields (Host usually once, sometimes not). */
export function arbRawRequest(): fc.Arbitrary<RawRequest> {
  const hosts = fc.constantFrom<readonly (readonly [string, string])[]>(
    [["Host", "web.test"]],
    [["Host", "web.test"]],
    [["Host", "web.test"]],
    [["Host", "web.test"]],
    [["Host", "web.test"]],
    [["Host", "WEB.test:80"]],
    [
      ["Host", "web.test"],
      ["Host", "other.test"],
    ],
    [],
  );
  return fc
    .record({
      method: fc.constantFrom("GET", "GET", "HEAD", "POST", "OPTIONS", "DELETE"),
      target: arbRequestTarget(),
      hosts,
      fields: fc.array(fc.constantFrom(...HEADER_POOL), { maxLength: 5 }),
      hostAt: fc.nat(),
    })
    .map(({ method, target, hosts: h, fields, hostAt }) => {
      const all = [...fields];
      all.splice(hostAt % (fields.length + 1), 0, ...h);
      return { method, target, rawHeaders: all.flatMap(([n, v]) => [n, v]) };
    });
}

/** The bytes of a raw request on the wire (HTTP/1.1, no body). */
export function rawRequestBytes(request: RawRequest): string {
  let out = `${request.method} ${request.target} HTTP/1.1\r\n`;
  for (let i = 0; i < request.rawHeaders.length; i += 2)
    out += `${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}\r\n`;
  return `${out}\r\n`;
}

/** What an allowed request becomes upstream: the target and the header fields, in order. */
export interface ForwardPlan {
  readonly target: string;
  readonly headers: readonly string[];
}

/** The forwarding context the law uses (an untrusted peer, the edge token in Authorization). */
export const LAW_CONTEXT: ForwardContext = {
  forwardedFor: "127.0.0.1",
  proto: "http",
  host: "web.test",
  upstreamHost: "upstream.test:8080",
  dropAuthorization: true,
  upgrade: false,
};

/** The engine's own headers, appended last by the forwarder. */
const ENGINE_ADDED = 4;

/** What serve would forward for a request that the decision lets through, or the refusal. */
export function planForward(
  request: RawRequest,
  ctx: ForwardContext = LAW_CONTEXT,
): { refused: { status: number } } | { request: CanonicalRequest; plan: ForwardPlan } {
  const c = canonicalRequest(request, { fromHeader: true });
  if ("status" in c) return { refused: { status: c.status } };
  return {
    request: c,
    plan: { target: c.target, headers: upstreamRequestHeaders(c.headers, ctx) },
  };
}

function fail(message: string): never {
  throw new Error(`forwarding law: ${message}`);
}

function queryNames(query: string): string[] {
  return query
    .split(/[&;]/)
    .map((p) => p.split("=")[0] ?? "")
    .map((n) => {
      try {
        return decodeURIComponent(n.replaceAll("+", " ")).toLowerCase();
      } catch {
        return n.toLowerCase();
      }
    });
}

/**
 * Checks one request against the law; throws with the broken clause. Exposed for live tests,
 * which compare what an upstream received with `planForward`'s answer.
 */
export function checkForwardedIsDecided(
  request: RawRequest,
  ctx: ForwardContext = LAW_CONTEXT,
): void {
  const result = planForward(request, ctx);
  if ("refused" in result) {
    if (![400, 414, 431].includes(result.refused.status))
      fail(`refused with ${result.refused.status}`);
    return;
  }
  checkTarget(result.request, result.plan);
  checkHeaders(result.request, result.plan, ctx);
}

/** The target forwarded is the decided path and query; the decision reads that path as is. */
function checkTarget(c: CanonicalRequest, plan: ForwardPlan): void {
  if (plan.target !== (c.query === "" ? c.path : `${c.path}?${c.query}`))
    fail("the forwarded target is not the decided path and query");
  if (c.path !== "*") {
    if (canonicalPath(c.path) !== c.path) fail(`path ${c.path} is not canonical`);
    const n = normalizePath(c.path);
    if (!n.ok || n.path !== c.path) fail(`the decision would read ${c.path} differently`);
  }
  if (queryNames(c.query).includes(QUERY_TOKEN)) fail("a spelling of rstream.token is forwarded");
}

/** Which decided fields must reach the upstream unchanged (Cookie is checked apart). */
function keptUnchanged(lower: string, ctx: ForwardContext): boolean {
  if (isStrippedName(lower) || lower === "cookie") return false;
  return !(lower === "authorization" && ctx.dropAuthorization);
}

function checkCookie(value: string): void {
  for (const pair of value.split(";")) {
    const cookieName = pair.split("=")[0]?.trim() ?? "";
    if (ENGINE_COOKIES.has(cookieName)) fail(`engine cookie ${cookieName} is forwarded`);
  }
}

/** A flat `[name, value, …]` list as pairs. */
function pairs(list: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let k = 0; k + 1 < list.length; k += 2) out.push([list[k] ?? "", list[k + 1] ?? ""]);
  return out;
}

/** The forwarded fields are the decided ones minus the stripped, then the engine's own. */
function checkHeaders(c: CanonicalRequest, plan: ForwardPlan, ctx: ForwardContext): void {
  const decided = c.headers.fields;
  const head = plan.headers.slice(0, plan.headers.length - 2 * ENGINE_ADDED);
  const expected: string[] = [];
  for (const [name, value] of pairs(decided))
    if (keptUnchanged(name.toLowerCase(), ctx)) expected.push(name, value);
  const forwarded: string[] = [];
  for (const [name, value] of pairs(head)) {
    const lower = name.toLowerCase();
    if (lower === "cookie") checkCookie(value);
    else if (!keptUnchanged(lower, ctx)) fail(`${name} is forwarded`);
    else forwarded.push(name, value);
  }
  if (expected.join("\n") !== forwarded.join("\n")) fail("a decided field was lost or changed");
  // The engine's headers come last, with the engine's values: no client field removed them.
  const tail = plan.headers.slice(plan.headers.length - 2 * ENGINE_ADDED);
  const want = [
    "host",
    ctx.upstreamHost,
    "x-forwarded-for",
    ctx.forwardedFor,
    "x-forwarded-proto",
    ctx.proto,
    "x-forwarded-host",
    ctx.host,
  ];
  if (tail.join("\n") !== want.join("\n")) fail("the engine's own headers are not the engine's");
}

/** The law as a fast-check property over raw requests. */
export function lawForwardedIsDecided(
  requests: fc.Arbitrary<RawRequest> = arbRawRequest(),
): fc.IPropertyWithHooks<[RawRequest]> {
  return fc.property(requests, (request) => {
    checkForwardedIsDecided(request);
  });
}
