/**
 * Lowering of the value lists shared by projects, tunnels and grant filters: trusted IPs
 * (SPEC S-A3), GeoIP countries (S-A4) and host names.
 */
import { isCountryCode } from "./countries.ts";
import { isValidHost } from "./host-name.ts";
import { blockContains, normalizeOwnedIpSet, parseIpEntry, rangeToBlock } from "./ip.ts";
import type { LowerContext, SpanScope } from "./lower-context.ts";
import { canonicalList, sortUniqueInPlace } from "./lower-context.ts";
import {
  cidrHostBits,
  invalidHost,
  invalidIpEntry,
  redundantIpEntry,
  unknownCountry,
} from "./semantic-diagnostics.ts";
import type { CountrySet, IpRange, IpSet } from "./types.ts";

/**
 * A trusted-IP list: each entry parsed into canonical form (host bits set → warning with the
 * fix), then sorted with duplicates and contained ranges merged (→ warning naming the cover).
 * `scope` holds the list's spans.
 */
export function lowerIpList(
  entries: readonly string[] | undefined,
  ctx: LowerContext,
  scope: SpanScope,
): IpSet | null {
  if (entries === undefined) return null;
  const ranges: IpRange[] = [];
  /**
   * The entries as written, parallel to `ranges` (a redundancy warning quotes them): `entries`
   * itself until one is refused (HOT PATH: no copy of a list written right).
   */
  let written: string[] | null = null;
  for (let index = 0; index < entries.length; index++) {
    // SAFETY: index < entries.length, the loop's bound.
    const entry = entries[index] as string;
    const span = scope.member(index);
    const parsed = parseIpEntry(entry, span);
    if (!parsed.ok) {
      ctx.report(invalidIpEntry(span, entry, parsed.reason));
      // The entries before the first refused one all became ranges.
      written ??= entries.slice(0, index);
      continue;
    }
    if (parsed.hostBitsSet) ctx.report(cidrHostBits(span, entry, parsed.range.cidr));
    ranges.push(parsed.range);
    written?.push(entry);
  }
  const set = normalizeOwnedIpSet(ranges, scope.own());
  // Normalizing only ever drops entries: when none was dropped, none is redundant.
  if (set.ranges.length !== ranges.length) reportRedundant(ranges, written ?? entries, set, ctx);
  return set;
}

/**
 * Warns of each entry that `set` (the normalized `ranges`) dropped, naming the entry that
 * covers it. Apart from `lowerIpList`: a closure there would make every call allocate.
 */
function reportRedundant(
  ranges: readonly IpRange[],
  written: readonly string[],
  set: IpSet,
  ctx: LowerContext,
): void {
  const writtenAs = (range: IpRange): string => written[ranges.indexOf(range)] ?? range.cidr;
  const kept = new Set(set.ranges);
  for (const range of ranges) {
    if (kept.has(range)) continue;
    const cover = set.ranges.find((k) => blockContains(rangeToBlock(k), rangeToBlock(range)));
    if (cover !== undefined) {
      ctx.report(redundantIpEntry(range.origin, writtenAs(range), writtenAs(cover), cover.origin));
    }
  }
}

/**
 * A GeoIP list: upper-cased, checked against ISO 3166-1 alpha-2, sorted and deduplicated. The
 * list is member `key` of the value whose spans `parent` holds.
 */
export function lowerCountryList(
  entries: readonly string[] | undefined,
  ctx: LowerContext,
  parent: SpanScope,
  key: string,
): CountrySet | null {
  if (entries === undefined) return null;
  return { codes: countryCodes(entries, ctx, parent, key), origin: parent.member(key) };
}

/** The valid codes of a GeoIP list, canonical; the list itself when it is written that way. */
function countryCodes(
  entries: readonly string[],
  ctx: LowerContext,
  parent: SpanScope,
  key: string,
): readonly string[] {
  // HOT PATH: nearly every list is written in upper case with known codes: nothing is copied.
  let index = 0;
  while (index < entries.length) {
    // SAFETY: index < entries.length, the loop's bound.
    const entry = entries[index] as string;
    if (entry.toUpperCase() !== entry || !isCountryCode(entry)) break;
    index++;
  }
  if (index === entries.length) return canonicalList(entries);
  const codes = entries.slice(0, index);
  for (; index < entries.length; index++) {
    // SAFETY: index < entries.length, the loop's bound.
    const entry = entries[index] as string;
    const code = entry.toUpperCase();
    if (isCountryCode(code)) codes.push(code);
    else ctx.report(unknownCountry(parent.at(key).member(index), entry));
  }
  return sortUniqueInPlace(codes);
}

/**
 * Tunnel hosts: lower-cased, checked, sorted and deduplicated (duplicates are a pass). The
 * list is the `hostname` of the tunnel whose spans `tunnel` holds (read only to report). The
 * result is `hosts` itself only when every host in it is valid (`check-duplicate-hosts` reads
 * that as "every host is lower case already").
 */
export function lowerHosts(
  hosts: readonly string[] | undefined,
  ctx: LowerContext,
  tunnel: SpanScope,
): readonly string[] {
  if (hosts === undefined) return [];
  // HOT PATH: hosts are nearly always written valid and in lower case: nothing is copied. A
  // valid host has no upper case (no lower-cased copy is made to find that out).
  let index = 0;
  while (index < hosts.length) {
    // SAFETY: index < hosts.length, the loop's bound.
    if (!isValidHost(hosts[index] as string)) break;
    index++;
  }
  if (index === hosts.length) return canonicalList(hosts);
  const out = hosts.slice(0, index);
  for (; index < hosts.length; index++) {
    // SAFETY: index < hosts.length, the loop's bound.
    const host = hosts[index] as string;
    const lower = host.toLowerCase();
    if (isValidHost(lower)) out.push(lower);
    else ctx.report(invalidHost(tunnel.at("hostname").member(index), host));
  }
  return sortUniqueInPlace(out);
}
