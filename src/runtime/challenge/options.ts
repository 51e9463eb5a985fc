/**
 * Options of challenge mode (S-C1…S-C5), part of the runtime options under `challenge`. The
 * proof of work is ALTCHA's SHA-256 scheme in deterministic mode: the browser tries counters
 * from 0 until one derives the signed key prefix, so `counterMin`…`counterMax` bounds the
 * expected work (each try is `cost` SHA-256 rounds).
 */
import { z } from "zod";

/** The schema of `challenge` in the runtime options. */
export const ChallengeOptionsSchema = z
  .strictObject({
    /** SHA-256 rounds per try. */
    cost: z.number().int().min(1).max(10_000).default(4),
    /** The secret counter is drawn from this range; the browser's work is about its value. */
    counterMin: z.number().int().min(1).max(10_000_000).default(20_000),
    counterMax: z.number().int().min(1).max(10_000_000).default(60_000),
    /** How long a served challenge may be solved and submitted. */
    challengeTtlSeconds: z.number().int().min(10).max(3600).default(300),
    /** Lifetime of the challenge cookie once earned. */
    cookieTtlSeconds: z
      .number()
      .int()
      .min(60)
      .max(30 * 86_400)
      .default(86_400),
    /** Solved challenges remembered per instance to refuse replays (memory bound). */
    replayCacheSize: z.number().int().min(100).max(10_000_000).default(100_000),
  })
  .refine((o) => o.counterMin <= o.counterMax, {
    message: "counterMin must not exceed counterMax",
    path: ["counterMin"],
  });

/** Challenge options as callers write them. */
export type ChallengeOptions = z.input<typeof ChallengeOptionsSchema>;
/** Challenge options with defaults filled. */
export type ResolvedChallengeOptions = z.output<typeof ChallengeOptionsSchema>;

/** The defaults, for a runtime whose options leave `challenge` out. */
export const DEFAULT_CHALLENGE_OPTIONS: ResolvedChallengeOptions = ChallengeOptionsSchema.parse({});
