import { describe, it } from "node:test";
import fc from "fast-check";
import {
  lawDerivedTokenNeverWidens,
  lawForwardPassesEveryLayer,
  lawIntersectionIdempotent,
  lawIntersectionNeverBroadens,
  lawIntersectionOrderIndependent,
  lawAgreesWithInterpreter,
} from "../../src/testkit/index.ts";
import { interpreterEngine } from "../../src/policy-tests/run.ts";

const NUM_RUNS = Number(process.env["RAMPART_LAW_RUNS"] ?? 10_000);

describe("laws of the bounds algebra and the pipeline (DESIGN principle 4)", () => {
  it("S-A1/S-A3/S-A4: intersection never broadens (project alone and tunnel alone admit what the effective policy admits)", () => {
    fc.assert(lawIntersectionNeverBroadens(), { numRuns: NUM_RUNS });
  });

  it("S-A1: intersection is idempotent", () => {
    fc.assert(lawIntersectionIdempotent(), { numRuns: NUM_RUNS });
  });

  it("S-A3/S-A4: trusted-IP and country intersection is order-independent", () => {
    fc.assert(lawIntersectionOrderIndependent(), { numRuns: NUM_RUNS });
  });

  it("S-H8/S-T6: a derived token never allows what its parent denies", () => {
    fc.assert(lawDerivedTokenNeverWidens(), { numRuns: NUM_RUNS });
  });

  it("S-O3: nothing is forwarded without passing every layer", () => {
    fc.assert(lawForwardPassesEveryLayer(), { numRuns: NUM_RUNS });
  });

  it("the differential law holds for the interpreter against itself (sanity of the harness)", () => {
    fc.assert(lawAgreesWithInterpreter(interpreterEngine), { numRuns: 500 });
  });
});
