/**
 * Instructions of the request's header work alone (issue #20): `decidedHeaders` then the
 * forward rewrite `upstreamRequestHeaders`, for this tree and, with
 * RAMPART_BENCH_BASELINE=<checkout>, that one. Each tree runs under callgrind with `calls`
 * and 3 × `calls` iterations; the difference over 2 × `calls` cancels start-up out (small
 * here: only the two modules are loaded).
 *
 *   node test/bench/pipeline-headers-instructions.ts [calls] [browser|lower]
 *
 * `browser`: ten fields as a browser names them (capitalized); `lower`: the proxy bench's
 * client (six lower-case fields).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const HEADER_SETS: Record<string, string[]> = {
  browser: [
    ...["Host", "app.test", "Connection", "keep-alive"],
    ...["User-Agent", "Mozilla/5.0 (X11; Linux x86_64)", "Accept", "text/html,*/*"],
    ...["Accept-Encoding", "gzip, deflate", "Accept-Language", "en-GB,en;q=0.9"],
    ...["Cookie", "a=1; b=2", "Referer", "https://app.test/"],
    ...["X-Forwarded-For", "81.2.69.160", "Authorization", "Bearer abc"],
  ],
  lower: [
    ...["host", "app.test", "connection", "keep-alive", "user-agent", "bench"],
    ...["accept", "*/*", "x-forwarded-for", "81.2.69.160", "authorization", "Bearer abc"],
  ],
};

/** Inside valgrind: `calls` iterations of the header work of `root`. */
async function runOnce(root: string, calls: number, set: string): Promise<void> {
  const url = (path: string): string => pathToFileURL(join(root, path)).href;
  const { decidedHeaders } = (await import(url("src/runtime/http/request-headers.ts"))) as {
    decidedHeaders: (raw: readonly string[]) => { fields: string[]; lowerNames?: string[] };
  };
  const { upstreamRequestHeaders } = (await import(url("src/runtime/forward/headers.ts"))) as {
    upstreamRequestHeaders: (fields: string[], ctx: object, lowerNames?: string[]) => string[];
  };
  const raw = HEADER_SETS[set] ?? [];
  const ctx = {
    forwardedFor: "81.2.69.160",
    proto: "http",
    host: "app.test",
    upstreamHost: "up:80",
    dropAuthorization: true,
    upgrade: false,
  };
  let kept = 0;
  for (let i = 0; i < calls; i++) {
    const decided = decidedHeaders(raw);
    kept += upstreamRequestHeaders(decided.fields, ctx, decided.lowerNames).length;
  }
  if (kept === 0) throw new Error("nothing forwarded");
}

/** The "Collected" total of one run under callgrind. */
function collected(root: string, calls: number, set: string): number {
  const run = spawnSync(
    "valgrind",
    [
      "--tool=callgrind",
      "--callgrind-out-file=/dev/null",
      process.execPath,
      import.meta.filename,
      "--run",
      root,
      String(calls),
      set,
    ],
    {
      encoding: "utf8",
      env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  const total = /Collected : (\d+)/.exec(run.stderr)?.[1];
  if (total === undefined) throw new Error(`callgrind printed no total: ${run.stderr.slice(-500)}`);
  return Number(total);
}

const args = process.argv.slice(2);
if (args[0] === "--run") {
  await runOnce(args[1] ?? ".", Number(args[2]), args[3] ?? "browser");
} else {
  const calls = Number(args[0] ?? 200_000);
  const set = args[1] ?? "browser";
  const trees: [string, string][] = [["this tree", join(import.meta.dirname, "../..")]];
  const baseline = process.env["RAMPART_BENCH_BASELINE"];
  if (baseline !== undefined) trees.push(["baseline", baseline]);
  for (const [name, root] of trees) {
    const perCall = (collected(root, 3 * calls, set) - collected(root, calls, set)) / (2 * calls);
    console.log(`${name}: ${(perCall / 1000).toFixed(2)}k instructions per request (${set})`);
  }
}
