/**
 * Lowering of the value lists shared by projects, tunnels and grant filters: trusted IPs
 * (SPEC S-A3), GeoIP countries (S-A4) and host names.
 */
import { isCountryCode } from "./countries.ts";
import { blockContains, normalizeIpSet, parseIpEntry, rangeToBlock } from "./ip.ts";
import type { LowerContext } from "./lower-context.ts";
import { at, sortedUnique } from "./lower-context.ts";
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
 */
export function lowerIpList(
  entries: readonly string[] | undefined,
  pointer: string,
  ctx: LowerContext,
): IpSet | null {
  if (entries === undefined) return null;
  const ranges: IpRange[] = [];
  const written = new Map<IpRange, string>();
  entries.forEach((entry, index) => {
    const span = ctx.span(at(pointer, index));
    const parsed = parseIpEntry(entry, span);
    if (!parsed.ok) {
      ctx.report(invalidIpEntry(span, entry, parsed.reason));
      return;
    }
    if (parsed.hostBitsSet) ctx.report(cidrHostBits(span, entry, parsed.range.cidr));
    ranges.push(parsed.range);
    written.set(parsed.range, entry);
  });
  const set = normalizeIpSet(ranges, ctx.span(pointer));
  const kept = new Set(set.ranges);
  for (const range of ranges) {
    if (kept.has(range)) continue;
    const cover = set.ranges.find((k) => blockContains(rangeToBlock(k), rangeToBlock(range)));
    if (cover !== undefined) {
      ctx.report(
        redundantIpEntry(
          range.origin,
          written.get(range) ?? range.cidr,
          written.get(cover) ?? cover.cidr,
          cover.origin,
        ),
      );
    }
  }
  return set;
}

/** A GeoIP list: upper-cased, checked against ISO 3166-1 alpha-2, sorted and deduplicated. */
export function lowerCountryList(
  entries: readonly string[] | undefined,
  pointer: string,
  ctx: LowerContext,
): CountrySet | null {
  if (entries === undefined) return null;
  const codes: string[] = [];
  entries.forEach((entry, index) => {
    const code = entry.toUpperCase();
    if (isCountryCode(code)) codes.push(code);
    else ctx.report(unknownCountry(ctx.span(at(pointer, index)), entry));
  });
  return { codes: sortedUnique(codes), origin: ctx.span(pointer) };
}

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOST = new RegExp(`^(?:\\*\\.)?(?:${LABEL}\\.)*${LABEL}$`);

/** True when `host` (already lower-case) is a DNS name, or `*.` and a DNS name. */
export function isValidHost(host: string): boolean {
  return host.length <= 253 && HOST.test(host);
}

/** Tunnel hosts: lower-cased, checked, sorted and deduplicated (duplicates are a pass). */
export function lowerHosts(
  hosts: readonly string[] | undefined,
  pointer: string,
  ctx: LowerContext,
): string[] {
  if (hosts === undefined) return [];
  const out: string[] = [];
  hosts.forEach((host, index) => {
    const lower = host.toLowerCase();
    if (isValidHost(lower)) out.push(lower);
    else ctx.report(invalidHost(ctx.span(at(pointer, index)), host));
  });
  return sortedUnique(out);
}
