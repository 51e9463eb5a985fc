/**
 * Runs the tests written in a policy file (`rampart test`): each test request is decided (the
 * handshake first when the test gives TLS facts) and compared with its expectation. The
 * reference interpreter decides by default; the compiler passes its own engine so the same
 * tests check compiled decisions. A failure carries the interpreter's trace.
 */
import type { EffectivePolicy } from "../bounds/effective.ts";
import { handshakeRefusedDecision } from "../bounds/handshake-verdicts.ts";
import { noRouteVerdict } from "../bounds/verdicts.ts";
import type { Span } from "../diagnostics/span.ts";
import { interpretHandshake } from "../interpret/handshake.ts";
import { interpretRequest } from "../interpret/request.ts";
import type { TraceStep } from "../interpret/trace.ts";
import type { Decision, HandshakeDecision } from "../ir/decision.ts";
import type { HandshakeFacts, RequestFacts } from "../ir/facts.ts";
import type { PolicyTestIr } from "../ir/types.ts";
import { handshakeFactsOf, requestFactsOf } from "./facts.ts";

/** Whatever decides: the interpreter, or a compiled policy (`CompiledPolicy` fits). */
export interface PolicyTestEngine {
  request(facts: RequestFacts): Decision;
  handshake(facts: HandshakeFacts): HandshakeDecision;
}

/** The outcome of one policy test. */
export interface TestResult {
  readonly name: string;
  readonly origin: Span | null;
  readonly expected: PolicyTestIr["expect"];
  readonly actual: Decision;
  readonly pass: boolean;
  /** The expectation fields that differ (`outcome`, `status`, `reason`, `policy`). */
  readonly mismatches: readonly string[];
  /** The interpreter's trace, on failure only. */
  readonly trace: readonly TraceStep[] | null;
}

/** The reference interpreter as an engine. */
export function interpreterEngine(policy: EffectivePolicy): PolicyTestEngine {
  return {
    request: (facts) => interpretRequest(policy, facts).decision,
    handshake: (facts) => interpretHandshake(policy, facts).decision,
  };
}

function mismatchesOf(expected: PolicyTestIr["expect"], actual: Decision): string[] {
  const out: string[] = [];
  if (expected.outcome !== actual.outcome) out.push("outcome");
  if (expected.status !== null && expected.status !== actual.status) out.push("status");
  if (expected.reason !== null && expected.reason !== actual.reason) out.push("reason");
  if (expected.policy !== null && expected.policy !== actual.policy) out.push("policy");
  return out;
}

/** Decides one test with `engine`; also returns the interpreter's trace of the same facts. */
function decideTest(
  policy: EffectivePolicy,
  test: PolicyTestIr,
  engine: PolicyTestEngine,
): { decision: Decision; trace: readonly TraceStep[] } {
  const facts = requestFactsOf(policy, test.request);
  if (facts === null) return { decision: noRouteVerdict(), trace: [] };
  const shake = handshakeFactsOf(test.request, facts.host);
  if (shake !== null) {
    const handshake = engine.handshake(shake);
    if (!handshake.allow) {
      return {
        decision: handshakeRefusedDecision(handshake),
        trace: interpretHandshake(policy, shake).trace,
      };
    }
  }
  const trace = [
    ...(shake !== null ? interpretHandshake(policy, shake).trace : []),
    ...interpretRequest(policy, facts).trace,
  ];
  return { decision: engine.request(facts), trace };
}

/** Runs every test of the policy, in file order. */
export function runPolicyTests(
  policy: EffectivePolicy,
  engine: PolicyTestEngine = interpreterEngine(policy),
): TestResult[] {
  return policy.tests.map((test) => {
    const { decision, trace } = decideTest(policy, test, engine);
    const mismatches = mismatchesOf(test.expect, decision);
    const pass = mismatches.length === 0;
    return {
      name: test.name,
      origin: test.origin ?? null,
      expected: test.expect,
      actual: decision,
      pass,
      mismatches,
      trace: pass ? null : trace,
    };
  });
}
