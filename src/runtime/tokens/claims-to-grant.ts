/**
 * Token claims → the grant decisions evaluate (S-T2, S-T3, S-T5), through the IR stage's
 * `lowerGrantClaims`, so a token's grant means exactly what the same grant means in a policy
 * file. A grant that does not lower (an unsafe regex, a malformed tree) makes the token
 * invalid.
 */
import { lowerGrantClaims } from "../../ir/grant-from-claims.ts";
import type { GrantIr } from "../../ir/types.ts";
import type { TokenClaims } from "./claims-schema.ts";

/** The token's grant, named after its id; null when the claims do not lower. */
export function claimsToGrant(claims: TokenClaims, digest: string): GrantIr | null {
  const name = claims.jti ?? `token:${digest.slice(0, 16)}`;
  // S-T3: a `null` boundary, like an absent one, is every tunnel of the owner's projects.
  const resources = claims.resources === null ? undefined : claims.resources;
  const lowered = lowerGrantClaims({ permissions: claims.permissions, resources }, name);
  if ("error" in lowered) return null;
  return { ...lowered.grant, type: claims.type, expiresAt: claims.exp ?? null };
}
