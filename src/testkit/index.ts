/**
 * `rampart/testing`: builders, fast-check arbitraries and the laws of the bounds algebra and
 * the decision pipeline, for property tests in users' own suites.
 *
 * ```ts
 * import fc from "fast-check";
 * import { lawIntersectionNeverBroadens } from "rampart/testing";
 * fc.assert(lawIntersectionNeverBroadens(), { numRuns: 10_000 });
 * ```
 */
export * from "./builders.ts";
export * from "./arbitraries.ts";
export {
  lawAgreesWithInterpreter,
  lawDerivedTokenNeverWidens,
  lawForwardPassesEveryLayer,
  lawIntersectionIdempotent,
  lawIntersectionNeverBroadens,
  lawIntersectionOrderIndependent,
} from "./laws.ts";
export type { EngineFactory } from "./laws.ts";
export { passesEveryLayer } from "./layers.ts";
export * from "./control-laws.ts";
export * from "./forwarding-law.ts";
