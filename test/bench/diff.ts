/**
 * `rampart diff` at scale (issue #8): two 10,000-tunnel policies that differ in 100 tunnels
 * (widened and narrowed CIDRs, dropped countries, token auth and challenge switched on, a
 * raised minimum TLS), diffed from their effective policies. Target: under 5 s. Reports the
 * regions found and checks every witness is confirmed, so a fast wrong answer cannot pass.
 */
import type { BenchModule, BenchRow } from "./bench-module.ts";
import { median, seededRandom } from "./harness.ts";
import { computeEffective } from "../../src/bounds/intersect.ts";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import { diffPolicies } from "../../src/analysis/diff/diff-policies.ts";
import type { PolicyIr, TunnelIr } from "../../src/ir/types.ts";
import {
  actionIr,
  countrySet,
  grantIr,
  grantLeaf,
  ipSet,
  policyIr,
  projectIr,
  tunnelIr,
} from "../../src/testkit/builders.ts";

const COUNT = 10_000;
const CHANGED = 100;
const COUNTRIES = ["DE", "FR", "NL", "US", "GB", "SE"];

function baseTunnel(i: number, random: () => number): TunnelIr {
  const a = Math.floor(random() * 250) + 1;
  return tunnelIr({
    id: `t${i}`,
    hosts: [`t${i}.example.com`],
    trustedIps: ipSet(`10.${a}.0.0/16`, `192.0.2.${Math.floor(random() * 64) * 4}/30`),
    countries: countrySet(...COUNTRIES.filter(() => random() < 0.6), "DE", "FR"),
    tokenAuth: random() < 0.5,
    tlsMin: "1.2",
    challenge: false,
  });
}

/** The i-th of the 100 edits: each kind of change the diff must find. */
function edit(t: TunnelIr, k: number): TunnelIr {
  switch (k % 5) {
    case 0:
      return {
        ...t,
        trustedIps: ipSet(
          ...(t.trustedIps?.ranges.map((r) =>
            r.cidr
              .replace("/16", "/15")
              .replace(/10\.(\d+)\./, (_m, n: string) => `10.${Number(n) & ~1}.`),
          ) ?? []),
        ),
      };
    case 1:
      return { ...t, countries: countrySet("DE") };
    case 2:
      return { ...t, tokenAuth: !t.tokenAuth };
    case 3:
      return { ...t, challenge: true };
    default:
      return { ...t, tlsMin: "1.3" };
  }
}

function policies(): [PolicyIr, PolicyIr] {
  const random = seededRandom(8);
  const tunnels = Array.from({ length: COUNT }, (_, i) => baseTunnel(i, random));
  const step = COUNT / CHANGED;
  const changed = tunnels.map((t, i) => (i % step === 0 ? edit(t, i / step) : t));
  const grants = [
    grantIr({
      name: "ci",
      resources: grantLeaf({
        connect: actionIr({ path: { kind: "glob", patterns: ["/deploy/**"] }, methods: ["POST"] }),
      }),
    }),
    grantIr({
      name: "reader",
      resources: grantLeaf({
        connect: actionIr({
          path: { kind: "prefix", values: ["/public"] },
          methods: ["GET", "HEAD"],
        }),
      }),
    }),
  ];
  const project = projectIr({ plan: "enterprise" });
  return [policyIr({ project, tunnels, grants }), policyIr({ project, tunnels: changed, grants })];
}

function effective(ir: PolicyIr): EffectivePolicy {
  const outcome = computeEffective(ir);
  if (outcome.value === undefined)
    throw new Error(`bench policy does not check: ${outcome.diagnostics[0]?.message}`);
  return outcome.value;
}

/** The diff bench. */
export const diffBench: BenchModule = {
  name: "diff",
  description: "rampart diff of two 10,000-tunnel policies differing in 100 tunnels (target < 5 s)",
  run({ quick }) {
    const [oldIr, newIr] = policies();
    const before = effective(oldIr);
    const after = effective(newIr);
    const runs = quick ? 1 : 5;
    const times: number[] = [];
    let regions = 0;
    let widening = 0;
    let tunnels = 0;
    for (let r = 0; r < runs; r++) {
      const start = process.hrtime.bigint();
      const result = diffPolicies(before, after);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (result.regions.some((x) => !x.witness.confirmed))
        throw new Error("a witness was not confirmed");
      regions = result.regions.length;
      widening = result.regions.filter((x) => x.kind === "newly-allowed").length;
      tunnels = new Set(result.regions.map((x) => x.tunnelAfter)).size;
    }
    const row: BenchRow = {
      label: `${COUNT} tunnels, ${CHANGED} changed`,
      figures: {
        "median ms": median(times).toFixed(0),
        "min ms": Math.min(...times).toFixed(0),
        regions: String(regions),
        "newly allowed": String(widening),
        "tunnels with changes": String(tunnels),
        target: "< 5000 ms",
      },
    };
    return [row];
  },
};
