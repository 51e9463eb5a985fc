// A property test in a user's own suite, with the laws that `rampart/testing` ships.
import fc from "fast-check";
import { lawIntersectionNeverBroadens, lawIntersectionOrderIndependent } from "rampart/testing";

fc.assert(lawIntersectionNeverBroadens(), { numRuns: 30, seed: 16 });
fc.assert(lawIntersectionOrderIndependent(), { numRuns: 30, seed: 16 });
console.log("laws hold");
