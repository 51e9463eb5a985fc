import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { effectiveGrants, reduceGrant } from "../../src/bounds/grants.ts";
import { checkNarrowing } from "../../src/bounds/narrowing.ts";
import type { FilterIr, GrantIr } from "../../src/ir/types.ts";
import { actionIr, grantIr, grantLeaf, ipSet } from "../../src/testkit/builders.ts";

const connectOnly = (
  overrides: Parameters<typeof actionIr>[0] = {},
  scope: Parameters<typeof grantLeaf>[0] = {},
) => grantLeaf({ connect: actionIr(overrides), ...scope });

describe("grant reduction (S-T6)", () => {
  it("S-T6: permissions intersect, null is the identity", () => {
    const parent = grantIr({
      name: "p",
      permissions: ["tunnels.resources.read-only", "tunnels.streams.create-delete"],
    });
    const child = grantIr({
      name: "c",
      parent: "p",
      permissions: ["tunnels.streams.create-delete", "tunnels.tunnels.create-delete"],
    });
    assert.deepEqual(reduceGrant(parent, child).permissions, ["tunnels.streams.create-delete"]);
    assert.deepEqual(
      reduceGrant(grantIr({ permissions: null }), child).permissions,
      child.permissions,
    );
    assert.deepEqual(
      reduceGrant(parent, grantIr({ permissions: null })).permissions,
      parent.permissions,
    );
  });

  it("S-T6: resources are ANDed, null is the identity", () => {
    const a = connectOnly({ methods: ["GET"] });
    const b = connectOnly({ path: { kind: "prefix", values: ["/api"] } });
    assert.deepEqual(reduceGrant(grantIr({ resources: a }), grantIr({ resources: b })).resources, {
      kind: "and",
      children: [a, b],
    });
    assert.deepEqual(
      reduceGrant(grantIr({ resources: null }), grantIr({ resources: b })).resources,
      b,
    );
    assert.deepEqual(
      reduceGrant(grantIr({ resources: a }), grantIr({ resources: null })).resources,
      a,
    );
  });

  it("S-T6: expiry is the earlier, a child never outlives its parent", () => {
    assert.equal(
      reduceGrant(grantIr({ expiresAt: 100 }), grantIr({ expiresAt: 200 })).expiresAt,
      100,
    );
    assert.equal(
      reduceGrant(grantIr({ expiresAt: 100 }), grantIr({ expiresAt: null })).expiresAt,
      100,
    );
    assert.equal(
      reduceGrant(grantIr({ expiresAt: null }), grantIr({ expiresAt: 50 })).expiresAt,
      50,
    );
  });

  it("S-T6: effective grants reduce along the whole parent chain", () => {
    const root = grantIr({
      name: "root",
      permissions: ["tunnels.streams.create-delete"],
      expiresAt: 1000,
    });
    const mid = grantIr({ name: "mid", parent: "root", expiresAt: 900, resources: connectOnly() });
    const leaf = grantIr({
      name: "leaf",
      parent: "mid",
      expiresAt: 800,
      resources: connectOnly({ methods: ["GET"] }),
    });
    const out = effectiveGrants([leaf, mid, root]);
    assert.deepEqual(out.diagnostics, []);
    const eff = out.grants["leaf"];
    assert.equal(eff?.expiresAt, 800);
    assert.deepEqual(eff?.permissions, ["tunnels.streams.create-delete"]);
    assert.equal(eff?.resources?.kind, "and");
  });

  it("a cycle of parents is RP4202, reported once; an unknown parent is RP4203", () => {
    const cyc = effectiveGrants([
      grantIr({ name: "a", parent: "b" }),
      grantIr({ name: "b", parent: "a" }),
    ]);
    assert.deepEqual(
      cyc.diagnostics.map((d) => d.code),
      ["RP4202"],
    );
    assert.deepEqual(Object.keys(cyc.grants), []);
    const unknown = effectiveGrants([grantIr({ name: "a", parent: "nope" })]);
    assert.deepEqual(
      unknown.diagnostics.map((d) => d.code),
      ["RP4203"],
    );
  });

  it("S-T6: a root grant is its own effective grant; a repeated name keeps the first resolved", () => {
    const first = grantIr({ name: "r", permissions: ["tunnels.resources.read-only"] });
    const second = grantIr({ name: "r", permissions: null });
    const roots = effectiveGrants([first, second]);
    assert.equal(roots.grants["r"], first);
    // A derived grant that failed keeps its name out, even when a root grant repeats it.
    const failed = effectiveGrants([
      grantIr({ name: "x", parent: "nope" }),
      grantIr({ name: "x" }),
    ]);
    assert.deepEqual(Object.keys(failed.grants), []);
    // A root grant met first is resolved before a derived grant of the same name.
    const rootFirst = effectiveGrants([
      grantIr({ name: "y" }),
      grantIr({ name: "y", parent: "no" }),
    ]);
    assert.deepEqual(rootFirst.diagnostics, []);
    assert.ok(rootFirst.grants["y"]);
  });
});

function parts(parent: GrantIr, child: GrantIr): string[] {
  return checkNarrowing(parent, child).map(
    (w) => `${w.part}:${w.certain ? "certain" : "possible"}`,
  );
}

describe("narrowing check (S-H8)", () => {
  it("S-H8: a true narrowing reports nothing", () => {
    const parent = grantIr({
      permissions: ["tunnels.streams.create-delete"],
      expiresAt: 100,
      resources: connectOnly(
        { path: { kind: "prefix", values: ["/api"] }, methods: ["GET", "POST"] },
        { projects: ["p1", "p2"] },
      ),
    });
    const child = grantIr({
      parent: "g",
      permissions: ["tunnels.streams.create-delete"],
      expiresAt: 50,
      resources: connectOnly(
        { path: { kind: "prefix", values: ["/api/v1"] }, methods: ["GET"] },
        { projects: ["p1"] },
      ),
    });
    assert.deepEqual(parts(parent, child), []);
  });

  it("S-H8: names widened permissions and expiry", () => {
    const parent = grantIr({ permissions: ["tunnels.resources.read-only"], expiresAt: 100 });
    assert.deepEqual(
      parts(parent, grantIr({ permissions: null, expiresAt: null })),
      [],
      "null inherits the parent's",
    );
    assert.deepEqual(
      parts(parent, grantIr({ permissions: ["tunnels.tunnels.create-delete"], expiresAt: 200 })),
      ["permissions:certain", "expiry:certain"],
    );
  });

  it("S-H8: names widened paths, methods, projects and actions", () => {
    const parent = grantIr({
      resources: connectOnly(
        { path: { kind: "prefix", values: ["/api/"] }, methods: ["GET"] },
        { projects: ["p1"] },
      ),
    });
    assert.deepEqual(
      parts(
        parent,
        grantIr({
          resources: connectOnly(
            { path: { kind: "exact", value: "/apix" }, methods: ["GET"] },
            { projects: ["p1"] },
          ),
        }),
      ),
      ["paths:certain"],
    );
    assert.deepEqual(
      parts(
        parent,
        grantIr({
          resources: connectOnly(
            { path: { kind: "exact", value: "/api/x" }, methods: ["GET", "DELETE"] },
            { projects: ["p1"] },
          ),
        }),
      ),
      ["methods:certain"],
    );
    assert.deepEqual(
      parts(
        parent,
        grantIr({
          resources: connectOnly(
            { path: { kind: "exact", value: "/api/x" }, methods: ["GET"] },
            { projects: ["p1", "p2"] },
          ),
        }),
      ),
      ["projects:certain"],
    );
    assert.deepEqual(
      parts(parent, grantIr({ resources: grantLeaf({ projects: ["p1"], list: actionIr() }) })),
      ["list:certain"],
    );
    assert.deepEqual(parts(parent, grantIr({ resources: null })), [], "null inherits the parent's");
  });

  it("S-H8: create filters: a contradicting value widens, an unmentioned condition is inherited", () => {
    const tokenAuth = (value: boolean) =>
      ({ kind: "boolean", field: "token_auth", value }) as const;
    const parent = grantIr({
      resources: grantLeaf({ create: actionIr({ filter: tokenAuth(true) }) }),
    });
    const create = (filter: FilterIr | null) =>
      grantIr({ resources: grantLeaf({ create: actionIr({ filter }) }) });
    assert.deepEqual(parts(parent, create(tokenAuth(false))), ["create:certain"]);
    assert.deepEqual(
      parts(parent, create({ kind: "boolean", field: "publish", value: false })),
      [],
    );
    assert.deepEqual(
      parts(
        parent,
        create({
          kind: "and",
          children: [tokenAuth(true), { kind: "boolean", field: "publish", value: false }],
        }),
      ),
      [],
    );
    assert.deepEqual(parts(parent, create(null)), []);
  });

  it("S-H8: filters: implied values are inside, values outside the parent's list widen", () => {
    const name = (values: string[]): FilterIr => ({
      kind: "string",
      field: "name",
      match: { kind: "oneof", values },
    });
    const env: FilterIr = { kind: "label", key: "env", match: { kind: "exact", value: "prod" } };
    const parent = grantIr({
      resources: connectOnly({ filter: { kind: "and", children: [env, name(["api", "web"])] } }),
    });
    assert.deepEqual(
      parts(parent, grantIr({ resources: connectOnly({ filter: name(["api"]) }) })),
      [],
    );
    assert.deepEqual(parts(parent, grantIr({ resources: connectOnly({ filter: name(["db"]) }) })), [
      "filters:certain",
    ]);
    const regex: FilterIr = {
      kind: "string",
      field: "name",
      match: { kind: "regex", source: "^a" },
    };
    assert.deepEqual(parts(parent, grantIr({ resources: connectOnly({ filter: regex }) })), [
      "filters:possible",
    ]);
    const ips = (...e: string[]): FilterIr => ({ kind: "ips", within: ipSet(...e) });
    const ipParent = grantIr({ resources: connectOnly({ filter: ips("10.0.0.0/8") }) });
    assert.deepEqual(
      parts(ipParent, grantIr({ resources: connectOnly({ filter: ips("10.1.0.0/16") }) })),
      [],
    );
    assert.deepEqual(
      parts(ipParent, grantIr({ resources: connectOnly({ filter: ips("192.0.2.0/24") }) })),
      ["filters:certain"],
    );
  });

  it("S-H8: globs under a parent prefix or `/**` glob are inside it", () => {
    const parent = grantIr({
      resources: connectOnly({ path: { kind: "glob", patterns: ["/v1/deploy/**"] } }),
    });
    const glob = (...patterns: string[]) =>
      grantIr({ resources: connectOnly({ path: { kind: "glob", patterns } }) });
    assert.deepEqual(parts(parent, glob("/v1/deploy/*/status")), []);
    assert.deepEqual(parts(parent, glob("/v1/*/status")), ["paths:possible"]);
    const prefixParent = grantIr({
      resources: connectOnly({ path: { kind: "prefix", values: ["/api/"] } }),
    });
    assert.deepEqual(parts(prefixParent, glob("/api/**")), []);
    assert.deepEqual(
      parts(
        prefixParent,
        grantIr({ resources: connectOnly({ path: { kind: "prefix", values: ["/apix"] } }) }),
      ),
      ["paths:certain"],
    );
  });

  it("S-H8: undecidable comparisons are reported as possible widenings", () => {
    const parent = grantIr({
      resources: connectOnly({ path: { kind: "regex", source: "^/api/" } }),
    });
    assert.deepEqual(
      parts(
        parent,
        grantIr({ resources: connectOnly({ path: { kind: "glob", patterns: ["/api/*"] } }) }),
      ),
      ["paths:possible"],
    );
    assert.deepEqual(
      parts(
        parent,
        grantIr({ resources: connectOnly({ path: { kind: "exact", value: "/api/x" } }) }),
      ),
      [],
    );
  });

  it("S-H8: an OR child is inside an AND parent only when every branch is", () => {
    const parent = grantIr({ resources: connectOnly({ methods: ["GET"] }) });
    const child = grantIr({
      resources: {
        kind: "or",
        children: [connectOnly({ methods: ["GET"] }), connectOnly({ methods: ["POST"] })],
      },
    });
    assert.deepEqual(parts(parent, child), ["methods:possible"]);
  });

  it("S-H8: a widening child is an RP4201 error and still gets only the parent's grant", () => {
    const parent = grantIr({ name: "p", permissions: ["tunnels.resources.read-only"] });
    const child = grantIr({
      name: "c",
      parent: "p",
      permissions: ["tunnels.streams.create-delete"],
    });
    const out = effectiveGrants([parent, child]);
    assert.deepEqual(
      out.diagnostics.map((d) => [d.code, d.severity]),
      [["RP4201", "error"]],
    );
    assert.match(
      out.diagnostics[0]?.message ?? "",
      /grant `c` widens its parent `p` \(permissions\)/,
    );
    assert.deepEqual(out.grants["c"]?.permissions, []);
  });
});
