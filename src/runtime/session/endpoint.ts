/**
 * The rstream Auth login flow (S-H4) under `/.well-known/rstream/`:
 *
 * - `GET …/login?return=/path` — starts an OpenID Connect login: state, nonce and PKCE go
 *   into the short-lived login cookie, the browser goes to the IdP;
 * - `GET …/callback` (configurable) — checks state, exchanges the code with PKCE, checks the
 *   ID token and nonce, sets the signed session cookie (S-D4) and returns to `return`.
 *
 * The session endpoint (S-W1) and logout (S-W2) are answered from the decision elsewhere;
 * whether the signed-in user may use the tunnel is the decision's too (`user_mismatch`).
 * On a tunnel with challenge mode the challenge comes first (S-C5): the flow's pages send a
 * browser without a valid challenge cookie to the verification page.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as oidc from "openid-client";
import type { Logger } from "pino";
import type { EffectiveTunnel } from "../../bounds/effective.ts";
import type { RequestFacts } from "../../ir/facts.ts";
import { SESSION_COOKIE, setCookieHeader, signCookie } from "../cookies.ts";
import { challengePageUrl } from "../challenge/endpoint.ts";
import { LOGIN_PATH } from "../http/respond.ts";
import { PAGE_HEADERS, failurePage } from "../challenge/page.ts";
import { safeReturnTarget } from "../challenge/return-target.ts";
import { IdentityProvider } from "./identity-provider.ts";
import { clearLoginCookieHeader, loginCookieHeader, readLoginState } from "./login-state.ts";
import type { ResolvedRstreamAuthOptions } from "./options.ts";
import { profileFromClaims } from "./profile.ts";

/** Browsers drop cookies above 4 KiB; a session that does not fit is refused, not truncated. */
const MAX_SESSION_COOKIE = 4000;

/** What the login flow needs; built once per runtime. */
export interface SessionContext {
  /** The IdP; null when the runtime has no rstream Auth backend (S-H4). */
  readonly idp: IdentityProvider | null;
  readonly cookieKey: string;
  readonly log: Logger | null;
}

/** Builds the context; `options` undefined means no IdP is configured. */
export function createSessionContext(
  cookieKey: string,
  options: ResolvedRstreamAuthOptions | undefined,
  log: Logger | null = null,
): SessionContext {
  return { idp: options === undefined ? null : new IdentityProvider(options), cookieKey, log };
}

/**
 * Serves the login or callback endpoint for a tunnel with rstream Auth on. Returns false when
 * the path is neither (or rstream Auth is off), leaving the answer to the caller.
 */
export function handleSessionEndpoint(
  req: IncomingMessage,
  res: ServerResponse,
  facts: RequestFacts,
  url: string,
  tunnel: EffectiveTunnel,
  ctx: SessionContext,
): boolean {
  if (!tunnel.auth.rstreamAuth) return false;
  const callbackPath = ctx.idp?.options.callbackPath ?? null;
  if (facts.path !== LOGIN_PATH && facts.path !== callbackPath) return false;
  if (facts.method !== "GET" && facts.method !== "HEAD") {
    page(res, facts, 405, "This address only accepts GET.", "/", { allow: "GET, HEAD" });
    return true;
  }
  if (ctx.idp === null) {
    // S-H4: without an rstream Auth backend, nothing here can sign a user in.
    page(res, facts, 403, "Signing in is not available on this server.", "/");
    return true;
  }
  if (tunnel.challenge && facts.challengeCookie !== "valid") {
    redirect(res, challengePageUrl(url), []);
    return true;
  }
  const idp = ctx.idp;
  const run =
    facts.path === LOGIN_PATH
      ? startLogin(res, facts, url, idp, ctx)
      : finishLogin(req, res, facts, url, idp, ctx);
  run.catch((error: unknown) => {
    ctx.log?.error({ err: error, host: facts.host }, "rstream Auth flow failed unexpectedly");
    if (!res.headersSent) page(res, facts, 500, "Signing in failed.", "/");
  });
  return true;
}

function queryParam(url: string, name: string): string | null {
  const q = url.indexOf("?");
  return q < 0 ? null : new URLSearchParams(url.slice(q + 1)).get(name);
}

/** `scheme://host[:port]` as the browser addressed this tunnel. */
function requestOrigin(req: IncomingMessage, facts: RequestFacts): string {
  const header = (req.headers.host ?? "").toLowerCase();
  const port = header.startsWith(`${facts.host}:`) ? header.slice(facts.host.length + 1) : "";
  // Only the routed host and a numeric port: nothing else from the header reaches a URL.
  const authority = /^[0-9]{1,5}$/.test(port) ? `${facts.host}:${port}` : facts.host;
  return `${facts.secure ? "https" : "http"}://${authority}`;
}

async function startLogin(
  res: ServerResponse,
  facts: RequestFacts,
  url: string,
  idp: IdentityProvider,
  ctx: SessionContext,
): Promise<void> {
  const returnTo = safeReturnTarget(queryParam(url, "return"));
  if (returnTo === null) {
    page(res, facts, 400, "The return address does not belong to this site.", "/");
    return;
  }
  const secrets = IdentityProvider.newSecrets();
  const redirectUri = `${requestOrigin(res.req, facts)}${idp.options.callbackPath}`;
  let target: URL;
  try {
    target = await idp.authorizationUrl(redirectUri, secrets);
  } catch (error) {
    ctx.log?.warn({ err: error, issuer: idp.options.issuer }, "identity provider discovery failed");
    page(
      res,
      facts,
      502,
      "The sign-in service is unreachable. Try again later.",
      LOGIN_PATH + `?return=${encodeURIComponent(returnTo)}`,
    );
    return;
  }
  const cookie = loginCookieHeader(
    { ...secrets, returnTo },
    facts.host,
    idp.options.loginTtlSeconds,
    facts.secure,
    ctx.cookieKey,
  );
  redirect(res, target.href, [cookie]);
}

async function finishLogin(
  req: IncomingMessage,
  res: ServerResponse,
  facts: RequestFacts,
  url: string,
  idp: IdentityProvider,
  ctx: SessionContext,
): Promise<void> {
  const clear = clearLoginCookieHeader(facts.secure);
  const login = readLoginState(
    req.headers.cookie,
    facts.host,
    ctx.cookieKey,
    facts.secure,
    queryParam(url, "state"),
  );
  if (login === null) {
    page(
      res,
      facts,
      400,
      "This sign-in expired or was started elsewhere. Start again.",
      LOGIN_PATH,
      {},
      [clear],
    );
    return;
  }
  const retry = `${LOGIN_PATH}?return=${encodeURIComponent(login.returnTo)}`;
  const origin = requestOrigin(req, facts);
  let user;
  try {
    const claims = await idp.completeLogin(
      new URL(`${origin}${url}`),
      `${origin}${idp.options.callbackPath}`,
      login,
    );
    user = profileFromClaims(claims, idp.options);
  } catch (error) {
    const refused = error instanceof oidc.AuthorizationResponseError;
    ctx.log?.warn({ err: error, host: facts.host, refused }, "rstream Auth callback refused");
    page(
      res,
      facts,
      refused ? 403 : 400,
      refused ? "The sign-in was cancelled or refused." : "The sign-in could not be completed.",
      retry,
      {},
      [clear],
    );
    return;
  }
  const ttl = idp.options.sessionTtlSeconds;
  const value = signCookie(
    {
      kind: "session",
      host: facts.host,
      exp: Math.floor(Date.now() / 1000) + ttl,
      sid: randomBytes(16).toString("base64url"),
      user,
    },
    ctx.cookieKey,
  );
  if (value.length > MAX_SESSION_COOKIE) {
    ctx.log?.error(
      { host: facts.host, bytes: value.length },
      "session cookie too large; the IdP sends too many or too long claims",
    );
    page(res, facts, 500, "Your profile is too large to keep in a session.", "/", {}, [clear]);
    return;
  }
  redirect(res, safeReturnTarget(login.returnTo) ?? "/", [
    clear,
    setCookieHeader(SESSION_COOKIE, value, ttl, facts.secure),
  ]);
}

function page(
  res: ServerResponse,
  facts: RequestFacts,
  status: number,
  message: string,
  retryHref: string,
  headers: Readonly<Record<string, string>> = {},
  cookies: readonly string[] = [],
): void {
  const html = failurePage(status, message, retryHref);
  res.writeHead(status, {
    ...PAGE_HEADERS,
    ...headers,
    "content-length": Buffer.byteLength(html),
    ...(cookies.length === 0 ? {} : { "set-cookie": [...cookies] }),
  });
  res.end(facts.method === "HEAD" ? undefined : html);
}

function redirect(res: ServerResponse, location: string, cookies: readonly string[]): void {
  res.writeHead(302, {
    location,
    "cache-control": "no-store",
    "content-length": 0,
    ...(cookies.length === 0 ? {} : { "set-cookie": [...cookies] }),
  });
  res.end();
}
