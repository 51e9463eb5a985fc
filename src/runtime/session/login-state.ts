/**
 * The login cookie: the state, nonce and PKCE verifier of one login in progress, and where
 * to return afterwards, in the engine's signed-cookie format (S-D4) with kind `login`. It is
 * short-lived, bound to the tunnel host, never forwarded to the upstream (S-O3), and cleared
 * by the callback whatever the outcome. Over TLS it is a `__Host-` cookie, which a sibling
 * host cannot set (S-R10); over plain HTTP it is scoped to the engine's paths.
 */
import {
  LOGIN_COOKIE,
  SECURE_LOGIN_COOKIE,
  readCookies,
  signCookie,
  verifyCookie,
} from "../cookies.ts";
import type { LoginSecrets } from "./identity-provider.ts";

/** The engine's own paths: where the browser sends the plain-HTTP login cookie back to. */
const LOGIN_COOKIE_PATH = "/.well-known/rstream/";

/** The login cookie's name: `__Host-` over TLS, where browsers honour the prefix. */
function loginCookieName(secure: boolean): string {
  return secure ? SECURE_LOGIN_COOKIE : LOGIN_COOKIE;
}

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
  return attributes(`${loginCookieName(secure)}=${value}`, ttlSeconds, secure);
}

/** The `Set-Cookie` value that ends a login (whatever its outcome). */
export function clearLoginCookieHeader(secure: boolean): string {
  return attributes(`${loginCookieName(secure)}=`, 0, secure);
}

function attributes(pair: string, maxAge: number, secure: boolean): string {
  const parts = [
    pair,
    // `__Host-` requires `Path=/`; the forwarder strips the cookie from upstream requests.
    `Path=${secure ? "/" : LOGIN_COOKIE_PATH}`,
    `Max-Age=${maxAge}`,
    "HttpOnly",
    "SameSite=Lax",
  ];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}

/**
 * The login in progress on this host, or null when no login cookie is valid (absent, forged,
 * expired). `secure`: the request came over TLS, where only the `__Host-` name is read.
 * Every candidate of the name counts (S-R10): the one whose `state` is the callback's, else
 * the first valid one (whose state the callback then fails). So a login cookie tossed in
 * front of the browser's own never locks the user out. Over plain HTTP it can still sign the
 * user in as the tosser: one signed for a login the tosser started here, sent with the
 * callback of that login, is the one whose state matches (login CSRF). Over TLS a sibling
 * host cannot set the `__Host-` name, so it has no such cookie to toss.
 */
export function readLoginState(
  cookieHeader: string | undefined,
  host: string,
  key: string,
  secure: boolean,
  callbackState: string | null = null,
): LoginState | null {
  let first: LoginState | null = null;
  for (const value of readCookies(cookieHeader, loginCookieName(secure))) {
    const login = validLogin(value, host, key);
    if (login === null) continue;
    if (login.state === callbackState) return login;
    first ??= login;
  }
  return first;
}

function validLogin(value: string, host: string, key: string): LoginState | null {
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
