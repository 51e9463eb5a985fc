/**
 * Reference IP semantics for trusted-IP lists (SPEC S-A3): parsing addresses and CIDR
 * entries into canonical ranges, and exact set operations over them.
 *
 * Model: two disjoint address families. IPv4 is a 32-bit space; IPv6 is a 128-bit space in
 * which the IPv4-mapped block `::ffff:0:0/96` is folded into IPv4 (an address or range there
 * IS the IPv4 address or range). A native IPv6 range never matches an IPv4 client, even when
 * its bits would cover the mapped block (`::/0` means "every IPv6 client", which is what an
 * operator writing it expects; it fails closed for IPv4).
 *
 * Two CIDR blocks of one family are always either nested or disjoint, which makes exact
 * intersection simple: of each nested pair, keep the smaller block.
 */
import ipaddr from "ipaddr.js";
import { InternalError } from "../diagnostics/diagnostic.ts";
import type { Span } from "../diagnostics/span.ts";
import type { IpRange, IpSet } from "./types.ts";

/** An address as a number in its family's space (32 bits for IPv4, 128 for IPv6). */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

/** A CIDR block as numbers: the network address and the prefix length. */
export interface IpBlock {
  readonly family: 4 | 6;
  readonly network: bigint;
  readonly prefix: number;
}

/** The result of reading one trusted-IP entry. */
export type IpEntryResult =
  | {
      readonly ok: true;
      readonly range: IpRange;
      /** True when the entry had bits set below its prefix (`10.0.0.1/8`); `range` is fixed. */
      readonly hostBitsSet: boolean;
    }
  | { readonly ok: false; readonly reason: string };

const MAPPED_PREFIX = 0xffffn << 32n;
const V4_IN_V6_SHIFT = 96;

/** The number of bits in a family's address space. */
export function familyBits(family: 4 | 6): 32 | 128 {
  return family === 4 ? 32 : 128;
}

function bytesToBigint(bytes: readonly number[]): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

/**
 * Parses an address. IPv4 must be four-part decimal (no octal, hex or short forms, which
 * systems read differently); IPv6 must have no zone id. IPv4-mapped IPv6 becomes IPv4.
 * Returns `null` for anything else.
 */
export function parseAddress(text: string): IpAddress | null {
  if (!text.includes(":")) {
    if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return null;
    return { family: 4, value: bytesToBigint(ipaddr.IPv4.parse(text).toByteArray()) };
  }
  if (text.includes("%") || !ipaddr.IPv6.isValid(text)) return null;
  const value = bytesToBigint(ipaddr.IPv6.parse(text).toByteArray());
  if (value >> 32n === 0xffffn) return { family: 4, value: value & 0xffffffffn };
  return { family: 6, value };
}

function bigintToBytes(value: bigint, length: number): number[] {
  const bytes = new Array<number>(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return bytes;
}

/** Canonical text of an address: dotted decimal, or RFC 5952 compressed IPv6. */
export function formatAddress(address: IpAddress): string {
  if (address.family === 4) return bigintToBytes(address.value, 4).join(".");
  return new ipaddr.IPv6(bigintToBytes(address.value, 16)).toRFC5952String();
}

function hostMask(family: 4 | 6, prefix: number): bigint {
  return (1n << BigInt(familyBits(family) - prefix)) - 1n;
}

/** Canonical CIDR text of a block. */
export function formatBlock(block: IpBlock): string {
  return `${formatAddress({ family: block.family, value: block.network })}/${block.prefix}`;
}

const PREFIX_TEXT = /^(?:0|[1-9][0-9]{0,2})$/;

/**
 * Parses a trusted-IP entry (`10.0.0.1`, `10.0.0.0/8`, `2001:db8::/32`, `::ffff:10.0.0.0/104`)
 * into a canonical range. A single address becomes a /32 or /128. Host bits below the prefix
 * are cleared and reported through `hostBitsSet`, so the caller can warn with the fix.
 */
export function parseIpEntry(text: string, origin?: Span): IpEntryResult {
  const slash = text.indexOf("/");
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const address = parseAddress(addressText);
  if (address === null) return { ok: false, reason: `\`${addressText}\` is not an IP address` };
  const rawFamily = addressText.includes(":") ? 6 : 4;
  let prefix: number = familyBits(rawFamily);
  if (slash !== -1) {
    const prefixText = text.slice(slash + 1);
    if (!PREFIX_TEXT.test(prefixText) || Number(prefixText) > prefix) {
      return { ok: false, reason: `\`/${prefixText}\` is not a prefix length for IPv${rawFamily}` };
    }
    prefix = Number(prefixText);
  }
  let block: IpBlock;
  if (rawFamily === 6 && address.family === 4) {
    // INVARIANT: a mapped address with a prefix shorter than 96 is a native IPv6 block
    // (it reaches outside the mapped space); only /96 and longer fold into IPv4.
    block =
      prefix >= V4_IN_V6_SHIFT
        ? { family: 4, network: address.value, prefix: prefix - V4_IN_V6_SHIFT }
        : { family: 6, network: MAPPED_PREFIX | address.value, prefix };
  } else {
    block = { family: address.family, network: address.value, prefix };
  }
  const mask = hostMask(block.family, block.prefix);
  const hostBitsSet = (block.network & mask) !== 0n;
  const fixed: IpBlock = { ...block, network: block.network & ~mask };
  return {
    ok: true,
    range: { family: fixed.family, cidr: formatBlock(fixed), origin },
    hostBitsSet,
  };
}

const blockCache = new Map<string, IpBlock>();

/** The numeric block of a canonical range (as produced by `parseIpEntry`). */
export function rangeToBlock(range: IpRange): IpBlock {
  const cached = blockCache.get(range.cidr);
  if (cached !== undefined) return cached;
  const parsed = parseIpEntry(range.cidr);
  if (!parsed.ok || parsed.hostBitsSet) {
    throw new InternalError(`not a canonical IP range: ${range.cidr}`);
  }
  const slash = parsed.range.cidr.indexOf("/");
  const address = parseAddress(parsed.range.cidr.slice(0, slash));
  if (address === null) throw new InternalError(`not a canonical IP range: ${range.cidr}`);
  const block: IpBlock = {
    family: address.family,
    network: address.value,
    prefix: Number(parsed.range.cidr.slice(slash + 1)),
  };
  if (blockCache.size >= 65_536) blockCache.clear();
  blockCache.set(range.cidr, block);
  return block;
}

/** True when `outer` contains every address of `inner` (same family, shorter or equal prefix). */
export function blockContains(outer: IpBlock, inner: IpBlock): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false;
  const shift = BigInt(familyBits(outer.family) - outer.prefix);
  return outer.network >> shift === inner.network >> shift;
}

/** True when a block contains an address. */
export function blockHasAddress(block: IpBlock, address: IpAddress): boolean {
  return blockContains(block, {
    family: address.family,
    network: address.value,
    prefix: familyBits(address.family),
  });
}

/** Orders blocks by family, then network address, then shorter prefix first. */
function compareBlocks(a: IpBlock, b: IpBlock): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.network !== b.network) return a.network < b.network ? -1 : 1;
  return a.prefix - b.prefix;
}

/**
 * Sorts ranges by family then address and drops duplicates and ranges contained in another.
 * The kept entry keeps its own origin span. Ranges must be canonical (from `parseIpEntry`).
 */
export function normalizeIpSet(ranges: readonly IpRange[], origin?: Span): IpSet {
  const sorted = ranges
    .map((range) => ({ range, block: rangeToBlock(range) }))
    .sort((a, b) => compareBlocks(a.block, b.block));
  const kept: { range: IpRange; block: IpBlock }[] = [];
  for (const entry of sorted) {
    const last = kept.at(-1);
    // INVARIANT: sorted order puts a container before everything it contains, and blocks
    // are nested or disjoint, so comparing with the last kept block is enough.
    if (last === undefined || !blockContains(last.block, entry.block)) kept.push(entry);
  }
  return { ranges: kept.map((k) => k.range), origin };
}

/** True when the address is in one of the set's ranges. An unparseable address is in no set. */
export function ipInSet(address: string, set: IpSet): boolean {
  const parsed = parseAddress(address);
  if (parsed === null) return false;
  return set.ranges.some((range) => blockHasAddress(rangeToBlock(range), parsed));
}

/**
 * The exact intersection of two sets: an address is in the result iff it is in both.
 * Both sides are normalized first; of each nested pair the smaller range (with its origin)
 * is kept. Linear after sorting.
 */
export function intersectIpSets(a: IpSet, b: IpSet, origin?: Span): IpSet {
  const left = normalizeIpSet(a.ranges).ranges;
  const right = normalizeIpSet(b.ranges).ranges;
  const out: IpRange[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const l = left[i] as IpRange;
    const r = right[j] as IpRange;
    const lb = rangeToBlock(l);
    const rb = rangeToBlock(r);
    if (blockContains(lb, rb)) {
      out.push(r);
      j++;
    } else if (blockContains(rb, lb)) {
      out.push(l);
      i++;
    } else if (compareBlocks(lb, rb) < 0) {
      i++;
    } else {
      j++;
    }
  }
  return { ranges: out, origin };
}

/** True when every address of `inner` is in `outer`. */
export function ipSetCovers(outer: IpSet, inner: IpSet): boolean {
  const normalizedInner = normalizeIpSet(inner.ranges).ranges;
  const common = intersectIpSets(outer, inner).ranges;
  return (
    common.length === normalizedInner.length &&
    common.every((range, k) => range.cidr === normalizedInner[k]?.cidr)
  );
}
