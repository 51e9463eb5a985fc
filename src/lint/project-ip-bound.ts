/**
 * The project's trusted-IP list, ready for questions about one tunnel entry at a time (RP8002,
 * RP8003). `ipSetCovers` and `intersectIpSets` normalize and sort both sides on every call;
 * with one entry on one side their answers reduce to block containment against the project's
 * normalized blocks, which are computed once here. The property tests hold both questions to
 * the set operations they stand for.
 */
import type { IpBlock } from "../ir/ip.ts";
import { blockContains, normalizeIpSet, rangeToBlock } from "../ir/ip.ts";
import type { IpRange, IpSet } from "../ir/types.ts";

/** A project trusted-IP list, normalized once. */
export class ProjectIpBound {
  readonly #ranges: readonly IpRange[];
  readonly #blocks: readonly IpBlock[];

  constructor(bound: IpSet) {
    this.#ranges = normalizeIpSet(bound.ranges).ranges;
    this.#blocks = this.#ranges.map(rangeToBlock);
  }

  /**
   * `ipSetCovers({ ranges: [entry] }, bound)`: the entry holds every address of the bound.
   * Normalized blocks are nested or disjoint, so that is each of them inside the entry.
   */
  coveredBy(entry: IpRange): boolean {
    const block = rangeToBlock(entry);
    return this.#blocks.every((b) => blockContains(block, b));
  }

  /**
   * Whether `intersectIpSets({ ranges: [entry] }, bound)` is the entry alone, as written: a
   * bound block holds the entry (no other block can then meet it). A bound block equal to
   * the entry but spelled differently is left to the exact operation, which keeps its text.
   */
  keepsWhole(entry: IpRange): boolean {
    const block = rangeToBlock(entry);
    return this.#blocks.some(
      (b, k) =>
        blockContains(b, block) &&
        (!blockContains(block, b) || this.#ranges[k]?.cidr === entry.cidr),
    );
  }
}
