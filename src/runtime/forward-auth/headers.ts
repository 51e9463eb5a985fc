/**
 * The header vocabulary of forward-auth answers: identity headers the proxy copies onto the
 * upstream request, and the plumbing headers an nginx config reads with `auth_request_set`
 * (nginx can neither rewrite the upstream URI nor learn a redirect target any other way).
 */

/** How the request was authenticated: `token`, `rstream-auth` or `mtls`; absent when anonymous. */
export const AUTH_METHOD_HEADER = "x-rampart-auth-method";
/** Who: the token's `sub` or the session's user id; absent when unknown. */
export const SUBJECT_HEADER = "x-rampart-subject";
/** The tunnel that decided (its name, else its id). */
export const TUNNEL_HEADER = "x-rampart-tunnel";

/** The headers that describe the caller to the upstream; a proxy must never pass a client's copy. */
export const IDENTITY_HEADERS: readonly string[] = [
  AUTH_METHOD_HEADER,
  SUBJECT_HEADER,
  TUNNEL_HEADER,
];

/** nginx: the path and query to send upstream, `rstream.token` removed (S-O3). */
export const FORWARD_URI_HEADER = "x-rampart-forward-uri";
/** nginx: the `Authorization` value to send upstream; absent when it must be dropped (S-O3). */
export const FORWARD_AUTHORIZATION_HEADER = "x-rampart-authorization";
/** nginx: the `Cookie` value to send upstream without the engine's cookies (S-O3). */
export const FORWARD_COOKIE_HEADER = "x-rampart-cookie";

/** nginx: where a 401 should really send the browser (the challenge or login page). */
export const LOCATION_HEADER = "x-rampart-location";
/** nginx: the S-D3 reason of a deny. */
export const REASON_HEADER = "x-rampart-reason";
/** nginx: the status Rampart would have answered, when nginx could only be told 401 or 403. */
export const STATUS_HEADER = "x-rampart-status";
/** nginx: the S-D2 JSON error body, for the config to `return` (no line breaks, ASCII). */
export const ERROR_BODY_HEADER = "x-rampart-error";

/** Envoy: names of upstream request headers the filter removes (`ext_authz` HTTP service). */
export const ENVOY_REMOVE_HEADER = "x-envoy-auth-headers-to-remove";

const VISIBLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * A value safe to put in a header: as is when it is visible ASCII, else percent-encoded
 * (a token subject may be any Unicode string; a header cannot carry it raw).
 */
export function headerSafe(value: string): string {
  return VISIBLE_ASCII.test(value) ? value : encodeURIComponent(value);
}
