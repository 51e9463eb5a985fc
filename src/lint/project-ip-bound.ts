/**
 * The project's trusted-IP list, ready for questions about one tunnel entry at a time (RP8002,
 * RP8003). `ipSetCovers` and `intersectIpSets` normalize and sort both sides on every call;
 * with one entry on one side their answers reduce to block containment against the project's
 * normalized blocks, which are computed once here. An IPv4 entry against IPv4 blocks is
 * compared on numbers (`analysis/ipv4-blocks.ts`): no BigInt is made per tunnel. The property
 * tests hold both questions to the set operations they stand for.
 */
import type { Ipv4Block } from "../analysis/ipv4-blocks.ts";
import { ipv4Block, ipv4Contains } from "../analysis/ipv4-blocks.ts";
import type { IpBlock } from "../ir/ip.ts";
import { blockContains, normalizeIpSet, rangeToBlock } from "../ir/ip.ts";
import type { IpRange, IpSet } from "../ir/types.ts";

/** A project trusted-IP list, normalized once. */
export class ProjectIpBound {
  readonly #ranges: readonly IpRange[];
  readonly #blocks: readonly IpBlock[];
  /** `#blocks` as IPv4 numbers, `null` at each IPv6 block. */
  readonly #ipv4: readonly (Ipv4Block | null)[];

  constructor(bound: IpSet) {
    this.#ranges = normalizeIpSet(bound.ranges).ranges;
    this.#blocks = this.#ranges.map(rangeToBlock);
    this.#ipv4 = this.#blocks.map(ipv4Block);
  }

  /**
   * `blockContains(#blocks[k], block)`; `network` is the block's network as a number when it
   * is IPv4 (-1 for IPv6), so that two IPv4 blocks are compared on numbers.
   */
  #boundHolds(k: number, block: IpBlock, network: number): boolean {
    const own = this.#ipv4[k];
    if (network < 0 || own === null || own === undefined) {
      return blockContains(this.#blocks[k] as IpBlock, block);
    }
    return ipv4Contains(own.network, own.prefix, network, block.prefix);
  }

  /** `blockContains(block, #blocks[k])`, on numbers as `#boundHolds`. */
  #entryHolds(k: number, block: IpBlock, network: number): boolean {
    const own = this.#ipv4[k];
    if (network < 0 || own === null || own === undefined) {
      return blockContains(block, this.#blocks[k] as IpBlock);
    }
    return ipv4Contains(network, block.prefix, own.network, own.prefix);
  }

  /**
   * `ipSetCovers({ ranges: [entry] }, bound)`: the entry holds every address of the bound.
   * Normalized blocks are nested or disjoint, so that is each of them inside the entry.
   */
  coveredBy(entry: IpRange): boolean {
    const block = rangeToBlock(entry);
    const network = block.family === 4 ? Number(block.network) : -1;
    // Indexed: asked per tunnel entry, mostly before it is optimized.
    for (let k = 0; k < this.#blocks.length; k++) {
      if (!this.#entryHolds(k, block, network)) return false;
    }
    return true;
  }

  /**
   * Whether `intersectIpSets({ ranges: [entry] }, bound)` is the entry alone, as written: a
   * bound block holds the entry (no other block can then meet it). A bound block equal to
   * the entry but spelled differently is left to the exact operation, which keeps its text.
   */
  keepsWhole(entry: IpRange): boolean {
    const block = rangeToBlock(entry);
    const network = block.family === 4 ? Number(block.network) : -1;
    for (let k = 0; k < this.#blocks.length; k++) {
      if (
        this.#boundHolds(k, block, network) &&
        (!this.#entryHolds(k, block, network) || this.#ranges[k]?.cidr === entry.cidr)
      ) {
        return true;
      }
    }
    return false;
  }
}
