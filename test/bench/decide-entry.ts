/**
 * Issue #16: a proxy's cold start with the package's decision entry, side by side with the
 * path a runtime takes today. Each case is a fresh process (import-and-load.mjs) that imports
 * its entries and loads the 10,000-tunnel bundle; the cases run interleaved, round by round,
 * so a change in the machine's load falls on all of them. Builds dist/ first (scripts/build.ts),
 * so the built cases measure the current sources.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchModule, BenchRow } from "./bench-module.ts";
import { median, seededRandom } from "./harness.ts";
import { writeBundle } from "../../src/compile/bundle.ts";
import { manyTunnelsPolicy } from "./policies.ts";

const REPO = join(import.meta.dirname, "..", "..");
const SCRIPT = join(import.meta.dirname, "import-and-load.mjs");

/** label → [the module whose `loadBundle` is called, other modules imported first]. */
const CASES: readonly (readonly [string, string, readonly string[]])[] = [
  [
    "today: src/runtime/index.ts, then loadBundle (sources)",
    "src/compile/load-bundle.ts",
    ["src/runtime/index.ts"],
  ],
  [
    "src/compile/load-bundle.ts alone, sources (load-once.ts path)",
    "src/compile/load-bundle.ts",
    [],
  ],
  ["rampart/decide, built (dist/src/decide.js)", "dist/src/decide.js", []],
  ["rampart/decide, sources (src/decide.ts)", "src/decide.ts", []],
  [
    "rampart/runtime, built, then rampart/decide",
    "dist/src/decide.js",
    ["dist/src/runtime/index.js"],
  ],
];

interface Figures {
  readonly importedMs: number;
  readonly loadMs: number;
  readonly maxRssMb: number;
  readonly modules: number;
}

function once(bundle: string, loader: string, others: readonly string[]): Figures {
  const args = [SCRIPT, bundle, join(REPO, loader), ...others.map((o) => join(REPO, o))];
  const child = spawnSync(process.execPath, args, {
    encoding: "utf8",
    env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" },
  });
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout) as Figures;
}

const spread = (values: readonly number[], unit: string): string =>
  `${median(values).toFixed(1)} ${unit} (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`;

export const decideEntryBench: BenchModule = {
  name: "decide-entry",
  description: "cold import of rampart/decide + loadBundle of 10,000 tunnels, beside today's path",
  run({ quick }) {
    execFileSync(process.execPath, [join(REPO, "scripts", "build.ts")], { stdio: "ignore" });
    const rounds = quick ? 1 : 7;
    const dir = mkdtempSync(join(tmpdir(), "rampart-bench-decide-"));
    try {
      const bundle = join(dir, "bundle.json");
      writeFileSync(bundle, writeBundle([manyTunnelsPolicy(seededRandom(10_000), 10_000)], []));
      const results: Figures[][] = CASES.map(() => []);
      for (let round = 0; round < rounds; round++) {
        CASES.forEach(([, loader, others], i) => results[i]?.push(once(bundle, loader, others)));
      }
      return CASES.map(([label], i): BenchRow => {
        const runs = results[i] ?? [];
        return {
          label,
          figures: {
            "imports done, from process start (median, min–max)": spread(
              runs.map((r) => r.importedMs),
              "ms",
            ),
            loadBundle: spread(
              runs.map((r) => r.loadMs),
              "ms",
            ),
            total: spread(
              runs.map((r) => r.importedMs + r.loadMs),
              "ms",
            ),
            "peak RSS": spread(
              runs.map((r) => r.maxRssMb),
              "MB",
            ),
            "modules resolved": String(median(runs.map((r) => r.modules))),
          },
        };
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
