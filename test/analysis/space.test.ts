// Issue #8 building blocks: address classes (S-A3, including IPv4-mapped IPv6), CIDR cover
// of intervals, and the explorer that enumerates a pure function's decision tree by the
// inputs it reads.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { explore, NeedDimension } from "../../src/analysis/space/explore.ts";
import type { Atom } from "../../src/analysis/space/explore.ts";
import { intervalToCidrs, ipClasses, ipMembership } from "../../src/analysis/space/ip-space.ts";
import { ipInSet } from "../../src/ir/ip.ts";
import { ipSet } from "../../src/testkit/builders.ts";

describe("address classes (S-A3)", () => {
  const sets = [ipSet("10.0.0.0/8", "2001:db8::/32"), ipSet("10.1.0.0/16"), ipSet("192.0.2.0/24")];

  it("each class's witness is in exactly the lists its membership says", () => {
    for (const c of ipClasses(sets)) {
      assert.deepEqual(
        sets.map((s) => ipInSet(c.witness, s)),
        c.member,
      );
    }
  });

  it("agrees with the reference `ipInSet` on random addresses, mapped IPv6 included (2,000)", () => {
    const addresses = fc.oneof(
      fc.ipV4(),
      fc.ipV4().map((a) => `::ffff:${a}`),
      fc.constantFrom("10.1.255.255", "10.2.0.0", "2001:db8::1", "2001:db9::", "::ffff:10.1.2.3"),
    );
    fc.assert(
      fc.property(addresses, (a) => {
        assert.deepEqual(
          ipMembership(sets, a),
          sets.map((s) => ipInSet(a, s)),
        );
      }),
      { numRuns: 2_000 },
    );
  });

  it("covers an interval with the fewest CIDR blocks", () => {
    assert.deepEqual(intervalToCidrs({ family: 4, lo: 0x0a000000n, hi: 0x0a00ffffn }), [
      "10.0.0.0/16",
    ]);
    assert.deepEqual(intervalToCidrs({ family: 4, lo: 0x0a000001n, hi: 0x0a000004n }), [
      "10.0.0.1/32",
      "10.0.0.2/31",
      "10.0.0.4/32",
    ]);
  });
});

describe("explore", () => {
  const atoms = (d: string): Atom[] =>
    [0, 1, 2].map((i) => ({ id: `${d}${i}`, label: `${d}=${i}` }));

  it("branches only on the dimensions the function reads, and covers the space once", () => {
    const leaves: string[] = [];
    explore<Atom, string>(new Map(), {
      atoms: (d) => atoms(d),
      // Reads `b` only when `a` is a0: the tree has 3 + 2 leaves, not 9.
      evaluate: (get) => (get("a").id === "a0" ? `a0/${get("b").id}` : get("a").id),
      onLeaf: (assignment, result) => leaves.push(`${[...assignment.keys()].join("")}:${result}`),
    });
    assert.deepEqual(leaves, ["ab:a0/b0", "ab:a0/b1", "ab:a0/b2", "a:a1", "a:a2"]);
  });

  it("branches on a dimension's dependency first", () => {
    const seen: string[] = [];
    explore<Atom, string>(new Map(), {
      atoms: (d, get) => (d === "ip" ? [{ id: `ip-for-${get("host").id}`, label: "" }] : atoms(d)),
      evaluate: (get) => get("ip").id,
      onLeaf: (_a, r) => seen.push(r),
    });
    assert.deepEqual(seen, ["ip-for-host0", "ip-for-host1", "ip-for-host2"]);
  });

  it("the signal is not an Error (no stack capture on the hot path)", () => {
    assert.ok(!((new NeedDimension("x") as unknown) instanceof Error));
  });
});
