/**
 * The source trees a side-by-side bench runs: this checkout, and the one `RAMPART_BENCH_BASELINE`
 * names (another checkout with its `node_modules`), when set.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Outcome } from "../../src/diagnostics/diagnostic.ts";
import type { SourceFile } from "../../src/diagnostics/span.ts";

/** `[name, root]` pairs: "this tree" first, then "baseline" when the variable is set. */
export function benchTrees(): [string, string][] {
  const trees: [string, string][] = [["this tree", join(import.meta.dirname, "../..")]];
  const baseline = process.env["RAMPART_BENCH_BASELINE"];
  if (baseline !== undefined) trees.push(["baseline", baseline]);
  return trees;
}

/** A tree's front end and lower stage, loaded from its sources (the benches compare trees). */
export interface FrontEnd {
  readonly parsePolicySource: (source: SourceFile) => Outcome<unknown>;
  readonly lowerToIr: (ast: unknown) => Outcome<unknown>;
}

/** Loads `parsePolicySource` and `lowerToIr` from the tree at `root`. */
export async function loadFrontEnd(root: string): Promise<FrontEnd> {
  const load = async <T>(path: string): Promise<T> =>
    (await import(pathToFileURL(join(root, path)).href)) as T;
  const { parsePolicySource } =
    await load<Pick<FrontEnd, "parsePolicySource">>("src/syntax/parse.ts");
  const { lowerToIr } = await load<Pick<FrontEnd, "lowerToIr">>("src/ir/lower.ts");
  return { parsePolicySource, lowerToIr };
}
