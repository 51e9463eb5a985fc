/**
 * Verification keys, each pinned to one algorithm so that a token can never pick how it is
 * checked (no `alg: none`, no HMAC-with-a-public-key confusion).
 */
import { readFileSync } from "node:fs";
import { createPublicKey, createSecretKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { createRemoteJWKSet, customFetch } from "jose";
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
  /** JWKS keys only: tells when the fetched key set may have changed (see `KeyEpoch`). */
  readonly epoch?: KeyEpoch;
}

/**
 * When a key set may have changed, for caches of verdicts made with it (S-H2, S-R14): `value`
 * moves on whenever the keys may be replaced, and `changing` is true while a replacement is
 * under way. A verdict reached while `changing`, or across a change of `value`, may have used
 * either key set and is not kept.
 */
export interface KeyEpoch {
  readonly value: number;
  readonly changing: boolean;
}

/** Pinned keys read once at start never change. */
export const STATIC_KEYS: KeyEpoch = Object.freeze({ value: 0, changing: false });

/**
 * The epoch of a remote JWKS: `value` moves on at every fetch jose starts (on its cache age or
 * an unknown `kid`), and `changing` is jose's own "a fetch is pending" flag, which it clears
 * only after the new set is in use. Any fetch counts as a change: comparing sets would need the
 * body before jose applies it, and a refetch at most every 30 s (jose's cooldown) costs one
 * verification per token.
 */
class RemoteKeyEpoch implements KeyEpoch {
  #value = 0;
  jwks: { readonly reloading: boolean } | null = null;

  get value(): number {
    return this.#value;
  }

  get changing(): boolean {
    return this.jwks?.reloading ?? false;
  }

  /** A fetch that notes the change before it starts: jose calls it synchronously. */
  readonly fetch = (url: string, init: RequestInit): Promise<Response> => {
    this.#value++;
    return fetch(url, init);
  };
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
    const epoch = new RemoteKeyEpoch();
    const jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
      [customFetch]: epoch.fetch,
    });
    epoch.jwks = jwks;
    for (const alg of PUBLIC_KEY_ALGORITHMS)
      keys.push({ alg, key: jwks, label: options.jwksUrl, clientId: null, epoch });
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
