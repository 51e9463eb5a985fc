/**
 * The schema gate (`schema-gate.ts`) against ajv on small schemas, one group of keywords each:
 * for any JSON value, the same yes or no (the whole policy schema is held to ajv in
 * json-schema.test.ts). A keyword the gate does not know stops the generator.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Ajv2020 } from "ajv/dist/2020.js";
import ucs2length from "ajv/dist/runtime/ucs2length.js";
import type { PolicyJsonSchema } from "../../src/syntax/schema.ts";
import { schemaGateSource } from "../../src/syntax/schema-gate.ts";
import type { MakerGuarantees } from "../../src/syntax/schema-gate.ts";

type Gate = (document: unknown) => boolean;

/** The gate of `schema`, run as a function body (the shipped module imports the same counter). */
function gateOf(schema: object, guarantees?: MakerGuarantees): Gate {
  const source = `${schemaGateSource(schema as PolicyJsonSchema, guarantees)}\nreturn validatePolicy;`;
  // SAFETY: the body ends by returning its `validatePolicy` function.
  // eslint-disable-next-line no-new-func -- the code under test is generated source
  return new Function("codePoints", source)(ucs2length.default) as Gate;
}

const ID = "https://example.test/gate.json";

const SCHEMAS: Record<string, object> = {
  types: {
    type: "object",
    properties: {
      s: { type: "string" },
      n: { type: "number" },
      i: { type: "integer", minimum: 100, maximum: 599 },
      b: { type: "boolean" },
      z: { type: "null" },
      a: { type: "array" },
      o: { type: "object" },
      either: { type: ["string", "integer"], minLength: 2, maximum: 3 },
      untyped: { minLength: 2, minItems: 1, minimum: 0 },
    },
  },
  "strings and lists": {
    type: "object",
    properties: {
      s: { type: "string", minLength: 2, maxLength: 4 },
      one: { type: "string", minLength: 1 },
      p: { type: "string", pattern: "^[A-Za-z]{1,3}$" },
      e: { type: "string", enum: ["x", "y"] },
      mixed: { enum: ["1", 1, true, null] },
      l: { type: "array", minItems: 1, maxItems: 2, items: { type: "string", maxLength: 1 } },
    },
    required: ["s"],
    additionalProperties: false,
  },
  maps: {
    type: "object",
    propertyNames: { type: "string", minLength: 2, pattern: "^[a-z]+$" },
    additionalProperties: { type: "integer" },
  },
  "maps with known names": {
    type: "object",
    properties: { a: { type: "string" }, "b-c": { type: "boolean" } },
    additionalProperties: { type: "array", items: { type: "number" } },
  },
  "unions and references": {
    $id: ID,
    $ref: "#/$defs/Filter",
    $defs: {
      Filter: {
        anyOf: [
          { type: "string", minLength: 1 },
          {
            type: "object",
            properties: { all: { type: "array", items: { $ref: "#/$defs/Filter" } } },
            required: ["all"],
            additionalProperties: false,
          },
          {
            type: "object",
            properties: { not: { $ref: "#/$defs/Filter", description: "negated" } },
            required: ["not"],
            additionalProperties: false,
          },
        ],
      },
    },
  },
};

/** JSON values near what each schema asks: right and wrong types, lengths, names. */
const nearValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom("", "a", "ab", "abcd", "abcde", "é😀", "😀😀", "x", "y", "1", "AbC", "a1"),
    fc.constantFrom(0, 1, 1.5, -1, 99, 100, 599, 600, 3, 4, true, false, null),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom("s", "n", "i", "b", "z", "a", "o", "either", "untyped", "one", "p", "e"),
      tie("value"),
      { maxKeys: 4 },
    ),
    fc.dictionary(
      fc.constantFrom("mixed", "l", "all", "not", "b-c", "ab", "A", "x", "toString"),
      tie("value"),
      { maxKeys: 3 },
    ),
    // An object with a valid `s` and only names of "strings and lists": often accepted there.
    fc
      .tuple(
        fc.constantFrom("ab", "abcd"),
        fc.dictionary(fc.constantFrom("one", "p", "e", "mixed", "l"), tie("value"), {
          maxKeys: 3,
        }),
      )
      .map(([s, rest]) => ({ ...rest, s })),
    fc.jsonValue({ maxDepth: 2 }),
  ),
})).value;

describe("the schema gate", () => {
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    it(`answers as ajv does: ${name}`, () => {
      const ajv = new Ajv2020({ strict: true, strictTypes: false, allowUnionTypes: true });
      const expected = ajv.compile(schema);
      const gate = gateOf(schema);
      let accepted = 0;
      fc.assert(
        fc.property(nearValue, (value) => {
          const answer = expected(value);
          if (answer) accepted++;
          assert.equal(gate(value), answer);
        }),
        { numRuns: 3000 },
      );
      // Both answers were seen.
      assert.ok(accepted > 0 && accepted < 3000, `${accepted} of 3000 accepted`);
    });
  }

  it("refuses a keyword it does not check, rather than accept more than ajv", () => {
    assert.throws(
      () => gateOf({ type: "string", const: "x" }),
      /does not know the keyword `const`/,
    );
    assert.throws(() => gateOf({ oneOf: [{ type: "string" }] }), /keyword `oneOf`/);
    assert.throws(() => gateOf({ $ref: "other.json#/x" }), /only \$defs refs/);
    assert.throws(() => gateOf({ enum: [{ a: 1 }] }), /primitive types only/);
  });
});

describe("the schema gate for one maker's documents", () => {
  const guarantees: MakerGuarantees = {
    types: ["object", "array", "string", "boolean"],
    closedObjects: true,
    notIn: ["Loose"],
  };
  const schema = {
    $id: ID,
    type: "object",
    properties: {
      name: { type: "string", minLength: 1 },
      flag: { type: "boolean" },
      count: { type: "integer", maximum: 3 },
      list: { type: "array", maxItems: 1, items: { type: "string", enum: ["a"] } },
      either: { anyOf: [{ type: "string", minLength: 2 }, { $ref: "#/$defs/Pair" }] },
      loose: { $ref: "#/$defs/Loose" },
    },
    required: ["name"],
    additionalProperties: false,
    $defs: {
      Pair: {
        type: "object",
        properties: { a: { type: "string", maxLength: 1 } },
        required: ["a"],
        additionalProperties: false,
      },
      Loose: {
        type: "object",
        properties: { on: { type: "boolean" } },
        additionalProperties: false,
      },
    },
  };
  const whole = gateOf(schema);
  const trusting = gateOf(schema, guarantees);

  it("leaves out the guaranteed types and member names, nothing else", () => {
    // What the maker guarantees is not checked again (a maker that broke it would get through).
    assert.equal(trusting({ name: "n", flag: "yes" }), true);
    assert.equal(trusting({ name: "n", other: 1 }), true);
    assert.equal(whole({ name: "n", flag: "yes" }), false);
    // Values, enums, limits, list sizes, required members and integers are still checked.
    for (const value of [
      { name: "" },
      {},
      { name: "n", count: 4 },
      { name: "n", count: 1.5 },
      { name: "n", list: ["b"] },
      { name: "n", list: ["a", "a"] },
    ]) {
      assert.equal(trusting(value), false, JSON.stringify(value));
      assert.equal(whole(value), false, JSON.stringify(value));
    }
  });

  it("keeps a union branch's own type and member names, which choose the branch", () => {
    for (const either of ["ab", "a", { a: "x" }, { a: "xy" }, { a: "x", b: "y" }, { b: "y" }, 5]) {
      const value = { name: "n", either };
      assert.equal(trusting(value), whole(value), JSON.stringify(value));
    }
  });

  it("checks a definition the guarantees leave out whole", () => {
    for (const loose of [{ on: true }, { on: "x" }, { off: true }, "x"]) {
      const value = { name: "n", loose };
      assert.equal(trusting(value), whole(value), JSON.stringify(value));
    }
  });
});
