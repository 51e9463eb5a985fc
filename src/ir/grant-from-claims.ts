/**
 * Token claims → a grant (SPEC S-T2, S-T3): the runtime's entry to the same normalization
 * and checks that policy files get. The runtime validates the claims' shape (ajv) first; this
 * normalizes them and checks regexes, globs, paths, addresses and countries. It imports no
 * front end, so a runtime can use it without the parser.
 */
import type { GrantNodeDoc } from "../syntax/model.ts";
import { collectingContext } from "./lower-context.ts";
import { lowerGrantNode, lowerPermissions } from "./lower-grant.ts";
import type { GrantIr, Permission } from "./types.ts";

/** The grant-carrying claims of a token, shape-checked by the caller. */
export interface GrantClaims {
  readonly permissions?: unknown;
  readonly resources?: unknown;
}

/**
 * Lowers the `permissions` and `resources` claims of a token into a grant named `name`
 * (`type`, `parent` and `expiresAt` are left `null` for the caller, which knows them from the
 * other claims). The first error found is returned as a reason: the token is then invalid.
 */
export function lowerGrantClaims(
  claims: GrantClaims,
  name = "token",
): { grant: GrantIr } | { error: string } {
  const { permissions: rawPermissions, resources: rawResources } = claims;
  const permissionsOk =
    rawPermissions === undefined ||
    rawPermissions === null ||
    (Array.isArray(rawPermissions) && rawPermissions.every((p) => typeof p === "string"));
  const resourcesOk =
    rawResources === undefined ||
    (typeof rawResources === "object" &&
      rawResources !== null &&
      typeof (rawResources as { tunnels?: unknown }).tunnels === "object");
  if (!permissionsOk || !resourcesOk) return { error: "the token's grant claims are malformed" };
  const ctx = collectingContext();
  try {
    const permissions = lowerPermissions(
      claims.permissions as readonly Permission[] | null | undefined,
    );
    const resources = rawResources as { tunnels: GrantNodeDoc } | undefined;
    const grant: GrantIr = {
      name,
      type: null,
      parent: null,
      expiresAt: null,
      permissions,
      resources:
        resources === undefined
          ? null
          : lowerGrantNode(resources.tunnels, "/resources/tunnels", ctx),
      spans: {},
    };
    const error = ctx.diagnostics.find((d) => d.severity === "error");
    return error === undefined ? { grant } : { error: error.message };
  } catch {
    // Only reachable when the caller skipped shape validation: refuse, never crash.
    return { error: "the token's grant claims are malformed" };
  }
}
