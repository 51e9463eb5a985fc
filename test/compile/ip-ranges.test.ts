import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compileIpSet, containsAddress, rangeCount } from "../../src/compile/matchers/ip-ranges.ts";
import { newAddressScratch, parseAddressInto } from "../../src/compile/matchers/address.ts";
import { referenceSlowParser } from "../../src/compile/matchers/slow-address.ts";
import { ipInSet, normalizeIpSet, parseIpEntry } from "../../src/ir/ip.ts";
import type { IpSet } from "../../src/ir/types.ts";
import { clientAddressArb, ipSetArb } from "./ip-arbitraries.ts";

const scratch = newAddressScratch();

function compiledContains(set: IpSet, address: string): boolean {
  const table = compileIpSet(set);
  return containsAddress(table, parseAddressInto(address, scratch, referenceSlowParser), scratch);
}

function setOf(...entries: string[]): IpSet {
  return normalizeIpSet(
    entries.map((e) => {
      const parsed = parseIpEntry(e);
      if (!parsed.ok) throw new Error(e);
      return parsed.range;
    }),
  );
}

describe("trusted-IP range tables (S-A3)", () => {
  it("agree with the reference membership on random sets and boundary addresses", () => {
    const setAndAddress = ipSetArb().chain((set) =>
      fc.tuple(fc.constant(set), clientAddressArb(set.ranges)),
    );
    fc.assert(
      fc.property(setAndAddress, ([set, address]) => {
        assert.equal(compiledContains(set, address), ipInSet(address, set));
      }),
      { numRuns: 5_000 },
    );
  });

  it("agree with the reference on large IPv4 tables, which use the /16 bucket index", () => {
    const v4Cidr = fc
      .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 8, max: 32 }))
      .map(([value, prefix]) => {
        const network = prefix === 0 ? 0 : (value & (0xffffffff << (32 - prefix))) >>> 0;
        return `${network >>> 24}.${(network >>> 16) & 255}.${(network >>> 8) & 255}.${network & 255}/${prefix}`;
      });
    const bigSet = fc
      .array(v4Cidr, { minLength: 300, maxLength: 600 })
      .map((cidrs) => setOf(...cidrs));
    const setAndAddresses = bigSet.chain((set) =>
      fc.tuple(
        fc.constant(set),
        fc.array(clientAddressArb(set.ranges), { minLength: 50, maxLength: 50 }),
      ),
    );
    fc.assert(
      fc.property(setAndAddresses, ([set, addresses]) => {
        const table = compileIpSet(set);
        assert.ok(table.v4Buckets !== null || rangeCount(table) < 256);
        for (const address of addresses) {
          const family = parseAddressInto(address, scratch, referenceSlowParser);
          assert.equal(containsAddress(table, family, scratch), ipInSet(address, set), address);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("match the first and last address of a range and nothing just outside", () => {
    const set = setOf("10.0.0.0/24");
    assert.equal(compiledContains(set, "10.0.0.0"), true);
    assert.equal(compiledContains(set, "10.0.0.255"), true);
    assert.equal(compiledContains(set, "9.255.255.255"), false);
    assert.equal(compiledContains(set, "10.0.1.0"), false);
  });

  it("treat /0 as every address of its family only", () => {
    assert.equal(compiledContains(setOf("0.0.0.0/0"), "255.255.255.255"), true);
    assert.equal(compiledContains(setOf("0.0.0.0/0"), "::1"), false);
    assert.equal(compiledContains(setOf("::/0"), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), true);
    assert.equal(compiledContains(setOf("::/0"), "10.0.0.1"), false);
    assert.equal(compiledContains(setOf("::/0"), "::ffff:10.0.0.1"), false);
  });

  it("S-A3: match a mapped client against IPv4 ranges and a mapped entry against IPv4 clients", () => {
    assert.equal(compiledContains(setOf("10.0.0.0/8"), "::ffff:10.1.2.3"), true);
    assert.equal(compiledContains(setOf("::ffff:10.0.0.0/104"), "10.1.2.3"), true);
    assert.equal(compiledContains(setOf("::ffff:10.0.0.1"), "::ffff:a00:1"), true);
  });

  it("merge adjacent and nested ranges into one", () => {
    const table = compileIpSet(
      setOf("10.0.0.0/25", "10.0.0.128/25", "10.0.0.7", "2001:db8::/33", "2001:db8:8000::/33"),
    );
    assert.equal(rangeCount(table), 2);
    assert.equal(compiledContains(setOf("10.0.0.0/25", "10.0.0.128/25"), "10.0.0.128"), true);
  });

  it("match nothing when the set is empty or the address is not an address", () => {
    assert.equal(compiledContains({ ranges: [] }, "10.0.0.1"), false);
    assert.equal(compiledContains(setOf("0.0.0.0/0", "::/0"), "not-an-ip"), false);
    assert.equal(compiledContains(setOf("0.0.0.0/0"), "010.0.0.1"), false);
  });
});
