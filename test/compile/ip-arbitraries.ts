/**
 * fast-check arbitraries for trusted-IP sets and client addresses, biased toward the
 * boundaries the compiled matchers could get wrong: /0, /32, /128, adjacent and nested
 * ranges, IPv4-mapped IPv6, the first and last address of each range and their neighbours.
 */
import fc from "fast-check";
import { formatAddress, normalizeIpSet, parseIpEntry, rangeToBlock } from "../../src/ir/ip.ts";
import type { IpRange, IpSet } from "../../src/ir/types.ts";

/** A few /8s and one /32 of IPv6 so random ranges collide, nest and touch often. */
const v4Hubs = [0x0a000000n, 0xc0a80000n, 0x00000000n, 0xffffff00n];
const v6Hubs = [0x20010db8n << 96n, 0n, 0xfe80n << 112n, (1n << 128n) - (1n << 64n)];

const v4Block = fc
  .tuple(
    fc.constantFrom(...v4Hubs),
    fc.bigInt({ min: 0n, max: 0xffffn }),
    fc.constantFrom(0, 1, 8, 16, 23, 24, 25, 31, 32),
  )
  .map(([hub, offset, prefix]) => ({
    family: 4 as const,
    value: (hub + offset * 37n) & 0xffffffffn,
    prefix,
  }));

const v6Block = fc
  .tuple(
    fc.constantFrom(...v6Hubs),
    fc.bigInt({ min: 0n, max: 0xffffn }),
    fc.constantFrom(0, 1, 32, 64, 96, 112, 127, 128),
  )
  .map(([hub, offset, prefix]) => ({
    family: 6 as const,
    value: (hub + (offset << 16n)) & ((1n << 128n) - 1n),
    prefix,
  }));

/** One canonical IR range, written as IPv4, IPv6 or IPv4-mapped IPv6. */
export const ipRangeArb: fc.Arbitrary<IpRange> = fc
  .oneof(
    v4Block.map((b) => `${formatAddress({ family: 4, value: b.value })}/${b.prefix}`),
    v6Block.map((b) => `${formatAddress({ family: 6, value: b.value })}/${b.prefix}`),
    v4Block.map((b) => `::ffff:${formatAddress({ family: 4, value: b.value })}/${b.prefix + 96}`),
    fc.constantFrom(
      "0.0.0.0/0",
      "::/0",
      "255.255.255.255/32",
      "::/128",
      "::ffff:0.0.0.0/96",
      "::ffff:0:0/95",
    ),
  )
  .map((text) => {
    const parsed = parseIpEntry(text);
    if (!parsed.ok) throw new Error(`arbitrary built a bad CIDR: ${text}`);
    return parsed.range;
  });

/** A normalized IP set of 0 … `maxRanges` ranges (empty sets included). */
export function ipSetArb(maxRanges = 12): fc.Arbitrary<IpSet> {
  return fc.array(ipRangeArb, { maxLength: maxRanges }).map((ranges) => normalizeIpSet(ranges));
}

function blockEdges(range: IpRange): bigint[] {
  const block = rangeToBlock(range);
  const bits = block.family === 4 ? 32n : 128n;
  const last = block.network | ((1n << (bits - BigInt(block.prefix))) - 1n);
  const top = (1n << bits) - 1n;
  return [block.network - 1n, block.network, last, last + 1n].filter((v) => v >= 0n && v <= top);
}

/** Client-address text near the edges of the given ranges, or anywhere, in several spellings. */
export function clientAddressArb(near: readonly IpRange[]): fc.Arbitrary<string> {
  const edges = near.flatMap((range) =>
    blockEdges(range).map((value) => ({ family: rangeToBlock(range).family, value })),
  );
  const v4Edges = edges.filter((a) => a.family === 4);
  const pick = <T>(list: readonly T[], fallback: T) =>
    list.length === 0 ? fc.constant(fallback) : fc.constantFrom(...list);
  const zero = { family: 4 as const, value: 0n };
  return fc.oneof(
    { weight: 4, arbitrary: pick(edges, zero).map((a) => formatAddress(a)) },
    { weight: 2, arbitrary: pick(v4Edges, zero).map((a) => `::ffff:${formatAddress(a)}`) },
    { weight: 1, arbitrary: fc.ipV4() },
    { weight: 1, arbitrary: fc.ipV6() },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "",
        "not-an-ip",
        "010.0.0.1",
        "fe80::1%eth0",
        "::1.2.3.4",
        "1.2.3",
      ),
    },
  );
}
