// Issue #19 (lint of 10,000 tunnels): IPv4 containment on numbers must give `blockContains`'s
// answer (S-A3) on every pair of IPv4 blocks, high addresses (>= 2^31, where 32-bit shifts
// turn negative) and prefixes 0 and 32 included, or lint's obvious client address and the
// project bound would drift from the set operations.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ipv4Block, ipv4Contains } from "../../src/analysis/ipv4-blocks.ts";
import type { IpBlock } from "../../src/ir/ip.ts";
import { blockContains, rangeToBlock } from "../../src/ir/ip.ts";
import { ipSet } from "../../src/testkit/builders.ts";
import type { IpRange } from "../../src/ir/types.ts";

/** An IPv4 block: a 32-bit address with the bits below its prefix cleared. */
const arbBlock = (): fc.Arbitrary<IpBlock> =>
  fc
    .tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 }))
    .map(([address, prefix]) => {
      const size = 2 ** (32 - prefix);
      return { family: 4, network: BigInt(Math.floor(address / size) * size), prefix };
    });

/** A pair that is often nested: the inner block is the outer one narrowed below it. */
const arbNestedPair = (): fc.Arbitrary<[IpBlock, IpBlock]> =>
  fc
    .tuple(arbBlock(), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }))
    .map(([outer, extra, bits]) => {
      const prefix = Math.min(32, outer.prefix + extra);
      const hostSize = 2 ** (32 - outer.prefix);
      const size = 2 ** (32 - prefix);
      const inside = Number(outer.network) + (bits % hostSize);
      return [outer, { family: 4, network: BigInt(Math.floor(inside / size) * size), prefix }];
    });

describe("IPv4 blocks on numbers (S-A3)", () => {
  it("ipv4Contains is blockContains on any two IPv4 blocks", () => {
    let held = 0;
    fc.assert(
      fc.property(fc.oneof(fc.tuple(arbBlock(), arbBlock()), arbNestedPair()), ([outer, inner]) => {
        const a = ipv4Block(outer);
        const b = ipv4Block(inner);
        assert.ok(a !== null && b !== null);
        const expected = blockContains(outer, inner);
        assert.equal(ipv4Contains(a.network, a.prefix, b.network, b.prefix), expected);
        if (expected) held++;
      }),
      { numRuns: 3000 },
    );
    assert.ok(held > 100, "many pairs are nested, so both answers are checked");
  });

  it("an IPv6 block has no IPv4 form", () => {
    const block = rangeToBlock(ipSet("2001:db8::/32").ranges[0] as IpRange);
    assert.equal(ipv4Block(block), null);
  });

  it("the top and bottom of the space, and the whole space", () => {
    const whole = rangeToBlock(ipSet("0.0.0.0/0").ranges[0] as IpRange);
    const top = rangeToBlock(ipSet("255.255.255.255/32").ranges[0] as IpRange);
    const multicast = rangeToBlock(ipSet("224.0.0.0/3").ranges[0] as IpRange);
    for (const [outer, inner] of [
      [whole, top],
      [multicast, top],
      [top, multicast],
      [top, top],
    ] as const) {
      const a = ipv4Block(outer);
      const b = ipv4Block(inner);
      assert.ok(a !== null && b !== null);
      assert.equal(
        ipv4Contains(a.network, a.prefix, b.network, b.prefix),
        blockContains(outer, inner),
      );
    }
  });
});
