import { describe, it } from "node:test";
import fc from "fast-check";
import { compileControlPlane } from "../../src/compile/control-plane.ts";
import {
  interpreterControlEngine,
  lawControlAgreesWithInterpreter,
  lawDerivedTokenNeverSeesMore,
  lawFiltersNarrowMonotonically,
  lawListFieldsWithinSelect,
  lawOwnershipGatesControl,
  lawRefusalsExplainAndWatchNeverMutates,
} from "../../src/testkit/index.ts";

const NUM_RUNS = Number(process.env["RAMPART_LAW_RUNS"] ?? 1_000);
const engines = [
  ["interpreter", interpreterControlEngine],
  ["compiled", compileControlPlane],
] as const;

describe("laws of the control-plane decisions (S-T2, S-T3, S-T6, S-T7)", () => {
  for (const [name, engine] of engines) {
    it(`S-T6: a derived token never creates, lists or sees more than its parent (${name})`, () => {
      fc.assert(lawDerivedTokenNeverSeesMore(engine), { numRuns: NUM_RUNS });
    });

    it(`S-T3: a list result's fields are within the grant's select (${name})`, () => {
      fc.assert(lawListFieldsWithinSelect(engine), { numRuns: NUM_RUNS });
    });

    it(`S-T4: filters narrow monotonically (${name})`, () => {
      fc.assert(lawFiltersNarrowMonotonically(engine), { numRuns: NUM_RUNS });
    });

    it(`S-T8: a token creates, lists and watches only as far as its owner may (${name})`, () => {
      fc.assert(lawOwnershipGatesControl(engine), { numRuns: NUM_RUNS });
    });

    it(`S-T7: refusals name a change; a watch token never creates or connects (${name})`, () => {
      fc.assert(lawRefusalsExplainAndWatchNeverMutates(engine), { numRuns: NUM_RUNS });
    });
  }

  it("the compiled control plane agrees with the interpreter (law form)", () => {
    fc.assert(lawControlAgreesWithInterpreter(compileControlPlane), { numRuns: NUM_RUNS });
  });
});
