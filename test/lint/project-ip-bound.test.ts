// Issue #2 lint speed: RP8002 and RP8003 ask the project's trusted-IP list about one tunnel
// entry at a time through `ProjectIpBound`; its answers must be the set operations' answers
// (S-A3) on every bound and entry, or the rules would report differently.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { intersectIpSets, ipSetCovers } from "../../src/ir/ip.ts";
import type { IpRange } from "../../src/ir/types.ts";
import { ProjectIpBound } from "../../src/lint/project-ip-bound.ts";
import { arbIpSet, IP_ENTRY_POOL } from "../../src/testkit/arbitraries.ts";
import { ipSet } from "../../src/testkit/builders.ts";

const ENTRY_POOL = [...IP_ENTRY_POOL, "10.1.3.0/24", "10.0.0.0/9", "192.0.0.0/8", "2001:db8::/33"];

const arbEntry = (): fc.Arbitrary<IpRange> =>
  fc.constantFrom(...ENTRY_POOL).map((entry) => ipSet(entry).ranges[0] as IpRange);

function keptAsWritten(entry: IpRange, bound: ReturnType<typeof ipSet>): boolean {
  const kept = intersectIpSets({ ranges: [entry] }, bound).ranges;
  return kept.length === 1 && kept[0]?.cidr === entry.cidr;
}

describe("project trusted-IP bound for lint (S-A3)", () => {
  it("coveredBy is ipSetCovers of the single entry", () => {
    let covered = 0;
    fc.assert(
      fc.property(arbIpSet(), arbEntry(), (bound, entry) => {
        const expected = ipSetCovers({ ranges: [entry] }, bound);
        assert.equal(new ProjectIpBound(bound).coveredBy(entry), expected);
        if (expected) covered++;
      }),
      { numRuns: 2000 },
    );
    assert.ok(covered > 0, "some entry covers its bound, so the property is not vacuous");
  });

  it("keepsWhole only when the exact intersection keeps the entry as written", () => {
    let whole = 0;
    fc.assert(
      fc.property(arbIpSet(), arbEntry(), (bound, entry) => {
        if (!new ProjectIpBound(bound).keepsWhole(entry)) return;
        whole++;
        assert.ok(
          keptAsWritten(entry, bound),
          `${entry.cidr} in ${bound.ranges.map((r) => r.cidr)}`,
        );
      }),
      { numRuns: 2000 },
    );
    assert.ok(whole > 0);
  });

  it("keepsWhole finds every entry lying inside one bound block", () => {
    const bound = new ProjectIpBound(ipSet("10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32"));
    const inside = ipSet("10.1.2.0/24").ranges[0] as IpRange;
    const outside = ipSet("11.0.0.0/8").ranges[0] as IpRange;
    const wider = ipSet("0.0.0.0/0").ranges[0] as IpRange;
    assert.equal(bound.keepsWhole(inside), true);
    assert.equal(bound.keepsWhole(outside), false);
    assert.equal(bound.keepsWhole(wider), false);
    assert.equal(bound.coveredBy(wider), false, "an IPv4 entry never covers the IPv6 range");
  });
});
