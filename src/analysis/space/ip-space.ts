/**
 * The client-address dimension cut into classes. Every trusted-IP list that can apply to a
 * request is a union of CIDR blocks; their boundaries cut each family's address space into
 * elementary intervals, and two addresses in one interval are in exactly the same lists. An
 * address class groups the intervals that agree on every list, so checking one address per
 * class is checking them all.
 */
import { formatAddress, formatBlock, familyBits, parseAddress, rangeToBlock } from "../../ir/ip.ts";
import type { IpAddress } from "../../ir/ip.ts";
import type { IpSet } from "../../ir/types.ts";

/** An inclusive interval of one family's addresses. */
export interface IpInterval {
  readonly family: 4 | 6;
  readonly lo: bigint;
  readonly hi: bigint;
}

/** Addresses that every given list treats alike. */
export interface IpClass {
  /** `member[i]`: whether the class lies in `sets[i]`. */
  readonly member: readonly boolean[];
  readonly intervals: readonly IpInterval[];
  /** One address of the class: the first of an interval inside some list when there is one. */
  readonly witness: string;
}

/** The intervals of a set's ranges. */
export function setIntervals(set: IpSet): IpInterval[] {
  return set.ranges.map((r) => {
    const b = rangeToBlock(r);
    const size = 1n << BigInt(familyBits(b.family) - b.prefix);
    return { family: b.family, lo: b.network, hi: b.network + size - 1n };
  });
}

function inSet(intervals: readonly IpInterval[], family: 4 | 6, value: bigint): boolean {
  return intervals.some((i) => i.family === family && i.lo <= value && value <= i.hi);
}

function elementaryIntervals(family: 4 | 6, sets: readonly IpInterval[][]): IpInterval[] {
  const max = (1n << BigInt(familyBits(family))) - 1n;
  const cuts = new Set<bigint>([0n]);
  for (const set of sets) {
    for (const i of set) {
      if (i.family !== family) continue;
      cuts.add(i.lo);
      if (i.hi < max) cuts.add(i.hi + 1n);
    }
  }
  const starts = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return starts.map((lo, k) => ({
    family,
    lo,
    hi: k + 1 < starts.length ? (starts[k + 1] as bigint) - 1n : max,
  }));
}

/** Splits all addresses into classes by membership in each of `sets`. */
export function ipClasses(sets: readonly IpSet[]): IpClass[] {
  const intervalsOf = sets.map(setIntervals);
  const byKey = new Map<string, { member: boolean[]; intervals: IpInterval[] }>();
  for (const family of [4, 6] as const) {
    for (const interval of elementaryIntervals(family, intervalsOf)) {
      const member = intervalsOf.map((s) => inSet(s, family, interval.lo));
      const key = member.map(Number).join("");
      const entry = byKey.get(key) ?? { member, intervals: [] };
      entry.intervals.push(interval);
      byKey.set(key, entry);
    }
  }
  return [...byKey.values()].map(({ member, intervals }) => {
    const first = intervals[0] as IpInterval;
    return { member, intervals, witness: formatAddress({ family: first.family, value: first.lo }) };
  });
}

/** The membership vector of a concrete client address (`null` when it does not parse). */
export function ipMembership(sets: readonly IpSet[], clientIp: string): boolean[] | null {
  const address: IpAddress | null = parseAddress(clientIp);
  if (address === null) return null;
  return sets.map((s) => inSet(setIntervals(s), address.family, address.value));
}

/** The fewest CIDR blocks that exactly cover an interval (at most `max` of them). */
export function intervalToCidrs(interval: IpInterval, max = Infinity): string[] {
  const bits = familyBits(interval.family);
  const out: string[] = [];
  let lo = interval.lo;
  while (lo <= interval.hi && out.length < max) {
    let size = 0;
    while (size < bits) {
      const next = 1n << BigInt(size + 1);
      if (lo % next !== 0n || lo + next - 1n > interval.hi) break;
      size++;
    }
    out.push(formatBlock({ family: interval.family, network: lo, prefix: bits - size }));
    lo += 1n << BigInt(size);
  }
  return out;
}

/** CIDR text for a class, shortened to `limit` blocks (computing no more than needed). */
export function describeIntervals(intervals: readonly IpInterval[], limit = 6): string {
  const all: string[] = [];
  for (const interval of intervals) {
    all.push(...intervalToCidrs(interval, limit + 1 - all.length));
    if (all.length > limit) break;
  }
  if (all.length === 2 && all.includes("0.0.0.0/0") && all.includes("::/0")) return "any address";
  const shown = all.slice(0, limit).join(", ");
  return all.length > limit ? `${shown} and more blocks` : shown;
}
