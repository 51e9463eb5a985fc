import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseJsonPolicy } from "../../src/syntax/json-to-ast.ts";
import { printJson } from "../../src/syntax/print-json.ts";
import type { PolicyDocumentDoc } from "../../src/syntax/model.ts";
import { VALID_POLICY } from "./json-expect.ts";

const parse = (text: string): PolicyDocumentDoc => {
  const outcome = parseJsonPolicy({ name: "policy.json", text });
  assert.deepEqual(outcome.diagnostics, []);
  assert.ok(outcome.value);
  return outcome.value.document;
};

/** The same JSON value with every object's keys in a shuffled order. */
function shuffleKeys(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, random));
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value).map(([k, v]) => [k, shuffleKeys(v, random)] as const);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [entries[i], entries[j]] = [
      entries[j] as (typeof entries)[number],
      entries[i] as (typeof entries)[number],
    ];
  }
  return Object.fromEntries(entries);
}

describe("printJson", () => {
  it("prints properties in model order, 2-space indent, with a trailing newline", () => {
    const text = printJson(
      parse(
        `{"tunnels": [{"protocol": "http", "id": "t", "labels": {"z": "1", "a": "2"}}], "project": {"plan": "pro", "id": "p"}}`,
      ),
    );
    assert.equal(
      text,
      `{
  "project": {
    "id": "p",
    "plan": "pro"
  },
  "tunnels": [
    {
      "id": "t",
      "labels": {
        "z": "1",
        "a": "2"
      },
      "protocol": "http"
    }
  ]
}
`,
    );
  });

  it("orders the properties inside union branches (filters, path forms, tokens)", () => {
    const text = printJson(
      parse(
        `{"project": {"plan": "pro", "id": "p"}, "grants": [{"resources": {"tunnels": {"AND": [{"scopes": {"tunnels": {"connect": {"params": {"methods": ["GET"], "path": {"glob": ["/a/*"]}}, "filters": {"name": {"oneof": ["a"]}, "id": "x"}}}}, "projects": ["p"]}]}}, "name": "g"}]}`,
      ),
    );
    const expected = {
      project: { id: "p", plan: "pro" },
      grants: [
        {
          name: "g",
          resources: {
            tunnels: {
              AND: [
                {
                  projects: ["p"],
                  scopes: {
                    tunnels: {
                      connect: {
                        filters: { id: "x", name: { oneof: ["a"] } },
                        params: { path: { glob: ["/a/*"] }, methods: ["GET"] },
                      },
                    },
                  },
                },
              ],
            },
          },
        },
      ],
    };
    assert.equal(text, `${JSON.stringify(expected, null, 2)}\n`);
  });

  it("round-trips: reading what it printed gives the same document", () => {
    const document = parse(VALID_POLICY);
    const printed = printJson(document);
    assert.deepEqual(parse(printed), document);
    assert.equal(printJson(parse(printed)), printed);
  });

  it("is canonical: key order in the input does not change the output", () => {
    const canonical = printJson(parse(VALID_POLICY));
    const original = JSON.parse(VALID_POLICY) as unknown;
    fc.assert(
      fc.property(
        fc.infiniteStream(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })),
        (stream) => {
          const it = stream[Symbol.iterator]();
          const random = () => it.next().value as number;
          const shuffled = shuffleKeys(original, random) as PolicyDocumentDoc;
          const reordered = printJson(shuffled);
          // Map keys (labels) keep their written order; the policy has one label map of two.
          const labels = (shuffled.tunnels?.[0]?.labels ?? {}) as Record<string, string>;
          const expected =
            Object.keys(labels)[0] === "tier"
              ? canonical
              : canonical.replace(
                  /"tier": "backend",\n(\s+)"app\/kind": "rest"/,
                  '"app/kind": "rest",\n$1"tier": "backend"',
                );
          assert.equal(reordered, expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
