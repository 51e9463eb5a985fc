/**
 * The two explicit lists the code-coverage test keeps honest. Each entry says why; the test
 * fails when an entry is no longer true, so the lists only shrink.
 */
import type { DiagnosticCode } from "../../src/diagnostics/codes.ts";

/**
 * Codes of the policy stages (RP1xxx–RP4xxx) that no file in `fixtures/invalid/` can produce
 * through `rampart lint`, with the reason (shown in `docs/codes.md`). They must still be
 * exercised by a unit test of their stage.
 */
export const noFixtureReasons: ReadonlyMap<DiagnosticCode, string> = new Map([
  ["RP1006", "needs a file over 16 Mi characters; the unit test builds one in memory"],
  ["RP1012", "reported by `rampart convert` to the DSL, never by `lint`"],
  ["RP2008", "needs a file over 64 MiB; the unit test lowers the limit instead"],
  [
    "RP2100",
    "the fallback for schema keywords that the policy schema does not use; no document reaches it",
  ],
  [
    "RP4106",
    "RP3301 reports the same plan gating while lowering, and bounds run only on a policy without errors",
  ],
  [
    "RP4107",
    "RP3103 reports every host claimed twice (case-insensitively) while lowering, before bounds run",
  ],
  ["RP4202", "RP3202 reports the cycle while lowering, before bounds run"],
  ["RP4203", "RP3201 reports the unknown parent while lowering, before bounds run"],
  ["RP4204", "RP3203 reports the unknown grant while lowering, before bounds run"],
] as const);

/**
 * Codes that neither a fixture nor any test under `test/` produces yet, by the stage that owns
 * them. A baseline, not a waiver: the test fails when a code here becomes covered (remove it)
 * and when a code outside this list is uncovered.
 */
export const knownCoverageGaps: ReadonlyMap<DiagnosticCode, string> = new Map([
  ["RP2100", "syntax: a unit test of the schema-message fallback"],
  ["RP6003", "runtime: an unusable TLS certificate, key or CA"],
  ["RP6006", "runtime: a TLS tunnel without a certificate for a host"],
  ["RP6008", "runtime: two loaded tunnels serving one host"],
  ["RP6010", "runtime: a listener that cannot bind"],
  ["RP6012", "runtime: an HTTP tunnel without a usable upstream"],
  ["RP9003", "syntax: the formatter's soundness check"],
] as const);
