/**
 * Runs the benchmarks: `npm run bench` (all), `npm run bench -- --only <name>[,<name>]`,
 * `--quick` for a smoke run, `--list` for the names. Prints one Markdown table per bench,
 * ready to paste into BENCHMARKS.md, after a header naming the machine.
 */
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { BenchModule, BenchRow } from "./bench-module.ts";
import { compileBench } from "./compile.bench.ts";
import { decisionBench } from "./decision.bench.ts";
import { strategyBench } from "./strategy.bench.ts";
import { proxyBench } from "./proxy.ts";
import { forwardAuthBench } from "./forward-auth.ts";
import { diffBench } from "./diff.ts";
import { diffScaleBench } from "./diff-scale.ts";
import { parseBench } from "./parse.ts";
import { controlPlaneBench } from "./control-plane.bench.ts";
import { streamBench } from "./stream.ts";
import { proxyH2Bench } from "./proxy-h2.ts";
import { redisClientsBench } from "./redis-clients.ts";
import { revocationBench } from "./revocation.bench.ts";
import { esmBench } from "./esm.bench.ts";
import { decideEntryBench } from "./decide-entry.ts";
import { shadowBench } from "./shadow.ts";

/** Every bench, in the order they run. Add new modules (parse, proxy …) here. */
const benches: readonly BenchModule[] = [
  strategyBench,
  decisionBench,
  compileBench,
  proxyBench,
  forwardAuthBench,
  diffBench,
  diffScaleBench,
  parseBench,
  controlPlaneBench,
  streamBench,
  proxyH2Bench,
  redisClientsBench,
  revocationBench,
  esmBench,
  decideEntryBench,
  shadowBench,
];

function table(rows: readonly BenchRow[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r.figures)))];
  const head = `| case | ${columns.join(" | ")} |`;
  const rule = `|${" --- |".repeat(columns.length + 1)}`;
  const body = rows.map(
    (r) => `| ${r.label} | ${columns.map((c) => r.figures[c] ?? "").join(" | ")} |`,
  );
  return [head, rule, ...body].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      quick: { type: "boolean", default: false },
      list: { type: "boolean", default: false },
    },
  });
  if (values.list) {
    for (const b of benches) console.log(`${b.name}\t${b.description}`);
    return;
  }
  const wanted = values.only?.split(",").map((s) => s.trim());
  const unknown = wanted?.filter((w) => !benches.some((b) => b.name === w)) ?? [];
  if (unknown.length > 0) {
    console.error(`unknown bench: ${unknown.join(", ")} (try --list)`);
    process.exitCode = 2;
    return;
  }
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  console.log(
    `date ${new Date().toISOString()} · node ${process.version} · nproc ${cpus().length} · ${cpu} · load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}\n`,
  );
  for (const bench of benches) {
    if (wanted !== undefined && !wanted.includes(bench.name)) continue;
    const rows = await bench.run({ quick: values.quick });
    console.log(`### ${bench.name}: ${bench.description}\n\n${table(rows)}\n`);
  }
}

await main();
