/** Seeded inputs shared by the benches: random CIDR lists and client addresses. */

/**
 * A flat copy of a string. Strings glued by `+` or templates are cons strings (ropes) in V8,
 * which every `charCodeAt` must unwrap; the addresses a runtime sees (`socket.remoteAddress`)
 * are flat, so bench inputs are made flat too.
 */
export function flat(text: string): string {
  return Buffer.from(text, "latin1").toString("latin1");
}

function v4Text(value: number): string {
  return flat(`${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`);
}

/** `count` random IPv4 CIDRs with prefixes /8 … /32, in canonical text (host bits cleared). */
export function randomV4Cidrs(random: () => number, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    // Longer prefixes dominate, as in real allow-lists; a few wide ones make ranges overlap.
    const prefix = 16 + Math.floor(random() * 17);
    const address = Math.floor(random() * 4294967296);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    out.push(`${v4Text((address & mask) >>> 0)}/${prefix}`);
  }
  return out;
}

/** The first and last address of an IPv4 CIDR as numbers. */
function bounds(cidr: string): [number, number] {
  const [addr = "", len = "32"] = cidr.split("/");
  const value = addr.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(len));
  return [value, value + size - 1];
}

/** Whether an address falls in any CIDR (a slow reference, for building inputs only). */
function covered(ranges: readonly [number, number][], value: number): boolean {
  return ranges.some(([lo, hi]) => value >= lo && value <= hi);
}

/**
 * `count` client addresses, alternating one inside a random CIDR of the list and one outside
 * every CIDR: 50% allow, 50% deny by IP.
 */
export function requestsHalfAllowed(
  random: () => number,
  cidrs: readonly string[],
  count: number,
): string[] {
  const ranges = cidrs.map(bounds);
  const out: string[] = [];
  while (out.length < count) {
    if (out.length % 2 === 0) {
      const [lo, hi] = ranges[Math.floor(random() * ranges.length)] ?? [0, 0];
      out.push(v4Text(lo + Math.floor(random() * (hi - lo + 1))));
    } else {
      const value = Math.floor(random() * 4294967296);
      if (!covered(ranges, value)) out.push(v4Text(value));
    }
  }
  return out;
}
