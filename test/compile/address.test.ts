import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { newAddressScratch, parseAddressInto } from "../../src/compile/matchers/address.ts";
import type { AddressFamily } from "../../src/compile/matchers/address.ts";
import { referenceSlowParser } from "../../src/compile/matchers/slow-address.ts";
import { parseAddress, parseDottedQuad } from "../../src/ir/ip.ts";

const scratch = newAddressScratch();
const noSlow = () => null;

/** The parsed address as the reference's (family, bigint) pair, for comparison. */
function viaFastParser(
  text: string,
  slow = referenceSlowParser,
): { family: AddressFamily; value: bigint } {
  const family = parseAddressInto(text, scratch, slow);
  if (family === 4) return { family, value: BigInt((scratch.v4 ^ 0x80000000) >>> 0) };
  if (family === 6) {
    const value = [...scratch.v6].reduce((acc, w) => (acc << 32n) | BigInt(w), 0n);
    return { family, value };
  }
  return { family: 0, value: 0n };
}

function viaReference(text: string): { family: AddressFamily; value: bigint } {
  const parsed = parseAddress(text);
  return parsed === null ? { family: 0, value: 0n } : parsed;
}

/** Address-like text: valid forms, mapped forms, and near misses built from address characters. */
const addressText = fc.oneof(
  fc.ipV4(),
  fc.ipV4Extended(),
  fc.ipV6(),
  fc.ipV4().map((v4) => `::ffff:${v4}`),
  fc.ipV4().map((v4) => `::FFFF:${v4}`),
  fc.ipV4().map((v4) => `::${v4}`),
  fc.ipV6().map((v6) => `${v6}%eth0`),
  fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF:.%/ "), maxLength: 46 }),
);

describe("client address parsing (S-A3)", () => {
  it("agrees with the reference parser on arbitrary address-like text", () => {
    fc.assert(
      fc.property(addressText, (text) => {
        assert.deepEqual(viaFastParser(text), viaReference(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it("accepts on its fast path only what the reference accepts, with the same value", () => {
    fc.assert(
      fc.property(addressText, (text) => {
        const fast = viaFastParser(text, noSlow);
        if (fast.family !== 0) assert.deepEqual(fast, viaReference(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it("S-A3: folds IPv4-mapped IPv6 to the IPv4 address", () => {
    assert.deepEqual(viaFastParser("::ffff:10.0.0.1", noSlow), { family: 4, value: 0x0a000001n });
    assert.deepEqual(viaFastParser("::ffff:a00:1", noSlow), { family: 4, value: 0x0a000001n });
    assert.deepEqual(viaFastParser("0:0:0:0:0:ffff:10.0.0.1", noSlow), {
      family: 4,
      value: 0x0a000001n,
    });
  });

  it("leaves the deprecated `::a.b.c.d` form to the reference parser", () => {
    assert.equal(parseAddressInto("::10.0.0.1", scratch, noSlow), 0);
    assert.deepEqual(viaFastParser("::10.0.0.1"), viaReference("::10.0.0.1"));
  });

  it("reads plain and compressed IPv6", () => {
    assert.equal(parseAddressInto("::1:10.0.0.1", scratch, noSlow), 6);
    assert.deepEqual([...scratch.v6], [0, 0, 1, 0x0a000001]);
    assert.equal(parseAddressInto("2001:db8::1", scratch, noSlow), 6);
    assert.deepEqual([...scratch.v6], [0x20010db8, 0, 0, 1]);
    assert.equal(parseAddressInto("1:2:3:4:5:6:7::", scratch, noSlow), 6);
    assert.deepEqual([...scratch.v6], [0x10002, 0x30004, 0x50006, 0x70000]);
  });

  it("sends leading zeros, zone ids and junk to the slow path, which rejects them", () => {
    for (const text of [
      "010.0.0.1",
      "1.2.3.04",
      "fe80::1%eth0",
      "1.2.3",
      "1.2.3.4.5",
      "",
      ":::",
      "[::1]",
    ]) {
      assert.equal(parseAddressInto(text, scratch, noSlow), 0, text);
      assert.equal(parseAddressInto(text, scratch, referenceSlowParser), 0, text);
    }
  });

  it("reads strict dotted quads at the edges of the range", () => {
    assert.equal(parseDottedQuad("0.0.0.0", 0, 7), 0);
    assert.equal(parseDottedQuad("255.255.255.255", 0, 15), 4294967295);
    assert.equal(parseDottedQuad("256.0.0.0", 0, 9), -1);
    assert.equal(parseDottedQuad("1..2.3", 0, 6), -1);
  });
});
