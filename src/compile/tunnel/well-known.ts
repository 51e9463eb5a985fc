/**
 * The engine's endpoints under `/.well-known/rstream/` (SPEC S-O2, S-W1, S-W2), as the
 * compiled pipeline answers them: the same rules as the reference interpreter (judged on the
 * raw and the normalized path; logout only by POST from the tunnel origin with no body type or
 * JSON). Not a hot path: these requests are rare, so the code favours plainness.
 */
import {
  logoutContentTypeVerdict,
  logoutEndpointVerdict,
  logoutForeignOriginVerdict,
  logoutMethodOverrideVerdict,
  sessionEndpointVerdict,
  wellKnownMethodVerdict,
  wellKnownUnknownVerdict,
} from "../../bounds/verdicts.ts";
import type { Decision } from "../../ir/decision.ts";
import type { RequestFacts } from "../../ir/facts.ts";
import { namesTunnelOrigin } from "../../ir/origin.ts";
import type { CredentialChecks } from "./credentials.ts";

const PREFIX = "/.well-known/rstream/";
const BARE = "/.well-known/rstream";

const DOT = 46;

function namesEndpoint(path: string): boolean {
  // HOT PATH: almost no path has a `.` as its second character, so one read settles it.
  return path.charCodeAt(1) === DOT && (path.startsWith(PREFIX) || path === BARE);
}

/** Whether the raw or the normalized path names an engine endpoint. */
export function isWellKnown(rawPath: string, normalizedPath: string | null): boolean {
  if (namesEndpoint(rawPath)) return true;
  return normalizedPath !== null && normalizedPath !== rawPath && namesEndpoint(normalizedPath);
}

function sameOrigin(header: string | null, facts: RequestFacts): boolean {
  return header === null || namesTunnelOrigin(header, facts);
}

function jsonOrNoBody(contentType: string | null): boolean {
  if (contentType === null || contentType.trim() === "") return true;
  return contentType.split(";")[0]?.trim().toLowerCase() === "application/json";
}

/** The engine's answer to a well-known request. */
export function answerWellKnown(
  facts: RequestFacts,
  normalizedPath: string | null,
  checks: CredentialChecks,
): Decision {
  const path = normalizedPath ?? facts.path;
  const endpoint = path.startsWith(PREFIX) ? path.slice(PREFIX.length) : "";
  if (endpoint === "session") {
    if (facts.method !== "GET" && facts.method !== "HEAD") return wellKnownMethodVerdict("session");
    return sessionEndpointVerdict(checks.identify(facts, normalizedPath));
  }
  if (endpoint === "logout") {
    if (facts.method !== "POST") return wellKnownMethodVerdict("logout");
    if (!sameOrigin(facts.origin, facts) || !sameOrigin(facts.referer, facts))
      return logoutForeignOriginVerdict();
    if (!jsonOrNoBody(facts.contentType)) return logoutContentTypeVerdict();
    if (facts.methodOverride === true) return logoutMethodOverrideVerdict();
    return logoutEndpointVerdict(checks.identify(facts, normalizedPath));
  }
  return wellKnownUnknownVerdict();
}
