/**
 * The engine's own endpoints under `/.well-known/rstream/` (SPEC S-O2, S-W1, S-W2). They are
 * answered after edge access passed and never forwarded upstream.
 */
import type { EffectivePolicy, EffectiveTunnel } from "../bounds/effective.ts";
import {
  logoutContentTypeVerdict,
  logoutEndpointVerdict,
  logoutForeignOriginVerdict,
  logoutMethodOverrideVerdict,
  sessionEndpointVerdict,
  wellKnownMethodVerdict,
  wellKnownUnknownVerdict,
} from "../bounds/verdicts.ts";
import type { Decision } from "../ir/decision.ts";
import type { RequestFacts } from "../ir/facts.ts";
import { normalizePath } from "../ir/path.ts";
import { namesTunnelOrigin } from "../ir/origin.ts";
import { identify } from "./credentials.ts";

/** The path prefix of the engine's endpoints. */
export const WELL_KNOWN_PREFIX = "/.well-known/rstream/";

/** Whether the request targets an engine endpoint, judged on the raw and the normalized path. */
export function isWellKnownPath(rawPath: string): boolean {
  // The prefix holds a `.`; a path with no `.` and no escape (which could decode to one)
  // has none after normalization either, so most requests skip normalizing here.
  if (!rawPath.includes(".") && !rawPath.includes("%")) return false;
  const normalized = normalizePath(rawPath);
  const paths = normalized.ok ? [rawPath, normalized.path] : [rawPath];
  return paths.some((p) => p.startsWith(WELL_KNOWN_PREFIX) || p === WELL_KNOWN_PREFIX.slice(0, -1));
}

function endpointOf(rawPath: string): string {
  const normalized = normalizePath(rawPath);
  const path = normalized.ok ? normalized.path : rawPath;
  return path.startsWith(WELL_KNOWN_PREFIX) ? path.slice(WELL_KNOWN_PREFIX.length) : "";
}

/** `Origin` and `Referer`, when present, must name the tunnel origin (scheme, host, port). */
export function sameTunnelOrigin(facts: RequestFacts): boolean {
  return [facts.origin, facts.referer].every(
    (header) => header === null || namesTunnelOrigin(header, facts),
  );
}

/** Accepts no body type or JSON (media type compared without parameters, case-insensitively). */
function acceptableLogoutBody(contentType: string | null): boolean {
  if (contentType === null || contentType.trim() === "") return true;
  return contentType.split(";")[0]?.trim().toLowerCase() === "application/json";
}

/** The engine's answer to a well-known request. */
export function answerWellKnown(
  policy: EffectivePolicy,
  tunnel: EffectiveTunnel,
  facts: RequestFacts,
): Decision {
  switch (endpointOf(facts.path)) {
    case "session":
      if (facts.method !== "GET" && facts.method !== "HEAD")
        return wellKnownMethodVerdict("session");
      return sessionEndpointVerdict(identify(policy, tunnel, facts));
    case "logout":
      if (facts.method !== "POST") return wellKnownMethodVerdict("logout");
      if (!sameTunnelOrigin(facts)) return logoutForeignOriginVerdict();
      if (!acceptableLogoutBody(facts.contentType)) return logoutContentTypeVerdict();
      // S-R12: a POST asking to be read as another method is not a logout.
      if (facts.methodOverride === true) return logoutMethodOverrideVerdict();
      return logoutEndpointVerdict(identify(policy, tunnel, facts));
    default:
      return wellKnownUnknownVerdict();
  }
}
