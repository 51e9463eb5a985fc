/**
 * The measurement behind the compiler's strategy (issue #4: "generated JavaScript or closure
 * compilation — your choice, measured"). One small tunnel decision — trusted IPs, country,
 * method, path prefix — is built three ways over the same matchers:
 *
 * - `closure-chain`: each check is a closure that calls the next one (what src/compile uses);
 * - `closure-list`: an array of check closures walked by a loop;
 * - `generated`: straight-line JavaScript source, instantiated with `new Function`, the
 *   matchers passed by reference (the ajv style).
 */
import type { BenchModule, BenchRow } from "./bench-module.ts";
import { compare, ns, seededRandom } from "./harness.ts";
import { compileIpSet, containsAddress } from "../../src/compile/matchers/ip-ranges.ts";
import type { IpRangeTable } from "../../src/compile/matchers/ip-ranges.ts";
import { compileCountrySet, containsCountry } from "../../src/compile/matchers/country-table.ts";
import type { CountryTable } from "../../src/compile/matchers/country-table.ts";
import { newAddressScratch, parseAddressInto } from "../../src/compile/matchers/address.ts";
import type { AddressFamily } from "../../src/compile/matchers/address.ts";
import { randomV4Cidrs, requestsHalfAllowed } from "./fixtures.ts";

interface ProtoFacts {
  readonly clientIp: string;
  readonly country: string | null;
  readonly method: string;
  readonly path: string;
}

interface ProtoPolicy {
  readonly ips: IpRangeTable;
  readonly countries: CountryTable;
  readonly methods: ReadonlySet<string>;
  readonly prefixes: readonly string[];
}

const DENY_IP = { outcome: "deny", policy: "ip" } as const;
const DENY_GEO = { outcome: "deny", policy: "geo" } as const;
const DENY_SCOPE = { outcome: "deny", reason: "insufficient_scope" } as const;
const FORWARD = { outcome: "forward" } as const;
type ProtoDecision = typeof DENY_IP | typeof DENY_GEO | typeof DENY_SCOPE | typeof FORWARD;

const scratch = newAddressScratch();
const noSlow = () => null;

function prefixMatch(prefixes: readonly string[], path: string): boolean {
  for (const p of prefixes) if (path.startsWith(p)) return true;
  return false;
}

type Step = (f: ProtoFacts, family: AddressFamily) => ProtoDecision;

function chain(p: ProtoPolicy): (f: ProtoFacts) => ProtoDecision {
  const scope: Step = (f) =>
    p.methods.has(f.method) && prefixMatch(p.prefixes, f.path) ? FORWARD : DENY_SCOPE;
  const geo: Step = (f, fam) =>
    containsCountry(p.countries, f.country) ? scope(f, fam) : DENY_GEO;
  const ip: Step = (f, fam) => (containsAddress(p.ips, fam, scratch) ? geo(f, fam) : DENY_IP);
  return (f) => ip(f, parseAddressInto(f.clientIp, scratch, noSlow));
}

type Check = (f: ProtoFacts, family: AddressFamily) => ProtoDecision | null;

function list(p: ProtoPolicy): (f: ProtoFacts) => ProtoDecision {
  const checks: Check[] = [
    (_f, fam) => (containsAddress(p.ips, fam, scratch) ? null : DENY_IP),
    (f) => (containsCountry(p.countries, f.country) ? null : DENY_GEO),
    (f) => (p.methods.has(f.method) && prefixMatch(p.prefixes, f.path) ? null : DENY_SCOPE),
  ];
  return (f) => {
    const fam = parseAddressInto(f.clientIp, scratch, noSlow);
    for (const check of checks) {
      const d = check(f, fam);
      if (d !== null) return d;
    }
    return FORWARD;
  };
}

function generated(p: ProtoPolicy): (f: ProtoFacts) => ProtoDecision {
  const source = [
    "const [parse, scratch, noSlow, inIp, ips, inCountry, countries, methods, prefixes, D] = ext;",
    "return function decide(facts) {",
    "  const fam = parse(facts.clientIp, scratch, noSlow);",
    "  if (!inIp(ips, fam, scratch)) return D.ip;",
    "  if (!inCountry(countries, facts.country)) return D.geo;",
    "  if (!methods.has(facts.method)) return D.scope;",
    ...p.prefixes.map((_, i) => `  if (facts.path.startsWith(prefixes[${i}])) return D.forward;`),
    "  return D.scope;",
    "};",
  ].join("\n");
  // eslint-disable-next-line no-new-func -- the measured alternative to closures; the source is fixed text above
  const factory = new Function("ext", source) as (
    ext: unknown[],
  ) => (f: ProtoFacts) => ProtoDecision;
  const decisions = { ip: DENY_IP, geo: DENY_GEO, scope: DENY_SCOPE, forward: FORWARD };
  return factory([
    parseAddressInto,
    scratch,
    noSlow,
    containsAddress,
    p.ips,
    containsCountry,
    p.countries,
    p.methods,
    p.prefixes,
    decisions,
  ]);
}

/** Measures the three strategies at 10 and 1,000 CIDRs. */
export const strategyBench: BenchModule = {
  name: "strategy",
  description: "closure chain vs closure list vs generated JavaScript (ns per decision)",
  run({ quick }) {
    const rows: BenchRow[] = [];
    for (const size of [10, 1000]) {
      const random = seededRandom(4 + size);
      const cidrs = randomV4Cidrs(random, size);
      const policy: ProtoPolicy = {
        ips: compileIpSet({ ranges: cidrs.map((cidr) => ({ family: 4, cidr })) }),
        countries: compileCountrySet({ codes: ["DE", "FR", "US"] }),
        methods: new Set(["GET", "HEAD"]),
        prefixes: ["/api/", "/static/"],
      };
      const requests: ProtoFacts[] = requestsHalfAllowed(random, cidrs, 4096).map((ip, i) => ({
        clientIp: ip,
        country: ["DE", "US", "BR", null][i % 4] ?? null,
        method: i % 5 === 0 ? "POST" : "GET",
        path: i % 3 === 0 ? "/admin" : "/api/v1/items",
      }));
      const fns = {
        "closure-chain": chain(policy),
        "closure-list": list(policy),
        generated: generated(policy),
      };
      for (const r of requests) {
        const expected = fns["closure-chain"](r);
        if (fns["closure-list"](r) !== expected || fns.generated(r) !== expected) {
          throw new Error(`strategies disagree on ${JSON.stringify(r)}`);
        }
      }
      const timings = compare(
        Object.entries(fns).map(([name, run]) => ({ name, run })),
        requests,
        quick ? { rounds: 3, callsPerRound: 20_000 } : { rounds: 9, callsPerRound: 400_000 },
      );
      rows.push({
        label: `${size} CIDRs`,
        figures: Object.fromEntries(timings.map((t) => [t.name, ns(t.medianNs)])),
      });
    }
    return rows;
  },
};
