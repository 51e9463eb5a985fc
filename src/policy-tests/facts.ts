/**
 * Turns a policy file's test request (`PolicyTestIr.request`) into the facts a decision sees:
 * the URL into host, path and scheme (the path is kept raw, so `..` and escapes reach the
 * decision as a client would send them); headers into the browser / upgrade / origin facts;
 * the test token into `TokenFacts` carrying the effective grant; the session and TLS facts.
 */
import { addressedPort } from "../ir/origin.ts";
import { METHOD_OVERRIDE_HEADERS } from "../ir/method-override.ts";
import type { EffectivePolicy } from "../bounds/effective.ts";
import type { HandshakeFacts, RequestFacts, SessionFacts, TokenFacts } from "../ir/facts.ts";
import type { TestRequestIr, TestTokenIr } from "../ir/types.ts";

/** The parts of an absolute URL that decisions need, without any normalization of the path. */
export interface UrlParts {
  readonly scheme: string;
  readonly host: string;
  /** The port the URL names, `null` for none or the scheme's default. */
  readonly port: number | null;
  /** The raw path, `/` when the URL has none. */
  readonly path: string;
}

const URL_SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/;

/** Splits a URL by hand: WHATWG `URL` would resolve `..` and decode, hiding what a client sends. */
export function splitUrl(url: string): UrlParts | null {
  const m = URL_SHAPE.exec(url);
  if (m === null) return null;
  const authority = (m[2] ?? "").slice((m[2] ?? "").lastIndexOf("@") + 1);
  const host = authority.startsWith("[")
    ? authority.slice(0, authority.indexOf("]") + 1)
    : (authority.split(":")[0] ?? "");
  const scheme = (m[1] ?? "").toLowerCase();
  return {
    scheme,
    host: host.toLowerCase(),
    port: addressedPort(authority, scheme === "https" || scheme === "wss"),
    path: m[3] === "" || m[3] === undefined ? "/" : m[3],
  };
}

function headerMap(headers: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function tokenFacts(policy: EffectivePolicy, token: TestTokenIr): TokenFacts {
  if (token.kind === "invalid") {
    return {
      source: token.in,
      status: token.invalid,
      id: null,
      type: null,
      lifetimeSeconds: null,
      grant: null,
      subject: null,
    };
  }
  const grant = policy.grants[token.grant] ?? null;
  const owner = token.owner ?? null;
  return {
    source: token.in,
    status: "valid",
    id: token.grant,
    type: grant?.type ?? null,
    lifetimeSeconds: null,
    grant,
    subject: owner === null ? `grant:${token.grant}` : owner.id,
    // S-T8: a test token that names no owner stands for a member's token, as a credential
    // backend would say; one that names its owner is judged by the project's `members` (or,
    // with none, by whether its boundary names the project), as `serve` judges it.
    owner,
    memberOf: owner === null ? [policy.projectId] : null,
  };
}

function sessionFacts(session: NonNullable<TestRequestIr["session"]>): SessionFacts {
  return {
    userId: session.userId,
    name: session.name,
    email: session.email,
    image: null,
    groups: session.groups,
  };
}

/** The request facts of a test request (`null` when its URL is not absolute). */
export function requestFactsOf(
  policy: EffectivePolicy,
  request: TestRequestIr,
): RequestFacts | null {
  const url = splitUrl(request.url);
  if (url === null) return null;
  const headers = headerMap(request.headers);
  const connection = headers.get("connection")?.toLowerCase() ?? "";
  return {
    host: url.host,
    port: url.port,
    method: request.method.toUpperCase(),
    path: url.path,
    clientIp: request.clientIp,
    country: request.country?.toUpperCase() ?? null,
    secure: url.scheme === "https" || url.scheme === "wss",
    acceptsHtml: (headers.get("accept") ?? "").toLowerCase().includes("text/html"),
    upgrade: headers.has("upgrade") || connection.split(",").some((t) => t.trim() === "upgrade"),
    origin: headers.get("origin") ?? null,
    referer: headers.get("referer") ?? null,
    contentType: headers.get("content-type") ?? null,
    methodOverride: [...METHOD_OVERRIDE_HEADERS].some((name) => headers.has(name)),
    token: request.token === null ? null : tokenFacts(policy, request.token),
    challengeCookie: request.challengeCookie,
    session: request.session === null ? null : sessionFacts(request.session),
    clientCredential: request.tls?.clientCert ?? null,
    tlsVersion: request.tls?.version ?? null,
  };
}

/**
 * The handshake facts of a test request, or `null` when the test says nothing about TLS (then
 * only the request is decided). A named client certificate counts as verified.
 */
export function handshakeFactsOf(request: TestRequestIr, host: string): HandshakeFacts | null {
  const tls = request.tls;
  if (tls === null) return null;
  return {
    sni: host,
    version: tls.version ?? "1.3",
    group: tls.group,
    ech: tls.ech,
    clientCertVerified: tls.clientCert !== null,
    clientCredential: tls.clientCert,
  };
}
