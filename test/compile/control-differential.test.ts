/**
 * The compiled control plane decides `create`, `list` and `watch` exactly as the reference
 * interpreter (S-T2, S-T3, S-T7), verdicts compared field by field, failures and visible
 * fields included, for owners of every standing (S-T8: a member, an outsider, and nobody
 * answering). Grants and tunnels are drawn once into pools (fixed seed) so that each of
 * the 100,000+ cases per action costs a few index draws, not a fresh random tree; one
 * compiled plane serves every case, so its grant cache (by token id, and by grant object for
 * tokens without one) is exercised too.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compileControlPlane } from "../../src/compile/control-plane.ts";
import type { EffectiveTunnel } from "../../src/bounds/effective.ts";
import { interpretCreate, interpretList, interpretWatch } from "../../src/interpret/index.ts";
import type { TokenFacts, TokenOwner } from "../../src/ir/facts.ts";
import type { GrantIr, GrantNodeIr, TokenType } from "../../src/ir/types.ts";
import {
  arbControlGrant,
  arbControlTunnels,
  controlPolicy,
  controlToken,
} from "../../src/testkit/index.ts";

const CASES = Number(process.env["RAMPART_CONTROL_CASES"] ?? 100_000);
const SEED = 15_015;

const LIST_ANY = { filter: null, path: null, methods: null, select: null };

/**
 * A grant shaped like a watch token (read-only, list on every leaf), so that the watch rule
 * accepts some; `keepFirstMutation` leaves the first leaf's create/connect in place, which an
 * AND then cancels and an OR does not.
 */
function watchShaped(grant: GrantIr, keepFirstMutation: boolean): GrantIr {
  let first = true;
  const walk = (n: GrantNodeIr): GrantNodeIr => {
    if (n.kind !== "leaf") return { ...n, children: n.children.map(walk) };
    const keep = keepFirstMutation && first;
    first = false;
    return {
      ...n,
      list: n.list ?? LIST_ANY,
      create: keep ? n.create : null,
      connect: keep ? n.connect : null,
    };
  };
  return {
    ...grant,
    permissions: ["tunnels.resources.read-only"],
    resources: grant.resources === null ? null : walk(grant.resources),
  };
}

const grants: readonly GrantIr[] = fc
  .sample(arbControlGrant(), { numRuns: 4_000, seed: SEED })
  .map((g, i) => (i % 4 === 0 ? watchShaped(g, i % 8 === 0) : g));
const tunnels: readonly EffectiveTunnel[] = fc
  .sample(arbControlTunnels(), { numRuns: 400, seed: SEED + 1 })
  .flat();
const policy = controlPolicy(tunnels);
const plane = compileControlPlane(policy, 1_000);

const TYPES: readonly (TokenType | null)[] = ["auth", "app", "pat", null];
/** Owners against the pool's member lists (users `u1`, `alice@example.com`; client `c1`). */
const OWNERS: readonly (TokenOwner | null)[] = [
  { kind: "user", id: "u1" },
  { kind: "user", id: "ALICE@example.com" },
  { kind: "user", id: "u2" },
  { kind: "client", id: "c1" },
  { kind: "client", id: "u1" },
  null,
];
/**
 * What the backend says: nothing, or the owner's projects. Mostly "a member of both", so that
 * the watch rule, which few grants of the pool meet, still allows often enough to compare.
 */
const MEMBER_OF: readonly (readonly string[] | null)[] = [
  null,
  null,
  ["proj", "other"],
  ["proj", "other"],
  ["proj", "other"],
  ["proj", "other"],
  ["proj", "other"],
  ["proj"],
  ["other"],
  [],
];
const LIFETIMES: readonly (number | null)[] = [60, 3600, 3601, 0, null];
const FAILED = ["malformed", "bad_signature", "expired", "not_yet_valid"] as const;

/** A token for pool grant `g`: its id is a function of `g` (the cache's contract), or absent. */
const arbTokenOf = (grantIndex: fc.Arbitrary<number>) =>
  fc
    .record({
      g: grantIndex,
      type: fc.nat(TYPES.length - 1),
      lifetime: fc.nat(LIFETIMES.length - 1),
      withId: fc.boolean(),
      status: fc.nat(40),
      owner: fc.nat(OWNERS.length - 1),
      memberOf: fc.nat(MEMBER_OF.length - 1),
    })
    .map(({ g, type, lifetime, withId, status, owner, memberOf }): TokenFacts | null => {
      const grant = grants[g] as GrantIr;
      const token = controlToken(
        grant,
        TYPES[type],
        LIFETIMES[lifetime],
        withId ? `g${g}` : null,
        OWNERS[owner],
        MEMBER_OF[memberOf],
      );
      if (status === 0) return null;
      const failed = FAILED[status - 1];
      return failed === undefined ? token : { ...token, status: failed, grant: null };
    });
const arbToken = arbTokenOf(fc.nat(grants.length - 1));
/** Half of the watch cases draw a watch-shaped grant (every 4th of the pool), so both verdicts occur. */
const arbWatchToken = arbTokenOf(
  fc.oneof(
    fc.nat(grants.length - 1),
    fc.nat(grants.length / 4 - 1).map((i) => i * 4),
  ),
);

/** Runs `check` on CASES values; it returns whether the case was allowed. Both must occur often. */
function runCases<T>(arb: fc.Arbitrary<T>, check: (value: T) => boolean): void {
  let runs = 0;
  let allowed = 0;
  fc.assert(
    fc.property(arb, (value) => {
      runs++;
      if (check(value)) allowed++;
    }),
    { numRuns: CASES, seed: SEED },
  );
  assert.equal(runs, CASES);
  // The generators must reach both verdicts, or agreement would prove little.
  assert.ok(allowed > CASES / 50 && allowed < CASES - CASES / 50, `${allowed} of ${runs} allowed`);
}

describe("compiled control-plane decisions agree with the interpreter", () => {
  it(`S-T2/S-T3/S-T4/S-T8: create, ${CASES} cases`, () => {
    runCases(fc.tuple(arbToken, fc.nat(tunnels.length - 1)), ([token, t]) => {
      const tunnel = tunnels[t] as EffectiveTunnel;
      const compiled = plane.create(token, tunnel);
      assert.deepStrictEqual(compiled, interpretCreate(policy, token, tunnel));
      return compiled.allow;
    });
  });

  it(`S-T3/S-T8: list with filters and select, ${CASES} cases`, () => {
    const arbSlice = fc.tuple(fc.nat(tunnels.length - 1), fc.integer({ min: 1, max: 8 }));
    runCases(fc.tuple(arbToken, arbSlice), ([token, [from, count]]) => {
      const some = tunnels.slice(from, from + count);
      const compiled = plane.list(token, some);
      assert.deepStrictEqual(compiled, interpretList(policy, token, some));
      return compiled.visible.length > 0;
    });
  });

  it(`S-T7/S-T8: watch query tokens, ${CASES} cases`, () => {
    runCases(arbWatchToken, (token) => {
      const compiled = plane.watch(token);
      assert.deepStrictEqual(compiled, interpretWatch(policy, token));
      return compiled.allow;
    });
  });
});
