/**
 * The bundle writer alone (`writeBundle`, the text of `writeBundleBytes`) of another checkout
 * and of this tree, on one effective policy of N tunnels and N grants, interleaved in one
 * process so both run under the same machine load: CPU milliseconds per bundle, medians, and
 * the bundle's sha-256 of each (equal when both write the same format version: a baseline
 * before format version 3 writes version 2).
 *
 * `RAMPART_BENCH_BASELINE=<checkout root> node test/bench/bundle-writer-side-by-side.ts [rounds] [N]`
 *
 * Under load, compare instruction counts instead (BENCHMARKS.md): the same script run under
 * callgrind with `--only this` or `--only baseline` counts one writer (the pipeline is the same
 * in both runs, so the difference between the counts is the writers').
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { writeBundle } from "../../src/compile/bundle.ts";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import { checkPolicySource } from "../../src/pipeline.ts";
import { median } from "./harness.ts";
import { largePolicyDsl } from "./parse-policy.ts";

type Writer = (policies: readonly EffectivePolicy[], diagnostics: readonly Diagnostic[]) => string;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { only: { type: "string" } },
});
const rounds = Number(positionals[0] ?? 5);
const n = Number(positionals[1] ?? 10_000);

const writers: Record<string, Writer> = {};
const root = process.env["RAMPART_BENCH_BASELINE"];
if (root !== undefined && values.only !== "this") {
  const module = (await import(pathToFileURL(join(root, "src/compile/bundle.ts")).href)) as {
    writeBundle: Writer;
  };
  writers["baseline"] = module.writeBundle;
}
if (values.only !== "baseline") writers["this tree"] = writeBundle;

// The file name is fixed so the bundle's hash is the same on every machine.
const checked = checkPolicySource({ name: "large.rampart", text: largePolicyDsl(n, n) });
if (checked.effective === undefined) throw new Error("the bench policy does not check");
const policies = [checked.effective];

const cpu: Record<string, number[]> = {};
const hashes: Record<string, Set<string>> = {};
for (let round = 0; round < rounds; round++) {
  for (const [name, write] of Object.entries(writers)) {
    const started = process.cpuUsage();
    const text = write(policies, checked.diagnostics);
    const used = process.cpuUsage(started);
    (cpu[name] ??= []).push((used.user + used.system) / 1000);
    (hashes[name] ??= new Set()).add(createHash("sha256").update(text).digest("hex"));
  }
}
for (const [name, list] of Object.entries(cpu)) {
  const runs = list.map((ms) => ms.toFixed(0)).join(", ");
  const hash = [...(hashes[name] ?? [])].join(" / ");
  process.stdout.write(`${name}: ${runs} (median ${median(list).toFixed(0)} CPU ms) ${hash}\n`);
}
