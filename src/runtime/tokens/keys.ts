/**
 * Verification keys, each pinned to one algorithm so that a token can never pick how it is
 * checked (no `alg: none`, no HMAC-with-a-public-key confusion).
 */
import { readFileSync } from "node:fs";
import { createPublicKey, createSecretKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { createRemoteJWKSet } from "jose";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { invalidTokenKey } from "../diagnostics.ts";
import { errorText } from "../tls/certificates.ts";
import type { TokenOptions } from "../options.ts";

/** The asymmetric algorithms accepted from public keys and JWKS. */
export const PUBLIC_KEY_ALGORITHMS = ["EdDSA", "ES256", "ES512"] as const;
export type PublicKeyAlgorithm = (typeof PUBLIC_KEY_ALGORITHMS)[number];

/** A key with the only algorithm it verifies. */
export interface PinnedKey {
  readonly alg: "HS256" | PublicKeyAlgorithm;
  readonly key: KeyObject | ReturnType<typeof createRemoteJWKSet>;
  readonly label: string;
  /**
   * The application client the key is registered for (S-T1): it verifies that client's `app`
   * tokens and nothing else. `null` for the shared secret, unbound public keys and JWKS.
   */
  readonly clientId: string | null;
}

const CURVE_FOR_ALG: Readonly<Record<PublicKeyAlgorithm, string | null>> = {
  EdDSA: null,
  ES256: "prime256v1",
  ES512: "secp521r1",
};

/** Builds the pinned keys from options; bad keys become RP6011 diagnostics. */
export function loadPinnedKeys(options: TokenOptions, diagnostics: Diagnostic[]): PinnedKey[] {
  const keys: PinnedKey[] = [];
  if (options.secret !== undefined) {
    keys.push({
      alg: "HS256",
      key: createSecretKey(Buffer.from(options.secret, "utf8")),
      label: "secret",
      clientId: null,
    });
  }
  for (const entry of options.publicKeys) {
    try {
      const key = createPublicKey(readFileSync(entry.file));
      checkKeyMatchesAlg(key, entry.alg);
      keys.push({ alg: entry.alg, key, label: entry.file, clientId: entry.clientId ?? null });
    } catch (error) {
      diagnostics.push(invalidTokenKey(`\`${entry.file}\``, errorText(error)));
    }
  }
  if (options.jwksUrl !== undefined) {
    const jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
    });
    for (const alg of PUBLIC_KEY_ALGORITHMS)
      keys.push({ alg, key: jwks, label: options.jwksUrl, clientId: null });
  }
  return keys;
}

/**
 * Whether `key` may verify a token of this type and client (S-T1). An `app` token verifies
 * only with a key registered for its `clientId`: a public key bound to that client, a JWKS
 * key whose `kid` is the client id, or the operator's shared secret (which mints every kind
 * of community token). A key bound to a client verifies nothing else.
 */
export function keyServes(
  key: PinnedKey,
  type: unknown,
  clientId: unknown,
  kid: string | undefined,
): boolean {
  if (type !== "app") return key.clientId === null;
  if (typeof clientId !== "string") return false;
  if (key.clientId !== null) return key.clientId === clientId;
  if (typeof key.key === "function") return kid === clientId;
  return key.alg === "HS256";
}

function checkKeyMatchesAlg(key: KeyObject, alg: PublicKeyAlgorithm): void {
  const type = key.asymmetricKeyType;
  if (alg === "EdDSA") {
    if (type !== "ed25519") throw new Error(`an EdDSA key must be Ed25519, not ${String(type)}`);
    return;
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (type !== "ec" || curve !== CURVE_FOR_ALG[alg]) {
    throw new Error(
      `an ${alg} key must be EC on ${String(CURVE_FOR_ALG[alg])}, not ${String(type)} ${String(curve)}`,
    );
  }
}
