/**
 * The engine's cookies (S-D4): the challenge cookie and the rstream Auth session cookie.
 * Distinct names, host-only (no `Domain`), `Path=/`, `HttpOnly`, `SameSite=Lax`, `Secure`
 * over TLS. The value is `v1.<payload>.<mac>`: base64url JSON carrying the kind, the host
 * and the expiry, and an HMAC-SHA256 over `v1.<payload>` with a key every instance shares,
 * so any instance can verify a cookie another one set.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { SessionFacts } from "../ir/facts.ts";

/** Cookie names; the forwarder strips exactly these from the upstream `Cookie` header (S-O3). */
export const CHALLENGE_COOKIE = "rampart_challenge";
export const SESSION_COOKIE = "rampart_session";
/** A login in progress (the OIDC flow's state) over plain HTTP; scoped to the engine's paths. */
export const LOGIN_COOKIE = "rampart_login";
/**
 * The login cookie over TLS. A browser takes a `__Host-` cookie only from this very host, with
 * `Secure`, `Path=/` and no `Domain`, so a sibling host cannot toss one in (S-R10).
 */
export const SECURE_LOGIN_COOKIE = `__Host-${LOGIN_COOKIE}`;
export const ENGINE_COOKIES: ReadonlySet<string> = new Set([
  CHALLENGE_COOKIE,
  SESSION_COOKIE,
  LOGIN_COOKIE,
  SECURE_LOGIN_COOKIE,
]);

const VERSION = "v1";
const MAX_COOKIE_VALUE = 4096;

/** What a signed cookie carries. `exp` is Unix seconds. */
export type CookiePayload =
  | { readonly kind: "challenge"; readonly host: string; readonly exp: number }
  | {
      readonly kind: "session";
      readonly host: string;
      readonly exp: number;
      /** The session's id: what logout revokes on every instance (S-M2). */
      readonly sid: string;
      readonly user: SessionFacts;
    }
  | {
      readonly kind: "login";
      readonly host: string;
      readonly exp: number;
      /** Flow state as plain strings (OIDC state, nonce, PKCE verifier, return path). */
      readonly data: Readonly<Record<string, string>>;
    };

/** Signs a payload into a cookie value. */
export function signCookie(payload: CookiePayload, key: string): string {
  const body = `${VERSION}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
  return `${body}.${mac(body, key)}`;
}

/** The result of checking a cookie value for a host. */
export type CookieCheck<K extends CookiePayload["kind"]> =
  | { readonly status: "valid"; readonly payload: Extract<CookiePayload, { kind: K }> }
  | { readonly status: "invalid" };

/**
 * Verifies MAC, version, kind, host and expiry. Every failure is just "invalid": the reason
 * is not shown to clients, and a forged cookie must not learn which check it failed.
 */
export function verifyCookie<K extends CookiePayload["kind"]>(
  value: string,
  kind: K,
  host: string,
  key: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): CookieCheck<K> {
  const invalid = { status: "invalid" } as const;
  if (value.length > MAX_COOKIE_VALUE) return invalid;
  const last = value.lastIndexOf(".");
  if (last < 0 || !value.startsWith(`${VERSION}.`)) return invalid;
  const body = value.slice(0, last);
  const given = Buffer.from(value.slice(last + 1), "base64url");
  const expected = Buffer.from(mac(body, key), "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body.slice(VERSION.length + 1), "base64url").toString("utf8"));
  } catch {
    return invalid;
  }
  if (!isPayload(payload) || payload.kind !== kind || payload.host !== host) return invalid;
  if (!(payload.exp > nowSeconds)) return invalid;
  return { status: "valid", payload: payload as Extract<CookiePayload, { kind: K }> };
}

function mac(body: string, key: string): string {
  return createHmac("sha256", key).update(body).digest("base64url");
}

function isPayload(v: unknown): v is CookiePayload {
  if (typeof v !== "object" || v === null) return false;
  const p = v as Record<string, unknown>;
  if (typeof p["host"] !== "string" || typeof p["exp"] !== "number") return false;
  if (p["kind"] === "challenge") return true;
  if (p["kind"] === "login") return isStringRecord(p["data"]);
  // A session without an id could not be revoked by logout (S-M2): refused.
  return (
    p["kind"] === "session" &&
    typeof p["sid"] === "string" &&
    p["sid"].length > 0 &&
    isSession(p["user"])
  );
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => typeof x === "string")
  );
}

function isSession(v: unknown): v is SessionFacts {
  if (typeof v !== "object" || v === null) return false;
  const u = v as Record<string, unknown>;
  const nullableString = (x: unknown): boolean => x === null || typeof x === "string";
  return (
    typeof u["userId"] === "string" &&
    nullableString(u["name"]) &&
    nullableString(u["email"]) &&
    nullableString(u["image"]) &&
    Array.isArray(u["groups"]) &&
    u["groups"].every((g) => typeof g === "string")
  );
}

/** A `Set-Cookie` value with the S-D4 attributes. */
export function setCookieHeader(
  name: string,
  value: string,
  maxAgeSeconds: number,
  secure: boolean,
): string {
  const attributes = [
    `${name}=${value}`,
    "Path=/",
    `Max-Age=${maxAgeSeconds}`,
    "HttpOnly",
    "SameSite=Lax",
  ];
  if (secure) attributes.push("Secure");
  return attributes.join("; ");
}

/** A `Set-Cookie` value that deletes one cookie and nothing else (S-C3, S-W2). */
export function clearCookieHeader(name: string, secure: boolean): string {
  return setCookieHeader(name, "", 0, secure);
}

/** S-R10: at most this many cookies of one name are tried (a tossing attacker can add more). */
export const MAX_COOKIE_CANDIDATES = 8;

/** A cookie pair's name, with the spaces and tabs around the pair removed and nothing else. */
function pairName(part: string, eq: number): string {
  let start = 0;
  let end = eq;
  while (start < end && (part[start] === " " || part[start] === "\t")) start++;
  while (end > start && (part[end - 1] === " " || part[end - 1] === "\t")) end--;
  return part.slice(start, end);
}

function pairValue(part: string, eq: number): string {
  return part.slice(eq + 1).replace(/^[ \t]+|[ \t]+$/g, "");
}

/**
 * Every value of one cookie name, in header order, at most `MAX_COOKIE_CANDIDATES` (S-R10).
 * Names compare byte for byte: no case folding, no decoding.
 */
export function readCookies(header: string | undefined, name: string): string[] {
  if (header === undefined || !header.includes(name)) return [];
  const out: string[] = [];
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && pairName(part, eq) === name) {
      out.push(pairValue(part, eq));
      if (out.length === MAX_COOKIE_CANDIDATES) break;
    }
  }
  return out;
}

/** The first value of one cookie in a `Cookie` header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  return readCookies(header, name)[0] ?? null;
}

/** The `Cookie` header without the engine's cookies; null when nothing is left (S-O3). */
export function stripEngineCookies(header: string): string | null {
  let touched = false;
  for (const name of ENGINE_COOKIES) if (header.includes(name)) touched = true;
  if (!touched) return header;
  const kept = header
    .split(";")
    .map((p) => p.trim())
    .filter((p) => p.length > 0 && !ENGINE_COOKIES.has(pairName(p, Math.max(0, p.indexOf("=")))));
  return kept.length === 0 ? null : kept.join("; ");
}
