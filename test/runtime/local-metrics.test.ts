/**
 * The hot-path metrics of issue #20 export exactly what prom-client's own would: the local
 * histogram's text equals a prom-client Histogram's fed the same values, and a deferred
 * counter's slots reach the counter on every scrape.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Histogram, Registry } from "prom-client";
import { LocalHistogram } from "../../src/runtime/ops/local-histogram.ts";
import { DeferredCounter } from "../../src/runtime/ops/deferred-counter.ts";

describe("hot-path metrics (issue #20)", () => {
  it("a local histogram exports the same text as prom-client's Histogram", async () => {
    const buckets = [0.0005, 0.001, 0.01, 0.25, 1];
    const local = new Registry();
    const reference = new Registry();
    const mine = new LocalHistogram(
      { name: "d_seconds", help: "d", label: "outcome", buckets },
      local,
    );
    const theirs = new Histogram({
      name: "d_seconds",
      help: "d",
      labelNames: ["outcome"],
      buckets,
      registers: [reference],
    });
    const values = [0, 0.0005, 0.0007, 0.001, 0.3, 2, 1, 0.25, 0.0001];
    for (const [i, v] of values.entries()) {
      const outcome = i % 3 === 0 ? "deny" : "forward";
      mine.observe(outcome, v);
      theirs.labels(outcome).observe(v);
    }
    assert.equal(await local.metrics(), await reference.metrics());
    mine.reset();
    theirs.reset();
    assert.equal(await local.metrics(), await reference.metrics());
  });

  it("a deferred counter's counts reach the counter at every scrape", async () => {
    const registry = new Registry();
    const counter = new DeferredCounter({
      name: "c_total",
      help: "c",
      labelNames: ["outcome"],
      registers: [registry],
    });
    const forward = counter.slot({ outcome: "forward" });
    const deny = counter.slot({ outcome: "deny" });
    forward.n += 3;
    deny.n++;
    assert.match(await registry.metrics(), /c_total\{outcome="forward"\} 3\n/);
    forward.n += 2;
    const text = await registry.metrics();
    assert.match(text, /c_total\{outcome="forward"\} 5\n/);
    assert.match(text, /c_total\{outcome="deny"\} 1\n/);
  });
});
