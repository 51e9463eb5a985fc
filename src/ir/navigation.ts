/**
 * What kind of navigation a request is, read by the challenge gate and the login redirect.
 * One home below both twins (the reference interpreter and the compiler), so they cannot
 * disagree on what may be redirected; matchers, where two independent implementations are the
 * point of the differential test, stay two.
 */
import type { RequestFacts } from "./facts.ts";

/** A GET that is not an upgrade: it can be redirected and retried safely (S-C4, S-R17). */
export function isSafeNavigation(facts: RequestFacts): boolean {
  // S-R17: HEAD counts as non-GET for the challenge gate (S-C4), like every other method.
  return facts.method === "GET" && !facts.upgrade;
}

/** A safe navigation by a browser: the only request sent to an interactive login (S-H4). */
export function isBrowserNavigation(facts: RequestFacts): boolean {
  return isSafeNavigation(facts) && facts.acceptsHtml;
}
