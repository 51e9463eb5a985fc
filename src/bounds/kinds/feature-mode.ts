/** The `off` < `preferred` < `required` order shared by post-quantum and ECH settings. */
import type { FeatureMode } from "../../ir/types.ts";

const RANK: Readonly<Record<FeatureMode, number>> = { off: 0, preferred: 1, required: 2 };

/** Orders modes by strictness: negative when `a` is laxer than `b`. */
export function compareFeatureMode(a: FeatureMode, b: FeatureMode): number {
  return RANK[a] - RANK[b];
}
