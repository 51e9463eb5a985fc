/**
 * What the engine itself answers (S-D2): deny bodies as JSON `{"error":{"reason":…}}` or a
 * short HTML page for browsers, RFC 6750 `WWW-Authenticate` on token failures, and the 302
 * redirects of the challenge and login flows.
 */
import type { ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Decision } from "../../ir/decision.ts";

/** Where the challenge and login flows start (served by the flows' own issue). */
export const CHALLENGE_PATH = "/.well-known/rstream/challenge";
export const LOGIN_PATH = "/.well-known/rstream/login";

const TOKEN_REASONS: ReadonlySet<string> = new Set([
  "missing_token",
  "invalid_token",
  "expired_token",
]);

/** The JSON body of an engine error. `policy` is added for `policy_denied` (S-D3). */
export function errorJson(reason: string, policy: string | null): string {
  return JSON.stringify({ error: policy === null ? { reason } : { reason, policy } });
}

/** A short HTML page for browsers; the text is fixed, never echoed from the request. */
export function errorHtml(status: number, reason: string): string {
  const title = `${status} ${STATUS_CODES[status] ?? "Error"}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>Access was refused: ${reason}.</p></body></html>\n`;
}

/** RFC 6750 §3: `error_description` is a quoted string of %x20-21 / %x23-5B / %x5D-7E. */
function description(detail: string): string {
  return detail.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "?").slice(0, 200);
}

/**
 * The `WWW-Authenticate` value for a deny, or null when none belongs there. `detail` is why
 * the backend refused the token, when it says (sent as `error_description`).
 */
export function wwwAuthenticate(
  decision: Decision,
  tokenSent: boolean,
  detail: string | null = null,
): string | null {
  if (decision.status === 401 && TOKEN_REASONS.has(decision.reason)) {
    if (!tokenSent) return 'Bearer realm="rampart"';
    const why = detail === null ? "" : `, error_description="${description(detail)}"`;
    return `Bearer realm="rampart", error="invalid_token"${why}`;
  }
  if (decision.reason === "insufficient_scope")
    return 'Bearer realm="rampart", error="insufficient_scope"';
  return null;
}

/** Writes an engine error response. */
export function sendError(
  res: ServerResponse,
  status: number,
  reason: string,
  policy: string | null,
  html: boolean,
  extra: Readonly<Record<string, string>> = {},
): void {
  const body = html ? errorHtml(status, reason) : errorJson(reason, policy);
  res.writeHead(status, {
    "content-type": html ? "text/html; charset=utf-8" : "application/json",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    ...extra,
  });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

/** Writes the response for a deny decision. */
export function sendDeny(
  res: ServerResponse,
  decision: Decision,
  html: boolean,
  tokenSent: boolean,
  path: string,
  detail: string | null = null,
  headers: Readonly<Record<string, string>> = {},
  status: number = decision.status,
): void {
  const extra: Record<string, string> = { ...headers };
  const challenge = wwwAuthenticate(decision, tokenSent, detail);
  if (challenge !== null) extra["www-authenticate"] = challenge;
  // RFC 9110: a 405 names the methods the endpoint accepts.
  if (decision.status === 405) extra["allow"] = path.endsWith("/logout") ? "POST" : "GET, HEAD";
  sendError(res, status, decision.reason, decision.policy, html, extra);
}

/** A 302 to an engine flow page that returns to `returnTo` (a path and query on this host). */
export function sendRedirect(res: ServerResponse, flowPath: string, returnTo: string): void {
  res.writeHead(302, {
    location: `${flowPath}?return=${encodeURIComponent(returnTo)}`,
    "cache-control": "no-store",
    "content-length": 0,
  });
  res.end();
}

/** A minimal HTTP/1.1 response written straight to a socket (upgrade requests have no res). */
export function rawResponse(
  status: number,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): string {
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}`];
  const all: Record<string, string> = {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    connection: "close",
    ...headers,
  };
  for (const [k, v] of Object.entries(all)) lines.push(`${k}: ${v}`);
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}
