/**
 * Child of esm-differential.test.ts, run under `node --disallow-code-generation-from-strings`:
 * random policies, each emitted as an ES module (`rampart compile --target esm`'s emitter),
 * imported, and asked the same random requests and handshakes as the reference interpreter.
 * Prints one JSON line: how many decisions were compared, and the first mismatch if any.
 */
import fc from "fast-check";
import { isDeepStrictEqual } from "node:util";
import { emitEsmModule } from "../../../src/compile/esm/emit-module.ts";
import { bundleEsmEngine } from "../../../src/compile/esm/engine-source.ts";
import type { CompiledPolicy } from "../../../src/compile/engine.ts";
import type { Decision, HandshakeDecision } from "../../../src/ir/decision.ts";
import type { HandshakeFacts, RequestFacts } from "../../../src/ir/facts.ts";
import { irKey } from "../../../src/ir/equal.ts";
import { canonicalJson } from "../../../src/compile/bundle/canonical-json.ts";
import { interpretHandshake, interpretRequest } from "../../../src/interpret/index.ts";
import type { EffectiveTunnel } from "../../../src/bounds/effective.ts";
import type { ControlDecision, ListDecision } from "../../../src/compile/index.ts";
import type { TokenFacts } from "../../../src/ir/facts.ts";
import {
  arbControlCase,
  interpreterControlEngine,
  arbEffectivePolicy,
  arbHandshakeFacts,
  arbRequestFacts,
} from "../../../src/testkit/index.ts";

interface GeneratedModule {
  readonly create: (token: TokenFacts | null, tunnel: EffectiveTunnel) => ControlDecision;
  readonly list: (token: TokenFacts | null) => ListDecision;
  readonly watch: (token: TokenFacts | null) => ControlDecision;
  readonly request: (facts: RequestFacts) => Decision;
  readonly handshake: (facts: HandshakeFacts) => HandshakeDecision;
  readonly policies: readonly CompiledPolicy[];
}

const [policyCount = "50", requestsPerPolicy = "2000", seed = "42", controlCount = "200"] =
  process.argv.slice(2);

/** Tokens with the same id carry the same grant (the runtime's contract; see differential.test.ts). */
function withStableTokenId(facts: RequestFacts): RequestFacts {
  const token = facts.token;
  if (token === null || token.grant === null) return facts;
  return { ...facts, token: { ...token, id: irKey(token.grant) } };
}

let evalBlocked = false;
try {
  // eslint-disable-next-line no-eval -- proves the flag is on: this must throw
  eval("1");
} catch {
  evalBlocked = true;
}

const engine = await bundleEsmEngine(true);
// Requests are drawn per policy, so only one policy's requests are held at a time.
const policies = fc.sample(arbEffectivePolicy(), {
  numRuns: Number(policyCount),
  seed: Number(seed),
});

let decisions = 0;
let mismatch: unknown = null;
for (const [i, policy] of policies.entries()) {
  const draw = { seed: Number(seed) + i + 1 };
  const requests = fc.sample(arbRequestFacts(policy), {
    ...draw,
    numRuns: Number(requestsPerPolicy),
  });
  const handshakes = fc.sample(arbHandshakeFacts(), { ...draw, numRuns: 16 });
  const code = emitEsmModule([policy], [], engine).code;
  const url = `data:text/javascript;base64,${Buffer.from(code).toString("base64")}`;
  const module = (await import(url)) as GeneratedModule;
  for (const raw of requests) {
    const facts = withStableTokenId(raw);
    const expected = interpretRequest(policy, facts).decision;
    const actual = module.request(facts);
    decisions++;
    if (!isDeepStrictEqual(actual, expected)) {
      mismatch ??= { kind: "request", facts, expected, actual };
    }
  }
  for (const facts of handshakes) {
    const expected = interpretHandshake(policy, facts).decision;
    const actual = module.handshake(facts);
    decisions++;
    if (!isDeepStrictEqual(actual, expected)) {
      mismatch ??= { kind: "handshake", facts, expected, actual };
    }
  }
  if (mismatch !== null) break;
}
// The control plane: create, list and watch through the module's exports (the compiled control
// plane itself has its own 100,000-case differential; this checks the module carries it intact).
const controlCases = fc.sample(arbControlCase(), {
  numRuns: Number(controlCount),
  seed: Number(seed),
});
for (const { policy, token } of controlCases) {
  if (mismatch !== null) break;
  const code = emitEsmModule([policy], [], engine).code;
  const url = `data:text/javascript;base64,${Buffer.from(code).toString("base64")}`;
  const module = (await import(url)) as GeneratedModule;
  // The module carries the policy as JSON (a key whose value is undefined is not written), so
  // the oracle decides on the module's copy, after checking the copy is the policy.
  const carried = module.policies[0]?.policy;
  if (carried === undefined || canonicalJson(carried) !== canonicalJson({ ...policy, tests: [] })) {
    mismatch ??= { kind: "carried policy differs" };
    break;
  }
  const oracle = interpreterControlEngine(carried);
  for (const tunnel of carried.tunnels) {
    decisions++;
    if (!isDeepStrictEqual(module.create(token, tunnel), oracle.create(token, tunnel))) {
      mismatch ??= { kind: "create", tunnel: tunnel.id };
    }
  }
  decisions += 2;
  if (!isDeepStrictEqual(module.list(token), oracle.list(token))) mismatch ??= { kind: "list" };
  if (!isDeepStrictEqual(module.watch(token), oracle.watch(token))) mismatch ??= { kind: "watch" };
}
process.stdout.write(`${JSON.stringify({ evalBlocked, decisions, mismatch })}\n`);
