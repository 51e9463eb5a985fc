/**
 * Explaining a refused document costs in proportion to the document. Work is counted, never
 * timed: the elements ajv's validators copy while gathering errors, and the diagnostics a
 * large refused document reports and counts.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parsePolicySource } from "../../src/syntax/parse.ts";

/** A JSON policy with `n` grants, each with a filter that fits no form (RP2109 each). */
function refusedGrants(n: number): string {
  const grants = Array.from({ length: n }, (_, i) => ({
    name: `g${i}`,
    type: "app",
    permissions: ["tunnels.streams.create-delete"],
    resources: {
      tunnels: {
        projects: ["p"],
        scopes: { tunnels: { connect: { filters: { id: { regexx: "a" } } } } },
      },
    },
  }));
  return JSON.stringify({ project: { id: "p", plan: "pro" }, grants });
}

/** Runs `work`, counting the array elements `Array.prototype.concat` copies meanwhile. */
function concatCopies(work: () => void): number {
  const original = Array.prototype.concat;
  let copied = 0;
  Array.prototype.concat = function (this: unknown[], ...items: unknown[]) {
    copied += this.length;
    for (const item of items) copied += Array.isArray(item) ? item.length : 1;
    return original.apply(this, items);
  } as typeof original;
  try {
    work();
  } finally {
    Array.prototype.concat = original;
  }
  return copied;
}

describe("explaining a refused document at scale", () => {
  it("gathers the errors of 1,000 refused grants without copying them over and over", () => {
    const n = 1_000;
    let diagnostics: readonly { code: string; message: string }[] = [];
    const copied = concatCopies(() => {
      diagnostics = parsePolicySource({ name: "p.json", text: refusedGrants(n) }).diagnostics;
    });
    // Each grant's own errors are copied a few times (~85 elements); the validator of the whole
    // document copied every error found so far for each refused grant: 11 million here.
    assert.ok(copied < 200 * n, `${copied} elements copied for ${n} grants`);
    assert.equal(diagnostics.length, 51);
    assert.equal(diagnostics.at(-1)?.message, `${n - 50} more diagnostics were not shown`);
  });

  it("reports the first 50 of 600 missing properties and counts the rest exactly", () => {
    const text = JSON.stringify({
      project: { id: "p", plan: "pro" },
      tunnels: Array(300).fill({}),
    });
    const { diagnostics } = parsePolicySource({ name: "p.json", text });
    assert.deepEqual(
      diagnostics.slice(0, 2).map((d) => [d.code, d.message]),
      [
        ["RP2103", "`tunnels[0]` is missing the required property `id`"],
        ["RP2103", "`tunnels[0]` is missing the required property `protocol`"],
      ],
    );
    assert.equal(diagnostics.filter((d) => d.code === "RP2103").length, 50);
    assert.deepEqual(
      [diagnostics.at(-1)?.code, diagnostics.at(-1)?.message],
      ["RP9002", "550 more diagnostics were not shown"],
    );
  });

  it("reports a list longer than the schema allows, and the errors of its entries", () => {
    const text = JSON.stringify({
      project: { id: "p", plan: "pro" },
      tunnels: Array(100_001).fill({}),
    });
    const { diagnostics } = parsePolicySource({ name: "p.json", text });
    const messages = diagnostics.map((d) => `${d.code} ${d.message}`);
    assert.ok(messages.includes("RP2106 `tunnels` has more than 100000 entries"), messages[0]);
    assert.ok(messages.includes("RP2103 `tunnels[0]` is missing the required property `id`"));
    assert.equal(messages.at(-1), `RP9002 ${2 * 100_001 + 1 - 50} more diagnostics were not shown`);
  });
});
