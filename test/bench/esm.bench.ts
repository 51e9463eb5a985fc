/**
 * `rampart compile --target esm` (issue #21): ns per request decision of the generated ES
 * module beside the closure-compiled policy it embeds, at 10, 1,000 and 10,000 CIDRs and for
 * the full decision, measured side by side (interleaved rounds); and the module's size for the
 * example policy and the 10,000-tunnel parse-bench policy, minified, plain and gzipped.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { BenchModule, BenchRow } from "./bench-module.ts";
import { compare, ns, seededRandom } from "./harness.ts";
import { compilePolicy } from "../../src/compile/compile-policy.ts";
import { emitEsmModule } from "../../src/compile/esm/emit-module.ts";
import { bundleEsmEngine } from "../../src/compile/esm/engine-source.ts";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import type { Decision } from "../../src/ir/decision.ts";
import type { RequestFacts } from "../../src/ir/facts.ts";
import { checkPolicySource } from "../../src/pipeline.ts";
import { randomV4Cidrs } from "./fixtures.ts";
import { fullPolicy, fullRequests, ipOnlyPolicy, ipRequests } from "./policies.ts";
import { largePolicyDsl } from "./parse-policy.ts";

type Decide = (facts: RequestFacts) => Decision;

async function importModule(policy: EffectivePolicy, engine: string): Promise<Decide> {
  const code = emitEsmModule([policy], [], engine).code;
  const url = `data:text/javascript;base64,${Buffer.from(code).toString("base64")}`;
  const module = (await import(url)) as { request: Decide };
  return module.request;
}

async function speedRow(
  label: string,
  policy: EffectivePolicy,
  requests: readonly RequestFacts[],
  engine: string,
  quick: boolean,
): Promise<BenchRow> {
  const compiled = compilePolicy(policy);
  const esm = await importModule(policy, engine);
  const calls = quick ? 20_000 : 400_000;
  const [c, e] = compare(
    [
      { name: "closure-compiled", run: (f) => compiled.request(f), calls },
      { name: "ES module", run: esm, calls },
    ],
    requests,
    { rounds: quick ? 3 : 9 },
  );
  if (c === undefined || e === undefined) throw new Error("missing timing");
  return {
    label,
    figures: {
      "closure-compiled": ns(c.medianNs),
      "ES module": ns(e.medianNs),
      "module / closures": `${(e.medianNs / c.medianNs).toFixed(2)}×`,
    },
  };
}

function sizeFigures(code: string): Record<string, string> {
  const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  return { size: kib(Buffer.byteLength(code)), gzipped: kib(gzipSync(code).length) };
}

async function sizeRows(engine: string, plainEngine: string): Promise<BenchRow[]> {
  const root = join(import.meta.dirname, "..", "..");
  const acmePath = join(root, "fixtures", "policies", "acme.rampart");
  const acme = checkPolicySource({ name: "acme.rampart", text: readFileSync(acmePath, "utf8") });
  const large = checkPolicySource({ name: "large.rampart", text: largePolicyDsl(10_000, 10_000) });
  const rows: BenchRow[] = [];
  for (const [label, checked] of [
    ["example policy (acme.rampart, 5 tunnels)", acme],
    ["parse-bench policy (10,000 tunnels, 10,000 grants)", large],
  ] as const) {
    if (checked.effective === undefined) throw new Error(`${label} does not compile`);
    const minified = emitEsmModule([checked.effective], [], engine).code;
    const plain = emitEsmModule([checked.effective], [], plainEngine).code;
    rows.push({ label: `${label}, minified`, figures: sizeFigures(minified) });
    rows.push({ label: `${label}, not minified`, figures: sizeFigures(plain) });
  }
  rows.push({ label: "the engine alone, minified", figures: sizeFigures(engine) });
  return rows;
}

export const esmBench: BenchModule = {
  name: "esm",
  description:
    "ES module target: ns per decision beside the closure-compiled policy (10 / 1,000 / 10,000 CIDRs, full decision); module sizes",
  async run({ quick }) {
    const engine = await bundleEsmEngine(true);
    const rows: BenchRow[] = [];
    for (const size of [10, 1_000, 10_000]) {
      const random = seededRandom(20261206 + size);
      const cidrs = randomV4Cidrs(random, size);
      const requests = ipRequests(random, cidrs, 4096);
      rows.push(
        await speedRow(
          `${size.toLocaleString("en")} CIDRs`,
          ipOnlyPolicy(cidrs),
          requests,
          engine,
          quick,
        ),
      );
    }
    const random = seededRandom(4);
    const cidrs = randomV4Cidrs(random, 10_000);
    rows.push(
      await speedRow(
        "full decision, 10,000 CIDRs",
        fullPolicy(cidrs),
        fullRequests(random, cidrs, 4096),
        engine,
        quick,
      ),
    );
    rows.push(...(await sizeRows(engine, await bundleEsmEngine(false))));
    return rows;
  },
};
