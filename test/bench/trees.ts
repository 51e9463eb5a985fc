/**
 * The source trees a side-by-side bench runs: this checkout, and the one `RAMPART_BENCH_BASELINE`
 * names (another checkout with its `node_modules`), when set.
 */
import { join } from "node:path";

/** `[name, root]` pairs: "this tree" first, then "baseline" when the variable is set. */
export function benchTrees(): [string, string][] {
  const trees: [string, string][] = [["this tree", join(import.meta.dirname, "../..")]];
  const baseline = process.env["RAMPART_BENCH_BASELINE"];
  if (baseline !== undefined) trees.push(["baseline", baseline]);
  return trees;
}
