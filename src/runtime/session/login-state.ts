/**
 * The login cookie: the state, nonce and PKCE verifier of one login in progress, and where
 * to return afterwards, in the engine's signed-cookie format (S-D4) with kind `login`. It is
 * short-lived, bound to the tunnel host, scoped to the engine's paths (so it never reaches
 * the upstream), and cleared by the callback whatever the outcome.
 */
import { LOGIN_COOKIE, readCookie, signCookie, verifyCookie } from "../cookies.ts";
import type { LoginSecrets } from "./identity-provider.ts";

/** The engine's own paths: the only place the browser sends the login cookie back to. */
const LOGIN_COOKIE_PATH = "/.well-known/rstream/";

/** One login in progress. */
export interface LoginState extends LoginSecrets {
  readonly returnTo: string;
}

/** The `Set-Cookie` value that starts a login. */
export function loginCookieHeader(
  state: LoginState,
  host: string,
  ttlSeconds: number,
  secure: boolean,
  key: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): string {
  const value = signCookie(
    {
      kind: "login",
      host,
      exp: nowSeconds + ttlSeconds,
      data: {
        state: state.state,
        nonce: state.nonce,
        codeVerifier: state.codeVerifier,
        returnTo: state.returnTo,
      },
    },
    key,
  );
  return attributes(`${LOGIN_COOKIE}=${value}`, ttlSeconds, secure);
}

/** The `Set-Cookie` value that ends a login (whatever its outcome). */
export function clearLoginCookieHeader(secure: boolean): string {
  return attributes(`${LOGIN_COOKIE}=`, 0, secure);
}

function attributes(pair: string, maxAge: number, secure: boolean): string {
  const parts = [
    pair,
    `Path=${LOGIN_COOKIE_PATH}`,
    `Max-Age=${maxAge}`,
    "HttpOnly",
    "SameSite=Lax",
  ];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}

/** The login in progress on this host, or null when the cookie is absent, forged or expired. */
export function readLoginState(
  cookieHeader: string | undefined,
  host: string,
  key: string,
): LoginState | null {
  const value = readCookie(cookieHeader, LOGIN_COOKIE);
  if (value === null) return null;
  const checked = verifyCookie(value, "login", host, key);
  if (checked.status !== "valid") return null;
  const { state, nonce, codeVerifier, returnTo } = checked.payload.data;
  if (
    state === undefined ||
    nonce === undefined ||
    codeVerifier === undefined ||
    returnTo === undefined
  )
    return null;
  return { state, nonce, codeVerifier, returnTo };
}
