/**
 * The engine's own endpoints (S-O2), answered on every HTTP tunnel host and never forwarded:
 * `/.well-known/rstream/session` (S-W1) and `/.well-known/rstream/logout` (S-W2).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { EffectiveTunnel } from "../../bounds/effective.ts";
import type { Decision } from "../../ir/decision.ts";
import type { RequestFacts } from "../../ir/facts.ts";
import { SESSION_COOKIE, clearCookieHeader, readCookies, verifyCookie } from "../cookies.ts";
import { RETRY_AFTER_SECONDS, STATE_UNAVAILABLE } from "../state-store/fail-closed.ts";
import type { SharedStateStore } from "../state-store/store.ts";
import { sendError } from "./respond.ts";

/** What logout needs to revoke the session on every instance (S-M2). */
export interface LogoutDeps {
  readonly cookieKey: string;
  readonly store?: SharedStateStore | null;
}

const MAX_LOGOUT_BODY = 64 * 1024;

/** The edge policies active on a tunnel, as `policies` lists them. */
export function activePolicies(tunnel: EffectiveTunnel): string[] {
  const policies: string[] = [];
  if (tunnel.allowedIps !== null) policies.push("trusted-ips");
  if (tunnel.allowedCountries !== null) policies.push("geo-ip");
  if (tunnel.challenge) policies.push("challenge");
  if (tunnel.auth.token) policies.push("token-auth");
  if (tunnel.auth.rstreamAuth) policies.push("rstream-auth");
  if (tunnel.auth.mtls !== null) policies.push("mtls");
  return policies;
}

/** The S-W1 session document, byte for byte in this key order. */
export function sessionDocument(
  decision: Decision,
  facts: RequestFacts,
  tunnel: EffectiveTunnel,
): string {
  const identity = decision.identity;
  if (identity === null) return JSON.stringify({ auth: { authenticated: false } });
  const session = identity.method === "rstream-auth" ? facts.session : null;
  return JSON.stringify({
    auth: { authenticated: true, method: identity.method },
    user: {
      userId: session?.userId ?? identity.subject,
      name: session?.name ?? null,
      email: session?.email ?? null,
      image: session?.image ?? null,
    },
    tunnel: { host: facts.host, workspaceId: tunnel.workspace, projectId: tunnel.projectId },
    policies: activePolicies(tunnel),
  });
}

/** Serves `session` (GET/HEAD) or `logout` (POST) for a `respond` decision. */
export function serveWellKnown(
  req: IncomingMessage,
  res: ServerResponse,
  decision: Decision,
  facts: RequestFacts,
  tunnel: EffectiveTunnel,
  deps: LogoutDeps,
): void {
  if (decision.endpoint === "session") serveSession(req, res, decision, facts, tunnel);
  else if (decision.endpoint === "logout") serveLogout(req, res, decision, facts, deps);
  else sendError(res, 404, "not_allowed", null, facts.acceptsHtml);
}

function serveSession(
  req: IncomingMessage,
  res: ServerResponse,
  decision: Decision,
  facts: RequestFacts,
  tunnel: EffectiveTunnel,
): void {
  const body = sessionDocument(decision, facts, tunnel);
  res.writeHead(200, {
    "content-type": "application/json",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(body),
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

function serveLogout(
  req: IncomingMessage,
  res: ServerResponse,
  decision: Decision,
  facts: RequestFacts,
  deps: LogoutDeps,
): void {
  // Method, Origin/Referer and content type were judged by the decision (S-W2); only the
  // body is left to consume, bounded.
  drainBody(req, MAX_LOGOUT_BODY, (ok) => {
    if (!ok) {
      sendError(res, 413, "not_allowed", null, false);
      return;
    }
    // Only a session-authenticated request has a session to end; the challenge cookie stays (S-C3).
    if (decision.identity?.method !== "rstream-auth") {
      res.writeHead(204, { "cache-control": "no-store" });
      res.end();
      return;
    }
    const clear = clearCookieHeader(SESSION_COOKIE, facts.secure);
    void revokeSession(req, facts, deps).then((revoked) => {
      if (revoked) {
        res.writeHead(204, { "cache-control": "no-store", "set-cookie": clear });
        res.end();
        return;
      }
      // The browser forgets its cookie, but a copy would still work: say so (S-M2).
      sendError(res, 503, STATE_UNAVAILABLE, null, false, {
        "set-cookie": clear,
        "retry-after": RETRY_AFTER_SECONDS,
      });
    });
  });
}

/**
 * Revokes, in the shared store, every valid session the request carries; true when done (or
 * nothing to do). Not only the first cookie of the name: a value tossed in front of it (S-R10)
 * would leave the session that authenticated the request alive for any copy (S-M2).
 */
async function revokeSession(
  req: IncomingMessage,
  facts: RequestFacts,
  deps: LogoutDeps,
): Promise<boolean> {
  const store = deps.store;
  if (store === undefined || store === null) return true;
  const revoked = readCookies(req.headers.cookie, SESSION_COOKIE).map((value) => {
    const checked = verifyCookie(value, "session", facts.host, deps.cookieKey);
    if (checked.status !== "valid") return true;
    return store.revoke({ kind: "session", id: checked.payload.sid, until: checked.payload.exp });
  });
  return (await Promise.all(revoked)).every(Boolean);
}

function drainBody(req: IncomingMessage, limit: number, done: (ok: boolean) => void): void {
  // No body field, no body: Node (`optimizeEmptyRequests`) emits no `end` to wait for.
  if (req.readableEnded) {
    done(true);
    return;
  }
  let size = 0;
  let finished = false;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit && !finished) {
      finished = true;
      req.pause();
      done(false);
    }
  });
  req.on("end", () => {
    if (!finished) {
      finished = true;
      done(true);
    }
  });
}
