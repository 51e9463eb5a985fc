import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import {
  formatAddress,
  intersectIpSets,
  ipInSet,
  ipSetCovers,
  normalizeIpSet,
  parseAddress,
  parseIpEntry,
} from "../../src/ir/ip.ts";
import type { IpRange, IpSet } from "../../src/ir/types.ts";

function range(text: string): IpRange {
  const parsed = parseIpEntry(text);
  assert.ok(parsed.ok, `${text} should parse`);
  return parsed.range;
}

function set(...entries: string[]): IpSet {
  return normalizeIpSet(entries.map(range));
}

const cidrs = (s: IpSet): string[] => s.ranges.map((r) => r.cidr);

describe("parseAddress", () => {
  it("S-A3: ::ffff:10.0.0.1 is the IPv4 address 10.0.0.1", () => {
    assert.deepEqual(parseAddress("::ffff:10.0.0.1"), parseAddress("10.0.0.1"));
    assert.deepEqual(parseAddress("::FFFF:a00:1"), { family: 4, value: 0x0a000001n });
  });

  it("S-A3: refuses ambiguous IPv4 spellings and zone ids", () => {
    for (const text of [
      "010.0.0.1",
      "10.1",
      "0x0a.0.0.1",
      "167772161",
      "fe80::1%eth0",
      "",
      "1.2.3.4 ",
    ]) {
      assert.equal(parseAddress(text), null, text);
    }
  });

  it("formats IPv6 in RFC 5952 form", () => {
    const address = parseAddress("2001:0DB8:0000:0000:0000:0000:0000:0001");
    assert.ok(address !== null);
    assert.equal(formatAddress(address), "2001:db8::1");
  });
});

describe("parseAddress: IPv4 is read exactly as ipaddr.js reads four-part decimal", () => {
  it("S-A3: agrees with isValidFourPartDecimal and parse on any digits-and-dots text", () => {
    const text = fc.oneof(
      fc.string({
        unit: fc.constantFrom("0", "1", "2", "5", "9", ".", " ", "x", "-"),
        maxLength: 18,
      }),
      fc.ipV4(),
      fc.ipV4Extended(),
      fc
        .array(fc.integer({ min: 0, max: 999 }), { minLength: 1, maxLength: 5 })
        .map((p) => p.join(".")),
    );
    fc.assert(
      fc.property(text, (t) => {
        const expected = ipaddr.IPv4.isValidFourPartDecimal(t)
          ? ipaddr.IPv4.parse(t)
              .toByteArray()
              .reduce((value, byte) => (value << 8n) | BigInt(byte), 0n)
          : null;
        const parsed = parseAddress(t);
        assert.deepEqual(parsed, expected === null ? null : { family: 4, value: expected }, t);
        if (parsed !== null)
          assert.equal(formatAddress(parsed), t, "four-part decimal is canonical");
      }),
      { numRuns: 20000 },
    );
  });

  it("S-A3: an IPv4 entry means what its IPv4-mapped IPv6 spelling means", () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.option(fc.integer({ min: 0, max: 32 })), (address, prefix) => {
        const v4 = parseIpEntry(prefix === null ? address : `${address}/${prefix}`);
        const mapped = parseIpEntry(
          prefix === null ? `::ffff:${address}` : `::ffff:${address}/${prefix + 96}`,
        );
        assert.deepEqual(v4, mapped);
      }),
      { numRuns: 5000 },
    );
  });
});

describe("parseIpEntry", () => {
  it("S-A3: reads an IPv4 entry in place as the regex and ipaddr.js read its parts", () => {
    const prefixText = fc.oneof(
      fc.integer({ min: 0, max: 40 }).map(String),
      fc.string({
        unit: fc.constantFrom("0", "1", "3", "9", "/", ":", " ", "-", "+", "."),
        maxLength: 5,
      }),
    );
    const entry = fc.oneof(
      fc
        .tuple(fc.oneof(fc.ipV4(), fc.ipV4Extended()), fc.option(prefixText))
        .map(([a, p]) => (p === null ? a : `${a}/${p}`)),
      fc.string({ unit: fc.constantFrom("1", "0", ".", "/", ":", "2", "5"), maxLength: 14 }),
    );
    fc.assert(
      fc.property(entry, (text) => {
        const slash = text.indexOf("/");
        const address = slash === -1 ? text : text.slice(0, slash);
        if (address.includes(":")) return;
        const parsed = parseIpEntry(text);
        if (!ipaddr.IPv4.isValidFourPartDecimal(address)) {
          assert.deepEqual(parsed, { ok: false, reason: `\`${address}\` is not an IP address` });
          return;
        }
        const written = slash === -1 ? "32" : text.slice(slash + 1);
        if (!/^(?:0|[1-9][0-9]{0,2})$/.test(written) || Number(written) > 32) {
          const reason = `\`/${written}\` is not a prefix length for IPv4`;
          assert.deepEqual(parsed, { ok: false, reason });
          return;
        }
        const network = ipaddr.IPv4.networkAddressFromCIDR(`${address}/${written}`).toString();
        assert.ok(parsed.ok, text);
        assert.equal(parsed.range.cidr, `${network}/${Number(written)}`);
        assert.equal(parsed.hostBitsSet, network !== ipaddr.IPv4.parse(address).toString());
      }),
      { numRuns: 10000 },
    );
  });

  it("S-A3: a CIDR with host bits set is flagged and fixed", () => {
    assert.deepEqual(parseIpEntry("10.0.0.1/8"), {
      ok: true,
      range: { family: 4, cidr: "10.0.0.0/8", origin: undefined },
      hostBitsSet: true,
    });
    const v6 = parseIpEntry("2001:db8::1/32");
    assert.ok(v6.ok && v6.hostBitsSet && v6.range.cidr === "2001:db8::/32");
  });

  it("S-A3: a single address becomes a /32 or /128", () => {
    assert.equal(range("192.0.2.7").cidr, "192.0.2.7/32");
    assert.equal(range("2001:db8::7").cidr, "2001:db8::7/128");
  });

  it("S-A3: IPv4-mapped IPv6 ranges fold to IPv4 from /96 on", () => {
    assert.equal(range("::ffff:10.0.0.0/104").cidr, "10.0.0.0/8");
    assert.equal(range("::ffff:0:0/96").cidr, "0.0.0.0/0");
    assert.equal(range("::ffff:10.0.0.1").family, 4);
    // Shorter than /96 reaches outside the mapped block: it stays IPv6.
    assert.equal(range("::ffff:0:0/80").family, 6);
  });

  it("refuses bad prefixes with a reason", () => {
    for (const text of [
      "1.2.3.4/33",
      "1.2.3.4/08",
      "1.2.3.4/",
      "::/129",
      "1.2.3.4/-1",
      "10.0.0.0/8/8",
    ]) {
      const parsed = parseIpEntry(text);
      assert.ok(!parsed.ok, text);
      assert.match(parsed.reason, /prefix|not an IP address/);
    }
  });
});

describe("normalizeIpSet", () => {
  it("S-A3: sorts, removes duplicates and contained ranges", () => {
    assert.deepEqual(
      cidrs(
        set(
          "2001:db8::/32",
          "10.1.0.0/16",
          "192.168.1.1",
          "10.0.0.0/8",
          "10.0.0.0/8",
          "2001:db8:1::/48",
        ),
      ),
      ["10.0.0.0/8", "192.168.1.1/32", "2001:db8::/32"],
    );
  });

  it("S-A3: a mapped IPv6 entry and its IPv4 form are one entry", () => {
    assert.deepEqual(cidrs(set("::ffff:10.0.0.1", "10.0.0.1")), ["10.0.0.1/32"]);
  });

  it("keeps the origin span of the kept entry", () => {
    const outer = { ...range("10.0.0.0/8"), origin: { file: "p", start: 5, end: 15 } };
    const inner = { ...range("10.1.0.0/16"), origin: { file: "p", start: 20, end: 31 } };
    assert.deepEqual(normalizeIpSet([inner, outer]).ranges, [outer]);
  });
});

describe("ipInSet", () => {
  const trusted = set("10.0.0.0/8", "2001:db8::/32");

  it("S-A3: ::ffff:10.0.0.1 is inside 10.0.0.0/8", () => {
    assert.equal(ipInSet("::ffff:10.0.0.1", trusted), true);
    assert.equal(ipInSet("::ffff:11.0.0.1", trusted), false);
  });

  it("S-A3: matches IPv6 addresses against IPv6 ranges", () => {
    assert.equal(ipInSet("2001:db8:ffff::1", trusted), true);
    assert.equal(ipInSet("2001:db9::1", trusted), false);
  });

  it("S-A3: a native IPv6 range never admits an IPv4 client", () => {
    assert.equal(ipInSet("10.0.0.1", set("::/0")), false);
    assert.equal(ipInSet("::ffff:10.0.0.1", set("::/0")), false);
  });

  it("fails closed on an unparseable address", () => {
    for (const address of ["", "10.0.0", "010.0.0.1", "not-an-ip", "10.0.0.1/32"]) {
      assert.equal(ipInSet(address, set("0.0.0.0/0", "::/0")), false, address);
    }
  });
});

describe("intersectIpSets and ipSetCovers", () => {
  it("S-A3: keeps the smaller range of each nested pair", () => {
    const project = set("10.0.0.0/8", "192.168.0.0/16");
    const tunnel = set("10.1.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "192.168.1.0/24");
    assert.deepEqual(cidrs(intersectIpSets(project, tunnel)), ["10.1.0.0/16", "192.168.0.0/16"]);
    assert.deepEqual(cidrs(intersectIpSets(tunnel, project)), ["10.1.0.0/16", "192.168.0.0/16"]);
  });

  it("S-A3: disjoint sets intersect to the empty set", () => {
    assert.deepEqual(cidrs(intersectIpSets(set("10.0.0.0/8"), set("11.0.0.0/8", "::/0"))), []);
  });

  it("S-A3: a tunnel cannot broaden the project", () => {
    assert.equal(ipSetCovers(set("10.0.0.0/8"), set("10.1.0.0/16", "10.2.3.4")), true);
    assert.equal(ipSetCovers(set("10.0.0.0/8"), set("10.1.0.0/16", "11.0.0.1")), false);
    assert.equal(ipSetCovers(set("10.1.0.0/16"), set("10.0.0.0/8")), false);
    assert.equal(ipSetCovers(set("10.0.0.0/8"), set()), true);
  });
});

// Random small CIDRs concentrated in a few blocks, so nested and overlapping pairs are common.
const arbV4Entry = fc
  .tuple(
    fc.constantFrom(10, 192, 172),
    fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 4, max: 32 }),
  )
  .map(([a, b, c, d, prefix]) => `${a}.${b}.${c}.${d}/${prefix}`);
const arbV6Entry = fc
  .tuple(
    fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: 0, max: 0xffff }),
    fc.integer({ min: 8, max: 128 }),
  )
  .map(([a, b, prefix]) => `2001:db8:${a}:${b.toString(16)}::${b.toString(16)}/${prefix}`);
const arbMappedEntry = arbV4Entry.map((e) => {
  const [address, prefix] = e.split("/");
  return `::ffff:${address}/${Number(prefix) + 96}`;
});
const arbEntry = fc.oneof(arbV4Entry, arbV6Entry, arbMappedEntry);
const arbSet = fc
  .array(arbEntry, { maxLength: 8 })
  .map((entries) => normalizeIpSet(entries.map(range)));
const arbAddress = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(10, 192, 172),
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
    )
    .map((p) => p.join(".")),
  fc
    .tuple(
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 0xffff }),
    )
    .map(([a, b, c]) => `2001:db8:${a}:${b.toString(16)}::${c.toString(16)}`),
  fc
    .tuple(
      fc.constantFrom(10, 192),
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 255 }),
    )
    .map(([a, b, c]) => `::ffff:${a}.${b}.${c}.1`),
);

/** Membership straight from the entries, without normalization: the oracle. */
function inRaw(address: string, entries: readonly IpRange[]): boolean {
  return entries.some((r) => ipInSet(address, { ranges: [r] }));
}

describe("properties", () => {
  it("S-A3: intersection is set intersection on random addresses", () => {
    fc.assert(
      fc.property(
        arbSet,
        arbSet,
        fc.array(arbAddress, { minLength: 1, maxLength: 10 }),
        (a, b, addresses) => {
          const both = intersectIpSets(a, b);
          for (const address of addresses) {
            assert.equal(
              ipInSet(address, both),
              ipInSet(address, a) && ipInSet(address, b),
              address,
            );
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("S-A3: normalizeIpSet preserves membership and is idempotent", () => {
    fc.assert(
      fc.property(
        fc.array(arbEntry, { maxLength: 10 }),
        fc.array(arbAddress, { minLength: 1, maxLength: 10 }),
        (entries, addresses) => {
          const ranges = entries.map(range);
          const normalized = normalizeIpSet(ranges);
          for (const address of addresses)
            assert.equal(ipInSet(address, normalized), inRaw(address, ranges));
          assert.deepEqual(cidrs(normalizeIpSet(normalized.ranges)), cidrs(normalized));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("S-A3: the intersection is covered by both sides", () => {
    fc.assert(
      fc.property(arbSet, arbSet, (a, b) => {
        const both = intersectIpSets(a, b);
        assert.ok(ipSetCovers(a, both) && ipSetCovers(b, both));
        assert.deepEqual(cidrs(both), cidrs(intersectIpSets(b, a)));
      }),
      { numRuns: 2000 },
    );
  });
});
