/** The browser side of the challenge flow (S-C1), as the tests play it. */
import assert from "node:assert/strict";
import { solveChallenge } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/sha";
import type { Challenge, Solution } from "altcha-lib/types";

/** The challenge a verification page embeds: HTML-escaped JSON in `data-challenge`. */
export function challengeInPage(html: string): Challenge {
  const encoded = /data-challenge="([^"]*)"/.exec(html)?.[1];
  assert.ok(encoded !== undefined, "the verification page embeds a challenge");
  return JSON.parse(
    encoded.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))),
  ) as Challenge;
}

/** Solves a challenge with altcha-lib's Node solver, as the page's script does. */
export async function solve(challenge: Challenge, timeoutMs = 10_000): Promise<Solution> {
  const solution = await solveChallenge({ challenge, deriveKey, timeout: timeoutMs });
  assert.ok(solution !== null, "the challenge was solved in time");
  return solution;
}

/** The body of the verification form's POST for `payload` (a challenge and its solution). */
export function verifyFormBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
