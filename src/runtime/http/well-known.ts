/**
 * The engine's own endpoints (S-O2), answered on every HTTP tunnel host and never forwarded:
 * `/.well-known/rstream/session` (S-W1) and `/.well-known/rstream/logout` (S-W2).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { EffectiveTunnel } from "../../bounds/effective.ts";
import type { Decision } from "../../ir/decision.ts";
import type { RequestFacts } from "../../ir/facts.ts";
import { SESSION_COOKIE, clearCookieHeader } from "../cookies.ts";
import { sendError } from "./respond.ts";

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
): void {
  if (decision.endpoint === "session") serveSession(req, res, decision, facts, tunnel);
  else if (decision.endpoint === "logout") serveLogout(req, res, decision, facts);
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
): void {
  // Method, Origin/Referer and content type were judged by the decision (S-W2); only the
  // body is left to consume, bounded.
  drainBody(req, MAX_LOGOUT_BODY, (ok) => {
    if (!ok) {
      sendError(res, 413, "not_allowed", null, false);
      return;
    }
    const headers: Record<string, string> = { "cache-control": "no-store" };
    // Only a session-authenticated request has a session to end; the challenge cookie stays (S-C3).
    if (decision.identity?.method === "rstream-auth") {
      headers["set-cookie"] = clearCookieHeader(SESSION_COOKIE, facts.secure);
    }
    res.writeHead(204, headers);
    res.end();
  });
}

function drainBody(req: IncomingMessage, limit: number, done: (ok: boolean) => void): void {
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
