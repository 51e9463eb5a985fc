/**
 * Token claims → the grant decisions evaluate (S-T2, S-T3, S-T5), through the IR stage's
 * `lowerGrantClaims`, so a token's grant means exactly what the same grant means in a policy
 * file. A grant that does not lower (an unsafe regex, a malformed tree) makes the token
 * invalid, with the reason.
 */
import type { TokenOwner } from "../../ir/facts.ts";
import { lowerGrantClaims } from "../../ir/grant-from-claims.ts";
import type { GrantIr, Permission } from "../../ir/types.ts";
import { ENGINE_PERMISSIONS } from "./claims-schema.ts";
import type { TokenClaims } from "./claims-schema.ts";

/** A lowered token: its grant, and the permissions it carries for other surfaces. */
export interface LoweredClaims {
  readonly grant: GrantIr;
  readonly otherPermissions: readonly string[];
}

function isEnginePermission(name: string): name is Permission {
  return (ENGINE_PERMISSIONS as readonly string[]).includes(name);
}

/**
 * The token's grant, named after its id; the reason when the claims do not lower. Only the
 * engine's permissions enter the grant (S-T2): a platform token may also carry those of the
 * account, network, WebTTY or TURN surfaces, which grant nothing here and are kept apart.
 */
export function claimsToGrant(
  claims: TokenClaims,
  digest: string,
): LoweredClaims | { error: string } {
  const name = claims.jti ?? `token:${digest.slice(0, 16)}`;
  // S-T3: a `null` boundary, like an absent one, is every tunnel of the owner's projects.
  const resources = claims.resources === null ? undefined : claims.resources;
  const listed = claims.permissions;
  const permissions =
    listed === undefined || listed === null ? listed : listed.filter(isEnginePermission);
  const lowered = lowerGrantClaims({ permissions, resources }, name);
  if ("error" in lowered) return lowered;
  return {
    grant: { ...lowered.grant, type: claims.type, expiresAt: claims.exp ?? null },
    otherPermissions: listed?.filter((p) => !isEnginePermission(p)) ?? [],
  };
}

/** Who the token speaks for (S-T8): `clientId` for `app`, `userId` or `sub` otherwise. */
export function tokenOwner(claims: TokenClaims): TokenOwner | null {
  if (claims.type === "app")
    return claims.clientId === undefined ? null : { kind: "client", id: claims.clientId };
  const user = claims.type === "auth" ? (claims.userId ?? claims.sub) : claims.sub;
  return user === undefined ? null : { kind: "user", id: user };
}
