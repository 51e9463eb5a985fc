/**
 * The proxy bench's Δ rows decide a target only when the interval around their median allows
 * it; the interval must hold the true median as often as it claims.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { medianInterval, verdict } from "./median-interval.ts";
import { seededRandom } from "./harness.ts";

test("the interval is the textbook pair of order statistics", () => {
  const ranks = (n: number) => Array.from({ length: n }, (_, i) => n - i); // unsorted input
  // n = 9: 2nd and 8th (96.1 %); n = 16: 4th and 13th (97.9 %); n = 20: 6th and 15th (95.9 %).
  assert.deepEqual(pick(medianInterval(ranks(9))), [5, 2, 8]);
  assert.deepEqual(pick(medianInterval(ranks(16))), [8.5, 4, 13]);
  assert.deepEqual(pick(medianInterval(ranks(20))), [10.5, 6, 15]);
  assert.ok(Math.abs(medianInterval(ranks(9)).coverage - 0.9609375) < 1e-12);
  // Too few values for 95 %: the whole range, with the coverage it really has.
  assert.deepEqual(pick(medianInterval(ranks(5))), [3, 1, 5]);
  assert.equal(medianInterval(ranks(5)).coverage, 0.9375);
  assert.equal(medianInterval([4]).coverage, 0);
  assert.throws(() => medianInterval([]), RangeError);
});

test("the interval covers the true median at least as often as it says", () => {
  const random = seededRandom(20261207);
  const trials = 4000;
  for (const n of [9, 12, 16]) {
    let covered = 0;
    let claimed = 0;
    for (let t = 0; t < trials; t++) {
      // A skewed distribution (exponential) whose median is ln 2, shifted by −1.
      const sample = Array.from({ length: n }, () => -Math.log(1 - random()) - 1);
      const interval = medianInterval(sample);
      claimed = interval.coverage;
      if (interval.lo <= Math.LN2 - 1 && Math.LN2 - 1 <= interval.hi) covered++;
    }
    // Binomial noise of 4,000 trials at ~96 %: one standard deviation is ~0.3 %, so 1 % is ~3.
    assert.ok(covered / trials >= claimed - 0.01, `n=${n}: ${covered / trials} < ${claimed}`);
  }
});

test("a verdict needs the whole interval on one side of the limit", () => {
  const interval = { median: 0.5, lo: -1, hi: 2, coverage: 0.96 };
  assert.equal(verdict(interval, 2), "met");
  assert.equal(verdict(interval, 1), "not decided");
  assert.equal(verdict(interval, -1), "not decided");
  assert.equal(verdict(interval, -1.5), "not met");
  // One window, or five, cannot decide at 95 % however far its values lie from the limit.
  assert.equal(verdict(medianInterval([-50]), 1), "not decided");
  assert.equal(verdict(medianInterval([-5, -4, -3, -2, -1]), 1), "not decided");
  assert.equal(verdict(medianInterval([-6, -5, -4, -3, -2, -1]), 1), "met");
});

function pick(i: { median: number; lo: number; hi: number }): [number, number, number] {
  return [i.median, i.lo, i.hi];
}
