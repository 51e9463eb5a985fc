/**
 * Instructions per request of the in-process pipeline (proxy-pipeline.ts), counted by
 * callgrind in windows after a warm-up (issue #20): the process starts uninstrumented, runs
 * `--warmup` requests, then each window zeroes the counters, runs `--calls` requests and
 * dumps them (`callgrind_control`), so neither start-up nor JIT warm-up is in a figure. The
 * figure is the main thread's (the pipeline and its young-generation GC); V8's background
 * compile and GC threads are left out, as in proxy-instructions.ts.
 *
 *   node test/bench/pipeline-windows.ts [--variants full,open] [--observe observer]
 *     [--warmup 30000] [--calls 10000] [--windows 5] [--rounds 1] [--keep DIR]
 *     [--node-flags="…"]
 *
 * `full` is the proxy bench's full policy (proxy-policy.ts: trusted IPs, GeoIP, a bearer
 * token with a path-scoped grant), `open` the open tunnel; full − open is what the policy
 * adds. A `+metrics` suffix (`full+metrics`) adds prom-client's default process metrics, as
 * `serve` collects them. With
 * RAMPART_BENCH_BASELINE=<checkout root> every variant is also run from that tree (it needs
 * this file's proxy-pipeline.ts, `src/`, `fixtures/geoip/` and a `node_modules`), process by
 * process interleaved with this tree's, `--rounds` times.
 *
 * `--keep DIR` leaves each process's last main-thread dump in DIR (`TREE-VARIANT.callgrind`)
 * for `callgrind_annotate --inclusive=yes`; with `--node-flags=--perf-basic-prof` also V8's
 * map of its JIT code (`TREE-VARIANT.perf.map`), to name the dump's anonymous addresses.
 */
import { execFileSync, fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { benchTrees } from "./trees.ts";

type Message = { readonly ready?: true; readonly done?: true };

if (process.argv[2] === "--child") {
  // Inside valgrind: one tree's pipeline, driven window by window by the parent.
  const [, , , root = ".", variant = "full", observe = "observer", warmup = "0"] = process.argv;
  const mod = (await import(pathToFileURL(join(root, "test/bench/proxy-pipeline.ts")).href)) as {
    preparePipeline: (
      full: boolean,
      observe: string,
      stateUrl: undefined,
      defaultMetrics: boolean,
    ) => Promise<{ run(calls: number): Promise<void>; forwarded(): number }>;
  };
  const pipeline = await mod.preparePipeline(
    variant.startsWith("full"),
    observe,
    undefined,
    variant.endsWith("+metrics"),
  );
  await pipeline.run(Number(warmup));
  process.on("message", (m: { cmd: string; calls?: number }) => {
    if (m.cmd === "exit") process.exit(0);
    void pipeline.run(m.calls ?? 0).then(() => process.send?.({ done: true }));
  });
  process.send?.({ ready: true });
} else {
  const { values } = parseArgs({
    options: {
      variants: { type: "string", default: "full,open" },
      observe: { type: "string", default: "observer" },
      warmup: { type: "string", default: "30000" },
      calls: { type: "string", default: "10000" },
      windows: { type: "string", default: "5" },
      rounds: { type: "string", default: "1" },
      keep: { type: "string" },
      "node-flags": { type: "string", default: "" },
    },
  });
  const trees = benchTrees();
  const calls = Number(values.calls);
  const before = loadavg();
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const variant of values.variants.split(",")) {
      for (const [name, root] of trees) {
        const windows = await measure(root, variant, values.observe, Number(values.warmup), {
          calls,
          windows: Number(values.windows),
          nodeFlags: values["node-flags"] === "" ? [] : values["node-flags"].split(" "),
          keep:
            values.keep === undefined
              ? undefined
              : join(values.keep, `${name === "baseline" ? "baseline" : "tree"}-${variant}`),
        });
        const k = (n: number): string => `${(n / 1000).toFixed(2)}k`;
        console.log(
          `${name}, ${variant}: median ${k(median(windows))} instructions/request, main thread (windows ${windows.map(k).join(" ")}) (${root})`,
        );
      }
    }
  }
  console.log(
    `load average before ${before.map((l) => l.toFixed(2)).join(" ")}, after ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
}

function waitFor(child: ChildProcess, key: keyof Message): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Message): void => {
      if (m[key] !== true) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve();
    };
    const onExit = (code: number | null): void =>
      reject(new Error(`the pipeline process exited with ${String(code)}`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/** Main-thread instructions per request of each window, for one tree and variant. */
async function measure(
  root: string,
  variant: string,
  observe: string,
  warmup: number,
  o: { calls: number; windows: number; nodeFlags: string[]; keep: string | undefined },
): Promise<number[]> {
  const outDir = mkdtempSync(join(tmpdir(), "rampart-pipeline-cg-"));
  const child = fork(import.meta.filename, ["--child", root, variant, observe, String(warmup)], {
    execPath: "valgrind",
    execArgv: [
      "--tool=callgrind",
      "--quiet",
      "--instr-atstart=no",
      "--separate-threads=yes",
      `--callgrind-out-file=${join(outDir, "cg.%p")}`,
      process.execPath,
      ...o.nodeFlags,
    ],
    env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    await waitFor(child, "ready");
    const pid = String(child.pid ?? 0);
    execFileSync("callgrind_control", ["-i", "on", pid], { stdio: "ignore" });
    const figures: number[] = [];
    for (let w = 0; w < o.windows; w++) {
      execFileSync("callgrind_control", ["-z", pid], { stdio: "ignore" });
      const done = waitFor(child, "done");
      child.send({ cmd: "run", calls: o.calls });
      await done;
      execFileSync("callgrind_control", ["-d", pid], { stdio: "ignore" });
      figures.push(mainThreadTotal(outDir, pid).total / o.calls);
    }
    if (o.keep !== undefined) {
      mkdirSync(dirname(o.keep), { recursive: true });
      copyFileSync(mainThreadTotal(outDir, pid).file, `${o.keep}.callgrind`);
      const jitMap = join(tmpdir(), `perf-${pid}.map`);
      if (existsSync(jitMap)) copyFileSync(jitMap, `${o.keep}.perf.map`);
    }
    return figures;
  } finally {
    child.send({ cmd: "exit" });
    await new Promise((r) => child.once("exit", r));
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** The main thread's total in the newest dump (`cg.PID.PART-01`), and that dump. */
function mainThreadTotal(outDir: string, pid: string): { total: number; file: string } {
  let newest = { part: -1, file: "" };
  for (const f of readdirSync(outDir)) {
    const m = new RegExp(`^cg\\.${pid}\\.(\\d+)-01$`).exec(f);
    if (m !== null && Number(m[1]) > newest.part) newest = { part: Number(m[1]), file: f };
  }
  if (newest.part < 0) throw new Error("no main-thread dump");
  const total = /^(?:totals|summary): (\d+)/m.exec(readFileSync(join(outDir, newest.file), "utf8"));
  if (total === null) throw new Error(`no totals in ${newest.file}`);
  return { total: Number(total[1]), file: join(outDir, newest.file) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  // SAFETY: mid < sorted.length for a non-empty list (every run has at least one window).
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
