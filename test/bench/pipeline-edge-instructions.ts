/**
 * What deciding the edge once per connection saves (issue #20): the compiled decision of the
 * proxy bench's full policy (trusted IPs, GeoIP, a path-scoped token grant) for one keep-alive
 * client, without the memo (every request checks the lists) and with it (the connection's
 * verdict reused), in instructions per decision counted by callgrind on the main thread.
 * Each variant runs under valgrind with `calls` and 3 × `calls` decisions; the difference over
 * 2 × `calls` cancels start-up out.
 *
 *   node test/bench/pipeline-edge-instructions.ts [calls] [--cidrs 1000]
 *
 * `--cidrs N` gives the trusted-IP list N ranges (the full policy has 1,000).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { compilePolicy } from "../../src/compile/compile-policy.ts";
import { newEdgeMemo } from "../../src/compile/engine.ts";
import type { RequestFacts } from "../../src/ir/facts.ts";
import {
  effectivePolicy,
  tunnel,
  withCountries,
  withToken,
  withTrustedIps,
} from "../runtime/helpers/policy.ts";
import { benchGrant } from "./proxy-policy.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { run: { type: "string" }, cidrs: { type: "string", default: "1000" } },
});

/** `count` disjoint /24s, the client's (81.2.69.0/24) among them. */
function trustedRanges(count: number): string[] {
  const ranges = ["81.2.69.0/24"];
  for (let i = 1; i < count; i++) ranges.push(`10.${(i >> 8) & 255}.${i & 255}.0/24`);
  return ranges;
}

/** Inside valgrind: `calls` decisions of one variant. */
function runOnce(variant: string, calls: number, cidrs: number): void {
  const base = tunnel({ id: "api", hosts: ["api.bench.test"], upstream: "http://127.0.0.1:1" });
  const full = withToken(withCountries(withTrustedIps(base, trustedRanges(cidrs)), ["GB"]));
  const policy = compilePolicy(effectivePolicy([full], { bench: benchGrant }), { eager: true });
  const facts: RequestFacts = {
    host: "api.bench.test",
    port: null,
    method: "GET",
    path: "/api/bench",
    clientIp: "81.2.69.160",
    country: "GB",
    secure: false,
    acceptsHtml: false,
    upgrade: false,
    origin: null,
    referer: null,
    contentType: null,
    methodOverride: false,
    challengeCookie: null,
    session: null,
    clientCredential: null,
    tlsVersion: null,
    token: {
      source: "header",
      status: "valid",
      id: "bench-token",
      type: "app",
      lifetimeSeconds: 3600,
      grant: benchGrant,
      subject: "bench",
    },
  };
  const memo = newEdgeMemo();
  let forwarded = 0;
  for (let i = 0; i < calls; i++) {
    const decision = variant === "memo" ? policy.request(facts, memo) : policy.request(facts);
    if (decision.outcome === "forward") forwarded++;
  }
  if (forwarded !== calls) throw new Error(`${calls - forwarded} decisions were not forwards`);
}

/** The main thread's instruction total of one run under callgrind. */
function collected(variant: string, calls: number, cidrs: number): number {
  const dir = mkdtempSync(join(tmpdir(), "rampart-edge-cg-"));
  try {
    const run = spawnSync(
      "valgrind",
      [
        "--tool=callgrind",
        "--separate-threads=yes",
        `--callgrind-out-file=${join(dir, "cg")}`,
        process.execPath,
        import.meta.filename,
        `--run=${variant}`,
        `--cidrs=${cidrs}`,
        String(calls),
      ],
      {
        encoding: "utf8",
        env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    if (run.status !== 0) throw new Error(`the run failed: ${run.stderr.slice(-500)}`);
    const main = readdirSync(dir).find((f) => f.endsWith("-01"));
    const total =
      main === undefined
        ? undefined
        : /^(?:totals|summary): (\d+)/m.exec(readFileSync(join(dir, main), "utf8"))?.[1];
    if (total === undefined) throw new Error("no main-thread total");
    return Number(total);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cidrs = Number(values.cidrs);
const calls = Number(positionals[0] ?? 20_000);
if (values.run !== undefined) {
  runOnce(values.run, calls, cidrs);
} else {
  for (const variant of ["whole", "memo", "whole", "memo"]) {
    const few = collected(variant, calls, cidrs);
    const many = collected(variant, 3 * calls, cidrs);
    const per = (many - few) / (2 * calls);
    console.log(
      `${variant === "memo" ? "edge memo" : "whole decision"}: ${per.toFixed(0)} instructions/decision, main thread (${cidrs} trusted ranges, ${calls} and ${3 * calls} calls)`,
    );
  }
}
