/**
 * Control-plane decisions (issue #15): `list` over 10,000 tunnels with a filtered, selected
 * token (the platform's watch-token shape, and an OR of two such branches), and `create`
 * with the platform's device-producer grant, allowed and refused; compiled vs the reference
 * interpreter, side by side. The compiled plane is timed warm (the token's grant compiled
 * once, as for a token seen before) and cold (a new plane per call: the grant compiled each
 * time). Targets: list ≤ 5 ms per call, create ≤ 2 µs per call.
 */
import type { BenchModule, BenchRow } from "./bench-module.ts";
import { compare, ns, seededRandom } from "./harness.ts";
import type { Contender } from "./harness.ts";
import type { EffectivePolicy, EffectiveTunnel } from "../../src/bounds/effective.ts";
import { effectiveTunnel } from "../../src/bounds/intersect.ts";
import { compileControlPlane } from "../../src/compile/control-plane.ts";
import { interpretCreate, interpretList } from "../../src/interpret/control-plane.ts";
import { lowerGrantClaims } from "../../src/ir/grant-from-claims.ts";
import type { TokenFacts } from "../../src/ir/facts.ts";
import type { Protocol, TunnelIr } from "../../src/ir/types.ts";
import { controlPolicy, controlToken, projectIr, tunnelIr } from "../../src/testkit/index.ts";

/**
 * CPU time (user + system) per call over `calls` calls: on a shared, loaded machine the wall
 * clock also counts the time other processes held the core; this counts only our own work.
 */
function cpuPerCallNs(run: () => unknown, calls: number): number {
  for (let i = 0; i < Math.min(calls, 1_000); i++) run();
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) run();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / calls;
}

// The id `controlPolicy` gives the policy, so the tunnels belong to the project the token is checked against.
const PROJECT = projectIr({ id: "proj", workspace: "w1" });
const PROTOCOLS: readonly Protocol[] = ["http", "http", "http", "tls", "quic", "tcp"];

/** 10,000 tunnels: a quarter labelled for the watching user, most HTTP, some private. */
function tunnelsIr(count: number): TunnelIr[] {
  const random = seededRandom(15_015);
  return Array.from({ length: count }, (_, i) => {
    const protocol = PROTOCOLS[Math.floor(random() * PROTOCOLS.length)] as Protocol;
    return tunnelIr({
      id: `t${i}`,
      name: `tunnel-${i}`,
      protocol,
      hosts: protocol === "tcp" ? [] : [`t${i}.example.test`],
      publish: protocol === "tcp" ? false : random() < 0.9,
      labels: {
        app: random() < 0.5 ? "demo" : "shop",
        user: random() < 0.5 ? "u1" : `u${i % 97}`,
        env: random() < 0.5 ? "prod" : "dev",
      },
    });
  });
}

function effective(tunnels: readonly TunnelIr[]): EffectiveTunnel[] {
  return tunnels.map((t) => {
    const built = effectiveTunnel(PROJECT, t);
    if (Array.isArray(built)) throw new Error(`bench tunnel ${t.id} fails the bounds`);
    return built;
  });
}

function token(claims: { permissions?: unknown; resources?: unknown }, id: string): TokenFacts {
  const lowered = lowerGrantClaims(claims, id);
  if ("error" in lowered) throw new Error(lowered.error);
  // The owner belongs to the bench project (S-T8, as a credential backend would answer): a
  // token of an outsider is refused before any tunnel is looked at, which measures nothing.
  return controlToken(lowered.grant, "auth", 60, id, { kind: "user", id: "u1" }, ["proj"]);
}

const listBranch = (app: string) => ({
  scopes: {
    tunnels: {
      list: {
        filters: { labels: { app, user: "u1" }, protocol: "http", publish: true },
        select: ["id", "status", "name", "labels", "hostname"],
      },
    },
  },
});

const watchToken = token(
  { permissions: ["tunnels.resources.read-only"], resources: { tunnels: listBranch("demo") } },
  "watch",
);
const orToken = token(
  {
    permissions: ["tunnels.resources.read-only"],
    resources: {
      tunnels: { OR: [listBranch("demo"), { projects: ["proj"], ...listBranch("shop") }] },
    },
  },
  "watch-or",
);
const producerToken = token(
  {
    resources: {
      tunnels: {
        scopes: {
          tunnels: {
            create: {
              filters: {
                name: { exact: "device-42" },
                protocol: "http",
                publish: true,
                token_auth: true,
                labels: { app: "demo", device: "42", user: "u1" },
              },
            },
          },
        },
      },
    },
  },
  "producer",
);

function listRows(policy: EffectivePolicy, quick: boolean): BenchRow[] {
  const warm = compileControlPlane(policy);
  const rows: BenchRow[] = [];
  for (const [label, tok] of [
    ["watch-token shape (1 branch)", watchToken],
    ["OR of 2 branches", orToken],
  ] as const) {
    const visible = warm.list(tok).visible.length;
    const contenders: Contender<TokenFacts>[] = [
      { name: "compiled (warm)", run: (t) => warm.list(t) },
      { name: "compiled (cold)", run: (t) => compileControlPlane(policy).list(t) },
      { name: "interpreter", run: (t) => interpretList(policy, t) },
    ];
    const [w, c, i] = compare(contenders, [tok], {
      rounds: quick ? 2 : 7,
      callsPerRound: quick ? 3 : 40,
      warmupCalls: quick ? 2 : 20,
    });
    if (w === undefined || c === undefined || i === undefined) throw new Error("missing timing");
    const cpu = cpuPerCallNs(() => warm.list(tok), quick ? 5 : 200);
    rows.push({
      label: `list, 10,000 tunnels, ${label}: ${visible} visible`,
      figures: {
        "compiled warm": ns(w.medianNs),
        "compiled warm, CPU time": ns(cpu),
        "compiled cold": ns(c.medianNs),
        interpreter: ns(i.medianNs),
        "interpreter / warm": `${(i.medianNs / w.medianNs).toFixed(1)}×`,
      },
    });
  }
  return rows;
}

function createRows(policy: EffectivePolicy, quick: boolean): BenchRow[] {
  const plane = compileControlPlane(policy);
  const device = (over: Partial<TunnelIr>): TunnelIr =>
    tunnelIr({
      id: "device-42",
      name: "device-42",
      tokenAuth: true,
      labels: { app: "demo", device: "42", user: "u1" },
      ...over,
    });
  const cases = [
    ["allowed", device({})],
    ["refused (protocol, token_auth)", device({ protocol: "tcp", hosts: [], tokenAuth: false })],
  ] as const;
  const rows: BenchRow[] = [];
  for (const [label, ir] of cases) {
    const proposed = effective([ir])[0] as EffectiveTunnel;
    const contenders: Contender<EffectiveTunnel>[] = [
      { name: "compiled", run: (t) => plane.create(producerToken, t) },
      { name: "interpreter", run: (t) => interpretCreate(policy, producerToken, t) },
      {
        name: "bounds + compiled",
        run: () => plane.create(producerToken, effective([ir])[0] as EffectiveTunnel),
      },
    ];
    const [c, i, b] = compare(contenders, [proposed], {
      rounds: quick ? 2 : 7,
      callsPerRound: quick ? 10_000 : 200_000,
    });
    if (c === undefined || i === undefined || b === undefined) throw new Error("missing timing");
    const cpu = cpuPerCallNs(
      () => plane.create(producerToken, proposed),
      quick ? 10_000 : 1_000_000,
    );
    rows.push({
      label: `create, device producer, ${label}`,
      figures: {
        compiled: ns(c.medianNs),
        "compiled, CPU time": ns(cpu),
        interpreter: ns(i.medianNs),
        "bounds + compiled": ns(b.medianNs),
        "interpreter / compiled": `${(i.medianNs / c.medianNs).toFixed(1)}×`,
      },
    });
  }
  return rows;
}

export const controlPlaneBench: BenchModule = {
  name: "control-plane",
  description:
    "list over 10,000 tunnels and create with platform grants: compiled vs interpreter (issue #15)",
  run({ quick }) {
    const policy = controlPolicy(effective(tunnelsIr(10_000)));
    return [...listRows(policy, quick), ...createRows(policy, quick)];
  },
};
