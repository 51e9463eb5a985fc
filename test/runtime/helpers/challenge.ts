/** The browser side of the challenge flow (S-C1), as the tests play it. */
import assert from "node:assert/strict";
import { solveChallenge } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/sha";
import type { Challenge, Solution } from "altcha-lib/types";
import type { Reply, Send } from "./http.ts";

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

/** The verification form's POST as the page submits it (for `send`, with port and host). */
export function verifySubmission(payload: {
  readonly challenge: Challenge;
  readonly solution: Solution;
}): Pick<Send, "path" | "method" | "headers" | "body"> {
  return {
    path: "/.well-known/rstream/challenge/verify",
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
    body: verifyFormBody(payload),
  };
}

/** The `Cookie` header a browser sends back for a reply's `Set-Cookie` headers. */
export function cookieHeaderFrom(reply: Reply): string {
  return (reply.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
}
