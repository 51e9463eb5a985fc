/**
 * Signed bundles: what a control plane hands a fleet (`rampart compile --sign KEY`, `serve
 * --bundle-url URL --bundle-key PUBKEY`). A JWS in the flattened JSON serialization (jose)
 * whose payload is the bundle file unchanged and whose protected header carries `issued`,
 * the signing time in milliseconds: instances refuse a bundle that is not newer than the one
 * they run, so a replayed old bundle cannot roll a fleet back.
 *
 * Keys are PEM files: Ed25519 (EdDSA) or EC P-256 (ES256) / P-521 (ES512). The algorithm is
 * pinned by the verifying key's type, never read from the bundle.
 */
import { createPrivateKey, createPublicKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { FlattenedSign, flattenedVerify } from "jose";

/** The `typ` of a signed bundle's protected header. */
export const SIGNED_BUNDLE_TYPE = "rampart-bundle+jws";

export type BundleAlgorithm = "EdDSA" | "ES256" | "ES512";

/** A key with the one algorithm it may be used with. */
export interface PinnedBundleKey {
  readonly key: KeyObject;
  readonly alg: BundleAlgorithm;
}

/** A signed bundle whose signature checked out. */
export interface VerifiedBundle {
  /** The bundle file, as `rampart compile` wrote it. */
  readonly text: string;
  /** Signing time, milliseconds since the epoch. */
  readonly issued: number;
}

function algorithmOf(key: KeyObject): BundleAlgorithm {
  if (key.asymmetricKeyType === "ed25519") return "EdDSA";
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType === "ec" && curve === "prime256v1") return "ES256";
  if (key.asymmetricKeyType === "ec" && curve === "secp521r1") return "ES512";
  throw new Error("the key must be Ed25519, EC P-256 or EC P-521");
}

/** Reads a PEM private key for signing; throws with a readable message. */
export function privateBundleKey(pem: string): PinnedBundleKey {
  const key = createPrivateKey(pem);
  return { key, alg: algorithmOf(key) };
}

/** Reads a PEM public key (or the public half of a private key) for verifying. */
export function publicBundleKey(pem: string): PinnedBundleKey {
  const key = createPublicKey(pem);
  return { key, alg: algorithmOf(key) };
}

/**
 * Signs a bundle file's text, or its UTF-8 bytes as the writer made them; `issued` in
 * milliseconds (default now).
 */
export async function signBundle(
  text: string | Uint8Array,
  key: PinnedBundleKey,
  issued: number = Date.now(),
): Promise<string> {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const jws = await new FlattenedSign(bytes)
    .setProtectedHeader({ alg: key.alg, typ: SIGNED_BUNDLE_TYPE, issued })
    .sign(key.key);
  return `${JSON.stringify(jws)}\n`;
}

/** Checks a signed bundle; a string says why it was refused. */
export async function verifySignedBundle(
  signed: string,
  key: PinnedBundleKey,
): Promise<VerifiedBundle | string> {
  let jws: unknown;
  try {
    jws = JSON.parse(signed);
  } catch {
    return "not a signed bundle (not JSON)";
  }
  if (typeof jws !== "object" || jws === null) return "not a signed bundle";
  try {
    const { payload, protectedHeader } = await flattenedVerify(
      jws as Parameters<typeof flattenedVerify>[0],
      key.key,
      { algorithms: [key.alg] },
    );
    const issued = protectedHeader?.["issued"];
    if (protectedHeader?.typ !== SIGNED_BUNDLE_TYPE) return "not a signed bundle (wrong typ)";
    if (typeof issued !== "number" || !Number.isSafeInteger(issued) || issued <= 0)
      return "the signed bundle has no valid `issued` time";
    return { text: new TextDecoder().decode(payload), issued };
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
      ? "the signature does not verify with the bundle key"
      : `the signed bundle is malformed (${code ?? String(error)})`;
  }
}
