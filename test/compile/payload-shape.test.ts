/**
 * The fast bundle payload checks accept exactly what the zod reference schema accepts: on
 * valid payloads, and on payloads broken at a random place (a key removed, a value replaced,
 * an unknown key added).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkPayloadShape } from "../../src/compile/bundle/payload-shape.ts";
import { PayloadSchema } from "../../src/compile/bundle/schema.ts";
import { arbEffectivePolicy } from "../../src/testkit/index.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value inside a JSON tree. */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const here = [prefix];
  if (Array.isArray(value)) return here.concat(...value.map((v, i) => pathsOf(v, [...prefix, i])));
  if (value !== null && typeof value === "object") {
    return here.concat(...Object.entries(value).map(([k, v]) => pathsOf(v, [...prefix, k])));
  }
  return here;
}

type Mutation =
  { kind: "delete" } | { kind: "replace"; value: Json } | { kind: "add"; key: string; value: Json };

function mutate(root: Json, path: (string | number)[], mutation: Mutation): Json {
  const copy = structuredClone(root);
  if (path.length === 0) return mutation.kind === "replace" ? mutation.value : copy;
  let parent: Json = copy;
  for (const key of path.slice(0, -1))
    parent = (parent as Record<string, Json>)[key as string] as Json;
  const last = path[path.length - 1] as string | number;
  const container = parent as Record<string | number, Json>;
  if (mutation.kind === "delete") {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete container[last];
  } else if (mutation.kind === "replace") {
    container[last] = mutation.value;
  } else {
    const target = container[last];
    // defineProperty, as JSON.parse does: a `__proto__` key is an own member, not a prototype.
    if (target !== null && typeof target === "object" && !Array.isArray(target)) {
      Object.defineProperty(target, mutation.key, {
        value: mutation.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return copy;
}

const oddValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    0,
    -1,
    1.5,
    "",
    "x",
    "RP12",
    "DE",
    "de",
    "1.3",
    "exact",
    "leaf",
    [],
    {},
  ),
  fc.constantFrom<Json>(
    { kind: "and", children: [] },
    { file: "f", start: 0, end: 1 },
    { file: "f", start: -1, end: 1 },
  ),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ kind: "delete" }),
  oddValue.map((value): Mutation => ({ kind: "replace", value })),
  fc
    .tuple(fc.constantFrom("extra", "origin", "kind", "__proto__"), oddValue)
    .map(([key, value]): Mutation => ({ kind: "add", key, value })),
);

const payload = fc.array(arbEffectivePolicy(), { minLength: 1, maxLength: 2 }).map(
  (policies) =>
    JSON.parse(
      JSON.stringify({
        policies,
        diagnostics: [
          {
            code: "RP8001",
            severity: "warning",
            message: "m",
            span: { file: "f", start: 0, end: 1 },
          },
        ],
      }),
    ) as Json,
);

function agree(value: Json): void {
  const fast = checkPayloadShape(value, "");
  const reference = PayloadSchema.safeParse(value);
  // Known, deliberate difference: zod does not check a map member named `__proto__` (an own
  // key, as JSON.parse makes it); the fast checks do, and refuse a bad one.
  if (fast !== null && fast.includes(".__proto__") && reference.success) return;
  assert.equal(
    fast === null,
    reference.success,
    `fast: ${fast}; zod: ${reference.success ? "ok" : JSON.stringify(reference.error.issues[0])}`,
  );
}

describe("bundle payload shape checks ≡ the zod reference schema", () => {
  it("accept every payload the writer produces", () => {
    fc.assert(
      fc.property(payload, (value) => assert.equal(checkPayloadShape(value, ""), null)),
      { numRuns: 300 },
    );
  });

  it("agree with zod on payloads broken at a random place", () => {
    const broken = payload.chain((value) => {
      const paths = pathsOf(value);
      return fc.tuple(fc.constant(value), fc.constantFrom(...paths), mutation);
    });
    fc.assert(
      fc.property(broken, ([value, path, m]) => agree(mutate(value, path, m))),
      { numRuns: 1_500 },
    );
  });

  it("name the place of the first problem", () => {
    assert.equal(
      checkPayloadShape({ policies: [{}], diagnostics: [] }, ""),
      "`policies.0.source`: missing",
    );
    assert.equal(
      checkPayloadShape({ policies: [], diagnostics: [], x: 1 }, ""),
      "`x`: unknown key",
    );
    assert.equal(checkPayloadShape([], ""), "the top level: expected an object");
  });
});
