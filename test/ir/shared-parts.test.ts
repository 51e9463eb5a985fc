/**
 * Equal IR parts made once per lowering run (`src/ir/shared-parts.ts`): equal filters and
 * string matches of different grants are one frozen object, parts holding an origin are not
 * shared, and sharing changes no value.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { lowerGrantClaims } from "../../src/ir/grant-from-claims.ts";
import { lowerToIr } from "../../src/ir/lower.ts";
import { SharedParts } from "../../src/ir/shared-parts.ts";
import type { FilterDoc, GrantDoc } from "../../src/syntax/model.ts";
import type { ActionIr, FilterIr, GrantIr, PolicyIr } from "../../src/ir/types.ts";
import { LABEL_PRESENT } from "../../src/ir/types.ts";
import { baseDocument, lowerOk, policyAst } from "./lower-helpers.ts";

function grantConnecting(name: string, filters: FilterDoc): GrantDoc {
  return {
    name,
    resources: {
      tunnels: { projects: ["shop"], scopes: { tunnels: { connect: { filters } } } },
    },
  };
}

function connectOf(grant: GrantIr | undefined): ActionIr {
  const node = grant?.resources;
  assert.ok(node?.kind === "leaf" && node.connect !== null);
  return node.connect;
}

function filterOf(ir: PolicyIr, index: number): FilterIr {
  const filter = connectOf(ir.grants[index]).filter;
  assert.ok(filter !== null);
  return filter;
}

describe("shared IR parts (issue #19)", () => {
  it("S-T4: equal filters of two grants are one frozen object, their actions are not", () => {
    const filters: FilterDoc = { labels: { env: "prod", team: "core" }, publish: true };
    const ir = lowerOk(
      baseDocument({
        grants: [
          grantConnecting("a", filters),
          grantConnecting("b", { publish: true, labels: { team: "core", env: "prod" } }),
          grantConnecting("c", { id: "t-api" }),
          grantConnecting("d", { AND: [{ id: "t-api" }, { labels: { env: { regex: "^p" } } }] }),
          grantConnecting("e", { OR: [{ id: "t-api" }, { labels: { env: { regex: "^p" } } }] }),
        ],
      }),
    );
    const [a, b, c, d, e] = [0, 1, 2, 3, 4].map((i) => filterOf(ir, i));
    assert.equal(a, b);
    assert.deepEqual(a, {
      kind: "and",
      children: [
        { kind: "label", key: "env", match: { kind: "exact", value: "prod" } },
        { kind: "label", key: "team", match: { kind: "exact", value: "core" } },
        { kind: "boolean", field: "publish", value: true },
      ],
    });
    assert.ok(Object.isFrozen(a) && a.kind === "and" && Object.isFrozen(a.children));
    for (const child of a.children) assert.ok(Object.isFrozen(child));
    // The same field filter inside trees of either kind, and the same regex label filter.
    assert.ok(d?.kind === "and" && e?.kind === "or");
    assert.equal(d.children[0], c);
    assert.equal(e.children[0], c);
    assert.equal(d.children[1], e.children[1]);
    assert.deepEqual(d.children[1], {
      kind: "label",
      key: "env",
      match: { kind: "regex", source: "^p" },
    });
    // What a label written `null` matches is one object for every run.
    assert.ok(Object.isFrozen(LABEL_PRESENT));
    // Each action keeps its own origin.
    assert.notEqual(connectOf(ir.grants[0]), connectOf(ir.grants[1]));
  });

  it("S-T4: a filter holding trusted IPs or countries keeps its own origin, unshared", () => {
    const filters: FilterDoc = { AND: [{ id: "t-api" }, { trusted_ips: ["10.0.0.0/8"] }] };
    const geo: FilterDoc = { geo_ip: ["DE"] };
    const pointers = [0, 1].flatMap((i) => {
      const at = `/grants/${i}/resources/tunnels/scopes/tunnels/connect/filters`;
      return [`${at}/AND/1/trusted_ips`, `${at}/AND/1`, at];
    });
    const out = lowerToIr(
      policyAst(
        baseDocument({
          grants: [
            grantConnecting("a", filters),
            grantConnecting("b", filters),
            grantConnecting("c", geo),
            grantConnecting("d", geo),
          ],
        }),
        pointers,
      ),
    );
    assert.ok(out.value !== undefined);
    const [a, b, c, d] = [0, 1, 2, 3].map((i) => filterOf(out.value as PolicyIr, i));
    assert.ok(a?.kind === "and" && b?.kind === "and");
    assert.notEqual(a, b);
    assert.ok(!Object.isFrozen(a));
    // The field filter inside is shared; the set of addresses is each grant's own.
    assert.equal(a.children[0], b.children[0]);
    const [ipsA, ipsB] = [a.children[1], b.children[1]];
    assert.ok(ipsA?.kind === "ips" && ipsB?.kind === "ips");
    assert.notDeepEqual(ipsA.within.origin, ipsB.within.origin);
    assert.notEqual(c, d);
  });

  it("S-T4: equal string matches are shared across fields, a oneof list is copied once", () => {
    const parts = new SharedParts();
    const exact = parts.exact("x");
    assert.equal(parts.exact("x"), exact);
    assert.equal(parts.stringFilter("id", exact), parts.stringFilter("id", parts.exact("x")));
    assert.notEqual(parts.stringFilter("id", exact), parts.stringFilter("name", exact));
    const written = ["a", "b"];
    const oneof = parts.oneof(written);
    assert.equal(parts.oneof(["a", "b"]), oneof);
    assert.notEqual(parts.oneof(["a", "b", "c"]), oneof);
    assert.notEqual(parts.oneof(["b"]), parts.oneof(["a"]));
    assert.deepEqual(oneof, { kind: "oneof", values: ["a", "b"] });
    // The list written stays the caller's, not frozen.
    assert.ok(oneof.kind === "oneof" && oneof.values !== written && !Object.isFrozen(written));
    assert.equal(parts.booleanFilter("publish", false), parts.booleanFilter("publish", false));
    assert.notEqual(parts.booleanFilter("publish", false), parts.booleanFilter("publish", true));
    // An empty AND is one object too; an AND and an OR of the same children are not.
    assert.equal(parts.node("and", []), parts.node("and", []));
    assert.notEqual(parts.node("and", [exactId(parts)]), parts.node("or", [exactId(parts)]));
  });

  it("S-T3: token claims are lowered with a table of their own, to the same values", () => {
    const claims = {
      permissions: null,
      resources: {
        tunnels: {
          OR: [
            { projects: ["p"], scopes: { tunnels: { connect: { filters: { id: "t" } } } } },
            { projects: ["p"], scopes: { tunnels: { list: { filters: { id: "t" } } } } },
          ],
        },
      },
    };
    const first = lowerGrantClaims(claims);
    const second = lowerGrantClaims(claims);
    assert.ok("grant" in first && "grant" in second);
    assert.deepEqual(first.grant, second.grant);
    const tree = first.grant.resources;
    assert.ok(tree?.kind === "or");
    const [left, right] = tree.children;
    assert.ok(left?.kind === "leaf" && right?.kind === "leaf");
    assert.equal(left.connect?.filter, right.list?.filter);
  });
});

function exactId(parts: SharedParts): FilterIr {
  return parts.stringFilter("id", parts.exact("t"));
}
