/**
 * The three data planes the forward-auth endpoint answers, chosen by the first path segment of
 * the sub-request so that nothing is guessed from headers a client might have written:
 * `/nginx` (nginx `auth_request`), `/traefik` (Traefik ForwardAuth) and `/envoy/<original
 * path>` (Envoy `ext_authz` in HTTP service mode with `path_prefix: /envoy`).
 */

/** Which proxy sent the sub-request; it decides where the original request's facts are read. */
export type ForwardAuthDialect = "nginx" | "traefik" | "envoy";

/** The dialect of a sub-request and, for Envoy, the original path and query after the prefix. */
export interface DialectTarget {
  readonly dialect: ForwardAuthDialect;
  /** Envoy only: the original request target (`/path?query`); null for the others. */
  readonly envoyUri: string | null;
}

/** The path prefix Envoy's `http_service.path_prefix` must be set to. */
export const ENVOY_PREFIX = "/envoy";

/** The targets without an original path, made once (HOT PATH: nothing allocated per sub-request). */
const NGINX: DialectTarget = Object.freeze({ dialect: "nginx", envoyUri: null });
const TRAEFIK: DialectTarget = Object.freeze({ dialect: "traefik", envoyUri: null });

/** The dialect named by a sub-request's target, or null for an unknown path. */
export function dialectOf(url: string): DialectTarget | null {
  if (url === "/nginx") return NGINX;
  if (url === "/traefik") return TRAEFIK;
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  if (path === "/nginx") return NGINX;
  if (path === "/traefik") return TRAEFIK;
  if (url.startsWith(`${ENVOY_PREFIX}/`))
    return { dialect: "envoy", envoyUri: url.slice(ENVOY_PREFIX.length) };
  return null;
}

/**
 * Whether the proxy can take the answer's status as it is. nginx `auth_request` only
 * understands 2xx, 401 and 403 (anything else becomes a 500), so redirects and other denies
 * travel to it as 401/403 plus headers its config turns back into the real response.
 */
export function passesAnyStatus(dialect: ForwardAuthDialect): boolean {
  return dialect !== "nginx";
}
