/**
 * Reads the token that `rampart explain --action` and `rampart token inspect` decide: a JWT,
 * or its claim set as JSON (inline when the argument starts with `{`, else a file holding
 * either). Claims go through the runtime's own checks (`checkClaims`, then lowering to a
 * grant), so the CLI judges exactly the token the proxy would. A JWT's signature is checked
 * when `RAMPART_TOKEN_SECRET` is set; otherwise its claims are read unverified, and the
 * result says so.
 */
import { hash } from "node:crypto";
import { decodeJwt } from "jose";
import type { Diagnostic, Outcome } from "../diagnostics/diagnostic.ts";
import type { TokenFacts } from "../ir/facts.ts";
import { checkClaims } from "../runtime/tokens/claims-schema.ts";
import { claimsToGrant, tokenOwner } from "../runtime/tokens/claims-to-grant.ts";
import { timeStatus } from "../runtime/tokens/claim-times.ts";
import { JwtBackend } from "../runtime/tokens/jwt-backend.ts";
import { loadPinnedKeys } from "../runtime/tokens/keys.ts";
import type { Io } from "./io.ts";
import { readSource } from "./load-policy.ts";

/** The clock skew the runtime allows by default (S-T1), in seconds. */
const CLOCK_SKEW_SECONDS = 300;

/** A token as the decisions see it, and whether its signature was checked. */
export interface ReadToken {
  readonly facts: TokenFacts;
  /** `signature`: verified with the secret; `claims`: given as claims or read unverified. */
  readonly checked: "signature" | "claims";
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function tokenInvalid(reason: string): Outcome<ReadToken> {
  const diagnostic: Diagnostic = {
    code: "RP8950",
    severity: "error",
    message: `invalid token: ${reason}`,
    help: 'give a JWT, or its claim set as JSON (`{"type":"auth","userId":…,"permissions":…,"resources":…}`), inline or in a file',
  };
  return { value: undefined, diagnostics: [diagnostic] };
}

/** Token facts from a claim set, as the JWT backend builds them after a good signature. */
function factsFromClaims(payload: unknown, digest: string, nowSeconds: number): Outcome<ReadToken> {
  const checked = checkClaims(payload);
  if (!checked.ok) return tokenInvalid(checked.reason);
  const claims = checked.claims;
  const lowered = claimsToGrant(claims, digest);
  if ("error" in lowered) return tokenInvalid(lowered.error);
  const grant = lowered.grant;
  const status = timeStatus(claims, nowSeconds, CLOCK_SKEW_SECONDS);
  const facts: TokenFacts = {
    source: "query",
    status,
    id: claims.jti ?? digest,
    type: claims.type,
    lifetimeSeconds:
      claims.exp !== undefined && claims.iat !== undefined ? claims.exp - claims.iat : null,
    grant: status === "valid" ? grant : null,
    subject: claims.sub ?? claims.userId ?? claims.clientId ?? null,
    owner: tokenOwner(claims),
    otherPermissions: lowered.otherPermissions,
  };
  return { value: { facts, checked: "claims" }, diagnostics: [] };
}

async function verified(jwt: string, secret: string): Promise<Outcome<ReadToken>> {
  const diagnostics: Diagnostic[] = [];
  const keys = loadPinnedKeys(
    { secret, publicKeys: [], clockSkewSeconds: CLOCK_SKEW_SECONDS, cacheSize: 0 },
    diagnostics,
  );
  const backend = new JwtBackend(keys, {
    publicKeys: [],
    clockSkewSeconds: CLOCK_SKEW_SECONDS,
    cacheSize: 0,
  });
  const facts = await backend.verify(jwt, "query");
  return { value: { facts, checked: "signature" }, diagnostics };
}

/** Parses the token argument. Never throws for bad input. */
export async function readToken(
  argument: string,
  io: Io,
  nowMs: number = Date.now(),
): Promise<Outcome<ReadToken>> {
  const trimmed = argument.trim();
  const text =
    trimmed.startsWith("{") || JWT_SHAPE.test(trimmed)
      ? trimmed
      : (await readSource(trimmed, io)).text.trim();
  const digest = hash("sha256", text, "base64url");
  if (text.startsWith("{")) {
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      return tokenInvalid("the claim set is not valid JSON");
    }
    return factsFromClaims(payload, digest, nowMs / 1000);
  }
  if (!JWT_SHAPE.test(text)) return tokenInvalid("it is neither a JWT nor a JSON claim set");
  const secret = io.env["RAMPART_TOKEN_SECRET"];
  if (secret !== undefined && secret.length > 0) return verified(text, secret);
  let payload: unknown;
  try {
    payload = decodeJwt(text);
  } catch {
    return tokenInvalid("the JWT's payload cannot be decoded");
  }
  return factsFromClaims(payload, digest, nowMs / 1000);
}
