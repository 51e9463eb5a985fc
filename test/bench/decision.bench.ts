/**
 * ns per request decision (issue #4): the compiled policy vs the reference interpreter vs a
 * naive ipaddr.js loop over the CIDR list, at 10, 1,000 and 10,000 CIDRs, 50% allow / 50%
 * deny, seeded; and the full decision (IP + country + token grant with path) at 10,000 CIDRs.
 */
import ipaddr from "ipaddr.js";
import type { BenchModule, BenchRow } from "./bench-module.ts";
import { compare, ns, seededRandom } from "./harness.ts";
import type { Contender } from "./harness.ts";
import { compilePolicy } from "../../src/compile/compile-policy.ts";
import { interpret } from "../../src/interpret/index.ts";
import type { RequestFacts } from "../../src/ir/facts.ts";
import { randomV4Cidrs } from "./fixtures.ts";
import { fullPolicy, fullRequests, ipOnlyPolicy, ipRequests } from "./policies.ts";

/** The baseline an operator might write: parse the client, test each CIDR in turn. */
function naiveIpaddrLoop(cidrs: readonly string[]): (facts: RequestFacts) => boolean {
  const ranges = cidrs.map((c) => ipaddr.parseCIDR(c));
  return (facts) => {
    if (!ipaddr.isValid(facts.clientIp)) return false;
    const address = ipaddr.process(facts.clientIp);
    for (const range of ranges) {
      if (address.kind() === range[0].kind() && address.match(range)) return true;
    }
    return false;
  };
}

/** Calls per round so a round of the slow contenders stays around 50–100 ms. */
function callsFor(size: number, perCallNs: number): number {
  return Math.max(200, Math.round(60_000_000 / (perCallNs * Math.max(1, size / 10))));
}

function ipScaling(quick: boolean): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const size of [10, 1_000, 10_000]) {
    const random = seededRandom(20261125 + size);
    const cidrs = randomV4Cidrs(random, size);
    const policy = ipOnlyPolicy(cidrs);
    const requests = ipRequests(random, cidrs, 4096);
    const compiled = compilePolicy(policy);
    const contenders: Contender<RequestFacts>[] = [
      { name: "compiled", run: (f) => compiled.request(f), calls: quick ? 20_000 : 400_000 },
      {
        name: "interpreter",
        run: (f) => interpret(policy, f),
        calls: quick ? 200 : callsFor(size, 600),
      },
      {
        name: "ipaddr.js loop",
        run: naiveIpaddrLoop(cidrs),
        calls: quick ? 200 : callsFor(size, 150),
      },
    ];
    const t = compare(contenders, requests, { rounds: quick ? 3 : 7 });
    const [c, i, n] = t;
    if (c === undefined || i === undefined || n === undefined) throw new Error("missing timing");
    rows.push({
      label: `${size.toLocaleString("en")} CIDRs`,
      figures: {
        compiled: ns(c.medianNs),
        interpreter: ns(i.medianNs),
        "ipaddr.js loop": ns(n.medianNs),
        "interpreter / compiled": `${(i.medianNs / c.medianNs).toFixed(0)}×`,
        "loop / compiled": `${(n.medianNs / c.medianNs).toFixed(0)}×`,
      },
    });
  }
  return rows;
}

function fullDecision(quick: boolean): BenchRow[] {
  const size = 10_000;
  const random = seededRandom(4);
  const cidrs = randomV4Cidrs(random, size);
  const policy = fullPolicy(cidrs);
  const requests = fullRequests(random, cidrs, 4096);
  const admitted = requests.filter((_, i) => i % 2 === 0);
  const compiled = compilePolicy(policy);
  const outcomes = new Map<string, number>();
  for (const r of requests) {
    const d = compiled.request(r);
    const key = `${d.outcome}:${d.reason}`;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  }
  const calls = quick ? 20_000 : 400_000;
  const options = { rounds: quick ? 3 : 9 };
  const run = (f: RequestFacts) => compiled.request(f);
  const all = compare([{ name: "all", run, calls }], requests, options)[0];
  const pastIp = compare([{ name: "past the IP check", run, calls }], admitted, options)[0];
  return [
    {
      label: "full decision, 10,000 CIDRs",
      figures: {
        "all requests (median)": ns(all?.medianNs ?? NaN),
        "requests past the IP check (median)": ns(pastIp?.medianNs ?? NaN),
        outcomes: [...outcomes].map(([k, v]) => `${k} ${v}`).join(", "),
      },
    },
  ];
}

/** The request-decision benches. */
export const decisionBench: BenchModule = {
  name: "decision",
  description:
    "ns per request decision: compiled vs interpreter vs ipaddr.js loop; full decision at 10,000 CIDRs",
  run({ quick }) {
    return [...ipScaling(quick), ...fullDecision(quick)];
  },
};
