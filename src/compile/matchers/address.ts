/**
 * Client-address parsing for the hot path. The common textual forms (strict dotted quad,
 * plain hexadecimal IPv6, IPv6 with a dotted IPv4 tail) are parsed by hand into numbers with
 * no allocation; anything else (zone ids, leading zeros, brackets …) goes to a slow parser
 * that defines what an odd form means. IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is folded to IPv4
 * (SPEC S-A3), so a set of IPv4 ranges matches it.
 */
import { parseDottedQuad } from "../../ir/ip.ts";

/** Where a parsed address is written; reused across requests so parsing allocates nothing. */
export interface AddressScratch {
  /**
   * The IPv4 address as an order key, when the family is 4: the unsigned value with its top
   * bit flipped, as a signed 32-bit integer (`v4Key`). Signed 32-bit values stay small
   * integers in V8, so the hot path never boxes a number; flipping the top bit keeps the
   * unsigned order under signed comparison.
   */
  v4: number;
  /** The IPv6 address as four big-endian 32-bit words, when the family is 6. */
  readonly v6: Uint32Array;
}

/** The family of a parsed address; 0 when the text is not an address. */
export type AddressFamily = 0 | 4 | 6;

/**
 * The authoritative parser for forms the fast path declines: returns the family and the
 * address (IPv4 as a number, IPv6 as 16 bytes), or null when the text is not an address.
 */
export type SlowAddressParser = (
  text: string,
) =>
  | { readonly family: 4; readonly v4: number }
  | { readonly family: 6; readonly bytes: Uint8Array }
  | null;

/** The order key of an unsigned 32-bit IPv4 value (see `AddressScratch.v4`). */
export function v4Key(unsigned: number): number {
  return (unsigned ^ 0x80000000) | 0;
}

/** A fresh scratch area. */
export function newAddressScratch(): AddressScratch {
  return { v4: 0, v6: new Uint32Array(4) };
}

const groups = new Uint16Array(8);

// The result of the last successful `scanQuad`, as an order key: a module-level int32, so
// returning it allocates nothing.
let quadKey = 0;

/**
 * Scans a strict dotted quad in `text[start, end)` (`parseDottedQuad`): on success stores
 * the order key in `quadKey` and returns true. HOT PATH: no allocation.
 */
function scanQuad(text: string, start: number, end: number): boolean {
  const value = parseDottedQuad(text, start, end);
  if (value < 0) return false;
  quadKey = value ^ 0x80000000;
  return true;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Parses the 16-bit groups of an IPv6 text into `groups`; returns the group count with the
 * position of `::` encoded as `count | (gap + 1) << 4` (gap 0 = absent), or -1.
 */
// eslint-disable-next-line complexity -- one hand-written scanner reads better than split helpers on the hot path
function scanV6(text: string): number {
  const n = text.length;
  if (n < 2 || n > 45) return -1;
  let count = 0;
  let gap = -1;
  let i = 0;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return -1;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    let value = 0;
    let digits = 0;
    let j = i;
    for (; j < n; j++) {
      const h = hexValue(text.charCodeAt(j));
      if (h < 0) break;
      value = value * 16 + h;
      if (++digits > 4) return -1;
    }
    if (j < n && text.charCodeAt(j) === 46) {
      // `::a.b.c.d` (the deprecated IPv4-compatible form) means different things to
      // different parsers; the slow path's reading is the one that counts.
      if (count > 6 || (count === 0 && gap === 0)) return -1;
      if (!scanQuad(text, i, n)) return -1;
      groups[count++] = ((quadKey ^ 0x80000000) >>> 16) & 0xffff;
      groups[count++] = quadKey & 0xffff;
      break;
    }
    if (digits === 0 || count === 8) return -1;
    groups[count++] = value;
    if (j === n) break;
    if (text.charCodeAt(j) !== 58) return -1;
    j++;
    if (j === n) return -1;
    if (text.charCodeAt(j) === 58) {
      if (gap >= 0) return -1;
      gap = count;
      j++;
    }
    i = j;
  }
  if (gap < 0 ? count !== 8 : count > 7) return -1;
  return count | ((gap + 1) << 4);
}

/** Parses plain IPv6 text into four words; false when the fast path declines the form. */
function parseV6Words(text: string, out: Uint32Array): boolean {
  const scanned = scanV6(text);
  if (scanned < 0) return false;
  const count = scanned & 15;
  const gap = (scanned >> 4) - 1;
  const zeros = gap < 0 ? 0 : 8 - count;
  let g = 0;
  for (let w = 0; w < 4; w++) {
    const hi = groupAt(g++, gap, zeros, count);
    const lo = groupAt(g++, gap, zeros, count);
    out[w] = hi * 65536 + lo;
  }
  return true;
}

/** The value of expanded group `index`, given the compressed groups and the `::` position. */
function groupAt(index: number, gap: number, zeros: number, count: number): number {
  if (gap < 0 || index < gap) return groups[index] ?? 0;
  if (index < gap + zeros) return 0;
  const source = index - zeros;
  return source < count ? (groups[source] ?? 0) : 0;
}

/** Folds `::ffff:a.b.c.d` in `out.v6` to IPv4; returns the resulting family. */
function foldMapped(out: AddressScratch): AddressFamily {
  const w = out.v6;
  if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) {
    out.v4 = ((w[3] ?? 0) ^ 0x80000000) | 0;
    return 4;
  }
  return 6;
}

/**
 * Parses a client address into `out`. HOT PATH: the usual forms allocate nothing; odd forms
 * go to `slow`, whose answer is authoritative.
 */
export function parseAddressInto(
  text: string,
  out: AddressScratch,
  slow: SlowAddressParser,
): AddressFamily {
  if (scanQuad(text, 0, text.length)) {
    out.v4 = quadKey;
    return 4;
  }
  if (text.indexOf(":") >= 0 && parseV6Words(text, out.v6)) return foldMapped(out);
  const parsed = slow(text);
  if (parsed === null) return 0;
  if (parsed.family === 4) {
    out.v4 = v4Key(parsed.v4);
    return 4;
  }
  const b = parsed.bytes;
  for (let w = 0; w < 4; w++) {
    const o = w * 4;
    out.v6[w] =
      (b[o] ?? 0) * 16777216 + (((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0));
  }
  return foldMapped(out);
}
