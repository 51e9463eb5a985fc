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
 * The value of the four-part decimal IPv4 text in `text[start, end)`, or -1 when it is not
 * that: four parts of ASCII digits, each `0` or without a leading zero (octal to some
 * parsers), each at most 255. This is exactly the set that `ipaddr.IPv4.isValidFourPartDecimal`
 * accepts, read without regexes or allocation: the one reading of IPv4 text for trusted-IP
 * entries, compiled matchers and the runtime's client addresses.
 */
export function parseDottedQuad(text: string, start = 0, end = text.length): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x2e) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (code >= 0x30 && code <= 0x39) {
      if (digits === 1 && part === 0) return -1;
      part = part * 10 + (code - 0x30);
      digits++;
      if (part > 255) return -1;
    } else {
      return -1;
    }
  }
  return digits === 0 || dots !== 3 ? -1 : value * 256 + part;
}

/** Dotted decimal text of a 32-bit value (the same text as joining its four bytes). */
function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

/**
 * Parses an address. IPv4 must be four-part decimal (no octal, hex or short forms, which
 * systems read differently); IPv6 must have no zone id. IPv4-mapped IPv6 becomes IPv4.
 * Returns `null` for anything else.
 */
export function parseAddress(text: string): IpAddress | null {
  if (!text.includes(":")) {
    const value = parseDottedQuad(text);
    return value === -1 ? null : { family: 4, value: BigInt(value) };
  }
  const hex = text.includes("%") ? null : withHexTail(text);
  if (hex === null || !ipaddr.IPv6.isValid(hex)) return null;
  const value = bytesToBigint(ipaddr.IPv6.parse(hex).toByteArray());
  if (value >> 32n === 0xffffn) return { family: 4, value: value & 0xffffffffn };
  return { family: 6, value };
}

/**
 * IPv6 text with a dotted IPv4 tail rewritten as two hex groups (S-R6): the library reads
 * the deprecated IPv4-compatible `::a.b.c.d` as the mapped `::ffff:a.b.c.d`; written in hex,
 * it stays the IPv6 address `::a.b.c.d` is. Null when the tail is not a strict dotted quad.
 */
function withHexTail(text: string): string | null {
  const colon = text.lastIndexOf(":");
  if (text.indexOf(".", colon) < 0) return text;
  const v4 = parseDottedQuad(text, colon + 1);
  if (v4 === -1) return null;
  return `${text.slice(0, colon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
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
 * The number written from `start` to the end of `text` when it is what `PREFIX_TEXT` accepts
 * (`0`, or one to three digits without a leading zero), else -1; read without a copy.
 */
function prefixLength(text: string, start: number): number {
  const digits = text.length - start;
  if (digits < 1 || digits > 3) return -1;
  let value = 0;
  for (let i = start; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9 || (i === start && digit === 0 && digits > 1)) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Parses a trusted-IP entry (`10.0.0.1`, `10.0.0.0/8`, `2001:db8::/32`, `::ffff:10.0.0.0/104`)
 * into a canonical range. A single address becomes a /32 or /128. Host bits below the prefix
 * are cleared and reported through `hostBitsSet`, so the caller can warn with the fix.
 */
export function parseIpEntry(text: string, origin?: Span): IpEntryResult {
  const slash = text.indexOf("/");
  const colon = text.indexOf(":");
  // No `:` before the slash: IPv4 (or nothing), read in place.
  if (colon === -1 || (slash !== -1 && colon > slash)) return parseIpv4Entry(text, slash, origin);
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

/**
 * `parseIpEntry` for an IPv4 address (no `:`), in 32-bit numbers rather than bigints: most
 * entries of a large policy are IPv4, and each was once four allocations of byte arrays and
 * bigints. Gives the same results; the canonical block is remembered for `rangeToBlock`.
 */
function parseIpv4Entry(text: string, slash: number, origin: Span | undefined): IpEntryResult {
  const value = parseDottedQuad(text, 0, slash === -1 ? text.length : slash);
  if (value === -1) {
    const addressText = slash === -1 ? text : text.slice(0, slash);
    return { ok: false, reason: `\`${addressText}\` is not an IP address` };
  }
  let prefix = 32;
  if (slash !== -1) {
    prefix = prefixLength(text, slash + 1);
    if (prefix === -1 || prefix > 32) {
      const prefixText = text.slice(slash + 1);
      return { ok: false, reason: `\`/${prefixText}\` is not a prefix length for IPv4` };
    }
  }
  // `>>> 32` would shift by 0, hence the special case of a /32.
  const hostMask = prefix === 32 ? 0 : 0xffffffff >>> prefix;
  const network = (value & ~hostMask) >>> 0;
  const hostBitsSet = (value & hostMask) !== 0;
  // A written `a.b.c.d/n` without host bits is already canonical (the parse refused leading
  // zeros): the entry is its own CIDR text, with no new string to build and hash.
  const cidr = slash !== -1 && !hostBitsSet ? text : `${formatIpv4(network)}/${prefix}`;
  if (!blockCache.has(cidr)) cacheBlock(cidr, { family: 4, network: BigInt(network), prefix });
  return {
    ok: true,
    range: { family: 4, cidr, origin },
    hostBitsSet,
  };
}

/** Numeric blocks of canonical CIDR text, bounded so hostile token churn cannot grow it. */
const blockCache = new Map<string, IpBlock>();

function cacheBlock(cidr: string, block: IpBlock): void {
  if (blockCache.size >= 65_536) blockCache.clear();
  blockCache.set(cidr, block);
}

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
  cacheBlock(range.cidr, block);
  return block;
}

/** `BigInt(bits - prefix)` for every prefix of each family, made once. */
const HOST_BITS: Readonly<Record<4 | 6, readonly bigint[]>> = {
  4: Array.from({ length: 33 }, (_, prefix) => BigInt(32 - prefix)),
  6: Array.from({ length: 129 }, (_, prefix) => BigInt(128 - prefix)),
};

/** True when `outer` contains every address of `inner` (same family, shorter or equal prefix). */
export function blockContains(outer: IpBlock, inner: IpBlock): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false;
  const shift =
    HOST_BITS[outer.family][outer.prefix] ?? BigInt(familyBits(outer.family) - outer.prefix);
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
  return { ranges: normalizedRanges(ranges).slice(), origin };
}

/**
 * `normalizeIpSet` of a list the caller made and gives away: the set holds the list itself
 * when it is normalized already (HOT PATH: lowering, a list per tunnel with trusted IPs).
 */
export function normalizeOwnedIpSet(ranges: readonly IpRange[], origin?: Span): IpSet {
  return { ranges: normalizedRanges(ranges), origin };
}

/**
 * `normalizeIpSet`'s ranges; the list itself when it is already normalized (each range after
 * the one before it, and not inside it), which is how lowering leaves every list.
 */
function normalizedRanges(ranges: readonly IpRange[]): readonly IpRange[] {
  const first = ranges[0];
  if (first === undefined) return ranges;
  let previous = rangeToBlock(first);
  // HOT PATH: bounds normalizes both sides of every tunnel's intersection.
  for (let i = 1; i < ranges.length; i++) {
    const block = rangeToBlock(ranges[i] as IpRange);
    if (compareBlocks(previous, block) >= 0 || blockContains(previous, block)) {
      return sortAndMerge(ranges);
    }
    previous = block;
  }
  return ranges;
}

function sortAndMerge(ranges: readonly IpRange[]): IpRange[] {
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
  return kept.map((k) => k.range);
}

/** True when the address is in one of the set's ranges. An unparseable address is in no set. */
export function ipInSet(address: string, set: IpSet): boolean {
  const parsed = parseAddress(address);
  return parsed !== null && addressInSet(parsed, set);
}

// The blocks of each set asked about, kept with the set (sets are immutable): the analyses
// ask about the same sets for every tunnel of a large policy.
const blocksOfSet = new WeakMap<IpSet, readonly IpBlock[]>();

/** `ipInSet` for an address already parsed. */
export function addressInSet(address: IpAddress, set: IpSet): boolean {
  let blocks = blocksOfSet.get(set);
  if (blocks === undefined) {
    blocks = set.ranges.map(rangeToBlock);
    blocksOfSet.set(set, blocks);
  }
  // Indexed: this often runs before the code is optimized, where an iterator allocates.
  for (let i = 0; i < blocks.length; i++) {
    if (blockHasAddress(blocks[i] as IpBlock, address)) return true;
  }
  return false;
}

/**
 * The exact intersection of two sets: an address is in the result iff it is in both.
 * Both sides are normalized first; of each nested pair the smaller range (with its origin)
 * is kept. Linear after sorting.
 */
export function intersectIpSets(a: IpSet, b: IpSet, origin?: Span): IpSet {
  const left = normalizedRanges(a.ranges);
  const right = normalizedRanges(b.ranges);
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
  const normalizedInner = normalizedRanges(inner.ranges);
  const common = intersectIpSets(outer, inner).ranges;
  return (
    common.length === normalizedInner.length &&
    common.every((range, k) => range.cidr === normalizedInner[k]?.cidr)
  );
}
