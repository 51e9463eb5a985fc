import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import fc from "fast-check";
import { writeBundle } from "../../src/compile/bundle.ts";
import { BUNDLE_FORMAT_VERSION } from "../../src/compile/bundle/format.ts";
import { loadBundle, readBundle } from "../../src/compile/load-bundle.ts";
import { compilePolicy } from "../../src/compile/compile-policy.ts";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import { arbEffectivePolicy, arbRequestFacts } from "../../src/testkit/index.ts";

const warning: Diagnostic = {
  code: "RP8001",
  severity: "warning",
  message: 'an example warning with a "quote" and a \u2028 separator',
  span: { file: "policy.rampart", start: 3, end: 9 },
  help: "an example hint",
};

function samplePolicy(): EffectivePolicy {
  const [policy] = fc.sample(arbEffectivePolicy(), { numRuns: 1, seed: 42 });
  if (policy === undefined) throw new Error("no sample");
  return policy;
}

function codes(text: string): string[] {
  return loadBundle(text).diagnostics.map((d) => d.code);
}

describe("decision bundles", () => {
  it("load into decision functions that decide like the policies they were written from", () => {
    const arb = fc
      .array(arbEffectivePolicy(), { minLength: 1, maxLength: 3 })
      .chain((policies) =>
        fc.tuple(
          fc.constant(policies),
          fc.array(arbRequestFacts(policies[0]), { minLength: 1, maxLength: 8 }),
        ),
      );
    fc.assert(
      fc.property(arb, ([policies, requests]) => {
        const loaded = loadBundle(writeBundle(policies, [warning]));
        assert.ok(loaded.value !== undefined, JSON.stringify(loaded.diagnostics));
        assert.deepStrictEqual(loaded.diagnostics, [warning]);
        assert.equal(loaded.value.length, policies.length);
        policies.forEach((policy, i) => {
          const direct = compilePolicy(policy);
          const fromBundle = loaded.value?.[i];
          assert.ok(fromBundle !== undefined);
          for (const facts of requests)
            assert.deepStrictEqual(fromBundle.request(facts), direct.request(facts));
        });
      }),
      { numRuns: 200 },
    );
  });

  it("keep the effective IR with its spans and carry the format, generator and hash", () => {
    const policy = samplePolicy();
    const read = readBundle(writeBundle([policy], []));
    assert.ok(read.value !== undefined);
    assert.equal(read.value.formatVersion, BUNDLE_FORMAT_VERSION);
    assert.match(read.value.contentHash, /^sha256:[0-9a-f]{64}$/);
    assert.match(read.value.generator, /^rampart-compiler /);
    assert.deepStrictEqual(read.value.policies, [JSON.parse(JSON.stringify(policy))]);
  });

  it("are deterministic and survive re-indentation (the hash is over canonical JSON)", () => {
    const policy = samplePolicy();
    const text = writeBundle([policy], [warning]);
    assert.equal(writeBundle([policy], [warning]), text);
    const reindented = JSON.stringify(JSON.parse(text), null, 2);
    assert.deepStrictEqual(codes(reindented), ["RP8001"]);
  });

  it("RP5001: report text that is not JSON", () => {
    const result = loadBundle("{ not json");
    assert.equal(result.value, undefined);
    assert.deepStrictEqual(
      result.diagnostics.map((d) => d.code),
      ["RP5001"],
    );
    assert.match(result.diagnostics[0]?.message ?? "", /^the bundle is not valid JSON/);
  });

  it("RP5002: report JSON that is not a bundle", () => {
    assert.deepStrictEqual(codes("{}"), ["RP5002"]);
    assert.deepStrictEqual(codes("[1, 2]"), ["RP5002"]);
    assert.deepStrictEqual(codes("null"), ["RP5002"]);
  });

  it("RP5003: refuse a bundle of another format version, with both versions in the message", () => {
    const bundle = JSON.parse(writeBundle([samplePolicy()], [])) as Record<string, unknown>;
    for (const version of [0, 1, BUNDLE_FORMAT_VERSION + 1]) {
      const result = loadBundle(
        JSON.stringify({ ...bundle, formatVersion: version, payload: { future: true } }),
      );
      assert.deepStrictEqual(
        result.diagnostics.map((d) => d.code),
        ["RP5003"],
      );
      assert.equal(
        result.diagnostics[0]?.message,
        `the bundle has format version ${version}; this rampart loads format versions 2 and 3 only`,
      );
    }
  });

  it("RP5004: refuse a bundle whose payload was changed after writing", () => {
    const bundle = JSON.parse(writeBundle([samplePolicy()], [])) as {
      payload: { policies: { plan: string }[] };
    };
    const first = bundle.payload.policies[0];
    assert.ok(first !== undefined);
    first.plan = first.plan === "basic" ? "pro" : "basic";
    assert.deepStrictEqual(codes(JSON.stringify(bundle)), ["RP5004"]);
  });

  it("RP5005: refuse a payload of the wrong shape even with a matching hash", async () => {
    const { canonicalJson, sha256Of } = await import("../../src/compile/bundle/canonical-json.ts");
    const policy = JSON.parse(JSON.stringify(samplePolicy())) as {
      tunnels: { ipRules: unknown[] }[];
    };
    const tunnel = policy.tunnels[0];
    assert.ok(tunnel !== undefined);
    tunnel.ipRules = [
      {
        rule: "project.trusted_ips",
        origin: null,
        set: { ranges: [{ family: 4, cidr: "10.0.0.1/8" }] },
      },
    ];
    const payload = { policies: [policy], diagnostics: [], files: [] };
    const text = JSON.stringify({
      format: "rampart-bundle",
      formatVersion: BUNDLE_FORMAT_VERSION,
      generator: "test",
      contentHash: sha256Of(canonicalJson(payload)),
      payload,
    });
    const result = loadBundle(text);
    assert.deepStrictEqual(
      result.diagnostics.map((d) => d.code),
      ["RP5005"],
    );
    assert.match(result.diagnostics[0]?.message ?? "", /not a canonical CIDR/);
  });

  it("never throw on arbitrary text or arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const result = loadBundle(text);
        assert.equal(result.value, undefined);
        assert.equal(result.diagnostics.length, 1);
      }),
      { numRuns: 2_000 },
    );
  });

  it("load without the parser or the interpreter in the module graph", () => {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, "utf8");
      for (const [, spec] of source.matchAll(
        /^\s*(?:import|export)\b[^"']*?from\s+["']([^"']+)["']/gm,
      )) {
        if (spec === undefined) continue;
        assert.doesNotMatch(spec, /^chevrotain$/, `${file} imports ${spec}`);
        if (spec.startsWith(".")) visit(resolve(dirname(file), spec));
      }
    };
    visit(resolve(import.meta.dirname, "../../src/compile/load-bundle.ts"));
    const forbidden = [...seen].filter((f) => /\/src\/(syntax|interpret)\/|\/grammar\//.test(f));
    assert.deepStrictEqual(forbidden, []);
    assert.ok(seen.size > 10);
  });
});
