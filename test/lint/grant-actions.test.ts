// Issue #2 lint speed: RP8004 and RP8005 walk a grant's resource tree (S-T3) with
// `forEachAction` instead of collecting its actions; the walk must see every action once, in
// tree order, so the rules report what they reported before, in the same order.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ActionIr } from "../../src/ir/types.ts";
import { forEachAction, forEachGrantAction } from "../../src/lint/grant-actions.ts";
import type { ActionKind } from "../../src/lint/grant-actions.ts";
import { actionIr, grantIr, grantLeaf } from "../../src/testkit/builders.ts";

const named = (name: string): ActionIr => actionIr({ path: { kind: "exact", value: `/${name}` } });

function visited(node: Parameters<typeof forEachAction>[0]): string[] {
  const out: string[] = [];
  forEachAction(node, (action: ActionIr, kind: ActionKind) => {
    out.push(`${kind}:${action.path?.kind === "exact" ? action.path.value : "?"}`);
  });
  return out;
}

describe("grant actions in tree order (S-T3)", () => {
  it("visits connect, create and list of each leaf, leaves left to right", () => {
    const tree = {
      kind: "and" as const,
      children: [
        grantLeaf({ connect: named("a"), list: named("b") }),
        {
          kind: "or" as const,
          children: [
            grantLeaf({ create: named("c") }),
            grantLeaf({ list: named("d"), connect: named("e") }),
          ],
        },
      ],
    };
    assert.deepEqual(visited(tree), [
      "connect:/a",
      "list:/b",
      "create:/c",
      "connect:/e",
      "list:/d",
    ]);
  });

  it("visits nothing for a leaf without actions", () => {
    assert.deepEqual(visited(grantLeaf()), []);
  });
});

describe("grant actions of a whole policy, grant by grant (S-T3, issue #19)", () => {
  it("forEachGrantAction visits what forEachAction visits on each grant, in grant order", () => {
    const grants = [
      grantIr({ name: "a", resources: grantLeaf({ connect: named("a1"), list: named("a2") }) }),
      grantIr({ name: "none", resources: null }),
      grantIr({
        name: "b",
        resources: {
          kind: "or",
          children: [grantLeaf({ create: named("b1") }), grantLeaf({ connect: named("b2") })],
        },
      }),
      grantIr({ name: "empty", resources: grantLeaf() }),
    ];
    const walked: string[] = [];
    forEachGrantAction(grants, (grant, action, kind) => {
      walked.push(
        `${grant.name} ${kind}:${action.path?.kind === "exact" ? action.path.value : "?"}`,
      );
    });
    const expected = grants.flatMap((grant) =>
      grant.resources === null ? [] : visited(grant.resources).map((v) => `${grant.name} ${v}`),
    );
    assert.deepEqual(walked, expected);
    assert.equal(walked.length, 4);
  });
});
