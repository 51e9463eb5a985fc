/**
 * Bundle format version 3 (issue #19): spans in the policies are `[file, start, end]` tuples
 * naming their file in the payload's `files` table. The loader puts them back as span objects,
 * so a version-3 bundle reads back the same effective IR as version 2 and decides the same;
 * a committed version-2 bundle still loads; forged tuples are RP5005, never a throw.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { writeBundle } from "../../src/compile/bundle.ts";
import { loadBundle, readBundle } from "../../src/compile/load-bundle.ts";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import { checkPolicySource } from "../../src/pipeline.ts";
import { arbEffectivePolicy, arbHandshakeFacts, arbRequestFacts } from "../../src/testkit/index.ts";
import { bundleOf, payloadOf, problemOf } from "./bundle-payloads.ts";
import type { Json } from "./bundle-payloads.ts";

const FIXTURES = new URL("../../fixtures/", import.meta.url);

const warning: Diagnostic = {
  code: "RP8001",
  severity: "warning",
  message: "a warning with a span in another file",
  span: { file: "other.rampart", start: 3, end: 9 },
  help: "a hint",
};

/** The payload of a version-3 bundle of the acme example, its first tunnel's origin to edit. */
function acmePayload(): { payload: { [key: string]: Json }; tunnel: { [key: string]: Json } } {
  const payload = payloadOf(writeBundle([acme().effective], []));
  const policies = payload["policies"] as { [key: string]: Json }[];
  const tunnels = policies[0]?.["tunnels"] as { [key: string]: Json }[];
  const tunnel = tunnels[0];
  assert.ok(tunnel !== undefined);
  return { payload, tunnel };
}

function acme(): { effective: EffectivePolicy; diagnostics: readonly Diagnostic[] } {
  const text = readFileSync(new URL("policies/acme.rampart", FIXTURES), "utf8");
  const checked = checkPolicySource({ name: "acme.rampart", text });
  assert.ok(checked.effective !== undefined, JSON.stringify(checked.diagnostics));
  return { effective: checked.effective, diagnostics: checked.diagnostics };
}

describe("bundle format version 3 (spans as tuples)", () => {
  it("writes spans as [file, start, end] with a files table, and reads back the same IR", () => {
    fc.assert(
      fc.property(fc.array(arbEffectivePolicy(), { minLength: 1, maxLength: 3 }), (policies) => {
        const text = writeBundle(policies, [warning]);
        const payload = payloadOf(text);
        assert.ok(Array.isArray(payload["files"]));
        // No span object is left in the policies or the shared values.
        const written = JSON.stringify([payload["policies"], payload["shared"]]);
        assert.doesNotMatch(written, /"file":/);
        const read = readBundle(text);
        assert.ok(read.value !== undefined, JSON.stringify(read.diagnostics));
        assert.equal(read.value.formatVersion, 3);
        assert.deepStrictEqual(read.value.policies, JSON.parse(JSON.stringify(policies)));
        // Diagnostics keep their span objects.
        assert.deepStrictEqual(read.value.diagnostics, [warning]);
        // Version 2 of the same policies reads back the same.
        const v2 = readBundle(writeBundle(policies, [warning], 2));
        assert.deepStrictEqual(v2.value?.policies, read.value.policies);
      }),
      { numRuns: 150 },
    );
  });

  it("writes each span with its own file's index when the policies come from two files", () => {
    const dsl = acme().effective;
    const text = readFileSync(new URL("policies/acme.json", FIXTURES), "utf8");
    const json = checkPolicySource({ name: "acme.json", text }).effective;
    assert.ok(json !== undefined);
    const bundle = writeBundle([dsl, json], []);
    const payload = payloadOf(bundle);
    assert.deepStrictEqual(payload["files"], ["acme.rampart", "acme.json"]);
    // Each span tuple starts with the index of its policy's file.
    const policies = payload["policies"] as Json[];
    assert.match(JSON.stringify(policies[0]), /\[0,\d+,\d+\]/);
    assert.doesNotMatch(JSON.stringify(policies[0]), /\[1,\d+,\d+\]/);
    assert.match(JSON.stringify(policies[1]), /\[1,\d+,\d+\]/);
    const read = readBundle(bundle);
    assert.deepStrictEqual(read.value?.policies, JSON.parse(JSON.stringify([dsl, json])));
  });

  it("is smaller than version 2 of the same policy", () => {
    const { effective, diagnostics } = acme();
    const v3 = writeBundle([effective], diagnostics);
    const v2 = writeBundle([effective], diagnostics, 2);
    assert.ok(v3.length < v2.length, `${v3.length} ≥ ${v2.length}`);
  });

  it("is byte-identical from run to run, and from a separately checked copy of the policy", () => {
    const first = acme();
    const text = writeBundle([first.effective], first.diagnostics);
    assert.equal(writeBundle([first.effective], first.diagnostics), text);
    const second = acme();
    assert.equal(writeBundle([second.effective], second.diagnostics), text);
  });

  it("a committed version-2 bundle still loads, reads the same IR and decides the same", () => {
    const v2Text = readFileSync(new URL("bundles/acme-format-2.json", FIXTURES), "utf8");
    const { effective, diagnostics } = acme();
    const v3Text = writeBundle([effective], diagnostics);
    const v2 = readBundle(v2Text);
    const v3 = readBundle(v3Text);
    assert.ok(v2.value !== undefined, JSON.stringify(v2.diagnostics));
    assert.ok(v3.value !== undefined, JSON.stringify(v3.diagnostics));
    assert.equal(v2.value.formatVersion, 2);
    assert.deepStrictEqual(v2.value.policies, v3.value.policies);
    assert.deepStrictEqual(v2.value.diagnostics, v3.value.diagnostics);
    const [fromV2] = loadBundle(v2Text).value ?? [];
    const [fromV3] = loadBundle(v3Text).value ?? [];
    assert.ok(fromV2 !== undefined && fromV3 !== undefined);
    fc.assert(
      fc.property(arbRequestFacts(effective), arbHandshakeFacts(), (request, handshake) => {
        // Decisions carry their reasons and source spans: equal means explained the same.
        assert.deepStrictEqual(fromV3.request(request), fromV2.request(request));
        assert.deepStrictEqual(fromV3.handshake(handshake), fromV2.handshake(handshake));
      }),
      { numRuns: 300 },
    );
  });

  it("RP5005: a version-3 payload without its files table", () => {
    const { payload } = acmePayload();
    delete payload["files"];
    assert.match(problemOf(bundleOf(payload)), /`files`: missing/);
    payload["files"] = [1];
    assert.match(problemOf(bundleOf(payload)), /`files.0`: expected a string/);
  });

  it("RP5005: a span tuple naming no file, of the wrong length, or with a negative offset", () => {
    for (const [origin, problem] of [
      [[7, 0, 1], /no file 7 in `files`/],
      [[0, 1], /expected a span \[file, start, end\]/],
      [[0, -1, 4], /expected offsets ≥ 0/],
      [[0, 1.5, 4], /expected offsets ≥ 0/],
      [["0", 1, 4], /no file "0" in `files`/],
      [[{ toString: {} }, 1, 4], /no file index \(object\) in `files`/],
    ] as const) {
      const { payload, tunnel } = acmePayload();
      tunnel["origin"] = origin as unknown as Json;
      assert.match(problemOf(bundleOf(payload)), problem, JSON.stringify(origin));
    }
  });

  it("RP5005: span tuples or a files table in a version-2 bundle", () => {
    const { payload } = acmePayload();
    assert.match(problemOf(bundleOf(payload, 2)), /unknown key|expected an object/);
    delete payload["files"];
    assert.match(problemOf(bundleOf(payload, 2)), /expected an object/);
  });

  it("never throws on tuples broken at a random place", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const { payload, tunnel } = acmePayload();
        tunnel["origin"] = [value as Json, value as Json, value as Json];
        const result = loadBundle(bundleOf(payload));
        assert.ok(result.value !== undefined || result.diagnostics[0]?.code === "RP5005");
      }),
      { numRuns: 200 },
    );
  });
});
