/**
 * The proof of work behind challenge mode: ALTCHA challenges (`altcha-lib`), created and
 * verified with secrets derived from the runtime's cookie key, so every instance can verify
 * a challenge another one served. A challenge is bound to the tunnel host and the return
 * target it was served for, expires, and is redeemed at most once: per instance by default,
 * across the fleet when a shared store claims the redemption (S-M1).
 */
import { createHmac } from "node:crypto";
import { createChallenge, randomInt, verifySolution } from "altcha-lib";
import type { Challenge, Solution } from "altcha-lib/types";
import { deriveKey } from "altcha-lib/algorithms/sha";
import type { ResolvedChallengeOptions } from "./options.ts";
import { ReplayCache } from "./replay-cache.ts";

const ALGORITHM = "SHA-256";

/** What the verification page submits. */
export interface SubmittedSolution {
  readonly challenge: Challenge;
  readonly solution: Solution;
}

/** Why a submitted solution was refused; `ok` carries what the challenge was bound to. */
export type SolutionCheck =
  | { readonly status: "ok"; readonly returnTo: string }
  | {
      readonly status:
        "malformed" | "invalid" | "expired" | "wrong_host" | "replayed" | "unavailable";
    };

/** Records a redeemed challenge until it expires; `unavailable` when the store cannot say. */
export type RedeemOnce = (
  key: string,
  expiresAtSeconds: number,
) => Promise<"claimed" | "replayed" | "unavailable">;

/** Creates and verifies challenges for one runtime. */
export class ProofOfWork {
  readonly #options: ResolvedChallengeOptions;
  readonly #signatureSecret: string;
  readonly #keySecret: string;
  readonly #redeem: RedeemOnce;

  constructor(cookieKey: string, options: ResolvedChallengeOptions, redeem?: RedeemOnce) {
    this.#options = options;
    // Separate keys per purpose, derived from the one secret every instance shares.
    this.#signatureSecret = derive(cookieKey, "rampart altcha challenge signature v1");
    this.#keySecret = derive(cookieKey, "rampart altcha derived-key signature v1");
    if (redeem === undefined) {
      const redeemed = new ReplayCache(options.replayCacheSize);
      this.#redeem = (key, expiresAt) =>
        Promise.resolve(redeemed.claim(key, expiresAt) ? "claimed" : "replayed");
    } else {
      this.#redeem = redeem;
    }
  }

  /** A fresh signed challenge for `host`, to return to `returnTo` once solved. */
  create(
    host: string,
    returnTo: string,
    nowSeconds: number = Date.now() / 1000,
  ): Promise<Challenge> {
    const o = this.#options;
    return createChallenge({
      algorithm: ALGORITHM,
      cost: o.cost,
      counter: randomInt(o.counterMax, o.counterMin),
      deriveKey,
      data: { host, return: returnTo },
      expiresAt: Math.floor(nowSeconds) + o.challengeTtlSeconds,
      hmacSignatureSecret: this.#signatureSecret,
      hmacKeySignatureSecret: this.#keySecret,
    });
  }

  /** Verifies a submission for `host`: signature, expiry, work, host binding, then replay. */
  async verify(
    submitted: unknown,
    host: string,
    nowSeconds: number = Date.now() / 1000,
  ): Promise<SolutionCheck> {
    if (!isSubmission(submitted)) return { status: "malformed" };
    const { challenge, solution } = submitted;
    if (challenge.parameters.algorithm !== ALGORITHM) return { status: "invalid" };
    let result;
    try {
      result = await verifySolution({
        challenge,
        solution,
        deriveKey,
        hmacSignatureSecret: this.#signatureSecret,
        hmacKeySignatureSecret: this.#keySecret,
      });
    } catch {
      return { status: "malformed" };
    }
    const expiresAt = challenge.parameters.expiresAt;
    // altcha-lib treats a missing expiry as "never": a challenge without one was not ours.
    if (result.expired || expiresAt === undefined || expiresAt <= nowSeconds)
      return { status: "expired" };
    if (!result.verified) return { status: "invalid" };
    const data = challenge.parameters.data ?? {};
    const returnTo = data["return"];
    if (data["host"] !== host || typeof returnTo !== "string") return { status: "wrong_host" };
    // The signature is unique per challenge and covers every parameter.
    // SAFETY: altcha-lib verified this payload, and a verified payload carries its signature.
    const redeemed = await this.#redeem(challenge.signature as string, expiresAt);
    if (redeemed !== "claimed") return { status: redeemed };
    return { status: "ok", returnTo };
  }
}

function derive(key: string, label: string): string {
  return createHmac("sha256", key).update(label).digest("base64url");
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Shape check only; every value is then verified cryptographically. */
function isSubmission(v: unknown): v is SubmittedSolution {
  if (!isRecord(v) || !isRecord(v["challenge"]) || !isRecord(v["solution"])) return false;
  const challenge = v["challenge"];
  const parameters = challenge["parameters"];
  const solution = v["solution"];
  return (
    isRecord(parameters) &&
    typeof challenge["signature"] === "string" &&
    typeof parameters["algorithm"] === "string" &&
    typeof parameters["nonce"] === "string" &&
    typeof parameters["salt"] === "string" &&
    typeof parameters["keyPrefix"] === "string" &&
    typeof solution["counter"] === "number" &&
    typeof solution["derivedKey"] === "string"
  );
}
