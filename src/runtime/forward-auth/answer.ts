/**
 * Writes forward-auth answers. A 2xx lets the proxy forward the request, carrying the
 * identity headers and, per dialect, what the upstream request must look like (S-O3: no
 * `rstream.token`, no engine cookies, no edge `Authorization`). Denies and redirects follow
 * S-D2; for nginx, which only understands 2xx/401/403 from `auth_request`, they become 401 or
 * 403 plus `X-Rampart-*` headers that the documented config turns back into the real answer.
 */
import type { ServerResponse } from "node:http";
import type { Decision } from "../../ir/decision.ts";
import { stripEngineCookies } from "../cookies.ts";
import { clientErrorListener } from "../http/client-error.ts";
import {
  errorJson,
  rawResponse,
  sendDeny,
  sendError,
  sendRedirect,
  wwwAuthenticate,
} from "../http/respond.ts";
import type { ForwardAuthDialect } from "./dialect.ts";
import {
  AUTH_METHOD_HEADER,
  ENVOY_REMOVE_HEADER,
  ERROR_BODY_HEADER,
  FORWARD_AUTHORIZATION_HEADER,
  FORWARD_COOKIE_HEADER,
  FORWARD_URI_HEADER,
  IDENTITY_HEADERS,
  LOCATION_HEADER,
  REASON_HEADER,
  STATUS_HEADER,
  SUBJECT_HEADER,
  TUNNEL_HEADER,
  headerSafe,
} from "./headers.ts";

type Headers = Record<string, string>;

/** What an allow answer needs to know. */
export interface AllowAnswer {
  readonly decision: Decision;
  /** The deciding tunnel's label. */
  readonly tunnel: string;
  /** The canonical path and query, `rstream.token` removed (S-R4, S-O3). */
  readonly uri: string;
  /** The sub-request's decided headers by name: the original `Authorization` and `Cookie`. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** `Authorization` carried the edge token and the tunnel does not forward it (S-O3). */
  readonly dropAuthorization: boolean;
}

/**
 * The fixed head of an allow answer for one tunnel, authentication method and subject, as a
 * flat `[name, value, …]` list: made once per triple, then copied. HOT PATH: looked up by the
 * three strings themselves, one Map level each (the label, the method and a kept token
 * verdict's subject are the same string objects on every request, so V8 hashes each once; a
 * joined key would be a new string to hash per answer), no object spread, no per-answer
 * quoting. Bounded like every cache keyed by policy or token values: past the bound, a head is
 * built per answer.
 */
const allowHeads = new Map<string, Map<string | null, Map<string | null, readonly string[]>>>();
/** The most heads kept (exported for tests). */
export const MAX_ALLOW_HEADS = 4096;
let allowHeadCount = 0;

function allowHead(tunnel: string, method: string | null, subject: string | null): string[] {
  let byMethod = allowHeads.get(tunnel);
  let bySubject = byMethod?.get(method);
  let head = bySubject?.get(subject);
  if (head === undefined) {
    const built = [
      "cache-control",
      "no-store",
      "content-length",
      "0",
      TUNNEL_HEADER,
      headerSafe(tunnel),
    ];
    if (method !== null) built.push(AUTH_METHOD_HEADER, method);
    if (subject !== null) built.push(SUBJECT_HEADER, headerSafe(subject));
    head = built;
    if (allowHeadCount < MAX_ALLOW_HEADS) {
      if (byMethod === undefined) allowHeads.set(tunnel, (byMethod = new Map()));
      if (bySubject === undefined) byMethod.set(method, (bySubject = new Map()));
      bySubject.set(subject, head);
      allowHeadCount++;
    }
  }
  return head.slice();
}

/** 200: forward, with identity headers and the dialect's way of cleaning the upstream request. */
export function answerAllow(
  res: ServerResponse,
  dialect: ForwardAuthDialect,
  a: AllowAnswer,
): void {
  const identity = a.decision.identity;
  const subject = identity?.subject ?? null;
  const out = allowHead(a.tunnel, identity?.method ?? null, subject);
  const original = a.headers.authorization;
  const authorization = a.dropAuthorization || original === undefined ? null : original;
  const cookie = a.headers.cookie === undefined ? null : stripEngineCookies(a.headers.cookie);
  switch (dialect) {
    case "nginx":
      // Used as `proxy_pass http://upstream$rampart_uri` and `proxy_set_header`: an empty
      // variable makes nginx leave the header out, which is how a value is dropped.
      out.push(FORWARD_URI_HEADER, a.uri);
      if (authorization !== null) out.push(FORWARD_AUTHORIZATION_HEADER, authorization);
      if (cookie !== null) out.push(FORWARD_COOKIE_HEADER, cookie);
      break;
    case "traefik":
      // Listed in `authResponseHeaders`, Traefik deletes each from the upstream request and
      // copies ours: an absent one is thereby removed.
      if (authorization !== null) out.push("authorization", authorization);
      if (cookie !== null) out.push("cookie", cookie);
      break;
    case "envoy":
      envoyRemovals(identity?.method ?? null, subject, a, cookie, out);
      break;
  }
  res.writeHead(200, out);
  res.end();
}

/**
 * Envoy only overrides the upstream headers we send, so anything that must disappear — an
 * identity header a client may have forged, the edge `Authorization`, a `Cookie` of engine
 * cookies only — is named in `x-envoy-auth-headers-to-remove`.
 */
function envoyRemovals(
  method: string | null,
  subject: string | null,
  a: AllowAnswer,
  cookie: string | null,
  out: string[],
): void {
  const sent = new Set([TUNNEL_HEADER]);
  if (method !== null) sent.add(AUTH_METHOD_HEADER);
  if (subject !== null) sent.add(SUBJECT_HEADER);
  const remove = IDENTITY_HEADERS.filter((name) => !sent.has(name));
  if (a.dropAuthorization) remove.push("authorization");
  if (a.headers.cookie !== undefined && cookie !== a.headers.cookie) {
    if (cookie === null) remove.push("cookie");
    else out.push("cookie", cookie);
  }
  out.push(ENVOY_REMOVE_HEADER, remove.join(","));
}

/** A deny decision (S-D2). */
export function answerDeny(
  res: ServerResponse,
  dialect: ForwardAuthDialect,
  decision: Decision,
  html: boolean,
  tokenSent: boolean,
  path: string,
): void {
  if (dialect !== "nginx") {
    const status = answerStatus(decision.status);
    sendDeny(res, decision, html, tokenSent, path, null, realStatus(decision.status), status);
    return;
  }
  answerNginx(
    res,
    decision.status,
    decision.reason,
    decision.policy,
    wwwAuthenticate(decision, tokenSent),
  );
}

/** A challenge or login redirect to an engine flow page that returns to the original target. */
export function answerRedirect(
  res: ServerResponse,
  dialect: ForwardAuthDialect,
  flowPath: string,
  uri: string,
  reason: string,
): void {
  // `uri` is canonical, without the query token: it must not travel on (S-O3).
  const returnTo = uri;
  if (dialect !== "nginx") {
    sendRedirect(res, flowPath, returnTo);
    return;
  }
  const location = `${flowPath}?return=${encodeURIComponent(returnTo)}`;
  writeNginx(
    res,
    401,
    { [LOCATION_HEADER]: location, [REASON_HEADER]: reason, [STATUS_HEADER]: "302" },
    "",
  );
}

/** An answer decided before (or instead of) the compiled decision: unreadable, unrouted, refused. */
export function answerError(
  res: ServerResponse,
  dialect: ForwardAuthDialect,
  status: number,
  reason: string,
  policy: string | null,
  html: boolean,
): void {
  if (dialect === "nginx") answerNginx(res, status, reason, policy, null);
  else sendError(res, answerStatus(status), reason, policy, html, realStatus(status));
}

/**
 * The forward-auth listener's `clientError` listener: a sub-request the parser refused (S-R18)
 * is answered as any refusal is (S-R19), 403 with the real status and reason beside it, so a
 * proxy never reads a 400 or 431 from the parser as its own error.
 */
export const answerForwardAuthClientError = clientErrorListener((status, reason) =>
  rawResponse(403, errorJson(reason, null), {
    [STATUS_HEADER]: String(status),
    [REASON_HEADER]: reason,
  }),
);

/**
 * S-R19: a forward-auth answer is 2xx, 401 or 403 (redirects go as the dialect's redirect), so
 * no proxy can read another status as "allowed" or as its own error: any other refusal is a 403
 * whose `X-Rampart-Status` keeps the real status for the operator.
 */
function answerStatus(status: number): number {
  return status === 401 || status === 403 ? status : 403;
}

function realStatus(status: number): Headers {
  return status === 401 || status === 403 ? {} : { [STATUS_HEADER]: String(status) };
}

/** An nginx refusal as written: the status nginx may see, the header list and the body. */
interface NginxRefusal {
  readonly status: 401 | 403;
  readonly head: readonly string[];
  readonly body: string;
}

/**
 * nginx refusals by (status, reason, policy, challenge), built once and then reused as they
 * are (HOT PATH under a flood of refused sub-requests: no JSON, no object spread, no byte
 * count per answer). Every part is a policy value or fixed text; bounded like `allowHeads`.
 */
const nginxRefusals = new Map<string, NginxRefusal>();
const MAX_NGINX_REFUSALS = 4096;

function answerNginx(
  res: ServerResponse,
  status: number,
  reason: string,
  policy: string | null,
  challenge: string | null,
): void {
  const key = `${status}\u0000${reason}\u0000${policy ?? "\u0001"}\u0000${challenge ?? "\u0001"}`;
  let refusal = nginxRefusals.get(key);
  if (refusal === undefined) {
    const body = errorJson(reason, policy);
    const head = [
      "content-type",
      "application/json",
      "content-length",
      String(Buffer.byteLength(body)),
      "cache-control",
      "no-store",
      REASON_HEADER,
      reason,
      STATUS_HEADER,
      String(status),
      ERROR_BODY_HEADER,
      body,
    ];
    if (challenge !== null) head.push("www-authenticate", challenge);
    // auth_request turns any status but 2xx/401/403 into a 500: keep 401, say 403 for the rest.
    refusal = { status: status === 401 ? 401 : 403, head, body };
    if (nginxRefusals.size < MAX_NGINX_REFUSALS) nginxRefusals.set(key, refusal);
  }
  // SAFETY: Node reads a header list without keeping or changing it.
  res.writeHead(refusal.status, refusal.head as string[]);
  res.end(refusal.body);
}

function writeNginx(res: ServerResponse, status: number, headers: Headers, body: string): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(body);
}
