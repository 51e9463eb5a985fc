/**
 * S-R4, S-O3, S-R20: the forwarding law from `rampart/testing`, 10,000 raw requests through the
 * pure canonicalize + forward-plan function that `serve` and forward-auth use.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  arbRawRequest,
  checkForwardedIsDecided,
  lawForwardedIsDecided,
  planForward,
} from "../../src/testkit/index.ts";

describe("the forwarding law (issue #13)", () => {
  it("S-R4 S-O3 S-R20: what is forwarded is what was decided, minus what is stripped (10,000 runs)", () => {
    fc.assert(lawForwardedIsDecided(), { numRuns: 10_000, seed: 13 });
  });

  it("the generator reaches both sides: refused requests and forwarded ones", () => {
    const outcomes = fc
      .sample(arbRawRequest(), { numRuns: 2_000, seed: 7 })
      .map((r) => ("refused" in planForward(r) ? "refused" : "forwarded"));
    assert.ok(outcomes.filter((o) => o === "refused").length > 200);
    assert.ok(outcomes.filter((o) => o === "forwarded").length > 200);
  });

  it("S-R4: a known escape is caught by the law, not by luck", () => {
    const request = {
      method: "GET",
      target: "/public/%2e%2e/admin?rstream%2Etoken=s&a=1",
      rawHeaders: ["Host", "web.test", "X-Original-URL", "/admin"],
    };
    checkForwardedIsDecided(request);
    const planned = planForward(request);
    assert.ok("plan" in planned);
    assert.equal(planned.plan.target, "/admin?a=1");
    assert.ok(!planned.plan.headers.includes("X-Original-URL"));
  });
});
