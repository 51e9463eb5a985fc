/**
 * IPv4 block containment on plain numbers, for the analyses that ask it of every tunnel of a
 * large policy (lint's obvious client address, the project trusted-IP bound). `blockContains`
 * of `ir/ip.ts` works on BigInts for both families, and each of its shifts allocates two
 * BigInts; an IPv4 network fits a double exactly, so dividing by a power of two is the same
 * shift without allocating. The answers are the same as `blockContains` on the same blocks
 * (property tests in `test/analysis/ipv4-blocks.test.ts`).
 */
import type { IpBlock } from "../ir/ip.ts";

/** `2 ** (32 - prefix)` for every IPv4 prefix, made once. */
const HOST_SIZE: readonly number[] = Array.from({ length: 33 }, (_, prefix) => 2 ** (32 - prefix));

/** An IPv4 block as numbers: the network address and the prefix length. */
export interface Ipv4Block {
  readonly network: number;
  readonly prefix: number;
}

/** The IPv4 block of `block`, or `null` for an IPv6 one. */
export function ipv4Block(block: IpBlock): Ipv4Block | null {
  return block.family === 4 ? { network: Number(block.network), prefix: block.prefix } : null;
}

/**
 * Whether the IPv4 block (`outerNetwork`, `outerPrefix`) holds the IPv4 block (`network`,
 * `prefix`): `blockContains` for two blocks of family 4. An address is the block with prefix 32.
 */
export function ipv4Contains(
  outerNetwork: number,
  outerPrefix: number,
  network: number,
  prefix: number,
): boolean {
  if (outerPrefix > prefix) return false;
  // SAFETY: 0 <= outerPrefix <= 32, the table's bounds (the prefix of a parsed block).
  const size = HOST_SIZE[outerPrefix] as number;
  return Math.floor(outerNetwork / size) === Math.floor(network / size);
}
